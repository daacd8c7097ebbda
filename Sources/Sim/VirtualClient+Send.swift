import KakapoCore

extension VirtualClient {
    /// Parameter request list of a typical client: mask, routers, DNS, domain, lease times.
    static let requestList: [UInt8] = [1, 3, 6, 15, 51, 58, 59]

    func message(_ type: DHCPv4MessageType) -> DHCPv4Message {
        var m = DHCPv4Message()
        m.xid = xid
        m.chaddr = chaddr16
        m.options.reserveCapacity(bytes: 48, options: 6)
        m.options.set(DHCPv4Option.dhcpMessageType, u8: type.rawValue)
        if let cid = clientID { m.options[DHCPv4Option.dhcpClientIdentifier] = cid }
        if type == .discover || type == .request {
            m.options[DHCPv4Option.dhcpParameterRequestList] = Self.requestList
            if let h = hostname { m.options[DHCPv4Option.hostName] = h }
            if let f = fqdn { m.options[DHCPv4Option.fqdn] = f }
        }
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

    /// RFC 2131 §4.1: 4 s, 8 s, ... up to 64 s, each randomized by ±1 s.
    mutating func backoff(_ attempt: Int) -> Int64 {
        let base = Int64(4000) << Int64(min(attempt, 4))
        return base + rng.between(-1000, 1000)
    }

    mutating func newExchange(_ now: Int64) {
        xid = UInt32(truncatingIfNeeded: rng.next())
        retries = 0
        exchangeStartedAt = now
    }

    mutating func sendDiscover(_ now: Int64, _ out: inout Output, first: Bool) {
        if first || state != .selecting { newExchange(now) } else { retries += 1 }
        offers = []
        transition(.selecting, &out)
        out.sends.append((message(.discover), .broadcast))
        setTimer(now + backoff(retries))
    }

    /// Picks one of the OFFERs received in the window at random (from the client's own
    /// stream, so runs stay exact): real clients differ in which server they prefer.
    mutating func chooseOffer() -> DHCPv4Message? {
        guard !offers.isEmpty else { return nil }
        return offers[Int(rng.next() % UInt64(offers.count))]
    }

    mutating func sendSelectingRequest(_ offer: DHCPv4Message, _ now: Int64, _ out: inout Output, first: Bool) {
        if first { retries = 0; offers = [offer]; exchangeStartedAt = now } else { retries += 1 }
        transition(.requesting, &out)
        var m = message(.request)
        m.options[DHCPv4Option.dhcpRequestedAddress] = offer.yiaddr.bytes
        if let sid = offer.serverIdentifier { m.options[DHCPv4Option.dhcpServerIdentifier] = sid.bytes }
        out.sends.append((m, .broadcast))
        setTimer(now + backoff(retries))
    }

    mutating func sendReboot(_ now: Int64, _ out: inout Output, first: Bool) {
        guard let l = lease else { return sendDiscover(now, &out, first: true) }
        if first { newExchange(now) } else { retries += 1 }
        transition(.rebooting, &out)
        var m = message(.request)
        m.options[DHCPv4Option.dhcpRequestedAddress] = l.address.bytes
        out.sends.append((m, .broadcast))
        setTimer(now + backoff(retries))
    }

    /// RENEWING: REQUEST with ciaddr unicast to the server that granted the lease.
    mutating func sendRenew(_ now: Int64, _ out: inout Output, first: Bool) {
        sendExtension(.renewing, now, &out, first: first)
    }

    /// REBINDING: the same REQUEST broadcast to any server.
    mutating func sendRebind(_ now: Int64, _ out: inout Output, first: Bool) {
        sendExtension(.rebinding, now, &out, first: first)
    }

    /// RFC 2131 §4.4.5: retry at half the time remaining to T2 (renewing) or to expiry
    /// (rebinding), at least 60 s apart.
    mutating func sendExtension(_ s: State, _ now: Int64, _ out: inout Output, first: Bool) {
        guard let l = lease else { return sendDiscover(now, &out, first: true) }
        if first { newExchange(now) } else { retries += 1 }
        transition(s, &out)
        var m = message(.request)
        m.ciaddr = l.address
        let renewing = s == .renewing
        out.sends.append((m, renewing ? .unicast(l.serverID) : .broadcast))
        let limit = renewing ? l.t2At : l.expiresAt
        setTimer(min(limit, now + max(60_000, (limit - now) / 2)))
    }

    /// Takes the lease from an ACK. Times count from when the exchange started (RFC 2131
    /// §4.4.1), so the client's view never outlasts the server's.
    mutating func bind(_ ack: DHCPv4Message, _ now: Int64, _ out: inout Output) {
        let renewal = state == .renewing || state == .rebinding
        let leaseSeconds = ack.options.u32(DHCPv4Option.dhcpLeaseTime) ?? 3600
        let t1 = ack.options.u32(DHCPv4Option.dhcpRenewalTime)
        let t2 = ack.options.u32(DHCPv4Option.dhcpRebindingTime)
        let start = exchangeStartedAt
        let t1ms = Int64(t1 ?? leaseSeconds / 2) * 1000
        let t2ms = Int64(t2 ?? UInt32(Double(leaseSeconds) * 0.875)) * 1000
        let l = Lease(address: ack.yiaddr, serverID: ack.serverIdentifier ?? lease?.serverID ?? .zero,
                      leaseSeconds: leaseSeconds, t1Seconds: t1, t2Seconds: t2,
                      t1At: start + t1ms, t2At: start + t2ms, expiresAt: start + Int64(leaseSeconds) * 1000)
        lease = l
        // The OFFER kept for REQUEST retransmissions is done with (a bound client keeps none:
        // 100,000 clients would hold 100,000 messages).
        offers = []
        transition(.bound, &out)
        out.events.append(.bound(l, renewal: renewal))
        setTimer(max(l.t1At, now + 1))
    }

    /// The address is in use on the link: DECLINE it and start over after 10 s (RFC 2131 §3.1).
    mutating func decline(_ ack: DHCPv4Message, _ now: Int64, _ out: inout Output) {
        var m = message(.decline)
        m.options[DHCPv4Option.dhcpParameterRequestList] = nil
        m.options[DHCPv4Option.dhcpRequestedAddress] = ack.yiaddr.bytes
        if let sid = ack.serverIdentifier { m.options[DHCPv4Option.dhcpServerIdentifier] = sid.bytes }
        out.sends.append((m, .broadcast))
        out.events.append(.declined(ack.yiaddr))
        lease = nil
        transition(.declined, &out)
        setTimer(now + 10_000)
    }
}
