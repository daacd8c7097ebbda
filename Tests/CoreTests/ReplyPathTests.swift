@testable import KakapoCore
import XCTest

/// Reply paths as Kea sends them: a request read from a raw socket (it carries its frame's
/// link-layer source) is answered at layer 2 to that source, whatever the IP destination — a
/// relay's giaddr on port 67, a client's ciaddr on port 68 — so no ARP is needed. A request
/// read from the UDP socket is answered by ordinary IP unicast.
final class ReplyPathTests: XCTestCase {
    static let relayMAC: [UInt8] = [0x02, 0xAA, 0, 0, 0, 0x01]
    static let iface = InterfaceInfo(name: "eth0", index: 2, addresses: [InterfaceAddress(address: IPv4Address(192, 0, 2, 1), prefixLength: 24)])

    func datagram(_ m: DHCPv4Message, source: IPv4Address, destination: IPv4Address, linkLayer: [UInt8]?) -> InboundDatagram {
        var d = InboundDatagram(bytes: m.encode(), interface: Self.iface, source: source,
                                sourcePort: m.giaddr.isZero ? 68 : 67, destination: destination)
        d.linkLayerSource = linkLayer
        return d
    }

    func relayConfig() -> Dhcp4Config {
        var c = EngineHarness.config()
        var s2 = Subnet4(id: 2, prefix: IPv4Prefix("198.51.100.0/24")!)
        s2.pools = [Pool4(first: IPv4Address(198, 51, 100, 50), last: IPv4Address(198, 51, 100, 60))]
        c.subnets.append(s2)
        return c
    }

    func testRelayedRequestFromRawSocketIsAnsweredAtLayer2ToTheRelay() throws {
        var h = EngineHarness(config: relayConfig())
        let relay = IPv4Address(198, 51, 100, 1)
        var req = EngineHarness.message(.request, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, IPv4Address(198, 51, 100, 50).bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        req.giaddr = relay
        let e = h.engine.handle(datagram: datagram(req, source: relay, destination: IPv4Address(192, 0, 2, 1), linkLayer: Self.relayMAC), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        XCTAssertEqual(out.delivery, .linkLayerUnicast(hardwareAddress: Self.relayMAC))
        XCTAssertEqual(out.destination, .v4(relay))
        XCTAssertEqual(out.destinationPort, 67)
        XCTAssertEqual(try DHCPv4Message.decode(out.bytes).get().messageType, .ack)
    }

    func testRelayedRequestFromUDPSocketIsPlainUnicast() throws {
        var h = EngineHarness(config: relayConfig())
        var d = EngineHarness.message(.discover, mac: EngineHarness.mac(1))
        d.giaddr = IPv4Address(198, 51, 100, 1)
        let e = h.engine.handle(datagram: datagram(d, source: d.giaddr, destination: IPv4Address(192, 0, 2, 1), linkLayer: nil), now: h.now)
        XCTAssertEqual(e.datagrams.first?.delivery, .unicast)
    }

    /// An INFORM from a client that has an address: the ACK goes to its ciaddr, port 68, at
    /// layer 2 to the frame's source.
    func testInformFromRawSocketIsAnsweredToCiaddrAtLayer2() throws {
        var h = EngineHarness()
        let clientMAC = EngineHarness.mac(7)
        var inform = EngineHarness.message(.inform, mac: clientMAC)
        inform.ciaddr = IPv4Address(192, 0, 2, 77)
        let e = h.engine.handle(datagram: datagram(inform, source: inform.ciaddr, destination: IPv4Address(192, 0, 2, 1), linkLayer: clientMAC), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        XCTAssertEqual(out.delivery, .linkLayerUnicast(hardwareAddress: clientMAC))
        XCTAssertEqual(out.destination, .v4(inform.ciaddr))
        XCTAssertEqual(out.destinationPort, 68)
    }

    /// A DISCOVER that carries a ciaddr is answered to that ciaddr, the same way.
    func testDiscoverWithCiaddrFromRawSocket() throws {
        var h = EngineHarness()
        let clientMAC = EngineHarness.mac(8)
        var d = EngineHarness.message(.discover, mac: clientMAC)
        d.ciaddr = IPv4Address(192, 0, 2, 15)
        let e = h.engine.handle(datagram: datagram(d, source: d.ciaddr, destination: .broadcast, linkLayer: clientMAC), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        XCTAssertEqual(out.delivery, .linkLayerUnicast(hardwareAddress: clientMAC))
        XCTAssertEqual(out.destination, .v4(d.ciaddr))
    }

    /// A NAK without a relay is still broadcast.
    func testNakIsBroadcast() throws {
        var h = EngineHarness()
        let clientMAC = EngineHarness.mac(9)
        let req = EngineHarness.message(.request, mac: clientMAC, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, IPv4Address(198, 51, 100, 9).bytes)])
        let e = h.engine.handle(datagram: datagram(req, source: .zero, destination: .broadcast, linkLayer: clientMAC), now: h.now)
        XCTAssertEqual(try DHCPv4Message.decode(XCTUnwrap(e.datagrams.first).bytes).get().messageType, .nak)
        XCTAssertEqual(e.datagrams.first?.delivery, .broadcast)
    }
}

/// RFC 5107: a relay that inserts server-id-override (option 82 sub-option 11) is named as
/// the server identifier in the reply, so the client sends its renewals to the relay; the
/// reply's IP source stays the server's own address.
final class ServerIDOverrideReplyTests: XCTestCase {
    func testReplyCarriesTheOverrideAsServerIdentifier() throws {
        var h = EngineHarness()
        let override = IPv4Address(192, 0, 2, 254)
        var d = EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.dhcpAgentOptions.code, [11, 4] + override.bytes)])
        d.giaddr = IPv4Address(192, 0, 2, 254)
        let (replies, effects) = h.send(d)
        XCTAssertEqual(try XCTUnwrap(replies.first).serverIdentifier, override)
        XCTAssertEqual(effects.datagrams.first?.source, .v4(IPv4Address(192, 0, 2, 1)))
        let plain = h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(2), xid: 9)).replies.first
        XCTAssertEqual(plain?.serverIdentifier, IPv4Address(192, 0, 2, 1))
    }
}
