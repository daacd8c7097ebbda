import Foundation
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// The leases6 memfile through the shell's per-turn writer (`writeTurn`): what a turn's
/// transactions propose is appended in Kea's leases6 format and replays to the same leases,
/// deletions included; cleanup keeps that state.
final class Memfile6Tests: XCTestCase {
    static func lease(_ n: UInt64, type: LeaseType6 = .nonTemporaryAddress, expire: Int64 = 1_800_003_600, hostname: String = "") -> Lease6 {
        var l = Lease6(type: type, address: IPv6Address(high: 0x2001_0DB8_0001_0000, low: n),
                       prefixLength: type == .delegatedPrefix ? 64 : 128, duid: [0, 1, 0, 1, 1, 2, 3, 4, 0, 0, 0, 0, UInt8(n >> 8), UInt8(n & 0xFF)],
                       iaid: UInt32(n), preferredLifetimeSeconds: 3000, validLifetimeSeconds: 4000,
                       expire: WallTime(secondsSinceEpoch: expire), subnetID: 1)
        l.hostname = hostname
        return l
    }

    static func turn(_ id: UInt64, _ changes: [LeaseChange6]) -> Effects6 {
        var e = Effects6()
        e.transaction = TransactionID(id)
        e.writes = changes.map { LeaseWrite(change: $0, expected: nil) }
        return e
    }

    static func replay(_ path: String) throws -> [Lease6] {
        var store = MemoryLeaseStore6()
        for (file, report) in try Memfile6(path: path).load(into: &store) {
            XCTAssertEqual(report.errors, [], file)
        }
        return store.all()
    }

    func testATurnsWritesReplayToTheSameLeases() throws {
        let path = try Fixtures.temporaryDirectory("memfile6") + "/kea-leases6.csv"
        let logger = Logger(name: "kea-dhcp6")
        let m = Memfile6(path: path)
        try m.openForAppend()
        let pd = Self.lease(0x100, type: .delegatedPrefix)
        let first = m.writeTurn([Self.turn(1, [.upsert(Self.lease(1, hostname: "a,b.example.org")), .upsert(Self.lease(2))]),
                                 Self.turn(2, [.upsert(pd)])], logger: logger)
        XCTAssertEqual(first, .durable)
        let renewed = Self.lease(1, expire: 1_800_007_200, hostname: "a,b.example.org")
        XCTAssertEqual(m.writeTurn([Self.turn(3, [.upsert(renewed), .delete(Self.lease(2))])], logger: logger), .durable)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(LeaseFile6.header + "\n"))
        XCTAssertEqual(text.split(separator: "\n").count, 1 + 5, "header, three rows, then a renewal and a deletion row")
        XCTAssertEqual(try Self.replay(path), [renewed, pd].sorted { $0.address < $1.address })

        // The load at startup sees the same; cleanup keeps it and leaves a header-only file.
        m.cleanUp([renewed, pd], logger: logger)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), LeaseFile6.header + "\n")
        XCTAssertEqual(try Self.replay(path), [renewed, pd].sorted { $0.address < $1.address })
        // Appends after a cleanup land in the fresh file.
        XCTAssertEqual(m.writeTurn([Self.turn(4, [.delete(pd)])], logger: logger), .durable)
        XCTAssertEqual(try Self.replay(path), [renewed])
    }

    func testAFailedWriteIsReportedForTheWholeTurn() throws {
        let dir = try Fixtures.temporaryDirectory("memfile6")
        let m = Memfile6(path: dir + "/kea-leases6.csv")
        // Never opened: the append has no descriptor to write to.
        let outcome = m.writeTurn([Self.turn(1, [.upsert(Self.lease(1))])], logger: Logger(name: "kea-dhcp6"))
        guard case .failed = outcome else { return XCTFail("expected a failed outcome, got \(outcome)") }
    }
}
