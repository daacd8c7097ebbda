/// Kea's global DHCPv6 statistics (kea-dhcp6 names).
public enum GlobalCounter6: String, CaseIterable, Sendable {
    case pktReceived = "pkt6-received"
    case pktSolicitReceived = "pkt6-solicit-received"
    case pktAdvertiseReceived = "pkt6-advertise-received"
    case pktRequestReceived = "pkt6-request-received"
    case pktReplyReceived = "pkt6-reply-received"
    case pktRenewReceived = "pkt6-renew-received"
    case pktRebindReceived = "pkt6-rebind-received"
    case pktReleaseReceived = "pkt6-release-received"
    case pktDeclineReceived = "pkt6-decline-received"
    case pktInfRequestReceived = "pkt6-infrequest-received"
    case pktUnknownReceived = "pkt6-unknown-received"
    case pktSent = "pkt6-sent"
    case pktAdvertiseSent = "pkt6-advertise-sent"
    case pktReplySent = "pkt6-reply-sent"
    case pktParseFailed = "pkt6-parse-failed"
    case pktReceiveDrop = "pkt6-receive-drop"
    case allocationFail = "v6-allocation-fail"
    case declinedAddresses = "declined-addresses"
    case reclaimedDeclinedAddresses = "reclaimed-declined-addresses"
    case reclaimedLeases = "reclaimed-leases"
    case cumulativeAssignedNAs = "cumulative-assigned-nas"
    case cumulativeAssignedPDs = "cumulative-assigned-pds"

    public var keaName: String { rawValue }
}

/// Kea's per-subnet DHCPv6 statistics (`subnet[ID].name`).
public enum SubnetCounter6: String, CaseIterable, Sendable {
    case totalNAs = "total-nas"
    case assignedNAs = "assigned-nas"
    case totalPDs = "total-pds"
    case assignedPDs = "assigned-pds"
    case declinedAddresses = "declined-addresses"
    case reclaimedDeclinedAddresses = "reclaimed-declined-addresses"
    case reclaimedLeases = "reclaimed-leases"
    case cumulativeAssignedNAs = "cumulative-assigned-nas"
    case cumulativeAssignedPDs = "cumulative-assigned-pds"
    case allocationFail = "v6-allocation-fail"

    public var keaName: String { rawValue }
}

/// All DHCPv6 statistics of one server: each value with the time it last changed.
public struct Statistics6: Sendable {
    var global: [GlobalCounter6: StatSample] = [:]
    var subnets: [UInt32: [SubnetCounter6: StatSample]] = [:]

    public init() {}

    public func value(_ c: GlobalCounter6) -> Int64 { global[c]?.value ?? 0 }
    public func value(_ c: SubnetCounter6, subnet: UInt32) -> Int64 { subnets[subnet]?[c]?.value ?? 0 }

    /// A statistic by Kea's name: "pkt6-received" or "subnet[1].assigned-nas"; nil if unknown.
    public func value(named name: String) -> Int64? {
        if name.hasPrefix("subnet["), let close = name.firstIndex(of: "]"),
           let id = UInt32(name[name.index(name.startIndex, offsetBy: 7)..<close]) {
            let rest = name[name.index(after: close)...]
            guard rest.hasPrefix("."), let c = SubnetCounter6(rawValue: String(rest.dropFirst())) else { return nil }
            return subnets[id]?[c]?.value ?? 0
        }
        return GlobalCounter6(rawValue: name).map(value)
    }

    /// Every statistic with a value, by Kea's name (globals, then `subnet[ID].name` by
    /// subnet), for statistic-get-all.
    public var samples: [(name: String, sample: StatSample)] {
        var out: [(name: String, sample: StatSample)] = []
        for c in GlobalCounter6.allCases { if let v = global[c] { out.append((c.keaName, v)) } }
        for id in subnets.keys.sorted() {
            for c in SubnetCounter6.allCases { if let v = subnets[id]?[c] { out.append(("subnet[\(id)].\(c.keaName)", v)) } }
        }
        return out
    }

    mutating func add(_ c: GlobalCounter6, _ delta: Int64 = 1, now: WallTime) {
        global[c] = StatSample(value: (global[c]?.value ?? 0) &+ delta, updated: now)
    }

    mutating func add(_ c: SubnetCounter6, subnet: UInt32, _ delta: Int64 = 1, now: WallTime) {
        subnets[subnet, default: [:]][c] = StatSample(value: (subnets[subnet]?[c]?.value ?? 0) &+ delta, updated: now)
    }

    mutating func set(_ c: SubnetCounter6, subnet: UInt32, _ value: Int64, now: WallTime) {
        subnets[subnet, default: [:]][c] = StatSample(value: value, updated: now)
    }

    mutating func set(_ c: GlobalCounter6, _ value: Int64, now: WallTime) {
        global[c] = StatSample(value: value, updated: now)
    }

    /// statistic-reset-all: values to zero, keeping the per-subnet gauges that describe the
    /// configuration and the leases held (total-*, assigned-*, declined-addresses), as Kea does.
    public mutating func resetAll(now: WallTime) {
        for c in global.keys { global[c] = StatSample(value: 0, updated: now) }
        let kept: Set<SubnetCounter6> = [.totalNAs, .totalPDs, .assignedNAs, .assignedPDs, .declinedAddresses]
        for id in subnets.keys {
            for c in SubnetCounter6.allCases where !kept.contains(c) && subnets[id]?[c] != nil {
                subnets[id]![c] = StatSample(value: 0, updated: now)
            }
        }
    }
}

extension Statistics6: StatisticsReport {
    public func all() -> [(name: String, sample: StatSample)] { samples }

    public func sample(named name: String) -> StatSample? { samples.first { $0.name == name }?.sample }
}
