/// A transaction the engine proposed and the shell has not yet settled.
struct InFlight {
    var writes: [LeaseWrite4]
    /// The client exchange to decide again after a conflict (nil for timers and commands, and
    /// when the store cannot conflict).
    var exchange: Exchange?
    /// Who the transaction was for, to log a failure (nil for timers and commands).
    var label: ClientLabel?
    var attempt: Int
    /// Counters bumped by the proposal, taken back if it does not become durable.
    var counted: ProvisionalCounts
}

/// What an input counted that depends on its writes becoming durable.
struct ProvisionalCounts {
    var packetsSent = 0
    var acksSent = 0
    /// The subnet whose cumulative-assigned-addresses went up (an exchange grants at most one
    /// new lease; no array on the packet path).
    var cumulativeAssigned: UInt32?
    /// Reclaimed leases by subnet, and whether each was a declined one.
    var reclaimed: [(subnet: UInt32, declined: Bool)] = []
}

extension Dhcp4Engine {
    /// How many times one client exchange is decided when its writes keep conflicting with
    /// other servers' (a bound: each attempt sees the rows that beat it).
    static var attemptsMax: Int { 3 }

    /// Transactions proposed and not yet settled (the shell owes an outcome for each).
    public var transactionsInFlight: Int { inFlight.count }

    /// Closes a client exchange's proposal: if it wrote anything, everything it produced
    /// (replies, events) now waits on one transaction. (Two entry points rather than an
    /// optional exchange: wrapping an `Exchange` in an Optional copies it, on every packet.)
    mutating func seal(_ effects: inout Effects4, for x: Exchange) {
        guard let (id, counted) = openTransaction(&effects) else { return }
        // The exchange is kept only when the store can report a conflict: an exclusive store
        // (memfile) can only fail, and a failed exchange is dropped, not decided again.
        if storeMayConflict {
            inFlight[id] = InFlight(writes: effects.writes, exchange: x, label: x.label, attempt: attempt, counted: counted)
        } else {
            inFlight[id] = InFlight(writes: effects.writes, exchange: nil, label: x.label, attempt: attempt, counted: counted)
        }
    }

    /// Closes the proposal of a timer or a command (no client to decide again for).
    mutating func seal(_ effects: inout Effects4) {
        guard let (id, counted) = openTransaction(&effects) else { return }
        inFlight[id] = InFlight(writes: effects.writes, exchange: nil, label: nil, attempt: attempt, counted: counted)
    }

    /// Takes the input's provisional counts; when it wrote anything, names its transaction.
    private mutating func openTransaction(_ effects: inout Effects4) -> (TransactionID, ProvisionalCounts)? {
        let counted = provisional
        provisional = ProvisionalCounts()
        guard let id = effects.openTransaction(counter: &nextTransaction) else { return nil }
        return (id, counted)
    }

    /// Call once per transaction the engine proposed, when the store has made its writes
    /// durable or has refused them. On `.durable` the view already holds the rows and nothing
    /// changes. Otherwise the proposal is undone (leases and gauges) and decided again, as Kea
    /// would: a conflict shows the row that won, then the client's exchange is decided anew
    /// (another address, a NAK, or silence); a failed write drops the exchange. An outcome
    /// for an unknown or already settled transaction is a no-op.
    @_specialize(exported: true, where Store == MemoryLeaseStore4)
    public mutating func handle(outcome: WriteOutcome4, of id: TransactionID, now: Now) -> Effects4 {
        guard let t = inFlight.removeValue(forKey: id) else { return Effects4() }
        var effects = Effects4()
        switch outcome {
        case .durable:
            return effects
        case .failed(let reason):
            rollBack(t, now: now)
            let address = t.writes.first?.change.lease.address ?? .zero
            effects.events.append(.leaseWriteFailed(client: t.label, address: address, reason: reason))
            if let label = t.label { drop(.leaseStoreFailed, label, now, &effects) }
        case .conflict(let address, let current):
            rollBack(t, now: now)
            // The winning row is durable: the view shows it from now on. The gauges move from
            // the row this proposal was decided on (what rollBack restored them to).
            let shown = store.lease(at: address)
            let decidedOn = t.writes.first(where: { $0.change.lease.address == address })?.expected ?? shown
            if let c = current { store.apply(.upsert(c)) } else if let s = shown { store.apply(.delete(s)) }
            adjustGauges(old: decidedOn, new: current, now: now.wall)
            effects.events.append(.leaseConflict(client: t.label, address: address, attempt: t.attempt))
            guard var x = t.exchange else {
                // Not kept (see `storeMayConflict`): nothing to decide again; the client retries.
                break
            }
            guard t.attempt < Self.attemptsMax else {
                drop(.leaseStoreConflict, x.label, now, &effects)
                break
            }
            x.now = now
            // The configuration may have been reloaded since the first attempt.
            x.subnet = selectSubnet(x)
            attempt = t.attempt + 1
            defer { attempt = 1 }
            var again = Effects4()
            decide(x, &again)
            again.events.insert(contentsOf: effects.events, at: 0)
            return again
        }
        return effects
    }

    /// Undoes a transaction's writes in the view, newest first, and the gauges and counters
    /// they moved.
    mutating func rollBack(_ t: InFlight, now: Now) {
        for w in t.writes.reversed() {
            store.apply(w.undo)
            adjustGauges(old: w.change.written, new: w.expected, now: now.wall)
        }
        let c = t.counted
        if c.packetsSent > 0 { stats.takeBack(.pktSent, Int64(c.packetsSent), now: now.wall) }
        if c.acksSent > 0 { stats.takeBack(.pktAckSent, Int64(c.acksSent), now: now.wall) }
        if let s = c.cumulativeAssigned {
            stats.takeBack(.cumulativeAssignedAddresses, now: now.wall)
            stats.takeBack(.cumulativeAssignedAddresses, subnet: s, now: now.wall)
        }
        for r in c.reclaimed {
            stats.takeBack(.reclaimedLeases, now: now.wall)
            stats.takeBack(.reclaimedLeases, subnet: r.subnet, now: now.wall)
            if r.declined {
                stats.takeBack(.reclaimedDeclinedAddresses, now: now.wall)
                stats.takeBack(.reclaimedDeclinedAddresses, subnet: r.subnet, now: now.wall)
            }
        }
    }
}
