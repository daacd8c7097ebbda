import Foundation
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// The `kea-dhcp6-serverid` file: generated and written when absent, read back unchanged on
/// the next start, rewritten when it holds no DUID, never written when `persist` is false.
final class ServerIDFileTests: XCTestCase {
    let eth0 = SystemInterface(name: "eth0", index: 2, macAddress: [2, 0, 0, 0, 0, 9], addresses: [], isUp: true, isLoopback: false)
    let lo = SystemInterface(name: "lo", index: 1, macAddress: [0, 0, 0, 0, 0, 0], addresses: [], isUp: true, isLoopback: true)
    let wall = WallTime(secondsSinceEpoch: 1_767_225_600)

    func testGeneratedWrittenAndStable() throws {
        let path = try Fixtures.temporaryDirectory("serverid") + "/kea-dhcp6-serverid"
        let first = ServerIDFile.establish(ServerIDConfig(), path: path, interfaces: [lo, eth0], wall: wall, random: [1, 2, 3, 4, 5, 6])
        XCTAssertFalse(first.loaded)
        XCTAssertTrue(first.written)
        XCTAssertEqual(Array(first.duid[0..<4]), [0, 1, 0, 1], "DUID-LLT, Ethernet")
        XCTAssertEqual(Array(first.duid[8...]), [2, 0, 0, 0, 0, 9], "the first non-loopback interface's MAC")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), HexText.colonSeparated(first.duid) + "\n")
        // A later start, at another time and with other interfaces, keeps the stored DUID.
        let later = WallTime(secondsSinceEpoch: wall.secondsSinceEpoch + 86400)
        let second = ServerIDFile.establish(ServerIDConfig(), path: path, interfaces: [], wall: later, random: [9, 9, 9, 9, 9, 9])
        XCTAssertEqual(second, ServerIDFile.Outcome(duid: first.duid, loaded: true, written: false, writeFailure: nil))
    }

    func testAFileWithoutADUIDIsReplaced() throws {
        let path = try Fixtures.temporaryDirectory("serverid") + "/kea-dhcp6-serverid"
        try "garbage\n".write(toFile: path, atomically: false, encoding: .utf8)
        let o = ServerIDFile.establish(ServerIDConfig(), path: path, interfaces: [eth0], wall: wall, random: [1, 2, 3, 4, 5, 6])
        XCTAssertFalse(o.loaded)
        XCTAssertTrue(o.written)
        XCTAssertEqual(ServerDUID.parseFile(try String(contentsOfFile: path, encoding: .utf8)), o.duid)
    }

    func testAConfiguredTypeReplacesAStoredDUIDOfAnother() throws {
        let path = try Fixtures.temporaryDirectory("serverid") + "/kea-dhcp6-serverid"
        _ = ServerIDFile.establish(ServerIDConfig(), path: path, interfaces: [eth0], wall: wall, random: [1, 2, 3, 4, 5, 6])
        var c = ServerIDConfig()
        c.type = .en
        c.enterpriseID = 2495
        c.identifier = [1, 2, 3, 4, 5]
        let o = ServerIDFile.establish(c, path: path, interfaces: [eth0], wall: wall, random: [])
        XCTAssertEqual(o.duid, [0, 2, 0, 0, 0x09, 0xBF, 1, 2, 3, 4, 5])
        XCTAssertTrue(o.loaded)
        XCTAssertTrue(o.written)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "00:02:00:00:09:bf:01:02:03:04:05\n")
    }

    func testPersistFalseNeitherReadsNorWrites() throws {
        let path = try Fixtures.temporaryDirectory("serverid") + "/kea-dhcp6-serverid"
        try "00:01:00:01:11:22:33:44:0a:0b:0c:0d:0e:0f\n".write(toFile: path, atomically: false, encoding: .utf8)
        var c = ServerIDConfig()
        c.persist = false
        let o = ServerIDFile.establish(c, path: path, interfaces: [eth0], wall: wall, random: [1, 2, 3, 4, 5, 6])
        XCTAssertFalse(o.loaded)
        XCTAssertFalse(o.written)
        XCTAssertEqual(Array(o.duid[8...]), [2, 0, 0, 0, 0, 9])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "00:01:00:01:11:22:33:44:0a:0b:0c:0d:0e:0f\n", "untouched")
    }

    func testAnUnwritableFileIsReportedAndTheDUIDStillMade() throws {
        let path = try Fixtures.temporaryDirectory("serverid") + "/no/such/dir/kea-dhcp6-serverid"
        let o = ServerIDFile.establish(ServerIDConfig(), path: path, interfaces: [eth0], wall: wall, random: [1, 2, 3, 4, 5, 6])
        XCTAssertFalse(o.written)
        XCTAssertNotNil(o.writeFailure)
        XCTAssertEqual(o.duid.count, 14)
    }

    func testLinkLayerSkipsLoopbackShortAndZeroAddresses() {
        let zero = SystemInterface(name: "dummy0", index: 3, macAddress: [0, 0, 0, 0, 0, 0], addresses: [], isUp: true, isLoopback: false)
        let tun = SystemInterface(name: "tun0", index: 4, macAddress: [], addresses: [], isUp: true, isLoopback: false)
        XCTAssertEqual(ServerIDFile.linkLayer([lo, zero, tun, eth0]), ServerDUID.LinkLayer(htype: 1, address: [2, 0, 0, 0, 0, 9]))
        XCTAssertNil(ServerIDFile.linkLayer([lo, zero, tun]))
    }
}
