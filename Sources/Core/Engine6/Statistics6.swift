/// Kea's global DHCPv6 statistics (kea-dhcp6 names). Kept in an array indexed by case, as
/// `GlobalCounter4`: a String raw value was hashed for every counter bump (~9% of the packet
/// path's instructions).
public enum GlobalCounter6: Int, CaseIterable, Sendable {
    case pktReceived, pktSolicitReceived, pktAdvertiseReceived, pktRequestReceived, pktReplyReceived
    case pktRenewReceived, pktRebindReceived, pktReleaseReceived, pktDeclineReceived, pktInfRequestReceived
    case pktUnknownReceived, pktSent, pktAdvertiseSent, pktReplySent, pktParseFailed
    case pktReceiveDrop, allocationFail, declinedAddresses, reclaimedDeclinedAddresses, reclaimedLeases
    case cumulativeAssignedNAs, cumulativeAssignedPDs

    /// Kea's statistic name.
    public var keaName: String {
        switch self {
        case .pktReceived: "pkt6-received"
        case .pktSolicitReceived: "pkt6-solicit-received"
        case .pktAdvertiseReceived: "pkt6-advertise-received"
        case .pktRequestReceived: "pkt6-request-received"
        case .pktReplyReceived: "pkt6-reply-received"
        case .pktRenewReceived: "pkt6-renew-received"
        case .pktRebindReceived: "pkt6-rebind-received"
        case .pktReleaseReceived: "pkt6-release-received"
        case .pktDeclineReceived: "pkt6-decline-received"
        case .pktInfRequestReceived: "pkt6-infrequest-received"
        case .pktUnknownReceived: "pkt6-unknown-received"
        case .pktSent: "pkt6-sent"
        case .pktAdvertiseSent: "pkt6-advertise-sent"
        case .pktReplySent: "pkt6-reply-sent"
        case .pktParseFailed: "pkt6-parse-failed"
        case .pktReceiveDrop: "pkt6-receive-drop"
        case .allocationFail: "v6-allocation-fail"
        case .declinedAddresses: "declined-addresses"
        case .reclaimedDeclinedAddresses: "reclaimed-declined-addresses"
        case .reclaimedLeases: "reclaimed-leases"
        case .cumulativeAssignedNAs: "cumulative-assigned-nas"
        case .cumulativeAssignedPDs: "cumulative-assigned-pds"
        }
    }

    /// The counter with Kea's name `name`.
    public init?(keaName name: String) {
        guard let c = Self.allCases.first(where: { $0.keaName == name }) else { return nil }
        self = c
    }
}

/// Kea's per-subnet DHCPv6 statistics (`subnet[ID].name`), indexed by case likewise.
public enum SubnetCounter6: Int, CaseIterable, Sendable {
    case totalNAs, assignedNAs, totalPDs, assignedPDs, declinedAddresses
    case reclaimedDeclinedAddresses, reclaimedLeases, cumulativeAssignedNAs, cumulativeAssignedPDs, allocationFail

    /// Kea's statistic name.
    public var keaName: String {
        switch self {
        case .totalNAs: "total-nas"
        case .assignedNAs: "assigned-nas"
        case .totalPDs: "total-pds"
        case .assignedPDs: "assigned-pds"
        case .declinedAddresses: "declined-addresses"
        case .reclaimedDeclinedAddresses: "reclaimed-declined-addresses"
        case .reclaimedLeases: "reclaimed-leases"
        case .cumulativeAssignedNAs: "cumulative-assigned-nas"
        case .cumulativeAssignedPDs: "cumulative-assigned-pds"
        case .allocationFail: "v6-allocation-fail"
        }
    }

    /// The counter with Kea's name `name`.
    public init?(keaName name: String) {
        guard let c = Self.allCases.first(where: { $0.keaName == name }) else { return nil }
        self = c
    }
}

/// All DHCPv6 statistics of one server, each a ring of samples (`StatRing`); a statistic
/// never set is not reported.
public struct Statistics6: Sendable {
    var global = [StatRing](repeating: StatRing(), count: GlobalCounter6.allCases.count)
    var subnets: [UInt32: [StatRing]] = [:]
    /// The sample limit of statistics without their own.
    public var defaultLimit: StatLimit

    public init(limit: StatLimit = .keaDefault) { defaultLimit = limit }

    static let noSubnetRings = [StatRing](repeating: StatRing(), count: SubnetCounter6.allCases.count)

    public func value(_ c: GlobalCounter6) -> Int64 { global[c.rawValue].value }
    public func value(_ c: SubnetCounter6, subnet: UInt32) -> Int64 { subnets[subnet]?[c.rawValue].value ?? 0 }

    /// A statistic by Kea's name: "pkt6-received" or "subnet[1].assigned-nas"; nil if unknown.
    public func value(named name: String) -> Int64? {
        if let (id, rest) = StatName.subnet(name) {
            guard let c = SubnetCounter6(keaName: rest) else { return nil }
            return value(c, subnet: id)
        }
        return GlobalCounter6(keaName: name).map(value)
    }

    /// Every statistic with a value and its newest sample, by Kea's name.
    public var samples: [(name: String, sample: StatSample)] { all() }

    mutating func add(_ c: GlobalCounter6, _ delta: Int64 = 1, now: WallTime) {
        global[c.rawValue].add(delta, at: now, defaultLimit: defaultLimit)
    }

    mutating func add(_ c: SubnetCounter6, subnet: UInt32, _ delta: Int64 = 1, now: WallTime) {
        subnets[subnet, default: Self.noSubnetRings][c.rawValue].add(delta, at: now, defaultLimit: defaultLimit)
    }

    mutating func set(_ c: SubnetCounter6, subnet: UInt32, _ value: Int64, now: WallTime) {
        subnets[subnet, default: Self.noSubnetRings][c.rawValue].record(value, at: now, defaultLimit: defaultLimit)
    }

    mutating func set(_ c: GlobalCounter6, _ value: Int64, now: WallTime) {
        global[c.rawValue].record(value, at: now, defaultLimit: defaultLimit)
    }

    /// Every global counter not yet set starts at 0, as kea-dhcp6 creates them at start-up.
    mutating func startGlobals(now: WallTime) {
        for i in global.indices where !global[i].isPresent { global[i].record(0, at: now, defaultLimit: defaultLimit) }
    }

    /// The per-subnet counters Kea creates with the subnet's configuration start at 0.
    mutating func start(subnet: UInt32, now: WallTime) {
        for c in [SubnetCounter6.cumulativeAssignedNAs, .cumulativeAssignedPDs, .reclaimedDeclinedAddresses, .reclaimedLeases]
        where subnets[subnet]?[c.rawValue].isPresent != true {
            set(c, subnet: subnet, 0, now: now)
        }
    }
}

extension Statistics6: StatisticsReport {
    public func forEachStatistic(_ body: (String, StatRing) -> Void) {
        for c in GlobalCounter6.allCases where global[c.rawValue].isPresent { body(c.keaName, global[c.rawValue]) }
        for (id, rings) in subnets {
            for c in SubnetCounter6.allCases where rings[c.rawValue].isPresent { body("subnet[\(id)].\(c.keaName)", rings[c.rawValue]) }
        }
    }

    public func ring(named name: String) -> StatRing? {
        if let (id, rest) = StatName.subnet(name) {
            guard let c = SubnetCounter6(keaName: rest), let r = subnets[id]?[c.rawValue], r.isPresent else { return nil }
            return r
        }
        guard let c = GlobalCounter6(keaName: name), global[c.rawValue].isPresent else { return nil }
        return global[c.rawValue]
    }

    public mutating func modifyRing(named name: String, _ body: (inout StatRing) -> Void) -> Bool {
        if let (id, rest) = StatName.subnet(name) {
            guard let c = SubnetCounter6(keaName: rest), subnets[id]?[c.rawValue].isPresent == true else { return false }
            body(&subnets[id]![c.rawValue])
            return true
        }
        guard let c = GlobalCounter6(keaName: name), global[c.rawValue].isPresent else { return false }
        body(&global[c.rawValue])
        return true
    }

    public mutating func modifyAllRings(_ body: (inout StatRing) -> Void) {
        for i in global.indices { body(&global[i]) }
        for id in subnets.keys {
            for i in SubnetCounter6.allCases.indices { body(&subnets[id]![i]) }
        }
    }
}
