/// Conditional writes, transactions and their settlement: the v6 counterpart of
/// `Dhcp4Engine+Durability.swift`. The view (`store`) takes each proposal at once; the shell
/// makes it durable, and a failure or conflict undoes it here.
extension Dhcp6Engine {
    /// Transactions proposed and not yet settled (the shell owes an outcome for each).
    public var transactionsInFlight: Int { inFlight.count }

    /// Proposes a change: the view takes it at once (the next packet sees the address taken),
    /// and the effects carry it, conditional on the row the view held, and the gauges follow.
    mutating func commit(_ change: LeaseChange6, into effects: inout Effects6, now: WallTime) {
        if case .upsert(let l) = change {
            precondition(l.isWellFormed, "DHCPv6 lease without identity about to be written: \(l.address)")
        }
        let a = change.lease.address
        let expected: Lease6?
        if let earlier = effects.earlierWrite(at: a) { expected = earlier } else { expected = row(at: a) }
        store.apply(change)
        adjustGauges(old: expected, new: change.written, now: now)
        effects.appendWrite(LeaseWrite6(change: change, expected: expected))
    }

    /// The row at an address or prefix, whatever its type.
    func row(at a: IPv6Address) -> Lease6? {
        store.lease(.nonTemporaryAddress, at: a) ?? store.lease(.delegatedPrefix, at: a) ?? store.lease(.temporaryAddress, at: a)
    }

    /// Closes an input's proposal: if it wrote anything, everything it produced (replies,
    /// events) now waits on one transaction.
    mutating func seal(_ effects: inout Effects6, label: Client6Label?, counted: [Counted6]) {
        guard let id = effects.openTransaction(counter: &nextTransaction) else { return }
        inFlight[id] = InFlight6(writes: effects.writes, label: label, counted: counted)
    }

    /// Undoes a transaction's writes in the view, newest first, with the gauges and counters
    /// they moved.
    mutating func rollBack(_ t: InFlight6, now: WallTime) {
        for w in t.writes.reversed() {
            store.apply(w.undo)
            adjustGauges(old: w.change.written, new: w.expected, now: now)
        }
        for c in t.counted {
            switch c {
            case .global(let g): stats.add(g, -1, now: now)
            case .subnet(let s, let id): stats.add(s, subnet: id, -1, now: now)
            }
        }
    }

    /// Moves the per-subnet gauges (assigned-nas, assigned-pds, declined-addresses) from what
    /// `old` contributed to what `new` does. A declined address stays counted as assigned, as
    /// in Kea, until it is reclaimed.
    mutating func adjustGauges(old: Lease6?, new: Lease6?, now: WallTime) {
        if let o = old { contribute(o, -1, now: now) }
        if let n = new { contribute(n, 1, now: now) }
    }

    private mutating func contribute(_ l: Lease6, _ sign: Int64, now: WallTime) {
        guard l.state != .expiredReclaimed else { return }
        switch l.type {
        case .nonTemporaryAddress: stats.add(.assignedNAs, subnet: l.subnetID, sign, now: now)
        case .delegatedPrefix: stats.add(.assignedPDs, subnet: l.subnetID, sign, now: now)
        case .temporaryAddress: break
        }
        if l.state == .declined {
            stats.add(.declinedAddresses, subnet: l.subnetID, sign, now: now)
            stats.add(.declinedAddresses, sign, now: now)
        }
    }

    /// Recomputes the gauges from the configuration and the store (start, reconfiguration).
    public mutating func recountStatistics(now: WallTime) {
        var assignedNA: [UInt32: Int64] = [:], assignedPD: [UInt32: Int64] = [:], declined: [UInt32: Int64] = [:]
        var declinedTotal: Int64 = 0
        store.forEachTally { subnetID, type, state, count in
            guard state != .expiredReclaimed else { return }
            let n = Int64(count)
            switch type {
            case .nonTemporaryAddress: assignedNA[subnetID, default: 0] += n
            case .delegatedPrefix: assignedPD[subnetID, default: 0] += n
            case .temporaryAddress: break
            }
            if state == .declined {
                declined[subnetID, default: 0] += n
                declinedTotal += n
            }
        }
        for s in config.subnets {
            stats.set(.totalNAs, subnet: s.id, Self.saturating(s.pools.reduce(UInt128(0)) { $0 &+ $1.capacity }), now: now)
            stats.set(.totalPDs, subnet: s.id, Self.saturating(s.pdPools.reduce(UInt128(0)) { $0 &+ $1.capacity }), now: now)
            stats.set(.assignedNAs, subnet: s.id, assignedNA[s.id] ?? 0, now: now)
            stats.set(.assignedPDs, subnet: s.id, assignedPD[s.id] ?? 0, now: now)
            stats.set(.declinedAddresses, subnet: s.id, declined[s.id] ?? 0, now: now)
            stats.start(subnet: s.id, now: now)
        }
        stats.startGlobals(now: now)
        // Kea sets the global count once at start-up: a recount that finds it right adds no sample.
        if stats.ring(named: GlobalCounter6.declinedAddresses.keaName) == nil || stats.value(.declinedAddresses) != declinedTotal {
            stats.set(.declinedAddresses, declinedTotal, now: now)
        }
    }

    static func saturating(_ v: UInt128) -> Int64 { v > UInt128(Int64.max) ? Int64.max : Int64(v) }
}

extension Dhcp6Engine: LeaseEngine {
    public typealias Family = DHCPv6Family

    /// The store's answer for a transaction. On `.durable` the view already holds the rows.
    /// Otherwise the proposal is undone (leases, gauges, counters): a failed write drops the
    /// exchange; a conflict shows the row that won, and the client's retransmission is decided
    /// on it. An outcome for an unknown or settled transaction is a no-op.
    public mutating func handle(outcome: WriteOutcome6, of id: TransactionID, now: Now) -> Effects6 {
        guard let t = inFlight.removeValue(forKey: id) else { return Effects6() }
        var effects = Effects6()
        switch outcome {
        case .durable:
            break
        case .failed(let reason):
            rollBack(t, now: now.wall)
            let address = t.writes.first?.change.lease.address ?? .unspecified
            effects.events.append(.leaseWriteFailed(client: t.label, address: address, reason: reason))
            if let label = t.label {
                stats.add(.pktReceiveDrop, now: now.wall)
                effects.events.append(.dropped(client: label, reason: .leaseStoreFailed))
            }
        case .conflict(let address, let current):
            rollBack(t, now: now.wall)
            let shown = row(at: address)
            if let c = current { store.apply(.upsert(c)) } else if let s = shown { store.apply(.delete(s)) }
            adjustGauges(old: shown, new: current, now: now.wall)
            effects.events.append(.leaseConflict(client: t.label, address: address))
        }
        return effects
    }
}

extension Pool6 {
    /// How many addresses the pool holds.
    var capacity: UInt128 { UInt128(last) &- UInt128(first) &+ 1 }
}

extension PDPool6 {
    /// How many prefixes of `delegatedLength` the pool holds.
    var capacity: UInt128 {
        let bits = delegatedLength - prefix.length
        return bits >= 128 ? UInt128.max : (bits <= 0 ? 1 : UInt128(1) << UInt128(bits))
    }

    /// The `i`th delegated prefix.
    func delegated(_ i: UInt128) -> IPv6Prefix {
        let shift = 128 - delegatedLength
        let offset = shift >= 128 ? 0 : i << UInt128(shift)
        return IPv6Prefix(network: IPv6Address(UInt128(prefix.network) &+ offset), length: delegatedLength)
    }

    func contains(_ p: IPv6Prefix) -> Bool { p.length == delegatedLength && prefix.contains(p.network) }
}

extension UInt128 {
    init(_ a: IPv6Address) { self = UInt128(a.high) << 64 | UInt128(a.low) }
}

extension IPv6Address {
    init(_ v: UInt128) { self.init(high: UInt64(truncatingIfNeeded: v >> 64), low: UInt64(truncatingIfNeeded: v)) }
}
