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
            reclaim(limit: Int(e.reclaimLeasesPerCycleMax == 0 ? UInt32.max >> 1 : e.reclaimLeasesPerCycleMax),
                    remove: e.holdReclaimedTimeSeconds == 0, now: now, &effects)
            nextReclaim = now.monotonic + Milliseconds(Int64(e.reclaimTimerWaitTimeSeconds) * 1000)
        }
        if let f = nextFlush, f <= now.monotonic {
            flush(now: now, &effects)
            nextFlush = now.monotonic + Milliseconds(Int64(e.flushReclaimedTimerWaitTimeSeconds) * 1000)
        }
        seal(&effects)
        return effects
    }

    /// Reclaims expired leases: assigned ones become expired-reclaimed (kept for lease
    /// affinity) or are deleted when `remove`; declined ones whose probation ended are deleted
    /// and their address returns to the pool.
    mutating func reclaim(limit: Int, remove: Bool, now: Now, _ effects: inout Effects4) {
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
        guard budget > 0 else { return }
        for l in store.expired(state: .assigned, before: now.wall, limit: budget) {
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
    }

    /// Deletes expired-reclaimed leases older than hold-reclaimed-time (bounded per call).
    mutating func flush(now: Now, _ effects: inout Effects4) {
        let hold = Seconds(Int64(config.expiredLeasesProcessing.holdReclaimedTimeSeconds))
        let old = store.expired(state: .expiredReclaimed, before: now.wall - hold, limit: 10_000)
        for l in old { commit(.delete(l), into: &effects) }
        if !old.isEmpty { effects.events.append(.flushed(count: old.count)) }
    }
}
