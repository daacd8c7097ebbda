/// What a DHCPv6 lease holds: Kea's `lease_type` column (RFC 8415 IA_NA, IA_TA, IA_PD).
public enum LeaseType6: UInt8, Sendable, Equatable, Hashable, Comparable {
    /// An address from an IA_NA (Kea's TYPE_NA, 0).
    case nonTemporaryAddress = 0
    /// An address from an IA_TA (Kea's TYPE_TA, 1).
    case temporaryAddress = 1
    /// A delegated prefix from an IA_PD (Kea's TYPE_PD, 2).
    case delegatedPrefix = 2

    public static func < (a: LeaseType6, b: LeaseType6) -> Bool { a.rawValue < b.rawValue }
}

/// Where the server learnt a DHCPv6 client's hardware address: Kea's `hwaddr_source` column,
/// a bit each (HWAddr::HWADDR_SOURCE_*). Kea writes exactly one bit, or 0 when unknown.
public struct HardwareAddressSource: OptionSet, Sendable, Hashable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// 0: not known (also Kea's default for rows older than schema 4.0).
    public static let unknown: HardwareAddressSource = []
    /// The link-layer source of the packet.
    public static let raw = HardwareAddressSource(rawValue: 0x0001)
    /// Taken from a DUID-LL or DUID-LLT.
    public static let duid = HardwareAddressSource(rawValue: 0x0002)
    /// Derived from an EUI-64 link-local source address.
    public static let ipv6LinkLocal = HardwareAddressSource(rawValue: 0x0004)
    /// RFC 6939 client link-layer address option from a relay.
    public static let clientAddressRelayOption = HardwareAddressSource(rawValue: 0x0008)
    /// RFC 4649 remote-id.
    public static let remoteID = HardwareAddressSource(rawValue: 0x0010)
    /// RFC 4580 subscriber-id.
    public static let subscriberID = HardwareAddressSource(rawValue: 0x0020)
    /// DOCSIS CMTS suboption.
    public static let docsisCMTS = HardwareAddressSource(rawValue: 0x0040)
    /// DOCSIS cable modem suboption.
    public static let docsisModem = HardwareAddressSource(rawValue: 0x0080)
}

/// One DHCPv6 lease, field for field what Kea 2.4's leases6 CSV (schema 5.0) holds. For a
/// delegated prefix, `address` is the prefix's first address and `prefixLength` its length;
/// for an address, `prefixLength` is 128.
public struct Lease6: Sendable, Equatable {
    /// The `address` column: the address, or the delegated prefix's network address.
    public var address: IPv6Address
    /// The client's DUID. A declined lease keeps Kea's empty DUID, `Lease6.emptyDUID`.
    public var duid: [UInt8]
    public var validLifetimeSeconds: UInt32
    /// Wall-clock expiry: client last transaction time plus valid lifetime.
    public var expire: WallTime
    public var subnetID: UInt32
    public var preferredLifetimeSeconds: UInt32
    public var type: LeaseType6
    /// The identity association the lease belongs to.
    public var iaid: UInt32
    /// 128 for addresses; the delegated prefix's length (1...128) for a prefix.
    public var prefixLength: UInt8
    public var fqdnForward: Bool = false
    public var fqdnReverse: Bool = false
    public var hostname: String = ""
    /// The `hwaddr` column with its `hwtype` (the address's `type`); nil when not known.
    public var hardwareAddress: HardwareAddress? = nil
    /// The `hwaddr_source` column (written only with a hardware address, as Kea does).
    public var hardwareAddressSource: HardwareAddressSource = .unknown
    public var state: LeaseState = .assigned
    /// The user_context column, as raw JSON text (empty when none).
    public var userContext: String = ""
    public var poolID: UInt32 = 0

    /// Kea's `DUID::EMPTY()`: one zero byte, written as "00" for declined leases.
    public static let emptyDUID: [UInt8] = [0]

    public init(type: LeaseType6, address: IPv6Address, prefixLength: UInt8 = 128, duid: [UInt8], iaid: UInt32,
                preferredLifetimeSeconds: UInt32, validLifetimeSeconds: UInt32, expire: WallTime, subnetID: UInt32) {
        self.type = type
        self.address = address
        self.prefixLength = prefixLength
        self.duid = duid
        self.iaid = iaid
        self.preferredLifetimeSeconds = preferredLifetimeSeconds
        self.validLifetimeSeconds = validLifetimeSeconds
        self.expire = expire
        self.subnetID = subnetID
    }

    /// Client last transaction time.
    public var cltt: WallTime { expire - Seconds(Int64(validLifetimeSeconds)) }

    public func isExpired(at now: WallTime) -> Bool { expire <= now }

    /// The delegated prefix (or the /128 of an address).
    public var prefix: IPv6Prefix { IPv6Prefix(network: address, length: Int(prefixLength)) }

    /// Kea requires a DUID other than the empty one on every row except declined ones.
    public var hasIdentity: Bool { !duid.isEmpty && duid != Lease6.emptyDUID }

    /// Addresses are /128; a prefix is 1...128 long.
    public var hasValidPrefixLength: Bool {
        switch type {
        case .nonTemporaryAddress, .temporaryAddress: prefixLength == 128
        case .delegatedPrefix: (1...128).contains(prefixLength)
        }
    }

    /// The invariant checked before a write and after a read (STYLE.md "paired assertions").
    public var isWellFormed: Bool { (state == .declined || hasIdentity) && hasValidPrefixLength }
}

extension Lease6: LeaseRecord {
    /// The same row version: owner, kind, state, expiry and lifetime.
    public func sameVersion(as other: Lease6) -> Bool {
        address == other.address && type == other.type && prefixLength == other.prefixLength
            && expire == other.expire && state == other.state
            && validLifetimeSeconds == other.validLifetimeSeconds
            && duid == other.duid && iaid == other.iaid
    }
}

public typealias LeaseChange6 = LeaseChange<Lease6>
public typealias LeaseWrite6 = LeaseWrite<Lease6>
public typealias WriteOutcome6 = WriteOutcome<Lease6>
