/// What the DHCP-DDNS engine asks the shell to do.
public enum D2Effect: Sendable, Equatable {
    /// Send `wire` (encoded, signed when the server has a key) to the DNS server. If sending
    /// fails, the shell calls `D2Engine.sendFailed(exchange:now:)`.
    case sendDNS([UInt8], to: IPAddress, port: UInt16, exchange: UInt64)
    case log(D2Event)
}

/// Kea's DHCP-DDNS daemon (kea-dhcp-ddns, "D2") without I/O: name-change requests come in
/// as datagrams, wait in a bounded queue (Kea's D2QueueMgr), and are carried out by at most
/// `transactionsMax` `D2Transaction`s at once (Kea's D2UpdateMgr), one per client: a request
/// whose DHCID or FQDN already has a transaction waits for it to end. Each DNS exchange gets
/// a message ID from the engine's seeded generator and a deadline `dns-server-timeout` away;
/// answers are matched by ID and server, their TSIG checked (an unsigned or badly signed
/// answer to a signed update is an error, as in Kea), and their RCODE fed to the transaction.
/// The clock is the caller's (`Now`); TSIG's time signed is `now.wall`.
public struct D2Engine: Sendable {
    /// Kea's D2QueueMgr default maximum queue size.
    public static let defaultQueueMax = 1024
    /// Kea's D2UpdateMgr default maximum concurrent transactions.
    public static let defaultTransactionsMax = 32

    public private(set) var config: D2Config
    public let queueMax: Int
    public let transactionsMax: Int
    let hmac: HMACFunction
    var random: EngineRandom
    /// Requests received and not yet started, oldest first.
    public private(set) var queue: [NameChangeRequest] = []
    var running: [Running] = []
    var nextExchange: UInt64 = 1
    /// Whether the queue filled up and Kea's listener would have stopped.
    public private(set) var queueIsFull = false
    public var statistics: D2Statistics

    struct Running: Sendable {
        var transaction: D2Transaction
        let requestID: String
        var outstanding: Outstanding?
    }

    /// The one DNS exchange a transaction waits on.
    struct Outstanding: Sendable {
        var exchange: UInt64
        var id: UInt16
        var server: D2DNSServer
        var step: D2Transaction.Step
        var requestMAC: [UInt8]
        var deadline: MonotonicInstant
    }

    public init(config: D2Config, hmac: @escaping HMACFunction, seed: UInt64, now: Now,
                queueMax: Int = D2Engine.defaultQueueMax, transactionsMax: Int = D2Engine.defaultTransactionsMax) {
        self.config = config
        self.hmac = hmac
        random = EngineRandom(seed: seed)
        self.queueMax = max(1, queueMax)
        self.transactionsMax = max(1, transactionsMax)
        statistics = D2Statistics(keys: config.tsigKeys.map(\.key.name.description), now: now.wall)
    }

    /// Requests being carried out.
    public var transactionCount: Int { running.count }

    /// Whether the shell should read the request socket: Kea's listener stops when the queue
    /// fills up and resumes once it is down to 80% of its maximum (Kea's QUEUE_RESTART_PERCENT).
    public var acceptsRequests: Bool { !queueIsFull && queue.count < queueMax }

    /// The queue size at which reading resumes after the queue filled up.
    public var resumeThreshold: Int { queueMax * 4 / 5 }

    /// The earliest DNS exchange deadline.
    public var nextDeadline: MonotonicInstant? { running.compactMap { $0.outstanding?.deadline }.min() }

    /// A new configuration: queued requests and running transactions carry on (a transaction
    /// keeps the domains it started with); new keys get their statistics.
    public mutating func reconfigure(_ c: D2Config, now: Now) {
        config = c
        for k in c.tsigKeys where statistics.sample(named: D2Statistics.keyStat(k.key, "update-sent")) == nil {
            statistics.addKey(k.key.name.description, now: now.wall)
        }
    }

    /// Reading the request socket failed (Kea's ncr-error).
    public mutating func receiveFailed(now: Now) {
        statistics.count("ncr-error", now: now.wall)
    }

    // MARK: - Requests

    /// One datagram from a DHCP server: length prefix and JSON (`ncr-format` JSON over UDP).
    public mutating func receive(request wire: [UInt8], now: Now) -> [D2Effect] {
        var effects: [D2Effect] = []
        let ncr: NameChangeRequest
        switch NameChangeRequest.decode(wire: wire) {
        case .failure(let e):
            statistics.count("ncr-invalid", now: now.wall)
            effects.append(.log(.invalidNCR(reason: e.message)))
            return effects
        case .success(let r): ncr = r
        }
        guard queue.count < queueMax else {
            effects.append(.log(.queueFull(max: queueMax)))
            return effects
        }
        statistics.count("ncr-received", now: now.wall)
        queue.append(ncr)
        effects.append(.log(.queued(requestID: Self.requestID(ncr))))
        if queue.count >= queueMax && !queueIsFull {
            queueIsFull = true
            effects.append(.log(.queueFull(max: queueMax)))
        }
        pump(now: now, &effects)
        return effects
    }

    /// Kea's request ID: the DHCID in hex.
    static func requestID(_ r: NameChangeRequest) -> String { NameChangeRequest.hex(r.dhcid) }

    /// Starts queued requests while there is room (Kea's D2UpdateMgr::sweep). Bounded: each
    /// turn of the loop starts a transaction (at most `transactionsMax`) or drops a request.
    mutating func pump(now: Now, _ effects: inout [D2Effect]) {
        while !queue.isEmpty {
            guard running.count < transactionsMax else {
                effects.append(.log(.atMaxTransactions(queued: queue.count, max: transactionsMax)))
                break
            }
            guard let i = queue.firstIndex(where: { r in
                !running.contains { $0.transaction.request.dhcid == r.dhcid || $0.transaction.request.fqdn == r.fqdn }
            }) else {
                effects.append(.log(.noEligibleJobs(queued: queue.count, transactions: running.count)))
                break
            }
            let r = queue.remove(at: i)
            start(r, now: now, &effects)
        }
        if queueIsFull && queue.count <= resumeThreshold {
            queueIsFull = false
            effects.append(.log(.queueResuming(size: resumeThreshold, max: queueMax)))
        }
    }

    /// Kea's D2UpdateMgr::makeTransaction: a direction without domains is ignored; a name
    /// without a matching domain fails the request before any DNS traffic.
    mutating func start(_ request: NameChangeRequest, now: Now, _ effects: inout [D2Effect]) {
        var r = request
        let rid = Self.requestID(r)
        if r.forward && config.forwardDomains.isEmpty {
            effects.append(.log(.forwardIgnored(requestID: rid, request: r.keaText)))
            r.forward = false
        }
        if r.reverse && config.reverseDomains.isEmpty {
            effects.append(.log(.reverseIgnored(requestID: rid, request: r.keaText)))
            r.reverse = false
        }
        guard r.forward || r.reverse else {
            effects.append(.log(.requestDropped(requestID: rid, request: r.keaText)))
            return
        }
        var t: D2Transaction
        do { t = try D2Transaction(r, config: config) } catch {
            if case .noMatchingDomain(let forward)? = error.outcome {
                let name: String
                if forward { name = r.fqdn } else if let a = IPAddress(r.address) {
                    switch a {
                    case .v4(let v4): name = DNSName.reverse(v4).description
                    case .v6(let v6): name = DNSName.reverse(v6).description
                    }
                } else { name = r.address }
                effects.append(.log(.noMatch(forward: forward, requestID: rid, name: name)))
            } else {
                effects.append(.log(.invalidNCR(reason: error.message)))
            }
            return
        }
        effects.append(.log(.startingTransaction(requestID: rid)))
        let id = drawID()
        let action = t.start(id: id)
        running.append(Running(transaction: t, requestID: rid, outstanding: nil))
        perform(action, at: running.count - 1, id: id, now: now, &effects)
    }

    /// A message ID no outstanding exchange uses. At most `transactionsMax` (32) of the 65536
    /// IDs are taken, so a draw is free with probability above 99.9%; the loop ends quickly.
    mutating func drawID() -> UInt16 {
        while true {
            let id = UInt16(truncatingIfNeeded: random.next())
            if !running.contains(where: { $0.outstanding?.id == id }) { return id }
        }
    }

    /// Carries out a transaction's next action: sends (signed when the server has a key) or
    /// ends it. `id` is the ID the action's message was built with.
    mutating func perform(_ action: D2Transaction.Action, at i: Int, id: UInt16, now: Now, _ effects: inout [D2Effect]) {
        switch action {
        case .send(let message, let server, let key):
            let wire: [UInt8], mac: [UInt8]
            if let key {
                (wire, mac) = TSIG.sign(message, key: key, timeSigned: UInt64(max(0, now.wall.secondsSinceEpoch)), hmac: hmac)
            } else {
                (wire, mac) = (message.encode(), [])
            }
            let step = running[i].transaction.step ?? .addingForward
            let exchange = nextExchange
            nextExchange += 1
            running[i].outstanding = Outstanding(
                exchange: exchange, id: id, server: server, step: step, requestMAC: mac,
                deadline: now.monotonic + Milliseconds(Int64(config.dnsServerTimeoutMilliseconds)))
            count("update-sent", key: key, now: now)
            statistics.count(key == nil ? "update-unsigned" : "update-signed", now: now.wall)
            effects.append(.log(.updateSent(requestID: running[i].requestID, step: step, server: server)))
            effects.append(.sendDNS(wire, to: server.address, port: server.port, exchange: exchange))
        case .finished(let outcome):
            let r = running.remove(at: i)
            let add = r.transaction.request.changeType == .add
            switch outcome {
            case .succeeded:
                effects.append(.log(.succeeded(add: add, requestID: r.requestID, request: r.transaction.request.keaText)))
            case .rejected(let step, let server, let rcode):
                effects.append(.log(.rejected(requestID: r.requestID, step: step, server: server, fqdn: r.transaction.request.fqdn, rcode: rcode)))
                effects.append(.log(.failed(add: add, requestID: r.requestID, outcome: Self.outcomeText(r.transaction, event: "UPDATE_FAILED_EVT"))))
            case .noServerAnswered:
                effects.append(.log(.failed(add: add, requestID: r.requestID, outcome: Self.outcomeText(r.transaction, event: "NO_MORE_SERVERS_EVT"))))
            case .noMatchingDomain:
                effects.append(.log(.failed(add: add, requestID: r.requestID, outcome: Self.outcomeText(r.transaction, event: "UPDATE_FAILED_EVT"))))
            }
        }
    }

    /// Kea's transaction outcome text (NameChangeTransaction::transactionOutcomeString): the
    /// event that ended it, each direction the request asked for, then the request.
    static func outcomeText(_ t: D2Transaction, event: String) -> String {
        var text = "Status: Failed, Event: \(event),  "
        if t.request.forward { text += "Forward change: \(t.forwardDone ? "completed" : "failed"),  " }
        if t.request.reverse { text += "Reverse change: \(t.reverseDone ? "completed" : "failed"),  " }
        return text + "request: \(t.request.keaText)"
    }

    /// Counts a global statistic and the key's own.
    mutating func count(_ name: String, key: TSIGKey?, now: Now) {
        statistics.count(name, now: now.wall)
        if let key { statistics.count(D2Statistics.keyStat(key, name), now: now.wall) }
    }

    // MARK: - DNS answers

    /// One datagram on the DNS socket from `source`:`port`. Anything not answering an
    /// outstanding update is dropped; a corrupt or badly signed answer counts as an error and
    /// the update is tried again (same server, then the next), as Kea does.
    public mutating func receive(dns wire: [UInt8], from source: IPAddress, port: UInt16, now: Now) -> [D2Effect] {
        var effects: [D2Effect] = []
        guard wire.count >= 12 else {
            effects.append(.log(.invalidResponse(reason: "\(wire.count) octets from \(source) port \(port), shorter than a DNS header")))
            return effects
        }
        let id = UInt16(wire[0]) << 8 | UInt16(wire[1])
        guard let i = running.firstIndex(where: {
            $0.outstanding.map { $0.id == id && $0.server.address == source && $0.server.port == port } ?? false
        }), let out = running[i].outstanding else {
            effects.append(.log(.invalidResponse(reason: "no outstanding update with ID \(id) to \(source) port \(port)")))
            return effects
        }
        let key = out.server.key
        var problem: String?
        var rcode = DNSRcode.noError
        switch DNSMessage.decode(wire) {
        case .failure(let e): problem = e.description
        case .success(let m):
            if !m.isResponse || m.opcode != .update {
                problem = "not a response to an UPDATE"
            } else if let key {
                let verdict = TSIG.verify(response: wire, key: key, requestMAC: out.requestMAC,
                                          now: UInt64(max(0, now.wall.secondsSinceEpoch)), hmac: hmac)
                if verdict != .valid { problem = "TSIG verification failed: \(verdict) (server RCODE \(m.rcode))" }
            }
            rcode = m.rcode
        }
        running[i].outstanding = nil
        let rid = running[i].requestID
        let fqdn = running[i].transaction.request.fqdn
        let next = drawID()
        let action: D2Transaction.Action
        if let problem {
            count("update-error", key: key, now: now)
            effects.append(.log(.invalidResponse(reason: problem)))
            effects.append(.log(.corrupt(requestID: rid, step: out.step, server: out.server, fqdn: fqdn)))
            action = running[i].transaction.timedOut(id: next)
        } else {
            count("update-success", key: key, now: now)
            effects.append(.log(.responseReceived(requestID: rid, server: out.server, rcode: rcode)))
            action = running[i].transaction.received(rcode, id: next)
        }
        perform(action, at: i, id: next, now: now, &effects)
        pump(now: now, &effects)
        return effects
    }

    /// Ends the exchanges whose deadline has come: each is an update-timeout, and the update
    /// is tried again (same server, then the next).
    public mutating func expire(now: Now) -> [D2Effect] {
        var effects: [D2Effect] = []
        let due = running.compactMap { $0.outstanding }.filter { $0.deadline <= now.monotonic }.map(\.exchange)
        for exchange in due {
            guard let i = running.firstIndex(where: { $0.outstanding?.exchange == exchange }), let out = running[i].outstanding else { continue }
            count("update-timeout", key: out.server.key, now: now)
            effects.append(.log(.timedOut(requestID: running[i].requestID, step: out.step, server: out.server,
                                          fqdn: running[i].transaction.request.fqdn)))
            running[i].outstanding = nil
            let next = drawID()
            let action = running[i].transaction.timedOut(id: next)
            perform(action, at: i, id: next, now: now, &effects)
        }
        pump(now: now, &effects)
        return effects
    }

    /// The shell could not send `exchange` (an I/O error): counted as an update-error and
    /// tried again as after a timeout.
    public mutating func sendFailed(exchange: UInt64, now: Now) -> [D2Effect] {
        var effects: [D2Effect] = []
        guard let i = running.firstIndex(where: { $0.outstanding?.exchange == exchange }), let out = running[i].outstanding else { return effects }
        count("update-error", key: out.server.key, now: now)
        effects.append(.log(.ioError(requestID: running[i].requestID, step: out.step, server: out.server,
                                     fqdn: running[i].transaction.request.fqdn)))
        running[i].outstanding = nil
        let next = drawID()
        let action = running[i].transaction.timedOut(id: next)
        perform(action, at: i, id: next, now: now, &effects)
        pump(now: now, &effects)
        return effects
    }
}
