import XCTest
@testable import KakapoCore

/// libdhcp_bootp.so built in: BOOTP requests (no option 53) are served only when the library
/// is named, as DHCPREQUESTs of class BOOTP, with infinite leases and BOOTREPLYs stripped of
/// DHCP-only options.
final class BootpTests: XCTestCase {
    static func bootpRequest(mac: [UInt8], xid: UInt32 = 0x42) -> DHCPv4Message {
        var m = DHCPv4Message()
        m.xid = xid
        m.chaddr = mac + Array(repeating: 0, count: 16 - mac.count)
        // RFC 1497 vendor extensions: a subnet-mask request, no message type.
        m.options[DHCPv4Option.hostName] = Array("bootp-host".utf8)
        return m
    }

    static func config(bootp: Bool) -> Dhcp4Config {
        var c = EngineHarness.config()
        c.builtInHooks.bootp = bootp
        return c
    }

    func testWithoutTheLibraryABootpRequestIsDropped() {
        var h = EngineHarness(config: Self.config(bootp: false))
        let (replies, effects) = h.send(Self.bootpRequest(mac: EngineHarness.mac(1)))
        XCTAssertTrue(replies.isEmpty)
        XCTAssertTrue(effects.leaseChanges.isEmpty)
        XCTAssertTrue(effects.events.contains { if case .dropped(_, .noMessageType) = $0 { true } else { false } })
        XCTAssertEqual(h.engine.stats.value(.pktRequestReceived), 0)
    }

    func testBootpRequestGetsAnInfiniteLeaseAndABootReply() throws {
        var h = EngineHarness(config: Self.config(bootp: true))
        let (replies, effects) = h.send(Self.bootpRequest(mac: EngineHarness.mac(1)))
        let reply = try XCTUnwrap(replies.first)
        XCTAssertEqual(reply.op, DHCPv4Message.bootReply)
        XCTAssertEqual(reply.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertNil(reply.messageType)
        for code in Dhcp4Engine<MemoryLeaseStore4>.dhcpOnlyOptions {
            XCTAssertFalse(reply.options.contains(code), "option \(code) must not be in a BOOTREPLY")
        }
        // Configuration options stay (mask, routers, DNS are sent whenever configured).
        XCTAssertEqual(reply.options[DHCPv4Option.subnetMask], [255, 255, 255, 0])
        XCTAssertEqual(reply.options[DHCPv4Option.routers], [192, 0, 2, 1])
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(effects.datagrams.first).bytes.count, 300)

        let lease = try XCTUnwrap(h.engine.store.lease(at: IPv4Address(192, 0, 2, 10)))
        XCTAssertEqual(lease.validLifetimeSeconds, 0xffff_ffff)
        XCTAssertEqual(lease.hardwareAddress, HardwareAddress(bytes: EngineHarness.mac(1)))
        XCTAssertEqual(h.engine.stats.value(.pktRequestReceived), 1)
        XCTAssertEqual(h.engine.stats.value(.pktAckSent), 0, "a BOOTREPLY is no DHCPACK")
        XCTAssertEqual(h.engine.stats.value(.pktSent), 1)
        XCTAssertTrue(effects.events.contains(.bootp(client: ClientLabel(Self.bootpRequest(mac: EngineHarness.mac(1))), .query)))
        XCTAssertTrue(effects.events.contains { if case .bootp(_, .pack) = $0 { true } else { false } })
        XCTAssertTrue(effects.events.contains { if case .allocated(_, _, 0xffff_ffff) = $0 { true } else { false } })

        // Still held long after a DHCP lease would have gone.
        h.advance(seconds: 86_400 * 365)
        XCTAssertFalse(lease.isExpired(at: h.now.wall))
    }

    func testDhcpClientsAreNotInClassBootp() throws {
        var c = Self.config(bootp: true)
        // Pool .10-.14 for BOOTP clients only, .15-.19 for everyone.
        var bootpPool = Pool4(first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 14))
        bootpPool.clientClass = "BOOTP"
        c.subnets[0].pools = [bootpPool, Pool4(first: IPv4Address(192, 0, 2, 15), last: IPv4Address(192, 0, 2, 19))]
        var h = EngineHarness(config: c)
        let boot = try XCTUnwrap(h.send(Self.bootpRequest(mac: EngineHarness.mac(1))).replies.first)
        XCTAssertEqual(boot.yiaddr, IPv4Address(192, 0, 2, 10))
        // The walk goes on from .11, but a DHCP client may not use the BOOTP pool.
        let dhcp = try XCTUnwrap(h.dora(mac: EngineHarness.mac(2)))
        XCTAssertEqual(dhcp.yiaddr, IPv4Address(192, 0, 2, 15))
        XCTAssertEqual(dhcp.messageType, .ack)
        XCTAssertEqual(dhcp.options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
    }

    func testRepeatedBootpRequestKeepsTheAddressWithoutRewriting() throws {
        var h = EngineHarness(config: Self.config(bootp: true))
        _ = h.send(Self.bootpRequest(mac: EngineHarness.mac(1)))
        h.advance(seconds: 60)
        let (replies, effects) = h.send(Self.bootpRequest(mac: EngineHarness.mac(1), xid: 0x43))
        XCTAssertEqual(replies.first?.yiaddr, IPv4Address(192, 0, 2, 10))
        // An infinite lease renewed as infinite is reused, as Kea does.
        XCTAssertTrue(effects.leaseChanges.isEmpty)
        XCTAssertEqual(h.engine.stats.value(.leaseReuses), 1)
    }

    func testConfigNamingTheLibrarySwitchesItOnWithoutWarning() throws {
        let text = """
        { "Dhcp4": { "hooks-libraries": [ { "library": "/usr/lib/kea/hooks/libdhcp_bootp.so" } ],
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ] } }
        """
        let c = try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(text, file: "b.conf", include: { _ in "" }))
        XCTAssertTrue(c.builtInHooks.bootp)
        XCTAssertFalse(c.warnings.contains { $0.key?.hasPrefix("Dhcp4/hooks-libraries") ?? false })
        let off = try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(#"{ "Dhcp4": { } }"#, file: "b.conf", include: { _ in "" }))
        XCTAssertFalse(off.builtInHooks.bootp)
    }
}
