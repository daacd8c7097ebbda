/// Lease states as Kea stores them in the `state` column.
public enum LeaseState: UInt32, Sendable, Equatable {
    case assigned = 0
    case declined = 1
    case expiredReclaimed = 2
}

/// One DHCPv4 lease, field for field what Kea 2.4's leases4 CSV and lease4 table hold.
public struct Lease4: Sendable, Equatable {
    public var address: IPv4Address
    public var hardwareAddress: HardwareAddress?
    public var clientID: [UInt8]?
    public var validLifetimeSeconds: UInt32
    /// Wall-clock expiry: client last transaction time plus valid lifetime.
    public var expire: WallTime
    public var subnetID: UInt32
    public var fqdnForward: Bool = false
    public var fqdnReverse: Bool = false
    public var hostname: String = ""
    public var state: LeaseState = .assigned
    /// The user_context column, as raw JSON text (empty when none).
    public var userContext: String = ""
    public var poolID: UInt32 = 0

    public init(address: IPv4Address, hardwareAddress: HardwareAddress?, clientID: [UInt8]?,
                validLifetimeSeconds: UInt32, expire: WallTime, subnetID: UInt32) {
        self.address = address
        self.hardwareAddress = hardwareAddress
        self.clientID = clientID
        self.validLifetimeSeconds = validLifetimeSeconds
        self.expire = expire
        self.subnetID = subnetID
    }

    /// Client last transaction time.
    public var cltt: WallTime { expire - Seconds(Int64(validLifetimeSeconds)) }

    public func isExpired(at now: WallTime) -> Bool { expire <= now }

    /// Kea requires an identity on every row except declined ones (whose identity is wiped).
    public var hasIdentity: Bool {
        (hardwareAddress.map { !$0.isEmpty } ?? false) || (clientID.map { !$0.isEmpty } ?? false)
    }

    /// The invariant checked before a write and after a read (STYLE.md "paired assertions").
    public var isWellFormed: Bool { state == .declined || hasIdentity }
}

/// A change to make durable before any reply that depends on it is sent.
public enum LeaseChange<Lease: LeaseRecord>: Sendable, Equatable {
    /// Insert or update (memfile appends the new row; last row wins).
    case upsert(Lease)
    /// Delete (memfile appends the row with valid_lifetime 0, as Kea does).
    case delete(Lease)

    public var lease: Lease {
        switch self {
        case .upsert(let l), .delete(let l): l
        }
    }
}
