import XCTest
@testable import KakapoCore

/// The DHCPv4 engine's protocol decisions, driven by a scripted client on a virtual clock.
final class EngineTests: XCTestCase {
    func testDORAGrantsPoolAddressWithConfiguredOptions() throws {
        var h = EngineHarness()
        let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        XCTAssertEqual(ack.messageType, .ack)
        XCTAssertEqual(ack.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(ack.serverIdentifier, IPv4Address(192, 0, 2, 1))
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpRenewalTime), 900)
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpRebindingTime), 1800)
        XCTAssertEqual(ack.options[DHCPv4Option.subnetMask], [255, 255, 255, 0])
        XCTAssertEqual(ack.options[DHCPv4Option.routers], [192, 0, 2, 1])
        XCTAssertNil(ack.options[42], "ntp-servers only when asked for in option 55")
        XCTAssertEqual(h.engine.store.count, 1)
        XCTAssertEqual(h.written.count, 1, "the ACKed lease is in the effects to persist")
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 1)
        XCTAssertEqual(h.engine.stats.value(.pktAckSent), 1)
        XCTAssertEqual(h.engine.stats.value(.pktOfferSent), 1)
    }

    func testRequestedOptionsAreSentOnlyWhenAsked() throws {
        var h = EngineHarness()
        let d = EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [(DHCPv4Option.dhcpParameterRequestList.code, [1, 3, 42])])
        let offer = try XCTUnwrap(h.send(d).replies.first)
        XCTAssertEqual(offer.options[42], [192, 0, 2, 3])
        XCTAssertNil(h.engine.store.lease(at: offer.yiaddr), "an OFFER writes no lease")
    }

    func testTwoClientsGetTwoAddressesAndReturningClientKeepsItsOwn() throws {
        var h = EngineHarness()
        let a = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        let b = try XCTUnwrap(h.dora(mac: EngineHarness.mac(2)))
        XCTAssertNotEqual(a.yiaddr, b.yiaddr)
        let again = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1), xid: 99))
        XCTAssertEqual(again.yiaddr, a.yiaddr)
    }

    func testRenewExtendsLeaseByUnicast() throws {
        var h = EngineHarness()
        let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        h.advance(seconds: 900)
        var renew = EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 8)
        renew.ciaddr = ack.yiaddr
        let (replies, effects) = h.send(renew)
        let r = try XCTUnwrap(replies.first)
        XCTAssertEqual(r.messageType, .ack)
        XCTAssertEqual(r.yiaddr, ack.yiaddr)
        XCTAssertEqual(effects.datagrams.first?.delivery, .unicast)
        XCTAssertEqual(effects.datagrams.first?.destination, .v4(ack.yiaddr))
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.expire, h.now.wall + Seconds(3600))
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 1, "a renewal does not count twice")
    }

    func testInitRebootUnknownClientIsIgnoredUnlessAuthoritative() throws {
        var h = EngineHarness()
        let req = EngineHarness.message(.request, mac: EngineHarness.mac(5), options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 15])])
        XCTAssertTrue(h.send(req).replies.isEmpty)
        var c = EngineHarness.config()
        c.authoritative = true
        var auth = EngineHarness(config: c)
        // Address held by someone else: authoritative server NAKs.
        _ = auth.dora(mac: EngineHarness.mac(1))
        let r = auth.send(EngineHarness.message(.request, mac: EngineHarness.mac(5), options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 10])])).replies
        XCTAssertEqual(r.first?.messageType, .nak)
    }

    func testRequestForWrongSubnetOrTakenAddressIsNaked() throws {
        var h = EngineHarness()
        _ = h.dora(mac: EngineHarness.mac(1))
        let sid = (DHCPv4Option.dhcpServerIdentifier.code, [UInt8]([192, 0, 2, 1]))
        let wrong = h.send(EngineHarness.message(.request, mac: EngineHarness.mac(2), options: [(DHCPv4Option.dhcpRequestedAddress.code, [198, 51, 100, 5]), sid]))
        XCTAssertEqual(wrong.replies.first?.messageType, .nak)
        XCTAssertEqual(wrong.effects.datagrams.first?.delivery, .broadcast)
        let taken = h.send(EngineHarness.message(.request, mac: EngineHarness.mac(2), options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 10]), sid]))
        XCTAssertEqual(taken.replies.first?.messageType, .nak)
        XCTAssertEqual(h.engine.stats.value(.pktNakSent), 2)
    }

    func testRequestForAnotherServerIsDropped() {
        var h = EngineHarness()
        let r = h.send(EngineHarness.message(.request, mac: EngineHarness.mac(2), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 10]), (DHCPv4Option.dhcpServerIdentifier.code, [203, 0, 113, 9])]))
        XCTAssertTrue(r.replies.isEmpty)
        XCTAssertEqual(h.engine.store.count, 0)
    }

    func testRequestedAddressHonouredWhenFree() throws {
        var h = EngineHarness()
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 17])])).replies.first)
        XCTAssertEqual(offer.yiaddr, IPv4Address(192, 0, 2, 17))
        let outside = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(2), options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 200])])).replies.first)
        XCTAssertTrue((10...19).contains(Int(outside.yiaddr.value & 0xFF)), "a hint outside the pools is ignored")
    }

    func testReleaseDeletesAndDeclineQuarantines() throws {
        var h = EngineHarness()
        let a = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        var rel = EngineHarness.message(.release, mac: EngineHarness.mac(1))
        rel.ciaddr = a.yiaddr
        _ = h.send(rel)
        XCTAssertNil(h.engine.store.lease(at: a.yiaddr))
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 0)
        let b = try XCTUnwrap(h.dora(mac: EngineHarness.mac(2)))
        _ = h.send(EngineHarness.message(.decline, mac: EngineHarness.mac(2), options: [(DHCPv4Option.dhcpRequestedAddress.code, b.yiaddr.bytes)]))
        let d = try XCTUnwrap(h.engine.store.lease(at: b.yiaddr))
        XCTAssertEqual(d.state, .declined)
        XCTAssertNil(d.hardwareAddress)
        XCTAssertEqual(d.validLifetimeSeconds, 86400)
        XCTAssertEqual(h.engine.stats.value(.declinedAddresses, subnet: 1), 1)
        XCTAssertEqual(h.engine.stats.value(.declinedAddresses), 1)
        // The declined address is not offered again during probation.
        let c = try XCTUnwrap(h.dora(mac: EngineHarness.mac(3)))
        XCTAssertNotEqual(c.yiaddr, b.yiaddr)
    }

    func testPoolExhaustionGivesNoOffer() {
        var h = EngineHarness()
        for i in 1...10 { XCTAssertNotNil(h.dora(mac: EngineHarness.mac(UInt8(i)))) }
        XCTAssertTrue(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(11))).replies.isEmpty)
        XCTAssertEqual(h.engine.stats.value(.allocationFail), 1)
    }

    func testReclamationOnDeadlineThenReuse() throws {
        var c = EngineHarness.config()
        c.timers.validLifetimeSeconds = 60
        c.timers.renewTimerSeconds = nil
        c.timers.rebindTimerSeconds = nil
        var h = EngineHarness(config: c)
        let a = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        h.advance(seconds: 61)
        XCTAssertTrue(h.engine.handleDeadline(now: Now(wall: h.now.wall, monotonic: MonotonicInstant(milliseconds: 1))).leaseChanges.isEmpty,
                      "a call before the deadline is a no-op")
        let e = h.engine.handleDeadline(now: h.now)
        XCTAssertEqual(e.leaseChanges.count, 1)
        XCTAssertEqual(h.engine.store.lease(at: a.yiaddr)?.state, .expiredReclaimed)
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 1)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 0)
        // Lease affinity: the same client gets the same address back.
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(1), xid: 50)?.yiaddr, a.yiaddr)
    }

    func testMalformedPacketIsCountedAndDropped() {
        var h = EngineHarness()
        let d = InboundDatagram(bytes: [1, 1, 6], interface: h.iface, source: .zero, sourcePort: 68, destination: .broadcast)
        let e = h.engine.handle(datagram: d, now: h.now)
        XCTAssertTrue(e.datagrams.isEmpty)
        XCTAssertEqual(h.engine.stats.value(.pktParseFailed), 1)
        XCTAssertNotNil(h.dora(mac: EngineHarness.mac(1)), "still serving")
    }

    func testRelayedDiscoverSelectsSubnetByGiaddrAndRepliesToRelay() throws {
        var c = EngineHarness.config()
        var s2 = Subnet4(id: 2, prefix: IPv4Prefix("198.51.100.0/24")!)
        s2.pools = [Pool4(first: IPv4Address(198, 51, 100, 50), last: IPv4Address(198, 51, 100, 60))]
        c.subnets.append(s2)
        var h = EngineHarness(config: c)
        var d = EngineHarness.message(.discover, mac: EngineHarness.mac(1))
        d.giaddr = IPv4Address(198, 51, 100, 1)
        let (replies, effects) = h.send(d)
        XCTAssertEqual(replies.first?.yiaddr, IPv4Address(198, 51, 100, 50))
        XCTAssertEqual(effects.datagrams.first?.destination, .v4(d.giaddr))
        XCTAssertEqual(effects.datagrams.first?.destinationPort, 67)
    }

    func testLinkLayerUnicastWithoutBroadcastFlag() throws {
        var h = EngineHarness()
        let e = h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1))).effects
        XCTAssertEqual(e.datagrams.first?.delivery, .linkLayerUnicast(hardwareAddress: EngineHarness.mac(1)))
    }

    func testClientIdentifierDecidesIdentity() throws {
        var h = EngineHarness()
        let cid: [UInt8] = [1, 2, 0, 0, 0, 0, 1]
        let m = EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [(DHCPv4Option.dhcpClientIdentifier.code, cid)])
        let offer = try XCTUnwrap(h.send(m).replies.first)
        XCTAssertEqual(offer.options[DHCPv4Option.dhcpClientIdentifier], cid, "echo-client-id")
    }
}

/// Host names from option 12 are kept in the lease, as Kea does.
final class EngineHostnameTests: XCTestCase {
    func testHostNameIsStored() throws {
        var h = EngineHarness()
        let mac = EngineHarness.mac(1)
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: mac)).replies.first)
        let req = EngineHarness.message(.request, mac: mac, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1]),
            (DHCPv4Option.hostName.code, Array("laptop-7".utf8) + [0])])
        XCTAssertEqual(h.send(req).replies.first?.messageType, .ack)
        XCTAssertEqual(h.engine.store.lease(at: offer.yiaddr)?.hostname, "laptop-7")
        XCTAssertNil(Dhcp4Engine<MemoryLeaseStore4>.hostname([0x07, 0x41]), "control characters are refused")
    }
}

/// Host reservations: the reserved client gets its address (even outside the pools), its
/// options and host name; nobody else gets a reserved address; a reserved client asking for
/// another address is refused so that it comes back for its own.
final class ReservationTests: XCTestCase {
    static func config() -> Dhcp4Config {
        var c = EngineHarness.config()
        var inPool = Reservation4(identifier: .hwAddress(HardwareAddress(bytes: EngineHarness.mac(9))))
        inPool.address = IPv4Address(192, 0, 2, 10)          // the pool's first address
        var outOfPool = Reservation4(identifier: .hwAddress(HardwareAddress(bytes: EngineHarness.mac(7))))
        outOfPool.address = IPv4Address(192, 0, 2, 200)
        outOfPool.hostname = "printer"
        outOfPool.optionData = [ConfiguredOption(code: 3, payload: [192, 0, 2, 254])]
        c.subnets[0].reservations = [inPool, outOfPool]
        return c
    }

    func testReservedClientGetsItsAddressOptionsAndName() throws {
        var h = EngineHarness(config: Self.config())
        let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(7)))
        XCTAssertEqual(ack.yiaddr, IPv4Address(192, 0, 2, 200), "out-of-pool reservation")
        XCTAssertEqual(ack.options[DHCPv4Option.routers], [192, 0, 2, 254], "reservation options win")
        // Kea sends (and records) the reserved name only to a client that sent option 12 or
        // asked for it (DDNS4Tests.testReservedHostnameForOption12NeedsOption12OrPRL).
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.hostname, "")
        var m = EngineHarness.message(.request, mac: EngineHarness.mac(7), xid: 8, options: [(12, Array("x".utf8))])
        m.ciaddr = ack.yiaddr
        _ = h.send(m)
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.hostname, "printer")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.poolID, 0)
    }

    func testOthersNeverGetAReservedAddress() throws {
        var h = EngineHarness(config: Self.config())
        let other = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        XCTAssertEqual(other.yiaddr, IPv4Address(192, 0, 2, 11), ".10 is reserved for another client")
        let asked = h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(2), options: [(DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 10])]))
        XCTAssertNotEqual(asked.replies.first?.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(try XCTUnwrap(h.dora(mac: EngineHarness.mac(9))).yiaddr, IPv4Address(192, 0, 2, 10))
    }

    func testReservedClientAskingForAnotherAddressIsRefused() {
        var h = EngineHarness(config: Self.config())
        let r = h.send(EngineHarness.message(.request, mac: EngineHarness.mac(7), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 15]), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])]))
        XCTAssertEqual(r.replies.first?.messageType, .nak)
    }
}

/// The cheap severity the packet path checks agrees with the one logged with the text.
final class EngineEventTests: XCTestCase {
    func testSeverityMatchesLogLine() {
        let c = ClientLabel(hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]), clientID: nil, xid: 1)
        let a = IPv4Address(192, 0, 2, 10)
        let events: [EngineEvent] = [
            .dropped(client: c, reason: .parseFailed(.truncatedHeader(length: 3))), .dropped(client: c, reason: .noSubnet),
            .dropped(client: c, reason: .notForThisServer(a)), .dropped(client: c, reason: .initRebootUnknownClient(a)),
            .dropped(client: c, reason: .noMessageType), .advertised(client: c, address: a),
            .allocated(client: c, address: a, lifetimeSeconds: 1), .renewed(client: c, address: a, lifetimeSeconds: 1),
            .nak(client: c, reason: .addressInUse(a)), .released(client: c, address: a),
            .declined(client: c, address: a, probationSeconds: 1), .informed(client: c),
            .allocationFailed(client: c, subnetID: 1), .reclaimed(address: a, declined: false, hardwareAddress: nil),
            .flushed(count: 1)]
        for e in events { XCTAssertEqual(e.severity, e.logLine.severity, "\(e)") }
    }
}
