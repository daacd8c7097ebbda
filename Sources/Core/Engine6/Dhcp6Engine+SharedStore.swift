/// A lease store shared with other servers, for DHCPv6: the twin of
/// `Dhcp4Engine+SharedStore.swift`. The shell shows the engine the store's rows for the keys a
/// datagram reads before the engine decides on it. (A DHCPv6 REQUEST may be given other
/// addresses than advertised, so ADVERTISEs need no check before they are sent.)
extension Dhcp6Engine {
    /// The lease keys deciding on `d` may read: each IA (IA_NA, IA_TA, IA_PD) of the client's
    /// DUID, and each address or prefix the client names in them. Empty for a datagram that
    /// does not decode or has no client identifier.
    public static func leaseKeys(of d: InboundDatagram) -> [LeaseKey6] {
        guard case .success(let m) = DHCPv6Message.decode(d.bytes) else { return [] }
        let c = m.innermost
        guard let duid = c.options.clientID, !duid.isEmpty else { return [] }
        var keys: [LeaseKey6] = []
        for ia in (try? c.options.iaNAs()) ?? [] {
            keys.append(.identity(type: .nonTemporaryAddress, duid: duid, iaid: ia.iaid))
            for a in (try? ia.addresses()) ?? [] { keys.append(.address(a.address)) }
        }
        for ia in (try? c.options.iaTAs()) ?? [] {
            keys.append(.identity(type: .temporaryAddress, duid: duid, iaid: ia.iaid))
        }
        for ia in (try? c.options.iaPDs()) ?? [] {
            keys.append(.identity(type: .delegatedPrefix, duid: duid, iaid: ia.iaid))
            for p in (try? ia.prefixes()) ?? [] { keys.append(.address(p.prefixAddress)) }
        }
        return keys
    }

    /// Shows the engine what the shared store holds for `keys` (`rows`: every row matching
    /// any key): afterwards the view holds exactly those rows for the keys, gauges adjusted.
    /// Call it only when no transaction touching these rows is in flight.
    public mutating func showStoreRows(_ rows: [Lease6], forKeys keys: [LeaseKey6], now: WallTime) {
        var byAddress: [IPv6Address: Lease6] = [:]
        byAddress.reserveCapacity(rows.count)
        for r in rows where r.isWellFormed { byAddress[r.address] = r }
        var gone: [IPv6Address] = []
        for k in keys {
            for l in store.leases(for: k) where byAddress[l.address] == nil { gone.append(l.address) }
        }
        for a in gone {
            guard let held = row(at: a) else { continue }
            store.apply(.delete(held))
            adjustGauges(old: held, new: nil, now: now)
        }
        for r in byAddress.values {
            let held = row(at: r.address)
            if held == r { continue }
            // A row of another type at the address goes first (the store keys by address).
            if let h = held, h.type != r.type { store.apply(.delete(h)) }
            store.apply(.upsert(r))
            adjustGauges(old: held, new: r, now: now)
        }
    }

    /// Shows the engine the whole shared store: afterwards the view is exactly `rows`.
    public mutating func showAllStoreRows(_ rows: [Lease6], now: WallTime) {
        var keys: [LeaseKey6] = []
        keys.reserveCapacity(store.count + rows.count)
        store.forEachLease { keys.append(.address($0.address)) }
        for r in rows { keys.append(.address(r.address)) }
        showStoreRows(rows, forKeys: keys, now: now)
    }

    /// Counts datagrams the shell received and dropped without handing them over (the service
    /// is stopped while the lease database is being reconnected).
    public mutating func countDropped(_ n: Int, now: WallTime) {
        guard n > 0 else { return }
        stats.add(.pktReceived, Int64(n), now: now)
        stats.add(.pktReceiveDrop, Int64(n), now: now)
    }
}
