import XCTest
@testable import KakapoCore

/// Shared networks, store conflicts and relay details of the DHCPv6 engine.
final class Dhcp6SharedNetworkTests: XCTestCase {
    typealias H = Engine6Harness

    static let sharedConfig = """
    { "Dhcp6": {
        "preferred-lifetime": 3000, "valid-lifetime": 4000,
        "shared-networks": [ { "name": "campus", "interface": "eth0", "preferred-lifetime": 2000,
            "subnet6": [
              { "id": 10, "subnet": "2001:db8:a::/64", "pools": [ { "pool": "2001:db8:a::10 - 2001:db8:a::10" } ] },
              { "id": 11, "subnet": "2001:db8:b::/64", "valid-lifetime": 5000,
                "pools": [ { "pool": "2001:db8:b::10 - 2001:db8:b::10" } ] } ] } ]
    } }
    """

    func testASharedNetworkFallsBackToItsOtherSubnets() throws {
        var h = H(configText: Self.sharedConfig)
        XCTAssertEqual(h.acquire(duid: H.duid(1)), IPv6Address("2001:db8:a::10"))
        XCTAssertEqual(h.acquire(duid: H.duid(2)), IPv6Address("2001:db8:b::10"), "the first subnet is full")
        let l = try XCTUnwrap(h.lease("2001:db8:b::10"))
        XCTAssertEqual(l.subnetID, 11)
        XCTAssertEqual(l.validLifetimeSeconds, 5000, "the lifetimes of the subnet the lease is in")
        XCTAssertEqual(l.preferredLifetimeSeconds, 2000, "inherited from the shared network")
        XCTAssertEqual(h.stat("subnet[11].assigned-nas"), 1)
        XCTAssertEqual(h.stat("subnet[10].assigned-nas"), 1)
        // The network is full.
        let third = try XCTUnwrap(h.send(H.message(.solicit, duid: H.duid(3), nas: [H.ia(1)])).reply)
        XCTAssertEqual(third.firstNA?.statusCode, .noAddrsAvail)
        // The second client renews its lease in the other subnet of the network.
        h.advance(seconds: 100)
        let renew = try XCTUnwrap(h.send(H.message(.renew, duid: H.duid(2), nas: [H.ia(1, ["2001:db8:b::10"])],
                                                   serverID: H.serverDUID)).reply)
        XCTAssertEqual(renew.firstNA?.addressList, [IPv6Address("2001:db8:b::10")!])
        XCTAssertEqual(h.lease("2001:db8:b::10")?.expire, h.now.wall + Seconds(5000))
        // Confirm checks the selected subnet only, as Kea's processConfirm (kea-diff6/
        // shared-network steps 13-14): an address of the network's other subnet is not on link.
        let c = try XCTUnwrap(h.send(H.message(.confirm, duid: H.duid(2), nas: [H.ia(1, ["2001:db8:b::77"])])).reply)
        XCTAssertEqual(c.status?.code, .notOnLink)
        XCTAssertEqual(c.status?.message, "Address 2001:db8:b::77 is not on link.")
        let c2 = try XCTUnwrap(h.send(H.message(.confirm, duid: H.duid(2), nas: [H.ia(1, ["2001:db8:a::77"])])).reply)
        XCTAssertEqual(c2.status?.code, .success)
    }

    func testReconfigureKeepsLeasesAndRecountsTheGauges() throws {
        var h = H()
        let a = try XCTUnwrap(h.acquire(duid: H.duid(1)))
        var c = h.engine.config
        c.subnets[0].pools = [Pool6(first: IPv6Address("2001:db8:1::10")!, last: IPv6Address("2001:db8:1::1f")!)]
        h.engine.reconfigure(c, now: h.now)
        XCTAssertNotNil(h.lease("\(a)"))
        XCTAssertEqual(h.stat("subnet[1].total-nas"), 16)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        XCTAssertTrue(h.engine.stats.samples.contains { $0.name == "subnet[1].total-nas" && $0.sample.value == 16 })
        XCTAssertTrue(h.engine.stats.samples.contains { $0.name == "pkt6-received" && $0.sample.value == 2 })
        // The lease is renewed after the reload.
        let r = h.send(H.message(.renew, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID))
        XCTAssertEqual(r.ids, ["DHCP6_LEASE_RENEW"])
    }

    func testAConflictRestoresTheWinningRowAndTheClientRetries() throws {
        var h = H()
        h.engine.storeMayConflict = true
        h.settlesAutomatically = false
        let s = h.send(H.message(.request, duid: H.duid(1), nas: [H.ia(1)], serverID: H.serverDUID))
        let id = try XCTUnwrap(s.effects.transaction)
        // Another server leased ::10 to another client first.
        var winner = Lease6(type: .nonTemporaryAddress, address: IPv6Address("2001:db8:1::10")!, duid: H.duid(9), iaid: 4,
                            preferredLifetimeSeconds: 3000, validLifetimeSeconds: 4000, expire: h.now.wall + Seconds(4000), subnetID: 1)
        winner.hostname = "other"
        let e = h.engine.handle(outcome: .conflict(address: winner.address, current: winner), of: id, now: h.now)
        XCTAssertEqual(e.events.map(\.logLine.id), ["KAKAPO_LEASE6_CONFLICT"])
        XCTAssertEqual(h.lease("2001:db8:1::10")?.duid, H.duid(9))
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1, "the winner's row counts, the proposal's does not")
        XCTAssertEqual(h.stat("pkt6-reply-sent"), 0)
        // The client's retransmission is decided on the row that won.
        h.settlesAutomatically = true
        let again = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(1), nas: [H.ia(1)], serverID: H.serverDUID)).reply)
        XCTAssertEqual(again.firstNA?.addressList, [IPv6Address("2001:db8:1::11")!])
        // An unknown transaction is a no-op.
        XCTAssertTrue(h.engine.handle(outcome: .durable, of: TransactionID(999), now: h.now).isEmpty)
    }

    func testTheReplyGoesBackThroughTheRelaysSourcePortWhenItSentOne() throws {
        var h = H()
        var m = DHCPv6Message.client(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]))
        var opts = DHCPv6Options()
        opts.append(135, [0x1F, 0x90])  // RFC 8357 Relay Source Port: 8080
        m = .relay(DHCPv6RelayMessage(direction: .forward, hopCount: 0, linkAddress: IPv6Address("2001:db8:4::1")!,
                                      peerAddress: IPv6Address("fe80::2")!, options: opts, relayedMessage: m))
        let d = InboundDatagram(bytes: m.encode(), interface: h.iface, source: .v6(IPv6Address("2001:db8:ffff::7")!), sourcePort: 8080,
                                destination: .v6(IPv6Address("2001:db8:1::1")!))
        let e = h.engine.handle(datagram: d, now: h.now)
        let out = try XCTUnwrap(e.datagrams.first)
        XCTAssertEqual(out.destinationPort, 8080)
        XCTAssertEqual(out.destination, .v6(IPv6Address("2001:db8:ffff::7")!))
        guard case .relay(let r) = try DHCPv6Message.decode(out.bytes).get() else { return XCTFail("not a relay-reply") }
        XCTAssertEqual(r.options[135], [0, 0], "the option echoed with port 0 (RFC 8357 §5.2)")
    }
}
