import XCTest
@testable import KakapoCore

final class Dhcp6EngineTests: XCTestCase {
    typealias H = Engine6Harness

    func addr(_ s: String) -> IPv6Address { IPv6Address(s)! }
    func v6bytes(_ s: String) -> [UInt8] { IPv6Address(s)!.bytes }

    func testSolicitAdvertisesFromThePoolWithOptionsThenRequestCommits() throws {
        var h = H()
        let duid = H.duid(1)
        let adv = h.send(H.message(.solicit, duid: duid, nas: [H.ia(5)], oro: [23, 31]))
        let a = try XCTUnwrap(adv.reply)
        XCTAssertEqual(a.messageType, .advertise)
        XCTAssertEqual(a.transactionID, 0x1234)
        XCTAssertEqual(a.options.clientID, duid)
        XCTAssertEqual(a.options.serverID, H.serverDUID)
        let ia = try XCTUnwrap(a.firstNA)
        XCTAssertEqual(ia.iaid, 5)
        let iaaddr = try XCTUnwrap(try ia.addresses().first)
        XCTAssertEqual(iaaddr.address, addr("2001:db8:1::10"))
        XCTAssertEqual(iaaddr.preferredLifetimeSeconds, 3000)
        XCTAssertEqual(iaaddr.validLifetimeSeconds, 4000)
        XCTAssertEqual(ia.t1Seconds, 1500)   // calculate-tee-times: .5 and .8 of preferred
        XCTAssertEqual(ia.t2Seconds, 2400)
        XCTAssertEqual(a.options[23], v6bytes("2001:db8:1::53"), "subnet option wins over the global one")
        XCTAssertEqual(a.options[31], v6bytes("2001:db8::123"), "global option when the subnet has none")
        XCTAssertNil(a.options[24], "not requested")
        XCTAssertTrue(adv.effects.writes.isEmpty, "an Advertise records nothing")
        XCTAssertNil(adv.effects.transaction)
        XCTAssertEqual(adv.ids, ["DHCP6_LEASE_ADVERT"])
        let d = try XCTUnwrap(adv.effects.datagrams.first)
        XCTAssertEqual(d.destination, .v6(H.clientAddress))
        XCTAssertEqual(d.destinationPort, 546)
        XCTAssertEqual(d.source, .v6(addr("fe80::1")))

        let req = h.send(H.message(.request, duid: duid, nas: [H.ia(5, ["2001:db8:1::10"])], serverID: H.serverDUID))
        let r = try XCTUnwrap(req.reply)
        XCTAssertEqual(r.messageType, .reply)
        XCTAssertEqual(r.firstNA?.addressList, [addr("2001:db8:1::10")])
        XCTAssertNotNil(req.effects.transaction)
        XCTAssertEqual(req.ids, ["DHCP6_LEASE_ALLOC"])
        let l = try XCTUnwrap(h.lease("2001:db8:1::10"))
        XCTAssertEqual(l.duid, duid)
        XCTAssertEqual(l.iaid, 5)
        XCTAssertEqual(l.subnetID, 1)
        XCTAssertEqual(l.expire, h.now.wall + Seconds(4000))
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        XCTAssertEqual(h.stat("subnet[1].total-nas"), 4)
        XCTAssertEqual(h.stat("cumulative-assigned-nas"), 1)
        XCTAssertEqual(h.stat("pkt6-received"), 2)
        XCTAssertEqual(h.stat("pkt6-solicit-received"), 1)
        XCTAssertEqual(h.stat("pkt6-request-received"), 1)
        XCTAssertEqual(h.stat("pkt6-advertise-sent"), 1)
        XCTAssertEqual(h.stat("pkt6-reply-sent"), 1)
        XCTAssertEqual(h.stat("pkt6-sent"), 2)
    }

    func testSeveralIAsAndNoAddrsAvailWhenThePoolRunsOut() throws {
        var h = H()
        // Four addresses, one (::12) reserved for another client: three to give.
        let rep = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(2), nas: [H.ia(1), H.ia(2), H.ia(3), H.ia(4)],
                                                 serverID: H.serverDUID)).reply)
        let ias = rep.nas
        XCTAssertEqual(ias.map(\.iaid), [1, 2, 3, 4])
        XCTAssertEqual(ias[0].addressList + ias[1].addressList + ias[2].addressList,
                       [addr("2001:db8:1::10"), addr("2001:db8:1::11"), addr("2001:db8:1::13")])
        XCTAssertEqual(ias[3].addressList, [])
        XCTAssertEqual(ias[3].statusCode, .noAddrsAvail)
        XCTAssertEqual(try ias[3].status()?.message, "Sorry, no address could be allocated.")
        XCTAssertEqual(ias[3].t1Seconds, 0)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 3)
        XCTAssertNil(h.lease("2001:db8:1::12"))
        // The next client gets nothing.
        let other = try XCTUnwrap(h.send(H.message(.solicit, duid: H.duid(3), nas: [H.ia(1)])).reply)
        XCTAssertEqual(other.firstNA?.statusCode, .noAddrsAvail)
    }

    func testTheClientsHintIsHonouredWhenFree() throws {
        var h = H()
        let r1 = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(1), nas: [H.ia(1, ["2001:db8:1::13"])], serverID: H.serverDUID)).reply)
        XCTAssertEqual(r1.firstNA?.addressList, [addr("2001:db8:1::13")])
        let r2 = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(2), nas: [H.ia(1, ["2001:db8:1::13"])], serverID: H.serverDUID)).reply)
        XCTAssertEqual(r2.firstNA?.addressList.count, 1)
        XCTAssertNotEqual(r2.firstNA?.addressList, [addr("2001:db8:1::13")])
        // A hint outside the pools is not honoured.
        let r3 = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(3), nas: [H.ia(1, ["2001:db8:1::99"])], serverID: H.serverDUID)).reply)
        XCTAssertNotEqual(r3.firstNA?.addressList, [addr("2001:db8:1::99")])
        // The same client asking again keeps its lease.
        let again = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(1), nas: [H.ia(1)], serverID: H.serverDUID)).reply)
        XCTAssertEqual(again.firstNA?.addressList, [addr("2001:db8:1::13")])
    }

    func testRapidCommitRepliesAndWritesWhenTheSubnetAllowsIt() throws {
        var h = H()
        let s = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)], rapidCommit: true))
        let r = try XCTUnwrap(s.reply)
        XCTAssertEqual(r.messageType, .reply)
        XCTAssertTrue(r.options.rapidCommit)
        XCTAssertEqual(s.ids, ["DHCP6_RAPID_COMMIT", "DHCP6_LEASE_ALLOC"])
        XCTAssertNotNil(h.lease("2001:db8:1::10"))
        XCTAssertEqual(h.stat("pkt6-reply-sent"), 1)
        // Subnet 2 (selected by interface-id, which counts when the relay gives a link-address)
        // has no rapid-commit: an Advertise.
        let s2 = h.send(H.message(.solicit, duid: H.duid(2), nas: [H.ia(1)], rapidCommit: true),
                        relays: [H.Relay(link: "2001:db8:99::1", interfaceID: Array("ethx".utf8))])
        let a = try XCTUnwrap(s2.reply)
        XCTAssertEqual(a.messageType, .advertise)
        XCTAssertFalse(a.options.rapidCommit)
        XCTAssertTrue(s2.effects.writes.isEmpty)
    }

    /// Goal: a lease row names where the client's MAC came from as Kea does: from the DUID-LL
    /// of a direct client, hwaddr_source 2 (Kea's HWADDR_SOURCE_DUID); from the frame, 1 (raw);
    /// from a relay's option 79, 8.
    /// Method: rapid-commit Solicits, one without and one with a link-layer source; the rows
    /// LeaseFile6 writes for the two leases, hwaddr/hwtype/hwaddr_source read back by column.
    func testLeaseRowsNameTheHardwareAddressSourceAsKea() throws {
        var h = H()
        _ = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)], rapidCommit: true))
        _ = h.send(H.message(.solicit, duid: H.duid(2), nas: [H.ia(1)], rapidCommit: true),
                   linkLayer: [0x02, 0, 0, 0, 0, 0x22])
        let header = LeaseFile6.header.split(separator: ",").map(String.init)
        func columns(_ a: String) throws -> [String: String] {
            let row = LeaseFile6.row(try XCTUnwrap(h.lease(a))).split(separator: ",", omittingEmptySubsequences: false)
            return Dictionary(uniqueKeysWithValues: zip(header, row.map(String.init)))
        }
        let fromDUID = try columns("2001:db8:1::10")
        XCTAssertEqual(fromDUID["hwaddr"], "02:00:00:00:00:01")
        XCTAssertEqual(fromDUID["hwtype"], "1")
        XCTAssertEqual(fromDUID["hwaddr_source"], "2", "a MAC from the DUID is HWADDR_SOURCE_DUID (2)")
        let fromFrame = try columns("2001:db8:1::11")
        XCTAssertEqual(fromFrame["hwaddr"], "02:00:00:00:00:22")
        XCTAssertEqual(fromFrame["hwaddr_source"], "1")
        // Through a relay (subnet 3 by its address) that adds the client link-layer address
        // option (79, RFC 6939): that address, HWADDR_SOURCE_CLIENT_ADDR_RELAY_OPTION (8); a
        // Renew without the option takes the DUID's again, with its source (2).
        let relay = H.Relay(link: "::", options: [(79, [0, 1, 0x02, 0, 0, 0, 0, 0x79])])
        let adv = h.send(H.message(.solicit, duid: H.duid(3), nas: [H.ia(1)]), relays: [relay])
        let relayed = try XCTUnwrap(adv.reply?.firstNA?.addressList.first)
        _ = h.send(H.message(.request, duid: H.duid(3), xid: 0x99, nas: [H.ia(1, ["\(relayed)"])], serverID: H.serverDUID),
                   relays: [relay])
        var cols = try columns("\(relayed)")
        XCTAssertEqual(cols["hwaddr"], "02:00:00:00:00:79")
        XCTAssertEqual(cols["hwaddr_source"], "8", "a MAC from option 79 is HWADDR_SOURCE_CLIENT_ADDR_RELAY_OPTION (8)")
        _ = h.send(H.message(.renew, duid: H.duid(3), nas: [H.ia(1, ["\(relayed)"])], serverID: H.serverDUID),
                   relays: [H.Relay(link: "::")])
        cols = try columns("\(relayed)")
        XCTAssertEqual(cols["hwaddr"], "02:00:00:00:00:03")
        XCTAssertEqual(cols["hwaddr_source"], "2", "the renewed lease names the DUID as the source of its new MAC")
    }

    func testServerIdentifierAndRequiredOptionChecks() throws {
        var h = H()
        let other: [UInt8] = [0, 2, 0, 0, 0, 9, 9]
        for t in [DHCPv6MessageType.request, .renew, .release, .decline] {
            let s = h.send(H.message(t, duid: H.duid(1), nas: [H.ia(1, ["2001:db8:1::10"])], serverID: other))
            XCTAssertTrue(s.effects.datagrams.isEmpty, "\(t)")
            XCTAssertEqual(s.ids, ["DHCP6_PACKET_DROP_SERVERID_MISMATCH"], "\(t)")
            let none = h.send(H.message(t, duid: H.duid(1), nas: [H.ia(1)]))
            XCTAssertEqual(none.ids, ["DHCP6_REQUIRED_OPTIONS_CHECK_FAIL"], "\(t) without server-id")
        }
        for t in [DHCPv6MessageType.solicit, .confirm, .rebind] {
            let s = h.send(H.message(t, duid: H.duid(1), nas: [H.ia(1, ["2001:db8:1::10"])], serverID: H.serverDUID))
            XCTAssertTrue(s.effects.datagrams.isEmpty, "\(t) with a server-id")
            XCTAssertEqual(s.ids, ["DHCP6_REQUIRED_OPTIONS_CHECK_FAIL"])
        }
        XCTAssertEqual(h.send(H.message(.solicit, duid: nil, nas: [H.ia(1)])).ids, ["DHCP6_REQUIRED_OPTIONS_CHECK_FAIL"])
        XCTAssertEqual(h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]), unicast: true).ids, ["DHCP6_PACKET_DROP_UNICAST"])
        XCTAssertEqual(h.send(DHCPv6ClientMessage(messageType: .advertise, transactionID: 1)).ids, ["DHCP6_UNKNOWN_MSG_RECEIVED"])
        XCTAssertEqual(h.stat("pkt6-advertise-received"), 1)
        let garbage = InboundDatagram(bytes: [12, 0], interface: h.iface, source: .v6(H.clientAddress), sourcePort: 546, destination: .v6(H.multicast))
        XCTAssertEqual(h.engine.handle(datagram: garbage, now: h.now).events.map(\.logLine.id), ["DHCP6_PACKET_DROP_PARSE_FAIL"])
        XCTAssertEqual(h.stat("pkt6-parse-failed"), 1)
        XCTAssertEqual(h.stat("pkt6-receive-drop"), 15)
        XCTAssertEqual(h.stat("pkt6-sent"), 0)
        XCTAssertEqual(h.engine.store.count, 0)
        // A Request with this server's id goes through.
        XCTAssertNotNil(h.send(H.message(.request, duid: H.duid(1), nas: [H.ia(1)], serverID: H.serverDUID)).reply)
    }

    func testRelayedSolicitSelectsByInterfaceIDAndIsAnsweredThroughTheRelayChain() throws {
        var h = H()
        let s = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]),
                       relays: [H.Relay(link: "2001:db8:77::1", peer: "fe80::99", interfaceID: Array("ethx".utf8), hops: 1),
                                H.Relay(link: "::", peer: "fe80::2", interfaceID: [1, 2, 3], hops: 0)])
        XCTAssertEqual(s.reply?.firstNA?.addressList, [addr("2001:db8:2::10")], "the outermost relay's interface-id selects subnet 2")
        guard case .relay(let outer)? = s.outer, case .relay(let inner) = outer.relayedMessage else {
            return XCTFail("expected two relay-reply levels, got \(String(describing: s.outer))")
        }
        XCTAssertEqual(outer.direction, .reply)
        XCTAssertEqual(outer.hopCount, 1)
        XCTAssertEqual(outer.linkAddress, addr("2001:db8:77::1"))
        XCTAssertEqual(outer.peerAddress, addr("fe80::99"))
        XCTAssertEqual(outer.options.interfaceID, Array("ethx".utf8))
        XCTAssertEqual(inner.direction, .reply)
        XCTAssertEqual(inner.peerAddress, addr("fe80::2"))
        XCTAssertEqual(inner.options.interfaceID, [1, 2, 3])
        let d = try XCTUnwrap(s.effects.datagrams.first)
        XCTAssertEqual(d.destination, .v6(addr("2001:db8:ffff::1")))
        XCTAssertEqual(d.destinationPort, 547)
    }

    func testRelayedSubnetSelectionByRelayAddressThenLinkAddress() throws {
        var h = H()
        let byRelay = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]), relays: [H.Relay(link: "2001:db8:ffff::1")])
        XCTAssertEqual(byRelay.reply?.firstNA?.addressList, [addr("2001:db8:3::10")])
        let byLink = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]), relays: [H.Relay(link: "2001:db8:4::1")])
        XCTAssertEqual(byLink.reply?.firstNA?.addressList, [addr("2001:db8:4::10")])
        XCTAssertEqual(byLink.reply?.options[7], [200], "the subnet's always-send preference in the Advertise")
        XCTAssertNil(byRelay.reply?.options[7], "subnet 3 has none")
        // Two relays: the link-address of the relay nearest the client counts.
        let nested = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]),
                            relays: [H.Relay(link: "2001:db8:3::1"), H.Relay(link: "2001:db8:4::1")])
        // (Subnet 4's iterative allocator moved on when ::10 was advertised, as Kea's does.)
        XCTAssertEqual(nested.reply?.firstNA?.addressList, [addr("2001:db8:4::11")])
        // No subnet: options only, NoAddrsAvail in the IA.
        let none = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)], oro: [23]), relays: [H.Relay(link: "2001:db8:99::1")])
        let r = try XCTUnwrap(none.reply)
        XCTAssertEqual(r.firstNA?.statusCode, .noAddrsAvail)
        XCTAssertEqual(try r.firstNA?.status()?.message, "Server could not select subnet for this client")
        XCTAssertEqual(r.options[23], v6bytes("2001:db8::53"))
        XCTAssertTrue(none.ids.contains("DHCP6_SUBNET_SELECTION_FAILED"))
    }

    func testDirectSubnetSelectionByInterfaceAddress() throws {
        var h = H()
        h.iface = InterfaceInfo(name: "eth9", index: 3, addresses: [
            InterfaceAddress(address: .v6(addr("fe80::1")), prefixLength: 64),
            InterfaceAddress(address: .v6(addr("2001:db8:4::1")), prefixLength: 64)])
        let s = h.send(H.message(.solicit, duid: H.duid(1), nas: [H.ia(1)]))
        XCTAssertEqual(s.reply?.firstNA?.addressList, [addr("2001:db8:4::10")])
        XCTAssertEqual(s.effects.datagrams.first?.interfaceIndex, 3)
    }

    func testRenewExtendsOrAllocatesAndRebindFollowsKea() throws {
        var h = H()
        let a = try XCTUnwrap(h.acquire(duid: H.duid(1)))
        h.advance(seconds: 1000)
        let renew = h.send(H.message(.renew, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID))
        let r = try XCTUnwrap(renew.reply)
        XCTAssertEqual(r.firstNA?.addressList, [a])
        XCTAssertEqual(try r.firstNA?.addresses().first?.validLifetimeSeconds, 4000)
        XCTAssertEqual(renew.ids, ["DHCP6_LEASE_RENEW"])
        XCTAssertEqual(h.lease("\(a)")?.expire, h.now.wall + Seconds(4000))
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        XCTAssertEqual(h.stat("cumulative-assigned-nas"), 1, "a renewal is not a new assignment")
        XCTAssertEqual(h.stat("pkt6-renew-received"), 1)

        // An IA the server has no binding for, listing an address off the link: a new lease,
        // and the listed address with zero lifetimes.
        let unknown = try XCTUnwrap(h.send(H.message(.renew, duid: H.duid(1), nas: [H.ia(9, ["2001:db8:99::5"])],
                                                     serverID: H.serverDUID)).reply)
        let ia = try XCTUnwrap(unknown.firstNA)
        let listed = try ia.addresses()
        XCTAssertEqual(listed.count, 2)
        XCTAssertEqual(listed.first { $0.address == addr("2001:db8:99::5") }?.validLifetimeSeconds, 0)
        XCTAssertEqual(listed.first { $0.address != addr("2001:db8:99::5") }?.validLifetimeSeconds, 4000)

        // Rebind of an IA the server has no binding for: allocated on the link like a Renew,
        // the free address it lists honoured (Kea 2.2's replies, kea-diff6/rebind).
        let rbUnknown = try XCTUnwrap(h.send(H.message(.rebind, duid: H.duid(2), nas: [H.ia(3, ["2001:db8:1::13"])])).reply)
        let z = try XCTUnwrap(try rbUnknown.firstNA?.addresses())
        XCTAssertEqual(z.map(\.address), [addr("2001:db8:1::13")])
        XCTAssertEqual(z.first?.validLifetimeSeconds, 4000)
        XCTAssertEqual(z.first?.preferredLifetimeSeconds, 3000)
        XCTAssertNil(rbUnknown.firstNA?.statusCode)
        XCTAssertNotNil(h.lease("2001:db8:1::13"))

        // No subnet for the client's link: NoBinding; a Rebind of a prefix is discarded.
        let relay = [H.Relay(link: "2001:db8:99::1")]
        let rn = try XCTUnwrap(h.send(H.message(.renew, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID), relays: relay).reply)
        XCTAssertEqual(rn.firstNA?.statusCode, .noBinding)
        let rb = try XCTUnwrap(h.send(H.message(.rebind, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])]), relays: relay).reply)
        XCTAssertEqual(rb.firstNA?.statusCode, .noBinding)
        XCTAssertNil(h.send(H.message(.rebind, duid: H.duid(1), pds: [H.ia(1)]), relays: relay).reply)
        // Rebind on the link extends.
        let rb2 = h.send(H.message(.rebind, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])]))
        XCTAssertEqual(rb2.reply?.firstNA?.addressList, [a])
        XCTAssertEqual(rb2.ids, ["DHCP6_LEASE_RENEW"])
        XCTAssertEqual(h.stat("pkt6-rebind-received"), 4)
    }

    func testReleaseRemovesTheClientsLeaseOnly() throws {
        var h = H()
        let a = try XCTUnwrap(h.acquire(duid: H.duid(1)))
        let wrong = try XCTUnwrap(h.send(H.message(.release, duid: H.duid(2), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID)).reply)
        XCTAssertEqual(wrong.firstNA?.statusCode, .noBinding)
        XCTAssertEqual(wrong.status?.code, .noBinding)
        XCTAssertNotNil(h.lease("\(a)"))
        let wrongIAID = h.send(H.message(.release, duid: H.duid(1), nas: [H.ia(2, ["\(a)"])], serverID: H.serverDUID))
        XCTAssertEqual(wrongIAID.ids, ["DHCP6_RELEASE_NA_FAIL_WRONG_IAID"])
        XCTAssertNotNil(h.lease("\(a)"))

        let rel = h.send(H.message(.release, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID))
        let r = try XCTUnwrap(rel.reply)
        XCTAssertEqual(r.firstNA?.statusCode, .success)
        XCTAssertEqual(r.status?.code, .success)
        XCTAssertEqual(rel.ids, ["DHCP6_RELEASE_NA"])
        XCTAssertNil(h.lease("\(a)"))
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 0)
        let again = try XCTUnwrap(h.send(H.message(.release, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID)).reply)
        XCTAssertEqual(again.firstNA?.statusCode, .noBinding)
    }

    func testDeclineHoldsTheAddressForProbationThenReclaimsIt() throws {
        var h = H()
        let a = try XCTUnwrap(h.acquire(duid: H.duid(1)))
        let other = h.send(H.message(.decline, duid: H.duid(2), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID))
        XCTAssertEqual(other.reply?.firstNA?.statusCode, .noBinding)
        XCTAssertEqual(other.ids, ["DHCP6_DECLINE_FAIL_DUID_MISMATCH"])

        let dec = h.send(H.message(.decline, duid: H.duid(1), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID))
        XCTAssertEqual(dec.reply?.firstNA?.statusCode, .success)
        XCTAssertEqual(dec.ids, ["DHCP6_DECLINE_LEASE"])
        let l = try XCTUnwrap(h.lease("\(a)"))
        XCTAssertEqual(l.state, .declined)
        XCTAssertEqual(l.duid, Lease6.emptyDUID)
        XCTAssertEqual(l.expire, h.now.wall + Seconds(600))
        XCTAssertEqual(h.stat("declined-addresses"), 1)
        XCTAssertEqual(h.stat("subnet[1].declined-addresses"), 1)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        // Not given to anyone during probation.
        let s = try XCTUnwrap(h.send(H.message(.solicit, duid: H.duid(3), nas: [H.ia(1, ["\(a)"])])).reply)
        XCTAssertNotEqual(s.firstNA?.addressList, [a])

        h.advance(seconds: 601)
        let e = h.engine.handleDeadline(now: h.now)
        XCTAssertTrue(e.events.map(\.logLine.id).contains("ALLOC_ENGINE_V6_DECLINED_RECOVERED"))
        XCTAssertNotNil(e.transaction)
        _ = h.engine.handle(outcome: .durable, of: e.transaction!, now: h.now)
        XCTAssertNil(h.lease("\(a)"))
        XCTAssertEqual(h.stat("declined-addresses"), 0)
        XCTAssertEqual(h.stat("reclaimed-declined-addresses"), 1)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 0)
    }

    func testExpiredLeasesAreReclaimedOnTheTimer() throws {
        var h = H()
        let a = try XCTUnwrap(h.acquire(duid: H.duid(1)))
        XCTAssertEqual(h.engine.nextDeadline, MonotonicInstant(milliseconds: 10_000))
        h.advance(seconds: 100)
        XCTAssertTrue(h.engine.handleDeadline(now: h.now).writes.isEmpty, "not expired yet")
        h.advance(seconds: 4000)
        let e = h.engine.handleDeadline(now: h.now)
        XCTAssertEqual(e.events.map(\.logLine.id), ["ALLOC_ENGINE_V6_LEASE_RECLAIM"])
        XCTAssertNil(h.lease("\(a)"))
        XCTAssertEqual(h.stat("reclaimed-leases"), 1)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 0)
    }

    func testConfirmChecksTheAddressesAreOnLink() throws {
        var h = H()
        let on = try XCTUnwrap(h.send(H.message(.confirm, duid: H.duid(1), nas: [H.ia(1, ["2001:db8:1::77"])])).reply)
        XCTAssertEqual(on.status?.code, .success)
        XCTAssertEqual(on.status?.message, "All addresses are on-link")
        let off = try XCTUnwrap(h.send(H.message(.confirm, duid: H.duid(1), nas: [H.ia(1, ["2001:db8:1::77", "2001:db8:5::1"])])).reply)
        XCTAssertEqual(off.status?.code, .notOnLink)
        let empty = h.send(H.message(.confirm, duid: H.duid(1), nas: [H.ia(1)]))
        XCTAssertNil(empty.reply, "no addresses: no answer")
        XCTAssertEqual(h.stat("pkt6-unknown-received"), 3, "Kea counts Confirm under unknown")
    }

    func testInformationRequestGetsOptionsOnly() throws {
        var h = H()
        let r = try XCTUnwrap(h.send(H.message(.informationRequest, duid: nil, oro: [23, 24])).reply)
        XCTAssertEqual(r.messageType, .reply)
        XCTAssertNil(r.options.clientID)
        XCTAssertEqual(r.options.serverID, H.serverDUID)
        XCTAssertTrue(r.nas.isEmpty)
        XCTAssertEqual(r.options[23], v6bytes("2001:db8:1::53"))
        XCTAssertNotNil(r.options[24])
        XCTAssertEqual(h.stat("pkt6-infrequest-received"), 1)
        let withID = try XCTUnwrap(h.send(H.message(.informationRequest, duid: H.duid(4), oro: [23])).reply)
        XCTAssertEqual(withID.options.clientID, H.duid(4))
    }

    func testPrefixDelegationFromPDPoolsWithExcludedPrefix() throws {
        var h = H()
        XCTAssertEqual(h.stat("subnet[1].total-pds"), 4)
        let adv = try XCTUnwrap(h.send(H.message(.solicit, duid: H.duid(1), pds: [H.ia(7)], oro: [67])).reply)
        let pd = try XCTUnwrap(adv.pds.first)
        let p = try XCTUnwrap(try pd.prefixes().first)
        XCTAssertEqual(p.prefix, IPv6Prefix("2001:db8:8::/64"))
        XCTAssertEqual(p.validLifetimeSeconds, 4000)
        XCTAssertEqual(p.options[67], [72, 0x80], "RFC 6603: excluded /72 with subnet-ID bit 1")
        var req = H.message(.request, duid: H.duid(1), serverID: H.serverDUID)
        var ia = DHCPv6IA(iaid: 7)
        ia.options.append(p)
        req.options.append(iaPD: ia)
        let rep = h.send(req)
        XCTAssertEqual(try rep.reply?.pds.first?.prefixes().first?.prefix, IPv6Prefix("2001:db8:8::/64"))
        XCTAssertEqual(try rep.reply?.pds.first?.prefixes().first?.options[67], nil, "not requested this time")
        XCTAssertEqual(rep.ids, ["DHCP6_PD_LEASE_ALLOC"])
        let l = try XCTUnwrap(h.engine.store.lease(.delegatedPrefix, at: addr("2001:db8:8::")))
        XCTAssertEqual(l.prefixLength, 64)
        XCTAssertEqual(h.stat("subnet[1].assigned-pds"), 1)
        XCTAssertEqual(h.stat("cumulative-assigned-pds"), 1)
        // The next client gets the next prefix; release gives it back.
        let next = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(2), pds: [H.ia(1)], serverID: H.serverDUID)).reply)
        XCTAssertEqual(try next.pds.first?.prefixes().first?.prefix, IPv6Prefix("2001:db8:8:1::/64"))
        let rel = h.send({ var m = H.message(.release, duid: H.duid(1), serverID: H.serverDUID); m.options.append(iaPD: ia); return m }())
        XCTAssertEqual(rel.ids, ["DHCP6_RELEASE_PD"])
        XCTAssertEqual(h.stat("subnet[1].assigned-pds"), 1)
    }

    func testReservationsGiveReservedLeasesAndAreNeverGivenToOthers() throws {
        var h = H()
        let reserved: [UInt8] = [0, 3, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
        let r = try XCTUnwrap(h.send(H.message(.request, duid: reserved, nas: [H.ia(1)], pds: [H.ia(2)], oro: [31],
                                               serverID: H.serverDUID)).reply)
        XCTAssertEqual(r.firstNA?.addressList, [addr("2001:db8:1::100")], "reserved out of the pool")
        XCTAssertEqual(try r.pds.first?.prefixes().first?.prefix, IPv6Prefix("2001:db8:9::/64"))
        XCTAssertEqual(r.options[31], v6bytes("2001:db8:1::1"), "the reservation's option wins")
        XCTAssertEqual(h.lease("2001:db8:1::100")?.hostname, "res")
        // ::12 is reserved for hw-address 00:11:22:33:44:55: another client's hint is not honoured.
        let o = try XCTUnwrap(h.send(H.message(.request, duid: H.duid(5), nas: [H.ia(1, ["2001:db8:1::12"])], serverID: H.serverDUID)).reply)
        XCTAssertNotEqual(o.firstNA?.addressList, [addr("2001:db8:1::12")])
        // The owner (by its frame's source address) gets it.
        let owner = h.send(H.message(.request, duid: H.duid(6), nas: [H.ia(1)], serverID: H.serverDUID),
                           linkLayer: [0x00, 0x11, 0x22, 0x33, 0x44, 0x55])
        XCTAssertEqual(owner.reply?.firstNA?.addressList, [addr("2001:db8:1::12")])
    }

    func testANewReservationReplacesTheClientsDynamicLease() throws {
        var h = H()
        let duid = H.duid(7)
        let a = try XCTUnwrap(h.acquire(duid: duid))
        XCTAssertEqual(a, addr("2001:db8:1::10"))
        var c = h.engine.config
        var r = Reservation6(identifier: .duid(duid))
        r.addresses = [addr("2001:db8:1::200")]
        c.subnets[0].reservations.append(r)
        h.engine.reconfigure(c, now: h.now)
        let renew = try XCTUnwrap(h.send(H.message(.renew, duid: duid, nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID)).reply)
        let listed = try XCTUnwrap(try renew.firstNA?.addresses())
        XCTAssertEqual(listed.first { $0.address == addr("2001:db8:1::200") }?.validLifetimeSeconds, 4000)
        XCTAssertEqual(listed.first { $0.address == a }?.validLifetimeSeconds, 0, "the dynamic lease is retired")
        XCTAssertNil(h.lease("\(a)"))
        XCTAssertEqual(h.lease("2001:db8:1::200")?.duid, duid)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        // A Request from then on keeps the reserved lease.
        let req = try XCTUnwrap(h.send(H.message(.request, duid: duid, nas: [H.ia(1)], serverID: H.serverDUID)).reply)
        XCTAssertEqual(req.firstNA?.addressList, [addr("2001:db8:1::200")])
        XCTAssertEqual(h.stat("cumulative-assigned-nas"), 2)
    }

    func testRepliesWaitForTheWriteAndAFailureRollsBack() throws {
        var h = H()
        h.settlesAutomatically = false
        let s = h.send(H.message(.request, duid: H.duid(1), nas: [H.ia(1)], serverID: H.serverDUID))
        let id = try XCTUnwrap(s.effects.transaction)
        XCTAssertEqual(s.effects.writes.count, 1)
        XCTAssertNil(s.effects.writes[0].expected)
        XCTAssertEqual(h.engine.transactionsInFlight, 1)
        // Through the executor: nothing goes out until the store reports.
        final class Port: EffectPort {
            typealias Family = DHCPv6Family
            var sent: [OutboundDatagram] = []
            var logged: [Engine6Event] = []
            func persist(_ effects: Effects6) -> WriteOutcome6? { nil }
            func send(_ d: OutboundDatagram) { sent.append(d) }
            func log(_ e: Engine6Event) { logged.append(e) }
        }
        let port = Port()
        var exec = EffectExecutor<DHCPv6Family>()
        var engine = h.engine
        exec.execute(s.effects, engine: &engine, port: port, now: h.now)
        XCTAssertTrue(port.sent.isEmpty)
        XCTAssertEqual(exec.pendingCount, 1)
        exec.settle(id, .durable, engine: &engine, port: port, now: h.now)
        XCTAssertEqual(port.sent.count, 1)
        XCTAssertEqual(port.logged.map(\.logLine.id), ["DHCP6_LEASE_ALLOC"])

        // A failed write in the harness's own engine: the view and the counters roll back.
        XCTAssertNotNil(h.lease("2001:db8:1::10"))
        XCTAssertEqual(h.stat("pkt6-reply-sent"), 1)
        let f = h.engine.handle(outcome: .failed(reason: "disk full"), of: id, now: h.now)
        XCTAssertEqual(f.events.map(\.logLine.id), ["ALLOC_ENGINE_V6_ALLOC_ERROR", "DHCP6_PACKET_PROCESS_FAIL"])
        XCTAssertNil(h.lease("2001:db8:1::10"))
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 0)
        XCTAssertEqual(h.stat("pkt6-reply-sent"), 0)
        XCTAssertEqual(h.stat("cumulative-assigned-nas"), 0)
        XCTAssertEqual(h.engine.transactionsInFlight, 0)
        // A renewal's write is conditional on the row it extends.
        h.settlesAutomatically = true
        let a = try XCTUnwrap(h.acquire(duid: H.duid(2)))
        let before = try XCTUnwrap(h.lease("\(a)"))
        h.advance(seconds: 10)
        let renew = h.send(H.message(.renew, duid: H.duid(2), nas: [H.ia(1, ["\(a)"])], serverID: H.serverDUID))
        XCTAssertEqual(renew.effects.writes.first?.expected, before)
    }

    func testEveryEngine6EventIsCatalogued() {
        let c = Client6Label(duid: [0, 1, 2], transactionID: 0xabc)
        let a = IPv6Address("2001:db8::1")!
        let p = IPv6Prefix("2001:db8:8::/64")!
        let drops: [Drop6Reason] = [.parseFailed("x"), .serverIDMismatch(received: [1]), .requiredOptions("x"), .unicast(.solicit),
                                    .unknownMessageType(2), .leaseStoreFailed]
        var events: [Engine6Event] = drops.map { .dropped(client: c, reason: $0) }
        events += [.subnetSelectionFailed(client: c), .rapidCommit(client: c), .leaseAdvertised(client: c, address: a, iaid: 1),
                   .prefixAdvertised(client: c, prefix: p, iaid: 1), .leaseAllocated(client: c, address: a, iaid: 1, validSeconds: 1),
                   .prefixAllocated(client: c, prefix: p, iaid: 1, validSeconds: 1), .leaseRenewed(client: c, address: a, iaid: 1),
                   .prefixRenewed(client: c, prefix: p, iaid: 1), .addressAllocationFailed(client: c, iaid: 1, advertise: true),
                   .addressAllocationFailed(client: c, iaid: 1, advertise: false), .prefixAllocationFailed(client: c, iaid: 1, advertise: true),
                   .prefixAllocationFailed(client: c, iaid: 1, advertise: false), .released(client: c, address: a, iaid: 1),
                   .prefixReleased(client: c, prefix: p, iaid: 1), .releaseWrongOwner(client: c, address: a, owner: [1]),
                   .releaseWrongIAID(client: c, address: a, expected: 1, received: 2), .declined(client: c, address: a, probationSeconds: 1),
                   .declineNoLease(client: c, address: a), .declineWrongOwner(client: c, address: a, owner: [1]),
                   .declineWrongIAID(client: c, address: a, received: 1, expected: 2), .reclaimed(address: a, type: .nonTemporaryAddress, declined: false),
                   .reclaimed(address: a, type: .nonTemporaryAddress, declined: true), .leaseWriteFailed(client: c, address: a, reason: "x"),
                   .leaseConflict(client: nil, address: a)]
        let ncr = NameChangeRequest(changeType: .add, forward: true, reverse: true, fqdn: "h.example.org.", address: "2001:db8::1",
                                    dhcid: [0, 2, 1], leaseExpiresOn: WallTime(secondsSinceEpoch: 0), leaseLengthSeconds: 1,
                                    useConflictResolution: true)
        var remove = ncr
        remove.changeType = .remove
        events += [.nameChangeQueued(client: c, ncr), .nameChangeQueued(client: nil, ncr), .nameChangeQueued(client: c, remove)]
        events += [.fqdnReceived(client: c, option: "x"), .fqdnResponse(client: c, option: "y")]
        XCTAssertEqual(events.suffix(5).prefix(3).map(\.logLine.id),
                       ["DHCP6_DDNS_CREATE_ADD_NAME_CHANGE_REQUEST", "DHCPSRV_QUEUE_NCR", "DHCPSRV_QUEUE_NCR"])
        for e in events {
            let line = e.logLine
            XCTAssertEqual(LogCatalog.message(line.id)?.severity, line.severity, "\(line.id) missing from LogCatalog or at another severity")
            XCTAssertEqual(e.severity, line.severity, "\(line.id): severity differs from the log line's")
        }
        XCTAssertEqual(Engine6Event.leaseAllocated(client: c, address: a, iaid: 5, validSeconds: 4000).logLine.text,
                       "duid=[00:01:02], tid=0xabc: lease for address 2001:db8::1 and iaid=5 has been allocated for 4000 seconds")
    }
}
