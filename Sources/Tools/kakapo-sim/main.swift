import Glibc
import KakapoCore
import KakapoLinuxIO
import KakapoSim

/// kakapo-sim: replay scenarios deterministically, inspect their traces, or drive a real
/// server with the same virtual clients.
///
/// Exit codes of `run`: 0 all expectations met, 1 an expectation failed, 2 an invariant was
/// violated, 3 the event budget ran out, 64 bad usage or scenario. `swarm` exits 0 when no
/// run found anything, else 1; `swarm --scenario F --seed N` as `run`, and 4 for liveness.
let usageText = """
usage: kakapo-sim run SCENARIO [--seed N] [--trace FILE] [--quiet]
       kakapo-sim swarm SCENARIO... [--runs N] [--seconds S] [--seed-base N] [--max-duration D] [--kinds K,...] [--quiet]
       kakapo-sim swarm --scenario SCENARIO --seed N [--max-duration D] [--kinds K,...] [--trace FILE] [--quiet]
       kakapo-sim trace FILE [--client MAC] [--address IP] [--from T] [--to T] [--summary]
       kakapo-sim load [-6] --server ADDR [--rate R] [--clients N] [--duration S] [--relay-address A]

"""

func fail(_ s: String, code: Int32 = 64) -> Never {
    writeErr(s + "\n")
    exit(code)
}

func writeErr(_ s: String) {
    let b = Array(s.utf8)
    _ = b.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

/// Buffered trace file writer.
final class FileTraceSink: TraceSink {
    let fd: Int32
    var buffer: [UInt8] = []
    init(path: String) {
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { fail("cannot write trace file \(path)") }
        buffer.reserveCapacity(1 << 20)
    }
    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(10)
        if buffer.count > 1 << 20 { flush() }
    }
    func flush() {
        var off = 0
        while off < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n <= 0 { break }
            off += n
        }
        buffer.removeAll(keepingCapacity: true)
    }
    deinit { flush(); close(fd) }
}

func runCommand(_ args: [String]) -> Int32 {
    var path: String? = nil
    var seed: UInt64? = nil
    var tracePath: String? = nil
    var quiet = false
    var i = 0
    while i < args.count {
        switch args[i] {
        case "--seed":
            guard i + 1 < args.count, let s = UInt64(args[i + 1]) else { fail("--seed needs a number") }
            seed = s; i += 2
        case "--trace":
            guard i + 1 < args.count else { fail("--trace needs a file") }
            tracePath = args[i + 1]; i += 2
        case "--quiet": quiet = true; i += 1
        default:
            guard path == nil, !args[i].hasPrefix("-") else { fail(usageText) }
            path = args[i]; i += 1
        }
    }
    guard let path else { fail(usageText) }
    let scenario: Scenario
    do { scenario = try ScenarioLoader.load(path: path) } catch { fail("\(error)") }
    let sink = tracePath.map { FileTraceSink(path: $0) }
    let world: World
    do { world = try World(scenario: scenario, seed: seed, trace: sink) } catch { fail("\(path): \(error)") }
    let (wall0, cpu0) = clocks()
    let result = world.run()
    let (wall1, cpu1) = clocks()
    sink?.flush()
    if !quiet { print(result.summary.table) }
    let exchanges = Double(result.summary.dora + result.summary.renewals)
    let datagrams = Double(result.summary.datagramsSent) + Double(result.summary.serverReplies)
    print("speed: \(result.summary.events) events, \(Int(exchanges)) exchanges in \(String(format3: wall1 - wall0)) s wall, \(String(format3: cpu1 - cpu0)) s CPU: \(Int(exchanges / max(wall1 - wall0, 1e-9))) exchanges per wall-clock second (\(Int(exchanges / max(cpu1 - cpu0, 1e-9))) per CPU second)")
    print("speed: \(Int(datagrams)) DHCP messages, \(Int(datagrams / max(wall1 - wall0, 1e-9))) per wall-clock second = \(Int(datagrams / 4 / max(wall1 - wall0, 1e-9))) DORA-equivalents (4 messages) per second")
    guard let f = result.failure else {
        print("OK: \(scenario.name) (seed \(result.summary.seed)): all expectations met, invariants held")
        return 0
    }
    print("FAILED: \(scenario.name): \(f)")
    print("replay: kakapo-sim run \(path) --seed \(f.seed) --trace trace.jsonl")
    switch f.kind {
    case .expectation: return 1
    case .invariant: return 2
    case .budget: return 3
    case .liveness: return 4
    }
}

/// Wall-clock and process CPU seconds (tools may read clocks; the simulator itself never does).
func clocks() -> (Double, Double) {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let wall = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return (wall, Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9)
}


func traceCommand(_ args: [String]) -> Int32 {
    var file: String? = nil
    var q = TraceInspector.Query()
    var i = 0
    func value() -> String {
        guard i + 1 < args.count else { fail("\(args[i]) needs a value") }
        defer { i += 2 }
        return args[i + 1]
    }
    while i < args.count {
        switch args[i] {
        case "--client": q.client = value()
        case "--address": q.address = value()
        case "--from":
            let v = value()
            guard let t = TraceInspector.parseTime(v) else { fail("bad time '\(v)'") }
            q.fromMilliseconds = t
        case "--to":
            let v = value()
            guard let t = TraceInspector.parseTime(v) else { fail("bad time '\(v)'") }
            q.toMilliseconds = t
        case "--summary": q.summary = true; i += 1
        default:
            guard file == nil, !args[i].hasPrefix("-") else { fail(usageText) }
            file = args[i]; i += 1
        }
    }
    guard let file else { fail(usageText) }
    let text: String
    do { text = try readFile(file) } catch { fail("\(error)") }
    switch TraceInspector.run(text: text, query: q) {
    case .success(let out): print(out, terminator: out.hasSuffix("\n") ? "" : "\n"); return 0
    case .failure(let e): fail("\(e)", code: 1)
    }
}

var args = Array(CommandLine.arguments.dropFirst())
guard let cmd = args.first else { fail(usageText) }
switch cmd {
case "run": exit(runCommand(Array(args.dropFirst())))
case "trace": exit(traceCommand(Array(args.dropFirst())))
case "swarm": exit(swarmCommand(Array(args.dropFirst())))
case "load": exit(runLoadCommand(Array(args.dropFirst())))
case "-h", "--help", "help": print(usageText); exit(0)
default: fail(usageText)
}
