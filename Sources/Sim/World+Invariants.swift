import KakapoCore

/// Invariants, checked as things change (an invariant can only break when something it reads
/// changes, so checking at each change is checking after every event).
extension World {
    func violate(_ name: String, _ detail: String) {
        guard failure == nil else { return }
        failure = SimFailure(kind: .invariant, name: name, detail: detail, seed: seed, event: eventCount, timeMilliseconds: now)
        record("invariant", [("ok", .bool(false)), ("invariant", .string(name)), ("detail", .string(detail))])
    }

    func afterEvent() {
        checksSinceTrace += 1
        if checksSinceTrace >= 1000 {
            record("invariant", [("ok", .bool(true)), ("checked", .int(Int64(checksSinceTrace)))])
            checksSinceTrace = 0
        }
    }

    func owner(_ lease: Lease4, is c: Int) -> Bool {
        let client = clients[c].client
        if let cid = client.clientID, let lcid = lease.clientID { return cid == lcid }
        return lease.hardwareAddress?.bytes == client.mac
    }

    /// A client just bound: nobody else may hold the address, the server that granted it must
    /// have it under this client, and the times must be the configured ones.
    func checkBound(_ c: Int, _ l: VirtualClient.Lease) {
        if let other = holders[l.address], other != c, clients[other].client.holdsLease(at: now),
           clients[other].client.lease?.address == l.address {
            violate("unique-address", "\(l.address) bound by \(clientName(c)) while \(clientName(other)) holds it")
            return
        }
        guard let s = serverByAddress[l.serverID] else {
            violate("lease-on-server", "\(clientName(c)) bound \(l.address) from unknown server \(l.serverID)")
            return
        }
        checkHeld(c, l.address, server: s)
        checkTimers(c, l, server: s)
        checkReservations(c, l.address)
    }

    /// A client whose lease from one server is still valid and that binds through another
    /// server sharing its lease database (it rebinds or reboots while its server is away)
    /// keeps its address: the other server reads the lease and honours it.
    func checkKeptAddress(_ c: Int, _ l: VirtualClient.Lease) {
        guard let previous = lastBinding[c], previous.expiresAt > now,
              let before = serverByAddress[previous.serverID], let after = serverByAddress[l.serverID],
              before != after, let db = servers[before].database, servers[after].database === db else { return }
        guard previous.address != l.address else {
            moves += 1
            return
        }
        violate("client-keeps-address", "\(clientName(c)) held \(previous.address) from \(servers[before].spec.name) until t=\(previous.expiresAt / 1000)s but \(servers[after].spec.name) bound it to \(l.address)")
    }

    /// An address reserved (on any server) for one client is never bound by another.
    func checkReservations(_ c: Int, _ address: IPv4Address) {
        let client = clients[c].client
        for server in servers {
            for subnet in server.config.subnets where !subnet.reservations.isEmpty && subnet.prefix.contains(address) {
                guard let r = subnet.reservations.first(where: { $0.address == address }) else { continue }
                let mine: Bool
                switch r.identifier {
                case .hwAddress(let h): mine = h.bytes == client.mac
                case .clientID(let id): mine = id == client.clientID
                default: mine = false  // Simulated clients send no DUID client id, no relay circuit-id.
                }
                if !mine {
                    violate("reservation-respected", "\(clientName(c)) bound \(address), reserved on \(server.spec.name) for \(r.identifier)")
                    return
                }
            }
        }
    }

    /// What the server's storage holds at `address`: the shared database's row, else the
    /// engine's own store (rebuilt from its lease file after a restart).
    func record(at address: IPv4Address, server s: Int) -> Lease4? {
        if let db = servers[s].database { return inPlace(&db.rows) { $0.lease(at: address) } }
        guard servers[s].engine != nil else { return nil }
        return inPlace(&servers[s].engine!) { $0.store.lease(at: address) }
    }

    /// The server's record of `address` must be an assigned lease owned by client `c`.
    func checkHeld(_ c: Int, _ address: IPv4Address, server s: Int) {
        // Reads through the server without copying its engine (a copy retains all its storage).
        guard servers[s].isUp else { return }
        let found = record(at: address, server: s)
        guard let lease = found, lease.state == .assigned, owner(lease, is: c) else {
            violate("lease-on-server", "\(clientName(c)) holds \(address) but server \(servers[s].spec.name) has \(found.map { "state \($0.state) owner \($0.hardwareAddress?.description ?? "-")" } ?? "no lease")")
            return
        }
    }

    /// A server changed its record of an address: a client still holding that address from
    /// this server must still own it there.
    func checkLeaseChange(_ s: Int, _ change: LeaseChange4) {
        let a = change.lease.address
        guard let c = holders[a], clients[c].client.holdsLease(at: now),
              let l = clients[c].client.lease, l.address == a, serverByAddress[l.serverID] == s,
              !serverSeesExpired(c, l.expiresAt, offset: servers[s].clockOffsetSeconds) else { return }
        checkHeld(c, a, server: s)
    }

    /// Whether the server may rightly see client `c`'s lease (until `expiresAt`, client time)
    /// as expired now. Lease times are whole seconds: the client counts from when it sent its
    /// request, the server from the second it answered, so the server's end can come up to a
    /// second sooner. A clock that leapt forward since the grant (`offset` now) moves that end
    /// sooner by the leap: the server is right by its own clock.
    func serverSeesExpired(_ c: Int, _ expiresAt: Int64, offset: Int64) -> Bool {
        now + forwardDrift(c, offset: offset) * 1000 >= expiresAt / 1000 * 1000
    }

    /// How far (seconds) the server's clock (`offset` now) leapt forward since it granted
    /// client `c`'s lease: by its own clock, the lease ends that much sooner.
    func forwardDrift(_ c: Int, offset: Int64) -> Int64 { max(0, offset - (grantOffset[c] ?? offset)) }

    /// After a restart, every lease a client holds from the server must have survived.
    func checkAckedLeasesSurvived(_ s: Int) {
        for (a, c) in holders.sorted(by: { $0.key < $1.key }) {
            guard clients[c].client.holdsLease(at: now), let l = clients[c].client.lease, l.address == a,
                  serverByAddress[l.serverID] == s else { continue }
            guard let lease = record(at: a, server: s), owner(lease, is: c), lease.state == .assigned else {
                violate("acked-lease-durable", "\(clientName(c)) holds \(a) (ACKed by \(servers[s].spec.name)) but the restarted server lost it")
                return
            }
            // The restored lease must last at least as long as the last ACK promised: a lost
            // renewal write leaves an older, shorter lease behind.
            let restoredUntil = lease.expire.secondsSinceEpoch - SimServer.epochBase - servers[s].clockOffsetSeconds
                + forwardDrift(c, offset: servers[s].clockOffsetSeconds)
            if restoredUntil < l.expiresAt / 1000 {
                violate("acked-lease-durable", "\(clientName(c)) was promised \(a) until t=\(l.expiresAt / 1000)s but the restarted \(servers[s].spec.name) restored it only until t=\(restoredUntil)s")
                return
            }
        }
    }

    /// Lifetime, T1 and T2 as the server's configuration says for the lease's subnet.
    func checkTimers(_ c: Int, _ l: VirtualClient.Lease, server s: Int) {
        let cfg = servers[s].config
        guard let subnet = cfg.subnets.first(where: { $0.prefix.contains(l.address) }) else { return }
        let t = subnet.timers.inheriting(from: cfg.timers)
        var valid = t.validLifetimeSeconds ?? 7200
        // Lease caching answers a young lease's renewal with what is left of it: a shorter
        // lifetime, no shorter than the cache allows, with timers computed from it.
        let cache = subnet.allocation.inheriting(from: cfg.allocation)
        if cache.cacheThreshold != nil || cache.cacheMaxAgeSeconds != nil, l.leaseSeconds < valid {
            var maxAge = UInt64(cache.cacheMaxAgeSeconds ?? UInt32.max)
            if let threshold = cache.cacheThreshold { maxAge = min(maxAge, UInt64(Double(valid) * threshold)) }
            if UInt64(valid - l.leaseSeconds) <= maxAge { valid = l.leaseSeconds }
        }
        var t1 = t.renewTimerSeconds, t2 = t.rebindTimerSeconds
        if t.calculateTeeTimes == true {
            t1 = t1 ?? UInt32(Double(valid) * (t.t1Percent ?? 0.5))
            t2 = t2 ?? UInt32(Double(valid) * (t.t2Percent ?? 0.875))
        }
        if let v = t2, v >= valid { t2 = nil }
        if let v = t1, v >= (t2 ?? valid) { t1 = nil }
        if l.leaseSeconds != valid || l.t1Seconds != t1 || l.t2Seconds != t2 {
            violate("timers-follow-config", "\(clientName(c)) got lease \(l.leaseSeconds)s T1 \(l.t1Seconds.map(String.init) ?? "-") T2 \(l.t2Seconds.map(String.init) ?? "-"); config says \(valid)s T1 \(t1.map(String.init) ?? "-") T2 \(t2.map(String.init) ?? "-")")
        }
    }
}

/// Runs `body` on a class's stored value in place. A plain read through a class property
/// (`server.engine?.store.lease(at:)`) copies the value first, retaining all its storage; an
/// inout access hands over its address.
@inline(__always)
func inPlace<T, R>(_ value: inout T, _ body: (inout T) -> R) -> R { body(&value) }
