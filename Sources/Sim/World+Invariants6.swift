import KakapoCore

/// DHCPv6 invariants, checked as things change (as `World+Invariants.swift` does for v4): no
/// address held by two clients, no two delegated prefixes that overlap, every lease a client
/// holds on its server, lifetimes and T1/T2 as configured, acknowledged leases surviving a
/// crash.
extension World {
    func serverIndex6(duid: [UInt8]) -> Int? { servers6.firstIndex { $0.duid == duid } }

    /// Whether client `c` holds `prefix` now.
    func holds6(_ c: Int, _ prefix: IPv6Prefix) -> Bool {
        let client = clients6[c].client
        return client.holdsLease(at: now) && (client.binding?.leases.contains { $0.prefix == prefix && now < $0.expiresAt } ?? false)
    }

    /// A client just bound (or confirmed) its leases.
    func checkBound6(_ c: Int, _ b: VirtualClient6.Binding) {
        for l in b.leases {
            if l.type == .delegatedPrefix {
                if let (other, theirs) = overlappingHolder(l.prefix, except: c) {
                    return violate("unique-prefix", "\(clientName6(c)) was delegated \(l.prefix), overlapping \(theirs) of \(clientName6(other))")
                }
            } else if let other = holders6[l.prefix], other != c, holds6(other, l.prefix) {
                return violate("unique-address", "\(l.prefix.network) bound by \(clientName6(c)) while \(clientName6(other)) holds it")
            }
            guard let s = serverIndex6(duid: b.serverDUID) else {
                return violate("lease-on-server", "\(clientName6(c)) bound \(l.prefix) from an unknown server DUID")
            }
            checkHeld6(c, l, server: s)
            checkTimers6(c, l, server: s)
            if failure != nil { return }
        }
    }

    /// Another client's delegated prefix that overlaps `p`: one containing it (looked up at
    /// each length held) or one inside it.
    func overlappingHolder(_ p: IPv6Prefix, except c: Int) -> (Int, IPv6Prefix)? {
        for length in heldLengths6 {
            if length <= p.length {
                let outer = IPv6Prefix(network: p.network, length: length)
                if let other = holders6[outer], other != c, holds6(other, outer) { return (other, outer) }
            } else {
                // The lowest such prefix, so that the report does not depend on hashing order.
                let inside = holders6.filter { $0.key.length == length && $0.value != c && p.contains($0.key.network) && holds6($0.value, $0.key) }
                if let q = inside.keys.min(by: { $0.network < $1.network }) { return (inside[q]!, q) }
            }
        }
        return nil
    }

    /// The lengths of delegated prefixes clients were given, shortest first.
    var heldLengths6: [Int] { pdLengths6.sorted() }

    /// The server's record of a lease must be an assigned lease of this client and IA.
    func checkHeld6(_ c: Int, _ l: VirtualClient6.Held, server s: Int) {
        guard let engine = servers6[s].engine else { return }
        let found = engine.store.lease(l.type, at: l.prefix.network)
        guard let lease = found, lease.state == .assigned, lease.duid == clients6[c].client.duid, lease.iaid == l.iaid,
              Int(lease.prefixLength) == l.prefix.length else {
            violate("lease-on-server", "\(clientName6(c)) holds \(l.prefix) but server \(servers6[s].spec.name) has \(found.map { "state \($0.state) iaid \($0.iaid) /\($0.prefixLength)" } ?? "no lease")")
            return
        }
    }

    /// A server changed a row: a client still holding that lease from this server must still
    /// own it there.
    func checkLeaseChange6(_ s: Int, _ change: LeaseChange6) {
        let p = change.lease.prefix
        guard let c = holders6[p], holds6(c, p), let b = clients6[c].client.binding, serverIndex6(duid: b.serverDUID) == s,
              let l = b.leases.first(where: { $0.prefix == p }),
              !serverSeesExpired(c, l.expiresAt, offset: servers6[s].clockOffsetSeconds) else { return }
        checkHeld6(c, l, server: s)
    }

    /// After a restart every lease a client holds from the server is there, lasting at least
    /// as long as the last Reply promised.
    func checkAckedLeasesSurvived6(_ s: Int) {
        guard let engine = servers6[s].engine else { return }
        for c in clients6.indices where clients6[c].client.holdsLease(at: now) {
            guard let b = clients6[c].client.binding, serverIndex6(duid: b.serverDUID) == s else { continue }
            for l in b.leases where now < l.expiresAt {
                guard let lease = engine.store.lease(l.type, at: l.prefix.network), lease.duid == clients6[c].client.duid,
                      lease.state == .assigned else {
                    return violate("acked-lease-durable", "\(clientName6(c)) holds \(l.prefix) (acknowledged by \(servers6[s].spec.name)) but the restarted server lost it")
                }
                let restoredUntil = lease.expire.secondsSinceEpoch - SimServer.epochBase - servers6[s].clockOffsetSeconds
                    + forwardDrift(c, offset: servers6[s].clockOffsetSeconds)
                if restoredUntil < l.expiresAt / 1000 {
                    return violate("acked-lease-durable", "\(clientName6(c)) was promised \(l.prefix) until t=\(l.expiresAt / 1000)s but the restarted \(servers6[s].spec.name) restored it only until t=\(restoredUntil)s")
                }
            }
        }
    }

    /// Valid and preferred lifetimes, T1 and T2 as the configuration says for the lease's
    /// subnet: `valid-lifetime`, `preferred-lifetime` (no longer than valid), `renew-timer`
    /// and `rebind-timer`, or with calculate-tee-times the configured fractions (0.5, 0.8) of
    /// the preferred lifetime; a T1 not below T2 is sent as 0.
    func checkTimers6(_ c: Int, _ l: VirtualClient6.Held, server s: Int) {
        let cfg = servers6[s].config
        let subnet = cfg.subnets.first { sn in
            l.type == .delegatedPrefix ? sn.pdPools.contains { $0.prefix.contains(l.prefix.network) } : sn.prefix.contains(l.prefix.network)
        }
        guard let subnet else { return }
        let t = subnet.timers.inheriting(from: cfg.timers)
        let valid = t.common.validLifetimeSeconds ?? 7200
        let preferred = min(t.preferredLifetimeSeconds ?? 3600, valid)
        let calc = t.common.calculateTeeTimes ?? true
        let t2 = t.common.rebindTimerSeconds ?? (calc ? UInt32((Double(preferred) * (t.common.t2Percent ?? 0.8)).rounded()) : 0)
        var t1 = t.common.renewTimerSeconds ?? (calc ? UInt32((Double(preferred) * (t.common.t1Percent ?? 0.5)).rounded()) : 0)
        if t1 >= t2 { t1 = 0 }
        if l.validSeconds != valid || l.preferredSeconds != preferred || l.t1Seconds != t1 || l.t2Seconds != t2 {
            violate("timers-follow-config", "\(clientName6(c)) got \(l.prefix) valid \(l.validSeconds)s preferred \(l.preferredSeconds)s T1 \(l.t1Seconds) T2 \(l.t2Seconds); config says valid \(valid)s preferred \(preferred)s T1 \(t1) T2 \(t2)")
        }
    }
}
