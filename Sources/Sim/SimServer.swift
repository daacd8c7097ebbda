import KakapoCore

/// A simulated DHCPv4 server process: the Core engine, its durable storage and its clock.
/// A crash throws the engine away; a restart rebuilds it from what storage made durable, as
/// the daemon rebuilds from its lease file.
final class SimServer {
    let index: Int
    let spec: ServerSpec
    var config: Dhcp4Config
    var engine: Dhcp4Engine<MemoryLeaseStore4>?
    /// What survives a crash: the durable lease-change log, replayed at restart like the
    /// daemon replays its lease file.
    var durableLog: [LeaseChange] = []
    var compactAt = 1 << 18
    var durable: MemoryLeaseStore4 {
        var s = MemoryLeaseStore4()
        for c in durableLog { s.apply(c) }
        return s
    }
    var clockOffsetSeconds: Int64 = 0
    var writes = 0
    /// Bumped on every crash so that writes still in flight (lazy storage) are lost.
    var epoch = 0
    var deadlineGeneration: UInt64 = 0
    var scheduledDeadline: Int64?
    /// The relay-facing interface (unicast and relayed traffic arrive here).
    let backbone: InterfaceInfo
    /// Interfaces on directly attached segments, by segment index.
    var segmentInterfaces: [Int: InterfaceInfo] = [:]
    /// Statistics carried across restarts for the summary (a restart zeroes the engine's).
    var retiredStats: [String: Int64] = [:]

    static let epochBase: Int64 = 1_800_000_000

    init(index: Int, spec: ServerSpec, config: Dhcp4Config) {
        self.index = index
        self.spec = spec
        self.config = config
        backbone = InterfaceInfo(name: "backbone", index: 1000, addresses: [InterfaceAddress(address: spec.address, prefixLength: 32)])
    }

    func now(_ t: Int64) -> Now {
        Now(wall: WallTime(secondsSinceEpoch: SimServer.epochBase + t / 1000 + clockOffsetSeconds),
            monotonic: MonotonicInstant(milliseconds: t))
    }

    var isUp: Bool { engine != nil }

    func start(at t: Int64) {
        var e = Dhcp4Engine(config: config, store: durable, now: now(t))
        e.localAddresses = Set([spec.address] + segmentInterfaces.values.flatMap { $0.addresses.map(\.address) })
        engine = e
    }

    func crash() {
        if let e = engine {
            for (name, sample) in e.stats.all() where !name.hasPrefix("subnet[") { retiredStats[name, default: 0] += sample.value }
        }
        engine = nil
        epoch += 1
        scheduledDeadline = nil
    }

    /// Makes a change durable according to the storage mode. Returns false when the (broken,
    /// test-only) store forgot it.
    func persist(_ c: LeaseChange) -> Bool {
        writes += 1
        if case .forgetEveryNth(let n) = spec.storage, n > 0, writes % n == 0 { return false }
        durableLog.append(c)
        // Compact like the daemon's lease file cleanup: once the log is large and four times
        // the live leases, rewrite it as one upsert per live lease (amortized constant cost
        // per write; bounds memory).
        if durableLog.count >= compactAt {
            let live = durable.all()
            durableLog = live.map { .upsert($0) }
            compactAt = max(1 << 18, 4 * durableLog.count)
        }
        return true
    }

    /// A global statistic including what earlier incarnations counted.
    func statistic(_ c: GlobalCounter4) -> Int64 {
        (engine?.stats.value(c) ?? 0) + (retiredStats[c.keaName] ?? 0)
    }
}

/// Builds a server's config from Kea-format text (the scenario loader read the file).
enum SimConfig {
    static func decode(_ text: String, source: String) throws(ConfigError) -> Dhcp4Config {
        let root = try KeaJSON.parse(text, file: source, include: { name throws -> String in
            throw ConfigError(message: "\(source): <?include \"\(name)\"?> is not supported in simulator configs")
        })
        return try Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in
            try OptionDataEncoder.encode(spec)
        })
    }
}
