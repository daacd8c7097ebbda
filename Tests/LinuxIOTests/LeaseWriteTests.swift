import Foundation
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// lease4-write's file side: the leases land in a memfile-format file that reads back as the
/// same leases, an existing file is replaced whole, the lease file in use is refused under any
/// of its names, and a write that fails is result 1.
final class LeaseWriteTests: XCTestCase {
    private let leases = [MemfileTests.lease(30, mac: 30, hostname: "a,b.example.org"), MemfileTests.lease(31, mac: 31)]

    func testWritesTheLeasesInTheMemfileFormat() throws {
        let dir = try Fixtures.temporaryDirectory("lease4-write")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/copy.csv"
        try "stale,content\n".write(toFile: target, atomically: false, encoding: .utf8)
        let answer = Dhcp4Server.writeLeases(LeaseWriteRequest(filename: target), leases, leaseFile: dir + "/leases4.csv")
        XCTAssertEqual(answer["result"]?.intValue, 0, "\(answer)")
        XCTAssertEqual(answer["text"]?.stringValue, "IPv4 lease database into '\(target)'.")
        XCTAssertEqual(try MemfileTests.replay(target), leases)
        XCTAssertTrue(try MemfileTests.text(target).hasPrefix(LeaseFile4.header + "\n"), "the old content is gone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target + ".tmp"), "the temporary file was renamed")
    }

    func testRefusesTheLeaseFileInUse() throws {
        let dir = try Fixtures.temporaryDirectory("lease4-write-in-use")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let leaseFile = dir + "/leases4.csv"
        let original = MemfileTests.file([leases[0]])
        try original.write(toFile: leaseFile, atomically: false, encoding: .utf8)
        for name in [leaseFile, dir + "/./leases4.csv"] {
            let answer = Dhcp4Server.writeLeases(LeaseWriteRequest(filename: name), leases, leaseFile: leaseFile)
            XCTAssertEqual(answer["result"]?.intValue, 1, name)
            XCTAssertEqual(answer["text"]?.stringValue,
                           "'filename' parameter must not name the lease file in use (\(leaseFile)); write to another file")
        }
        XCTAssertEqual(try MemfileTests.text(leaseFile), original, "the lease file is untouched")
    }

    func testAFailedWriteIsAnError() throws {
        let dir = try Fixtures.temporaryDirectory("lease4-write-fail")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/no-such-dir/copy.csv"
        let answer = Dhcp4Server.writeLeases(LeaseWriteRequest(filename: target), leases, leaseFile: nil)
        XCTAssertEqual(answer["result"]?.intValue, 1)
        XCTAssertTrue(answer["text"]?.stringValue?.hasPrefix("Unable to write file \(target): ") ?? false, "\(answer)")
    }
}
