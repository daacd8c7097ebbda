/// Install-time locations, in the spirit of Kea's --sysconfdir / --localstatedir. `make install`
/// rewrites this file with the PREFIX, SYSCONFDIR and LOCALSTATEDIR it is given.
public enum BuildPaths {
    public static let sysconfDir = "/etc"
    public static let localStateDir = "/var"
}
