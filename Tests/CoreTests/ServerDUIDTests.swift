import XCTest
@testable import KakapoCore

/// The server DUID as Kea makes it from `server-id` and its `kea-dhcp6-serverid` file.
final class ServerDUIDTests: XCTestCase {
    let mac: [UInt8] = [0x02, 0x42, 0xAC, 0x11, 0x00, 0x02]
    let random: [UInt8] = [0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8]
    /// 2026-01-01T00:00:00Z.
    let wall = WallTime(secondsSinceEpoch: 1_767_225_600)

    func testLLTFromTheInterfaceAndTheClock() {
        let d = ServerDUID.make(ServerIDConfig(), stored: nil, linkLayer: .init(htype: 1, address: mac), wall: wall, random: random)
        let t = UInt32(1_767_225_600 - 946_684_800)
        XCTAssertEqual(d, [0, 1, 0, 1, UInt8(t >> 24), UInt8(t >> 16 & 0xFF), UInt8(t >> 8 & 0xFF), UInt8(t & 0xFF)] + mac)
        XCTAssertEqual(ServerDUID.llTime(WallTime(secondsSinceEpoch: 946_684_800)), 0)
    }

    func testLLTWithoutAnInterfaceUsesARandomEthernetAddress() {
        let d = ServerDUID.make(ServerIDConfig(), stored: nil, linkLayer: nil, wall: wall, random: random)
        XCTAssertEqual(Array(d[0..<4]), [0, 1, 0, 1])
        XCTAssertEqual(Array(d[8...]), Array(random.prefix(6)))
    }

    func testConfiguredValuesWin() {
        var c = ServerIDConfig()
        c.identifier = [1, 2, 3, 4, 5, 6]
        c.time = 0x01020304
        c.htype = 6
        let d = ServerDUID.make(c, stored: nil, linkLayer: .init(htype: 1, address: mac), wall: wall, random: random)
        XCTAssertEqual(d, [0, 1, 0, 6, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6])
    }

    func testENDefaultsToISCAndARandomIdentifier() {
        var c = ServerIDConfig()
        c.type = .en
        XCTAssertEqual(ServerDUID.make(c, stored: nil, linkLayer: nil, wall: wall, random: random),
                       [0, 2, 0, 0, 0x09, 0xBF] + Array(random.prefix(6)))
        c.enterpriseID = 2495
        c.identifier = [1, 2, 3, 4, 5]
        XCTAssertEqual(ServerDUID.make(c, stored: nil, linkLayer: nil, wall: wall, random: random),
                       [0, 2, 0, 0, 0x09, 0xBF, 1, 2, 3, 4, 5])
    }

    func testLL() {
        var c = ServerIDConfig()
        c.type = .ll
        XCTAssertEqual(ServerDUID.make(c, stored: nil, linkLayer: .init(htype: 1, address: mac), wall: wall, random: random),
                       [0, 3, 0, 1] + mac)
    }

    func testAStoredDUIDOfTheConfiguredTypeIsKept() {
        let stored: [UInt8] = [0, 1, 0, 1, 0x11, 0x22, 0x33, 0x44, 9, 9, 9, 9, 9, 9]
        XCTAssertEqual(ServerDUID.make(ServerIDConfig(), stored: stored, linkLayer: .init(htype: 1, address: mac),
                                       wall: wall, random: random), stored)
        // A configured identifier replaces the stored one; the stored time stays.
        var c = ServerIDConfig()
        c.identifier = mac
        XCTAssertEqual(ServerDUID.make(c, stored: stored, linkLayer: nil, wall: wall, random: random),
                       [0, 1, 0, 1, 0x11, 0x22, 0x33, 0x44] + mac)
        // Another type: the stored DUID is not used.
        c = ServerIDConfig()
        c.type = .en
        c.identifier = [7]
        XCTAssertEqual(ServerDUID.make(c, stored: stored, linkLayer: nil, wall: wall, random: random), [0, 2, 0, 0, 0x09, 0xBF, 7])
    }

    func testFileText() {
        let d: [UInt8] = [0, 1, 0, 1, 0x2B, 0x3C, 0x4D, 0x5E, 0x02, 0x42, 0xAC, 0x11, 0, 2]
        XCTAssertEqual(ServerDUID.fileText(d), "00:01:00:01:2b:3c:4d:5e:02:42:ac:11:00:02\n")
        XCTAssertEqual(ServerDUID.parseFile(ServerDUID.fileText(d)), d)
        XCTAssertEqual(ServerDUID.parseFile("  000100012b3c4d5e0242ac110002 \n"), d)
        XCTAssertNil(ServerDUID.parseFile(""))
        XCTAssertNil(ServerDUID.parseFile("not a duid"))
        XCTAssertNil(ServerDUID.parseFile("00:01"))
    }
}
