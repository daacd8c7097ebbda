import KakapoCore

/// What a run produced, for the summary table and the expectations.
public struct SimSummary: Sendable {
    public struct SubnetUse: Sendable {
        public var server: String
        public var subnetID: UInt32
        public var prefix: String
        public var assigned: Int64
        public var total: Int64
        public var utilization: Double { total > 0 ? Double(assigned) / Double(total) : 0 }
    }
    public var scenario: String
    public var seed: UInt64
    public var events: Int
    public var virtualMilliseconds: Int64
    public var clients: Int
    public var boundAtEnd: Int
    public var dora: Int
    public var renewals: Int
    public var naks: Int
    public var declines: Int
    public var releases: Int
    public var lost: Int
    /// DHCPv6: how often a client was told NoAddrsAvail / NoPrefixAvail.
    public var unavailable: Int
    public var datagramsSent: Int
    /// Replies sent by the servers (pkt4-sent, over every incarnation).
    public var serverReplies: Int64
    public var networkDrops: Int
    public var serverDrops: Int64
    public var parseFailed: Int64
    public var bindTimeP50: Int64?
    public var bindTimeP99: Int64?
    public var subnets: [SubnetUse]

    /// The table `kakapo-sim run` prints.
    public var table: String {
        func ms(_ v: Int64?) -> String { v.map { String(format3: Double($0) / 1000) + " s" } ?? "-" }
        var rows: [(String, String)] = [
            ("scenario", "\(scenario) (seed \(seed))"),
            ("virtual time", ms(virtualMilliseconds)),
            ("events", "\(events)"),
            ("clients bound at end", "\(boundAtEnd) of \(clients)"),
            ("exchanges", "\(dora) DORA, \(renewals) renewals, \(releases) releases, \(declines) declines"),
            ("NAKs", "\(naks)"),
            ("drops", "\(networkDrops) on the network, \(serverDrops) by servers (\(parseFailed) malformed)"),
            ("leases lost by clients", "\(lost)"),
            ("time to bind", "p50 \(ms(bindTimeP50)), p99 \(ms(bindTimeP99))"),
        ]
        if unavailable > 0 { rows.insert(("NoAddrsAvail/NoPrefixAvail", "\(unavailable)"), at: 6) }
        for s in subnets {
            rows.append(("utilization \(s.server) subnet[\(s.subnetID)]",
                         "\(s.assigned)/\(s.total) (\(String(format3: s.utilization * 100))%) \(s.prefix)"))
        }
        let w = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0 + String(repeating: " ", count: w - $0.0.count) + "  " + $0.1 }.joined(separator: "\n")
    }
}

public struct SimResult: Sendable {
    public var summary: SimSummary
    public var failure: SimFailure?
}

extension String {
    /// A number with at most three decimals, without Foundation.
    public init(format3 v: Double) {
        let scaled = Int64((v * 1000).rounded())
        let whole = scaled / 1000, frac = abs(scaled % 1000)
        var f = String(frac)
        while f.count < 3 { f = "0" + f }
        while f.hasSuffix("0") { f.removeLast() }
        self = f.isEmpty ? "\(whole)" : "\(whole).\(f)"
    }
}

extension World {
    func summary() -> SimSummary {
        let times = counters.bindTimes.sorted()
        func pct(_ p: Double) -> Int64? { times.isEmpty ? nil : times[min(times.count - 1, Int(Double(times.count - 1) * p))] }
        var subnets: [SimSummary.SubnetUse] = []
        for s in servers {
            guard let e = s.engine else { continue }
            for sn in s.config.subnets {
                subnets.append(.init(server: s.spec.name, subnetID: sn.id, prefix: sn.prefix.description,
                                     assigned: e.stats.value(.assignedAddresses, subnet: sn.id),
                                     total: e.stats.value(.totalAddresses, subnet: sn.id)))
            }
        }
        for s in servers6 {
            guard let e = s.engine else { continue }
            for sn in s.config.subnets {
                for (kind, assigned, total) in [("", SubnetCounter6.assignedNAs, SubnetCounter6.totalNAs), (" IA_PD", .assignedPDs, .totalPDs)] {
                    let t = e.stats.value(total, subnet: sn.id)
                    guard t > 0 else { continue }
                    subnets.append(.init(server: s.spec.name, subnetID: sn.id, prefix: sn.prefix.description + kind,
                                         assigned: e.stats.value(assigned, subnet: sn.id), total: t))
                }
            }
        }
        return SimSummary(
            scenario: scenario.name, seed: seed, events: eventCount, virtualMilliseconds: now, clients: clients.count + clients6.count,
            boundAtEnd: clients.filter { $0.present && $0.client.holdsLease(at: now) }.count
                + clients6.filter { $0.present && $0.client.holdsLease(at: now) }.count,
            dora: counters.dora, renewals: counters.renewals, naks: counters.naks, declines: counters.declines,
            releases: counters.releases, lost: counters.lost, unavailable: counters.unavailable, datagramsSent: counters.sent,
            serverReplies: servers.reduce(0) { $0 + $1.statistic(.pktSent) } + servers6.reduce(0) { $0 + $1.statistic(.pktSent) },
            networkDrops: counters.dropLoss + counters.dropPartition + counters.dropServerDown,
            serverDrops: servers.reduce(0) { $0 + $1.statistic(.pktReceiveDrop) } + servers6.reduce(0) { $0 + $1.statistic(.pktReceiveDrop) },
            parseFailed: servers.reduce(0) { $0 + $1.statistic(.pktParseFailed) } + servers6.reduce(0) { $0 + $1.statistic(.pktParseFailed) },
            bindTimeP50: pct(0.5), bindTimeP99: pct(0.99), subnets: subnets)
    }

    func expectationFailed(_ name: String, _ detail: String) {
        guard failure == nil else { return }
        failure = SimFailure(kind: .expectation, name: name, detail: detail, seed: seed, event: nil, timeMilliseconds: now)
    }

    func checkExpectations() {
        let x = scenario.expectations
        let s = summary()
        if let limit = x.allBoundWithinMilliseconds {
            for sess in sessions where sess.start + limit <= scenario.durationMilliseconds {
                let bound = sess.boundAt.map { $0 - sess.start <= limit } ?? false
                let leftEarly = sess.leftAt.map { $0 < sess.start + limit } ?? false
                if !bound && !leftEarly {
                    let took = sess.boundAt.map { "\($0 - sess.start)ms" } ?? "never"
                    expectationFailed("all-bound-within", "\(clientName(sess.client)) arrived at \(sess.start)ms and bound \(took) (limit \(limit)ms)")
                    return
                }
            }
        }
        if let m = x.maxNaks, s.naks > m { expectationFailed("max-naks", "\(s.naks) NAKs > \(m)") }
        if let m = x.minBound, s.boundAtEnd < m { expectationFailed("min-bound", "\(s.boundAtEnd) bound < \(m)") }
        if let m = x.maxBound, s.boundAtEnd > m { expectationFailed("max-bound", "\(s.boundAtEnd) bound > \(m)") }
        if let m = x.minParseFailed, s.parseFailed < Int64(m) { expectationFailed("min-parse-failed", "\(s.parseFailed) < \(m)") }
        if let m = x.minDeclines, s.declines < m { expectationFailed("min-declines", "\(s.declines) < \(m)") }
        if let m = x.minUnavailable, s.unavailable < m { expectationFailed("min-unavailable", "\(s.unavailable) < \(m)") }
        for se in x.segments {
            guard let seg = segments.firstIndex(where: { $0.spec.name == se.segment }) else { continue }
            let (mine, inPrefix, prefix) = isV6 ? boundOnSegment6(seg) : boundOnSegment(seg)
            if let m = se.minBound, inPrefix < m {
                expectationFailed("segment-min-bound", "\(se.segment): \(inPrefix) clients bound inside \(prefix) < \(m)")
            }
            if let m = se.maxBound, mine > m {
                expectationFailed("segment-max-bound", "\(se.segment): \(mine) clients bound > \(m)")
            }
        }
        if let u = x.minUtilization {
            let assigned = s.subnets.reduce(Int64(0)) { $0 + $1.assigned }, total = s.subnets.reduce(Int64(0)) { $0 + $1.total }
            let got = total > 0 ? Double(assigned) / Double(total) : 0
            if got < u { expectationFailed("min-utilization", "\(String(format3: got * 100))% < \(String(format3: u * 100))%") }
        }
    }
}

extension World {
    /// Clients of a segment bound at the end, and how many of them inside its prefix.
    func boundOnSegment(_ seg: Int) -> (bound: Int, inPrefix: Int, prefix: String) {
        let prefix = segments[seg].spec.prefix
        let mine = clients.filter { $0.segment == seg && $0.present && $0.client.holdsLease(at: now) }
        return (mine.count, mine.filter { $0.client.lease.map { prefix.contains($0.address) } ?? false }.count, prefix.description)
    }

    /// DHCPv6: a client counts as inside the segment's prefix when all its addresses are
    /// (delegated prefixes come from pools elsewhere).
    func boundOnSegment6(_ seg: Int) -> (bound: Int, inPrefix: Int, prefix: String) {
        guard let prefix = segments[seg].spec.prefix6 else { return (0, 0, "-") }
        let mine = clients6.filter { $0.segment == seg && $0.present && $0.client.holdsLease(at: now) }
        let inside = mine.filter { slot in
            (slot.client.binding?.leases ?? []).allSatisfy { $0.type == .delegatedPrefix || prefix.contains($0.prefix.network) }
        }
        return (mine.count, inside.count, prefix.description)
    }
}
