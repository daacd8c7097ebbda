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

    /// A NAK without a relay or ciaddr is an IP broadcast; read from a raw socket, its frame
    /// goes to the request frame's source, as Kea's packet filter writes it.
    func testNakIsBroadcastInAFrameToTheSource() throws {
        var c = EngineHarness.config()
        c.authoritative = true
        var h = EngineHarness(config: c)
        let clientMAC = EngineHarness.mac(9)
        let req = EngineHarness.message(.request, mac: clientMAC, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, IPv4Address(198, 51, 100, 9).bytes)])
        let e = h.engine.handle(datagram: datagram(req, source: .zero, destination: .broadcast, linkLayer: clientMAC), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        XCTAssertEqual(try DHCPv4Message.decode(out.bytes).get().messageType, .nak)
        XCTAssertEqual(out.destination, .v4(.broadcast))
        XCTAssertEqual(out.delivery, .linkLayerUnicast(hardwareAddress: clientMAC))
        // From the UDP socket (no frame source): plain broadcast.
        let udp = h.engine.handle(datagram: datagram(req, source: .zero, destination: .broadcast, linkLayer: nil), now: h.now)
        XCTAssertEqual(udp.datagrams.first?.delivery, .broadcast)
    }

    /// A NAK to a RENEWING client (ciaddr, no relay) goes to ciaddr, as Kea's adjustRemoteAddr.
    func testNakToRenewingClientGoesToCiaddr() throws {
        var h = EngineHarness()
        let mine = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1))).yiaddr
        _ = try XCTUnwrap(h.dora(mac: EngineHarness.mac(2), xid: 7))
        // Client 2 renews client 1's address: refused, answered at its ciaddr.
        var renew = EngineHarness.message(.request, mac: EngineHarness.mac(2), xid: 8)
        renew.ciaddr = mine
        let e = h.engine.handle(datagram: datagram(renew, source: mine, destination: IPv4Address(192, 0, 2, 1), linkLayer: EngineHarness.mac(2)), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        XCTAssertEqual(try DHCPv4Message.decode(out.bytes).get().messageType, .nak)
        XCTAssertEqual(out.destination, .v4(mine))
    }

    /// A relayed INFORM with ciaddr is answered to ciaddr (RFC 2131 §4.3.5) with giaddr cleared,
    /// and carries no subnet mask unless one is configured (Kea adds it only with a lease).
    func testRelayedInformWithCiaddrGoesToTheClient() throws {
        var h = EngineHarness(config: relayConfig())
        let client = IPv4Address(198, 51, 100, 73)
        var inform = EngineHarness.message(.inform, mac: EngineHarness.mac(3))
        inform.ciaddr = client
        inform.giaddr = IPv4Address(198, 51, 100, 1)
        inform.hops = 1
        let e = h.engine.handle(datagram: datagram(inform, source: inform.giaddr, destination: IPv4Address(192, 0, 2, 1), linkLayer: Self.relayMAC), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        let reply = try DHCPv4Message.decode(out.bytes).get()
        XCTAssertEqual(out.destination, .v4(client))
        XCTAssertEqual(out.destinationPort, 68)
        XCTAssertEqual(reply.giaddr, .zero)
        XCTAssertEqual(reply.hops, 1)
        XCTAssertNil(reply.options[DHCPv4Option.subnetMask])
    }

    /// An INFORM whose ciaddr is in no subnet gets no subnet's options: Kea selects by ciaddr
    /// alone, with no fallback to the receiving interface, and answers a bare DHCPACK.
    func testInformFromUnknownNetworkIsNotAnsweredFromTheInterfaceSubnet() throws {
        var h = EngineHarness()
        var inform = EngineHarness.message(.inform, mac: EngineHarness.mac(4), options: [
            (DHCPv4Option.dhcpParameterRequestList.code, [1, 3, 6])])
        inform.ciaddr = IPv4Address(203, 0, 113, 74)
        let e = h.engine.handle(datagram: datagram(inform, source: inform.ciaddr, destination: IPv4Address(192, 0, 2, 1), linkLayer: EngineHarness.mac(4)), now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        let reply = try DHCPv4Message.decode(out.bytes).get()
        XCTAssertEqual(reply.messageType, .ack)
        XCTAssertEqual(out.destination, .v4(inform.ciaddr))
        XCTAssertNil(reply.options[1])
        XCTAssertNil(reply.options[3])
        XCTAssertNil(reply.options[6])
    }

    /// Option 82 is echoed from any request that carries it, relayed or not; option 118 too.
    func testAgentOptionsAndSubnetSelectionAreEchoed() throws {
        var h = EngineHarness()
        let rai: [UInt8] = [1, 3, 0x61, 0x62, 0x63]
        let (replies, _) = h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(5), options: [
            (DHCPv4Option.dhcpAgentOptions.code, rai),
            (DHCPv4Option.subnetSelection.code, IPv4Address(192, 0, 2, 0).bytes)]))
        let offer = try XCTUnwrap(replies.first)
        XCTAssertEqual(offer.options[DHCPv4Option.dhcpAgentOptions], rai)
        XCTAssertEqual(offer.options[DHCPv4Option.subnetSelection], IPv4Address(192, 0, 2, 0).bytes)
    }
}

/// RFC 5107: a REQUEST naming the relay's server-id-override (option 82 sub-option 11) as its
/// server identifier is for this server. As in Kea (2.2 to 2.6), the reply's option 54 names
/// the server's own address; the override only decides acceptance.
final class ServerIDOverrideReplyTests: XCTestCase {
    func testReplyNamesTheServerItselfAndTheOverrideIsAccepted() throws {
        var h = EngineHarness()
        let override = IPv4Address(192, 0, 2, 254)
        let rai: [UInt8] = [11, 4] + override.bytes
        var d = EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [(DHCPv4Option.dhcpAgentOptions.code, rai)])
        d.giaddr = IPv4Address(192, 0, 2, 254)
        let (replies, effects) = h.send(d)
        let offer = try XCTUnwrap(replies.first)
        XCTAssertEqual(offer.serverIdentifier, IPv4Address(192, 0, 2, 1))
        XCTAssertEqual(effects.datagrams.first?.source, .v4(IPv4Address(192, 0, 2, 1)))
        var req = EngineHarness.message(.request, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.dhcpAgentOptions.code, rai),
            (DHCPv4Option.dhcpServerIdentifier.code, override.bytes),
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes)])
        req.giaddr = d.giaddr
        XCTAssertEqual(h.send(req).replies.first?.messageType, .ack)
    }
}

/// A configured `dhcp-server-identifier` (option 54) is what replies name, and a REQUEST
/// naming it is accepted (Kea's ARM: the server identifier can be set per subnet).
final class ConfiguredServerIdentifierTests: XCTestCase {
    func testSubnetOption54IsTheServerIdentifier() throws {
        var c = EngineHarness.config()
        let sid = IPv4Address(192, 0, 2, 200)
        c.subnets[0].optionData.append(ConfiguredOption(code: 54, payload: sid.bytes))
        var h = EngineHarness(config: c)
        let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        XCTAssertEqual(ack.messageType, .ack)
        XCTAssertEqual(ack.serverIdentifier, sid)
    }
}

/// Kea 2.4's never-send cancels an option whichever layer says it: a global never-send stops
/// a subnet's definition of the same code, even when the client asks for it.
final class NeverSendAcrossLayersTests: XCTestCase {
    func testGlobalNeverSendCancelsSubnetOption() throws {
        var c = EngineHarness.config()
        c.optionData = [ConfiguredOption(code: 42, payload: [192, 0, 2, 9], neverSend: true)]
        var h = EngineHarness(config: c)
        let asks = (DHCPv4Option.dhcpParameterRequestList.code, [UInt8(42), 3])
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [asks])).replies.first)
        XCTAssertNil(offer.options[42])
        XCTAssertEqual(offer.options[3], [192, 0, 2, 1])
        var plain = EngineHarness()
        let sent = try XCTUnwrap(plain.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [asks])).replies.first)
        XCTAssertEqual(sent.options[42], [192, 0, 2, 3])
    }
}
