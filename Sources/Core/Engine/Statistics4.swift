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

/// One statistic's current value and when it last changed (Kea reports a timestamp per sample).
public struct StatSample: Sendable, Equatable {
    public var value: Int64
    public var updated: WallTime
}

/// All DHCPv4 statistics of one server.
public struct Statistics4: Sendable {
    var global: [StatSample]
    var subnets: [UInt32: [StatSample]] = [:]

    public init(now: WallTime) {
        global = Array(repeating: StatSample(value: 0, updated: now), count: GlobalCounter4.allCases.count)
    }

    @inline(__always)
    public mutating func add(_ c: GlobalCounter4, _ n: Int64 = 1, now: WallTime) {
        global[c.rawValue].value += n
        global[c.rawValue].updated = now
    }

    public mutating func add(_ c: SubnetCounter4, subnet: UInt32, _ n: Int64 = 1, now: WallTime) {
        if subnets[subnet] == nil {
            subnets[subnet] = Array(repeating: StatSample(value: 0, updated: now), count: SubnetCounter4.allCases.count)
        }
        subnets[subnet]![c.rawValue].value += n
        subnets[subnet]![c.rawValue].updated = now
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
        add(c, subnet: subnet, 0, now: now)
        subnets[subnet]![c.rawValue].value = v
    }

    public func value(_ c: GlobalCounter4) -> Int64 { global[c.rawValue].value }
    public func value(_ c: SubnetCounter4, subnet: UInt32) -> Int64 { subnets[subnet]?[c.rawValue].value ?? 0 }

    /// Every statistic by Kea name, globals first then subnets by id.
    public func all() -> [(name: String, sample: StatSample)] {
        var out: [(String, StatSample)] = GlobalCounter4.allCases.map { ($0.keaName, global[$0.rawValue]) }
        for id in subnets.keys.sorted() {
            for c in SubnetCounter4.allCases { out.append(("subnet[\(id)].\(c.keaName)", subnets[id]![c.rawValue])) }
        }
        return out
    }

    public func sample(named name: String) -> StatSample? { all().first { $0.name == name }?.sample }

    /// statistic-reset-all: values to zero, keeping gauges that describe configuration.
    public mutating func resetAll(now: WallTime) {
        for i in global.indices { global[i] = StatSample(value: 0, updated: now) }
        for id in subnets.keys {
            for c in SubnetCounter4.allCases where c != .totalAddresses && c != .assignedAddresses && c != .declinedAddresses {
                subnets[id]![c.rawValue] = StatSample(value: 0, updated: now)
            }
        }
    }
}
extension Statistics4: StatisticsReport {}
