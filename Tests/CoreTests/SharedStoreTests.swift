@testable import KakapoCore
import XCTest

/// A store shared with other servers: the shell asks which lease keys a datagram reads, shows
/// the engine the store's rows for them, and the engine's view and gauges follow.
final class SharedStoreTests: XCTestCase {
    let a10 = IPv4Address(192, 0, 2, 10), a11 = IPv4Address(192, 0, 2, 11), a12 = IPv4Address(192, 0, 2, 12)

    func lease(_ a: IPv4Address, mac n: UInt8, _ h: EngineHarness, state: LeaseState = .assigned) -> Lease4 {
        var l = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(n)), clientID: nil,
                       validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(3600), subnetID: 1)
        l.state = state
        return l
    }

    func datagram(_ m: DHCPv4Message, _ h: EngineHarness) -> InboundDatagram {
        InboundDatagram(bytes: m.encode(), interface: h.iface, source: m.ciaddr, sourcePort: 68, destination: .broadcast)
    }

    func assigned(_ h: EngineHarness) -> Int64 { h.engine.stats.value(.assignedAddresses, subnet: 1) }
    func declined(_ h: EngineHarness) -> Int64 { h.engine.stats.value(.declinedAddresses, subnet: 1) }

    func testLeaseKeysNameChaddrClientIDRequestedAddressAndCiaddr() {
        let h = EngineHarness()
        var m = EngineHarness.message(.request, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, a10.bytes), (61, [1, 2, 3])])
        m.ciaddr = a11
        let keys = Dhcp4Engine<MemoryLeaseStore4>.leaseKeys(of: datagram(m, h))
        XCTAssertEqual(keys.count, 4)
        guard keys.count == 4 else { return }
        if case .hardwareAddress(let hw) = keys[0] { XCTAssertEqual(hw.bytes, EngineHarness.mac(1)) } else { XCTFail("\(keys[0])") }
        if case .clientID(let c) = keys[1] { XCTAssertEqual(c, [1, 2, 3]) } else { XCTFail("\(keys[1])") }
        if case .address(let r) = keys[2] { XCTAssertEqual(r, a10) } else { XCTFail("\(keys[2])") }
        if case .address(let c) = keys[3] { XCTAssertEqual(c, a11) } else { XCTFail("\(keys[3])") }
        // A DISCOVER without options: the chaddr only; garbage: nothing.
        XCTAssertEqual(Dhcp4Engine<MemoryLeaseStore4>.leaseKeys(of: datagram(EngineHarness.message(.discover, mac: EngineHarness.mac(2)), h)).count, 1)
        let junk = InboundDatagram(bytes: [1, 2, 3], interface: h.iface, source: .zero, sourcePort: 68, destination: .broadcast)
        XCTAssertTrue(Dhcp4Engine<MemoryLeaseStore4>.leaseKeys(of: junk).isEmpty)
    }

    /// Rows are added, changed and removed for the keys shown; rows for other keys stay; the
    /// gauges follow every change.
    func testShowStoreRowsAddsChangesAndRemovesWithGauges() {
        var h = EngineHarness()
        let mine = lease(a10, mac: 1, h), other = lease(a11, mac: 2, h), third = lease(a12, mac: 3, h)
        h.engine.showStoreRows([mine, other], forKeys: [.address(a10), .address(a11)], now: h.now.wall)
        XCTAssertEqual(h.engine.store.lease(at: a10), mine)
        XCTAssertEqual(h.engine.store.lease(at: a11), other)
        XCTAssertEqual(assigned(h), 2)
        h.engine.showStoreRows([third], forKeys: [.address(a12)], now: h.now.wall)
        XCTAssertEqual(assigned(h), 3)

        // Another server renewed client 1 and moved client 2 to .12 (over client 3's row).
        var renewed = mine
        renewed.expire = renewed.expire + Seconds(100)
        let moved = lease(a12, mac: 2, h)
        h.engine.showStoreRows([renewed, moved], forKeys: [.hardwareAddress(HardwareAddress(bytes: EngineHarness.mac(1))),
                                                          .hardwareAddress(HardwareAddress(bytes: EngineHarness.mac(2)))],
                               now: h.now.wall)
        XCTAssertEqual(h.engine.store.lease(at: a10), renewed)
        XCTAssertNil(h.engine.store.lease(at: a11), "client 2's old row is gone from the store: gone from the view")
        XCTAssertEqual(h.engine.store.lease(at: a12), moved)
        XCTAssertEqual(h.engine.store.leases(for: .hardwareAddress(HardwareAddress(bytes: EngineHarness.mac(3)))), [])
        XCTAssertEqual(assigned(h), 2)

        // A row turning declined moves between the gauges; an unshown key keeps its row.
        let declinedRow = lease(a10, mac: 1, h, state: .declined)
        h.engine.showStoreRows([declinedRow], forKeys: [.address(a10)], now: h.now.wall)
        XCTAssertEqual(assigned(h), 1)
        XCTAssertEqual(declined(h), 1)
        XCTAssertEqual(h.engine.store.lease(at: a12), moved)

        // Nothing in the store for the key: removed, gauges down.
        h.engine.showStoreRows([], forKeys: [.address(a10), .address(a12)], now: h.now.wall)
        XCTAssertEqual(h.engine.store.count, 0)
        XCTAssertEqual(assigned(h), 0)
        XCTAssertEqual(declined(h), 0)
    }

    /// The whole store shown: the view becomes exactly the rows, gauges recounted alike.
    func testShowAllStoreRowsReplacesTheView() {
        var h = EngineHarness()
        h.engine.showStoreRows([lease(a10, mac: 1, h), lease(a11, mac: 2, h)], forKeys: [.address(a10), .address(a11)], now: h.now.wall)
        h.engine.showAllStoreRows([lease(a12, mac: 3, h)], now: h.now.wall)
        XCTAssertEqual(h.engine.store.all().map(\.address), [a12])
        XCTAssertEqual(assigned(h), 1)
        var fresh = h.engine
        fresh.recountStatistics(now: h.now.wall)
        XCTAssertEqual(fresh.stats.value(.assignedAddresses, subnet: 1), assigned(h))
    }

    /// The engine offers an address another server holds unless the row is shown first; a row
    /// shown for the client itself is offered back to it.
    func testShownRowsDecideTheOffer() throws {
        var h = EngineHarness()
        h.engine.storeMayConflict = true
        // Another server's lease for client 5 at .15.
        h.engine.showStoreRows([lease(IPv4Address(192, 0, 2, 15), mac: 5, h)],
                               forKeys: [.hardwareAddress(HardwareAddress(bytes: EngineHarness.mac(5)))], now: h.now.wall)
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(5))).replies.first)
        XCTAssertEqual(offer.yiaddr, IPv4Address(192, 0, 2, 15))
        let e = h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(6))).effects
        let offered = try XCTUnwrap(h.engine.newlyOfferedAddress(in: e), "a new client's offer is of a row-less address")
        XCTAssertNotEqual(offered, IPv4Address(192, 0, 2, 15))
        // Once the store shows that address taken, the next decision avoids it.
        h.engine.showStoreRows([lease(offered, mac: 7, h)], forKeys: [.address(offered)], now: h.now.wall)
        let again = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(6))).replies.first)
        XCTAssertNotEqual(again.yiaddr, offered)
        XCTAssertNil(h.engine.newlyOfferedAddress(in: h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(5))).effects),
                     "an offer of the client's own row needs no check")
    }

    /// An offer the shell withdraws leaves the counters as if the DISCOVER had not been handled
    /// yet: handled again, it is counted once.
    func testWithdrawnOfferIsNotCounted() {
        var h = EngineHarness()
        let discover = EngineHarness.message(.discover, mac: EngineHarness.mac(1))
        _ = h.send(discover)
        h.engine.withdrawOffer(now: h.now.wall)
        _ = h.send(discover)
        XCTAssertEqual(h.engine.stats.value(.pktReceived), 1)
        XCTAssertEqual(h.engine.stats.value(.pktDiscoverReceived), 1)
        XCTAssertEqual(h.engine.stats.value(.pktOfferSent), 1)
        XCTAssertEqual(h.engine.stats.value(.pktSent), 1)
    }

    func testCountDroppedCountsReceivedAndDropped() {
        var h = EngineHarness()
        h.engine.countDropped(3, now: h.now.wall)
        XCTAssertEqual(h.engine.stats.value(.pktReceived), 3)
        XCTAssertEqual(h.engine.stats.value(.pktReceiveDrop), 3)
    }
}
