import XCTest
@testable import KakapoCore

/// Behaviours found by the differential test against Kea 2.2 (tests/integration/kea-diff),
/// pinned here at the engine: each test fails if kakapo answers differently from Kea again.
final class KeaParityTests: XCTestCase {
    static func config(_ body: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse(#"{ "Dhcp4": { "valid-lifetime": 3600, "# + body + " } }", file: "p.conf", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root)
    }

    static func request(mac n: UInt8, address: IPv4Address, xid: UInt32 = 2) -> DHCPv4Message {
        EngineHarness.message(.request, mac: EngineHarness.mac(n), xid: xid, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, address.bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, IPv4Address(192, 0, 2, 1).bytes)])
    }

    /// Kea's inAllowedPool: a requested address in a pool the client's classes do not admit is
    /// not offered, and a REQUEST for it is NAKed.
    func testRequestedAddressInAGuardedPoolIsRefused() throws {
        var h = EngineHarness(config: try Self.config("""
            "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [
              { "pool": "192.0.2.10 - 192.0.2.19", "client-class": "KNOWN" },
              { "pool": "192.0.2.100 - 192.0.2.109" } ] } ]
            """))
        let wanted = IPv4Address(192, 0, 2, 15)
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, wanted.bytes)])).replies.first)
        XCTAssertEqual(offer.yiaddr, IPv4Address(192, 0, 2, 100))
        XCTAssertEqual(h.send(Self.request(mac: 1, address: wanted)).replies.first?.messageType, .nak)
    }

    /// A relayed NAK keeps the request's flags: Kea sets the broadcast flag only on a relayed
    /// INFORM without ciaddr.
    func testRelayedNakKeepsTheRequestFlags() throws {
        var c = EngineHarness.config()
        var s2 = Subnet4(id: 2, prefix: IPv4Prefix("198.51.100.0/24")!)
        s2.pools = [Pool4(first: IPv4Address(198, 51, 100, 50), last: IPv4Address(198, 51, 100, 60))]
        c.subnets.append(s2)
        var h = EngineHarness(config: c)
        var req = Self.request(mac: 2, address: IPv4Address(192, 0, 2, 12))
        req.giaddr = IPv4Address(198, 51, 100, 1)
        let nak = try XCTUnwrap(h.send(req).replies.first)
        XCTAssertEqual(nak.messageType, .nak)
        XCTAssertFalse(nak.broadcastFlag)
        var inform = EngineHarness.message(.inform, mac: EngineHarness.mac(3))
        inform.giaddr = IPv4Address(198, 51, 100, 1)
        XCTAssertTrue(try XCTUnwrap(h.send(inform).replies.first).broadcastFlag)
    }

    /// Option 125 asked for in option 55 carries the vendor's options configured with it.
    func testOption125FromTheRequestListCarriesItsVendorOptions() throws {
        var h = EngineHarness(config: try Self.config("""
            "option-data": [ { "name": "vivso-suboptions", "data": "4491" },
                             { "space": "vendor-4491", "name": "tftp-servers", "data": "192.0.2.69" } ],
            "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] } ]
            """))
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(4), options: [
            (DHCPv4Option.dhcpParameterRequestList.code, [125])])).replies.first)
        XCTAssertEqual(offer.options[125], [0, 0, 0x11, 0x8b, 6, 2, 4, 192, 0, 2, 69])
    }

    /// A REQUEST naming an option 54 configured in another subnet, or in a class of the query,
    /// is for this server (Kea's acceptServerId).
    func testServerIdentifierConfiguredElsewhereIsAccepted() throws {
        var h = EngineHarness(config: try Self.config("""
            "client-classes": [ { "name": "c", "test": "option[60].exists",
                                  "option-data": [ { "name": "dhcp-server-identifier", "data": "192.0.2.253" } ] } ],
            "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] },
                         { "id": 2, "subnet": "198.51.100.0/24",
                           "option-data": [ { "name": "dhcp-server-identifier", "data": "198.51.100.254" } ] } ]
            """))
        for (n, sid, extra) in [(UInt8(5), IPv4Address(198, 51, 100, 254), [(UInt8, [UInt8])]()),
                                (6, IPv4Address(192, 0, 2, 253), [(DHCPv4Option.vendorClassIdentifier.code, Array("x".utf8))])] {
            let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(n), options: extra)).replies.first)
            let req = EngineHarness.message(.request, mac: EngineHarness.mac(n), xid: 9, options: extra + [
                (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes), (DHCPv4Option.dhcpServerIdentifier.code, sid.bytes)])
            XCTAssertEqual(h.send(req).replies.first?.messageType, .ack, "\(sid)")
        }
        let foreign = EngineHarness.message(.request, mac: EngineHarness.mac(7), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, IPv4Address(192, 0, 2, 12).bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, IPv4Address(203, 0, 113, 1).bytes)])
        XCTAssertTrue(h.send(foreign).replies.isEmpty)
    }

    /// With lease caching, a DISCOVER for a young lease is offered what is left of it.
    func testDiscoverOffersTheCachedLeaseRemainingLifetime() throws {
        var h = EngineHarness(config: try Self.config("""
            "cache-threshold": 0.25,
            "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] } ]
            """))
        XCTAssertEqual(try XCTUnwrap(h.dora(mac: EngineHarness.mac(8))).messageType, .ack)
        h.advance(seconds: 2)
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(8), xid: 3)).replies.first)
        XCTAssertEqual(offer.options.u32(DHCPv4Option.dhcpLeaseTime), 3598)
    }
}
