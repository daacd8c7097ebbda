import KakapoCore

/// Counts over the selected records: kinds, datagrams by message and event, drops by reason,
/// server decisions by event and reason, lease changes, faults, invariant checks, how clients
/// fared (reached BOUND, time from first DISCOVER to first BOUND), and the `end` record.
struct SummaryView: TraceView {
    struct ClientFacts {
        var firstDiscover: Int64?
        var firstBound: Int64?
        var lastState: String?
        var naks = 0
    }

    struct MessageCounts {
        var send = 0, deliver = 0, drop = 0, other = 0
    }

    let filter: Filter
    var selected = 0
    var firstTime: Int64?
    var lastTime: Int64?
    var firstLine = 0
    var lastLine = 0
    var kinds = Counter()
    var messages: [String: MessageCounts] = [:]
    var messageOrder: [String] = []
    var dropReasons = Counter()
    var decisions = Counter()
    var decisionReasons: [String: Counter] = [:]
    var leaseOps = Counter()
    var leaseDurable = 0
    var leaseNotDurable = 0
    var leaseServers = Counter()
    var faults = Counter()
    var faultLines: [String] = []
    var invariantLines = 0
    var invariantChecked: Int64 = 0
    var violations: [String] = []
    var violationCount = 0
    var clients: [String: ClientFacts] = [:]
    var clientOrder: [String] = []
    var stateEntries = Counter()
    var declinesSent = 0
    var releasesSent = 0
    var end: InspectedRecord?

    static let listLimit = 50

    init(filter: Filter) { self.filter = filter }

    private mutating func facts(_ mac: String, _ update: (inout ClientFacts) -> Void) {
        if clients[mac] == nil {
            clients[mac] = ClientFacts()
            clientOrder.append(mac)
        }
        update(&clients[mac]!)
    }

    private static func clientMAC(_ node: String?) -> String? {
        guard let node, node.hasPrefix("client:") else { return nil }
        return String(node.dropFirst("client:".count))
    }

    mutating func consume(_ r: InspectedRecord) {
        guard filter.selects(r) else { return }
        selected += 1
        if firstTime == nil { firstTime = r.time; firstLine = r.line }
        lastTime = r.time
        lastLine = r.line
        kinds.add(r.kind)
        switch r.kind {
        case "datagram":
            let msg = r.text("msg") ?? "?"
            if messages[msg] == nil { messageOrder.append(msg) }
            var counts = messages[msg] ?? MessageCounts()
            let event = r.text("event") ?? "?"
            switch event {
            case "send": counts.send += 1
            case "deliver": counts.deliver += 1
            case "drop":
                counts.drop += 1
                dropReasons.add(r.text("reason") ?? "(no reason)")
            default: counts.other += 1
            }
            messages[msg] = counts
            let from = SummaryView.clientMAC(r.text("from"))
            let to = SummaryView.clientMAC(r.text("to"))
            if let from {
                facts(from) { f in
                    if event == "send", msg == "DHCPDISCOVER", f.firstDiscover == nil { f.firstDiscover = r.time }
                }
                if event == "send", msg == "DHCPDECLINE" { declinesSent += 1 }
                if event == "send", msg == "DHCPRELEASE" { releasesSent += 1 }
            }
            if let to {
                facts(to) { f in if event == "deliver", msg == "DHCPNAK" { f.naks += 1 } }
            }
        case "decision":
            let event = r.text("event") ?? "?"
            decisions.add(event)
            if let reason = r.text("reason") { decisionReasons[event, default: Counter()].add(reason) }
        case "lease":
            leaseOps.add(r.text("op") ?? "?")
            if let durable = r["durable"]?.boolValue {
                if durable { leaseDurable += 1 } else { leaseNotDurable += 1 }
            }
            leaseServers.add(r.text("server") ?? "?")
        case "client":
            let state = (r.text("state") ?? "?").uppercased()
            stateEntries.add(state)
            if let mac = r.text("mac") {
                facts(mac) { f in
                    f.lastState = state
                    if state == "BOUND", f.firstBound == nil { f.firstBound = r.time }
                }
            }
        case "fault":
            faults.add(r.text("fault") ?? "?")
            if faultLines.count < SummaryView.listLimit { faultLines.append(TraceInspector.timelineLine(r, indent: "  ")) }
        case "invariant":
            invariantLines += 1
            invariantChecked += r["checked"]?.intValue ?? 0
            if r["ok"]?.boolValue == false {
                violationCount += 1
                if violations.count < SummaryView.listLimit {
                    violations.append(TraceInspector.timelineLine(r, indent: "  ") + "  [line \(r.line)]")
                }
            }
        case "end":
            end = r
        default:
            break
        }
    }

    /// Rows with the first column left-aligned and the others right-aligned.
    static func table(_ rows: [[String]], indent: String = "  ", leftAligned: Set<Int> = [0]) -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for row in rows {
            var line = indent
            for (i, cell) in row.enumerated() {
                if i > 0 { line += "  " }
                line += leftAligned.contains(i) ? TraceInspector.rightPad(cell, widths[i])
                    : TraceInspector.leftPad(cell, widths[i])
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    static let messageRank = ["DHCPDISCOVER", "DHCPOFFER", "DHCPREQUEST", "DHCPDECLINE", "DHCPACK", "DHCPNAK",
                              "DHCPRELEASE", "DHCPINFORM"]
    static let kindRank = ["datagram", "decision", "lease", "client", "fault", "invariant", "end"]

    static func ranked(_ keys: [String], by rank: [String]) -> [String] {
        keys.sorted { a, b in
            let ra = rank.firstIndex(of: a) ?? rank.count, rb = rank.firstIndex(of: b) ?? rank.count
            return ra != rb ? ra < rb : a < b
        }
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Int64], _ p: Int) -> Int64 {
        let rank = (p * sorted.count + 99) / 100
        return sorted[max(0, min(sorted.count - 1, rank - 1))]
    }

    mutating func finish(malformedLines: Int, diagnostics: [String]) -> String {
        var out = ""
        var query: [String] = []
        if let mac = filter.mac { query.append("client \(mac)") }
        if let address = filter.address { query.append("address \(address)") }
        let window = filter.windowText
        if !window.isEmpty { query.append(window) }
        out += "trace summary" + (query.isEmpty ? "" : " (" + query.joined(separator: ", ") + ")") + "\n"
        guard selected > 0, let firstTime, let lastTime else {
            out += "  no records selected\n"
            out += malformedSection(malformedLines, diagnostics)
            return out
        }
        out += "  \(selected) record\(selected == 1 ? "" : "s") (lines \(firstLine)-\(lastLine)), "
        out += "\(TraceInspector.formatTime(firstTime)) to \(TraceInspector.formatTime(lastTime))"
        out += " (\(TraceInspector.formatDuration(lastTime - firstTime)))\n"
        out += "  malformed lines: \(malformedLines)\n"

        out += "\nrecords by kind:\n"
        out += SummaryView.table(SummaryView.ranked(kinds.keys, by: SummaryView.kindRank).map { [$0, String(kinds[$0])] })

        if !messages.isEmpty {
            out += "\ndatagrams by message:\n"
            var rows: [[String]] = [["", "send", "deliver", "drop"]]
            let hasOther = messages.values.contains { $0.other > 0 }
            if hasOther { rows[0].append("other") }
            var total = MessageCounts()
            for msg in SummaryView.ranked(messageOrder, by: SummaryView.messageRank) {
                let c = messages[msg]!
                var row = [msg, String(c.send), String(c.deliver), String(c.drop)]
                if hasOther { row.append(String(c.other)) }
                rows.append(row)
                total.send += c.send; total.deliver += c.deliver; total.drop += c.drop; total.other += c.other
            }
            var row = ["total", String(total.send), String(total.deliver), String(total.drop)]
            if hasOther { row.append(String(total.other)) }
            rows.append(row)
            out += SummaryView.table(rows)
        }
        if !dropReasons.isEmpty {
            out += "\ndatagrams dropped by reason:\n"
            out += SummaryView.table(dropReasons.byCount.map { [$0.key, String($0.count)] })
        }
        if !decisions.isEmpty {
            out += "\nserver decisions:\n"
            out += SummaryView.table(decisions.byCount.map { entry in
                let reasons = decisionReasons[entry.key].map { r in
                    // One reason for every decision needs no count of its own.
                    r.keys.count == 1 && r.total == entry.count ? "(\(r.keys[0]))"
                        : "(" + r.byCount.map { "\($0.key) \($0.count)" }.joined(separator: ", ") + ")"
                }
                return [entry.key, String(entry.count), reasons ?? ""]
            }, leftAligned: [0, 2])
        }
        if !leaseOps.isEmpty {
            out += "\nlease changes:\n"
            var line = "  " + leaseOps.byCount.map { "\($0.key) \($0.count)" }.joined(separator: ", ")
            if leaseDurable + leaseNotDurable > 0 {
                line += " (durable \(leaseDurable), not yet durable \(leaseNotDurable))"
            }
            out += line + "\n"
            out += "  by server: " + leaseServers.byCount.map { "\($0.key) \($0.count)" }.joined(separator: ", ") + "\n"
        }
        out += "\nfaults: \(faults.total)" + (faults.isEmpty ? "" : " (" + faults.inline() + ")") + "\n"
        for line in faultLines { out += line + "\n" }
        if faults.total > faultLines.count { out += "  ... and \(faults.total - faultLines.count) more\n" }

        out += "\ninvariants: \(invariantLines) check line\(invariantLines == 1 ? "" : "s") covering \(invariantChecked) events, "
        out += "\(violationCount) violation\(violationCount == 1 ? "" : "s")\n"
        for line in violations { out += line + "\n" }
        if violationCount > violations.count { out += "  ... and \(violationCount - violations.count) more\n" }

        out += clientSection()

        if let end {
            out += "\nend of run (end record at \(TraceInspector.formatTime(end.time)), line \(end.line)):\n"
            if end.fields.isEmpty { out += "  (no figures)\n" }
            out += SummaryView.table(end.fields.map { [$0.key, InspectedRecord.render($0.value) ?? "null"] },
                                     leftAligned: [0, 1])
        }
        out += malformedSection(malformedLines, diagnostics)
        return out
    }

    private func clientSection() -> String {
        var out = "\nclients:\n"
        guard !clients.isEmpty else { return out + "  none\n" }
        var bound = 0
        var neverBound: [String] = []
        var toBind: [Int64] = []
        var naks = 0
        var nakedClients = 0
        var lastStates = Counter()
        for mac in clientOrder {
            let f = clients[mac]!
            if let b = f.firstBound {
                bound += 1
                if let d = f.firstDiscover, b >= d { toBind.append(b - d) }
            } else {
                neverBound.append(mac)
            }
            naks += f.naks
            if f.naks > 0 { nakedClients += 1 }
            if let s = f.lastState { lastStates.add(s) }
        }
        out += "  seen \(clients.count), reached BOUND \(bound), never BOUND \(neverBound.count)"
        if !neverBound.isEmpty {
            let shown = neverBound.prefix(10).joined(separator: ", ")
            out += " (" + shown + (neverBound.count > 10 ? ", ..." : "") + ")"
        }
        out += "\n"
        if toBind.isEmpty {
            out += "  first DISCOVER to first BOUND: no client did both\n"
        } else {
            toBind.sort()
            out += "  first DISCOVER to first BOUND (\(toBind.count) client\(toBind.count == 1 ? "" : "s")): "
            out += "p50 \(TraceInspector.formatDuration(SummaryView.percentile(toBind, 50))), "
            out += "p99 \(TraceInspector.formatDuration(SummaryView.percentile(toBind, 99))), "
            out += "max \(TraceInspector.formatDuration(toBind.last!))\n"
        }
        out += "  NAKs received \(naks) (by \(nakedClients) client\(nakedClients == 1 ? "" : "s")), "
        out += "DECLINEs sent \(declinesSent), RELEASEs sent \(releasesSent)\n"
        if !stateEntries.isEmpty { out += "  state changes: " + stateEntries.inline() + "\n" }
        if !lastStates.isEmpty { out += "  last state: " + lastStates.byCount.map { "\($0.key) \($0.count)" }.joined(separator: ", ") + "\n" }
        return out
    }

    private func malformedSection(_ count: Int, _ diagnostics: [String]) -> String {
        guard count > 0 else { return "" }
        var out = "\nmalformed lines: \(count)\n"
        for d in diagnostics.prefix(TraceInspector.diagnosticsShown) { out += "  \(d)\n" }
        if count > TraceInspector.diagnosticsShown { out += "  ... and \(count - TraceInspector.diagnosticsShown) more\n" }
        return out
    }
}
