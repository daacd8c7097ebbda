import XCTest
@testable import KakapoCore
@testable import KakapoSim

/// The simulator: exact replay by seed, and each invariant caught when broken on purpose.
final class SimTests: XCTestCase {
    static func config(valid: Int = 600, renew: Int = 300, rebind: Int = 500, pool: String = "192.0.2.10 - 192.0.2.250") -> String {
        """
        { "Dhcp4": { "valid-lifetime": \(valid), "renew-timer": \(renew), "rebind-timer": \(rebind),
          "lease-database": { "type": "memfile", "persist": false },
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "\(pool)" } ],
                         "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] } ] } }
        """
    }

    /// One LAN, one server attached directly, `count` clients arriving over a minute.
    static func lan(count: Int = 50, duration: Int64 = 1_800_000, storage: StorageMode = .writeThrough,
                    config: String = SimTests.config()) -> Scenario {
        var s = Scenario(name: "test-lan", durationMilliseconds: duration)
        var server = ServerSpec(name: "s1", configText: config, configSource: "inline", address: IPv4Address(192, 0, 2, 1))
        server.storage = storage
        s.servers = [server]
        var seg = SegmentSpec(name: "lan", prefix: IPv4Prefix("192.0.2.0/24")!)
        seg.directServers = [(server: "s1", address: IPv4Address(192, 0, 2, 1))]
        seg.link.latencyMilliseconds = 2
        seg.link.jitterMilliseconds = 3
        s.segments = [seg]
        var p = PopulationSpec(name: "pcs", segment: "lan", count: count)
        p.arrival = .uniform(startMilliseconds: 0, windowMilliseconds: 60_000)
        s.populations = [p]
        s.expectations.allBoundWithinMilliseconds = 30_000
        return s
    }

    func traceHash(_ s: Scenario, seed: UInt64) throws -> (UInt64, SimResult) {
        let sink = MemoryTraceSink()
        let r = try World(scenario: s, seed: seed, trace: sink).run()
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for line in sink.lines { for b in line.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }; h = (h ^ 10) &* 0x100_0000_01b3 }
        return (h, r)
    }

    func testSameSeedSameTraceDifferentSeedDifferentTrace() throws {
        var s = Self.lan()
        s.segments[0].link.loss = 0.1
        s.populations[0].sessionMilliseconds = .uniform(minMilliseconds: 300_000, maxMilliseconds: 900_000)
        s.populations[0].rejoin = 0.5
        s.expectations.allBoundWithinMilliseconds = nil
        let (a, ra) = try traceHash(s, seed: 7)
        let (b, _) = try traceHash(s, seed: 7)
        let (c, _) = try traceHash(s, seed: 8)
        XCTAssertEqual(a, b, "same scenario and seed must give a byte-identical trace")
        XCTAssertNotEqual(a, c, "another seed must give another trace")
        XCTAssertNil(ra.failure, ra.failure?.description ?? "")
        XCTAssertGreaterThan(ra.summary.dora, 50)
        XCTAssertGreaterThan(ra.summary.renewals, 0)
    }

    func testHealthyLanBindsEveryoneAndRenews() throws {
        let r = try World(scenario: Self.lan()).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.boundAtEnd, 50)
        XCTAssertGreaterThan(r.summary.renewals, 50)
        XCTAssertEqual(r.summary.naks, 0)
    }

    /// A store that forgets writes: after a crash the restarted server has lost ACKed leases.
    func testForgetfulStoreIsCaughtAfterCrash() throws {
        var s = Self.lan(storage: .forgetEveryNth(3))
        s.faults = [FaultSpec(atMilliseconds: 120_000, kind: .crash(server: "s1", downForMilliseconds: 5_000))]
        let r = try World(scenario: s, seed: 11).run()
        let f = try XCTUnwrap(r.failure)
        XCTAssertEqual(f.kind, .invariant)
        XCTAssertTrue(["acked-lease-durable", "lease-on-server"].contains(f.name), f.description)
        XCTAssertEqual(f.seed, 11)
        XCTAssertNotNil(f.event)
        // Replaying the same seed fails at the same event.
        XCTAssertEqual(try World(scenario: s, seed: 11).run().failure?.event, f.event)
        // The correct store survives the same crash.
        var good = s
        good.servers[0].storage = .writeThrough
        XCTAssertNil(try World(scenario: good, seed: 11).run().failure)
    }

    /// Replies sent before the write is durable: a crash in between loses ACKed leases.
    func testLazyStorageIsCaughtAfterCrash() throws {
        var s = Self.lan(storage: .lazy(delayMilliseconds: 60_000))
        s.faults = [FaultSpec(atMilliseconds: 50_000, kind: .crash(server: "s1", downForMilliseconds: 2_000))]
        let f = try XCTUnwrap(try World(scenario: s, seed: 3).run().failure)
        XCTAssertEqual(f.name, "acked-lease-durable", f.description)
    }

    /// Two servers that hand out the same pool without sharing leases: two clients end up
    /// with one address (the broken "allocator").
    func testDuplicateAddressIsCaught() throws {
        var s = Self.lan(count: 20)
        // Overlapping pools that start at different addresses: the two allocators collide.
        s.servers.append(ServerSpec(name: "s2", configText: Self.config(pool: "192.0.2.15 - 192.0.2.250"), configSource: "inline",
                                    address: IPv4Address(192, 0, 2, 2)))
        s.segments[0].directServers.append((server: "s2", address: IPv4Address(192, 0, 2, 2)))
        let f = try XCTUnwrap(try World(scenario: s, seed: 5).run().failure)
        XCTAssertEqual(f.name, "unique-address", f.description)
    }

    /// A server whose configured lifetime changes under the clients (reload with a different
    /// valid-lifetime) hands out times the check compares with the server's config: to break
    /// the invariant, the test tampers with the config the check reads.
    func testTimersNotFollowingConfigAreCaught() throws {
        var s = Self.lan(count: 5)
        s.expectations.allBoundWithinMilliseconds = nil
        let w = try World(scenario: s, seed: 2)
        w.servers[0].config.timers.renewTimerSeconds = 111   // the check now expects T1 = 111
        let f = try XCTUnwrap(w.run().failure)
        XCTAssertEqual(f.name, "timers-follow-config", f.description)
    }

    /// A server that drops leases behind the clients' backs (lease4-wipe with no notice).
    func testLeaseMissingOnServerIsCaught() throws {
        let s = Self.lan(count: 5)
        let w = try World(scenario: s, seed: 4)
        // Run until everyone is bound, then wipe the server's leases as a command would.
        w.maxEvents = 400
        _ = w.run()
        w.failure = nil
        w.maxEvents = 200_000_000
        var e = Effects4()
        _ = w.servers[0].engine!.handle(command: "lease4-wipe", arguments: nil, now: w.servers[0].now(w.now)).map { e = $0.1 }
        w.carryOut(e, server: 0)
        let f = try XCTUnwrap(w.failure)
        XCTAssertEqual(f.name, "lease-on-server", f.description)
    }

    func testPoolExhaustionNeverDuplicates() throws {
        var s = Self.lan(count: 60, config: Self.config(pool: "192.0.2.10 - 192.0.2.49"))
        s.expectations.allBoundWithinMilliseconds = nil
        s.expectations.maxBound = 40
        let r = try World(scenario: s, seed: 9).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.boundAtEnd, 40)
    }
}

extension SimTests {
    /// A second server that does not know about a reservation hands the reserved address to
    /// somebody else: the simulator catches it.
    func testReservationGivenAwayIsCaught() throws {
        let reserved = """
        { "Dhcp4": { "valid-lifetime": 600, "renew-timer": 300, "rebind-timer": 500,
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.250" } ],
            "reservations": [ { "hw-address": "02:00:00:00:00:fe", "ip-address": "192.0.2.10" } ] } ] } }
        """
        var s = Self.lan(count: 20, config: reserved)
        s.expectations.allBoundWithinMilliseconds = nil
        // s2 has the same pool but not the reservation, so it gives 192.0.2.10 away.
        s.servers.append(ServerSpec(name: "s2", configText: Self.config(pool: "192.0.2.10 - 192.0.2.10"), configSource: "inline",
                                    address: IPv4Address(192, 0, 2, 2)))
        s.segments[0].directServers.append((server: "s2", address: IPv4Address(192, 0, 2, 2)))
        let f = try XCTUnwrap(try World(scenario: s, seed: 6).run().failure)
        XCTAssertEqual(f.name, "reservation-respected", f.description)
        // With the reservation alone, nobody else ever binds the reserved address.
        var ok = Self.lan(count: 20, config: reserved)
        ok.expectations.allBoundWithinMilliseconds = nil
        XCTAssertNil(try World(scenario: ok, seed: 6).run().failure)
    }
}
