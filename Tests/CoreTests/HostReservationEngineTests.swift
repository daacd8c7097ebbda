import XCTest
@testable import KakapoCore

/// The engine finds a client's reservation by each identifier kind, in the order of
/// host-reservation-identifiers, in the subnet or globally, and never gives a reserved address
/// to another client.
final class HostReservationEngineTests: XCTestCase {
    static let relay = IPv4Address(192, 0, 2, 254)

    static func config(_ reservations: [Reservation4], global: [Reservation4] = []) -> Dhcp4Config {
        var c = EngineHarness.config()
        c.subnets[0].reservations = reservations
        c.reservations = global
        return c
    }

    static func reservation(_ id: HostIdentifier, _ last: UInt8, hostname: String? = nil) -> Reservation4 {
        Reservation4(identifier: id, address: IPv4Address(192, 0, 2, last), hostname: hostname)
    }

    /// An RFC 4361 client identifier: type 255, IAID, then the DUID.
    static func rfc4361(iaid: [UInt8] = [0, 0, 0, 1], duid: [UInt8]) -> [UInt8] { [255] + iaid + duid }

    /// Option 82 with a circuit-id (sub-option 1) and a remote-id (sub-option 2).
    static func agentOptions(circuit: [UInt8]) -> [UInt8] { [1, UInt8(circuit.count)] + circuit + [2, 2, 0xaa, 0xbb] }

    /// DISCOVER then REQUEST for the offered address, with the same options (and giaddr);
    /// returns the OFFER and the ACK.
    /// The client asks for option 12 (PRL), so that a reserved hostname is sent and, as in
    /// Kea, recorded in the lease.
    func dora(_ h: inout EngineHarness, mac n: UInt8, options extra: [(UInt8, [UInt8])] = [], giaddr: IPv4Address? = nil,
              file: StaticString = #filePath, line: UInt = #line) throws -> (offer: DHCPv4Message, ack: DHCPv4Message) {
        let options = extra.contains { $0.0 == DHCPv4Option.dhcpParameterRequestList.code } ? extra
            : extra + [(DHCPv4Option.dhcpParameterRequestList.code, [1, 3, 12])]
        var discover = EngineHarness.message(.discover, mac: EngineHarness.mac(n), xid: UInt32(n), options: options)
        if let g = giaddr { discover.giaddr = g }
        let offer = try XCTUnwrap(h.send(discover).replies.first, "no OFFER", file: file, line: line)
        XCTAssertEqual(offer.messageType, .offer, file: file, line: line)
        var request = EngineHarness.message(.request, mac: EngineHarness.mac(n), xid: UInt32(n), options: options + [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        if let g = giaddr { request.giaddr = g }
        let ack = try XCTUnwrap(h.send(request).replies.first, "no ACK", file: file, line: line)
        XCTAssertEqual(ack.messageType, .ack, file: file, line: line)
        return (offer, ack)
    }

    func testClientFoundByDUIDInsideRFC4361ClientID() throws {
        let duid: [UInt8] = [0, 1, 0, 1, 0x2a, 0x2b, 0x2c, 0x2d, 2, 0, 0, 0, 0, 0x33]
        var h = EngineHarness(config: Self.config([Self.reservation(.duid(duid), 200, hostname: "by-duid")]))
        let cid = DHCPv4Option.dhcpClientIdentifier.code
        let (offer, ack) = try dora(&h, mac: 3, options: [(cid, Self.rfc4361(iaid: [0, 0, 0, 9], duid: duid))])
        XCTAssertEqual(offer.yiaddr, IPv4Address(192, 0, 2, 200))
        XCTAssertEqual(ack.yiaddr, IPv4Address(192, 0, 2, 200))
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.hostname, "by-duid")
        // The same DUID outside an RFC 4361 identifier (type 0) is not a DUID.
        let (plain, _) = try dora(&h, mac: 4, options: [(cid, [0] + [0, 0, 0, 9] + duid)])
        XCTAssertNotEqual(plain.yiaddr, IPv4Address(192, 0, 2, 200))
        XCTAssertTrue(EngineHarness.config().subnets[0].pools[0].contains(plain.yiaddr))
    }

    func testRelayedClientFoundByCircuitID() throws {
        var r = Self.reservation(.circuitID(Array("port-7".utf8)), 201)
        r.optionData = [ConfiguredOption(code: 3, payload: [192, 0, 2, 99])]
        var h = EngineHarness(config: Self.config([r]))
        let rai = DHCPv4Option.dhcpAgentOptions.code
        let (offer, ack) = try dora(&h, mac: 5, options: [(rai, Self.agentOptions(circuit: Array("port-7".utf8)))], giaddr: Self.relay)
        XCTAssertEqual(offer.yiaddr, IPv4Address(192, 0, 2, 201))
        XCTAssertEqual(ack.yiaddr, IPv4Address(192, 0, 2, 201))
        XCTAssertEqual(ack.options[DHCPv4Option.routers], [192, 0, 2, 99], "the reservation's options")
        // Another port of the same relay is another client.
        let (other, _) = try dora(&h, mac: 6, options: [(rai, Self.agentOptions(circuit: Array("port-8".utf8)))], giaddr: Self.relay)
        XCTAssertEqual(other.yiaddr, IPv4Address(192, 0, 2, 10))
    }

    func testClientFoundByClientIDAndByHardwareAddress() throws {
        var h = EngineHarness(config: Self.config([
            Self.reservation(.clientID([1, 0xaa, 0xbb]), 202),
            Self.reservation(.hwAddress(HardwareAddress(bytes: EngineHarness.mac(8))), 203),
        ]))
        let (_, byCID) = try dora(&h, mac: 7, options: [(DHCPv4Option.dhcpClientIdentifier.code, [1, 0xaa, 0xbb])])
        XCTAssertEqual(byCID.yiaddr, IPv4Address(192, 0, 2, 202))
        let (_, byMAC) = try dora(&h, mac: 8, options: [(DHCPv4Option.dhcpClientIdentifier.code, [1, 0xcc])])
        XCTAssertEqual(byMAC.yiaddr, IPv4Address(192, 0, 2, 203))
    }

    /// A client that matches two reservations, by hw-address and by client-id, gets the one
    /// whose identifier type comes first in host-reservation-identifiers.
    func testIdentifierOrderDecides() throws {
        let cid: [UInt8] = [1, 0x12, 0x34]
        let both = [Self.reservation(.clientID(cid), 210, hostname: "by-cid"),
                    Self.reservation(.hwAddress(HardwareAddress(bytes: EngineHarness.mac(9))), 211, hostname: "by-mac")]
        let options = [(DHCPv4Option.dhcpClientIdentifier.code, cid)]

        var byDefault = EngineHarness(config: Self.config(both))
        let (_, first) = try dora(&byDefault, mac: 9, options: options)
        XCTAssertEqual(first.yiaddr, IPv4Address(192, 0, 2, 211), "hw-address comes before client-id by default")
        XCTAssertEqual(byDefault.engine.store.lease(at: first.yiaddr)?.hostname, "by-mac")

        var c = Self.config(both)
        c.hostReservationIdentifiers = [.clientID, .hwAddress]
        var reordered = EngineHarness(config: c)
        let (_, second) = try dora(&reordered, mac: 9, options: options)
        XCTAssertEqual(second.yiaddr, IPv4Address(192, 0, 2, 210))
        XCTAssertEqual(reordered.engine.store.lease(at: second.yiaddr)?.hostname, "by-cid")

        // An identifier type left out of the list finds nothing.
        var c2 = Self.config(both)
        c2.hostReservationIdentifiers = [.duid]
        var neither = EngineHarness(config: c2)
        let (_, none) = try dora(&neither, mac: 9, options: options)
        XCTAssertEqual(none.yiaddr, IPv4Address(192, 0, 2, 10))
    }

    func testGlobalReservationsFollowReservationsGlobal() throws {
        var g = Self.reservation(.hwAddress(HardwareAddress(bytes: EngineHarness.mac(11))), 220, hostname: "global-host")
        g.bootFields.bootFileName = "pxelinux.0"
        var off = EngineHarness(config: Self.config([], global: [g]))
        let (_, ignored) = try dora(&off, mac: 11)
        XCTAssertEqual(ignored.yiaddr, IPv4Address(192, 0, 2, 10), "reservations-global is false by default")
        XCTAssertTrue(ignored.file.allSatisfy { $0 == 0 })

        var c = Self.config([], global: [g])
        c.reservationModes.global = true
        var on = EngineHarness(config: c)
        let (_, used) = try dora(&on, mac: 11)
        XCTAssertEqual(used.yiaddr, IPv4Address(192, 0, 2, 220))
        XCTAssertEqual(Array(used.file.prefix(10)), Array("pxelinux.0".utf8))
        XCTAssertEqual(on.engine.store.lease(at: used.yiaddr)?.hostname, "global-host")

        // Switched on for the subnet only.
        var s = Self.config([], global: [g])
        s.subnets[0].reservationModes.global = true
        var subnetOnly = EngineHarness(config: s)
        XCTAssertEqual(try dora(&subnetOnly, mac: 11).ack.yiaddr, IPv4Address(192, 0, 2, 220))
    }

    func testGlobalReservationAddressOutsideTheSubnetIsNotUsed() throws {
        var g = Reservation4(identifier: .hwAddress(HardwareAddress(bytes: EngineHarness.mac(12))), address: IPv4Address(198, 51, 100, 7))
        g.optionData = [ConfiguredOption(code: 3, payload: [192, 0, 2, 77])]
        var c = Self.config([], global: [g])
        c.reservationModes.global = true
        var h = EngineHarness(config: c)
        let (_, ack) = try dora(&h, mac: 12)
        XCTAssertEqual(ack.yiaddr, IPv4Address(192, 0, 2, 10), "a dynamic address instead")
        XCTAssertEqual(ack.options[DHCPv4Option.routers], [192, 0, 2, 77], "the host's options still apply")
    }

    func testSubnetReservationWinsOverGlobalAndInSubnetCanBeOff() throws {
        let mac = HostIdentifier.hwAddress(HardwareAddress(bytes: EngineHarness.mac(13)))
        var c = Self.config([Self.reservation(mac, 230)], global: [Self.reservation(mac, 231)])
        c.reservationModes.global = true
        var both = EngineHarness(config: c)
        XCTAssertEqual(try dora(&both, mac: 13).ack.yiaddr, IPv4Address(192, 0, 2, 230))

        c.reservationModes.inSubnet = false
        var globalOnly = EngineHarness(config: c)
        XCTAssertEqual(try dora(&globalOnly, mac: 13).ack.yiaddr, IPv4Address(192, 0, 2, 231))

        c.reservationModes.global = false
        var none = EngineHarness(config: c)
        XCTAssertEqual(try dora(&none, mac: 13).ack.yiaddr, IPv4Address(192, 0, 2, 10))
    }

    /// Addresses reserved by duid, circuit-id, client-id (in the subnet) and hw-address
    /// (globally) are never given to another client, whether it asks for them or not.
    func testReservedAddressesAreRefusedToOthers() throws {
        var c = Self.config([
            Self.reservation(.duid([0, 3, 0, 1, 2, 0, 0, 0, 0, 1]), 10),
            Self.reservation(.circuitID(Array("port-1".utf8)), 11),
            Self.reservation(.clientID([1, 2, 3]), 12),
        ], global: [Self.reservation(.hwAddress(HardwareAddress(bytes: EngineHarness.mac(40))), 13)])
        c.reservationModes.global = true
        var h = EngineHarness(config: c)
        let (_, first) = try dora(&h, mac: 20)
        XCTAssertEqual(first.yiaddr, IPv4Address(192, 0, 2, 14), ".10 to .13 are reserved for others")
        for last: UInt8 in 10...13 {
            let ask = EngineHarness.message(.discover, mac: EngineHarness.mac(21), xid: 21,
                                            options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, last])])
            XCTAssertNotEqual(h.send(ask).replies.first?.yiaddr, IPv4Address(192, 0, 2, last))
            let take = EngineHarness.message(.request, mac: EngineHarness.mac(22), xid: 22, options: [
                (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, last]), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
            XCTAssertEqual(h.send(take).replies.first?.messageType, .nak, "REQUEST for .\(last)")
        }
        // The owners still get theirs.
        let cid = DHCPv4Option.dhcpClientIdentifier.code
        XCTAssertEqual(try dora(&h, mac: 30, options: [(cid, Self.rfc4361(duid: [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]))]).ack.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(try dora(&h, mac: 31, options: [(DHCPv4Option.dhcpAgentOptions.code, Self.agentOptions(circuit: Array("port-1".utf8)))],
                                giaddr: Self.relay).ack.yiaddr, IPv4Address(192, 0, 2, 11))
        XCTAssertEqual(try dora(&h, mac: 32, options: [(cid, [1, 2, 3])]).ack.yiaddr, IPv4Address(192, 0, 2, 12))
        XCTAssertEqual(try dora(&h, mac: 40).ack.yiaddr, IPv4Address(192, 0, 2, 13))
    }

    /// A client whose own reservation is found by its hardware address (a host name only)
    /// does not get the address reserved for its client id: that belongs to another host entry.
    func testAddressOfAnotherMatchingHostIsNotTaken() throws {
        let cid: [UInt8] = [1, 0x55]
        var h = EngineHarness(config: Self.config([
            Reservation4(identifier: .hwAddress(HardwareAddress(bytes: EngineHarness.mac(50))), hostname: "name-only"),
            Self.reservation(.clientID(cid), 15),
        ]))
        let options = [(DHCPv4Option.dhcpClientIdentifier.code, cid)]
        let take = EngineHarness.message(.request, mac: EngineHarness.mac(50), xid: 50, options: options + [
            (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 15]), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        XCTAssertEqual(h.send(take).replies.first?.messageType, .nak)
        let (_, ack) = try dora(&h, mac: 50, options: options)
        XCTAssertEqual(ack.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.hostname, "name-only")
    }

    /// reservations-out-of-pool: reservations outside the pools work as before.
    func testOutOfPoolReservationsStillServe() throws {
        var c = Self.config([Self.reservation(.clientID([1, 9]), 250)])
        c.reservationModes.outOfPool = true
        var h = EngineHarness(config: c)
        XCTAssertEqual(try dora(&h, mac: 60, options: [(DHCPv4Option.dhcpClientIdentifier.code, [1, 9])]).ack.yiaddr, IPv4Address(192, 0, 2, 250))
        XCTAssertEqual(try dora(&h, mac: 61).ack.yiaddr, IPv4Address(192, 0, 2, 10))
    }
}
