import KakapoCore

/// DHCPv6 in the world: servers running `Dhcp6Engine`, virtual RFC 8415 clients multicasting
/// to All_DHCP_Relay_Agents_and_Servers, and relays wrapping their messages in Relay-forward
/// (RFC 8415 §19) with link-address, Interface-ID and Remote-ID (RFC 4649). Links, faults,
/// sessions and the event loop are the ones DHCPv4 uses.
extension World {
    static let allServersMulticast = IPv6Address("ff02::1:2")!

    func buildServers6() throws(SimSetupError) {
        for (i, spec) in scenario.servers.enumerated() {
            let config: Dhcp6Config
            do { config = try SimConfig.decode6(spec.configText, source: spec.configSource) } catch {
                throw SimSetupError("server \(spec.name): \(error.message)")
            }
            servers6.append(SimServer6(index: i, spec: spec, config: config))
            ports6.append(SimPort6(world: self, server: i))
        }
    }

    func buildSegments6() throws(SimSetupError) {
        for (si, spec) in scenario.segments.enumerated() {
            for d in spec.directServers6 {
                let s = try serverIndex(d.server)
                let linkLocal = IPv6Address(high: 0xFE80 << 48, low: UInt64(s + 1))
                servers6[s].segmentInterfaces[si] = InterfaceInfo(name: spec.name, index: Int32(si + 1), addresses: [
                    InterfaceAddress(address: .v6(linkLocal), prefixLength: 64),
                    InterfaceAddress(address: .v6(d.address), prefixLength: spec.prefix6?.length ?? 64)])
            }
            if let r = spec.relay { for name in r.servers { _ = try serverIndex(name) } }
            segments.append(Segment(spec: spec, lossOverride: nil, conflicts: []))
        }
        for s in servers6 { s.start(at: 0); scheduleDeadline(s) }
    }

    func clientName6(_ c: Int) -> String { "client:" + HexText.colonSeparated(clients6[c].client.mac) }

    /// Carries out a client's output: its events, its messages, its timer.
    func apply6(_ out: VirtualClient6.Output, client c: Int) {
        for ev in out.events { note6(ev, client: c) }
        for m in out.sends { clientSend6(c, m) }
        if let at = clients6[c].client.timerAt {
            queue.push(at, .clientTimer(c, clients6[c].client.timerGeneration))
        }
    }

    func note6(_ ev: VirtualClient6.Event, client c: Int) {
        switch ev {
        case .stateChanged(let s):
            record("client", [("mac", .string(HexText.colonSeparated(clients6[c].client.mac))), ("state", .string(s.rawValue)),
                              ("address", .string(clients6[c].client.binding?.leases.map(\.prefix.description).joined(separator: " ") ?? ""))])
        case .bound(let b, let renewal):
            if renewal { counters.renewals += 1 } else { counters.dora += 1 }
            if !clients6[c].boundThisSession {
                clients6[c].boundThisSession = true
                counters.bindTimes.append(now - clients6[c].sessionStart)
                if let s = openSession[c] { sessions[s].boundAt = now }
            }
            if let s = serverIndex6(duid: b.serverDUID) { grantOffset[c] = servers6[s].clockOffsetSeconds }
            if scenario.expectations.invariants { checkBound6(c, b) }
            for l in b.leases {
                holders6[l.prefix] = c
                if l.type == .delegatedPrefix { pdLengths6.insert(l.prefix.length) }
            }
        case .lost(let prefixes):
            counters.lost += 1
            record("client", [("mac", .string(HexText.colonSeparated(clients6[c].client.mac))), ("state", .string("LOST")),
                              ("address", .string(prefixes.map(\.description).joined(separator: " ")))])
        case .nak: counters.naks += 1
        case .unavailable: counters.unavailable += 1
        case .declined: counters.declines += 1
        case .released: counters.releases += 1
        }
    }

    /// A client's message: to the servers on its link and to the relay, which forwards it.
    func clientSend6(_ c: Int, _ m: DHCPv6ClientMessage) {
        counters.sent += 1
        let seg = clients6[c].segment
        let bytes = DHCPv6Message.client(m).encode()
        let from = clients6[c].client.linkLocal
        if tracing { traceDatagram6("send", from: clientName6(c), to: "multicast", m) }
        for d in segments[seg].spec.directServers6 {
            guard let s = scenario.servers.firstIndex(where: { $0.name == d.server }),
                  let iface = servers6[s].segmentInterfaces[seg] else { continue }
            guard let delays = leg(seg) else { traceDrop6(clientName6(c), m, "loss-or-partition"); continue }
            delays.forEach { dl in
                queue.push(now + dl, .toServer6(server: s, bytes: bytes, interface: iface, source: from, relayed: false, epoch: servers6[s].epoch))
            }
        }
        if let r = segments[seg].spec.relay, let relayAddress = r.address6 {
            guard let delays = leg(seg) else { traceDrop6("relay:\(segments[seg].spec.name)", m, "loss-or-partition"); return }
            let relayed = World.relayForward(m, via: r, peer: from)
            for name in r.servers {
                guard let s = scenario.servers.firstIndex(where: { $0.name == name }) else { continue }
                guard relayHop(seg) else { traceDrop6("relay:\(segments[seg].spec.name)", m, "relay-loss"); continue }
                delays.forEach { dl in
                    queue.push(now + dl + 1, .toServer6(server: s, bytes: relayed, interface: servers6[s].backbone,
                                                        source: relayAddress, relayed: true, epoch: servers6[s].epoch))
                }
            }
        }
    }

    /// What a DHCPv6 relay agent does (RFC 8415 §19.1): wrap the client's message in a
    /// Relay-forward with its own address on the link as link-address, the client's as
    /// peer-address, and the Interface-ID and Remote-ID (RFC 4649; enterprise 3561) it is
    /// configured with.
    static func relayForward(_ m: DHCPv6ClientMessage, via r: RelaySpec, peer: IPv6Address) -> [UInt8] {
        var options = DHCPv6Options()
        if let iid = r.interfaceID { options.append(.interfaceId, Array(iid.utf8)) }
        if let remote = r.remoteID { options.append(37, [0, 0, 0x0D, 0xE9] + Array(remote.utf8)) }
        let relay = DHCPv6RelayMessage(direction: .forward, hopCount: 0, linkAddress: r.address6 ?? .unspecified,
                                       peerAddress: peer, options: options, relayedMessage: .client(m))
        return DHCPv6Message.relay(relay).encode()
    }

    func deliverToServer6(_ s: Int, _ bytes: [UInt8], _ iface: InterfaceInfo, _ src: IPv6Address, _ relayed: Bool, _ epoch: Int) {
        let server = servers6[s]
        guard server.isUp, server.epoch == epoch else {
            counters.dropServerDown += 1
            if tracing, case .success(let m) = DHCPv6Message.decode(bytes) {
                traceDrop6("server:\(server.spec.name)", m.innermost, "server-down")
            }
            return
        }
        let destination = relayed ? (server.spec.address6 ?? World.allServersMulticast) : World.allServersMulticast
        let d = InboundDatagram(bytes: bytes, interface: iface, source: .v6(src), sourcePort: relayed ? 547 : 546,
                                destination: .v6(destination))
        let effects = server.engine!.handle(datagram: d, now: server.now(now))
        carryOut6(effects, server: s)
    }

    func carryOut6(_ e: Effects6, server s: Int) {
        let server = servers6[s]
        guard server.engine != nil else { return }
        server.executor.execute(e, engine: &server.engine!, port: ports6[s], now: server.now(now))
        if !deferredChecks6.isEmpty {
            let checks = deferredChecks6
            deferredChecks6.removeAll(keepingCapacity: true)
            for (s, change) in checks { checkLeaseChange6(s, change) }
        }
        scheduleDeadline(server)
    }

    /// Storage for a DHCPv6 server's writes: its lease file at once (write-through), or later
    /// (test-only lazy storage), or forgetting some (test-only).
    func persist6(_ e: Effects6, server s: Int) -> WriteOutcome6? {
        let server = servers6[s]
        if storageRefuses(s), e.transaction != nil, !e.writes.isEmpty {
            if tracing { record("storage", [("server", .string(server.spec.name)), ("outcome", .string("failed"))]) }
            return .failed(reason: "storage of \(server.spec.name) is failing (swarm fault)")
        }
        for w in e.writes {
            if case .lazy(let delay) = server.spec.storage {
                queue.push(now + delay, .durable6(server: s, change: w.change, epoch: server.epoch))
            } else {
                let kept = server.persist(w.change)
                if tracing { traceLease6(server, w.change, durable: kept) }
            }
            if scenario.expectations.invariants { deferredChecks6.append((s, w.change)) }
        }
        return .durable
    }

    /// A server's reply: a Relay-reply goes to the relay it names, which unwraps it and hands
    /// it to the client on its link (the Interface-ID must come back as it was sent); a direct
    /// reply goes to the client's link-local address.
    func route6(_ d: OutboundDatagram, from s: Int) {
        guard case .success(let outer) = DHCPv6Message.decode(d.bytes) else { return }
        let reply = outer.innermost
        guard let duid = reply.options.clientID, duid.count == 10, let c = clientByMAC[World.macKey(duid[4...])],
              c < clients6.count, clients6[c].client.duid == duid else { return }
        let seg = clients6[c].segment
        var extra: Int64 = 0
        if case .relay(let r) = outer {
            guard let relay = segments[seg].spec.relay, let relayAddress = relay.address6, d.destination == .v6(relayAddress),
                  d.destinationPort == 547, r.linkAddress == relayAddress,
                  r.options.interfaceID == relay.interfaceID.map({ Array($0.utf8) }) else {
                if tracing { traceDrop6("server:\(servers6[s].spec.name)", reply, "relay-reply-misaddressed") }
                return
            }
            extra = 1
            guard relayHop(seg) else {
                traceDrop6("server:\(servers6[s].spec.name)", reply, "relay-loss")
                return
            }
        } else {
            guard d.destination == .v6(clients6[c].client.linkLocal), d.destinationPort == 546 else { return }
        }
        guard let delays = leg(seg) else {
            traceDrop6("server:\(servers6[s].spec.name)", reply, "loss-or-partition")
            return
        }
        let bytes = DHCPv6Message.client(reply).encode()
        delays.forEach { dl in queue.push(now + dl + extra, .toClient6(client: c, bytes: bytes, server: s)) }
    }

    func deliverToClient6(_ c: Int, _ bytes: [UInt8], from s: Int) {
        guard clients6[c].present, case .success(let m) = DHCPv6Message.decode(bytes), case .client(let reply) = m else { return }
        counters.delivered += 1
        if tracing { traceDatagram6("deliver", from: "server:\(servers6[s].spec.name)", to: clientName6(c), reply) }
        let conflicts = segments[clients6[c].segment].spec.conflictingAddresses6
        apply6(clients6[c].client.receive(reply, now: now, conflicts: { conflicts.contains($0) }), client: c)
    }

    // MARK: trace

    func traceDatagram6(_ event: String, from: String, to: String, _ m: DHCPv6ClientMessage) {
        var f: [(String, TraceValue)] = [("event", .string(event)), ("from", .string(from)), ("to", .string(to)),
                                         ("msg", .string(m.messageType.description)),
                                         ("xid", .string("0x" + String(m.transactionID, radix: 16)))]
        if let duid = m.options.clientID, duid.count == 10 { f.append(("mac", .string(HexText.colonSeparated(duid[4...])))) }
        let held = VirtualClient6.leases(in: m, start: 0).map(\.prefix.description)
        if !held.isEmpty { f.append(("address", .string(held.joined(separator: " ")))) }
        if let s = (try? m.options.status()) ?? nil { f.append(("status", .string("\(s.code)"))) }
        record("datagram", f)
    }

    func traceDrop6(_ from: String, _ m: DHCPv6ClientMessage, _ reason: String) {
        guard tracing else { return }
        record("datagram", [("event", .string("drop")), ("from", .string(from)), ("msg", .string(m.messageType.description)),
                            ("xid", .string("0x" + String(m.transactionID, radix: 16))), ("reason", .string(reason))])
    }

    func traceLease6(_ server: SimServer6, _ c: LeaseChange6, durable: Bool) {
        let l = c.lease
        let op: String
        if case .upsert = c { op = "upsert" } else { op = "delete" }
        record("lease", [("server", .string(server.spec.name)), ("op", .string(op)), ("address", .string(l.prefix.description)),
                         ("mac", .string(l.duid.count == 10 ? HexText.colonSeparated(l.duid[4...]) : HexText.colonSeparated(l.duid))),
                         ("state", .int(Int64(l.state.rawValue))),
                         ("expire", .int(l.expire.secondsSinceEpoch - SimServer.epochBase)), ("durable", .bool(durable))])
    }

    func traceDecision6(_ server: SimServer6, _ ev: Engine6Event) {
        let line = ev.logLine
        record("decision", [("server", .string(server.spec.name)), ("event", .string(line.id)), ("detail", .string(line.text))])
    }
}
