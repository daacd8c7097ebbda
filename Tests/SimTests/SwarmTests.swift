import Foundation
import KakapoCore
@testable import KakapoSim
import XCTest

/// `kakapo-sim swarm`: the faults drawn from a seed, the checks that replace the file's
/// expectations, and violations reported with a command that replays them.
final class SwarmTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func scenario(_ name: String) throws -> Scenario {
        try ScenarioLoader.load(path: Self.root + "/scenarios/\(name).yaml")
    }

    func testDrawIsDeterministicPerSeed() throws {
        let s = try scenario("two-relays")
        var seen = Set<String>()
        for seed: UInt64 in 1...20 {
            let a = SwarmPlan.draw(scenario: s, seed: seed), b = SwarmPlan.draw(scenario: s, seed: seed)
            XCTAssertEqual(a.description, b.description)
            XCTAssertEqual(a.checks, b.checks)
            XCTAssertEqual(a.scenario.faults.count, s.faults.count + a.faults.count)
            seen.insert(a.description)
        }
        XCTAssertGreaterThan(seen.count, 15, "different seeds draw different swarms")
    }

    func testEveryKindIsReachableAndFaultsStayInTheWindow() throws {
        let s = try scenario("two-relays")   // relayed segments: every kind applies
        XCTAssertEqual(SwarmPlan.applicable(to: s), SwarmFault.allCases)
        XCTAssertFalse(SwarmPlan.applicable(to: try scenario("office-morning")).contains(.relayLoss))
        var kinds = Set<SwarmFault>(), made = Set<String>(), subsets = Set<[SwarmFault]>()
        for seed: UInt64 in 1...200 {
            let p = SwarmPlan.draw(scenario: s, seed: seed)
            XCTAssertFalse(p.enabled.isEmpty)
            kinds.formUnion(p.enabled.keys)
            subsets.insert(p.enabled.keys.sorted())
            for f in p.faults {
                XCTAssertGreaterThanOrEqual(f.atMilliseconds, 0)
                XCTAssertLessThanOrEqual(f.kind.endMilliseconds(startingAt: f.atMilliseconds), p.faultWindowEndMilliseconds)
                made.insert(String(SwarmPlan.describe(f.kind).split(separator: " ")[0]))
            }
            XCTAssertGreaterThanOrEqual(p.checks.quietFromMilliseconds, p.faults.map { $0.kind.endMilliseconds(startingAt: $0.atMilliseconds) }.max() ?? 0)
            if let bound = p.checks.livenessBoundMilliseconds {
                XCTAssertLessThanOrEqual(p.checks.quietFromMilliseconds + bound, s.durationMilliseconds)
            }
        }
        XCTAssertEqual(kinds, Set(SwarmFault.allCases))
        XCTAssertEqual(made, ["loss", "duplication", "partition", "crash", "clock-jump", "storage-failure", "relay-loss"])
        XCTAssertGreaterThan(subsets.count, 40, "runs enable different subsets of kinds")
        // `--kinds` restricts the draw.
        for seed: UInt64 in 1...20 {
            XCTAssertEqual(Set(SwarmPlan.draw(scenario: s, seed: seed, only: [.crash]).enabled.keys), [.crash])
        }
    }

    func testLivenessIsSkippedWhereClientsCannotAllBind() throws {
        XCTAssertNotNil(SwarmPlan.livenessBound(try scenario("pool-exhaustion")).1)
        XCTAssertNotNil(SwarmPlan.livenessBound(try scenario("pd-pool-exhaustion6")).1)
        let (bound, why) = SwarmPlan.livenessBound(try scenario("office-morning"))
        XCTAssertNil(why)
        XCTAssertEqual(bound, 3 * 65_000)
        // 20% loss per datagram: many more attempts before a client may be called stuck.
        XCTAssertGreaterThan(SwarmPlan.livenessBound(try scenario("packet-loss-20")).0!, 30 * 60_000)
    }

    /// 60 clients for 40 addresses with the file's `max-bound` removed: the swarm thinks
    /// every client should bind, and the liveness check says who did not.
    func testLivenessCatchesClientsThatNeverBind() throws {
        var s = try scenario("pool-exhaustion")
        s.expectations = Expectations()
        let plan = SwarmPlan.draw(scenario: s, seed: 1, only: [.duplication])
        let bound = try XCTUnwrap(plan.checks.livenessBoundMilliseconds)
        let world = try World(scenario: plan.scenario, seed: 1)
        world.enableSwarmChecks(plan.checks)
        let f = try XCTUnwrap(world.run().failure)
        XCTAssertEqual(f.kind, .liveness)
        XCTAssertTrue(f.detail.contains("has held no lease"), f.detail)
        XCTAssertGreaterThan(f.timeMilliseconds, plan.checks.quietFromMilliseconds + bound)
        XCTAssertLessThanOrEqual(f.timeMilliseconds, plan.checks.quietFromMilliseconds + bound + plan.checks.sampleMilliseconds)
    }

    func testExpectationsDoNotApplyInvariantsDo() throws {
        var s = try scenario("decline-conflict")
        s.expectations.minBound = 1_000_000   // impossible: ignored under the swarm
        let plan = SwarmPlan.draw(scenario: s, seed: 3)
        let world = try World(scenario: plan.scenario, seed: 3)
        world.enableSwarmChecks(plan.checks)
        let r = world.run()
        XCTAssertNil(r.failure, "\(r.failure.map(\.description) ?? "")")
    }

    /// A server that silently forgets every second write, crashed by the swarm: the invariant
    /// catches it and the report says how to replay it.
    func testBrokenStorageIsCaughtAndReplayable() throws {
        var s = try scenario("server-restart-during-renewals")
        s.faults = []
        for i in s.servers.indices { s.servers[i].storage = .forgetEveryNth(2) }
        var caught: (UInt64, SimFailure)? = nil
        for seed: UInt64 in 1...10 {
            let plan = SwarmPlan.draw(scenario: s, seed: seed, only: [.crash])
            let world = try World(scenario: plan.scenario, seed: seed)
            world.enableSwarmChecks(plan.checks)
            if let f = world.run().failure { caught = (seed, f); break }
        }
        let (seed, f) = try XCTUnwrap(caught)
        XCTAssertEqual(f.kind, .invariant)
        XCTAssertEqual(f.name, "acked-lease-durable")
        // The same seed fails the same way.
        let again = SwarmPlan.draw(scenario: s, seed: seed, only: [.crash])
        let world = try World(scenario: again.scenario, seed: seed)
        world.enableSwarmChecks(again.checks)
        XCTAssertEqual(world.run().failure?.description, f.description)
        XCTAssertEqual(SwarmPlan.replayCommand(scenarioPath: "x.yaml", seed: seed, maxDurationMilliseconds: 3_600_000, only: [.loss, .crash]),
                       "kakapo-sim swarm --scenario x.yaml --seed \(seed) --max-duration 3600s --kinds loss,crash")
    }

    /// The tool end to end: a violation is printed with its replay line, and that line fails
    /// again the same way.
    func testToolReportsReplayLine() throws {
        let sim = Self.root + "/.build/debug/kakapo-sim"
        // `swift test` builds every product of the package first, kakapo-sim included: a missing
        // binary is a failure, not a reason to skip.
        guard FileManager.default.isExecutableFile(atPath: sim) else { return XCTFail("no debug kakapo-sim at \(sim)") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swarm-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = try String(contentsOfFile: Self.root + "/scenarios/server-restart-during-renewals.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "config: configs/", with: "config: \(Self.root)/scenarios/configs/")
        text = text.replacingOccurrences(of: "storage: write-through", with: "storage: { forget-every: 2 }")
        XCTAssertTrue(text.contains("forget-every"))
        let file = dir.appendingPathComponent("broken.yaml").path
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        func run(_ args: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: sim)
            p.arguments = args
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = pipe
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return (p.terminationStatus, out)
        }
        let (rc, out) = try run(["swarm", file, "--runs", "4", "--kinds", "crash", "--quiet"])
        XCTAssertEqual(rc, 1, out)
        XCTAssertTrue(out.contains("VIOLATION invariant acked-lease-durable"), out)
        let line = try XCTUnwrap(out.split(separator: "\n").first { $0.hasPrefix("replay: kakapo-sim swarm --scenario \(file) --seed ") })
        var args = line.split(separator: " ").dropFirst(2).map(String.init)
        args.append("--quiet")
        let (rc2, out2) = try run(args)
        XCTAssertEqual(rc2, 2, out2)
        XCTAssertTrue(out2.contains("invariant 'acked-lease-durable'"), out2)
    }

    /// Found by the swarm (server-restart-during-renewals, seed 1164): a client whose renewals
    /// were all lost saw its lease end at 690.596 s, the server (whole seconds) at 690 s and
    /// reclaimed it then: not a lost lease. And (faults-medley, seed 1268): a restart after the
    /// server's clock leapt 30 s restored leases written before the leap; their ends are in
    /// the old clock, and by the server's own clock they end 30 s sooner. But (seed 5094) a
    /// renewal the client never heard of, written after the clock stepped back, is in the new.
    func testSwarmFoundInvariantArtifactsStayFixed() throws {
        for (name, seed) in [("server-restart-during-renewals", UInt64(1164)), ("faults-medley", 1268), ("renew-storm6-server-restart", 1065),
                             ("server-restart-during-renewals", 5094)] {
            let plan = SwarmPlan.draw(scenario: try scenario(name), seed: seed)
            let world = try World(scenario: plan.scenario, seed: seed)
            world.enableSwarmChecks(plan.checks)
            let r = world.run()
            XCTAssertNil(r.failure, "\(name) seed \(seed): \(r.failure.map(\.description) ?? "")")
        }
    }
}
