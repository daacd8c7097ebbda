/// The validated Dhcp4 configuration: immutable values built by `Dhcp4ConfigDecoder` from Kea's
/// JSON dialect. Kea's key spellings live only in the decoder; here names carry their units.
/// Optional scalars in a subnet mean "inherit from global", as in Kea.
public struct Dhcp4Config: Sendable {
    public var interfaces: InterfacesConfig = InterfacesConfig()
    public var leaseDatabase: LeaseDatabaseConfig = LeaseDatabaseConfig()
    public var expiredLeasesProcessing: ExpiredLeasesProcessing = ExpiredLeasesProcessing()
    public var timers: LeaseTimers = LeaseTimers.globalDefaults
    public var authoritative: Bool = false
    public var matchClientID: Bool = true
    public var echoClientID: Bool = true
    public var declineProbationPeriodSeconds: UInt32 = 86400
    /// `statistic-default-sample-count` and `statistic-default-sample-age` (nil: not set).
    public var statisticDefaultSampleCount: Int64?
    public var statisticDefaultSampleAge: Int64?
    public var bootFields: BootFields = BootFields()
    public var subnets: [Subnet4] = []
    /// `shared-networks`; their subnets are in `subnets` too, each naming its network.
    public var sharedNetworks: [SharedNetwork4] = []
    /// `client-classes`, in configuration order (the order they are evaluated in).
    public var clientClasses: [ClientClass4] = []
    /// Global host reservations (`reservations` at the top level of Dhcp4).
    public var reservations: [Reservation4] = []
    /// `host-reservation-identifiers`: which identifiers find a reservation, first match wins.
    public var hostReservationIdentifiers: [HostIdentifierType] = HostIdentifierType.defaultOrder4
    /// The global `reservations-global`, `-in-subnet`, `-out-of-pool` (always all set).
    public var reservationModes: ReservationModes = .globalDefaults
    /// `early-global-reservations-lookup`: global reservations are looked up before the
    /// subnet is selected (it matters for classes reservations assign, which Kakapo lacks).
    public var earlyGlobalReservationsLookup: Bool = false
    public var optionData: [ConfiguredOption] = []
    /// The option definitions the configuration uses: `OptionTable.dhcp4` plus its `option-def`s.
    public var optionTable: OptionTable = .dhcp4
    public var controlSocket: ControlSocketConfig? = nil
    public var loggers: [LoggerConfig] = []
    /// The global ddns-* keys and the dhcp-ddns map.
    public var ddns: DDNSSettings = DDNSSettings()
    /// Built-in hook switches named by `hooks-libraries` (library basename and its parameters).
    public var hooksLibraries: [HookLibrary] = []
    /// What the built-in hooks named in `hooksLibraries` do, decoded from their parameters.
    public var builtInHooks: BuiltInHooks4 = BuiltInHooks4()
    /// Global `allocator`, `cache-threshold`, `cache-max-age`.
    public var allocation: AllocationSettings = AllocationSettings(allocator: .iterative)
    /// `multi-threading`, decoded and validated; the daemon shell runs its packet workers from it.
    public var multiThreading: MultiThreadingConfig = MultiThreadingConfig()
    /// `hosts-database` or `hosts-databases`, decoded and validated; not used yet.
    public var hostsDatabases: [HostsDatabaseConfig] = []
    /// Kea 2.4's `compatibility` map.
    public var compatibility: Compatibility4 = Compatibility4()
    /// What the decoder accepted but the daemon does not act on (Kea keys Kakapo sets aside,
    /// keys decoded but not used yet), in file order, so the daemon logs one line for each.
    public var warnings: [ConfigWarning] = []

    public init() {}

    /// The Kea keys set aside entirely (the `.ignoredKey` warnings), as earlier code saw them.
    public var ignoredKeys: [IgnoredKey] {
        warnings.compactMap { warning in
            guard warning.code == .ignoredKey, let key = warning.key else { return nil }
            return IgnoredKey(path: key, position: warning.position)
        }
    }
}

/// Kea 2.4's `compatibility` flags: departures from the RFCs for clients and relays that need
/// them. All are off by default.
public struct Compatibility4: Sendable, Equatable {
    /// `lenient-option-parsing`: tolerate some malformed options (Kea: a bad FQDN option).
    public var lenientOptionParsing: Bool = false
    /// `ignore-dhcp-server-identifier`: treat every server identifier (option 54) as this
    /// server's, so no message is dropped for naming another server.
    public var ignoreDHCPServerIdentifier: Bool = false
    /// `ignore-rai-link-selection`: subnet selection skips option 82's link-selection sub-option.
    public var ignoreRAILinkSelection: Bool = false
    /// `exclude-first-last-24`: in subnets of prefix length 24 or shorter, the free-address walk
    /// skips addresses ending in .0 or .255 (a requested or reserved one is still granted).
    public var excludeFirstLast24: Bool = false
    public init() {}
}

/// A Kea key the decoder set aside (an `.ignoredKey` warning), by path and position.
public struct IgnoredKey: Sendable, Equatable {
    public var path: String
    public var position: SourcePosition
    public init(path: String, position: SourcePosition) {
        self.path = path
        self.position = position
    }
}

public struct InterfacesConfig: Sendable, Equatable {
    public enum SocketType: String, Sendable { case raw, udp }
    public enum OutboundInterface: String, Sendable { case sameAsInbound = "same-as-inbound", useRouting = "use-routing" }
    /// One entry of `interfaces`: a name, "*" (all), or "name/address".
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var address: IPv4Address?
        public init(name: String, address: IPv4Address? = nil) {
            self.name = name
            self.address = address
        }
        public var isWildcard: Bool { name == "*" }
    }
    public var entries: [Entry] = []
    public var socketType: SocketType = .raw
    public var outboundInterface: OutboundInterface = .sameAsInbound
    public var reDetect: Bool = true
    /// `service-sockets-require-all`: fail start-up unless every socket opens.
    public var serviceSocketsRequireAll: Bool = false
    /// `service-sockets-retry-wait-time` (Kea's default 5000 ms).
    public var serviceSocketsRetryWaitTimeMilliseconds: UInt32 = 5000
    /// `service-sockets-max-retries`: 0 means no retry.
    public var serviceSocketsMaxRetries: UInt32 = 0
    public init() {}
}

public struct ExpiredLeasesProcessing: Sendable, Equatable {
    public var reclaimTimerWaitTimeSeconds: UInt32 = 10
    public var flushReclaimedTimerWaitTimeSeconds: UInt32 = 25
    public var holdReclaimedTimeSeconds: UInt32 = 3600
    public var reclaimLeasesPerCycleMax: UInt32 = 100
    public var reclaimCycleMillisecondsMax: UInt32 = 250
    public var unwarnedReclaimCycles: UInt32 = 5
    public init() {}
}

/// Lifetime and renew/rebind settings; at subnet level every field is optional (inherit).
public struct LeaseTimers: Sendable, Equatable {
    public var renewTimerSeconds: UInt32?
    public var rebindTimerSeconds: UInt32?
    public var validLifetimeSeconds: UInt32?
    public var minValidLifetimeSeconds: UInt32?
    public var maxValidLifetimeSeconds: UInt32?
    public var calculateTeeTimes: Bool?
    public var t1Percent: Double?
    public var t2Percent: Double?

    public init(renewTimerSeconds: UInt32? = nil, rebindTimerSeconds: UInt32? = nil,
                validLifetimeSeconds: UInt32? = nil, minValidLifetimeSeconds: UInt32? = nil,
                maxValidLifetimeSeconds: UInt32? = nil, calculateTeeTimes: Bool? = nil,
                t1Percent: Double? = nil, t2Percent: Double? = nil) {
        self.renewTimerSeconds = renewTimerSeconds
        self.rebindTimerSeconds = rebindTimerSeconds
        self.validLifetimeSeconds = validLifetimeSeconds
        self.minValidLifetimeSeconds = minValidLifetimeSeconds
        self.maxValidLifetimeSeconds = maxValidLifetimeSeconds
        self.calculateTeeTimes = calculateTeeTimes
        self.t1Percent = t1Percent
        self.t2Percent = t2Percent
    }

    /// Kea 2.4's global defaults (valid-lifetime 7200, calculate-tee-times false, .5/.875).
    public static let globalDefaults = LeaseTimers(
        validLifetimeSeconds: 7200, calculateTeeTimes: false, t1Percent: 0.5, t2Percent: 0.875)

    /// Fields set here win; unset fields come from `parent`.
    public func inheriting(from parent: LeaseTimers) -> LeaseTimers {
        LeaseTimers(
            renewTimerSeconds: renewTimerSeconds ?? parent.renewTimerSeconds,
            rebindTimerSeconds: rebindTimerSeconds ?? parent.rebindTimerSeconds,
            validLifetimeSeconds: validLifetimeSeconds ?? parent.validLifetimeSeconds,
            minValidLifetimeSeconds: minValidLifetimeSeconds ?? parent.minValidLifetimeSeconds,
            maxValidLifetimeSeconds: maxValidLifetimeSeconds ?? parent.maxValidLifetimeSeconds,
            calculateTeeTimes: calculateTeeTimes ?? parent.calculateTeeTimes,
            t1Percent: t1Percent ?? parent.t1Percent,
            t2Percent: t2Percent ?? parent.t2Percent)
    }
}

/// BOOTP header fields a server can fill (siaddr, sname, file).
public struct BootFields: Sendable, Equatable {
    public var nextServer: IPv4Address?
    public var serverHostname: String?
    public var bootFileName: String?
    public init(nextServer: IPv4Address? = nil, serverHostname: String? = nil, bootFileName: String? = nil) {
        self.nextServer = nextServer
        self.serverHostname = serverHostname
        self.bootFileName = bootFileName
    }
    public func inheriting(from parent: BootFields) -> BootFields {
        BootFields(nextServer: nextServer ?? parent.nextServer,
                   serverHostname: serverHostname ?? parent.serverHostname,
                   bootFileName: bootFileName ?? parent.bootFileName)
    }
}

public struct Pool4: Sendable, Equatable {
    public var first: IPv4Address
    public var last: IPv4Address
    public var poolID: UInt32 = 0
    public var optionData: [ConfiguredOption] = []
    /// `client-class`: only clients of this class get addresses from the pool.
    public var clientClass: String?
    public var requireClientClasses: [String] = []
    public init(first: IPv4Address, last: IPv4Address, poolID: UInt32 = 0, optionData: [ConfiguredOption] = []) {
        precondition(first <= last, "pool bounds reversed")
        self.first = first
        self.last = last
        self.poolID = poolID
        self.optionData = optionData
    }
    public var size: UInt64 { UInt64(last.value - first.value) + 1 }
    public func contains(_ a: IPv4Address) -> Bool { a >= first && a <= last }
}

/// A subnet. Its many fields live in one shared, copy-on-write box (`CopyOnWriteFields`,
/// reached as `subnet.pools` and so on through dynamic member lookup), so that passing a
/// subnet around the packet path (every exchange holds one) costs one reference count, not one
/// per field; it is still a value: a change to a copy never shows in another.
@dynamicMemberLookup
public struct Subnet4: Sendable, Equatable {
    public struct Fields: Sendable, Equatable {
        public var id: UInt32
        public var prefix: IPv4Prefix
        public var pools: [Pool4] = []
        public var optionData: [ConfiguredOption] = []
        /// `relay.ip-addresses`: giaddrs that select this subnet.
        public var relayAddresses: [IPv4Address] = []
        public var interface: String?
        public var timers: LeaseTimers = LeaseTimers()
        public var authoritative: Bool?
        public var matchClientID: Bool?
        public var bootFields: BootFields = BootFields()
        /// Host reservations of this subnet (`reservations`).
        public var reservations: [Reservation4] = []
        /// `reservations-global`, `-in-subnet`, `-out-of-pool` set on this subnet.
        public var reservationModes: ReservationModes = ReservationModes()
        /// `client-class`: only clients of this class may use the subnet.
        public var clientClass: String?
        public var requireClientClasses: [String] = []
        /// The index in `Dhcp4Config.sharedNetworks` of the network holding this subnet, if any.
        public var sharedNetwork: Int?
        /// `allocator`, `cache-threshold`, `cache-max-age` set on this subnet.
        public var allocation: AllocationSettings = AllocationSettings()
        /// The `ddns-*` keys set on this subnet or its shared network (the global ones apply
        /// under them, in `DDNSParameters`).
        public var ddns: DDNSScope = DDNSScope()
    }
    private var box: CopyOnWriteFields<Fields>

    public init(id: UInt32, prefix: IPv4Prefix) {
        box = CopyOnWriteFields(Fields(id: id, prefix: prefix))
    }

    public subscript<T>(dynamicMember field: WritableKeyPath<Fields, T>) -> T {
        get { box.fields[keyPath: field] }
        _modify { yield &box.fields[keyPath: field] }
    }
}

/// A host reservation: a client known by one identifier (hardware address, DUID, circuit-id
/// or client id) gets a fixed address (in or out of the pools), a host name, options and boot
/// fields.
public struct Reservation4: Sendable, Equatable {
    public var identifier: HostIdentifier
    public var address: IPv4Address?
    public var hostname: String?
    public var optionData: [ConfiguredOption] = []
    public var bootFields: BootFields = BootFields()
    /// `client-classes`: classes the client joins when this reservation is found.
    public var clientClasses: [String] = []
    public init(identifier: HostIdentifier, address: IPv4Address? = nil, hostname: String? = nil) {
        self.identifier = identifier
        self.address = address
        self.hostname = hostname
    }

    /// The reserved hardware address, for a reservation by `hw-address`.
    public var hardwareAddress: HardwareAddress? {
        if case .hwAddress(let h) = identifier { return h }
        return nil
    }

    /// The reserved client identifier, for a reservation by `client-id`.
    public var clientID: [UInt8]? {
        if case .clientID(let c) = identifier { return c }
        return nil
    }
}

/// Where the server looks for a client's reservation (Kea's `reservations-global`,
/// `reservations-in-subnet`, `reservations-out-of-pool`); at subnet level nil inherits.
public struct ReservationModes: Sendable, Equatable {
    public var global: Bool?
    public var inSubnet: Bool?
    public var outOfPool: Bool?
    public init(global: Bool? = nil, inSubnet: Bool? = nil, outOfPool: Bool? = nil) {
        self.global = global
        self.inSubnet = inSubnet
        self.outOfPool = outOfPool
    }

    /// Kea 2.4's defaults: subnet reservations only, which may be in the pools.
    public static let globalDefaults = ReservationModes(global: false, inSubnet: true, outOfPool: false)

    public func inheriting(from parent: ReservationModes) -> ReservationModes {
        ReservationModes(global: global ?? parent.global, inSubnet: inSubnet ?? parent.inSubnet,
                         outOfPool: outOfPool ?? parent.outOfPool)
    }
}

/// The global DDNS keys of Dhcp4 and the `dhcp-ddns` map (subnets and shared networks may
/// set the per-scope keys again: `DDNSScope`, `DDNSParameters`).
public struct DDNSSettings: Sendable, Equatable {
    public var sendUpdates: Bool = true
    public var qualifyingSuffix: String = ""
    public var overrideNoUpdate: Bool = false
    public var overrideClientUpdate: Bool = false
    public var replaceClientName: String = "never"
    public var generatedPrefix: String = "myhost"
    public var updateOnRenew: Bool = false
    public var useConflictResolution: Bool = true
    public var ttlPercent: Double? = nil
    public var hostnameCharSet: String = "[^A-Za-z0-9.-]"
    public var hostnameCharReplacement: String = ""
    public var enableUpdates: Bool = false
    public var serverIP: IPv4Address = IPv4Address(127, 0, 0, 1)
    public var serverPort: UInt16 = 53001
    public var senderIP: String = ""
    public var senderPort: UInt16 = 0
    public var maxQueueSize: UInt32 = 1024
    public var ncrProtocol: String = "UDP"
    public var ncrFormat: String = "JSON"
    public init() {}
}
