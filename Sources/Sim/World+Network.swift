import KakapoCore

extension World {
    /// One crossing of a segment's link: nil when lost (or cut off), else the delays of each
    /// copy (two when duplicated). Jitter reorders datagrams.
    func leg(_ seg: Int) -> Delays? {
        // Field by field: copying the whole Segment would retain all of its arrays per datagram.
        if segments[seg].partitioned {
            counters.dropPartition += 1
            return nil
        }
        let loss = segments[seg].lossOverride ?? segments[seg].spec.link.loss
        if netRNG.chance(loss) {
            counters.dropLoss += 1
            return nil
        }
        let l = segments[seg].spec.link
        var delays = Delays(first: l.latencyMilliseconds + netRNG.between(0, l.jitterMilliseconds))
        if netRNG.chance(segments[seg].duplicationOverride ?? l.duplication) {
            counters.duplicated += 1
            delays.second = l.latencyMilliseconds + netRNG.between(0, l.jitterMilliseconds)
        }
        return delays
    }

    /// The relay-to-server hop (or back) under a relay-loss fault: false when lost.
    func relayHop(_ seg: Int) -> Bool {
        guard let p = segments[seg].relayLoss, swarmRNG.chance(p) else { return true }
        counters.dropLoss += 1
        return false
    }

    /// Whether server `s`'s storage refuses this transaction (a storage-failure fault).
    func storageRefuses(_ s: Int) -> Bool {
        guard let p = storageFailure[s] else { return false }
        return swarmRNG.chance(p)
    }

    /// The interface number of a server's relay-facing interface in `.toServer` events.
    static let backbone = -1

    /// One or two (duplicated) delivery delays, without allocating.
    struct Delays {
        var first: Int64
        var second: Int64?
        func forEach(_ body: (Int64) -> Void) {
            body(first)
            if let s = second { body(s) }
        }
    }

    /// A client's datagram: broadcasts reach the servers on the link and the relay; unicasts go
    /// to the server that owns the address.
    func clientSend(_ c: Int, _ m: DHCPv4Message, _ to: VirtualClient.Destination) {
        counters.sent += 1
        let seg = clients[c].segment
        let bytes = m.encode()
        if tracing { traceDatagram("send", from: clientName(c), to: to == .broadcast ? "broadcast" : "unicast", m) }
        switch to {
        case .broadcast: broadcast(bytes, segment: seg, source: m.ciaddr, message: m)
        case .unicast(let a):
            guard let s = serverByAddress[a] else { return }
            let iface = servers[s].segmentInterfaces[seg] != nil ? seg : World.backbone
            guard let delays = leg(seg) else { traceDrop(clientName(c), m, "loss-or-partition"); return }
            delays.forEach { d in
                queue.push(now + d + 1, .toServer(server: s, bytes: bytes, interface: iface, source: m.ciaddr, destination: a, epoch: servers[s].epoch))
            }
        }
    }

    func broadcast(_ bytes: [UInt8], segment seg: Int, source: IPv4Address, message: DHCPv4Message?) {
        for d in segments[seg].spec.directServers {
            guard let s = serverByAddress[d.address], servers[s].segmentInterfaces[seg] != nil else { continue }
            guard let delays = leg(seg) else { if let m = message { traceDrop("segment:\(segments[seg].spec.name)", m, "loss-or-partition") }; continue }
            delays.forEach { dl in
                queue.push(now + dl, .toServer(server: s, bytes: bytes, interface: seg, source: source, destination: .broadcast, epoch: servers[s].epoch))
            }
        }
        if let r = segments[seg].spec.relay {
            guard let delays = leg(seg) else { if let m = message { traceDrop("relay:\(segments[seg].spec.name)", m, "loss-or-partition") }; return }
            let relayed = World.relay(bytes, via: r)
            for name in r.servers {
                guard let s = servers.firstIndex(where: { $0.spec.name == name }) else { continue }
                guard relayHop(seg) else { if let m = message { traceDrop("relay:\(segments[seg].spec.name)", m, "relay-loss") }; continue }
                delays.forEach { dl in
                    queue.push(now + dl + 1, .toServer(server: s, bytes: relayed, interface: World.backbone,
                                                       source: r.address, destination: servers[s].spec.address, epoch: servers[s].epoch))
                }
            }
        }
    }

    /// What a relay agent does (RFC 1542, RFC 3046): set giaddr if unset, count the hop, add
    /// option 82 when configured. Malformed datagrams are forwarded untouched.
    static func relay(_ bytes: [UInt8], via r: RelaySpec) -> [UInt8] {
        guard case .success(var m) = DHCPv4Message.decode(bytes) else { return bytes }
        if m.giaddr.isZero { m.giaddr = r.address }
        m.hops &+= 1
        if let circuit = r.circuitID {
            var rai: [UInt8] = [1, UInt8(min(255, circuit.utf8.count))] + Array(circuit.utf8.prefix(255))
            if let remote = r.remoteID { rai += [2, UInt8(min(255, remote.utf8.count))] + Array(remote.utf8.prefix(255)) }
            m.options[DHCPv4Option.dhcpAgentOptions] = rai
        }
        return m.encode(maxSize: 1500)
    }

    func deliverToServer(_ s: Int, _ bytes: [UInt8], _ iface: InterfaceInfo, _ src: IPv4Address, _ dst: IPv4Address, _ epoch: Int) {
        let server = servers[s]
        guard server.isUp, server.epoch == epoch else {
            counters.dropServerDown += 1
            if tracing {
                if case .success(let m) = DHCPv4Message.decode(bytes) {
                    record("datagram", [("event", .string("drop")), ("to", .string("server:\(server.spec.name)")),
                                        ("msg", .string(m.messageType?.keaName ?? "unknown")),
                                        ("xid", .string("0x" + String(m.xid, radix: 16))),
                                        ("mac", .string(m.hardwareAddress.description)), ("reason", .string("server-down"))])
                } else {
                    record("datagram", [("event", .string("drop")), ("to", .string("server:\(server.spec.name)")),
                                        ("msg", .string("malformed")), ("reason", .string("server-down"))])
                }
            }
            return
        }
        let d = InboundDatagram(bytes: bytes, interface: iface, source: src, sourcePort: src == .zero ? 68 : 67, destination: dst)
        if server.database != nil {
            handleShared(d, server: s)
            return
        }
        let effects = server.engine!.handle(datagram: d, now: server.now(now))
        carryOut(effects, server: s)
    }

    /// A server's effects, through the daemon's executor: lease changes to storage, then
    /// replies, then decisions.
    func carryOut(_ e: Effects4, server s: Int) {
        let server = servers[s]
        guard server.engine != nil else { return }
        server.executor.execute(e, engine: &server.engine!, port: ports[s], now: server.now(now))
        runDeferredChecks()
        scheduleDeadline(server)
    }

    /// Invariant checks read the engines, which the executor holds while it runs: the port
    /// queues them and they run once it returns.
    func runDeferredChecks() {
        guard !deferredChecks.isEmpty else { return }
        let checks = deferredChecks
        deferredChecks.removeAll(keepingCapacity: true)
        for (s, change) in checks { checkLeaseChange(s, change) }
    }

    /// Storage for a transaction. The server's own lease file takes it at once; a shared
    /// database answers after a round trip.
    func persist(_ e: Effects4, server s: Int) -> WriteOutcome4? {
        let server = servers[s]
        if storageRefuses(s), e.transaction != nil, !e.writes.isEmpty {
            // Nothing of the transaction is written; the executor withholds its replies.
            if tracing { record("storage", [("server", .string(server.spec.name)), ("outcome", .string("failed"))]) }
            return .failed(reason: "storage of \(server.spec.name) is failing (swarm fault)")
        }
        switch server.spec.storage {
        case .shared:
            guard let id = e.transaction, let db = server.database else { return .durable }
            noteSent(e.writes, id, server: s)
            queue.push(now + databaseLeg(db), .databaseWrite(server: s, id: id, writes: e.writes, epoch: server.epoch))
            return nil
        case .lazy(let delay):
            for w in e.writes {
                queue.push(now + delay, .durable(server: s, change: w.change, epoch: server.epoch))
                if scenario.expectations.invariants { deferredChecks.append((s, w.change)) }
            }
        case .writeThrough, .forgetEveryNth:
            for w in e.writes {
                let kept = server.persist(w.change)
                if tracing { traceLease(server, w.change, durable: kept) }
                if scenario.expectations.invariants { deferredChecks.append((s, w.change)) }
            }
        }
        return .durable
    }

    /// One crossing between a server and a database.
    func databaseLeg(_ db: SharedLeaseDatabase) -> Int64 {
        max(0, db.spec.latencyMilliseconds) + databaseRNG.between(0, max(0, db.spec.jitterMilliseconds))
    }

    /// A transaction reaches the database, which applies it or refuses it; the answer goes
    /// back. A server that crashed meanwhile still had its write applied (it was sent), but
    /// never hears the answer.
    func databaseWrite(_ s: Int, _ id: TransactionID, _ writes: [LeaseWrite4], _ epoch: Int) {
        let server = servers[s]
        guard let db = server.database else { return }
        let outcome = db.commit(writes, fail: databaseRNG.chance(db.spec.writeFailure))
        if case .durable = outcome {
            for w in writes {
                if tracing { traceLease(server, w.change, durable: true) }
                if scenario.expectations.invariants {
                    for other in servers where other.database === db { checkLeaseChange(other.index, w.change) }
                }
            }
        } else if tracing {
            record("database", [("server", .string(server.spec.name)), ("tx", .int(Int64(id.value))),
                                ("outcome", .string("\(outcome)"))])
        }
        queue.push(now + databaseLeg(db), .databaseReply(server: s, id: id, outcome: outcome, epoch: epoch))
    }

    func databaseReply(_ s: Int, _ id: TransactionID, _ outcome: WriteOutcome4, _ epoch: Int) {
        let server = servers[s]
        guard server.epoch == epoch, server.engine != nil else { return }
        noteAnswered(id, server: s)
        server.executor.settle(id, outcome, engine: &server.engine!, port: ports[s], now: server.now(now))
        if case .conflict(let address, _) = outcome { showWindow(from: address, server: s) }
        runDeferredChecks()
        scheduleDeadline(server)
    }

    /// Server replies: to a relay (port 67) which hands them to the client on its link, or
    /// straight to the client named by chaddr.
    func route(_ d: OutboundDatagram, from s: Int) {
        guard d.bytes.count >= 34 else { return }
        let key = World.macKey(d.bytes[28..<34])
        guard let c = clientByMAC[key] else { return }
        let seg = clients[c].segment
        var extra: Int64 = 0
        if d.destinationPort == 67 {
            guard let relay = segments[seg].spec.relay?.address, d.destination == .v4(relay) else { return }
            extra = 1
            guard relayHop(seg) else {
                if tracing, case .success(let m) = DHCPv4Message.decode(d.bytes) { traceDrop("server:\(servers[s].spec.name)", m, "relay-loss") }
                return
            }
        }
        guard let delays = leg(seg) else {
            if tracing, case .success(let m) = DHCPv4Message.decode(d.bytes) { traceDrop("server:\(servers[s].spec.name)", m, "loss-or-partition") }
            return
        }
        delays.forEach { dl in queue.push(now + dl + extra, .toClient(client: c, bytes: d.bytes, server: s)) }
    }

    /// Keeps one live deadline event per server: a new one only when the engine's deadline moved.
    func scheduleDeadline<P: SimServerProcess>(_ server: P) {
        guard let at = server.nextDeadline else { return }
        let when = max(now, at.milliseconds)
        guard server.scheduledDeadline != when else { return }
        server.scheduledDeadline = when
        server.deadlineGeneration &+= 1
        queue.push(when, .serverDeadline(server.index, server.deadlineGeneration))
    }

    func serverDeadline(_ s: Int, _ gen: UInt64) {
        if isV6 {
            let server = servers6[s]
            guard server.deadlineGeneration == gen, server.engine != nil else { return }
            server.scheduledDeadline = nil
            carryOut6(server.engine!.handleDeadline(now: server.now(now)), server: s)
            return
        }
        let server = servers[s]
        guard server.deadlineGeneration == gen, let _ = server.engine else { return }
        server.scheduledDeadline = nil
        let e = server.engine!.handleDeadline(now: server.now(now))
        carryOut(e, server: s)
    }

    /// A rogue host sends one malformed datagram, then schedules the next.
    func rogueSend(_ seg: Int, _ remaining: Int, _ interval: Int64) {
        guard remaining > 0 else { return }
        var b: [UInt8]
        switch faultRNG.next() % 3 {
        case 0: b = (0..<Int(faultRNG.next() % 240)).map { _ in UInt8(truncatingIfNeeded: faultRNG.next()) }
        case 1:
            var m = DHCPv4Message()
            m.xid = UInt32(truncatingIfNeeded: faultRNG.next())
            m.options[DHCPv4Option.dhcpMessageType] = [1]
            b = m.encode()
            b[240 + Int(faultRNG.next() % 8)] = 0xFE   // option lengths that overrun
            b[241] = 250
        default:
            var m = DHCPv4Message()
            m.options[DHCPv4Option.dhcpMessageType] = [1]
            m.options[DHCPv4Option.dhcpOptionOverload] = [3]
            b = m.encode()
            b[44] = 12; b[45] = 200                    // overloaded sname pointing at garbage
            b[108] = 61; b[109] = 250
        }
        counters.malformedSent += 1
        if tracing { record("datagram", [("event", .string("send")), ("from", .string("rogue:\(segments[seg].spec.name)")), ("msg", .string("malformed")), ("bytes", .int(Int64(b.count)))]) }
        broadcast(b, segment: seg, source: .zero, message: nil)
        queue.push(now + interval, .rogue(segment: seg, remaining: remaining - 1, interval: interval))
    }
}

/// A server's effects as the world carries them out (the simulator's side of the executor).
final class SimPort: EffectPort {
    unowned let world: World
    let server: Int
    init(world: World, server: Int) {
        self.world = world
        self.server = server
    }
    func persist(_ effects: Effects4) -> WriteOutcome4? { world.persist(effects, server: server) }
    func send(_ datagram: OutboundDatagram) { world.route(datagram, from: server) }
    func log(_ event: EngineEvent) {
        if world.tracing { world.traceDecision(world.servers[server], event) }
    }
    func forward(_ nameChanges: [NameChangeRequest], _ partnerCommands: [PartnerCommand]) {
        for ncr in nameChanges { world.sendNCR(ncr, from: server) }
    }
}
