/// One pool as the allocator walks it: candidates `first`, `first + step`, … (`count` of
/// them), each a prefix of `length` (128 for addresses).
struct PoolRange6 {
    var first: UInt128
    var count: UInt128
    var step: UInt128
    var length: Int
    var options: [ConfiguredOption6]
    var excluded: IPv6Prefix?
    /// The pool's `require-client-classes`.
    var requireClientClasses: [String] = []

    var last: UInt128 { first &+ (count &- 1) &* step }
    func contains(_ p: IPv6Prefix) -> Bool {
        let v = UInt128(p.network)
        return p.length == length && v >= first && v <= last && (v &- first) % step == 0
    }
    func prefix(_ v: UInt128) -> IPv6Prefix { IPv6Prefix(network: IPv6Address(v), length: length) }
    /// The candidate of this pool that holds address `a` (any of its bits past `length`), if any.
    func candidate(holding a: IPv6Address) -> IPv6Prefix? {
        let v = UInt128(a)
        guard v >= first else { return nil }
        let k = (v &- first) / step
        return k < count ? prefix(first &+ k &* step) : nil
    }
}

/// How Kea 2.4's allocation engine matches a prefix hint's length to the pd-pools'
/// delegated lengths (`Allocator::PrefixLenMatchType`): pools of the hinted length first,
/// then shorter ones, then longer ones; without a length, any pool.
enum PrefixLengthMatch6 {
    case any, equal, lower, higher

    /// The passes for a hint of `length` (0: none).
    static func passes(hintLength length: Int) -> [PrefixLengthMatch6] {
        length == 0 ? [.any] : [.equal, .lower, .higher]
    }

    func accepts(poolLength: Int, hintLength: Int) -> Bool {
        switch self {
        case .any: true
        case .equal: poolLength == hintLength
        case .lower: poolLength < hintLength
        case .higher: poolLength > hintLength
        }
    }
}

/// What the client sent in one IA: the addresses or prefixes it would like, and lifetimes.
struct IAHints {
    var prefixes: [IPv6Prefix] = []
    var preferred: UInt32 = 0
    var valid: UInt32 = 0
}

extension Dhcp6Engine {
    /// The pools of a subnet for one lease type open to a client of `classes`: those without
    /// a client-class and those whose class it is in.
    func pools(_ s: Subnet6, _ type: LeaseType6, classes: ClientClasses = ClientClasses()) -> [PoolRange6] {
        func open(_ c: String?) -> Bool { c.map(classes.contains) ?? true }
        switch type {
        case .delegatedPrefix:
            return s.pdPools.filter { open($0.clientClass) && $0.delegatedLength >= $0.prefix.length }.map {
                PoolRange6(first: UInt128($0.prefix.network), count: $0.capacity,
                           step: $0.delegatedLength >= 128 ? 1 : UInt128(1) << UInt128(128 - $0.delegatedLength),
                           length: $0.delegatedLength, options: $0.optionData, excluded: $0.excludedPrefix,
                           requireClientClasses: $0.requireClientClasses)
            }
        default:
            return s.pools.filter { open($0.clientClass) }.map {
                PoolRange6(first: UInt128($0.first), count: $0.capacity, step: 1, length: 128, options: $0.optionData,
                           excluded: nil, requireClientClasses: $0.requireClientClasses)
            }
        }
    }

    func hints(_ ia: DHCPv6IA, _ type: LeaseType6) -> IAHints {
        var h = IAHints()
        if type == .delegatedPrefix {
            let ps = (try? ia.prefixes()) ?? []
            h.prefixes = ps.filter { $0.prefixLength > 0 }.map(\.prefix)
            if let f = ps.first { (h.preferred, h.valid) = (f.preferredLifetimeSeconds, f.validLifetimeSeconds) }
        } else {
            let as_ = (try? ia.addresses()) ?? []
            h.prefixes = as_.map { IPv6Prefix(network: $0.address, length: 128) }
            if let f = as_.first { (h.preferred, h.valid) = (f.preferredLifetimeSeconds, f.validLifetimeSeconds) }
        }
        return h
    }

    /// Kea's triplet: the client's hint within [min, max], the default when there is no hint.
    static func triplet(_ def: UInt32, min lo: UInt32?, max hi: UInt32?, hint: UInt32) -> UInt32 {
        guard hint > 0 else { return def }
        return Swift.min(Swift.max(hint, lo ?? def), hi ?? def)
    }

    /// Preferred and valid lifetimes for a lease in `s`: each from the first of the client's
    /// classes that sets it, else the subnet's (Kea's `getLifetimes6`).
    func lifetimes(_ s: Subnet6, _ h: IAHints, _ q: Query6) -> (preferred: UInt32, valid: UInt32) {
        let t = timers(s)
        let byClass = classLifetimes(q)
        let valid = byClass.valid.map { Self.triplet($0.value, min: $0.min, max: $0.max, hint: h.valid) }
            ?? Self.triplet(t.common.validLifetimeSeconds ?? 7200, min: t.common.minValidLifetimeSeconds,
                            max: t.common.maxValidLifetimeSeconds, hint: h.valid)
        let preferred = byClass.preferred.map { Self.triplet($0.value, min: $0.min, max: $0.max, hint: h.preferred) }
            ?? Self.triplet(t.preferredLifetimeSeconds ?? 3600, min: t.minPreferredLifetimeSeconds,
                            max: t.maxPreferredLifetimeSeconds, hint: h.preferred)
        // As Kea 2.2 and 2.4: a preferred lifetime above the valid one is sent as it is.
        return (preferred, valid)
    }

    /// T1 and T2 for an IA whose shortest preferred lifetime is `preferred`: renew-timer and
    /// rebind-timer when configured, else (calculate-tee-times) the percentages of it; T1 is
    /// kept only when below T2.
    func teeTimes(_ s: Subnet6, preferred: UInt32) -> (UInt32, UInt32) {
        let t = timers(s).common
        let calc = t.calculateTeeTimes ?? true
        let t2 = t.rebindTimerSeconds ?? (calc ? UInt32((Double(preferred) * (t.t2Percent ?? 0.8)).rounded()) : 0)
        let t1 = t.renewTimerSeconds ?? (calc ? UInt32((Double(preferred) * (t.t1Percent ?? 0.5)).rounded()) : 0)
        return (t1 < t2 ? t1 : 0, t2)
    }

    /// The client's next reserved address (in the selected subnet) or prefix that is free for
    /// this IA, if it has a reservation.
    func reservedCandidate(_ type: LeaseType6, _ q: Query6, _ s: Subnet6, iaid: UInt32, taken: Set<IPv6Prefix>) -> IPv6Prefix? {
        guard let host = q.host else { return nil }
        let pd = type == .delegatedPrefix
        return (pd ? host.prefixes : host.addresses.map { IPv6Prefix(network: $0, length: 128) })
            .first { (pd || s.prefix.contains($0.network)) && !taken.contains($0) && usable($0, q, iaid: iaid) }
    }

    /// Whether `p` is one of the client's reserved addresses or prefixes.
    func isReserved(_ p: IPv6Prefix, for q: Query6) -> Bool {
        guard let host = q.host else { return false }
        return p.length == 128 ? host.addresses.contains(p.network) : host.prefixes.contains(p)
    }

    /// The subnets an allocation may use: the selected one, then the other subnets of its
    /// shared network in configuration order.
    func candidateSubnets(_ s: Subnet6, _ classes: ClientClasses) -> [Subnet6] {
        guard let n = s.sharedNetwork else { return [s] }
        return [s] + selectableSubnets(classes).filter { $0.sharedNetwork == n && $0.id != s.id }
    }

    /// Whether a candidate may be given to the client: no row, an expired one, or the
    /// client's own row for this IA.
    func usable(_ p: IPv6Prefix, _ q: Query6, iaid: UInt32) -> Bool {
        guard let l = row(at: p.network) else { return true }
        if l.state == .expiredReclaimed || l.isExpired(at: q.now.wall) { return true }
        return l.duid == q.duid && l.iaid == iaid && l.state == .assigned
    }

    /// The next free candidate after the subnet's cursor, across its pools in order (those
    /// `only` accepts), wrapping.
    mutating func nextFree(_ s: Subnet6, _ type: LeaseType6, _ q: Query6, iaid: UInt32, taken: Set<IPv6Prefix>,
                           only: (PoolRange6) -> Bool = { _ in true }) -> (IPv6Prefix, PoolRange6)? {
        let ranges = pools(s, type, classes: q.classes).filter(only)
        guard !ranges.isEmpty else { return nil }
        let total = ranges.reduce(UInt128(0)) { $0 &+ $1.count }
        let attempts = Swift.min(total, 1 << 20)
        let key = AllocatorCursor(subnetID: s.id, type: type)
        var cur = cursors[key]
        var i: UInt128 = 0
        while i < attempts {
            i += 1
            // The successor of `cur` within the pools.
            var next: (UInt128, Int)? = nil
            if let c = cur, let k = ranges.firstIndex(where: { c >= $0.first && c <= $0.last }) {
                next = c < ranges[k].last ? (c &+ ranges[k].step, k) : (ranges[(k + 1) % ranges.count].first, (k + 1) % ranges.count)
            }
            let (v, k) = next ?? (ranges[0].first, 0)
            cur = v
            let p = ranges[k].prefix(v)
            if !taken.contains(p), usable(p, q, iaid: iaid), !reservedForOther(p, in: s, host: q.host) {
                cursors[key] = v
                return (p, ranges[k])
            }
        }
        cursors[key] = cur
        return nil
    }

    /// Assigns one lease to an IA_NA or IA_PD (Solicit, Request, and Renew/Rebind of an IA
    /// the server has no binding for), as Kea's allocation engine: the IA's own lease in the
    /// subnet, else a reserved one, else the client's hint when free, else the iterative
    /// allocator's next free one. `commit` writes it (Request, Rapid Commit, Renew); without,
    /// it is only advertised.
    mutating func assign(_ type: LeaseType6, _ ia: DHCPv6IA, _ q: Query6, commit: Bool, taken: inout Set<IPv6Prefix>,
                         pools usedPools: inout [PoolRange6], _ effects: inout Effects6, _ counted: inout [Counted6]) -> DHCPv6IA {
        let pd = type == .delegatedPrefix
        var out = DHCPv6IA(iaid: ia.iaid)
        let advertise = !commit
        func fail(_ text: String, _ effects: inout Effects6) -> DHCPv6IA {
            out.options.append(DHCPv6Status(pd ? .noPrefixAvail : .noAddrsAvail, message: text))
            effects.events.append(pd ? .prefixAllocationFailed(client: q.label, iaid: ia.iaid, advertise: advertise)
                                     : .addressAllocationFailed(client: q.label, iaid: ia.iaid, advertise: advertise))
            return out
        }
        guard let selected = q.subnet else {
            return fail(pd ? "Sorry, no subnet available." : "Server could not select subnet for this client", &effects)
        }
        let h = hints(ia, type)
        // The selected subnet first, then the others of its shared network (Kea moves to
        // another subnet of the network when the client has a lease there or the first is full).
        let subnets = candidateSubnets(selected, q.classes)
        func owner(of p: IPv6Prefix) -> (Subnet6, PoolRange6?)? {
            for s in subnets { if let r = pools(s, type, classes: q.classes).first(where: { $0.contains(p) }) { return (s, r) } }
            if let s = subnets.first(where: { $0.prefix.contains(p.network) }) { return (s, nil) }
            return nil
        }
        var chosen: (IPv6Prefix, Subnet6)?
        var existing: Lease6?
        var fromReservation = false
        // A reservation comes first (Kea's allocateReservedLeases6): the client's reserved
        // address or prefix replaces a dynamic lease it holds in the IA.
        if let r = reservedCandidate(type, q, selected, iaid: ia.iaid, taken: taken) {
            chosen = (r, selected)
            fromReservation = true
            if let l = row(at: r.network), l.duid == q.duid, l.iaid == ia.iaid, l.state == .assigned { existing = l }
        }
        if chosen == nil {
            for s in subnets {
                if let l = store.firstLease(for: .identityInSubnet(type: type, duid: q.duid, iaid: ia.iaid, subnetID: s.id), where: {
                    $0.state == .assigned && !taken.contains($0.prefix) && !reservedForOther($0.prefix, in: s, host: q.host)
                }) {
                    chosen = (l.prefix, s)
                    existing = l
                    break
                }
            }
        }
        if chosen == nil, pd {
            chosen = unreservedPrefix(ia, q, subnets, taken: taken)
        }
        if chosen == nil, !pd, let hint = h.prefixes.first, case let (s, _?)? = owner(of: hint), !taken.contains(hint),
           usable(hint, q, iaid: ia.iaid), !reservedForOther(hint, in: s, host: q.host) {
            chosen = (hint, s)
        }
        if chosen == nil, !pd {
            for s in subnets {
                if let (p, _) = nextFree(s, type, q, iaid: ia.iaid, taken: taken) {
                    chosen = (p, s)
                    break
                }
            }
        }
        guard case let (p, s)? = chosen else {
            stats.add(.allocationFail, now: q.now.wall)
            stats.add(.allocationFail, subnet: selected.id, now: q.now.wall)
            return fail(pd ? "Sorry, no prefixes could be allocated." : "Sorry, no address could be allocated.", &effects)
        }
        let ranges = pools(s, type, classes: q.classes)
        func range(of p: IPv6Prefix) -> PoolRange6? { ranges.first { $0.contains(p) } }
        taken.insert(p)
        let pool = range(of: p)
        if let pool { usedPools.append(pool) }
        let (preferred, valid) = lifetimes(s, h, q)
        var lease = Lease6(type: type, address: p.network, prefixLength: UInt8(p.length), duid: q.duid, iaid: ia.iaid,
                           preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                           expire: q.now.wall + Seconds(Int64(valid)), subnetID: s.id)
        lease.hardwareAddress = q.hardwareAddress
        if q.hardwareAddress != nil { lease.hardwareAddressSource = clientHardwareAddressSource(q) }
        if commit {
            let isNew = existing == nil
            self.commit(.upsert(lease), into: &effects, now: q.now.wall)
            if fromReservation {
                // The IA's other, non-reserved leases are retired (Kea's removeNonreservedLeases6).
                for old in store.leases(for: .identity(type: type, duid: q.duid, iaid: ia.iaid))
                where old.prefix != p && old.state == .assigned && !isReserved(old.prefix, for: q) {
                    self.commit(.delete(old), into: &effects, now: q.now.wall)
                }
            }
            if pd {
                effects.events.append(.prefixAllocated(client: q.label, prefix: p, iaid: ia.iaid, validSeconds: valid))
            } else {
                effects.events.append(.leaseAllocated(client: q.label, address: p.network, iaid: ia.iaid, validSeconds: valid))
            }
            if isNew { countCumulative(type, s.id, q.now.wall, &counted) }
        } else {
            effects.events.append(pd ? .prefixAdvertised(client: q.label, prefix: p, iaid: ia.iaid)
                                     : .leaseAdvertised(client: q.label, address: p.network, iaid: ia.iaid))
        }
        appendLease(p, pd: pd, preferred: preferred, valid: valid, pool: pool, q, to: &out)
        (out.t1Seconds, out.t2Seconds) = teeTimes(s, preferred: preferred)
        return out
    }

    /// A prefix for an IA_PD with no lease of its own, as Kea 2.4's allocateUnreservedLeases6:
    /// for each length match in turn (`PrefixLengthMatch6.passes`), the client's first hint,
    /// when a pool of that match holds its address and it is free (delegated at the pool's
    /// length, whatever length the hint had), else the next free prefix of the pools of that match.
    mutating func unreservedPrefix(_ ia: DHCPv6IA, _ q: Query6, _ subnets: [Subnet6],
                                   taken: Set<IPv6Prefix>) -> (IPv6Prefix, Subnet6)? {
        let first = ((try? ia.prefixes()) ?? []).first
        // Kea reads a hint length of 128 as none.
        let hintLength = first.map { Int($0.prefixLength) == 128 ? 0 : Int($0.prefixLength) } ?? 0
        for match in PrefixLengthMatch6.passes(hintLength: hintLength) {
            let accepted = { (r: PoolRange6) in match.accepts(poolLength: r.length, hintLength: hintLength) }
            if let hint = first?.prefix.network {
                for s in subnets {
                    guard let p = pools(s, .delegatedPrefix, classes: q.classes).lazy.filter(accepted)
                        .compactMap({ $0.candidate(holding: hint) }).first else { continue }
                    if !taken.contains(p), usable(p, q, iaid: ia.iaid), !reservedForOther(p, in: s, host: q.host) {
                        return (p, s)
                    }
                }
            }
            for s in subnets {
                if let (p, _) = nextFree(s, .delegatedPrefix, q, iaid: ia.iaid, taken: taken, only: accepted) { return (p, s) }
            }
        }
        return nil
    }

    mutating func countCumulative(_ type: LeaseType6, _ subnet: UInt32, _ now: WallTime, _ counted: inout [Counted6]) {
        let (g, c): (GlobalCounter6, SubnetCounter6) = type == .delegatedPrefix
            ? (.cumulativeAssignedPDs, .cumulativeAssignedPDs) : (.cumulativeAssignedNAs, .cumulativeAssignedNAs)
        stats.add(g, now: now)
        stats.add(c, subnet: subnet, now: now)
        counted.append(.global(g))
        counted.append(.subnet(c, subnet))
    }

    /// Adds an IAADDR or IAPREFIX (with the PD-exclude option 67 when the client asked for
    /// it and the pool has an excluded prefix) to an IA.
    func appendLease(_ p: IPv6Prefix, pd: Bool, preferred: UInt32, valid: UInt32, pool: PoolRange6?, _ q: Query6, to ia: inout DHCPv6IA) {
        if !pd {
            ia.options.append(DHCPv6IAAddress(address: p.network, preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid))
            return
        }
        var options = DHCPv6Options()
        if q.requested.contains(67), let ex = pool?.excluded, let data = Self.pdExclude(ex, delegated: p) {
            options.append(67, data)
        }
        ia.options.append(DHCPv6IAPrefix(prefix: p, preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid, options: options))
    }

    /// RFC 6603 PD-exclude data: the excluded prefix's length, then its bits between the
    /// delegated length and its own, left-aligned in whole octets; placed in `delegated`.
    static func pdExclude(_ excluded: IPv6Prefix, delegated: IPv6Prefix) -> [UInt8]? {
        let bits = excluded.length - delegated.length
        guard bits > 0 else { return nil }
        let v = UInt128(excluded.network) << UInt128(delegated.length)
        var out: [UInt8] = [UInt8(excluded.length)]
        for i in 0..<((bits + 7) / 8) {
            var byte = UInt8(truncatingIfNeeded: v >> UInt128(120 - 8 * i))
            let remaining = bits - 8 * i
            if remaining < 8 { byte &= UInt8(truncatingIfNeeded: 0xFF << (8 - remaining)) }
            out.append(byte)
        }
        return out
    }
}
