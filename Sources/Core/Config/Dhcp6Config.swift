/// The validated Dhcp6 configuration: immutable values built by `Dhcp6ConfigDecoder` from Kea's
/// JSON dialect. Kea's key spellings live only in the decoder; names here carry their units.
/// Optional scalars in a subnet mean "inherit" (shared network, then global), as in Kea.
public struct Dhcp6Config: Sendable {
    public var interfaces: Interfaces6Config = Interfaces6Config()
    /// `lease-database`; a memfile's default file is Kea's `kea-leases6.csv`.
    public var leaseDatabase: LeaseDatabaseConfig = LeaseDatabaseConfig()
    public var expiredLeasesProcessing: ExpiredLeasesProcessing = ExpiredLeasesProcessing()
    public var timers: LeaseTimers6 = LeaseTimers6.globalDefaults
    public var declineProbationPeriodSeconds: UInt32 = 86400
    /// `statistic-default-sample-count` and `statistic-default-sample-age` (nil: not set).
    public var statisticDefaultSampleCount: Int64?
    public var statisticDefaultSampleAge: Int64?
    /// Every subnet, those of shared networks included (each names its network).
    public var subnets: [Subnet6] = []
    public var sharedNetworks: [SharedNetwork6] = []
    /// `client-classes`, in configuration order.
    public var clientClasses: [ClientClass6] = []
    /// Global host reservations.
    public var reservations: [Reservation6] = []
    /// `host-reservation-identifiers`, first match wins (Kea 2.4's v6 default: hw-address, duid).
    public var hostReservationIdentifiers: [HostIdentifierType] = HostIdentifierType.defaultOrder6
    public var reservationModes: ReservationModes = .globalDefaults
    public var optionData: [ConfiguredOption6] = []
    /// `OptionTable.dhcp6` plus the configuration's `option-def`s.
    public var optionTable: OptionTable = .dhcp6
    /// `server-id`: how the server's DUID is made.
    public var serverID: ServerIDConfig = ServerIDConfig()
    public var controlSocket: ControlSocketConfig? = nil
    public var loggers: [LoggerConfig] = []
    /// The ddns-* keys and the `dhcp-ddns` map (its `server-ip` in `dhcpDdnsServerIP`).
    public var ddns: DDNSSettings = DDNSSettings()
    /// `dhcp-ddns/server-ip`, either family (Kea's default 127.0.0.1).
    public var dhcpDdnsServerIP: IPAddress = .v4(IPv4Address(127, 0, 0, 1))
    public var hooksLibraries: [HookLibrary] = []
    public var multiThreading: MultiThreadingConfig = MultiThreadingConfig()
    public var hostsDatabases: [HostsDatabaseConfig] = []
    /// Kea 2.4's `compatibility` map for kea-dhcp6 (`lenient-option-parsing` only).
    public var lenientOptionParsing: Bool = false
    /// `sanity-checks`: `lease-checks` (Kea's default "warn"), `extended-info-checks` ("fix").
    public var sanityChecks: SanityChecks = SanityChecks()
    /// Accepted but not acted on, in file order (see `Dhcp4Config.warnings`).
    public var warnings: [ConfigWarning] = []

    public init() {}
}

/// `sanity-checks`: what the lease file loader does with a lease whose subnet does not match.
public struct SanityChecks: Sendable, Equatable {
    public var leaseChecks: String = "warn"
    public var extendedInfoChecks: String = "fix"
    public init() {}
}

public struct Interfaces6Config: Sendable, Equatable {
    /// One entry of `interfaces`: a name, "*" (all), or "name/address" (a unicast address).
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var unicast: IPv6Address?
        public init(name: String, unicast: IPv6Address? = nil) {
            self.name = name
            self.unicast = unicast
        }
        public var isWildcard: Bool { name == "*" }
    }
    public var entries: [Entry] = []
    public var reDetect: Bool = true
    public var serviceSocketsRequireAll: Bool = false
    public var serviceSocketsRetryWaitTimeMilliseconds: UInt32 = 5000
    public var serviceSocketsMaxRetries: UInt32 = 0
    public init() {}
}

/// DHCPv6 timers: the family-neutral ones (valid lifetime, renew/rebind, T1/T2 percentages)
/// and the preferred-lifetime triplet.
public struct LeaseTimers6: Sendable, Equatable {
    public var common: LeaseTimers
    public var preferredLifetimeSeconds: UInt32?
    public var minPreferredLifetimeSeconds: UInt32?
    public var maxPreferredLifetimeSeconds: UInt32?

    public init(common: LeaseTimers = LeaseTimers(), preferredLifetimeSeconds: UInt32? = nil,
                minPreferredLifetimeSeconds: UInt32? = nil, maxPreferredLifetimeSeconds: UInt32? = nil) {
        self.common = common
        self.preferredLifetimeSeconds = preferredLifetimeSeconds
        self.minPreferredLifetimeSeconds = minPreferredLifetimeSeconds
        self.maxPreferredLifetimeSeconds = maxPreferredLifetimeSeconds
    }

    /// Kea 2.4's kea-dhcp6 defaults (`SimpleParser6::GLOBAL6_DEFAULTS`): valid-lifetime 7200,
    /// preferred-lifetime 3600, calculate-tee-times true, t1-percent .5, t2-percent .8.
    public static let globalDefaults = LeaseTimers6(
        common: LeaseTimers(validLifetimeSeconds: 7200, calculateTeeTimes: true, t1Percent: 0.5, t2Percent: 0.8),
        preferredLifetimeSeconds: 3600)

    public func inheriting(from parent: LeaseTimers6) -> LeaseTimers6 {
        LeaseTimers6(
            common: common.inheriting(from: parent.common),
            preferredLifetimeSeconds: preferredLifetimeSeconds ?? parent.preferredLifetimeSeconds,
            minPreferredLifetimeSeconds: minPreferredLifetimeSeconds ?? parent.minPreferredLifetimeSeconds,
            maxPreferredLifetimeSeconds: maxPreferredLifetimeSeconds ?? parent.maxPreferredLifetimeSeconds)
    }
}

/// An address pool ("first - last" or "prefix/len").
public struct Pool6: Sendable, Equatable {
    public var first: IPv6Address
    public var last: IPv6Address
    public var optionData: [ConfiguredOption6] = []
    public var clientClass: String?
    public var requireClientClasses: [String] = []
    public init(first: IPv6Address, last: IPv6Address) {
        precondition(first <= last, "pool bounds reversed")
        self.first = first
        self.last = last
    }
    public func contains(_ a: IPv6Address) -> Bool { a >= first && a <= last }
}

/// A prefix-delegation pool: `prefix`/`prefixLength` cut into prefixes of `delegatedLength`,
/// minus `excludedPrefix` (RFC 6603) when given.
public struct PDPool6: Sendable, Equatable {
    public var prefix: IPv6Prefix
    public var delegatedLength: Int
    public var excludedPrefix: IPv6Prefix?
    public var optionData: [ConfiguredOption6] = []
    public var clientClass: String?
    public var requireClientClasses: [String] = []
    public init(prefix: IPv6Prefix, delegatedLength: Int, excludedPrefix: IPv6Prefix? = nil) {
        self.prefix = prefix
        self.delegatedLength = delegatedLength
        self.excludedPrefix = excludedPrefix
    }
}

/// A subnet. Its many fields live in one shared, copy-on-write box (`CopyOnWriteFields`,
/// reached as `subnet.pools` and so on through dynamic member lookup), so that passing a subnet around
/// the packet path costs one reference count, not one per field; it is still a value: a
/// change to a copy never shows in another.
@dynamicMemberLookup
public struct Subnet6: Sendable, Equatable {
    public struct Fields: Sendable, Equatable {
        public var id: UInt32
        public var prefix: IPv6Prefix
        public var pools: [Pool6] = []
        public var pdPools: [PDPool6] = []
        public var optionData: [ConfiguredOption6] = []
        /// `relay.ip-addresses`: relay link addresses that select this subnet.
        public var relayAddresses: [IPv6Address] = []
        public var interface: String?
        /// `interface-id`: the relay's option 18 value that selects this subnet.
        public var interfaceID: [UInt8]?
        public var rapidCommit: Bool?
        public var timers: LeaseTimers6 = LeaseTimers6()
        public var reservations: [Reservation6] = []
        public var reservationModes: ReservationModes = ReservationModes()
        public var clientClass: String?
        public var requireClientClasses: [String] = []
        /// The subnet's `ddns-*` keys, the shared network's folded in (unset ones are global).
        public var ddns: DDNSScope = DDNSScope()
        /// The index in `Dhcp6Config.sharedNetworks` of the network holding this subnet, if any.
        public var sharedNetwork: Int?
    }
    private var box: CopyOnWriteFields<Fields>

    public init(id: UInt32, prefix: IPv6Prefix) {
        box = CopyOnWriteFields(Fields(id: id, prefix: prefix))
    }

    public subscript<T>(dynamicMember field: WritableKeyPath<Fields, T>) -> T {
        get { box.fields[keyPath: field] }
        _modify { yield &box.fields[keyPath: field] }
    }
}

public struct SharedNetwork6: Sendable, Equatable {
    public var name: String
    public var subnetIDs: [UInt32] = []
    public var optionData: [ConfiguredOption6] = []
    public var interface: String?
    public var interfaceID: [UInt8]?
    public var relayAddresses: [IPv6Address] = []
    public var rapidCommit: Bool?
    public var clientClass: String?
    public var requireClientClasses: [String] = []
    /// The network's `ddns-*` keys (folded into its subnets' `ddns`).
    public var ddns: DDNSScope = DDNSScope()
    public init(name: String) { self.name = name }
}

/// A DHCPv6 host reservation: addresses and delegated prefixes for a client known by its DUID,
/// hardware address or flex-id.
public struct Reservation6: Sendable, Equatable {
    public var identifier: HostIdentifier
    public var addresses: [IPv6Address] = []
    public var prefixes: [IPv6Prefix] = []
    public var hostname: String?
    public var optionData: [ConfiguredOption6] = []
    public var clientClasses: [String] = []
    public init(identifier: HostIdentifier) { self.identifier = identifier }
}

/// A DHCPv6 client class: its `test` (or `template-test`, Kea 2.4's template class) in the
/// DHCPv6 expression language, and what membership gives.
public struct ClientClass6: Sendable, Equatable {
    public var name: String
    /// The test or template test as written.
    public var testText: String?
    public var test: ClassExpression?
    /// `template-test`: a packet whose value is not empty joins this class and
    /// `SPAWN_<name>_<value>`.
    public var templateTest: ClassExpression?
    /// Whether the test depends on KNOWN/UNKNOWN (directly or through another class), so it is
    /// evaluated after the host reservation lookup.
    public var dependsOnKnown: Bool = false
    public var onlyIfRequired: Bool = false
    public var optionData: [ConfiguredOption6] = []
    public var timers: LeaseTimers6 = LeaseTimers6()
    public init(name: String) { self.name = name }
}

/// `server-id`: the server's DUID type and parts (Kea's defaults: LLT, generated, persisted).
public struct ServerIDConfig: Sendable, Equatable {
    public enum DUIDType: String, Sendable, CaseIterable {
        case llt = "LLT", en = "EN", ll = "LL"
    }
    public var type: DUIDType = .llt
    /// `identifier`: the link-layer address (LLT/LL) or the vendor's identifier (EN); empty
    /// means generated.
    public var identifier: [UInt8] = []
    public var time: UInt32 = 0
    public var htype: UInt16 = 0
    public var enterpriseID: UInt32 = 0
    public var persist: Bool = true
    public init() {}
}

extension HostIdentifierType {
    /// The identifier types kea-dhcp6 knows, in Kea's order (`auto` expands to these).
    public static let supported6: [HostIdentifierType] = [.hwAddress, .duid, .flexID]
    /// Kea 2.4's DHCPv6 default `host-reservation-identifiers`.
    public static let defaultOrder6: [HostIdentifierType] = [.hwAddress, .duid]
}
