/// The memfile backend: leases in memory, each change appended to a CSV lease file.
public struct MemfileSettings: Sendable, Equatable {
    /// The lease file's path (`name`); nil: the daemon's default path
    /// (`<localstatedir>/lib/kea/kea-leases4.csv`, `…6.csv`), chosen by the shell.
    public var name: String? = nil
    /// `persist`: false keeps leases in memory only.
    public var persist: Bool = true
    /// `lfc-interval`: seconds between lease file cleanups; nil (Kea's 0): no cleanup.
    public var lfcIntervalSeconds: UInt32? = 3600
    /// `max-row-errors`: rows that may fail to load before start-up fails; nil (Kea's 0):
    /// no limit.
    public var rowErrorsMax: UInt32? = nil
    /// `kakapo-fsync`, a Kakapo extension (Kea rejects the key): true makes each loop turn's
    /// one append to the lease file durable on disk (fdatasync) before any reply of that turn
    /// is sent, so acknowledged leases survive a power loss. False (the default, as Kea):
    /// the append reaches the kernel before the replies, which survives a crash of the
    /// daemon but not of the machine.
    public var fsync: Bool = false

    public init(name: String? = nil, persist: Bool = true, lfcIntervalSeconds: UInt32? = 3600, rowErrorsMax: UInt32? = nil, fsync: Bool = false) {
        self.name = name
        self.persist = persist
        self.lfcIntervalSeconds = lfcIntervalSeconds
        self.rowErrorsMax = rowErrorsMax
        self.fsync = fsync
    }
}
