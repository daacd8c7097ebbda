import Foundation
import KakapoCore
import XCTest

@testable import kakapo_admin

final class AdminRequestTests: XCTestCase {
    private func parse(_ args: [String], env: [String: String] = [:]) throws -> Result<AdminRequest, AdminRequest.Refusal> {
        let c = try KakapoAdmin.parse(args)
        return AdminRequest.make(c.flags, environment: env)
    }

    func testKeaFlagsAndDefaults() throws {
        let r = try parse(["lease-dump", "pgsql", "-h", "db.example", "-P", "5433", "-u", "kea", "-p", "pw",
                           "-n", "leases", "-d", "/scripts", "-6", "-o", "/tmp/x.csv", "-y"]).get()
        XCTAssertEqual(r.command, .leaseDump)
        XCTAssertEqual(r.backend, .pgsql)
        XCTAssertEqual(r.host, "db.example")
        XCTAssertEqual(r.port, 5433)
        XCTAssertEqual(r.user, "kea")
        XCTAssertEqual(r.password, "pw")
        XCTAssertEqual(r.name, "leases")
        XCTAssertEqual(r.directory, "/scripts")
        XCTAssertEqual(r.family, 6)
        XCTAssertEqual(r.output, "/tmp/x.csv")
        XCTAssertTrue(r.assumeYes)

        let d = try parse(["db-version", "pgsql"]).get()
        XCTAssertEqual([d.host, d.user, d.password, d.name], ["localhost", "keatest", "keatest", "keatest"])
        XCTAssertNil(d.port)
        XCTAssertNil(d.family)
    }

    func testLongFlags() throws {
        let r = try parse(["lease-upload", "pgsql", "--host", "h", "--port", "1", "--user", "u", "--password", "p",
                           "--name", "n", "--input", "in.csv", "-4", "--yes"]).get()
        XCTAssertEqual([r.host, r.user, r.password, r.name, r.input], ["h", "u", "p", "n", "in.csv"])
        XCTAssertEqual(r.family, 4)
    }

    func testKeaRefusals() throws {
        XCTAssertEqual(try parse([]), .failure(.init(message: "missing command", showUsage: true)))
        XCTAssertEqual(try parse(["db-frob", "pgsql"]), .failure(.init(message: "invalid command: db-frob", showUsage: true)))
        XCTAssertEqual(try parse(["db-init"]), .failure(.init(message: "missing backend", showUsage: true)))
        XCTAssertEqual(try parse(["db-init", "oracle"]), .failure(.init(message: "invalid backend: oracle", showUsage: false)))
        XCTAssertEqual(try parse(["lease-dump", "pgsql", "-4", "-6"]),
                       .failure(.init(message: "you may not specify both -4 and -6", showUsage: true)))
        XCTAssertEqual(try parse(["db-init", "pgsql", "-P", "70000"]),
                       .failure(.init(message: "invalid port: 70000", showUsage: true)))
    }

    func testHelpIsLongOnlyAndDashHIsHost() throws {
        XCTAssertThrowsError(try KakapoAdmin.parse(["-h"]))          // -h wants a host name
        XCTAssertThrowsError(try KakapoAdmin.parse(["--help"])) { e in
            XCTAssertEqual(KakapoAdmin.exitCode(for: e), .success)
        }
        XCTAssertThrowsError(try KakapoAdmin.parse(["db-init", "pgsql", "-x", "y"]))
    }

    func testPasswordFromEnvironmentOnlyWithoutDashP() throws {
        let env = ["KEA_ADMIN_DB_PASSWORD": "fromenv"]
        let a = try parse(["db-version", "pgsql"], env: env).get()
        XCTAssertEqual(a.password, "fromenv")
        XCTAssertTrue(a.passwordFromEnvironment)
        let b = try parse(["db-version", "pgsql", "-p", "given"], env: env).get()
        XCTAssertEqual(b.password, "given")
        XCTAssertFalse(b.passwordFromEnvironment)
    }
}

final class SchemaScriptsTests: XCTestCase {
    func testUpgradePlanFollowsTheChain() {
        let files = ["dhcpdb_create.pgsql", "upgrade_015_to_016.pgsql", "upgrade_013_to_014.pgsql",
                     "upgrade_014_to_015.pgsql", "upgrade_017_to_018.pgsql", "upgrade_016_to_017.pgsql", "README"]
        XCTAssertEqual(SchemaScripts.upgradePlan(version: "13.0", files: files),
                       ["upgrade_013_to_014.pgsql", "upgrade_014_to_015.pgsql", "upgrade_015_to_016.pgsql",
                        "upgrade_016_to_017.pgsql", "upgrade_017_to_018.pgsql"])
        XCTAssertEqual(SchemaScripts.upgradePlan(version: "16.0", files: files),
                       ["upgrade_016_to_017.pgsql", "upgrade_017_to_018.pgsql"])
        XCTAssertEqual(SchemaScripts.upgradePlan(version: "18.0", files: files), [])
        XCTAssertEqual(SchemaScripts.upgradePlan(version: "12.0", files: files), [])
        XCTAssertTrue(SchemaScripts.isOlderThanCurrent("12.0"))
        XCTAssertTrue(SchemaScripts.isOlderThanCurrent("17.9"))
        XCTAssertFalse(SchemaScripts.isOlderThanCurrent("18.0"))
        XCTAssertFalse(SchemaScripts.isOlderThanCurrent("22.1"))
        XCTAssertFalse(SchemaScripts.isOlderThanCurrent("garbage"))
        XCTAssertNil(SchemaScripts.upgradeStep(fileName: "upgrade_014_to_013.pgsql"))
        XCTAssertNil(SchemaScripts.upgradeStep(fileName: "upgrade_013_to_014.sh"))
    }

    func testTheShippedScriptsCoverThirteenToEighteen() throws {
        let dir = URLPath.repoRoot + "/share/pgsql"
        let names = try listing(dir)
        XCTAssertTrue(names.contains("dhcpdb_create.pgsql"))
        let plan = SchemaScripts.upgradePlan(version: "13.0", files: names)
        XCTAssertEqual(plan.count, 5)
        XCTAssertEqual(plan.last.flatMap(SchemaScripts.upgradeStep)?.to, 18)
    }

    func testDefaultDirectory() {
        let files: Set<String> = ["/src/kakapo/Package.swift", "/src/kakapo/share/pgsql/dhcpdb_create.pgsql",
                                  "/opt/k/share/kakapo/pgsql/dhcpdb_create.pgsql"]
        let exists = { (p: String) in files.contains(p) }
        XCTAssertEqual(SchemaScripts.defaultDirectory(executable: "/src/kakapo/.build/x86_64-unknown-linux-gnu/debug/kakapo-admin",
                                                      exists: exists), "/src/kakapo/share")
        XCTAssertEqual(SchemaScripts.defaultDirectory(executable: "/opt/k/bin/kakapo-admin", exists: exists),
                       "/opt/k/share/kakapo")
        XCTAssertNil(SchemaScripts.defaultDirectory(executable: "/usr/bin/kakapo-admin", exists: exists))
        XCTAssertNil(SchemaScripts.defaultDirectory(executable: nil, exists: exists))
    }

    private func listing(_ dir: String) throws -> [String] {
        let out = try FileManager.default.contentsOfDirectory(atPath: dir)
        return out.sorted()
    }
}

enum URLPath {
    /// The repository root, from this file's path.
    static var repoRoot: String {
        var parts = String(#filePath).split(separator: "/").map(String.init)
        parts.removeLast(3)
        return "/" + parts.joined(separator: "/")
    }
}

final class LeaseRowsTests: XCTestCase {
    func testLease4RowToCoreAndCSV() throws {
        let row: [String?] = ["3221225994", "0a1b2c3d4e5f", "01aabb", "3600", "1700003600", "7", "t", "f",
                              "host,one", "0", "{ \"ISC\": { \"client-classes\": [ \"a\" ] } }", "3"]
        let l = try LeaseRows.lease4(row).get()
        XCTAssertEqual(l.address.description, "192.0.2.10")
        XCTAssertEqual(l.hardwareAddress?.bytes, [0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f])
        XCTAssertEqual(l.clientID, [0x01, 0xaa, 0xbb])
        XCTAssertEqual(l.cltt.secondsSinceEpoch, 1_700_000_000)
        XCTAssertTrue(l.fqdnForward)
        XCTAssertFalse(l.fqdnReverse)
        XCTAssertEqual(l.poolID, 3)
        // Kea's memfile row: commas escaped, identifiers colon-separated, booleans 0/1.
        XCTAssertEqual(LeaseFile4.row(l),
                       "192.0.2.10,0a:1b:2c:3d:4e:5f,01:aa:bb,3600,1700003600,7,1,0,host&#x2cone,0,"
                       + "{ \"ISC\": { \"client-classes\": [ \"a\" ] } },3")
        // And back: the insert parameters are what the row held.
        XCTAssertEqual(LeaseRows.parameters4(l, hasPoolID: true),
                       ["3221225994", "\\x0a1b2c3d4e5f", "\\x01aabb", "3600", "1700003600", "7", "t", "f", "host,one", "0",
                        "{ \"ISC\": { \"client-classes\": [ \"a\" ] } }", "3"])
        XCTAssertEqual(LeaseRows.parameters4(l, hasPoolID: false).count, 11)
    }

    func testLease4NullsAndDeclined() throws {
        let row: [String?] = ["3221225995", nil, "", "0", "1700000000", "1", nil, nil, nil, "1", nil, "0"]
        let l = try LeaseRows.lease4(row).get()
        XCTAssertNil(l.hardwareAddress)
        XCTAssertNil(l.clientID)
        XCTAssertEqual(l.state, .declined)
        XCTAssertEqual(l.hostname, "")
        XCTAssertEqual(LeaseFile4.row(l), "192.0.2.11,,,0,1700000000,1,0,0,,1,,0")
        let p = LeaseRows.parameters4(l, hasPoolID: true)
        XCTAssertNil(p[1])
        XCTAssertNil(p[2])
        XCTAssertNil(p[10])
    }

    func testLease4BadRows() {
        XCTAssertThrowsError(try LeaseRows.lease4(["x", nil, nil, "1", "1", "1", nil, nil, nil, "0", nil, "0"]).get())
        XCTAssertThrowsError(try LeaseRows.lease4(["1", "zz", nil, "1", "1", "1", nil, nil, nil, "0", nil, "0"]).get())
        XCTAssertThrowsError(try LeaseRows.lease4(["1", nil, nil, "1", "1", "1", nil, nil, nil, "7", nil, "0"]).get())
        XCTAssertThrowsError(try LeaseRows.lease4(["1", nil, nil]).get())
    }

    func testLease6RowToCoreAndCSV() throws {
        let row: [String?] = ["2001:db8::5", "000100011a2b3c4d0a0b0c0d0e0f", "4000", "1700004000", "2", "3000", "0",
                              "-1", "128", "f", "t", "h6", "0a0b0c0d0e0f", "0", nil, "1", "4", "9"]
        let l = try LeaseRows.lease6(row).get()
        XCTAssertEqual(l.iaid, 0xFFFF_FFFF)                          // Kea's signed INT column
        XCTAssertEqual(l.hardwareAddress?.type, 1)
        XCTAssertEqual(l.hardwareAddressSource.rawValue, 4)
        XCTAssertEqual(LeaseFile6.row(l),
                       "2001:db8::5,00:01:00:01:1a:2b:3c:4d:0a:0b:0c:0d:0e:0f,4000,1700004000,2,3000,0,4294967295,128,0,1,h6,"
                       + "0a:0b:0c:0d:0e:0f,0,,1,4,9")
        let p = LeaseRows.parameters6(l, hasPoolID: true)
        XCTAssertEqual(p[7], "-1")
        XCTAssertEqual(p[15], "1")
        XCTAssertEqual(p[16], "4")
        XCTAssertEqual(p.count, 18)
    }

    func testLease6PrefixWithoutHardwareAddress() throws {
        let row: [String?] = ["2001:db8:1::", "0102", "4000", "1700004000", "2", "3000", "2", "5", "56", "f", "f",
                              "", nil, "0", nil, nil, nil, "0"]
        let l = try LeaseRows.lease6(row).get()
        XCTAssertEqual(l.type, .delegatedPrefix)
        XCTAssertEqual(l.prefixLength, 56)
        XCTAssertNil(l.hardwareAddress)
        XCTAssertEqual(LeaseFile6.row(l), "2001:db8:1::,01:02,4000,1700004000,2,3000,2,5,56,0,0,,,0,,,,0")
        let p = LeaseRows.parameters6(l, hasPoolID: false)
        XCTAssertEqual(p.count, 17)
        XCTAssertNil(p[12])
        XCTAssertNil(p[15])
        XCTAssertNil(p[16])
    }

    func testDumpThenLoadGivesTheSameLeases() throws {
        let rows: [[String?]] = [
            ["3221225994", "0a1b2c3d4e5f", nil, "3600", "1700003600", "7", "t", "t", "a,b", "0", nil, "1"],
            ["3221225995", "0a1b2c3d4e60", "01ff", "3600", "1700003700", "7", "f", "f", nil, "2", nil, "0"],
        ]
        let leases = try rows.map { try LeaseRows.lease4($0).get() }
        var store = MemoryLeaseStore4()
        let report = LeaseFile4.load(text: LeaseFile4.text(of: leases), into: &store)
        XCTAssertEqual(report.errors, [])
        XCTAssertEqual(store.all(), leases)
    }

    func testRecountSQLCoversTheTablesAsked() {
        let full = LeaseRows.recount(family: 4, hasPoolStats: true, hasClassStats: true)
        XCTAssertTrue(full.contains("DELETE FROM lease4_stat;"))
        XCTAssertTrue(full.contains("DELETE FROM lease4_pool_stat;"))
        XCTAssertTrue(full.contains("DELETE FROM lease4_stat_by_client_class;"))
        let old = LeaseRows.recount(family: 6, hasPoolStats: false, hasClassStats: false)
        XCTAssertTrue(old.contains("DELETE FROM lease6_stat;"))
        XCTAssertFalse(old.contains("pool_stat"))
        XCTAssertTrue(old.hasPrefix("START TRANSACTION;") && old.hasSuffix("COMMIT;"))
    }
}
