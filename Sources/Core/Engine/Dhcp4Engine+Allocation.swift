/// The outcome of looking for an address for a client.
enum AllocationResult {
    /// `pool` is nil for a reserved address outside the pools.
    case address(IPv4Address, pool: Pool4?, existing: Lease4?)
    case unavailable
}

extension Dhcp4Engine {
    /// Kea's `Lease4::belongsToClient`: client ids decide when both sides have one and
    /// match-client-id is on; otherwise the hardware address does.
    func belongs(_ lease: Lease4, to x: Exchange, subnet: Subnet4) -> Bool {
        let matchCID = subnet.matchClientID ?? config.matchClientID
        if matchCID, let cid = x.clientID, let lcid = lease.clientID, !lcid.isEmpty {
            return cid == lcid
        }
        guard let h = lease.hardwareAddress, !h.isEmpty else { return false }
        return h == x.hardwareAddress
    }

    /// The client's current lease in `subnet`, found by client id first, then hardware address.
    func clientLease(_ x: Exchange, in subnet: Subnet4) -> Lease4? {
        let matchCID = subnet.matchClientID ?? config.matchClientID
        if matchCID, let cid = x.clientID {
            if let l = store.firstLease(for: .clientID(cid), where: { $0.subnetID == subnet.id && $0.state != .declined }) {
                return l
            }
        }
        return store.firstLease(for: .hardwareAddress(x.hardwareAddress)) {
            $0.subnetID == subnet.id && $0.state != .declined && belongs($0, to: x, subnet: subnet)
        }
    }

    /// Whether `a` can be given to this client: no lease, the client's own, or a lease that has
    /// expired (declined ones once their probation is over).
    func isAvailable(_ a: IPv4Address, for x: Exchange, subnet: Subnet4) -> Bool {
        if isReservedForAnother(a, x, subnet: subnet) { return false }
        guard let l = store.lease(at: a) else { return true }
        if l.state == .expiredReclaimed { return true }
        if l.state == .declined { return l.isExpired(at: x.now.wall) }
        return belongs(l, to: x, subnet: subnet) || l.isExpired(at: x.now.wall)
    }

    func pool(of a: IPv4Address, in subnet: Subnet4) -> Pool4? { subnet.pools.first { $0.contains(a) } }

    /// The pool of `a` when the client's classes admit it (Kea's `inAllowedPool`): a requested
    /// or held address in a pool the client may not use is not given, and a REQUEST for it is
    /// NAKed.
    func allowedPool(of a: IPv4Address, in subnet: Subnet4, _ x: Exchange) -> Pool4? {
        pool(of: a, in: subnet).flatMap { admits($0, x) ? $0 : nil }
    }

    /// Chooses an address: the client's lease, then the hint if free and in a pool, then the
    /// next free address after the subnet's cursor. With `hintIsMandatory` (REQUEST), a hint
    /// that cannot be granted gives `.unavailable` instead of another address.
    mutating func chooseAddress(_ x: Exchange, subnet: Subnet4, hint: IPv4Address?, hintIsMandatory: Bool) -> AllocationResult {
        let existing = clientLease(x, in: subnet)
        // A reserved address comes first, in or out of the pools.
        if let reserved = reservedAddress(for: x, in: subnet) {
            let free = isAvailable(reserved, for: x, subnet: subnet)
            if free && (hint == nil || hint == reserved || !hintIsMandatory) {
                return .address(reserved, pool: pool(of: reserved, in: subnet), existing: existing)
            }
            // Asking for another address while the reserved one waits: refused (NAK), so the
            // client comes back for its reservation, as with Kea.
            if free { return .unavailable }
            // Held by someone else: a dynamic address meanwhile, counted as a conflict.
            countReservationConflict(subnet, x.now.wall)
        }
        if let e = existing, hint == nil || hint == e.address, let p = allowedPool(of: e.address, in: subnet, x),
           !isReservedForAnother(e.address, x, subnet: subnet) {
            return .address(e.address, pool: p, existing: e)
        }
        if let h = hint {
            if let p = allowedPool(of: h, in: subnet, x), isAvailable(h, for: x, subnet: subnet) {
                return .address(h, pool: p, existing: existing)
            }
            if hintIsMandatory { return .unavailable }
        }
        if let e = existing, let p = allowedPool(of: e.address, in: subnet, x), !isReservedForAnother(e.address, x, subnet: subnet) {
            return .address(e.address, pool: p, existing: e)
        }
        // The subnet's allocator (iterative or random): Dhcp4Engine+Allocators.swift.
        return allocateFree(x, subnet: subnet).map { .address($0.0, pool: $0.1, existing: existing) } ?? .unavailable
    }

    /// Kea's iterative allocator: walk the pools from the cursor, wrapping once. Bounded by the
    /// total pool size.
    mutating func nextFreeAddress(_ x: Exchange, subnet: Subnet4) -> (IPv4Address, Pool4)? {
        let pools = subnet.pools
        guard !pools.isEmpty else { return nil }
        let total = pools.reduce(UInt64(0)) { $0 + $1.size }
        var candidate = cursors[subnet.id] ?? pools[0].first.value
        var tried: UInt64 = 0
        while tried < total {
            guard let p = pools.first(where: { $0.contains(IPv4Address(candidate)) }) else {
                // The cursor sits outside every pool: move to the next pool start (wrapping).
                candidate = pools.first(where: { $0.first.value > candidate })?.first.value ?? pools[0].first.value
                continue
            }
            let a = IPv4Address(candidate)
            candidate = a == p.last ? (pools.first(where: { $0.first > p.last })?.first.value ?? pools[0].first.value) : candidate &+ 1
            tried += 1
            if excludedFirstLast24(a, subnet) || !admits(p, x) { continue }
            if isAvailable(a, for: x, subnet: subnet) {
                cursors[subnet.id] = candidate
                return (a, p)
            }
        }
        return nil
    }

    /// `compatibility.exclude-first-last-24`: .0 and .255 of a subnet of /24 or shorter are
    /// never picked as free addresses (Kea 2.4; a /25 or longer keeps them).
    func excludedFirstLast24(_ a: IPv4Address, _ subnet: Subnet4) -> Bool {
        guard config.compatibility.excludeFirstLast24, subnet.prefix.length <= 24 else { return false }
        let last = a.value & 0xff
        return last == 0 || last == 0xff
    }

    /// Valid lifetime: the client's option 51 clamped to [min, max], else the configured value;
    /// a class's triplet, when the client has one, replaces the subnet's (`classLifetimes`).
    func validLifetime(_ x: Exchange, subnet: Subnet4) -> UInt32 {
        if x.classes.contains("BOOTP") { return Self.bootpLifetime }  // Dhcp4Engine+Bootp.swift
        let t = classLifetimes(x) ?? subnet.timers.inheriting(from: config.timers)
        let valid = t.validLifetimeSeconds ?? 7200
        guard let asked = x.message.options.u32(DHCPv4Option.dhcpLeaseTime) else { return valid }
        let lo = t.minValidLifetimeSeconds ?? valid
        let hi = t.maxValidLifetimeSeconds ?? valid
        return min(max(asked, lo), hi)
    }

    /// T1 and T2 to send, if any: configured timers, else computed with calculate-tee-times.
    /// As Kea, T2 is sent only below the lifetime and T1 only below T2 (or the lifetime).
    func teeTimes(valid: UInt32, subnet: Subnet4) -> (t1: UInt32?, t2: UInt32?) {
        let t = subnet.timers.inheriting(from: config.timers)
        var t1 = t.renewTimerSeconds
        var t2 = t.rebindTimerSeconds
        if t.calculateTeeTimes == true {
            if t1 == nil { t1 = UInt32(Double(valid) * (t.t1Percent ?? 0.5)) }
            if t2 == nil { t2 = UInt32(Double(valid) * (t.t2Percent ?? 0.875)) }
        }
        if let v = t2, v >= valid { t2 = nil }
        if let v = t1, v >= (t2 ?? valid) { t1 = nil }
        return (t1, t2)
    }

    /// Keeps the address gauges right for any lease change: what the old row counted goes, what
    /// the new row counts comes.
    mutating func adjustGauges(old: Lease4?, new: Lease4?, now: WallTime) {
        if let o = old { gauge(o, -1, now) }
        if let n = new { gauge(n, 1, now) }
    }

    private mutating func gauge(_ l: Lease4, _ d: Int64, _ now: WallTime) {
        switch l.state {
        case .assigned: stats.add(.assignedAddresses, subnet: l.subnetID, d, now: now)
        case .declined:
            stats.add(.declinedAddresses, subnet: l.subnetID, d, now: now)
            stats.add(.declinedAddresses, d, now: now)
        case .expiredReclaimed: break
        }
    }

    /// `reservations-global`, `-in-subnet` and `-out-of-pool` in force for `subnet`.
    func reservationModes(_ subnet: Subnet4) -> ReservationModes {
        subnet.reservationModes.inheriting(from: config.reservationModes)
    }

    /// The client's reservation for `subnet`, as Kea's host lookup finds it: the subnet's own
    /// (with reservations-in-subnet), else a global one (with reservations-global). In each,
    /// the first identifier type of host-reservation-identifiers that matches wins.
    func reservation(for x: Exchange, in subnet: Subnet4) -> Reservation4? {
        let modes = reservationModes(subnet)
        if modes.inSubnet == true, let r = lookUp(x.identifiers, in: subnet.reservations) { return r }
        if modes.global == true, let r = lookUp(x.identifiers, in: config.reservations) { return r }
        return nil
    }

    func lookUp(_ ids: ClientIdentifiers4, in list: [Reservation4]) -> Reservation4? {
        guard !list.isEmpty else { return nil }
        for type in config.hostReservationIdentifiers {
            guard let id = ids.identifier(type) else { continue }
            if let r = list.first(where: { $0.identifier.type == type && $0.identifier.bytes == id.bytes }) { return r }
        }
        return nil
    }

    /// The address reserved for the client in `subnet`, if it can be used there: a global
    /// reservation's address only inside the subnet, and with reservations-out-of-pool none
    /// inside a pool (the operator promised there would be none).
    func reservedAddress(for x: Exchange, in subnet: Subnet4) -> IPv4Address? {
        guard let a = reservation(for: x, in: subnet)?.address, subnet.prefix.contains(a) else { return nil }
        if reservationModes(subnet).outOfPool == true, pool(of: a, in: subnet) != nil { return nil }
        return a
    }

    /// Whether `a` is reserved, in `subnet` or globally (when those reservations count for
    /// `subnet`), for a host other than the client's own reservation. With
    /// reservations-out-of-pool, addresses in the pools are not checked, as in Kea.
    func isReservedForAnother(_ a: IPv4Address, _ x: Exchange, subnet: Subnet4) -> Bool {
        let modes = reservationModes(subnet)
        if modes.outOfPool == true, pool(of: a, in: subnet) != nil { return false }
        let local = modes.inSubnet == true ? subnet.reservations.first { $0.address == a } : nil
        let global = modes.global == true && !config.reservations.isEmpty && subnet.prefix.contains(a)
            ? config.reservations.first { $0.address == a } : nil
        guard local != nil || global != nil else { return false }
        let mine = reservation(for: x, in: subnet)?.identifier
        return [local, global].contains { holder in holder.map { $0.identifier != mine } ?? false }
    }

    mutating func countReservationConflict(_ subnet: Subnet4, _ now: WallTime) {
        stats.add(.reservationConflicts, now: now)
        stats.add(.reservationConflicts, subnet: subnet.id, now: now)
    }
}
