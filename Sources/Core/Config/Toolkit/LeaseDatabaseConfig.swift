/// `lease-database`: where a DHCP server keeps its leases, as a typed choice of backend.
///
/// Kea 2.4 accepts `memfile`, `mysql` and `postgresql`. Kakapo decodes all three so that a
/// configuration check accepts what Kea accepts; which backends a daemon can serve is the
/// daemon's decision (kakapo-dhcp4 serves memfile only for now).
public struct LeaseDatabaseConfig: Sendable, Equatable {
    public enum Backend: Sendable, Equatable {
        case memfile(MemfileSettings)
        case mysql(DatabaseConnectionSettings)
        case postgresql(DatabaseConnectionSettings)

        /// Kea's spelling of the backend (the `type` value).
        public var keaName: String {
            switch self {
            case .memfile: return "memfile"
            case .mysql: return "mysql"
            case .postgresql: return "postgresql"
            }
        }
    }

    /// Kea's default: a persistent memfile at the daemon's default path.
    public var backend: Backend = .memfile(MemfileSettings())

    public init(backend: Backend = .memfile(MemfileSettings())) {
        self.backend = backend
    }

    /// The memfile settings, or nil for an SQL backend.
    public var memfile: MemfileSettings? {
        if case .memfile(let settings) = backend { return settings }
        return nil
    }

    /// The connection settings of an SQL backend, or nil for memfile.
    public var connection: DatabaseConnectionSettings? {
        switch backend {
        case .memfile: return nil
        case .mysql(let settings), .postgresql(let settings): return settings
        }
    }

    // Read-only views kept for code written when memfile was the only backend. An SQL
    // backend has no lease file: it reads as not persisted, unnamed, without cleanup.

    /// Kea's `type` value.
    public var type: String { backend.keaName }
    /// The memfile's `persist`; false for an SQL backend.
    public var persist: Bool { memfile?.persist ?? false }
    /// The lease file's path (`name`), nil for the default path or an SQL backend.
    public var name: String? { memfile?.name }
    /// The memfile's `lfc-interval`; 0 when there is no cleanup (or no lease file).
    public var lfcIntervalSeconds: UInt32 { memfile?.lfcIntervalSeconds ?? 0 }
    /// The memfile's `max-row-errors`; 0 when unlimited (or no lease file).
    public var maxRowErrors: UInt32 { memfile?.rowErrorsMax ?? 0 }
    /// The memfile's `kakapo-fsync`; false for an SQL backend.
    public var fsync: Bool { memfile?.fsync ?? false }
}
