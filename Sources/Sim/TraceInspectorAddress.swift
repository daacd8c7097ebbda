import KakapoCore

/// Every record that mentions one address, after who held it when: the leases servers kept for
/// it and the clients that believed they held it, with any time two clients believed so at once.
struct AddressView: TraceView {
    struct Period {
        var owner: String?
        var server: String?
        var state: String?
        var from: Int64
        var to: Int64?
        var end: String?
        var expire: Int64?
    }

    let filter: Filter
    let address: String
    var selected = 0
    var lines: [String] = []
    var leases: [Period] = []
    var openLease: [String: Int] = [:]
    var beliefs: [Period] = []
    var openBelief: [String: Int] = [:]

    static let holding: Set<String> = ["BOUND", "RENEWING", "REBINDING"]

    init(filter: Filter) {
        self.filter = filter
        self.address = filter.address ?? ""
    }

    mutating func consume(_ r: InspectedRecord) {
        switch r.kind {
        case "lease": lease(r)
        case "client": client(r)
        default: break
        }
        guard filter.selects(r) else { return }
        selected += 1
        lines.append(TraceInspector.timelineLine(r, indent: "  "))
    }

    private mutating func lease(_ r: InspectedRecord) {
        guard let a = r.text("address"), a.lowercased() == address else { return }
        let server = r.text("server") ?? "?"
        let owner = r.text("mac")
        let state = TraceInspector.leaseState(r)
        let expire = r["expire"]?.intValue
        if r.text("op") == "delete" {
            if let i = openLease.removeValue(forKey: server) {
                leases[i].to = r.time
                leases[i].end = "deleted"
            }
            return
        }
        if let i = openLease[server] {
            if leases[i].owner == owner && leases[i].state == state {
                leases[i].expire = expire ?? leases[i].expire
                return
            }
            leases[i].to = r.time
            leases[i].end = "replaced"
        }
        openLease[server] = leases.count
        leases.append(Period(owner: owner, server: server, state: state, from: r.time, expire: expire))
    }

    private mutating func client(_ r: InspectedRecord) {
        guard let mac = r.text("mac") else { return }
        let state = (r.text("state") ?? "").uppercased()
        let a = r.text("address")?.lowercased()
        let holds = AddressView.holding.contains(state)
        if let i = openBelief[mac] {
            if !holds || (a != nil && a != address) {
                beliefs[i].to = r.time
                beliefs[i].end = a != nil && a != address && holds ? "\(state) \(a!)" : state
                openBelief[mac] = nil
            }
            return
        }
        if holds && a == address {
            openBelief[mac] = beliefs.count
            beliefs.append(Period(owner: mac, state: state, from: r.time))
        }
    }

    private func overlaps(_ p: Period) -> Bool {
        p.from <= filter.to && (p.to ?? Int64.max) >= filter.from
    }

    private static func span(_ p: Period) -> String {
        let from = TraceInspector.formatTime(p.from)
        guard let to = p.to else { return "\(from) -> end of trace" }
        return "\(from) -> \(TraceInspector.formatTime(to)) (\(TraceInspector.formatDuration(to - p.from)))"
    }

    mutating func finish(malformedLines: Int, diagnostics: [String]) -> String {
        let window = filter.windowText
        var out = "address \(address): \(selected) record\(selected == 1 ? " mentions" : "s mention") it"
        out += window.isEmpty ? "\n" : " \(window)\n"

        let shownLeases = leases.filter(overlaps)
        out += "\nleases on servers:\n"
        if shownLeases.isEmpty { out += "  none\n" }
        for p in shownLeases {
            var s = "  server \(p.server ?? "?")  " + (p.owner ?? "(no owner)")
            if let state = p.state { s += " state \(state)" }
            s += "  " + AddressView.span(p)
            if let end = p.end { s += " \(end)" }
            if p.to == nil, let expire = p.expire {
                s += " (expires \(TraceInspector.formatTime(expire.multipliedReportingOverflow(by: 1000).partialValue)))"
            }
            out += s + "\n"
        }

        let shownBeliefs = beliefs.filter(overlaps)
        out += "\nclients that believed they held it:\n"
        if shownBeliefs.isEmpty { out += "  none\n" }
        for p in shownBeliefs {
            var s = "  \(p.owner ?? "?")  " + AddressView.span(p)
            if let end = p.end { s += " -> \(end)" }
            out += s + "\n"
        }
        // Two clients at once is what the no-duplicate invariant forbids: point it out.
        let sorted = shownBeliefs.sorted { $0.from < $1.from }
        for i in sorted.indices {
            for j in sorted.indices where j > i {
                let a = sorted[i], b = sorted[j]
                guard a.owner != b.owner, b.from < (a.to ?? Int64.max), a.from < (b.to ?? Int64.max) else { continue }
                let end = min(a.to ?? Int64.max, b.to ?? Int64.max)
                out += "  !! \(a.owner ?? "?") and \(b.owner ?? "?") both held it from \(TraceInspector.formatTime(b.from))"
                out += end == Int64.max ? " to the end of the trace\n" : " to \(TraceInspector.formatTime(end))\n"
            }
        }

        out += "\ntimeline:\n"
        if lines.isEmpty { out += "  (no records)\n" }
        for line in lines { out += line + "\n" }
        return out
    }
}
