import KakapoCore

/// The virtual DHCP-DDNS side of a world: Core's `D2Engine` (kea-dhcp-ddns without I/O) and a
/// DNS server holding Core's `DNSZoneData`, reached over simulated UDP with the `ddns` section's
/// latency and loss. Name-change requests are never retried (Kea sends them once, over UDP);
/// DNS updates are retried by the D2 after `dns-server-timeout`.
final class SimDDNS {
    let spec: DDNSSpec
    var d2: D2Engine
    var zone: DNSZoneData
    var rng: SimRandom
    /// Datagrams (NCRs and DNS) scheduled and not yet delivered.
    var inFlight = 0
    /// Bumped on every DDNS happening: a quiet check fires only if nothing happened since.
    var activity: UInt64 = 0
    var deadlineGeneration: UInt64 = 0
    var scheduledDeadline: Int64?
    /// Names (lower-case, no trailing dot) and addresses whose DNS state Kea's protocol may
    /// leave wrong: an NCR about them was lost on the way to the D2, or the D2 dropped it or
    /// failed its transaction (no more DNS servers to try). Kea never retries either. Once
    /// tainted, a name or address stays tolerated for the rest of the run.
    var taintedNames: Set<String> = []
    var taintedAddresses: Set<IPv4Address> = []
    /// Every request the D2 took, by request ID (its DHCID in hex), to taint on failure.
    var requestsByID: [String: [NameChangeRequest]] = [:]
    /// When `dns-matches-leases` last ran: it runs at most once per `checkSpacing` of virtual
    /// time (a quiet period that ends sooner waits for the spacing, if still quiet then).
    var lastCheck: Int64 = -1_000_000_000
    static let checkSpacingMilliseconds: Int64 = 30_000
    var ncrSent = 0, ncrLost = 0, updates = 0, failedTransactions = 0, checks = 0

    init(spec: DDNSSpec, d2: D2Engine, zone: DNSZoneData, rng: SimRandom) {
        self.spec = spec
        self.d2 = d2
        self.zone = zone
        self.rng = rng
    }

    var settled: Bool { inFlight == 0 && d2.queue.isEmpty && d2.transactionCount == 0 }

    func taint(_ r: NameChangeRequest) {
        taintedNames.insert(SimDDNS.key(r.fqdn))
        if let a = IPv4Address(r.address) { taintedAddresses.insert(a) }
    }

    /// The D2's request ID: the DHCID in upper-case hex.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789ABCDEF")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// A name as the invariant compares it: lower-case, without the trailing dot.
    static func key(_ name: String) -> String {
        var n = name.lowercased()
        if n.hasSuffix(".") { n.removeLast() }
        return n
    }
}

extension World {
    func buildDDNS(_ spec: DDNSSpec) throws(SimSetupError) {
        let text = """
            { "DhcpDdns": { "ip-address": "\(spec.address)", "port": 53001, "dns-server-timeout": \(spec.timeoutMilliseconds),
              "forward-ddns": { "ddns-domains": [ { "name": "\(spec.forwardZone)", "dns-servers": [ { "ip-address": "\(spec.dnsServer)" } ] } ] },
              "reverse-ddns": { "ddns-domains": [ { "name": "\(spec.reverseZone)", "dns-servers": [ { "ip-address": "\(spec.dnsServer)" } ] } ] } } }
            """
        let config: D2Config
        do { config = try D2ConfigDecoder.decode(text: text, file: "ddns") } catch {
            throw SimSetupError("ddns: \(error.message)")
        }
        let zones: [DNSName]
        do { zones = [try DNSName(spec.forwardZone), try DNSName(spec.reverseZone)] } catch {
            throw SimSetupError("ddns: \(error)")
        }
        var seedRNG = SimRandom.stream(seed: seed, subsystem: 9)
        let d2 = D2Engine(config: config, hmac: { _, _, _ in [] }, seed: seedRNG.next(), now: ddnsNow)
        ddns = SimDDNS(spec: spec, d2: d2, zone: DNSZoneData(zones: zones), rng: SimRandom.stream(seed: seed, subsystem: 8))
    }

    /// The D2's and DNS server's clock (they never crash or jump).
    var ddnsNow: Now {
        Now(wall: WallTime(secondsSinceEpoch: SimServer.epochBase + now / 1000), monotonic: MonotonicInstant(milliseconds: now))
    }

    func ddnsDelay(_ d: SimDDNS) -> Int64 {
        max(0, d.spec.latencyMilliseconds) + d.rng.between(0, max(0, d.spec.jitterMilliseconds))
    }

    func touch(_ d: SimDDNS) {
        d.activity &+= 1
        if d.settled && scenario.expectations.invariants {
            queue.push(now + d.spec.quietMilliseconds, .ddnsQuiet(d.activity))
        }
    }

    func traceNCR(_ event: String, _ r: NameChangeRequest, server: String?) {
        var f: [(String, TraceValue)] = [("event", .string(event))]
        if let server { f.append(("server", .string(server))) }
        f += [("type", .string(r.changeType == .add ? "add" : "remove")), ("fqdn", .string(r.fqdn)),
              ("address", .string(r.address)), ("fwd", .bool(r.forward)), ("rev", .bool(r.reverse))]
        record("ncr", f)
    }

    /// A DHCP server's name-change request, over UDP to the D2.
    func sendNCR(_ r: NameChangeRequest, from s: Int) {
        guard let d = ddns else { return }
        d.ncrSent += 1
        if d.rng.chance(d.spec.ncrLoss) {
            d.ncrLost += 1
            d.taint(r)
            if tracing { traceNCR("drop", r, server: servers[s].spec.name) }
            return
        }
        if tracing { traceNCR("send", r, server: servers[s].spec.name) }
        d.inFlight += 1
        d.activity &+= 1
        queue.push(now + ddnsDelay(d), .ncrToD2(bytes: r.wire))
    }

    func d2Receive(_ bytes: [UInt8]) {
        guard let d = ddns else { return }
        d.inFlight -= 1
        let request = NameChangeRequest.decode(wire: bytes)
        let effects = d.d2.receive(request: bytes, now: ddnsNow)
        if case .success(let r) = request {
            if tracing { traceNCR("receive", r, server: nil) }
            if effects.contains(where: { if case .log(.queued) = $0 { true } else { false } }) {
                d.requestsByID[SimDDNS.hex(r.dhcid), default: []].append(r)
            } else {
                d.taint(r)   // the queue was full
            }
        }
        d2Carry(effects, d)
    }

    /// The D2's effects: DNS datagrams onto the network, failures noted.
    func d2Carry(_ effects: [D2Effect], _ d: SimDDNS) {
        for e in effects {
            switch e {
            case .sendDNS(let wire, _, _, _):
                if d.rng.chance(d.spec.dnsLoss) {
                    if tracing { traceDNS("drop", wire, rcode: nil) }
                    continue
                }
                d.inFlight += 1
                queue.push(now + ddnsDelay(d), .dnsToServer(bytes: wire))
            case .log(let event):
                switch event {
                case .failed(_, let id, _), .requestDropped(let id, _):
                    d.failedTransactions += 1
                    for r in d.requestsByID[id] ?? [] { d.taint(r) }
                    if tracing { record("d2", [("event", .string("failed")), ("request", .string(id))]) }
                case .noMatch(_, let id, _):
                    for r in d.requestsByID[id] ?? [] { d.taint(r) }
                case .succeeded(let add, let id, _):
                    if tracing { record("d2", [("event", .string(add ? "added" : "removed")), ("request", .string(id))]) }
                default: break
                }
            }
        }
        scheduleD2Deadline(d)
        touch(d)
    }

    func traceDNS(_ event: String, _ wire: [UInt8], rcode: DNSRcode?) {
        var f: [(String, TraceValue)] = [("event", .string(event))]
        if case .success(let m) = DNSMessage.decode(wire) {
            f.append(("id", .int(Int64(m.id))))
            if let q = m.questions.first { f.append(("zone", .string(q.name.description))) }
            let ops = m.updates.map { u -> String in
                let op = u.rrClass == .in ? "add" : "delete"
                return "\(op) \(u.name) \(u.type)"
            }
            if !ops.isEmpty { f.append(("updates", .string(ops.joined(separator: "; ")))) }
            // The address the update is about (for `kakapo-sim trace --address`): an A record's
            // data, else a reverse owner name.
            var address: IPv4Address?
            for u in m.updates where address == nil {
                if case .a(let a) = u.data { address = a } else { address = World.address(reverse: SimDDNS.key(u.name.description)) }
            }
            if let address { f.append(("address", .string(address.description))) }
        }
        if let rcode { f.append(("rcode", .string(rcode.description))) }
        record("dns", f)
    }

    /// The DNS server: applies the update (RFC 2136) and answers with its RCODE.
    func dnsServerReceive(_ bytes: [UInt8]) {
        guard let d = ddns else { return }
        d.inFlight -= 1
        d.activity &+= 1
        guard case .success(let m) = DNSMessage.decode(bytes) else { return }
        d.updates += 1
        let onlyDeletes = !m.updates.isEmpty && m.updates.allSatisfy { $0.rrClass != .in }
        let rcode = d.spec.dropRemoves && onlyDeletes ? .noError : d.zone.apply(m)
        if tracing { traceDNS("update", bytes, rcode: rcode) }
        var reply = DNSMessage(id: m.id, isResponse: true, opcode: .update)
        reply.questions = m.questions
        reply.rcode = rcode
        if d.rng.chance(d.spec.dnsLoss) {
            if tracing { traceDNS("drop-reply", bytes, rcode: rcode) }
            touch(d)
            return
        }
        d.inFlight += 1
        queue.push(now + ddnsDelay(d), .dnsToD2(bytes: reply.encode()))
    }

    func d2ReceiveDNS(_ bytes: [UInt8]) {
        guard let d = ddns else { return }
        d.inFlight -= 1
        d2Carry(d.d2.receive(dns: bytes, from: .v4(d.spec.dnsServer), port: 53, now: ddnsNow), d)
    }

    func scheduleD2Deadline(_ d: SimDDNS) {
        guard let at = d.d2.nextDeadline else { return }
        let when = max(now, at.milliseconds)
        guard d.scheduledDeadline != when else { return }
        d.scheduledDeadline = when
        d.deadlineGeneration &+= 1
        queue.push(when, .d2Deadline(d.deadlineGeneration))
    }

    func d2Deadline(_ gen: UInt64) {
        guard let d = ddns, d.deadlineGeneration == gen else { return }
        d.scheduledDeadline = nil
        d2Carry(d.d2.expire(now: ddnsNow), d)
    }

    /// A quiet period ended: if nothing DDNS happened since it began, DNS must match the leases.
    func ddnsQuiet(_ gen: UInt64) {
        guard let d = ddns, d.activity == gen, d.settled else { return }
        let due = d.lastCheck + SimDDNS.checkSpacingMilliseconds
        if now < due {
            queue.push(due, .ddnsQuiet(gen))
            return
        }
        d.lastCheck = now
        checkDNSMatchesLeases()
    }
}
