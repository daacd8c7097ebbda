import KakapoCore

/// What the world needs of a simulated server process of either family: its clock, its
/// incarnation (a crash bumps the epoch so that what was in flight is lost) and its timers.
protocol SimServerProcess: AnyObject {
    var index: Int { get }
    var spec: ServerSpec { get }
    var epoch: Int { get set }
    var clockOffsetSeconds: Int64 { get set }
    var deadlineGeneration: UInt64 { get set }
    var scheduledDeadline: Int64? { get set }
    var isUp: Bool { get }
    /// When the engine next wants `handleDeadline`.
    var nextDeadline: MonotonicInstant? { get }
    /// Leases the engine's store holds (after a restart: what was durable).
    var leaseCount: Int { get }
    /// Counters of engines lost to crashes, by Kea name (added to the running engine's).
    var retiredStats: [String: Int64] { get set }
    func start(at t: Int64)
    /// Throws the engine and its executor's held transactions away; returns the engine's
    /// counters (nothing when it was down).
    func discardEngine() -> [(String, Int64)]
}

extension SimServerProcess {
    /// A crash: the engine and everything in its memory are gone, what was in flight is lost
    /// (a new epoch), and its counters are kept for the summary (gauges, `subnet[…]`, are not).
    func crash() {
        for (name, value) in discardEngine() where !name.hasPrefix("subnet[") { retiredStats[name, default: 0] += value }
        epoch += 1
        scheduledDeadline = nil
    }

    func now(_ t: Int64) -> Now {
        Now(wall: WallTime(secondsSinceEpoch: SimServer.epochBase + t / 1000 + clockOffsetSeconds),
            monotonic: MonotonicInstant(milliseconds: t))
    }
}

extension SimServer: SimServerProcess {
    var nextDeadline: MonotonicInstant? { engine?.nextDeadline }
    var leaseCount: Int { engine?.store.count ?? 0 }
}

/// A simulated DHCPv6 server process: `Dhcp6Engine` over an in-memory store, its lease file
/// (Kea's leases6 CSV, what survives a crash) and its interfaces. As `SimServer`, a crash
/// throws the engine away and a restart rebuilds it from the file.
final class SimServer6: SimServerProcess {
    let index: Int
    let spec: ServerSpec
    var config: Dhcp6Config
    var engine: Dhcp6Engine<MemoryLeaseStore6>?
    var executor = EffectExecutor<DHCPv6Family>()
    var durableRows: [String] = []
    var writes = 0
    var epoch = 0
    var clockOffsetSeconds: Int64 = 0
    var deadlineGeneration: UInt64 = 0
    var scheduledDeadline: Int64?
    /// DUID-EN (ISC's enterprise number and the server's index): its Server Identifier.
    let duid: [UInt8]
    /// Where relayed traffic arrives, and interfaces on directly attached segments.
    let backbone: InterfaceInfo
    var segmentInterfaces: [Int: InterfaceInfo] = [:]
    var retiredStats: [String: Int64] = [:]

    init(index: Int, spec: ServerSpec, config: Dhcp6Config) {
        self.index = index
        self.spec = spec
        self.config = config
        duid = [0, 2, 0, 0, 0x09, 0xBF, 0x53, 0x49, 0x4D, UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)]
        backbone = InterfaceInfo(name: "backbone", index: 1000, addresses: [
            InterfaceAddress(address: .v6(spec.address6 ?? .unspecified), prefixLength: 128)])
    }

    var isUp: Bool { engine != nil }
    var nextDeadline: MonotonicInstant? { engine?.nextDeadline }
    var leaseCount: Int { engine?.store.count ?? 0 }

    func start(at t: Int64) {
        var store = MemoryLeaseStore6()
        var text = LeaseFile6.header + "\n"
        for r in durableRows { text += r; text += "\n" }
        let report = LeaseFile6.load(text: text, into: &store)
        precondition(report.errors.isEmpty, "server \(spec.name): its own lease file does not load: \(report.errors)")
        engine = Dhcp6Engine(config: config, store: store, serverDUID: duid, now: now(t))
    }

    func discardEngine() -> [(String, Int64)] {
        defer { engine = nil; executor.reset() }
        return engine?.stats.all().map { ($0.0, $0.1.value) } ?? []
    }

    /// Appends a change to the lease file, unless the (test-only) store forgets it.
    func persist(_ c: LeaseChange6) -> Bool {
        writes += 1
        if case .forgetEveryNth(let n) = spec.storage, n > 0, writes % n == 0 { return false }
        switch c {
        case .upsert(let l): durableRows.append(LeaseFile6.row(l))
        case .delete(let l): durableRows.append(LeaseFile6.deletionRow(l))
        }
        return true
    }

    func statistic(_ c: GlobalCounter6) -> Int64 {
        (engine?.stats.value(c) ?? 0) + (retiredStats[c.keaName] ?? 0)
    }

}

/// A DHCPv6 server's effects as the world carries them out.
final class SimPort6: EffectPort {
    unowned let world: World
    let server: Int
    init(world: World, server: Int) {
        self.world = world
        self.server = server
    }
    func persist(_ effects: Effects6) -> WriteOutcome6? { world.persist6(effects, server: server) }
    func send(_ datagram: OutboundDatagram) { world.route6(datagram, from: server) }
    func log(_ event: Engine6Event) {
        if world.tracing { world.traceDecision6(world.servers6[server], event) }
    }
}
