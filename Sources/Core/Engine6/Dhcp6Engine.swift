/// The DHCPv6 server as a sans-I/O state machine (RFC 8415, Kea 2.4's behaviour), the v6 twin
/// of `Dhcp4Engine` on the same seams: shells feed it datagrams, deadlines, write outcomes and
/// commands with the current time; it returns `Effects6` (lease writes, datagrams, events) for
/// the one `EffectExecutor` to carry out. It owns the v6 lease view and never reads a clock,
/// a socket or a file.
///
/// This file fixes the engine's public surface, which the daemon shell (LinuxIO) programs
/// against; the exchanges themselves live in the `Dhcp6Engine+*.swift` files beside it.
public struct Dhcp6Engine<Store: LeaseStore6> {
    public internal(set) var config: Dhcp6Config
    public var store: Store
    /// The server's DUID (option 2 of every reply), made and kept by the shell (Kea's
    /// `kea-dhcp6-serverid` file) from `config.serverID`.
    public let serverDUID: [UInt8]
    /// Whether the store is shared with other writers (see `Dhcp4Engine.storeMayConflict`).
    public var storeMayConflict = false
    /// SHA-256 for the DHCIDs of name change requests (the shell gives the system's); without
    /// it no request is made.
    public var ddnsDigest: (@Sendable ([UInt8]) -> [UInt8])? = nil
    /// Transactions proposed and not yet settled.
    var inFlight: [TransactionID: InFlight6] = [:]
    var nextTransaction: UInt64 = 1
    var nextReclaim: MonotonicInstant?
    /// What is left of the reclamation cycle under way (nil: none; see `ReclaimSlicing`).
    var reclaimCycleLeft: Int?
    public internal(set) var stats = Statistics6()
    /// Iterative allocator positions: per subnet and lease type, the last candidate given out.
    var cursors: [AllocatorCursor: UInt128] = [:]

    /// Builds an engine over a store that already holds the leases loaded from disk.
    public init(config: Dhcp6Config, store: Store, serverDUID: [UInt8], now: Now) {
        self.config = config
        self.store = store
        self.serverDUID = serverDUID
        stats.applyConfiguredLimit(sampleCount: config.statisticDefaultSampleCount, sampleAge: config.statisticDefaultSampleAge)
        recountStatistics(now: now.wall)
        scheduleTimers(after: now.monotonic)
    }

    /// Swaps in a new configuration whole (SIGHUP, config-reload, config-set). Leases stay.
    public mutating func reconfigure(_ newConfig: Dhcp6Config, now: Now) {
        config = newConfig
        cursors = [:]
        stats.applyConfiguredLimit(sampleCount: newConfig.statisticDefaultSampleCount, sampleAge: newConfig.statisticDefaultSampleAge)
        recountStatistics(now: now.wall)
        scheduleTimers(after: now.monotonic)
    }

    /// The earliest time `handleDeadline` wants to be called, if any.
    public var nextDeadline: MonotonicInstant? { nextReclaim }

    mutating func scheduleTimers(after now: MonotonicInstant) {
        let e = config.expiredLeasesProcessing
        reclaimCycleLeft = nil
        nextReclaim = e.reclaimTimerWaitTimeSeconds > 0
            ? now + Milliseconds(Int64(e.reclaimTimerWaitTimeSeconds) * 1000) : nil
    }
}

/// What the engine keeps of a proposed transaction until the store reports on it.
struct InFlight6 {
    var writes: [LeaseWrite6]
    /// Who it was for (nil for timers).
    var label: Client6Label?
    /// Counters bumped by the proposal, taken back if it does not become durable.
    var counted: [Counted6]
}

/// A counter an input bumped that depends on its writes becoming durable.
enum Counted6: Equatable {
    case global(GlobalCounter6)
    case subnet(SubnetCounter6, UInt32)
}

/// Which allocator position: a subnet's addresses or its prefixes.
struct AllocatorCursor: Hashable {
    var subnetID: UInt32
    var type: LeaseType6
}
