import Foundation
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// kakapo-lfc's command line and file protocol (the comparison with kea-lfc itself is in
/// tests/integration/test_kakapo_lfc.sh), and the daemons' in-process cleanup writing the
/// same bytes as the tool for the same files.
final class LeaseFileCleanupRunTests: XCTestCase {
    static let all = ["-4", "-p", "P", "-x", "X", "-i", "I", "-o", "O", "-f", "F", "-c", "C"]

    func testCommandLineAsKeaLfcReadsIt() {
        guard case .run(let o) = LFCOptions.parse(Self.all) else { return XCTFail("not accepted") }
        XCTAssertEqual([o.pidFile, o.previousFile, o.copyFile, o.outputFile, o.finishFile, o.configFile], ["P", "X", "I", "O", "F", "C"])
        XCTAssertEqual(o.family, 4)
        XCTAssertFalse(o.debug)
        // getopt: grouped flags, attached arguments, the last -4/-6 wins.
        guard case .run(let g) = LFCOptions.parse(["-4d6", "-pP", "-xX", "-iI", "-oO", "-fF", "-cC"]) else { return XCTFail("grouped") }
        XCTAssertEqual(g.family, 6)
        XCTAssertTrue(g.debug)
        XCTAssertEqual(g.pidFile, "P")
        // An option's argument is the next word even when it starts with '-'.
        guard case .run(let dash) = LFCOptions.parse(Self.all.map { $0 == "P" ? "-6" : $0 }) else { return XCTFail("dash") }
        XCTAssertEqual(dash.pidFile, "-6")
        XCTAssertEqual(dash.family, 4)

        XCTAssertEqual(LFCOptions.parse([]), .usageError("DHCP version required"))
        XCTAssertEqual(LFCOptions.parse(["-4"]), .usageError("PID file not specified"))
        XCTAssertEqual(LFCOptions.parse(Array(Self.all.dropLast(2))), .usageError("Config file not specified"))
        XCTAssertEqual(LFCOptions.parse(["-4", "-x", "X"]), .usageError("PID file not specified"))
        XCTAssertEqual(LFCOptions.parse(["-4", "-p"]), .usageError("Missing option argument"))
        XCTAssertEqual(LFCOptions.parse(["-4", "-z"]), .usageError("Unknown argument"))
        XCTAssertEqual(LFCOptions.parse(["stray"] + Self.all), .usageError("Extraneous parameters."))
        XCTAssertEqual(LFCOptions.parse(Self.all + ["--", "more"]), .usageError("Extraneous parameters."))
        XCTAssertEqual(LFCOptions.parse(["stray", "-v"]), .version)
        XCTAssertEqual(LFCOptions.parse(["-z", "-v"]), .usageError("Unknown argument"))
        XCTAssertEqual(LFCOptions.parse(["-V"]), .extendedVersion)
        XCTAssertEqual(LFCOptions.parse(["-W"]), .configReport)
        XCTAssertEqual(LFCOptions.parse(["-h"]), .help)
    }

    /// A directory holding the files of one cleanup, the options naming them.
    func setUp(previous: String?, copy: String?) throws -> (String, LFCOptions) {
        let dir = try temporaryDirectory("lfc")
        if let p = previous { try p.write(toFile: dir + "/L.2", atomically: false, encoding: .utf8) }
        if let c = copy { try c.write(toFile: dir + "/L.1", atomically: false, encoding: .utf8) }
        var o = LFCOptions()
        o.family = 4
        o.debug = true
        o.pidFile = dir + "/lfc.pid"
        o.previousFile = dir + "/L.2"
        o.copyFile = dir + "/L.1"
        o.outputFile = dir + "/L.output"
        o.finishFile = dir + "/L.completed"
        o.configFile = "/dev/null"
        return (dir, o)
    }

    /// A temporary directory removed when the test ends.
    func temporaryDirectory(_ label: String) throws -> String {
        let dir = try Fixtures.temporaryDirectory(label)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    static func files(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func testMergeThenRotate() throws {
        let previous = MemfileTests.file([MemfileTests.lease(20, mac: 20), MemfileTests.lease(21, mac: 21)])
        let copy = MemfileTests.file([MemfileTests.lease(21, mac: 21, expire: 1_800_009_999)])
            + LeaseFile4.deletionRow(MemfileTests.lease(20, mac: 20)) + "\n" + "bad,row\n"
        let (dir, o) = try setUp(previous: previous, copy: copy)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 0)
        XCTAssertEqual(try Self.files(dir), ["L.2"], "copy removed, finish moved to previous, PID file removed")
        let expected = try LeaseFileCleanup.merge4([.init(name: "", text: previous), .init(name: "", text: copy)]).get().text
        XCTAssertEqual(try MemfileTests.text(dir + "/L.2"), expected)
        XCTAssertEqual(expected, MemfileTests.file([MemfileTests.lease(21, mac: 21, expire: 1_800_009_999)]))
    }

    /// An interrupted run left the finish file: it becomes the previous file, nothing merged.
    func testFinishFileLeftOverIsRotatedWithoutMerging() throws {
        let (dir, o) = try setUp(previous: MemfileTests.file([MemfileTests.lease(1, mac: 1)]),
                                 copy: MemfileTests.file([MemfileTests.lease(2, mac: 2)]))
        let finished = MemfileTests.file([MemfileTests.lease(3, mac: 3)])
        try finished.write(toFile: o.finishFile, atomically: false, encoding: .utf8)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 0)
        XCTAssertEqual(try Self.files(dir), ["L.2"])
        XCTAssertEqual(try MemfileTests.text(dir + "/L.2"), finished)
    }

    /// A failed merge (here a copy without a header) touches no input and rotates nothing.
    func testFailedMergeLeavesInputs() throws {
        let copy = LeaseFile4.row(MemfileTests.lease(2, mac: 2)) + "\n"
        let (dir, o) = try setUp(previous: MemfileTests.file([MemfileTests.lease(1, mac: 1)]), copy: copy)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 0)
        XCTAssertEqual(try Self.files(dir), ["L.1", "L.2"])
        XCTAssertEqual(try MemfileTests.text(dir + "/L.1"), copy)
    }

    func testLivePidRefusesAndStalePidDoesNot() throws {
        let (dir, o) = try setUp(previous: nil, copy: MemfileTests.file([MemfileTests.lease(2, mac: 2)]))
        // Our parent is alive: the run must refuse and leave everything as it was.
        try "\(getppid())\n".write(toFile: o.pidFile, atomically: false, encoding: .utf8)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 0)
        XCTAssertEqual(try Self.files(dir), ["L.1", "lfc.pid"])
        XCTAssertEqual(try MemfileTests.text(o.pidFile), "\(getppid())\n")
        // No process has PID 2^22 + 1 (above Linux's pid_max limit): stale, the run goes ahead.
        try "4194305\n".write(toFile: o.pidFile, atomically: false, encoding: .utf8)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 0)
        XCTAssertEqual(try Self.files(dir), ["L.2"])
        // A PID file that holds no number: "Service failed", exit 1, nothing touched.
        try "garbage\n".write(toFile: o.pidFile, atomically: false, encoding: .utf8)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 1)
        XCTAssertEqual(try Self.files(dir), ["L.2", "lfc.pid"])
    }

    /// The daemons' cleanup (a snapshot of the store that loaded `.2` and `.1`) writes the
    /// same bytes as kakapo-lfc merging the same two files.
    func testDaemonSnapshotEqualsToolOutput() throws {
        let dir4 = try temporaryDirectory("lfc4")
        let path = dir4 + "/leases4.csv"
        let previous = MemfileTests.file([MemfileTests.lease(30, mac: 30), MemfileTests.lease(31, mac: 31, hostname: "a,b")])
        let copy = MemfileTests.file([MemfileTests.lease(31, mac: 31, expire: 1_800_007_200), MemfileTests.lease(5, mac: 5)])
            + LeaseFile4.deletionRow(MemfileTests.lease(30, mac: 30)) + "\n"
        try previous.write(toFile: path + ".2", atomically: false, encoding: .utf8)
        try copy.write(toFile: path + ".1", atomically: false, encoding: .utf8)
        var store = MemoryLeaseStore4()
        _ = try Memfile(path: path).load(into: &store)
        try Memfile(path: path).cleanup(leases: store.all())
        let (_, o) = try setUp(previous: previous, copy: copy)
        XCTAssertEqual(LeaseFileCleanupRun(options: o).run(), 0)
        let tool = try MemfileTests.text(o.previousFile)
        XCTAssertEqual(try MemfileTests.text(path + ".completed"), tool)
        XCTAssertEqual(tool, MemfileTests.file([MemfileTests.lease(5, mac: 5), MemfileTests.lease(31, mac: 31, expire: 1_800_007_200)]))

        // The same for leases6.
        let dir6 = try temporaryDirectory("lfc6")
        let path6 = dir6 + "/leases6.csv"
        let duid: [UInt8] = [0, 3, 0, 1, 2, 0, 0, 0, 0, 9]
        func l6(_ n: UInt16, _ expire: Int64, type: LeaseType6 = .nonTemporaryAddress) -> Lease6 {
            Lease6(type: type, address: IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(n)), prefixLength: type == .delegatedPrefix ? 64 : 128,
                   duid: duid, iaid: UInt32(n), preferredLifetimeSeconds: 3000, validLifetimeSeconds: 4000,
                   expire: WallTime(secondsSinceEpoch: expire), subnetID: 1)
        }
        let p6 = LeaseFile6.text(of: [l6(1, 1_800_000_001), l6(2, 1_800_000_002)])
        let c6 = LeaseFile6.text(of: [l6(2, 1_800_009_002)]) + LeaseFile6.deletionRow(l6(1, 0)) + "\n"
            + LeaseFile6.row(l6(3, 1_800_000_003)) + "\n"
        try p6.write(toFile: path6 + ".2", atomically: false, encoding: .utf8)
        try c6.write(toFile: path6 + ".1", atomically: false, encoding: .utf8)
        var store6 = MemoryLeaseStore6()
        _ = try Memfile6(path: path6).load(into: &store6)
        try Memfile6(path: path6).cleanup(leases: store6.all())
        var (_, o6) = try setUp(previous: nil, copy: nil)
        o6.family = 6
        try p6.write(toFile: o6.previousFile, atomically: false, encoding: .utf8)
        try c6.write(toFile: o6.copyFile, atomically: false, encoding: .utf8)
        XCTAssertEqual(LeaseFileCleanupRun(options: o6).run(), 0)
        let tool6 = try MemfileTests.text(o6.previousFile)
        XCTAssertEqual(try MemfileTests.text(path6 + ".completed"), tool6)
        XCTAssertEqual(tool6.split(separator: "\n").count, 3, "header, ::2 renewed, ::3")
    }
}
