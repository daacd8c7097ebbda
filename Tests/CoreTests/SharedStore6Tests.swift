@testable import KakapoCore
import XCTest

/// DHCPv6 with a store shared with other servers: the keys a datagram reads and the rows shown
/// to the engine (the twin of SharedStoreTests).
final class SharedStore6Tests: XCTestCase {
    func lease(_ a: String, duid n: UInt8, iaid: UInt32 = 1, _ h: Engine6Harness) -> Lease6 {
        Lease6(type: .nonTemporaryAddress, address: IPv6Address(a)!, duid: Engine6Harness.duid(n), iaid: iaid,
               preferredLifetimeSeconds: 3000, validLifetimeSeconds: 4000, expire: h.now.wall + Seconds(4000), subnetID: 1)
    }

    func testLeaseKeysNameEachIAAndItsAddressesThroughRelays() {
        let h = Engine6Harness()
        var pd = DHCPv6IA(iaid: 9)
        pd.options.append(DHCPv6IAPrefix(prefix: IPv6Prefix(network: IPv6Address("2001:db8:8::")!, length: 64),
                                         preferredLifetimeSeconds: 0, validLifetimeSeconds: 0))
        let m = Engine6Harness.message(.request, duid: Engine6Harness.duid(1), nas: [Engine6Harness.ia(3, ["2001:db8:1::10"])], pds: [pd])
        let relayed = DHCPv6Message.relay(DHCPv6RelayMessage(direction: .forward, hopCount: 0, linkAddress: IPv6Address("2001:db8:1::2")!,
                                                              peerAddress: IPv6Address("fe80::2")!, options: DHCPv6Options(),
                                                              relayedMessage: .client(m)))
        let d = InboundDatagram(bytes: relayed.encode(), interface: h.iface, source: .v6(IPv6Address("2001:db8:1::2")!), sourcePort: 547,
                                destination: .v6(IPv6Address("2001:db8:1::1")!))
        XCTAssertEqual(Dhcp6Engine<MemoryLeaseStore6>.leaseKeys(of: d), [
            .identity(type: .nonTemporaryAddress, duid: Engine6Harness.duid(1), iaid: 3), .address(IPv6Address("2001:db8:1::10")!),
            .identity(type: .delegatedPrefix, duid: Engine6Harness.duid(1), iaid: 9), .address(IPv6Address("2001:db8:8::")!)])
        let anonymous = Engine6Harness.message(.solicit, duid: nil, nas: [Engine6Harness.ia(1)])
        XCTAssertTrue(Dhcp6Engine<MemoryLeaseStore6>.leaseKeys(of: InboundDatagram(
            bytes: DHCPv6Message.client(anonymous).encode(), interface: h.iface, source: .v6(Engine6Harness.clientAddress),
            sourcePort: 546, destination: .v6(Engine6Harness.multicast))).isEmpty)
    }

    /// Rows shown are added, changed and removed for their keys, with the gauges; the client
    /// of another server's row is advertised that address.
    func testShowStoreRowsAndTheAdvertise() throws {
        var h = Engine6Harness()
        h.engine.storeMayConflict = true
        let theirs = lease("2001:db8:1::11", duid: 5, h)
        h.engine.showStoreRows([theirs], forKeys: [.identity(type: .nonTemporaryAddress, duid: Engine6Harness.duid(5), iaid: 1)], now: h.now.wall)
        XCTAssertEqual(h.lease("2001:db8:1::11"), theirs)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        let adv = try XCTUnwrap(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(5), nas: [Engine6Harness.ia(1)])).reply)
        XCTAssertEqual(try adv.options.iaNAs().first?.addresses().first?.address, theirs.address)
        // Moved by the other server to .13 (.12 is reserved): the old row goes, the new one comes.
        let moved = lease("2001:db8:1::13", duid: 5, h)
        h.engine.showStoreRows([moved], forKeys: [.identity(type: .nonTemporaryAddress, duid: Engine6Harness.duid(5), iaid: 1)], now: h.now.wall)
        XCTAssertNil(h.lease("2001:db8:1::11"))
        XCTAssertEqual(h.lease("2001:db8:1::13"), moved)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 1)
        h.engine.showAllStoreRows([], now: h.now.wall)
        XCTAssertEqual(h.engine.store.count, 0)
        XCTAssertEqual(h.stat("subnet[1].assigned-nas"), 0)
    }
}
