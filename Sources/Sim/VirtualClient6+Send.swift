import KakapoCore

extension VirtualClient6 {
    /// Option Request: DNS servers, domain search list.
    static let requestList: [UInt16] = [23, 24]

    func message(_ type: DHCPv6MessageType) -> DHCPv6ClientMessage {
        var m = DHCPv6ClientMessage(messageType: type, transactionID: xid)
        m.options.append(.clientid, duid)
        if type != .release && type != .decline { m.options.append(requestedOptions: Self.requestList) }
        return m
    }

    mutating func transition(_ s: State, _ out: inout Output) {
        guard s != state else { return }
        state = s
        out.events.append(.stateChanged(s))
    }

    mutating func setTimer(_ at: Int64?) {
        timerAt = at
        timerGeneration &+= 1
    }

    mutating func newExchange(_ now: Int64) {
        xid = UInt32(truncatingIfNeeded: rng.next()) & DHCPv6ClientMessage.transactionIDMax
        transmissions = 0
        exchangeStartedAt = now
    }

    /// RAND in [-0.1, 0.1] (or (0, 0.1] for a Solicit's first RT, §18.2.1), in thousandths.
    mutating func rand(positive: Bool) -> Int64 { positive ? rng.between(1, 100) : rng.between(-100, 100) }

    /// The IAs a client sends for its leases: one IA_NA and/or IA_PD, lifetimes 0 (hints).
    func appendIAs(_ leases: [Held], wanted: IARequest = [], to m: inout DHCPv6ClientMessage) {
        var na = DHCPv6IA(iaid: Self.iaidNA), pd = DHCPv6IA(iaid: Self.iaidPD)
        var hasNA = wanted.contains(.na), hasPD = wanted.contains(.pd)
        for l in leases {
            if l.type == .delegatedPrefix {
                pd.options.append(DHCPv6IAPrefix(prefix: l.prefix, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0))
                hasPD = true
            } else {
                na.options.append(DHCPv6IAAddress(address: l.prefix.network, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0))
                hasNA = true
            }
        }
        if hasNA { m.options.append(iaNA: na) }
        if hasPD { m.options.append(iaPD: pd) }
    }

    /// Starts an exchange: Solicit, Renew, Rebind or Confirm (Request and Decline start from
    /// what they answer: `requestFrom`, `accept`).
    mutating func begin(_ s: State, _ now: Int64, _ out: inout Output) {
        newExchange(now)
        var m: DHCPv6ClientMessage
        switch s {
        case .renewing, .rebinding:
            m = message(s == .renewing ? .renew : .rebind)
            if s == .renewing, let b = binding { m.options.append(.serverid, b.serverDUID) }
            appendIAs(binding?.leases ?? [], to: &m)
        case .confirming:
            m = message(.confirm)
            appendIAs(binding?.leases.filter { $0.type == .nonTemporaryAddress } ?? [], to: &m)
        default:
            advertises = []
            m = message(.solicit)
            if rapidCommit { m.options.append(.rapidCommit, []) }
            appendIAs([], wanted: wants, to: &m)
        }
        transition(s, &out)
        let timing = s == .renewing ? Self.renew : s == .rebinding ? Self.rebind : s == .confirming ? Self.confirm : Self.solicit
        rt = timing.irt + timing.irt * rand(positive: s == .soliciting) / 1000
        transmit(m, now, &out)
    }

    /// Sends the exchange's message (again), with its Elapsed Time, and arms the timer for the
    /// next retransmission, no later than the exchange's end (MRD, T2, expiry).
    mutating func transmit(_ m: DHCPv6ClientMessage, _ now: Int64, _ out: inout Output) {
        var m = m
        m.options.removeAll(DHCPv6Option.elapsedTime.code)
        m.options.append(elapsedTimeHundredths: UInt16(min(0xFFFF, (now - exchangeStartedAt) / 10)))
        transmissions += 1
        current = m
        out.sends.append(m)
        var at = now + rt
        switch state {
        case .renewing: if let b = binding { at = min(at, max(b.t2At, now + 1)) }
        case .rebinding: if let b = binding { at = min(at, max(b.expiresAt, now + 1)) }
        case .confirming: at = min(at, exchangeStartedAt + Self.confirm.mrd!)
        default: break
        }
        setTimer(at)
    }

    /// §15: RT = 2·RTprev + RAND·RTprev, and past MRT, MRT + RAND·MRT.
    mutating func retransmit(_ timing: Timing, _ now: Int64, _ out: inout Output) {
        rt = 2 * rt + rt * rand(positive: false) / 1000
        if timing.mrt > 0, rt > timing.mrt { rt = timing.mrt + timing.mrt * rand(positive: false) / 1000 }
        if let m = current { transmit(m, now, &out) }
    }

    /// Whether an Advertise or Reply carries at least one address or prefix.
    static func offersSomething(_ m: DHCPv6ClientMessage) -> Bool {
        let nas = (try? m.options.iaNAs()) ?? [], pds = (try? m.options.iaPDs()) ?? []
        return nas.contains { !((try? $0.addresses()) ?? []).isEmpty } || pds.contains { !((try? $0.prefixes()) ?? []).isEmpty }
    }

    mutating func noteUnavailable(_ m: DHCPv6ClientMessage, _ out: inout Output) {
        for ia in (try? m.options.iaNAs()) ?? [] where (try? ia.status())??.code == .noAddrsAvail {
            out.events.append(.unavailable(.nonTemporaryAddress))
        }
        for ia in (try? m.options.iaPDs()) ?? [] where (try? ia.status())??.code == .noPrefixAvail {
            out.events.append(.unavailable(.delegatedPrefix))
        }
    }

    /// The Advertise with the highest preference; the first received among equals (§18.2.9).
    func bestAdvertise() -> DHCPv6ClientMessage? {
        var best: DHCPv6ClientMessage?
        var bestPreference = -1
        for a in advertises {
            let p = Int((try? a.options.preference()) ?? 0)
            if p > bestPreference { best = a; bestPreference = p }
        }
        return best
    }

    /// Request what the Advertise offered, from its server (§18.2.2).
    mutating func requestFrom(_ adv: DHCPv6ClientMessage, _ now: Int64, _ out: inout Output) {
        newExchange(now)
        advertises = []
        var m = message(.request)
        if let sid = adv.options.serverID { m.options.append(.serverid, sid) }
        appendIAs(Self.leases(in: adv, start: now), wanted: wants, to: &m)
        transition(.requesting, &out)
        rt = Self.request.irt + Self.request.irt * rand(positive: false) / 1000
        transmit(m, now, &out)
    }

    /// The leases in a message's IAs, expiring `valid` seconds after `start`.
    static func leases(in m: DHCPv6ClientMessage, start: Int64) -> [Held] {
        var out: [Held] = []
        for ia in (try? m.options.iaNAs()) ?? [] {
            for a in (try? ia.addresses()) ?? [] {
                out.append(Held(type: .nonTemporaryAddress, iaid: ia.iaid, prefix: IPv6Prefix(network: a.address, length: 128),
                                preferredSeconds: a.preferredLifetimeSeconds, validSeconds: a.validLifetimeSeconds,
                                t1Seconds: ia.t1Seconds, t2Seconds: ia.t2Seconds,
                                expiresAt: start + Int64(a.validLifetimeSeconds) * 1000))
            }
        }
        for ia in (try? m.options.iaPDs()) ?? [] {
            for p in (try? ia.prefixes()) ?? [] {
                out.append(Held(type: .delegatedPrefix, iaid: ia.iaid, prefix: p.prefix,
                                preferredSeconds: p.preferredLifetimeSeconds, validSeconds: p.validLifetimeSeconds,
                                t1Seconds: ia.t1Seconds, t2Seconds: ia.t2Seconds,
                                expiresAt: start + Int64(p.validLifetimeSeconds) * 1000))
            }
        }
        return out
    }

    /// A Reply to Request (or Rapid Commit Solicit), Renew or Rebind (§18.2.10.1): takes the
    /// leases it gives (times from when the exchange started, so the client's view never
    /// outlasts the server's), keeps those of IAs it does not mention, drops those of IAs the
    /// server has no binding for.
    mutating func accept(_ m: DHCPv6ClientMessage, server: [UInt8], _ now: Int64, _ out: inout Output,
                         conflicts: (IPv6Address) -> Bool) {
        let renewal = state == .renewing || state == .rebinding
        noteUnavailable(m, &out)
        if (try? m.options.status())??.code == .notOnLink { return begin(.soliciting, now, &out) }
        var statuses: [(LeaseType6, DHCPv6StatusCode)] = []
        for ia in (try? m.options.iaNAs()) ?? [] { if let s = (try? ia.status()) ?? nil { statuses.append((.nonTemporaryAddress, s.code)) } }
        for ia in (try? m.options.iaPDs()) ?? [] { if let s = (try? ia.status()) ?? nil { statuses.append((.delegatedPrefix, s.code)) } }
        let granted = Self.leases(in: m, start: exchangeStartedAt)
        let answered = Set(granted.map(\.type)).union(statuses.map(\.0))
        var kept = renewal ? (binding?.leases ?? []).filter { !answered.contains($0.type) } : []
        kept += granted.filter { $0.validSeconds > 0 }
        let noBinding = statuses.contains { $0.1 == .noBinding }
        if noBinding { out.events.append(.nak) }
        guard !kept.isEmpty else {
            if let b = binding, renewal { out.events.append(.lost(b.leases.map(\.prefix))) }
            binding = nil
            return begin(.soliciting, now, &out)
        }
        if !renewal, let bad = kept.first(where: { $0.type == .nonTemporaryAddress && conflicts($0.prefix.network) }) {
            return decline(bad.prefix.network, server: server, now, &out)
        }
        let b = Self.binding(kept, server: server, start: exchangeStartedAt)
        binding = b
        transition(.bound, &out)
        out.events.append(.bound(b, renewal: renewal))
        setTimer(max(b.t1At, now + 1))
    }

    /// T1 and T2 are the IAs' earliest; when the server leaves them to the client (0), half
    /// and four fifths of the shortest preferred lifetime (§14.2, §21.4).
    static func binding(_ leases: [Held], server: [UInt8], start: Int64) -> Binding {
        let shortest = Int64(leases.map(\.preferredSeconds).min() ?? 0) * 1000
        let t1 = leases.map(\.t1Seconds).filter { $0 > 0 }.min().map { Int64($0) * 1000 } ?? shortest / 2
        let t2 = leases.map(\.t2Seconds).filter { $0 > 0 }.min().map { Int64($0) * 1000 } ?? shortest * 4 / 5
        return Binding(serverDUID: server, leases: leases, t1At: start + t1, t2At: start + max(t1, t2))
    }

    /// After a Confirm: the leases stand; renew or rebind at once if their time has come.
    mutating func resume(_ now: Int64, _ out: inout Output) {
        guard let b = binding, now < b.expiresAt else {
            binding = nil
            return begin(.soliciting, now, &out)
        }
        transition(.bound, &out)
        out.events.append(.bound(b, renewal: true))
        if now >= b.t2At { begin(.rebinding, now, &out) } else if now >= b.t1At { begin(.renewing, now, &out) } else { setTimer(b.t1At) }
    }

    /// Duplicate address detection failed: Decline the address to the server that gave it
    /// (§18.2.8), then start over.
    mutating func decline(_ address: IPv6Address, server: [UInt8], _ now: Int64, _ out: inout Output) {
        newExchange(now)
        binding = nil
        var m = message(.decline)
        m.options.append(.serverid, server)
        var ia = DHCPv6IA(iaid: Self.iaidNA)
        ia.options.append(DHCPv6IAAddress(address: address, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0))
        m.options.append(iaNA: ia)
        out.events.append(.declined(address))
        transition(.declining, &out)
        rt = Self.decline.irt + Self.decline.irt * rand(positive: false) / 1000
        transmit(m, now, &out)
    }

    mutating func declined(_ now: Int64, _ out: inout Output) {
        begin(.soliciting, now, &out)
    }
}
