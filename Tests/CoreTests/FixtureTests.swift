import Foundation
import XCTest
@testable import KakapoCore

/// Real packets captured from ISC dhclient, busybox udhcpc, dhcpcd and Kea 2.2 (see each
/// folder's PROVENANCE.md) decode to what an independent decoder (tests/tools/expected-decode.py)
/// wrote beside them, survive a re-encode, and client DISCOVERs get an OFFER from the engine.
final class FixtureTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/packets")

    func fixtures() throws -> [(name: String, bytes: [UInt8], expected: [String: Any])] {
        var out: [(String, [UInt8], [String: Any])] = []
        let fm = FileManager.default
        for client in try fm.contentsOfDirectory(atPath: Self.root.path).sorted() {
            let dir = Self.root.appendingPathComponent(client)
            guard let files = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
            for f in files.sorted() where f.hasSuffix(".bin") {
                let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(f)))
                let json = dir.appendingPathComponent(String(f.dropLast(4)) + ".json")
                let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as! [String: Any]
                out.append(("\(client)/\(f)", bytes, expected))
            }
        }
        return out
    }

    func testCapturedPacketsDecodeAsTheIndependentDecoderSays() throws {
        let all = try fixtures()
        XCTAssertGreaterThanOrEqual(all.count, 11, "dhclient, udhcpc, dhcpcd and Kea captures are committed")
        for (name, bytes, exp) in all {
            let m = try DHCPv4Message.decode(bytes).get()
            XCTAssertEqual(Int(m.op), exp["op"] as? Int, name)
            XCTAssertEqual(Int(m.xid), exp["xid"] as? Int, name)
            XCTAssertEqual(Int(m.flags), exp["flags"] as? Int, name)
            XCTAssertEqual(m.ciaddr.description, exp["ciaddr"] as? String, name)
            XCTAssertEqual(m.yiaddr.description, exp["yiaddr"] as? String, name)
            XCTAssertEqual(m.giaddr.description, exp["giaddr"] as? String, name)
            XCTAssertEqual(m.hardwareAddress.description, exp["chaddr"] as? String, name)
            XCTAssertEqual(Int(m.messageType?.rawValue ?? 0), exp["message_type"] as? Int, name)
            let options = exp["options"] as! [String: String]
            XCTAssertEqual(m.options.count, options.count, name)
            for (code, hex) in options {
                XCTAssertEqual(m.options[UInt8(code)!].map { HexText.plain($0) }, hex, "\(name) option \(code)")
            }
            let again = try DHCPv4Message.decode(m.encode(maxSize: 1500)).get()
            XCTAssertEqual(again, m, "\(name) survives a re-encode")
        }
    }

    func testFileNamesMatchMessageTypes() throws {
        let types: [String: DHCPv4MessageType] = ["discover": .discover, "request": .request, "renew-request": .request,
                                                  "release": .release, "offer": .offer, "ack": .ack]
        for (name, bytes, _) in try fixtures() {
            let base = String(name.split(separator: "/").last!.dropLast(4))
            let key = types.keys.first { base == $0 || base.hasSuffix("-" + $0) }
            XCTAssertEqual(try DHCPv4Message.decode(bytes).get().messageType, key.flatMap { types[$0] }, name)
        }
    }

    func testEngineOffersToEveryCapturedDiscover() throws {
        for (name, bytes, _) in try fixtures() where name.hasSuffix("/discover.bin") {
            var h = EngineHarness()
            let d = InboundDatagram(bytes: bytes, interface: h.iface, source: .zero, sourcePort: 68, destination: .broadcast)
            let e = h.engine.handle(datagram: d, now: h.now)
            let offer = try XCTUnwrap(e.datagrams.first, name)
            let m = try DHCPv4Message.decode(offer.bytes).get()
            XCTAssertEqual(m.messageType, .offer, name)
            XCTAssertEqual(m.yiaddr, IPv4Address(192, 0, 2, 10), name)
            // Each client asked for routers, DNS and domain name in option 55.
            XCTAssertNotNil(m.options[DHCPv4Option.routers], name)
        }
    }
}

/// Differential test against Kea 2.2: the DISCOVERs captured from each client, answered by
/// the engine configured as Kea was for the capture, give OFFERs with the same options and
/// values as Kea's captured OFFERs (Tests/Fixtures/packets/kea-2.2/).
final class KeaDifferentialTests: XCTestCase {
    /// The capture's config: 192.0.2.0/24, pool .100-.199, renew 3, rebind 5, valid 30,
    /// routers 192.0.2.1, DNS 192.0.2.53 and .54, domain kakapo.example.
    static func captureConfig() -> Dhcp4Config {
        var c = Dhcp4Config()
        c.timers.validLifetimeSeconds = 30
        c.timers.renewTimerSeconds = 3
        c.timers.rebindTimerSeconds = 5
        var s = Subnet4(id: 1, prefix: IPv4Prefix("192.0.2.0/24")!)
        s.pools = [Pool4(first: IPv4Address(192, 0, 2, 100), last: IPv4Address(192, 0, 2, 199))]
        s.optionData = [ConfiguredOption(code: 3, payload: [192, 0, 2, 1]),
                        ConfiguredOption(code: 6, payload: [192, 0, 2, 53, 192, 0, 2, 54]),
                        ConfiguredOption(code: 15, payload: Array("kakapo.example".utf8))]
        c.subnets = [s]
        return c
    }

    func testOffersMatchKeas() throws {
        let root = FixtureTests.root
        for client in ["dhclient", "udhcpc", "dhcpcd"] {
            let discover = [UInt8](try Data(contentsOf: root.appendingPathComponent("\(client)/discover.bin")))
            let keaOffer = try DHCPv4Message.decode([UInt8](try Data(contentsOf: root.appendingPathComponent("kea-2.2/\(client)-offer.bin")))).get()
            var h = EngineHarness(config: Self.captureConfig())
            let d = InboundDatagram(bytes: discover, interface: h.iface, source: .zero, sourcePort: 68, destination: .broadcast)
            let e = h.engine.handle(datagram: d, now: h.now)
            let ours = try DHCPv4Message.decode(try XCTUnwrap(e.datagrams.first, client).bytes).get()
            XCTAssertEqual(Set(ours.options.entries.map(\.code)), Set(keaOffer.options.entries.map(\.code)), "\(client): option set")
            for entry in keaOffer.options.entries {
                XCTAssertEqual(ours.options[entry.code], entry.data, "\(client): option \(entry.code)")
            }
            XCTAssertEqual(ours.flags, keaOffer.flags, client)
            XCTAssertEqual(ours.giaddr, keaOffer.giaddr, client)
            XCTAssertEqual(ours.xid, keaOffer.xid, client)
            XCTAssertEqual(ours.chaddr, keaOffer.chaddr, client)
            XCTAssertTrue((100...199).contains(Int(ours.yiaddr.value & 0xFF)), client)
        }
    }

    /// The captured REQUESTs (selecting Kea's offer) get the same ACK as Kea sent.
    func testAcksMatchKeas() throws {
        let root = FixtureTests.root
        for client in ["dhclient", "udhcpc", "dhcpcd"] {
            let request = [UInt8](try Data(contentsOf: root.appendingPathComponent("\(client)/request.bin")))
            let keaAck = try DHCPv4Message.decode([UInt8](try Data(contentsOf: root.appendingPathComponent("kea-2.2/\(client)-ack.bin")))).get()
            var h = EngineHarness(config: Self.captureConfig())
            let d = InboundDatagram(bytes: request, interface: h.iface, source: .zero, sourcePort: 68, destination: .broadcast)
            let e = h.engine.handle(datagram: d, now: h.now)
            let ours = try DHCPv4Message.decode(try XCTUnwrap(e.datagrams.first, client).bytes).get()
            XCTAssertEqual(ours.messageType, .ack, client)
            XCTAssertEqual(ours.yiaddr, keaAck.yiaddr, "\(client): the requested address")
            XCTAssertEqual(Set(ours.options.entries.map(\.code)), Set(keaAck.options.entries.map(\.code)), "\(client): option set")
            for entry in keaAck.options.entries {
                XCTAssertEqual(ours.options[entry.code], entry.data, "\(client): option \(entry.code)")
            }
            XCTAssertEqual(ours.ciaddr, keaAck.ciaddr, client)
            XCTAssertEqual(e.leaseChanges.count, 1, "\(client): the lease is written with the ACK")
        }
    }
}
