import KakapoCore

/// How the inspector writes times and records.
extension TraceInspector {
    /// Virtual time as text: `12.345s` below an hour, `1:02:03.456` from an hour on.
    public static func formatTime(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let ms = milliseconds.magnitude
        let seconds = ms / 1000
        let fraction = pad(ms % 1000, 3)
        if seconds < 3600 { return "\(sign)\(seconds).\(fraction)s" }
        return "\(sign)\(seconds / 3600):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(fraction)"
    }

    /// A length of time: `15ms`, `1.234s`, `5m03s`, `2h05m`, `3d04h`.
    public static func formatDuration(_ milliseconds: Int64) -> String {
        let sign = milliseconds < 0 ? "-" : ""
        let ms = milliseconds.magnitude
        if ms < 1000 { return "\(sign)\(ms)ms" }
        if ms < 60_000 { return "\(sign)\(ms / 1000).\(pad(ms % 1000, 3))s" }
        let seconds = ms / 1000
        if seconds < 3600 { return "\(sign)\(seconds / 60)m\(pad(seconds % 60, 2))s" }
        if seconds < 86_400 { return "\(sign)\(seconds / 3600)h\(pad(seconds / 60 % 60, 2))m" }
        return "\(sign)\(seconds / 86_400)d\(pad(seconds / 3600 % 24, 2))h"
    }

    static func pad(_ value: UInt64, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    static func leftPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
    }

    static func rightPad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    /// The width of the time column: fits `999:59:59.999`.
    static let timeWidth = 11

    /// One timeline line: the time, right-aligned, then what happened.
    static func timelineLine(_ record: InspectedRecord, indent: String = "") -> String {
        indent + leftPad(formatTime(record.time), timeWidth) + "  " + describe(record)
    }

    /// `client:02:00:...` -> `client 02:00:...`; other names as they are.
    static func node(_ name: String) -> String {
        guard let colon = name.firstIndex(of: ":") else { return name }
        switch name[..<colon] {
        case "client", "server", "relay", "rogue":
            return name[..<colon] + " " + name[name.index(after: colon)...]
        default:
            return name
        }
    }

    /// What a record says, in words (without its time).
    static func describe(_ r: InspectedRecord) -> String {
        switch r.kind {
        case "datagram": return describeDatagram(r)
        case "decision": return describeDecision(r)
        case "lease": return describeLease(r)
        case "client": return describeClient(r)
        case "fault": return describeFault(r)
        case "invariant": return describeInvariant(r)
        case "end": return "END" + extras(r, known: [], separator: "  ")
        default: return r.kind + extras(r, known: [], separator: "  ")
        }
    }

    /// The fields not in `known`, as `key value` pairs.
    static func extras(_ r: InspectedRecord, known: Set<String>, separator: String = ", ") -> String {
        var parts: [String] = []
        for (key, value) in r.fields where !known.contains(key) {
            guard let text = InspectedRecord.render(value) else { continue }
            parts.append("\(key) \(text)")
        }
        guard !parts.isEmpty else { return "" }
        return separator == ", " ? parts.joined(separator: ", ") : separator + parts.joined(separator: " ")
    }

    static func words(_ parts: String?...) -> String {
        parts.compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static let datagramKnown: Set<String> = ["event", "from", "to", "msg", "xid", "mac", "ciaddr", "yiaddr",
                                             "giaddr", "requested", "server_id", "reason"]

    static func describeDatagram(_ r: InspectedRecord) -> String {
        let event = r.text("event") ?? "?"
        let msg = r.text("msg") ?? "?"
        let fromRaw = r.text("from") ?? ""
        let toRaw = r.text("to") ?? ""
        let from = fromRaw.isEmpty ? "?" : node(fromRaw), to = toRaw.isEmpty ? "?" : node(toRaw)
        var details: [String] = []
        if let xid = r.text("xid") { details.append("xid \(xid)") }
        for (key, label) in [("ciaddr", "ciaddr"), ("yiaddr", "yiaddr"), ("giaddr", "giaddr"),
                             ("requested", "requested"), ("server_id", "server-id")] {
            if let value = r.text(key) { details.append("\(label) \(value)") }
        }
        if let mac = r.text("mac"), fromRaw != "client:" + mac, toRaw != "client:" + mac {
            details.append("mac \(mac)")
        }
        let more = extras(r, known: datagramKnown)
        if !more.isEmpty { details.append(more) }
        let d = details.isEmpty ? "" : "  (" + details.joined(separator: ", ") + ")"
        switch event {
        case "send": return "\(from)  \(msg) -> \(to)\(d)"
        case "deliver": return "\(to)  <- \(msg) from \(from)\(d)"
        case "drop":
            // Drops name the side that lost the datagram; either end may be missing.
            let route = words(fromRaw.isEmpty ? nil : from, toRaw.isEmpty ? nil : "-> " + to)
            return "DROPPED (\(r.text("reason") ?? "no reason given"))  " + words(r.text("msg"), route) + d
        default:
            let reason = r.text("reason").map { ": \($0)" } ?? ""
            return "\(event) \(msg) \(from) -> \(to)\(d)\(reason)"
        }
    }

    static let decisionKnown: Set<String> = ["server", "event", "mac", "address", "reason"]

    static func describeDecision(_ r: InspectedRecord) -> String {
        let server = "server " + (r.text("server") ?? "?")
        let event = r.text("event") ?? "?"
        let mac = r.text("mac"), address = r.text("address")
        let phrase: String
        switch event {
        case "advertised": phrase = words("advertised", address, mac.map { "to \($0)" })
        case "allocated": phrase = words("allocated", address, mac.map { "to \($0)" })
        case "renewed": phrase = words("renewed", address, mac.map { "for \($0)" })
        case "nak": phrase = words("NAK", mac.map { "to \($0)" }, address.map { "for \($0)" })
        case "released": phrase = words("released", address, mac.map { "by \($0)" })
        case "declined": phrase = words("declined", address, mac.map { "(reported by \($0))" })
        case "informed": phrase = words("answered INFORM", mac.map { "from \($0)" }, address.map { "at \($0)" })
        case "allocation-failed": phrase = words("NO ADDRESS", mac.map { "for \($0)" }, address.map { "(asked for \($0))" })
        case "dropped": phrase = words("dropped a packet", mac.map { "from \($0)" }, address.map { "(\($0))" })
        case "reclaimed": phrase = words("reclaimed", address, mac.map { "(expired, was \($0))" })
        case "flushed": phrase = words("flushed", address, mac.map { "(was \($0))" })
        default: phrase = words(event, address, mac)
        }
        let reason = r.text("reason").map { ": \($0)" } ?? ""
        let more = extras(r, known: decisionKnown)
        return "\(server)  \(phrase)\(reason)" + (more.isEmpty ? "" : "  (\(more))")
    }

    static let leaseKnown: Set<String> = ["server", "op", "address", "mac", "state", "expire", "durable"]

    static func describeLease(_ r: InspectedRecord) -> String {
        let server = "lease " + (r.text("server") ?? "?")
        var parts: [String] = [r.text("op") ?? "?"]
        if let address = r.text("address") { parts.append(address) }
        if let mac = r.text("mac") { parts.append("owner \(mac)") }
        if let state = leaseState(r) { parts.append("state \(state)") }
        // `expire` is in virtual seconds (the server's clock), comparable with the time column.
        if let expire = r["expire"]?.intValue {
            parts.append("expires \(formatTime(expire.multipliedReportingOverflow(by: 1000).partialValue))")
        } else if let expire = r.text("expire") {
            parts.append("expires \(expire)")
        }
        if let durable = r["durable"]?.boolValue { parts.append(durable ? "durable" : "NOT durable yet") }
        let more = extras(r, known: leaseKnown)
        return "\(server)  " + parts.joined(separator: " ") + (more.isEmpty ? "" : "  (\(more))")
    }

    /// Kea's lease states by name: 0 default, 1 declined, 2 expired-reclaimed.
    static func leaseState(_ r: InspectedRecord) -> String? {
        switch r["state"]?.intValue {
        case 0: return "default"
        case 1: return "declined"
        case 2: return "expired-reclaimed"
        default: return r.text("state")
        }
    }

    static let clientKnown: Set<String> = ["mac", "state", "address", "note"]

    static func describeClient(_ r: InspectedRecord) -> String {
        var s = "client \(r.text("mac") ?? "?")  => \(r.text("state") ?? "?")"
        if let address = r.text("address") { s += " \(address)" }
        var notes: [String] = []
        if let note = r.text("note") { notes.append(note) }
        let more = extras(r, known: clientKnown)
        if !more.isEmpty { notes.append(more) }
        if !notes.isEmpty { s += "  (" + notes.joined(separator: "; ") + ")" }
        return s
    }

    static let faultKnown: Set<String> = ["fault", "target", "detail"]

    static func describeFault(_ r: InspectedRecord) -> String {
        var s = words("FAULT", r.text("fault") ?? "?", r.text("target"))
        var notes: [String] = []
        if let detail = r.text("detail") { notes.append(detail) }
        let more = extras(r, known: faultKnown)
        if !more.isEmpty { notes.append(more) }
        if !notes.isEmpty { s += "  (" + notes.joined(separator: "; ") + ")" }
        return s
    }

    static let invariantKnown: Set<String> = ["ok", "checked", "invariant", "detail"]

    static func describeInvariant(_ r: InspectedRecord) -> String {
        let checked = r.text("checked").map { " (\($0) events checked)" } ?? ""
        let more = extras(r, known: invariantKnown)
        let tail = more.isEmpty ? "" : "  (\(more))"
        if r["ok"]?.boolValue == false {
            let name = r.text("invariant") ?? "?"
            let detail = r.text("detail").map { ": \($0)" } ?? ""
            return "INVARIANT VIOLATED \(name)\(detail)\(checked)\(tail)"
        }
        return "invariants ok\(checked)\(tail)"
    }
}
