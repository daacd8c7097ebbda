import KakapoCore

/// A simulated DHCPv4 server process: the Core engine, its durable storage and its clock.
/// A crash throws the engine away; a restart rebuilds it from what storage made durable, as
/// the daemon rebuilds from its lease file.
final class SimServer {
    let index: Int
    let spec: ServerSpec
    var config: Dhcp4Config
    /// The daemon's engine, with the daemon's store: its own view of the leases. With a shared
    /// database the view is shown the database's rows before each decision, as kakapo-dhcp4
    /// on PostgreSQL does (World+SharedDatabase.swift).
    var engine: Dhcp4Engine<MemoryLeaseStore4>?
    /// The same executor the daemon uses: persist, then send, then log.
    var executor = EffectExecutor4()
    /// What survives a crash when the server keeps its own lease file: the file's rows, in
    /// Kea's leases4 CSV, replayed at restart by the daemon's loader (`leaseFileText`).
    var leaseFile = SimLeaseFile()
    /// The database shared with other servers, when `spec.storage` names one.
    var database: SharedLeaseDatabase?
    /// Addresses with a write on its way to the shared database, and how many: the view keeps
    /// its own proposal there until the database answers.
    var pendingWrites: [IPv4Address: Int] = [:]
    var pendingByTransaction: [TransactionID: [IPv4Address]] = [:]
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
    /// Seeds the engine's random allocator: from the scenario seed and the server's index, and
    /// the restart count, so a run stays exact and a restarted server draws afresh.
    var randomSeed: UInt64 = 0

    init(index: Int, spec: ServerSpec, config: Dhcp4Config) {
        self.index = index
        self.spec = spec
        self.config = config
        backbone = InterfaceInfo(name: "backbone", index: 1000, addresses: [InterfaceAddress(address: spec.address, prefixLength: 32)])
    }

    var isUp: Bool { engine != nil }

    /// The lease file as the daemon would find it after a crash.
    var leaseFileText: String { leaseFile.text(header: LeaseFile4.header) }

    func start(at t: Int64) {
        var store = MemoryLeaseStore4()
        pendingWrites = [:]
        pendingByTransaction = [:]
        if let db = database {
            // As the daemon starts on a database: every row, once.
            for l in db.rows.all() { store.apply(.upsert(l)) }
        } else {
            let report = LeaseFile4.load(text: leaseFileText, into: &store)
            precondition(report.errors.isEmpty, "server \(spec.name): its own lease file does not load: \(report.errors)")
        }
        var e = Dhcp4Engine(config: config, store: store, now: now(t))
        e.storeMayConflict = database != nil
        e.ddnsDigest = SimSHA256.hash
        e.seedRandomness(randomSeed ^ (UInt64(epoch) &* 0x9E37_79B9_7F4A_7C15))
        e.localAddresses = Set([spec.address] + segmentInterfaces.values.flatMap { $0.addresses.compactMap(\.address.v4) })
        engine = e
    }

    func discardEngine() -> [(String, Int64)] {
        defer { engine = nil; executor.reset() }
        return engine?.stats.all().map { ($0.0, $0.1.value) } ?? []
    }

    /// Appends a change to the server's own lease file according to the storage mode. Returns
    /// false when the (broken, test-only) store forgot it.
    func persist(_ c: LeaseChange4) -> Bool {
        writes += 1
        if case .forgetEveryNth(let n) = spec.storage, n > 0, writes % n == 0 { return false }
        // What the loader will make of the row: valid_lifetime 0 deletes the address's lease;
        // a row without identity (not declined) is refused and changes nothing.
        let l = c.lease
        let loads: SimLeaseFile.Replay
        switch c {
        case .upsert:
            leaseFile.append(rowOf: l)
            loads = l.validLifetimeSeconds == 0 ? .deletes : l.isWellFormed ? .upserts : .skipped
        case .delete:
            leaseFile.append(rowOf: l, deletion: true)
            loads = .deletes
        }
        leaseFile.noteLastRow(address: l.address.value, loads)
        return true
    }

    /// A global statistic including what earlier incarnations counted.
    func statistic(_ c: GlobalCounter4) -> Int64 {
        (engine?.stats.value(c) ?? 0) + (retiredStats[c.keaName] ?? 0)
    }
}

/// A lease database shared by servers. It holds the rows and decides races: a write applies
/// only over the row it was decided on, else the writer is told what is there now.
final class SharedLeaseDatabase {
    let spec: DatabaseSpec
    var rows = MemoryLeaseStore4()
    var transactions = 0, conflicts = 0, failures = 0

    init(spec: DatabaseSpec) { self.spec = spec }

    /// The rows of `window` addresses from `address` (what a PostgreSQL store reads around a
    /// conflict or before an offer: other servers' nearby allocations).
    func rows(from address: IPv4Address, window: UInt32 = 256) -> [Lease4] {
        rows.leases(after: address.value == 0 ? nil : IPv4Address(address.value - 1), limit: Int(window))
            .filter { $0.address.value - address.value < window }
    }

    /// Every row matching any of `keys` (each once).
    func rows(for keys: [LeaseKey4]) -> [Lease4] {
        var seen = Set<IPv4Address>(), out: [Lease4] = []
        for k in keys { for l in rows.leases(for: k) where seen.insert(l.address).inserted { out.append(l) } }
        return out
    }

    /// Applies a transaction's writes all together, or none of them.
    func commit(_ writes: [LeaseWrite4], fail: Bool) -> WriteOutcome4 {
        transactions += 1
        if fail {
            failures += 1
            return .failed(reason: "database \(spec.name) is unavailable")
        }
        if !spec.ignoreConflicts {
            // Each write is checked against the row as the earlier writes of the transaction
            // leave it.
            var overlay: [IPv4Address: Lease4?] = [:]
            for w in writes {
                let a = w.change.lease.address
                let current = overlay[a] ?? rows.lease(at: a)
                guard w.isApplicable(over: current) else {
                    conflicts += 1
                    return .conflict(address: a, current: rows.lease(at: a))
                }
                if case .upsert(let l) = w.change { overlay[a] = .some(l) } else { overlay[a] = .some(nil) }
            }
        }
        for w in writes { rows.apply(w.change) }
        return .durable
    }
}

/// Builds a server's config from Kea-format text (the scenario loader read the file).
enum SimConfig {
    static func decode(_ text: String, source: String) throws(ConfigError) -> Dhcp4Config {
        try Dhcp4ConfigDecoder.decode(parse(text, source: source))
    }

    static func decode6(_ text: String, source: String) throws(ConfigError) -> Dhcp6Config {
        try Dhcp6ConfigDecoder.decode(parse(text, source: source))
    }

    static func parse(_ text: String, source: String) throws(ConfigError) -> JSONNode {
        try KeaJSON.parse(text, file: source, include: { name throws -> String in
            throw ConfigError(message: "\(source): <?include \"\(name)\"?> is not supported in simulator configs")
        })
    }
}
