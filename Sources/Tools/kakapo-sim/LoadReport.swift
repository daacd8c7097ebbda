import Histogram
import KakapoCore

/// Latencies in microseconds, in an HDR histogram (3 significant digits, up to one hour).
struct LoadLatency {
    var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000,
                                      numberOfSignificantValueDigits: .three)
    var sum = 0.0

    var count: Int { Int(histogram.totalCount) }

    mutating func record(_ microseconds: Int64) {
        let v = UInt64(max(1, microseconds))
        histogram.record(min(v, histogram.highestTrackableValue))
        sum += Double(v)
    }

    static let percentiles: [(label: String, value: Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]

    /// (label, milliseconds) for min, p50, p90, p99, p99.9, max and mean.
    var summary: [(String, Double)] {
        guard count > 0 else { return [] }
        var rows: [(String, Double)] = [("min", Double(histogram.min) / 1000)]
        for p in Self.percentiles { rows.append((p.label, Double(histogram.valueAtPercentile(p.value)) / 1000)) }
        rows.append(("max", Double(histogram.maxRecorded) / 1000))
        rows.append(("mean", sum / Double(count) / 1000))
        return rows
    }
}

struct LoadExchangeStats {
    var sent = 0
    var received = 0
    /// No reply within the timeout (or none by the end of the run).
    var drops = 0
    /// Replies that came after their exchange was counted as dropped.
    var late = 0
    var latency = LoadLatency()
}

struct LoadStats {
    var exchanges = Array(repeating: LoadExchangeStats(), count: LoadExchange.allCases.count)
    /// First DISCOVER (SOLICIT) to the ACK (REPLY) that binds, for each completed 4-way exchange.
    var dora = LoadLatency()
    /// Messages by DHCP message type (option 53 value; the DHCPv6 msg-type).
    var sent: [Int: Int] = [:]
    var received: [Int: Int] = [:]
    var planned = 0
    var started = 0
    var completed = 0
    var renewed = 0
    var naks = 0
    var declines = 0
    var releases = 0
    var skippedBusy = 0
    var abandoned = 0
    var unmatched = 0
    var undecodable = 0
    var sendErrors = 0
    var unansweredAtEnd = 0
    var interrupted = false
    var sendingSeconds = 0.0
    var testPeriodSeconds = 0.0

    init(options: LoadOptions) {}
}

struct LoadReport {
    let stats: LoadStats
    let options: LoadOptions
    let names: LoadNames

    var started: Int { stats.started }
    var completed: Int { stats.completed }
    var totalDrops: Int { stats.exchanges.reduce(0) { $0 + $1.drops } }
    /// Completed DORAs per second of test time (first send to the end of the run), as
    /// perfdhcp's "Rate: N 4-way exchanges/second".
    var exchangesPerSecond: Double { stats.testPeriodSeconds > 0 ? Double(stats.completed) / stats.testPeriodSeconds : 0 }

    /// The exchanges worth showing: the 4-way pair always, the others when they happened.
    var shownExchanges: [LoadExchange] {
        LoadExchange.allCases.filter { $0 == .solicit || $0 == .request || stats.exchanges[$0.rawValue].sent > 0 }
    }

    // MARK: text, laid out like perfdhcp's report

    func text() -> String {
        var s = "kakapo-sim load: server \(options.serverEndpoint), relay \(options.relayEndpoint), "
        s += "rate \(loadFixed(options.rate, 0))/s, \(options.clients) clients, \(loadFixed(options.durationSeconds, 1)) s, "
        s += "drop time \(options.timeoutMilliseconds) ms"
        if options.family6 {
            s += ", link-address \(options.linkAddress.map { "\($0)" } ?? "-")\(options.prefixDelegation ? ", IA_NA and IA_PD" : "")"
        }
        s += "\n"
        if stats.interrupted { s += "(interrupted)\n" }
        for kind in shownExchanges {
            let e = stats.exchanges[kind.rawValue]
            s += "\n***Statistics for: \(names.name(kind))***\n"
            s += "sent packets: \(e.sent)\n"
            s += "received packets: \(e.received)\n"
            s += "drops: \(e.drops)\n"
            s += "drops ratio: \(loadFixed(e.sent > 0 ? 100 * Double(e.drops) / Double(e.sent) : 0, 3)) %\n"
            s += "late replies: \(e.late)\n"
            s += latencyLines(e.latency)
        }
        s += "\n***Statistics for: \(names.cycle)***\n"
        s += "started: \(stats.started) (of \(stats.planned) planned; skipped, all clients busy: \(stats.skippedBusy))\n"
        s += "completed: \(stats.completed)\n"
        s += latencyLines(stats.dora)
        s += "\n***Messages***\n"
        s += "sent: " + countList(stats.sent) + "\n"
        s += "received: " + countList(stats.received) + "\n"
        s += "\(names.refusals): \(stats.naks), renewals: \(stats.renewed), unmatched replies: \(stats.unmatched), "
        s += "undecodable: \(stats.undecodable), send errors: \(stats.sendErrors), unanswered at end: \(stats.unansweredAtEnd)\n"
        s += "\n***Rate statistics***\n"
        s += "Rate: \(loadFixed(exchangesPerSecond, 3)) 4-way exchanges/second, expected rate: \(loadFixed(options.rate, 0))\n"
        s += "Test period: \(loadFixed(stats.testPeriodSeconds, 3)) s (sending \(loadFixed(stats.sendingSeconds, 3)) s)\n"
        s += "Drops: \(totalDrops) (\(names.name(.solicit)) \(stats.exchanges[0].drops), \(names.name(.request)) \(stats.exchanges[1].drops))\n"
        return s
    }

    private func latencyLines(_ l: LoadLatency) -> String {
        guard l.count > 0 else { return "latency: none\n" }
        return "latency (ms): " + l.summary.map { "\($0.0) \(loadFixed($0.1, 3))" }.joined(separator: "  ") + "\n"
    }

    private func countList(_ counts: [Int: Int]) -> String {
        let parts = names.messageTypes.compactMap { code, name in counts[code].map { "\(name) \($0)" } }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    // MARK: JSON

    func json() -> JSON {
        func latency(_ l: LoadLatency) -> JSON {
            var o = JSONObject()
            o["count"] = .int(Int64(l.count))
            for (label, ms) in l.summary { o[label] = .double(round3(ms)) }
            return .object(o)
        }
        func counts(_ c: [Int: Int]) -> JSON {
            var o = JSONObject()
            for (code, name) in names.messageTypes { if let n = c[code] { o[name] = .int(Int64(n)) } }
            return .object(o)
        }
        var exchanges = JSONObject()
        for kind in shownExchanges {
            let e = stats.exchanges[kind.rawValue]
            exchanges[names.name(kind)] = [
                "sent": .int(Int64(e.sent)), "received": .int(Int64(e.received)),
                "drops": .int(Int64(e.drops)), "late": .int(Int64(e.late)),
                "latency_ms": latency(e.latency),
            ]
        }
        var o: JSONObject = [
            "family": .int(options.family6 ? 6 : 4),
            "server": .string(options.server.description),
            "server_port": .int(Int64(options.serverPort)),
            "relay": .string(options.relay?.description ?? ""),
            "offered_rate": .double(options.rate),
            "clients": .int(Int64(options.clients)),
            "duration_s": .double(options.durationSeconds),
            "timeout_ms": .int(options.timeoutMilliseconds),
            "test_period_s": .double(round3(stats.testPeriodSeconds)),
            "sending_s": .double(round3(stats.sendingSeconds)),
            "exchanges_per_second": .double(round3(exchangesPerSecond)),
            "dora_planned": .int(Int64(stats.planned)),
            "dora_started": .int(Int64(stats.started)),
            "dora_completed": .int(Int64(stats.completed)),
            "skipped_busy": .int(Int64(stats.skippedBusy)),
            "drops": [
                names.name(.solicit): .int(Int64(stats.exchanges[0].drops)),
                names.name(.request): .int(Int64(stats.exchanges[1].drops)),
                "total": .int(Int64(totalDrops)),
            ],
            "exchanges": .object(exchanges),
            "dora_latency_ms": latency(stats.dora),
            "sent": counts(stats.sent),
            "received": counts(stats.received),
            "naks": .int(Int64(stats.naks)),
            "renewals": .int(Int64(stats.renewed)),
            "unmatched": .int(Int64(stats.unmatched)),
            "undecodable": .int(Int64(stats.undecodable)),
            "send_errors": .int(Int64(stats.sendErrors)),
            "unanswered_at_end": .int(Int64(stats.unansweredAtEnd)),
            "interrupted": .bool(stats.interrupted),
        ]
        if options.family6 {
            o["link_address"] = .string(options.linkAddress?.description ?? "")
            o["prefix_delegation"] = .bool(options.prefixDelegation)
        }
        return .object(o)
    }
}

private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

/// x with exactly `digits` decimals (no Foundation).
func loadFixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let negative = x < 0
    let n = UInt64((abs(x) * scale).rounded())
    let whole = n / UInt64(scale)
    var frac = String(n % UInt64(scale))
    while frac.count < digits { frac = "0" + frac }
    return (negative && n > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + frac : "")
}
