/// The DHCPv4 server as a sans-I/O state machine. Shells feed it datagrams, deadlines and
/// commands with the current time; it returns `Effects` to carry out. It owns the lease store
/// and statistics; it never reads a clock, a socket or a file.
public struct Dhcp4Engine<Store: LeaseStore4> {
    public internal(set) var config: Dhcp4Config
    public var store: Store
    public internal(set) var stats: Statistics4
    /// Per-subnet iterative allocator position: the next address to try.
    var cursors: [UInt32: UInt32] = [:]
    /// Per shared network (index in `config.sharedNetworks`), the subnet where a free address
    /// was last found: Kea's preferred subnet, where the next search starts.
    var preferredSubnets: [Int: UInt32] = [:]
    /// The random allocator's generator, seeded by the shell (`seedRandomness`).
    var random = EngineRandom(seed: 0)
    var subnetIndex: [UInt32: Int] = [:]
    var nextReclaim: MonotonicInstant?
    /// What is left of the reclamation cycle under way (nil: none; see `ReclaimSlicing`).
    var reclaimCycleLeft: Int?
    var nextFlush: MonotonicInstant?
    /// Addresses of every interface the shell serves, for server-identifier checks.
    public var localAddresses: Set<IPv4Address> = []
    /// SHA-256, set by the shell (OpenSSL), for the DHCIDs of name change requests (RFC 4701).
    /// Core has no digest of its own: without one, no name change request is made.
    public var ddnsDigest: (@Sendable ([UInt8]) -> [UInt8])? = nil
    /// Transactions proposed and not yet settled, with what is needed to undo or redo them.
    var inFlight: [TransactionID: InFlight] = [:]
    var nextTransaction: UInt64 = 1
    /// The attempt number of the exchange being decided (1 unless redeciding after a conflict).
    var attempt = 1
    /// Whether the store is shared with other writers, so that a write can come back as a
    /// conflict (a shared database): then each transaction keeps its client exchange to decide
    /// again. An exclusive store (memfile) leaves it false and saves that per packet.
    public var storeMayConflict = false
    /// Counters the current input bumped provisionally (see `seal`).
    var provisional = ProvisionalCounts()

    /// Builds an engine over a store that already holds the leases loaded from disk.
    public init(config: Dhcp4Config, store: Store, now: Now) {
        self.config = config
        self.store = store
        self.stats = Statistics4(now: now.wall)
        stats.applyConfiguredLimit(sampleCount: config.statisticDefaultSampleCount, sampleAge: config.statisticDefaultSampleAge)
        reindexSubnets()
        recountStatistics(now: now.wall)
        scheduleTimers(after: now.monotonic)
    }

    /// Swaps in a new configuration whole (SIGHUP, config-reload, config-set). Leases stay.
    public mutating func reconfigure(_ newConfig: Dhcp4Config, now: Now) {
        config = newConfig
        cursors = [:]
        preferredSubnets = [:]
        stats.applyConfiguredLimit(sampleCount: newConfig.statisticDefaultSampleCount, sampleAge: newConfig.statisticDefaultSampleAge)
        reindexSubnets()
        recountStatistics(now: now.wall)
        scheduleTimers(after: now.monotonic)
    }

    mutating func reindexSubnets() {
        subnetIndex = [:]
        for (i, s) in config.subnets.enumerated() { subnetIndex[s.id] = i }
    }

    func subnet(id: UInt32) -> Subnet4? { subnetIndex[id].map { config.subnets[$0] } }

    /// Recomputes the address gauges from the configuration and the store (start, reload,
    /// lease file reload): total, assigned and declined per subnet.
    public mutating func recountStatistics(now: WallTime) {
        var assigned: [UInt32: Int64] = [:]
        var declined: [UInt32: Int64] = [:]
        store.forEachTally { subnetID, state, count in
            switch state {
            case .assigned: assigned[subnetID, default: 0] += Int64(count)
            case .declined: declined[subnetID, default: 0] += Int64(count)
            case .expiredReclaimed: break
            }
        }
        for s in config.subnets {
            let total = s.pools.reduce(Int64(0)) { $0 + Int64($1.size) }
            stats.set(.totalAddresses, subnet: s.id, total, now: now)
            stats.set(.assignedAddresses, subnet: s.id, assigned[s.id] ?? 0, now: now)
            stats.set(.declinedAddresses, subnet: s.id, declined[s.id] ?? 0, now: now)
        }
    }

    /// The earliest time `handleDeadline` wants to be called, if any.
    public var nextDeadline: MonotonicInstant? {
        switch (nextReclaim, nextFlush) {
        case (nil, nil): nil
        case (let a?, nil): a
        case (nil, let b?): b
        case (let a?, let b?): min(a, b)
        }
    }

    mutating func scheduleTimers(after now: MonotonicInstant) {
        let e = config.expiredLeasesProcessing
        nextReclaim = e.reclaimTimerWaitTimeSeconds > 0
            ? now + Milliseconds(Int64(e.reclaimTimerWaitTimeSeconds) * 1000) : nil
        reclaimCycleLeft = nil
        nextFlush = e.flushReclaimedTimerWaitTimeSeconds > 0 && e.holdReclaimedTimeSeconds > 0
            ? now + Milliseconds(Int64(e.flushReclaimedTimerWaitTimeSeconds) * 1000) : nil
    }

    /// Proposes a change: the engine's view of the store takes it at once (so the next packet
    /// sees the address taken), and the effects carry it, conditional on the row the view held,
    /// for the shell to make durable. `handle(outcome:of:now:)` confirms it or rolls it back.
    mutating func commit(_ change: LeaseChange4, into effects: inout Effects4) {
        if case .upsert(let l) = change {
            precondition(l.isWellFormed, "lease without identity about to be written: \(l.address)")
        }
        // Conditional on the row as this input's earlier writes leave it (a shared store's view
        // does not hold proposals), else as the view shows it.
        let a = change.lease.address
        let expected: Lease4?
        if let earlier = effects.earlierWrite(at: a) { expected = earlier } else { expected = store.lease(at: a) }
        store.apply(change)
        effects.appendWrite(LeaseWrite4(change: change, expected: expected))
    }
}
