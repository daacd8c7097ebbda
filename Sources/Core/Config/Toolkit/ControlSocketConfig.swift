/// `control-socket`: the unix socket a daemon takes commands on.
public struct ControlSocketConfig: Sendable, Equatable {
    /// Kea 2.4's daemons take "unix" only.
    public var socketType: String = "unix"
    /// The socket's path; it fits `sun_path` (at most 107 bytes).
    public var socketName: String
    public init(socketName: String) { self.socketName = socketName }
}
