import Foundation
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// The memfile lease file on disk: appends, Kea's load order, and the crash-safe cleanup (write
/// `.completed`, replace the file by its header, drop `.1`/`.2`), checked by replaying the
/// files into a fresh store after the cleanup and after a crash between its two renames.
final class MemfileTests: XCTestCase {
    static func lease(_ host: UInt8, mac: UInt8, expire: Int64 = 1_800_003_600, hostname: String = "") -> Lease4 {
        var l = Lease4(address: IPv4Address(192, 0, 2, host), hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, mac]),
                       clientID: [1, 2, 0, 0, 0, 0, mac], validLifetimeSeconds: 3600,
                       expire: WallTime(secondsSinceEpoch: expire), subnetID: 1)
        l.hostname = hostname
        return l
    }

    static func file(_ rows: [Lease4]) -> String {
        LeaseFile4.header + "\n" + rows.map { LeaseFile4.row($0) + "\n" }.joined()
    }

    static func replay(_ path: String) throws -> [Lease4] {
        var store = MemoryLeaseStore4()
        for (file, report) in try Memfile(path: path).load(into: &store) {
            XCTAssertEqual(report.errors, [], file)
        }
        return store.all()
    }

    static func text(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Leases in `.2` and `.1` (an older Kea's LFC leftovers) and appends in the file itself,
    /// including a renewal and a deletion; returns the path and the state they replay to.
    func populated() throws -> (dir: String, path: String, memfile: Memfile, state: [Lease4]) {
        let dir = try Fixtures.temporaryDirectory("memfile")
        let path = dir + "/leases4.csv"
        try Self.file([Self.lease(30, mac: 30), Self.lease(31, mac: 31)]).write(toFile: path + ".2", atomically: false, encoding: .utf8)
        try Self.file([Self.lease(31, mac: 31, expire: 1_800_007_200)]).write(toFile: path + ".1", atomically: false, encoding: .utf8)
        let m = Memfile(path: path)
        try m.openForAppend()
        XCTAssertTrue(m.append([.upsert(Self.lease(10, mac: 1, hostname: "a,b")), .upsert(Self.lease(11, mac: 2)),
                                .upsert(Self.lease(12, mac: 3))]))
        XCTAssertTrue(m.append([.upsert(Self.lease(10, mac: 1, expire: 1_800_009_000, hostname: "a,b")),
                                .delete(Self.lease(11, mac: 2)), .delete(Self.lease(30, mac: 30))]))
        XCTAssertEqual(Memfile(path: path).loadOrder, [path + ".2", path + ".1", path])
        let state = try Self.replay(path)
        XCTAssertEqual(state, [Self.lease(10, mac: 1, expire: 1_800_009_000, hostname: "a,b"), Self.lease(12, mac: 3),
                               Self.lease(31, mac: 31, expire: 1_800_007_200)], "fixture: the replayed state")
        return (dir, path, m, state)
    }

    func testCleanupLeavesCompletedAndHeaderOnlyFile() throws {
        let (dir, path, m, state) = try populated()
        try m.cleanup(leases: state)
        XCTAssertEqual(try Self.text(path + ".completed"), Self.file(state))
        XCTAssertEqual(try Self.text(path), LeaseFile4.header + "\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(),
                       ["leases4.csv", "leases4.csv.completed"], ".1, .2 and the .tmp files are gone")
        XCTAssertEqual(Memfile(path: path).loadOrder, [path + ".completed", path])
        XCTAssertEqual(try Self.replay(path), state)
    }

    /// The append descriptor follows the new file: rows written after a cleanup land in it (not
    /// in the replaced inode) and replay on top of `.completed`.
    func testAppendAfterCleanup() throws {
        let (_, path, m, state) = try populated()
        try m.cleanup(leases: state)
        let added = Self.lease(13, mac: 4)
        XCTAssertTrue(m.append([.upsert(added), .delete(Self.lease(12, mac: 3))]))
        XCTAssertEqual(try Self.text(path), Self.file([added]) + LeaseFile4.deletionRow(Self.lease(12, mac: 3)) + "\n")
        XCTAssertEqual(try Self.replay(path), [Self.lease(10, mac: 1, expire: 1_800_009_000, hostname: "a,b"), added,
                                               Self.lease(31, mac: 31, expire: 1_800_007_200)])
        // A second cleanup replaces the first `.completed`.
        let now = try Self.replay(path)
        try m.cleanup(leases: now)
        XCTAssertEqual(try Self.text(path + ".completed"), Self.file(now))
        XCTAssertEqual(try Self.replay(path), now)
    }

    /// Killed after `.completed` was renamed into place but before the file was replaced: the
    /// old full file and the old `.1`/`.2` are still there. Kea's order reads `.completed` and
    /// then the old file (whose rows are all already in `.completed`), so nothing changes; a
    /// cleanup run again from that state finishes the job.
    func testCrashBetweenTheTwoRenamesReplaysToSameState() throws {
        let (dir, path, m, state) = try populated()
        let oldFile = try Self.text(path), old1 = try Self.text(path + ".1"), old2 = try Self.text(path + ".2")
        try m.cleanup(leases: state)
        try oldFile.write(toFile: path, atomically: false, encoding: .utf8)
        try old1.write(toFile: path + ".1", atomically: false, encoding: .utf8)
        try old2.write(toFile: path + ".2", atomically: false, encoding: .utf8)
        XCTAssertEqual(Memfile(path: path).loadOrder, [path + ".completed", path], ".1 and .2 are ignored")
        XCTAssertEqual(try Self.replay(path), state)
        // Restart and clean up again.
        let again = Memfile(path: path)
        try again.cleanup(leases: try Self.replay(path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir).sorted(), ["leases4.csv", "leases4.csv.completed"])
        XCTAssertEqual(try Self.replay(path), state)
        XCTAssertTrue(again.append([.upsert(Self.lease(14, mac: 5))]))
        XCTAssertEqual(try Self.replay(path).map(\.address), [10, 12, 14, 31].map { IPv4Address(192, 0, 2, $0) })
    }

    /// A crash before `.completed` was renamed leaves only a `.completed.tmp`, which is not read.
    func testLeftoverTemporaryFileIsIgnored() throws {
        let (_, path, _, state) = try populated()
        try Self.file([Self.lease(99, mac: 99)]).write(toFile: path + ".completed.tmp", atomically: false, encoding: .utf8)
        XCTAssertEqual(Memfile(path: path).loadOrder, [path + ".2", path + ".1", path])
        XCTAssertEqual(try Self.replay(path), state)
    }

    func testOpenForAppendWritesHeaderOnce() throws {
        let path = try Fixtures.temporaryDirectory("memfile") + "/new.csv"
        let m = Memfile(path: path)
        try m.openForAppend()
        try m.openForAppend()
        XCTAssertEqual(try Self.text(path), LeaseFile4.header + "\n")
        XCTAssertTrue(m.append([]))
        XCTAssertEqual(try Self.text(path), LeaseFile4.header + "\n", "an empty batch writes nothing")
    }
}
