import KakapoCore

/// One client's records as a story: grouped into exchanges (DORA, renew, rebind, INIT-REBOOT,
/// decline, release, leave), each headed by what came of it and why.
///
/// Grouping follows the client: an exchange starts when the client sends the first message of
/// one (a DISCOVER, a REQUEST with a new xid, a DECLINE, a RELEASE) or enters the state that
/// begins one (SELECTING, INIT-REBOOT, RENEWING, REBINDING, DECLINED, LEFT), whichever the trace
/// writes first; it ends at BOUND, at a NAK, or when the next one starts. Server replies join
/// the exchange whose xid they carry; decisions and lease changes join the open exchange.
/// Records that fit none (a lease reclaimed while the client sleeps) stand alone, in order.
struct ClientView: TraceView {
    enum Kind: String {
        case dora = "DORA", renew = "RENEW", rebind = "REBIND", reboot = "INIT-REBOOT"
        case decline = "DECLINE", release = "RELEASE", leave = "LEAVE", inform = "INFORM"
        case other = "EXCHANGE"
    }

    struct Exchange {
        var kind: Kind
        var start: Int64
        var end: Int64
        var openedBySend: Bool
        var xids: [String] = []
        var lines: [String] = []
        var settled = false
        var outcome: String?
        var sent = Counter()
        var received = Counter()
        var drops = Counter()
        var failures = Counter()
        var nakReason: String?
        var statesSeen: Set<String> = []
        var offers = 0
        var acks = 0
        var ackAddress: String?
        var ackServer: String?
        var address: String?

        init(kind: Kind, start: Int64, openedBySend: Bool) {
            self.kind = kind
            self.start = start
            self.end = start
            self.openedBySend = openedBySend
        }
    }

    enum Item {
        case exchange(Exchange)
        case single(String)
    }

    let filter: Filter
    let mac: String
    let node: String
    var selected = 0
    var items: [Item] = []
    var current: Exchange?
    var lastState: String?
    var records = 0
    var firstSeen: Int64?
    var lastSeen: Int64?
    var firstDiscover: Int64?
    var firstBound: Int64?
    var boundAddress: String?
    var naks = 0
    var drops = 0
    var kinds = Counter()

    init(filter: Filter) {
        self.filter = filter
        self.mac = filter.mac ?? ""
        self.node = "client:" + (filter.mac ?? "")
    }

    static let indent = "    "

    mutating func consume(_ r: InspectedRecord) {
        guard Filter.concerns(r, mac: mac) else { return }
        records += 1
        if firstSeen == nil { firstSeen = r.time }
        lastSeen = r.time
        var line: String?
        if filter.inWindow(r), filter.address.map({ Filter.mentions(r, address: $0) }) ?? true {
            selected += 1
            line = TraceInspector.timelineLine(r, indent: ClientView.indent)
        }
        switch r.kind {
        case "datagram": datagram(r, line)
        case "client": state(r, line)
        case "decision": decision(r, line)
        case "lease": loose(r, line)
        default: single(line)
        }
    }

    // MARK: grouping

    private mutating func open(_ kind: Kind, at time: Int64, bySend: Bool) {
        if kind == .decline, var cur = current, cur.kind == .dora || cur.kind == .reboot, cur.outcome == nil, cur.acks > 0 {
            cur.outcome = "ACK for \(cur.ackAddress ?? "an address"), but it is in use on the link: DECLINE"
            current = cur
        }
        closeCurrent()
        current = Exchange(kind: kind, start: time, openedBySend: bySend)
        kinds.add(kind.rawValue)
    }

    private mutating func attach(_ r: InspectedRecord, _ line: String?) {
        current?.end = r.time
        if let line { current?.lines.append(line) }
    }

    /// A record outside any exchange. One that happens while an exchange is in progress is
    /// shown inside it, where it happened; otherwise the finished exchange is closed first so
    /// that the output stays in time order.
    private mutating func single(_ line: String?) {
        if let cur = current {
            if !cur.settled {
                if let line { current?.lines.append(line) }
                return
            }
            closeCurrent()
        }
        if let line { items.append(.single(line)) }
    }

    private mutating func closeCurrent() {
        if let cur = current { items.append(.exchange(cur)) }
        current = nil
    }

    /// Decisions, lease changes and passing states join an exchange in progress, or one that
    /// ended at the same instant (the lease a NAK cost, say).
    private mutating func loose(_ r: InspectedRecord, _ line: String?) {
        if let cur = current, !cur.settled || cur.end == r.time { attach(r, line) } else { single(line) }
    }

    private static func short(_ msg: String) -> String {
        msg.hasPrefix("DHCP") ? String(msg.dropFirst(4)) : msg
    }

    private mutating func datagram(_ r: InspectedRecord, _ line: String?) {
        let event = r.text("event") ?? ""
        let msg = r.text("msg") ?? "?"
        let xid = r.text("xid")
        let fromClient = r.text("from")?.lowercased() == node
        let toClient = r.text("to")?.lowercased() == node
        if event == "drop" { drops += 1 }
        if fromClient && event == "send" {
            clientSend(r, msg: msg, xid: xid, line)
            return
        }
        guard var cur = current,
              xid.map({ cur.xids.contains($0) }) ?? !cur.settled else {
            if toClient && event == "deliver" && msg == "DHCPNAK" { naks += 1 }
            single(line)
            return
        }
        switch event {
        case "drop":
            cur.drops.add(r.text("reason") ?? "no reason given")
        case "deliver" where toClient:
            cur.received.add(ClientView.short(msg))
            switch msg {
            case "DHCPOFFER": cur.offers += 1
            case "DHCPACK":
                cur.acks += 1
                cur.ackAddress = r.text("yiaddr") ?? cur.ackAddress
                cur.ackServer = r.text("from").map(TraceInspector.node) ?? cur.ackServer
            case "DHCPNAK":
                naks += 1
                if !cur.settled {
                    let from = r.text("from").map { " from " + TraceInspector.node($0) } ?? ""
                    cur.outcome = "NAK" + from + (cur.nakReason.map { ": \($0)" } ?? "")
                    cur.settled = true
                }
            default: break
            }
        default: break
        }
        current = cur
        attach(r, line)
    }

    private static func continues(_ kind: Kind, _ msg: String) -> Bool {
        switch kind {
        case .dora: return msg == "DHCPDISCOVER" || msg == "DHCPREQUEST"
        case .renew, .rebind, .reboot: return msg == "DHCPREQUEST"
        case .decline: return msg == "DHCPDECLINE"
        case .release, .leave: return msg == "DHCPRELEASE"
        case .inform: return msg == "DHCPINFORM"
        case .other: return true
        }
    }

    private mutating func clientSend(_ r: InspectedRecord, msg: String, xid: String?, _ line: String?) {
        if msg == "DHCPDISCOVER", firstDiscover == nil { firstDiscover = r.time }
        if var cur = current, !cur.settled, ClientView.continues(cur.kind, msg),
           xid == nil || cur.xids.isEmpty || cur.xids.contains(xid!) {
            if let xid, !cur.xids.contains(xid) { cur.xids.append(xid) }
            if cur.kind == .leave { cur.kind = .release }
            if cur.kind == .release || cur.kind == .decline {
                cur.address = cur.address ?? r.text(cur.kind == .release ? "ciaddr" : "requested")
            }
            cur.sent.add(ClientView.short(msg))
            current = cur
            attach(r, line)
            return
        }
        let kind: Kind
        switch msg {
        case "DHCPDISCOVER": kind = .dora
        case "DHCPDECLINE": kind = .decline
        case "DHCPRELEASE": kind = .release
        case "DHCPINFORM": kind = .inform
        case "DHCPREQUEST": kind = requestKind(r)
        default: kind = .other
        }
        open(kind, at: r.time, bySend: true)
        if let xid { current?.xids.append(xid) }
        current?.sent.add(ClientView.short(msg))
        if kind == .release { current?.address = r.text("ciaddr") }
        if kind == .decline { current?.address = r.text("requested") }
        attach(r, line)
    }

    /// What a REQUEST with a new xid starts: from the client's state when the trace wrote the
    /// state first, else from the fields (RFC 2131 table 5).
    private func requestKind(_ r: InspectedRecord) -> Kind {
        switch lastState?.uppercased() {
        case "RENEWING": return .renew
        case "REBINDING": return .rebind
        case "INIT-REBOOT", "REBOOTING": return .reboot
        case "SELECTING", "REQUESTING": return .dora
        default: break
        }
        let ciaddr = r.text("ciaddr").flatMap { $0 == "0.0.0.0" ? nil : $0 }
        if ciaddr != nil {
            let to = r.text("to") ?? ""
            return to == "unicast" || to.hasPrefix("server:") ? .renew : .rebind
        }
        if r.text("requested") != nil { return r.text("server_id") != nil ? .dora : .reboot }
        return .other
    }

    private static func stateKind(_ state: String) -> Kind? {
        switch state {
        case "INIT", "SELECTING": return .dora
        case "INIT-REBOOT", "REBOOTING": return .reboot
        case "RENEWING": return .renew
        case "REBINDING": return .rebind
        case "DECLINED": return .decline
        case "LEFT": return .leave
        default: return nil
        }
    }

    private static let requestKinds: Set<String> = ["DORA", "RENEW", "REBIND", "INIT-REBOOT"]

    private mutating func state(_ r: InspectedRecord, _ line: String?) {
        let s = (r.text("state") ?? "?").uppercased()
        lastState = s
        if s == "BOUND" {
            if firstBound == nil { firstBound = r.time }
            boundAddress = r.text("address") ?? boundAddress
            guard var cur = current, !cur.settled else { return single(line) }
            let address = r.text("address") ?? cur.ackAddress
            let from = cur.ackServer.map { " (ACK from \($0))" } ?? ""
            cur.outcome = "BOUND" + (address.map { " \($0)" } ?? "") + from
            cur.settled = true
            cur.statesSeen.insert(s)
            current = cur
            attach(r, line)
            return
        }
        guard let kind = ClientView.stateKind(s) else {
            if s == "REQUESTING" || s == "LOST" { return loose(r, line) }
            // ARRIVED, REBOOT and the like: part of an exchange in progress, else a line of
            // their own between exchanges (after a release or a departure, not inside it).
            if let cur = current, !cur.settled, ![.release, .leave, .decline].contains(cur.kind) {
                return attach(r, line)
            }
            closeCurrent()
            return single(line)
        }
        if var cur = current, !cur.settled {
            var joins = false
            if cur.kind == kind && !cur.statesSeen.contains(s) {
                joins = !(s == "INIT" && cur.statesSeen.contains("SELECTING"))
            } else if cur.kind == .release && kind == .leave {
                joins = true
            } else if cur.openedBySend, cur.start == r.time, cur.statesSeen.isEmpty,
                      ClientView.requestKinds.contains(cur.kind.rawValue),
                      ClientView.requestKinds.contains(kind.rawValue) {
                // The trace wrote the send before the state change: the state names the exchange.
                kinds.remove(cur.kind.rawValue)
                cur.kind = kind
                kinds.add(kind.rawValue)
                joins = true
            }
            if joins {
                cur.statesSeen.insert(s)
                current = cur
                attach(r, line)
                return
            }
        } else if var cur = current, cur.kind == kind, cur.openedBySend, cur.start == r.time, !cur.statesSeen.contains(s) {
            cur.statesSeen.insert(s)
            current = cur
            attach(r, line)
            return
        }
        open(kind, at: r.time, bySend: false)
        current?.statesSeen.insert(s)
        attach(r, line)
    }

    private mutating func decision(_ r: InspectedRecord, _ line: String?) {
        guard var cur = current, !cur.settled || cur.end == r.time else { return single(line) }
        let event = r.text("event") ?? "?"
        let server = r.text("server").map { "server \($0)" } ?? "server"
        let reason = r.text("reason")
        switch event {
        case "nak":
            cur.nakReason = reason ?? cur.nakReason
        case "allocation-failed":
            cur.failures.add("\(server): no address" + (reason.map { ", \($0)" } ?? ""))
        case "dropped":
            cur.failures.add("\(server) dropped it" + (reason.map { ": \($0)" } ?? ""))
        default:
            break
        }
        current = cur
        attach(r, line)
    }

    // MARK: output

    mutating func finish(malformedLines: Int, diagnostics: [String]) -> String {
        if let cur = current {
            items.append(.exchange(cur))
            current = nil
        }
        var out = "client \(mac)"
        let window = filter.windowText
        guard records > 0, let firstSeen, let lastSeen else {
            return out + ": no records" + (window.isEmpty ? "" : " (in the whole trace)") + "\n"
        }
        out += ": \(records) record\(records == 1 ? "" : "s") from \(TraceInspector.formatTime(firstSeen))"
        out += " to \(TraceInspector.formatTime(lastSeen))"
        if let address = filter.address { out += ", showing those about \(address)" }
        if !window.isEmpty { out += ", showing \(window)" }
        out += "\n"
        let exchanges = kinds.total
        if exchanges > 0 {
            out += "  \(exchanges) exchange\(exchanges == 1 ? "" : "s"): " + kinds.inline() + "\n"
        }
        var facts: [String] = []
        if let firstDiscover { facts.append("first DISCOVER at \(TraceInspector.formatTime(firstDiscover))") }
        if let firstBound {
            var s = "first BOUND at \(TraceInspector.formatTime(firstBound))"
            if let firstDiscover, firstBound >= firstDiscover {
                s += " (\(TraceInspector.formatDuration(firstBound - firstDiscover)) after the first DISCOVER)"
            }
            facts.append(s)
        } else {
            facts.append("never BOUND")
        }
        if !facts.isEmpty { out += "  " + facts.joined(separator: ", ") + "\n" }
        var last: [String] = []
        if let lastState { last.append("last state \(lastState)") }
        if let boundAddress { last.append("last bound address \(boundAddress)") }
        last.append("NAKs received \(naks)")
        last.append("datagrams dropped \(drops)")
        out += "  " + last.joined(separator: ", ") + "\n"

        var previousWasExchange = false
        var shown = 0
        for (index, item) in items.enumerated() {
            switch item {
            case .single(let line):
                if previousWasExchange || shown == 0 { out += "\n" }
                out += line + "\n"
                previousWasExchange = false
                shown += 1
            case .exchange(let ex):
                guard !ex.lines.isEmpty else { continue }
                let next = items[(index + 1)...].lazy.compactMap { item -> Kind? in
                    if case .exchange(let e) = item { return e.kind }
                    return nil
                }.first
                out += "\n" + ClientView.header(ex, next: next, last: index == items.count - 1)
                for line in ex.lines { out += line + "\n" }
                previousWasExchange = true
                shown += 1
            }
        }
        if shown == 0 { out += "\n  (no records \(window))\n" }
        return out
    }

    static func header(_ ex: Exchange, next: Kind?, last: Bool) -> String {
        var s = "* \(ex.kind.rawValue)  \(TraceInspector.formatTime(ex.start))"
        if ex.end > ex.start {
            s += " -> \(TraceInspector.formatTime(ex.end)) (\(TraceInspector.formatDuration(ex.end - ex.start)))"
        }
        if !ex.xids.isEmpty { s += "  xid " + ex.xids.joined(separator: ",") }
        s += ": " + outcome(ex, next: next, last: last) + "\n"
        var traffic: [String] = []
        if ex.sent.total > 0 { traffic.append("sent " + ex.sent.inline(countOne: false)) }
        if ex.received.total > 0 { traffic.append("received " + ex.received.inline(countOne: false)) }
        if ex.drops.total > 0 { traffic.append("dropped \(ex.drops.total) (" + dropText(ex.drops) + ")") }
        if !traffic.isEmpty { s += "  " + traffic.joined(separator: "; ") + "\n" }
        if ex.failures.total > 0 { s += "  " + ex.failures.inline(countOne: false, separator: "; ") + "\n" }
        return s
    }

    /// Drop reasons: "loss" for one reason, "loss 4, partition 2" for several.
    static func dropText(_ drops: Counter) -> String {
        drops.keys.count == 1 ? drops.keys[0] : drops.inline()
    }

    /// What came of an exchange; for one cut short, what happened instead and why.
    static func outcome(_ ex: Exchange, next: Kind?, last: Bool) -> String {
        if let outcome = ex.outcome { return outcome }
        var text: String
        switch ex.kind {
        case .dora:
            text = ex.acks > 0 ? "ACK for \(ex.ackAddress ?? "an address") but not BOUND"
                : ex.offers > 0 ? "OFFER received but no ACK" : "no OFFER"
        case .renew:
            text = "no reply" + (next == .rebind ? ", moving on to REBINDING" : "")
        case .rebind:
            text = "no reply" + (next == .dora ? ", lease lost: back to DISCOVER" : "")
        case .reboot:
            text = "no reply" + (next == .dora ? ", falling back to DISCOVER" : "")
        case .decline:
            return "declined " + (ex.address ?? "the address")
        case .release:
            return "released " + (ex.address ?? "the lease")
        case .leave:
            return "left without RELEASE"
        case .inform:
            text = ex.acks > 0 ? "answered" : "no reply"
        case .other:
            text = "no outcome"
        }
        if ex.kind != .inform, ex.acks == 0 {
            // The most frequent server-side reason, then what the network lost.
            var why: [String] = []
            if let top = ex.failures.byCount.first { why.append(top.key) }
            if ex.drops.total > 0 {
                why.append("\(ex.drops.total) datagram\(ex.drops.total == 1 ? "" : "s") dropped (\(dropText(ex.drops)))")
            }
            if !why.isEmpty { text += ": " + why.joined(separator: "; ") }
        }
        if next == .leave { text += " (the client left)" }
        if last && next == nil { text += " (still going at the end of the trace)" }
        return text
    }
}

/// Counts by key, remembering the order keys first appeared in.
struct Counter {
    private(set) var keys: [String] = []
    private(set) var counts: [String: Int] = [:]
    private(set) var total = 0

    mutating func add(_ key: String, _ n: Int = 1) {
        if let c = counts[key] {
            counts[key] = c + n
        } else {
            keys.append(key)
            counts[key] = n
        }
        total += n
    }

    mutating func remove(_ key: String) {
        guard let c = counts[key] else { return }
        total -= 1
        if c <= 1 {
            counts[key] = nil
            keys.removeAll { $0 == key }
        } else {
            counts[key] = c - 1
        }
    }

    subscript(_ key: String) -> Int { counts[key] ?? 0 }

    var isEmpty: Bool { keys.isEmpty }

    /// Largest first; ties in order of first appearance.
    var byCount: [(key: String, count: Int)] {
        keys.enumerated().map { (offset: $0.offset, key: $0.element, count: counts[$0.element] ?? 0) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.offset < $1.offset }
            .map { (key: $0.key, count: $0.count) }
    }

    /// "a 3, b 1" (or "a x3, b" with `countOne: false`), in order of first appearance.
    func inline(countOne: Bool = true, separator: String = ", ") -> String {
        keys.map { key in
            let c = counts[key] ?? 0
            return countOne ? "\(key) \(c)" : (c == 1 ? key : "\(key) x\(c)")
        }.joined(separator: separator)
    }
}
