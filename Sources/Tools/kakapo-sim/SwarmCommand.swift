import Glibc
import KakapoCore
import KakapoSim

/// `kakapo-sim swarm`: every given scenario, over and over with successive seeds, each run with
/// its own swarm of faults (`SwarmPlan`); or one run again (`--scenario FILE --seed N`).
struct SwarmOptions {
    var files: [String] = []
    var runs = 1000
    var seconds: Double? = nil
    var seedBase: UInt64 = 1
    var maxDuration: Int64? = nil
    var only: Set<SwarmFault>? = nil
    var replayScenario: String? = nil
    var replaySeed: UInt64? = nil
    var tracePath: String? = nil
    var quiet = false

    func replay(_ path: String, _ seed: UInt64) -> String {
        SwarmPlan.replayCommand(scenarioPath: path, seed: seed, maxDurationMilliseconds: maxDuration, only: only)
    }
}

func parseDuration(_ s: String) -> Int64? {
    let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
    for (u, k) in units where s.hasSuffix(u) {
        let digits = s.dropLast(u.count)
        if let n = Int64(digits), n > 0, !digits.contains(where: { !$0.isNumber }) { return n * k }
    }
    return nil
}

func parseSwarmOptions(_ args: [String]) -> SwarmOptions {
    var o = SwarmOptions()
    var i = 0
    func value() -> String {
        guard i + 1 < args.count else { fail("\(args[i]) needs a value") }
        defer { i += 2 }
        return args[i + 1]
    }
    while i < args.count {
        switch args[i] {
        case "--runs":
            guard let n = Int(value()), n >= 0 else { fail("--runs needs a number") }
            o.runs = n
        case "--seconds":
            guard let s = Double(value()), s > 0 else { fail("--seconds needs a positive number") }
            o.seconds = s
        case "--seed-base":
            guard let s = UInt64(value()) else { fail("--seed-base needs a number") }
            o.seedBase = s
        case "--seed":
            guard let s = UInt64(value()) else { fail("--seed needs a number") }
            o.replaySeed = s
        case "--scenario": o.replayScenario = value()
        case "--max-duration":
            let v = value()
            guard let d = parseDuration(v) else { fail("--max-duration needs a duration such as 3h or 90s, not '\(v)'") }
            o.maxDuration = d
        case "--kinds":
            var set = Set<SwarmFault>()
            for name in value().split(separator: ",") {
                guard let k = SwarmFault(rawValue: String(name)) else {
                    fail("unknown fault kind '\(name)' (kinds: \(SwarmFault.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                set.insert(k)
            }
            o.only = set
        case "--trace": o.tracePath = value()
        case "--quiet": o.quiet = true; i += 1
        default:
            guard !args[i].hasPrefix("-") else { fail(usageText) }
            o.files.append(args[i]); i += 1
        }
    }
    return o
}

/// What the crash handler prints when a run dies (a precondition in an engine, say): the
/// replay line of the run in progress, kept in a C buffer a signal handler may write.
nonisolated(unsafe) let crashLine = UnsafeMutablePointer<UInt8>.allocate(capacity: 1024)
nonisolated(unsafe) var crashLineLength = 0

func setCrashLine(_ s: String) {
    let b = Array(s.utf8.prefix(1023))
    for (i, c) in b.enumerated() { crashLine[i] = c }
    crashLineLength = b.count
}

func installCrashHandler() {
    for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE] {
        signal(sig) { sig in
            _ = write(2, crashLine, crashLineLength)
            signal(sig, SIG_DFL)
            raise(sig)
        }
    }
}

func loadScenario(_ path: String) -> Scenario {
    do { return try ScenarioLoader.load(path: path) } catch { fail("\(error)") }
}

/// One swarm run. Returns the plan and the result.
func swarmRun(_ scenario: Scenario, seed: UInt64, _ o: SwarmOptions, trace: TraceSink? = nil) -> (SwarmPlan, SimResult) {
    let plan = SwarmPlan.draw(scenario: scenario, seed: seed, maxDurationMilliseconds: o.maxDuration, only: o.only)
    let world: World
    do { world = try World(scenario: plan.scenario, seed: seed, trace: trace) } catch { fail("\(scenario.name): \(error)") }
    world.enableSwarmChecks(plan.checks)
    return (plan, world.run())
}

func swarmCommand(_ args: [String]) -> Int32 {
    let o = parseSwarmOptions(args)
    if let path = o.replayScenario {
        guard let seed = o.replaySeed, o.files.isEmpty else { fail("swarm --scenario FILE needs --seed N (and no other files)") }
        return swarmReplay(path, seed: seed, o)
    }
    guard !o.files.isEmpty else { fail(usageText) }
    let scenarios = o.files.map { (path: $0, scenario: loadScenario($0)) }
    installCrashHandler()
    let (wall0, _) = clocks()
    var ran = 0, livenessChecked = 0
    var byName: [String: Int] = [:]
    var replays: [String] = []
    var perScenario: [String: (runs: Int, wall: Double)] = [:]
    while ran < o.runs {
        let (now, _) = clocks()
        if let limit = o.seconds, now - wall0 >= limit { break }
        let (path, scenario) = scenarios[ran % scenarios.count]
        let seed = o.seedBase &+ UInt64(ran)
        let replay = o.replay(path, seed)
        setCrashLine("\nswarm: the process died in: \(replay)\n")
        let (plan, result) = swarmRun(scenario, seed: seed, o)
        let (after, _) = clocks()
        perScenario[path, default: (0, 0)].runs += 1
        perScenario[path, default: (0, 0)].wall += after - now
        ran += 1
        if plan.checks.livenessBoundMilliseconds != nil { livenessChecked += 1 }
        guard let f = result.failure else { continue }
        let key = f.kind == .invariant ? "invariant \(f.name)" : f.kind.rawValue
        byName[key, default: 0] += 1
        replays.append(replay)
        print("VIOLATION \(key) in \(path) seed \(seed): \(f.detail) (t=\(f.timeMilliseconds / 1000)s)")
        print(plan.description.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        print("    replay: \(replay) --trace trace.jsonl")
    }
    let (wall1, _) = clocks()
    let minutes = max(wall1 - wall0, 1e-9) / 60
    let violations = byName.values.reduce(0, +)
    print("swarm: \(ran) runs of \(o.runs) (\(scenarios.count) scenarios, seeds \(o.seedBase)..\(o.seedBase &+ UInt64(max(ran, 1) - 1))) in \(String(format3: wall1 - wall0)) s wall, \(Int(Double(ran) / minutes)) runs/min; liveness checked in \(livenessChecked)")
    if !o.quiet {
        for (path, _) in scenarios {
            guard let p = perScenario[path], p.runs > 0 else { continue }
            print("swarm:   \(path): \(p.runs) runs, \(String(format3: p.wall / Double(p.runs))) s each")
        }
    }
    if ran < o.runs { print("swarm: stopped starting runs after \(o.seconds.map { String(format3: $0) } ?? "-") s: \(ran) of \(o.runs) ran") }
    for (k, n) in byName.sorted(by: { $0.key < $1.key }) { print("swarm: \(n) × \(k)") }
    print("swarm: \(violations) violations (\(byName.filter { $0.key.hasPrefix("invariant") }.values.reduce(0, +)) invariant, \(byName["liveness"] ?? 0) liveness, \(byName["budget"] ?? 0) budget)")
    for r in replays { print("replay: \(r)") }
    return violations == 0 ? 0 : 1
}

/// One run again, with its plan and summary: exit 0 ok, 2 invariant, 3 budget, 4 liveness.
func swarmReplay(_ path: String, seed: UInt64, _ o: SwarmOptions) -> Int32 {
    let scenario = loadScenario(path)
    let sink = o.tracePath.map { FileTraceSink(path: $0) }
    let (plan, result) = swarmRun(scenario, seed: seed, o, trace: sink)
    sink?.flush()
    print("swarm run: \(path) seed \(seed)")
    print(plan.description)
    if !o.quiet { print(result.summary.table) }
    guard let f = result.failure else {
        print("OK: \(scenario.name) (seed \(seed)) under swarm faults: invariants held" + (plan.checks.livenessBoundMilliseconds != nil ? ", every client bound in time" : ""))
        return 0
    }
    print("FAILED: \(scenario.name) under swarm faults: \(f)")
    print("replay: \(o.replay(path, seed)) --trace trace.jsonl")
    switch f.kind {
    case .invariant: return 2
    case .budget: return 3
    case .liveness: return 4
    case .expectation: return 1
    }
}
