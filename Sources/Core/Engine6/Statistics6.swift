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

/// All DHCPv6 statistics of one server: each value with the time it last changed (nil: never
/// set, so not reported).
public struct Statistics6: Sendable {
    var global = [StatSample?](repeating: nil, count: GlobalCounter6.allCases.count)
    var subnets: [UInt32: [StatSample?]] = [:]

    public init() {}

    static let noSubnetSamples = [StatSample?](repeating: nil, count: SubnetCounter6.allCases.count)

    public func value(_ c: GlobalCounter6) -> Int64 { global[c.rawValue]?.value ?? 0 }
    public func value(_ c: SubnetCounter6, subnet: UInt32) -> Int64 { subnets[subnet]?[c.rawValue]?.value ?? 0 }

    /// A statistic by Kea's name: "pkt6-received" or "subnet[1].assigned-nas"; nil if unknown.
    public func value(named name: String) -> Int64? {
        if name.hasPrefix("subnet["), let close = name.firstIndex(of: "]"),
           let id = UInt32(name[name.index(name.startIndex, offsetBy: 7)..<close]) {
            let rest = name[name.index(after: close)...]
            guard rest.hasPrefix("."), let c = SubnetCounter6(keaName: String(rest.dropFirst())) else { return nil }
            return value(c, subnet: id)
        }
        return GlobalCounter6(keaName: name).map(value)
    }

    /// Every statistic with a value, by Kea's name (globals, then `subnet[ID].name` by
    /// subnet), for statistic-get-all.
    public var samples: [(name: String, sample: StatSample)] {
        var out: [(name: String, sample: StatSample)] = []
        for c in GlobalCounter6.allCases { if let v = global[c.rawValue] { out.append((c.keaName, v)) } }
        for id in subnets.keys.sorted() {
            for c in SubnetCounter6.allCases { if let v = subnets[id]?[c.rawValue] { out.append(("subnet[\(id)].\(c.keaName)", v)) } }
        }
        return out
    }

    mutating func add(_ c: GlobalCounter6, _ delta: Int64 = 1, now: WallTime) {
        global[c.rawValue] = StatSample(value: (global[c.rawValue]?.value ?? 0) &+ delta, updated: now)
    }

    mutating func add(_ c: SubnetCounter6, subnet: UInt32, _ delta: Int64 = 1, now: WallTime) {
        subnets[subnet, default: Self.noSubnetSamples][c.rawValue] = StatSample(value: value(c, subnet: subnet) &+ delta, updated: now)
    }

    mutating func set(_ c: SubnetCounter6, subnet: UInt32, _ value: Int64, now: WallTime) {
        subnets[subnet, default: Self.noSubnetSamples][c.rawValue] = StatSample(value: value, updated: now)
    }

    mutating func set(_ c: GlobalCounter6, _ value: Int64, now: WallTime) {
        global[c.rawValue] = StatSample(value: value, updated: now)
    }

    /// statistic-reset-all: values to zero, keeping the per-subnet gauges that describe the
    /// configuration and the leases held (total-*, assigned-*, declined-addresses), as Kea does.
    public mutating func resetAll(now: WallTime) {
        for i in global.indices where global[i] != nil { global[i] = StatSample(value: 0, updated: now) }
        let kept: Set<SubnetCounter6> = [.totalNAs, .totalPDs, .assignedNAs, .assignedPDs, .declinedAddresses]
        for id in subnets.keys {
            for c in SubnetCounter6.allCases where !kept.contains(c) && subnets[id]?[c.rawValue] != nil {
                subnets[id]![c.rawValue] = StatSample(value: 0, updated: now)
            }
        }
    }
}

extension Statistics6: StatisticsReport {
    public func all() -> [(name: String, sample: StatSample)] { samples }

    public func sample(named name: String) -> StatSample? { samples.first { $0.name == name }?.sample }
}
