extension Dhcp4Engine {
    /// Call when `nextDeadline` has passed. Runs a reclamation cycle (at most
    /// max-reclaim-leases leases) and/or a flush of expired-reclaimed leases held longer than
    /// hold-reclaimed-time. A call before any deadline is a no-op.
    @_specialize(exported: true, where Store == MemoryLeaseStore4)
    public mutating func handleDeadline(now: Now) -> Effects4 {
        var effects = Effects4()
        provisional = ProvisionalCounts()
        let e = config.expiredLeasesProcessing
        if let r = nextReclaim, r <= now.monotonic {
            // A cycle reclaims up to max-reclaim-leases (0: all), one slice per call: when a
            // slice was full and the cycle has budget left, the next slice is due at once, so
            // the daemon serves the packets waiting meanwhile (bounded work per loop turn).
            let left = reclaimCycleLeft ?? (e.reclaimLeasesPerCycleMax == 0 ? Int.max : Int(e.reclaimLeasesPerCycleMax))
            let slice = min(left, ReclaimSlicing.leasesPerCallMax)
            let done = reclaim(limit: slice, remove: e.holdReclaimedTimeSeconds == 0, now: now, &effects)
            if let rest = ReclaimSlicing.cycleLeft(left: left, slice: slice, done: done) {
                reclaimCycleLeft = rest
                nextReclaim = now.monotonic
            } else {
                reclaimCycleLeft = nil
                nextReclaim = now.monotonic + Milliseconds(Int64(e.reclaimTimerWaitTimeSeconds) * 1000)
            }
        }
        if let f = nextFlush, f <= now.monotonic {
            let flushed = flush(now: now, &effects)
            nextFlush = flushed < ReclaimSlicing.leasesPerCallMax ? now.monotonic + Milliseconds(Int64(e.flushReclaimedTimerWaitTimeSeconds) * 1000) : now.monotonic
        }
        seal(&effects)
        return effects
    }

    /// Reclaims expired leases: assigned ones become expired-reclaimed (kept for lease
    /// affinity) or are deleted when `remove`; declined ones whose probation ended are deleted
    /// and their address returns to the pool.
    /// Returns how many leases it reclaimed.
    @discardableResult
    mutating func reclaim(limit: Int, remove: Bool, now: Now, _ effects: inout Effects4) -> Int {
        var budget = limit
        for l in store.expired(state: .declined, before: now.wall, limit: budget) {
            adjustGauges(old: l, new: nil, now: now.wall)
            commit(.delete(l), into: &effects)
            stats.add(.reclaimedDeclinedAddresses, now: now.wall)
            stats.add(.reclaimedDeclinedAddresses, subnet: l.subnetID, now: now.wall)
            stats.add(.reclaimedLeases, now: now.wall)
            stats.add(.reclaimedLeases, subnet: l.subnetID, now: now.wall)
            provisional.reclaimed.append((l.subnetID, true))
            effects.events.append(.reclaimed(address: l.address, declined: true, hardwareAddress: l.hardwareAddress))
            budget -= 1
        }
        guard budget > 0 else { return limit }
        let assigned = store.expired(state: .assigned, before: now.wall, limit: budget)
        for l in assigned {
            // Kea's reclaimExpiredLease: the lease's DNS entries go, and a lease kept as
            // expired-reclaimed keeps no name.
            queueNameChange(.remove, for: l, &effects)
            if remove {
                adjustGauges(old: l, new: nil, now: now.wall)
                commit(.delete(l), into: &effects)
            } else {
                var r = l
                r.state = .expiredReclaimed
                r.hostname = ""
                r.fqdnForward = false
                r.fqdnReverse = false
                adjustGauges(old: l, new: r, now: now.wall)
                commit(.upsert(r), into: &effects)
            }
            stats.add(.reclaimedLeases, now: now.wall)
            stats.add(.reclaimedLeases, subnet: l.subnetID, now: now.wall)
            provisional.reclaimed.append((l.subnetID, false))
            effects.events.append(.reclaimed(address: l.address, declined: false, hardwareAddress: l.hardwareAddress))
        }
        return limit - budget + assigned.count
    }

    /// Deletes expired-reclaimed leases older than hold-reclaimed-time, one slice per call
    /// (`ReclaimSlicing.leasesPerCallMax`); returns how many.
    @discardableResult
    mutating func flush(now: Now, _ effects: inout Effects4) -> Int {
        let hold = Seconds(Int64(config.expiredLeasesProcessing.holdReclaimedTimeSeconds))
        let old = store.expired(state: .expiredReclaimed, before: now.wall - hold, limit: ReclaimSlicing.leasesPerCallMax)
        for l in old { commit(.delete(l), into: &effects) }
        if !old.isEmpty { effects.events.append(.flushed(count: old.count)) }
        return old.count
    }
}

/// How both engines bound the work of one reclamation call (one loop turn of the daemon):
/// a reclamation cycle (max-reclaim-leases) runs in slices, the next slice due at once while
/// the cycle has budget and the last slice was full. Kea bounds a cycle by max-reclaim-time
/// too; an engine has no clock, so the slice bounds each turn instead.
public enum ReclaimSlicing {
    /// Leases reclaimed (or flushed) per call at most.
    public static let leasesPerCallMax = 128

    /// The cycle's budget left after a call that reclaimed `done` of a `slice` out of `left`;
    /// nil when the cycle is over (the slice was not full: nothing more is expired; or the
    /// budget is spent).
    public static func cycleLeft(left: Int, slice: Int, done: Int) -> Int? {
        guard done >= slice, left > slice else { return nil }
        return left == Int.max ? Int.max : left - done
    }
}
