/// Expired-lease reclamation (Kea's reclaim timer): expired leases are removed, or kept as
/// expired-reclaimed for hold-reclaimed-time; declined addresses come back from probation.
extension Dhcp6Engine {
    /// `limit` and `remove` default to the timer's (reclaim-leases-per-cycle max, keep when
    /// hold-reclaimed-time is set); leases-reclaim passes no limit and its own `remove`.
    /// Returns how many expired leases it reclaimed and how many held ones it flushed (each
    /// at most `limit`).
    @discardableResult
    mutating func reclaimExpired(now: Now, limit givenLimit: Int? = nil, remove: Bool? = nil, _ effects: inout Effects6) -> (reclaimed: Int, flushed: Int) {
        let e = config.expiredLeasesProcessing
        let limit = givenLimit ?? (e.reclaimLeasesPerCycleMax == 0 ? Int.max : Int(e.reclaimLeasesPerCycleMax))
        let keep = !(remove ?? (e.holdReclaimedTimeSeconds == 0))
        let start = effects.writes.count
        defer { queueNameChanges(&effects, writesFrom: start, client: nil) }
        var expired = store.expired(state: .assigned, before: now.wall, limit: limit)
        if expired.count < limit { expired += store.expired(state: .declined, before: now.wall, limit: limit - expired.count) }
        for l in expired {
            let wasDeclined = l.state == .declined
            if keep && !wasDeclined {
                var kept = l
                kept.state = .expiredReclaimed
                commit(.upsert(kept), into: &effects, now: now.wall)
            } else {
                commit(.delete(l), into: &effects, now: now.wall)
            }
            stats.add(.reclaimedLeases, now: now.wall)
            stats.add(.reclaimedLeases, subnet: l.subnetID, now: now.wall)
            if wasDeclined {
                stats.add(.reclaimedDeclinedAddresses, now: now.wall)
                stats.add(.reclaimedDeclinedAddresses, subnet: l.subnetID, now: now.wall)
            }
            effects.events.append(.reclaimed(address: l.address, type: l.type, declined: wasDeclined))
        }
        // Reclaimed leases held past hold-reclaimed-time are flushed.
        var flushed = 0
        if e.holdReclaimedTimeSeconds > 0 {
            let cutoff = now.wall - Seconds(Int64(e.holdReclaimedTimeSeconds))
            let held = store.expired(state: .expiredReclaimed, before: cutoff, limit: limit)
            for l in held {
                commit(.delete(l), into: &effects, now: now.wall)
            }
            flushed = held.count
        }
        return (expired.count, flushed)
    }
}
