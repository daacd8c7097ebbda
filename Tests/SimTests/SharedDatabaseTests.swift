import XCTest
@testable import KakapoCore
@testable import KakapoSim

/// Two servers sharing one lease database, run in the simulator: races between them are
/// decided by the database's conditional writes, clients that move keep their addresses, and
/// a database that ignores conflicts is caught by the unique-address invariant.
final class SharedDatabaseTests: XCTestCase {
    /// s1 and s2 on one LAN, both on database `db`; `count` clients arrive within `window`.
    static func pair(count: Int, windowMilliseconds: Int64, db: DatabaseSpec, duration: Int64 = 1_800_000) -> Scenario {
        var s = SimTests.lan(count: count, duration: duration, storage: .shared(database: db.name))
        var s2 = ServerSpec(name: "s2", configText: SimTests.config(), configSource: "inline", address: IPv4Address(192, 0, 2, 2))
        s2.storage = .shared(database: db.name)
        s.servers.append(s2)
        s.databases = [db]
        s.segments[0].directServers.append((server: "s2", address: IPv4Address(192, 0, 2, 2)))
        s.populations[0].arrival = .uniform(startMilliseconds: 0, windowMilliseconds: windowMilliseconds)
        s.expectations.allBoundWithinMilliseconds = nil
        return s
    }

    static func slowDatabase(ignoringConflicts: Bool = false) -> DatabaseSpec {
        var db = DatabaseSpec(name: "leases")
        db.latencyMilliseconds = 20
        db.jitterMilliseconds = 30
        db.ignoreConflicts = ignoringConflicts
        return db
    }

    /// Many clients at once against a slow database: the servers race for the same addresses;
    /// every race is lost by one of them, which decides again, and no invariant breaks.
    func testRacesAreDecidedByTheDatabase() throws {
        for seed: UInt64 in 1...4 {
            let w = try World(scenario: Self.pair(count: 200, windowMilliseconds: 3_000, db: Self.slowDatabase()), seed: seed)
            let r = w.run()
            XCTAssertNil(r.failure, "seed \(seed): \(r.failure?.description ?? "")")
            XCTAssertGreaterThan(w.databases[0].conflicts, 0, "seed \(seed): the servers never raced; the test proves nothing")
            XCTAssertEqual(r.summary.boundAtEnd, 200, "seed \(seed)")
        }
    }

    /// The same world with a database that lets the last writer win: two clients end up with
    /// one address, and the invariant names it.
    func testADatabaseThatIgnoresConflictsIsCaught() throws {
        var caught: SimFailure?
        for seed: UInt64 in 1...8 where caught == nil {
            let w = try World(scenario: Self.pair(count: 200, windowMilliseconds: 3_000, db: Self.slowDatabase(ignoringConflicts: true)), seed: seed)
            caught = w.run().failure
        }
        let f = try XCTUnwrap(caught, "a last-writer-wins database went unnoticed over 8 seeds")
        XCTAssertEqual(f.kind, .invariant)
        XCTAssertTrue(["unique-address", "lease-on-server"].contains(f.name), f.description)
    }

    /// Write failures: nothing is acknowledged for a failed transaction, clients retry, and
    /// everyone binds in the end.
    func testFailedWritesAreNeverAcknowledged() throws {
        var db = DatabaseSpec(name: "leases")
        db.latencyMilliseconds = 2
        db.writeFailure = 0.3
        let w = try World(scenario: Self.pair(count: 80, windowMilliseconds: 30_000, db: db), seed: 3)
        let r = w.run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertGreaterThan(w.databases[0].failures, 10)
        XCTAssertEqual(r.summary.boundAtEnd, 80)
        let refused = w.servers.reduce(0) { $0 + $1.executor.failedCount }
        XCTAssertGreaterThan(refused, 10, "the servers heard of the failures")
    }

    /// s1 goes away; its clients rebind through s2, which finds their leases in the database
    /// and keeps their addresses (the client-keeps-address invariant checks each one).
    func testClientsMovingToTheOtherServerKeepTheirAddresses() throws {
        var s = Self.pair(count: 60, windowMilliseconds: 60_000, db: DatabaseSpec(name: "leases"), duration: 3_600_000)
        s.faults = [FaultSpec(atMilliseconds: 600_000, kind: .crash(server: "s1", downForMilliseconds: 1_200_000))]
        let w = try World(scenario: s, seed: 5)
        let r = w.run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertGreaterThan(w.moves, 0, "no client moved from one server to the other")
    }
}
