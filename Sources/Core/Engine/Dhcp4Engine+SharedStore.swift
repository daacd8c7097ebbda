/// A lease store shared with other servers (a database): the engine decides from its view, so
/// the shell shows it the store's current rows before it decides ("nothing decided from a
/// stale local copy"). Both calls are pure: the shell reads the rows, the engine takes them.
extension Dhcp4Engine {
    /// The lease keys deciding on `d` may read: chaddr, client identifier (option 61), the
    /// requested address (option 50) and ciaddr. Empty for a datagram that does not decode.
    /// A shell with a shared store fetches the rows for these before `handle(datagram:now:)`.
    public static func leaseKeys(of d: InboundDatagram) -> [LeaseKey4] {
        guard case .success(let m) = DHCPv4Message.decode(d.bytes) else { return [] }
        var keys: [LeaseKey4] = []
        let h = m.hardwareAddress
        if !h.bytes.isEmpty { keys.append(.hardwareAddress(h)) }
        if let c = m.clientIdentifier, !c.isEmpty { keys.append(.clientID(c)) }
        if let r = m.requestedAddress, !r.isZero { keys.append(.address(r)) }
        if !m.ciaddr.isZero, m.ciaddr != m.requestedAddress { keys.append(.address(m.ciaddr)) }
        return keys
    }

    /// Shows the engine what the shared store holds for `keys`: `rows` are every row the store
    /// has that matches any of the keys. Afterwards the view holds exactly those rows for the
    /// keys (a row the view had for a key and the store no longer has is removed), and the
    /// address gauges follow every change. Call it only when no transaction touching these
    /// rows is in flight (the shell does it before a turn's datagrams, or after settling).
    public mutating func showStoreRows(_ rows: [Lease4], forKeys keys: [LeaseKey4], now: WallTime) {
        var byAddress: [IPv4Address: Lease4] = [:]
        byAddress.reserveCapacity(rows.count)
        for r in rows where r.isWellFormed { byAddress[r.address] = r }
        // What the view has for the keys and the store does not: gone.
        var gone: [Lease4] = []
        for k in keys {
            for l in store.leases(for: k) where byAddress[l.address] == nil { gone.append(l) }
        }
        for l in gone {
            // The same row may be found by two keys.
            guard let held = store.lease(at: l.address) else { continue }
            store.apply(.delete(held))
            adjustGauges(old: held, new: nil, now: now)
        }
        for r in byAddress.values {
            let held = store.lease(at: r.address)
            if held == r { continue }
            store.apply(.upsert(r))
            adjustGauges(old: held, new: r, now: now)
        }
    }

    /// Shows the engine the whole shared store: afterwards the view is exactly `rows`
    /// (lease commands read it, and a reconnect may find that other servers wrote meanwhile).
    public mutating func showAllStoreRows(_ rows: [Lease4], now: WallTime) {
        var keys: [LeaseKey4] = []
        keys.reserveCapacity(store.count + rows.count)
        store.forEachLease { keys.append(.address($0.address)) }
        for r in rows { keys.append(.address(r.address)) }
        showStoreRows(rows, forKeys: keys, now: now)
    }
}

extension Dhcp4Engine {
    /// Counts datagrams the shell received and dropped without handing them over (the service
    /// is stopped while the lease database is being reconnected, Kea's `on-fail`).
    public mutating func countDropped(_ n: Int, now: WallTime) {
        guard n > 0 else { return }
        stats.add(.pktReceived, Int64(n), now: now)
        stats.add(.pktReceiveDrop, Int64(n), now: now)
    }
}

extension Dhcp4Engine {
    /// The address an input's reply offers when the view holds no row there (a new
    /// allocation), else nil. A DHCPOFFER writes nothing, so with a shared store the shell
    /// checks such an address against the store before sending the offer: another server may
    /// hold it without this view knowing yet.
    public func newlyOfferedAddress(in e: Effects4) -> IPv4Address? {
        guard e.transaction == nil else { return nil }
        for d in e.datagrams {
            guard case .success(let m) = DHCPv4Message.decode(d.bytes), m.messageType == .offer,
                  !m.yiaddr.isZero, store.lease(at: m.yiaddr) == nil else { continue }
            return m.yiaddr
        }
        return nil
    }
}

extension Dhcp4Engine {
    /// The shell drops an offer `newlyOfferedAddress` named (another server holds the address)
    /// and hands the DISCOVER over again: the counters of the dropped decision are taken back
    /// (the offer was not sent; the DISCOVER is counted when it is handled again).
    public mutating func withdrawOffer(now: WallTime) {
        stats.takeBack(.pktOfferSent, now: now)
        stats.takeBack(.pktSent, now: now)
        stats.takeBack(.pktDiscoverReceived, now: now)
        stats.takeBack(.pktReceived, now: now)
    }
}
