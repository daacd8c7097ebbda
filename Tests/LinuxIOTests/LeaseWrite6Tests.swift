import Foundation
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// lease6-write's file side: the leases land in a leases6 memfile-format file that reads back
/// as the same leases, the lease file in use is refused, a failed write is result 1, and the
/// command is kakapo-dhcp6's (lease4-write is not).
final class LeaseWrite6Tests: XCTestCase {
    private let leases = [Memfile6Tests.lease(1, hostname: "a,b.example.org"), Memfile6Tests.lease(0x100, type: .delegatedPrefix)]

    func testWritesTheLeasesInTheLeases6Format() throws {
        let dir = try Fixtures.temporaryDirectory("lease6-write")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let target = dir + "/copy6.csv"
        try "stale,content\n".write(toFile: target, atomically: false, encoding: .utf8)
        let answer = Dhcp6Server.writeLeases(LeaseWriteRequest(filename: target), leases, leaseFile: dir + "/leases6.csv")
        XCTAssertEqual(answer["result"]?.intValue, 0, "\(answer)")
        XCTAssertEqual(answer["text"]?.stringValue, "IPv6 lease database into '\(target)'.")
        XCTAssertEqual(try Memfile6Tests.replay(target), leases)
        let text = try String(contentsOfFile: target, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(LeaseFile6.text(of: []).split(separator: "\n")[0] + "\n"), "the old content is gone")
    }

    func testRefusesTheLeaseFileInUseAndReportsAFailedWrite() throws {
        let dir = try Fixtures.temporaryDirectory("lease6-write-in-use")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let leaseFile = dir + "/leases6.csv"
        try "original\n".write(toFile: leaseFile, atomically: false, encoding: .utf8)
        let refused = Dhcp6Server.writeLeases(LeaseWriteRequest(filename: dir + "/./leases6.csv"), leases, leaseFile: leaseFile)
        XCTAssertEqual(refused["result"]?.intValue, 1)
        XCTAssertEqual(try String(contentsOfFile: leaseFile, encoding: .utf8), "original\n")
        let target = dir + "/no-such-dir/copy.csv"
        let failed = Dhcp6Server.writeLeases(LeaseWriteRequest(filename: target), leases, leaseFile: nil)
        XCTAssertEqual(failed["result"]?.intValue, 1)
        XCTAssertTrue(failed["text"]?.stringValue?.hasPrefix("Unable to write file \(target): ") ?? false, "\(failed)")
    }

    func testTheCommandTablesSplitTheWriteCommandsByFamily() {
        let v6 = Dhcp6Server.commands
        XCTAssertEqual(v6.entry(named: "lease6-write")?.owner, .daemon)
        XCTAssertNil(v6.entry(named: "lease4-write"))
        XCTAssertEqual(v6.entry(named: "lease6-get-page")?.owner, .engine)
        XCTAssertEqual(v6.entry(named: "statistic-get-all")?.owner, .engine)
        XCTAssertNil(DaemonCommand.table.entry(named: "lease6-write"), "kakapo-dhcp4 does not list lease6-write")
        XCTAssertNotNil(DaemonCommand.table.entry(named: "lease4-write"))
    }
}
