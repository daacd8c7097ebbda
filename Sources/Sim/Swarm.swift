import KakapoCore

/// Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): each run enables a random subset
/// of the fault kinds, each with a random intensity, drawn from the run's seed, and layers
/// them on the scenario's own faults in the first part of the run; a quiet period follows.
/// The file's expectations do not apply (they describe the scenario without these faults);
/// every invariant does, and a liveness check: in the quiet period, every present client that
/// can bind holds a lease within a bound of arriving or of losing its last one.
public enum SwarmFault: String, CaseIterable, Sendable, Comparable {
    case loss, duplication, partition, crash
    case clockJump = "clock-jump"
    case storageFailure = "storage-failure"
    case relayLoss = "relay-loss"

    public static func < (a: SwarmFault, b: SwarmFault) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What the world checks in a swarm run instead of the file's expectations.
public struct SwarmChecks: Sendable, Equatable {
    /// When the last fault (the file's or the swarm's) is over: the quiet period starts.
    public var quietFromMilliseconds: Int64
    /// A present client must hold a lease within this long of the later of: the quiet period
    /// starting, its arrival, the last time it was seen holding one. Nil: no liveness check
    /// (see `livenessSkipped`).
    public var livenessBoundMilliseconds: Int64?
    public var livenessSkipped: String?
    /// How often the liveness sampler looks at every client.
    public var sampleMilliseconds: Int64 = 5_000
    public init(quietFromMilliseconds: Int64, livenessBoundMilliseconds: Int64?, livenessSkipped: String? = nil) {
        self.quietFromMilliseconds = quietFromMilliseconds
        self.livenessBoundMilliseconds = livenessBoundMilliseconds
        self.livenessSkipped = livenessSkipped
    }
}

/// The faults one swarm run adds to a scenario, drawn from (scenario, seed) alone.
public struct SwarmPlan: Sendable {
    /// The fault kinds this run enabled, and each one's intensity in (0, 1].
    public var enabled: [SwarmFault: Double] = [:]
    /// The faults added (all end by `faultWindowEndMilliseconds`).
    public var faults: [FaultSpec] = []
    public var faultWindowEndMilliseconds: Int64 = 0
    public var checks: SwarmChecks
    /// The scenario to run: the file's, its duration capped, the swarm's faults appended,
    /// invariants on.
    public var scenario: Scenario

    /// The kinds this scenario can have (relay loss needs a relay).
    public static func applicable(to s: Scenario) -> [SwarmFault] {
        SwarmFault.allCases.filter { $0 != .relayLoss || s.segments.contains { $0.relay != nil } }
    }

    /// The default cap on a run's virtual duration in swarm mode: none.
    public static func draw(scenario original: Scenario, seed: UInt64, maxDurationMilliseconds: Int64? = nil,
                            only: Set<SwarmFault>? = nil) -> SwarmPlan {
        var s = original
        if let cap = maxDurationMilliseconds, cap > 0, cap < s.durationMilliseconds {
            s.durationMilliseconds = cap
            s.faults = s.faults.filter { $0.atMilliseconds < cap }
        }
        s.expectations.invariants = true
        let duration = s.durationMilliseconds
        var rng = SimRandom.stream(seed: seed, subsystem: 300)
        var kinds = applicable(to: s)
        if let only { kinds = kinds.filter { only.contains($0) } }

        // The bound and, from it, how much of the run the faults may take.
        let (bound, skipped) = livenessBound(s)
        var window: Int64
        if s.family == 6 {
            // Solicit backs off to about the time it has been failing (SOL_MAX_RT is an hour):
            // the quiet period must be longer than the window (see `livenessBound`).
            window = min(duration * 45 / 100, (duration - 120_000) * 10 / 22)
        } else {
            window = min(duration * 6 / 10, duration - (bound ?? 0) - 60_000)
        }
        var livenessOff = skipped
        if window < duration / 10 {
            window = duration / 2
            livenessOff = livenessOff ?? "the run is too short for a quiet period of \(Self.seconds(bound ?? 0))"
        }
        window = max(window, 1_000)

        var plan = SwarmPlan(checks: SwarmChecks(quietFromMilliseconds: 0, livenessBoundMilliseconds: nil), scenario: s)
        plan.faultWindowEndMilliseconds = window
        for k in kinds where rng.chance(0.5) { plan.enabled[k] = 0.05 + 0.95 * rng.unit() }
        if plan.enabled.isEmpty, !kinds.isEmpty {
            plan.enabled[kinds[Int(rng.next() % UInt64(kinds.count))]] = 0.05 + 0.95 * rng.unit()
        }
        let relayed = s.segments.filter { $0.relay != nil }.map(\.name)
        for k in SwarmFault.allCases {
            guard let intensity = plan.enabled[k] else { continue }
            plan.faults += Self.faults(k, intensity: intensity, scenario: s, relayed: relayed, window: window, rng: &rng)
        }
        plan.faults.sort { $0.atMilliseconds < $1.atMilliseconds }
        s.faults += plan.faults
        plan.scenario = s

        let quiet = s.faults.map { $0.kind.endMilliseconds(startingAt: $0.atMilliseconds) }.max() ?? 0
        var checks = SwarmChecks(quietFromMilliseconds: quiet, livenessBoundMilliseconds: livenessOff == nil ? bound : nil,
                                 livenessSkipped: livenessOff)
        if s.family == 6, livenessOff == nil {
            // A client that failed since t=0 may wait about as long again before its next Solicit.
            checks.livenessBoundMilliseconds = min(3_960_000, quiet * 12 / 10) + 120_000
        }
        plan.checks = checks
        return plan
    }

    /// Draws one kind's faults: 1-4 of them (clock jumps 1-2), stronger and longer with the
    /// intensity, all over by the end of the window.
    static func faults(_ k: SwarmFault, intensity x: Double, scenario s: Scenario, relayed: [String],
                       window: Int64, rng: inout SimRandom) -> [FaultSpec] {
        var out: [FaultSpec] = []
        let segmentNames = s.segments.map(\.name), serverNames = s.servers.map(\.name)
        func pick(_ names: [String]) -> String { names[Int(rng.next() % UInt64(names.count))] }
        func length(_ maxMs: Int64) -> Int64 {
            let top = max(5_000, min(window / 2, Int64(Double(maxMs) * x)))
            return rng.between(5_000, top)
        }
        func start(_ d: Int64) -> Int64 { rng.between(0, max(0, window - d)) }
        let count = k == .clockJump ? 1 + Int(rng.next() % 2) : 1 + Int(rng.next() % 4)
        switch k {
        case .loss:
            for _ in 0..<count {
                let d = length(600_000)
                out.append(FaultSpec(atMilliseconds: start(d), kind: .lossBurst(segment: pick(segmentNames), loss: Self.rate(0.1 + 0.85 * x * rng.unit()), durationMilliseconds: d)))
            }
        case .duplication:
            for _ in 0..<count {
                let d = length(600_000)
                out.append(FaultSpec(atMilliseconds: start(d), kind: .duplicationBurst(segment: pick(segmentNames), duplication: Self.rate(0.05 + 0.9 * x * rng.unit()), durationMilliseconds: d)))
            }
        case .partition:
            for _ in 0..<count {
                let d = length(300_000)
                out.append(FaultSpec(atMilliseconds: start(d), kind: .partition(segment: pick(segmentNames), durationMilliseconds: d)))
            }
        case .crash:
            // One server's crashes never overlap: a crash hits a running server.
            var freeFrom: [String: Int64] = [:]
            for _ in 0..<count {
                let name = pick(serverNames)
                let down = max(1_000, length(180_000) - 4_000)
                let from = freeFrom[name] ?? 0
                guard from + down <= window else { continue }
                let at = rng.between(from, window - down)
                freeFrom[name] = at + down + 1_000
                out.append(FaultSpec(atMilliseconds: at, kind: .crash(server: name, downForMilliseconds: down)))
            }
        case .clockJump:
            // Backwards up to 5 minutes, forwards at most 15 s: a server whose clock leaps
            // forward past a lease's end rightly thinks it expired; that is not a bug.
            for _ in 0..<count {
                var by = -Int64(Double(300) * x * rng.unit()) + (rng.chance(0.3) ? rng.between(1, 15) : 0)
                if by == 0 { by = -1 }
                let at = rng.between(0, window), name = pick(serverNames)
                // Servers sharing a lease database keep one clock: each reads the others'
                // expiry times, so skew between them is not a fault of either (it would make
                // `acked-lease-durable` compare times of two clocks).
                var group = [name]
                if let server = s.servers.first(where: { $0.name == name }), case .shared(let db) = server.storage {
                    group = s.servers.filter { if case .shared(db) = $0.storage { return true } else { return false } }.map(\.name)
                }
                for g in group { out.append(FaultSpec(atMilliseconds: at, kind: .clockJump(server: g, seconds: by))) }
            }
        case .storageFailure:
            for _ in 0..<count {
                let d = length(300_000)
                out.append(FaultSpec(atMilliseconds: start(d), kind: .storageFailure(server: pick(serverNames), rate: Self.rate(0.05 + 0.95 * x * rng.unit()), durationMilliseconds: d)))
            }
        case .relayLoss:
            guard !relayed.isEmpty else { return [] }
            for _ in 0..<count {
                let d = length(300_000)
                out.append(FaultSpec(atMilliseconds: start(d), kind: .relayLoss(segment: pick(relayed), loss: Self.rate(0.1 + 0.9 * x * rng.unit()), durationMilliseconds: d)))
            }
        }
        return out
    }

    /// The command that runs exactly this run again (the same seed and options draw the same
    /// faults, and the simulator is deterministic).
    public static func replayCommand(scenarioPath: String, seed: UInt64, maxDurationMilliseconds: Int64? = nil,
                                     only: Set<SwarmFault>? = nil) -> String {
        var f = "kakapo-sim swarm --scenario \(scenarioPath) --seed \(seed)"
        if let d = maxDurationMilliseconds { f += " --max-duration \(d / 1000)s" }
        if let only { f += " --kinds " + only.sorted().map(\.rawValue).joined(separator: ",") }
        return f
    }

    /// Probabilities with two decimals, so the printed plan is the plan.
    static func rate(_ p: Double) -> Double { (min(1, max(0, p)) * 100).rounded() / 100 }

    static func seconds(_ ms: Int64) -> String { "\(ms / 1000)s" }

    /// How long, once the faults are over, a client that can bind may take to bind, or why
    /// no bound is checked. DHCPv4 clients retransmit at most every 64 s (±1 s); on a lossy
    /// link (or with a database refusing writes) an exchange (4 datagrams) fails with
    /// probability f, so the bound allows n attempts with f^n below 1e-9, plus one.
    public static func livenessBound(_ s: Scenario) -> (Int64?, String?) {
        let x = s.expectations
        if x.maxBound != nil || x.minUnavailable != nil || x.segments.contains(where: { $0.maxBound != nil }) {
            return (nil, "the scenario expects some clients not to bind (pool exhaustion)")
        }
        let maxLoss = s.segments.map(\.link.loss).max() ?? 0
        if s.family == 6 {
            if maxLoss > 0 { return (nil, "DHCPv6 on a lossy link: Solicit backs off up to SOL_MAX_RT (1 h)") }
            return (0, nil)  // Set from the quiet period's start by `draw`.
        }
        let writeFailure = s.databases.map(\.writeFailure).max() ?? 0
        let ok = pow4(1 - maxLoss) * (1 - writeFailure)
        let fail = 1 - ok
        var attempts = 2
        if fail > 0 {
            var p = 1.0
            attempts = 0
            while p > 1e-9 && attempts < 200 { p *= fail; attempts += 1 }
            attempts = max(2, attempts)
        }
        return (Int64(attempts + 1) * 65_000, nil)
    }

    static func pow4(_ v: Double) -> Double { v * v * v * v }

    /// One line per added fault, for the report.
    public var description: String {
        let kinds = enabled.keys.sorted().map { "\($0.rawValue)=\(String(format2: enabled[$0]!))" }.joined(separator: " ")
        var lines = ["kinds: \(kinds.isEmpty ? "none" : kinds); fault window 0-\(Self.seconds(faultWindowEndMilliseconds)); quiet from \(Self.seconds(checks.quietFromMilliseconds))"
                     + (checks.livenessBoundMilliseconds.map { "; liveness bound \(Self.seconds($0))" } ?? "; liveness not checked: \(checks.livenessSkipped ?? "-")")]
        for f in faults { lines.append("  at \(Self.seconds(f.atMilliseconds)): \(Self.describe(f.kind))") }
        return lines.joined(separator: "\n")
    }

    static func describe(_ k: FaultKind) -> String {
        switch k {
        case .crash(let s, let d): return "crash \(s) down \(seconds(d))"
        case .reload(let s, _): return "reload \(s)"
        case .lossBurst(let g, let p, let d): return "loss \(g) \(p) for \(seconds(d))"
        case .partition(let g, let d): return "partition \(g) for \(seconds(d))"
        case .clockJump(let s, let by): return "clock-jump \(s) by \(by)s"
        case .malformedFlood(let g, let n, let d): return "malformed-flood \(g) \(n) over \(seconds(d))"
        case .duplicationBurst(let g, let p, let d): return "duplication \(g) \(p) for \(seconds(d))"
        case .relayLoss(let g, let p, let d): return "relay-loss \(g) \(p) for \(seconds(d))"
        case .storageFailure(let s, let p, let d): return "storage-failure \(s) rate \(p) for \(seconds(d))"
        }
    }
}

extension String {
    init(format2 v: Double) {
        let c = Int((v * 100).rounded())
        self = "\(c / 100).\(c % 100 < 10 ? "0" : "")\(c % 100)"
    }
}

extension World {
    /// Turns on the swarm's checks: the file's expectations are skipped, liveness is sampled
    /// through the quiet period.
    public func enableSwarmChecks(_ c: SwarmChecks) {
        swarmChecks = c
        guard c.livenessBoundMilliseconds != nil, c.quietFromMilliseconds < scenario.durationMilliseconds else { return }
        lastSeenHolding = Array(repeating: Int64.min, count: max(clients.count, clients6.count))
        queue.push(c.quietFromMilliseconds, .livenessSample)
    }

    /// Every present client either holds a lease or has not been without one for longer than
    /// the bound (since the quiet period started, it arrived, or it was last seen holding one).
    func livenessSample() {
        guard let c = swarmChecks, let bound = c.livenessBoundMilliseconds else { return }
        let n = isV6 ? clients6.count : clients.count
        for i in 0..<n {
            let present = isV6 ? clients6[i].present : clients[i].present
            guard present else { continue }
            let holds = isV6 ? clients6[i].client.holdsLease(at: now) : clients[i].client.holdsLease(at: now)
            if holds { lastSeenHolding[i] = now; continue }
            let start = isV6 ? clients6[i].sessionStart : clients[i].sessionStart
            let since = max(start, c.quietFromMilliseconds, lastSeenHolding[i])
            if now - since > bound {
                let name = isV6 ? clientName6(i) : clientName(i)
                let state = isV6 ? clients6[i].client.state.rawValue : clients[i].client.state.rawValue
                failure = SimFailure(kind: .liveness, name: "liveness", detail: "\(name) has held no lease since t=\(since / 1000)s (now t=\(now / 1000)s, state \(state); faults over at t=\(c.quietFromMilliseconds / 1000)s, bound \(bound / 1000)s)",
                                     seed: seed, event: eventCount, timeMilliseconds: now)
                record("liveness", [("ok", .bool(false)), ("client", .string(name))])
                return
            }
        }
        queue.push(now + c.sampleMilliseconds, .livenessSample)
    }
}
