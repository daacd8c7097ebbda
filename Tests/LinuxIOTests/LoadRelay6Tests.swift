import XCTest
@testable import KakapoCore
@testable import KakapoLinuxIO

/// The messages of `kakapo-sim load -6`: identities, the Relay-forward layout, and a whole
/// Solicit-Advertise-Request-Reply against the real DHCPv6 engine, which must select the
/// subnet by the link-address and bind what the Request asks for.
final class LoadRelay6Tests: XCTestCase {
    static let link = IPv6Address("2001:db8:1::2")!

    func testClientIdentities() {
        XCTAssertEqual(LoadRelay6.duid(client: 0x0102_0304), [0, 3, 0, 1, 0x02, 0x00, 1, 2, 3, 4])
        XCTAssertEqual(LoadRelay6.client(duid: LoadRelay6.duid(client: 4242), clients: 5000), 4242)
        XCTAssertNil(LoadRelay6.client(duid: LoadRelay6.duid(client: 5000), clients: 5000), "beyond --clients")
        XCTAssertNil(LoadRelay6.client(duid: [0, 3, 0, 1, 0x0A, 0, 0, 0, 0, 1], clients: 5000), "another MAC prefix")
        XCTAssertNil(LoadRelay6.client(duid: [0, 1, 0, 1, 0x02, 0, 0, 0, 0, 1], clients: 5000), "a DUID-LLT")
        XCTAssertEqual(LoadRelay6.client(mac: (LoadRelay6.mac(client: 77) + Array(repeating: 0, count: 10))[...], clients: 100), 77,
                       "a 16-byte chaddr")
        XCTAssertNil(LoadRelay6.client(mac: [0x02, 0, 0, 0, 0][...], clients: 100), "too short")
        // Modified EUI-64 of 02:00:0a:0b:0c:0d: the U/L bit of 02 flips (00), ff:fe in the middle.
        XCTAssertEqual(LoadRelay6.peerAddress(client: 0x0A0B_0C0D), IPv6Address("fe80::aff:fe0b:c0d")!)
    }

    func testSolicitInARelayForward() throws {
        let bytes = LoadRelay6.relayForward(LoadRelay6.solicit(client: 7, transactionID: 0xABCDEF, prefixDelegation: true),
                                            client: 7, linkAddress: Self.link, sourcePort: nil)
        guard case .relay(let r) = try DHCPv6Message.decode(bytes).get() else { return XCTFail("not a relay message") }
        XCTAssertEqual(r.direction, .forward)
        XCTAssertEqual(r.hopCount, 0)
        XCTAssertEqual(r.linkAddress, Self.link)
        XCTAssertEqual(r.peerAddress, LoadRelay6.peerAddress(client: 7))
        XCTAssertTrue(r.options.isEmpty, "no Relay Source Port on 547")
        guard case .client(let m) = r.relayedMessage else { return XCTFail("nested relay") }
        XCTAssertEqual(m.messageType, .solicit)
        XCTAssertEqual(m.transactionID, 0xABCDEF)
        XCTAssertEqual(m.options.clientID, LoadRelay6.duid(client: 7))
        XCTAssertEqual(try m.options.elapsedTimeHundredths(), 0)
        XCTAssertEqual(try m.options.iaNAs().map(\.iaid), [LoadRelay6.iaid])
        XCTAssertEqual(try m.options.iaPDs().map(\.iaid), [LoadRelay6.iaid])
        XCTAssertEqual(try LoadRelay6.solicit(client: 7, transactionID: 1, prefixDelegation: false).options.iaPDs().count, 0)

        let other = LoadRelay6.relayForward(LoadRelay6.solicit(client: 7, transactionID: 1, prefixDelegation: false),
                                            client: 7, linkAddress: Self.link, sourcePort: 10547)
        guard case .relay(let r2) = try DHCPv6Message.decode(other).get() else { return XCTFail("not a relay message") }
        XCTAssertEqual(r2.options[LoadRelay6.relaySourcePortOption], [0x29, 0x33], "RFC 8357 Relay Source Port 10547")
    }

    func testClassify() {
        XCTAssertEqual(LoadRelay6.classify([12, 0], clients: 10), .undecodable)
        let solicit = LoadRelay6.solicit(client: 3, transactionID: 5, prefixDelegation: false)
        XCTAssertEqual(LoadRelay6.classify(solicit.encode(), clients: 10), .stray(.solicit), "not relayed")
        let forward = LoadRelay6.relayForward(solicit, client: 3, linkAddress: Self.link, sourcePort: nil)
        XCTAssertEqual(LoadRelay6.classify(forward, clients: 10), .stray(.relayForward), "a Relay-forward is not for us")
        var advertise = DHCPv6ClientMessage(messageType: .advertise, transactionID: 5)
        advertise.options.append(.clientid, LoadRelay6.duid(client: 3))
        let wrapped = DHCPv6Message.relay(DHCPv6RelayMessage(direction: .reply, hopCount: 0, linkAddress: Self.link,
                                                             peerAddress: LoadRelay6.peerAddress(client: 3),
                                                             relayedMessage: .client(advertise))).encode()
        XCTAssertEqual(LoadRelay6.classify(wrapped, clients: 10), .message(client: 3, advertise))
        XCTAssertEqual(LoadRelay6.classify(wrapped, clients: 3), .message(client: nil, advertise), "client 3 of 3 is not ours")
    }

    func testNothingToRequestFromAnEmptyOrFailedAdvertise() {
        var advertise = DHCPv6ClientMessage(messageType: .advertise, transactionID: 5)
        advertise.options.append(.clientid, LoadRelay6.duid(client: 3))
        XCTAssertNil(LoadRelay6.request(client: 3, transactionID: 6, advertise: advertise, prefixDelegation: false), "no server id")
        advertise.options.append(.serverid, [0, 2, 0, 0, 9, 0xBF, 1])
        var ia = DHCPv6IA(iaid: LoadRelay6.iaid)
        ia.options.append(DHCPv6Status(.noAddrsAvail))
        advertise.options.append(iaNA: ia)
        XCTAssertNil(LoadRelay6.request(client: 3, transactionID: 6, advertise: advertise, prefixDelegation: false), "NoAddrsAvail")
        var reply = advertise
        reply.messageType = .reply
        XCTAssertFalse(LoadRelay6.binds(reply, prefixDelegation: false))
        XCTAssertEqual(LoadRelay6.ackLines(reply, nowSeconds: 100), [])
    }

    /// The messages against the engine: the relayed subnet (chosen by relay.ip-addresses, not
    /// by the server's own interface subnet) hands out an address and a prefix, the Request
    /// copies them, and the Reply binds both.
    func testFourMessageExchangeAgainstTheEngine() throws {
        let config = try Dhcp6ConfigDecoder.decode(text: """
        { "Dhcp6": {
            "preferred-lifetime": 3000, "valid-lifetime": 4000,
            "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::1f" } ] },
              { "id": 5, "subnet": "2001:db8:5::/64", "relay": { "ip-addresses": [ "2001:db8:1::2" ] },
                "pools": [ { "pool": "2001:db8:5::10 - 2001:db8:5::1f" } ],
                "pd-pools": [ { "prefix": "2001:db8:50::", "prefix-len": 56, "delegated-len": 64 } ] } ]
        } }
        """)
        var now = Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 0))
        var engine = Dhcp6Engine(config: config, store: MemoryLeaseStore6(), serverDUID: [0, 2, 0, 0, 9, 0xBF, 1, 2], now: now)
        let iface = InterfaceInfo(name: "eth0", index: 2, addresses: [
            InterfaceAddress(address: .v6(IPv6Address("fe80::1")!), prefixLength: 64),
            InterfaceAddress(address: .v6(IPv6Address("2001:db8:1::1")!), prefixLength: 64)])
        func exchange(_ m: DHCPv6ClientMessage) throws -> DHCPv6ClientMessage {
            let d = InboundDatagram(bytes: LoadRelay6.relayForward(m, client: 9, linkAddress: Self.link, sourcePort: nil),
                                    interface: iface, source: .v6(Self.link), sourcePort: 547,
                                    destination: .v6(IPv6Address("2001:db8:1::1")!))
            let e = engine.handle(datagram: d, now: now)
            if let id = e.transaction { _ = engine.handle(outcome: .durable, of: id, now: now) }
            let out = try XCTUnwrap(e.datagrams.first, "no answer to \(m.messageType)")
            XCTAssertEqual(out.destinationPort, 547)
            var unwrapped: DHCPv6ClientMessage? = nil
            if case .message(let client, let answer) = LoadRelay6.classify(out.bytes, clients: 10) {
                XCTAssertEqual(client, 9)
                unwrapped = answer
            }
            let answer = try XCTUnwrap(unwrapped, "the answer to \(m.messageType) is not a Relay-reply to client 9")
            XCTAssertEqual(answer.transactionID, m.transactionID)
            return answer
        }
        let advertise = try exchange(LoadRelay6.solicit(client: 9, transactionID: 0x10, prefixDelegation: true))
        XCTAssertEqual(advertise.messageType, .advertise)
        let offered = try LoadRelay6.offers(advertise.options)
        XCTAssertEqual(offered.addresses.count, 1)
        XCTAssertEqual(offered.prefixes.count, 1)
        let address = try XCTUnwrap(offered.addresses.first).address
        XCTAssertTrue(IPv6Prefix("2001:db8:5::/64")!.contains(address), "\(address): the relayed subnet, by relay.ip-addresses")
        let prefix = try XCTUnwrap(offered.prefixes.first).prefix
        XCTAssertTrue(IPv6Prefix("2001:db8:50::/56")!.contains(prefix.network))

        let request = try XCTUnwrap(LoadRelay6.request(client: 9, transactionID: 0x11, advertise: advertise, prefixDelegation: true))
        XCTAssertEqual(request.messageType, .request)
        XCTAssertEqual(request.options.serverID, advertise.options.serverID)
        XCTAssertEqual(try request.options.iaNAs().first?.addresses().map(\.address), [address])
        XCTAssertEqual(try request.options.iaPDs().first?.prefixes().map(\.prefix), [prefix])
        now.monotonic = now.monotonic + Milliseconds(5)
        let reply = try exchange(request)
        XCTAssertEqual(reply.messageType, .reply)
        XCTAssertTrue(LoadRelay6.binds(reply, prefixDelegation: true))
        XCTAssertEqual(engine.store.lease(.nonTemporaryAddress, at: address)?.subnetID, 5)
        let duid = "00:03:00:01:02:00:00:00:00:09"
        XCTAssertEqual(LoadRelay6.ackLines(reply, nowSeconds: 1000), ["\(address) \(duid) 5000", "\(prefix) \(duid) 5000"])
    }
}
