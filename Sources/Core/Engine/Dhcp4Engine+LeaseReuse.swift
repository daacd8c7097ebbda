/// Lease caching, as Kea 2.4's `AllocEngine::setLeaseReusable` decides it: a client renewing
/// a lease that is still young is answered from the lease as stored, with its remaining
/// lifetime, and nothing is written (no lease-file row, no database update).
///
/// Young means: with `cache-max-age`, an age of at most that many seconds (0 turns caching
/// off); with `cache-threshold`, an age of at most that fraction of the lifetime the renewal
/// would get; with both, both. Without either there is no caching, except that a lease of
/// infinite lifetime (BOOTP) renewed as infinite is always reused, as in Kea. Each reuse counts
/// in `v4-lease-reuses`, global and per subnet, and logs DHCP4_LEASE_REUSE.
extension Dhcp4Engine {
    /// The lifetime left to give the client when its renewal of `a` can be answered from the
    /// stored lease, else nil.
    func reusableLifetime(_ a: IPv4Address, valid: UInt32, _ x: Exchange, _ subnet: Subnet4) -> UInt32? {
        guard let lease = store.lease(at: a), lease.state == .assigned, lease.subnetID == subnet.id,
              belongs(lease, to: x, subnet: subnet) else { return nil }
        // Only a renewal that would write the same row: same client identity and host name.
        let name = clientName(x, subnet: subnet, address: a)
        guard lease.hardwareAddress == x.hardwareAddress, lease.clientID == x.clientID,
              lease.hostname == (name?.hostname ?? ""), lease.fqdnForward == (name?.forward ?? false),
              lease.fqdnReverse == (name?.reverse ?? false) else { return nil }
        if valid == Self.bootpLifetime { return lease.validLifetimeSeconds == Self.bootpLifetime ? Self.bootpLifetime : nil }
        let now = x.now.wall, cltt = lease.cltt
        guard now >= cltt else { return nil }
        let age = UInt64(now.secondsSinceEpoch - cltt.secondsSinceEpoch)
        guard age < UInt64(lease.validLifetimeSeconds) else { return nil }
        let settings = allocation(for: subnet)
        var maxAge: UInt64 = 0
        if let m = settings.cacheMaxAgeSeconds {
            guard m > 0, age <= UInt64(m) else { return nil }
            maxAge = UInt64(m)
        }
        if let t = settings.cacheThreshold {
            guard t > 0, t <= 1 else { return nil }
            maxAge = UInt64(Double(valid) * t)
            guard age <= maxAge else { return nil }
        }
        guard maxAge > 0 else { return nil }
        return lease.validLifetimeSeconds - UInt32(age)
    }

    /// Answers a REQUEST from the cached lease when `reusableLifetime` allows it; false when
    /// the lease has to be written as usual.
    mutating func reuseCachedLease(_ a: IPv4Address, pool: Pool4?, valid: UInt32, _ x: Exchange, _ subnet: Subnet4,
                                   _ effects: inout Effects4) -> Bool {
        guard let remaining = reusableLifetime(a, valid: valid, x, subnet) else { return false }
        stats.add(.leaseReuses, now: x.now.wall)
        stats.add(.leaseReuses, subnet: subnet.id, now: x.now.wall)
        effects.events.append(.leaseReused(client: x.label, address: a, lifetimeSeconds: remaining))
        send(reply(.ack, x, subnet: subnet, pool: pool, yiaddr: a, lifetime: remaining), x, &effects)
        return true
    }
}
