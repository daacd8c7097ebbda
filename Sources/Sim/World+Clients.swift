import KakapoCore

extension World {
    func clientStart(_ c: Int) {
        if isV6 {
            if let out = arrive(&clients6, c) { apply6(out, client: c) }
        } else if let out = arrive(&clients, c) {
            apply(out, client: c)
        }
    }

    /// A client arrives: its session (and leaving, and maybe a reboot) is scheduled, and it
    /// starts. Nil when it is already present.
    func arrive<C: SimClientMachine>(_ slots: inout [ClientSlot<C>], _ c: Int) -> C.Output? {
        guard !slots[c].present else { return nil }
        let p = scenario.populations[slots[c].population]
        slots[c].present = true
        slots[c].sessionStart = now
        slots[c].boundThisSession = false
        openSession[c] = sessions.count
        sessions.append(Session(client: c, start: now))
        if let d = p.sessionMilliseconds {
            let leaveAt = now + max(1, popRNG.sample(d))
            queue.push(leaveAt, .clientLeave(c))
            if popRNG.chance(p.reboot) { queue.push(now + popRNG.between(1, max(1, (leaveAt - now) / 2)), .clientReboot(c)) }
        } else if popRNG.chance(p.reboot) {
            queue.push(now + popRNG.between(1, max(1, (scenario.durationMilliseconds - now) / 2)), .clientReboot(c))
        }
        record("client", [("mac", .string(HexText.colonSeparated(slots[c].client.mac))), ("state", .string("ARRIVED"))])
        return slots[c].client.start(now: now)
    }

    func clientLeave(_ c: Int) {
        if isV6 {
            guard let out = depart(&clients6, c) else { return }
            apply6(out, client: c)
            departed(&clients6, c)
        } else {
            guard let out = depart(&clients, c) else { return }
            apply(out, client: c)
            departed(&clients, c)
        }
    }

    /// A present client leaves (releasing its lease or not).
    func depart<C: SimClientMachine>(_ slots: inout [ClientSlot<C>], _ c: Int) -> C.Output? {
        guard slots[c].present else { return nil }
        return slots[c].client.leave(now: now, release: popRNG.chance(scenario.populations[slots[c].population].releaseOnLeave))
    }

    /// After a client's leaving is carried out: its session closes, and it may come back.
    func departed<C: SimClientMachine>(_ slots: inout [ClientSlot<C>], _ c: Int) {
        let p = scenario.populations[slots[c].population]
        slots[c].present = false
        if let s = openSession[c] {
            sessions[s].leftAt = now
            openSession[c] = nil
        }
        if popRNG.chance(p.rejoin) {
            let after = p.rejoinAfterMilliseconds.map { popRNG.sample($0) } ?? 60_000
            queue.push(now + max(1, after), .clientStart(c))
        }
    }

    func clientReboot(_ c: Int) {
        if isV6 {
            if let out = reboot(&clients6, c) { apply6(out, client: c) }
        } else if let out = reboot(&clients, c) {
            apply(out, client: c)
        }
    }

    func reboot<C: SimClientMachine>(_ slots: inout [ClientSlot<C>], _ c: Int) -> C.Output? {
        guard slots[c].present else { return nil }
        record("client", [("mac", .string(HexText.colonSeparated(slots[c].client.mac))), ("state", .string("REBOOT"))])
        return slots[c].client.reboot(now: now)
    }

    /// A client's timer, if it is still the one armed and the client is present.
    static func timerFired<C: SimClientMachine>(_ slots: inout [ClientSlot<C>], _ c: Int, _ gen: UInt64, _ now: Int64) -> C.Output? {
        guard slots[c].client.timerGeneration == gen, slots[c].present else { return nil }
        return slots[c].client.timerFired(now: now)
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
            if let s = serverByAddress[l.serverID] { grantOffset[c] = servers[s].clockOffsetSeconds }
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

/// What the world drives in a virtual client of either family.
protocol SimClientMachine {
    associatedtype Output
    var mac: [UInt8] { get }
    var timerGeneration: UInt64 { get }
    mutating func start(now: Int64) -> Output
    mutating func leave(now: Int64, release: Bool) -> Output
    mutating func reboot(now: Int64) -> Output
    mutating func timerFired(now: Int64) -> Output
}

extension VirtualClient: SimClientMachine {}
extension VirtualClient6: SimClientMachine {}
