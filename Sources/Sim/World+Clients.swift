import KakapoCore

extension World {
    func clientStart(_ c: Int) {
        guard !clients[c].present else { return }
        let p = scenario.populations[clients[c].population]
        clients[c].present = true
        clients[c].sessionStart = now
        clients[c].boundThisSession = false
        openSession[c] = sessions.count
        sessions.append(Session(client: c, start: now))
        if let d = p.sessionMilliseconds {
            let leaveAt = now + max(1, popRNG.sample(d))
            queue.push(leaveAt, .clientLeave(c))
            if popRNG.chance(p.reboot) { queue.push(now + popRNG.between(1, max(1, (leaveAt - now) / 2)), .clientReboot(c)) }
        } else if popRNG.chance(p.reboot) {
            queue.push(now + popRNG.between(1, max(1, (scenario.durationMilliseconds - now) / 2)), .clientReboot(c))
        }
        record("client", [("mac", .string(HexText.colonSeparated(clients[c].client.mac))), ("state", .string("ARRIVED"))])
        let out = clients[c].client.start(now: now)
        apply(out, client: c)
    }

    func clientLeave(_ c: Int) {
        guard clients[c].present else { return }
        let p = scenario.populations[clients[c].population]
        let out = clients[c].client.leave(now: now, release: popRNG.chance(p.releaseOnLeave))
        apply(out, client: c)
        clients[c].present = false
        if let s = openSession.removeValue(forKey: c) { sessions[s].leftAt = now }
        if popRNG.chance(p.rejoin) {
            let after = p.rejoinAfterMilliseconds.map { popRNG.sample($0) } ?? 60_000
            queue.push(now + max(1, after), .clientStart(c))
        }
    }

    func clientReboot(_ c: Int) {
        guard clients[c].present else { return }
        record("client", [("mac", .string(HexText.colonSeparated(clients[c].client.mac))), ("state", .string("REBOOT"))])
        apply(clients[c].client.reboot(now: now), client: c)
    }

    /// Carries out a client's output: sends, timer, and bookkeeping of its events.
    func apply(_ out: VirtualClient.Output, client c: Int) {
        for ev in out.events { note(ev, client: c) }
        for (m, to) in out.sends { clientSend(c, m, to) }
        if let at = clients[c].client.timerAt {
            queue.push(at, .clientTimer(c, clients[c].client.timerGeneration))
        }
    }

    func note(_ ev: VirtualClient.Event, client c: Int) {
        var mac: String { HexText.colonSeparated(clients[c].client.mac) }
        switch ev {
        case .stateChanged(let s):
            record("client", [("mac", .string(mac)), ("state", .string(s.rawValue)),
                              ("address", .string(clients[c].client.lease?.address.description ?? ""))])
        case .bound(let l, let renewal):
            if renewal { counters.renewals += 1 } else { counters.dora += 1 }
            if !clients[c].boundThisSession {
                clients[c].boundThisSession = true
                counters.bindTimes.append(now - clients[c].sessionStart)
                if let s = openSession[c] { sessions[s].boundAt = now }
            }
            if scenario.expectations.invariants {
                checkBound(c, l)
                checkKeptAddress(c, l)
            }
            holders[l.address] = c
            lastBinding[c] = l
        case .lost(let a):
            counters.lost += 1
            lastBinding[c] = nil
            record("client", [("mac", .string(mac)), ("state", .string("LOST")), ("address", .string(a.description))])
        case .nak:
            counters.naks += 1
            lastBinding[c] = nil
        case .declined:
            counters.declines += 1
            lastBinding[c] = nil
        case .released:
            counters.releases += 1
            lastBinding[c] = nil
        }
    }

    func deliverToClient(_ c: Int, _ bytes: [UInt8], from s: Int) {
        guard clients[c].present else { return }
        guard case .success(let m) = DHCPv4Message.decode(bytes) else { return }
        counters.delivered += 1
        if tracing { traceDatagram("deliver", from: "server:\(servers[s].spec.name)", to: clientName(c), m) }
        let conflict = m.messageType == .ack && segments[clients[c].segment].conflicts.contains(m.yiaddr)
        apply(clients[c].client.receive(m, now: now, conflict: conflict), client: c)
    }

    func clientName(_ c: Int) -> String { "client:" + HexText.colonSeparated(clients[c].client.mac) }
}
