/// Kea's global DHCPv4 counters. Kept in an array indexed by case so the packet path does no
/// string hashing; names are produced only when the control channel asks.
public enum GlobalCounter4: Int, CaseIterable, Sendable {
    case pktReceived, pktDiscoverReceived, pktOfferReceived, pktRequestReceived, pktAckReceived
    case pktNakReceived, pktReleaseReceived, pktDeclineReceived, pktInformReceived, pktUnknownReceived
    case pktSent, pktOfferSent, pktAckSent, pktNakSent, pktParseFailed, pktReceiveDrop
    case allocationFail, allocationFailSharedNetwork, allocationFailSubnet, allocationFailNoPools
    case allocationFailClasses, reservationConflicts, leaseReuses, cumulativeAssignedAddresses
    case declinedAddresses, reclaimedDeclinedAddresses, reclaimedLeases

    /// Kea's statistic name.
    public var keaName: String {
        switch self {
        case .pktReceived: "pkt4-received"
        case .pktDiscoverReceived: "pkt4-discover-received"
        case .pktOfferReceived: "pkt4-offer-received"
        case .pktRequestReceived: "pkt4-request-received"
        case .pktAckReceived: "pkt4-ack-received"
        case .pktNakReceived: "pkt4-nak-received"
        case .pktReleaseReceived: "pkt4-release-received"
        case .pktDeclineReceived: "pkt4-decline-received"
        case .pktInformReceived: "pkt4-inform-received"
        case .pktUnknownReceived: "pkt4-unknown-received"
        case .pktSent: "pkt4-sent"
        case .pktOfferSent: "pkt4-offer-sent"
        case .pktAckSent: "pkt4-ack-sent"
        case .pktNakSent: "pkt4-nak-sent"
        case .pktParseFailed: "pkt4-parse-failed"
        case .pktReceiveDrop: "pkt4-receive-drop"
        case .allocationFail: "v4-allocation-fail"
        case .allocationFailSharedNetwork: "v4-allocation-fail-shared-network"
        case .allocationFailSubnet: "v4-allocation-fail-subnet"
        case .allocationFailNoPools: "v4-allocation-fail-no-pools"
        case .allocationFailClasses: "v4-allocation-fail-classes"
        case .reservationConflicts: "v4-reservation-conflicts"
        case .leaseReuses: "v4-lease-reuses"
        case .cumulativeAssignedAddresses: "cumulative-assigned-addresses"
        case .declinedAddresses: "declined-addresses"
        case .reclaimedDeclinedAddresses: "reclaimed-declined-addresses"
        case .reclaimedLeases: "reclaimed-leases"
        }
    }
}

/// Kea's per-subnet counters (`subnet[ID].name`).
public enum SubnetCounter4: Int, CaseIterable, Sendable {
    case totalAddresses, assignedAddresses, cumulativeAssignedAddresses, declinedAddresses
    case reclaimedDeclinedAddresses, reclaimedLeases, allocationFail, allocationFailSharedNetwork
    case allocationFailSubnet, allocationFailNoPools, allocationFailClasses, reservationConflicts, leaseReuses

    public var keaName: String {
        switch self {
        case .totalAddresses: "total-addresses"
        case .assignedAddresses: "assigned-addresses"
        case .cumulativeAssignedAddresses: "cumulative-assigned-addresses"
        case .declinedAddresses: "declined-addresses"
        case .reclaimedDeclinedAddresses: "reclaimed-declined-addresses"
        case .reclaimedLeases: "reclaimed-leases"
        case .allocationFail: "v4-allocation-fail"
        case .allocationFailSharedNetwork: "v4-allocation-fail-shared-network"
        case .allocationFailSubnet: "v4-allocation-fail-subnet"
        case .allocationFailNoPools: "v4-allocation-fail-no-pools"
        case .allocationFailClasses: "v4-allocation-fail-classes"
        case .reservationConflicts: "v4-reservation-conflicts"
        case .leaseReuses: "v4-lease-reuses"
        }
    }
}

/// All DHCPv4 statistics of one server, each a ring of samples (`StatRing`).
public struct Statistics4: Sendable {
    var global: [StatRing]
    var subnets: [UInt32: [StatRing]] = [:]
    /// The sample limit of statistics without their own.
    public var defaultLimit: StatLimit

    public init(now: WallTime, limit: StatLimit = .keaDefault) {
        defaultLimit = limit
        global = Array(repeating: StatRing(value: 0, at: now), count: GlobalCounter4.allCases.count)
    }

    @inline(__always)
    public mutating func add(_ c: GlobalCounter4, _ n: Int64 = 1, now: WallTime) {
        global[c.rawValue].add(n, at: now, defaultLimit: defaultLimit)
    }

    /// The subnet's statistics exist from its first update, all at 0.
    /// The gauges `Dhcp4Engine.recountStatistics` sets; they have no sample until then.
    static let gauges: [SubnetCounter4] = [.totalAddresses, .assignedAddresses, .declinedAddresses]

    /// The subnet's counters exist from its first update, at 0, and its gauges from their
    /// first setting (one sample each, as Kea's configuration makes them).
    mutating func ensure(subnet: UInt32, now: WallTime) {
        guard subnets[subnet] == nil else { return }
        var rings = Array(repeating: StatRing(value: 0, at: now), count: SubnetCounter4.allCases.count)
        for g in Self.gauges { rings[g.rawValue] = StatRing() }
        subnets[subnet] = rings
    }

    public mutating func add(_ c: SubnetCounter4, subnet: UInt32, _ n: Int64 = 1, now: WallTime) {
        ensure(subnet: subnet, now: now)
        subnets[subnet]![c.rawValue].add(n, at: now, defaultLimit: defaultLimit)
    }

    /// Takes back `n` counted for a proposal that did not become durable, never below zero
    /// (statistic-reset-all may have zeroed the counter in between).
    mutating func takeBack(_ c: GlobalCounter4, _ n: Int64 = 1, now: WallTime) {
        add(c, -min(n, global[c.rawValue].value), now: now)
    }

    mutating func takeBack(_ c: SubnetCounter4, subnet: UInt32, _ n: Int64 = 1, now: WallTime) {
        add(c, subnet: subnet, -min(n, value(c, subnet: subnet)), now: now)
    }

    public mutating func set(_ c: SubnetCounter4, subnet: UInt32, _ v: Int64, now: WallTime) {
        ensure(subnet: subnet, now: now)
        subnets[subnet]![c.rawValue].record(v, at: now, defaultLimit: defaultLimit)
    }

    public func value(_ c: GlobalCounter4) -> Int64 { global[c.rawValue].value }
    public func value(_ c: SubnetCounter4, subnet: UInt32) -> Int64 { subnets[subnet]?[c.rawValue].value ?? 0 }
}

extension Statistics4: StatisticsReport {
    public func forEachStatistic(_ body: (String, StatRing) -> Void) {
        for c in GlobalCounter4.allCases where global[c.rawValue].isPresent { body(c.keaName, global[c.rawValue]) }
        for (id, rings) in subnets {
            for c in SubnetCounter4.allCases where rings[c.rawValue].isPresent { body("subnet[\(id)].\(c.keaName)", rings[c.rawValue]) }
        }
    }

    public func ring(named name: String) -> StatRing? {
        if let (id, rest) = StatName.subnet(name) {
            guard let c = SubnetCounter4.allCases.first(where: { $0.keaName == rest }),
                  let r = subnets[id]?[c.rawValue], r.isPresent else { return nil }
            return r
        }
        guard let c = GlobalCounter4.allCases.first(where: { $0.keaName == name }), global[c.rawValue].isPresent else { return nil }
        return global[c.rawValue]
    }

    public mutating func modifyRing(named name: String, _ body: (inout StatRing) -> Void) -> Bool {
        if let (id, rest) = StatName.subnet(name) {
            guard let c = SubnetCounter4.allCases.first(where: { $0.keaName == rest }),
                  subnets[id]?[c.rawValue].isPresent == true else { return false }
            body(&subnets[id]![c.rawValue])
            return true
        }
        guard let c = GlobalCounter4.allCases.first(where: { $0.keaName == name }), global[c.rawValue].isPresent else { return false }
        body(&global[c.rawValue])
        return true
    }

    public mutating func modifyAllRings(_ body: (inout StatRing) -> Void) {
        for i in global.indices { body(&global[i]) }
        for id in subnets.keys {
            for i in SubnetCounter4.allCases.indices { body(&subnets[id]![i]) }
        }
    }
}

/// Parsing of Kea's statistic names.
public enum StatName {
    /// `subnet[ID].rest` as (ID, rest); nil for any other name.
    public static func subnet(_ name: String) -> (UInt32, String)? {
        guard name.hasPrefix("subnet["), let close = name.firstIndex(of: "]"),
              let id = UInt32(name[name.index(name.startIndex, offsetBy: 7)..<close]) else { return nil }
        let rest = name[name.index(after: close)...]
        guard rest.hasPrefix(".") else { return nil }
        return (id, String(rest.dropFirst()))
    }
}
