import Glibc

/// Install locations, in the spirit of Kea's --sysconfdir / --localstatedir, resolved when the
/// process starts rather than written into the sources at install time:
///
/// 1. `KAKAPO_SYSCONFDIR` / `KAKAPO_LOCALSTATEDIR`, when set and not empty, win (each on its own);
/// 2. else the running executable's location decides: a binary in `<prefix>/sbin` or
///    `<prefix>/bin` uses `<prefix>/etc` and `<prefix>/var`, except that prefix `/usr` (and `/`)
///    uses `/etc` and `/var`, as the FHS and distribution packages of Kea do;
/// 3. else (a binary run from a build directory such as `.build/debug`) `/etc` and `/var`.
///
/// `make install PREFIX=...` puts files where this rule looks for them.
public enum BuildPaths {
    public struct Locations: Equatable, Sendable {
        public var sysconfDir: String
        public var localStateDir: String

        public init(sysconfDir: String, localStateDir: String) {
            self.sysconfDir = sysconfDir
            self.localStateDir = localStateDir
        }
    }

    /// The environment variables that override the derived locations.
    public static let sysconfVariable = "KAKAPO_SYSCONFDIR"
    public static let localStateVariable = "KAKAPO_LOCALSTATEDIR"

    /// What a binary outside any `bin`/`sbin` directory (a build directory) uses.
    public static let defaults = Locations(sysconfDir: "/etc", localStateDir: "/var")

    public static var sysconfDir: String { current.sysconfDir }
    public static var localStateDir: String { current.localStateDir }

    /// Resolved once, on first use, from this process's executable and environment.
    public static let current: Locations = resolve(
        executable: runningExecutable(),
        environment: [sysconfVariable, localStateVariable].reduce(into: [:]) { env, name in
            if let value = getenv(name) { env[name] = String(cString: value) }
        })

    /// The rule, as a pure function of the executable's absolute path (nil when unknown) and the
    /// environment.
    public static func resolve(executable: String?, environment: [String: String]) -> Locations {
        var result = executable.flatMap(derived(fromExecutable:)) ?? defaults
        if let dir = environment[sysconfVariable], !dir.isEmpty { result.sysconfDir = trimmed(dir) }
        if let dir = environment[localStateVariable], !dir.isEmpty { result.localStateDir = trimmed(dir) }
        return result
    }

    /// `<prefix>/sbin/x` or `<prefix>/bin/x` gives the prefix's locations; anything else nil.
    static func derived(fromExecutable path: String) -> Locations? {
        var parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard path.hasPrefix("/"), parts.count >= 2 else { return nil }
        parts.removeLast()                                  // the executable's own name
        guard let dir = parts.popLast(), dir == "sbin" || dir == "bin" else { return nil }
        let prefix = parts.isEmpty ? "" : "/" + parts.joined(separator: "/")
        if prefix == "" || prefix == "/usr" { return defaults }
        return Locations(sysconfDir: prefix + "/etc", localStateDir: prefix + "/var")
    }

    private static func trimmed(_ dir: String) -> String {
        var dir = Substring(dir)
        while dir.count > 1, dir.hasSuffix("/") { dir = dir.dropLast() }
        return String(dir)
    }

    /// Where one of the suite's data folders is (`name`: "pgsql", "dashboard"), found from the
    /// executable's directory upwards: the first `<dir>/share/kakapo/<name>` holding `marker`
    /// (an installed `<prefix>/sbin/...`, from `make install`) or `<dir>/share/<name>` holding it
    /// beside a `Package.swift` (a binary in `<source>/.build/...`). The file system is asked
    /// through `exists`, so the rule is testable; nil when neither is found.
    public static func shareFolder(_ name: String, marker: String, executable: String?,
                                   exists: (String) -> Bool) -> String? {
        guard let exe = executable, exe.hasPrefix("/") else { return nil }
        var parts = exe.split(separator: "/").map(String.init)
        parts.removeLast()
        while !parts.isEmpty {
            let dir = "/" + parts.joined(separator: "/")
            if exists("\(dir)/share/kakapo/\(name)/\(marker)") { return "\(dir)/share/kakapo/\(name)" }
            if exists(dir + "/Package.swift"), exists("\(dir)/share/\(name)/\(marker)") { return "\(dir)/share/\(name)" }
            parts.removeLast()
        }
        return nil
    }

    /// `/proc/self/exe`'s target (symbolic links already resolved by the kernel), nil if unreadable.
    public static func runningExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let bytes = buffer[..<n].map { UInt8(bitPattern: $0) }
        var path = String(decoding: bytes, as: UTF8.self)
        // A binary replaced on disk while running reads as "<path> (deleted)".
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        return path
    }
}
