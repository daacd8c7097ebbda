@testable import KakapoCore
import XCTest

/// DECLINE and RELEASE checks as Kea 2.4 makes them, with Kea's log IDs and wording, and the
/// RFC 5107 server-identifier override.
final class DeclineReleaseTests: XCTestCase {
    static let cid1: [UInt8] = [1, 2, 0, 0, 0, 0, 1]
    static let cid9: [UInt8] = [1, 2, 0, 0, 0, 0, 9]
    static let sid = IPv4Address(192, 0, 2, 1)

    /// DISCOVER, REQUEST for `mac` (with `cid` as option 61 when given); returns the ACK.
    static func dora(_ h: inout EngineHarness, mac: [UInt8], cid: [UInt8]? = nil) throws -> DHCPv4Message {
        let extra: [(UInt8, [UInt8])] = cid.map { [(DHCPv4Option.dhcpClientIdentifier.code, $0)] } ?? []
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: mac, xid: 7, options: extra)).replies.first)
        XCTAssertEqual(offer.messageType, .offer)
        let ack = try XCTUnwrap(h.send(EngineHarness.message(.request, mac: mac, xid: 7, options: extra + [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, sid.bytes)])).replies.first)
        XCTAssertEqual(ack.messageType, .ack)
        return ack
    }

    static func decline(mac: [UInt8], cid: [UInt8]? = nil, address: IPv4Address?, sid: IPv4Address? = sid) -> DHCPv4Message {
        var options: [(UInt8, [UInt8])] = []
        if let a = address { options.append((DHCPv4Option.dhcpRequestedAddress.code, a.bytes)) }
        if let c = cid { options.append((DHCPv4Option.dhcpClientIdentifier.code, c)) }
        if let s = sid { options.append((DHCPv4Option.dhcpServerIdentifier.code, s.bytes)) }
        return EngineHarness.message(.decline, mac: mac, options: options)
    }

    static func release(mac: [UInt8], cid: [UInt8]? = nil, address: IPv4Address, sid: IPv4Address? = sid) -> DHCPv4Message {
        var options: [(UInt8, [UInt8])] = []
        if let c = cid { options.append((DHCPv4Option.dhcpClientIdentifier.code, c)) }
        if let s = sid { options.append((DHCPv4Option.dhcpServerIdentifier.code, s.bytes)) }
        var m = EngineHarness.message(.release, mac: mac, options: options)
        m.ciaddr = address
        return m
    }

    /// The one log line of `effects` with `id`.
    static func line(_ effects: Effects4, _ id: String, file: StaticString = #filePath, line: UInt = #line) throws -> (id: String, severity: Severity, text: String) {
        let lines = effects.events.map(\.logLine).filter { $0.id == id }
        XCTAssertEqual(lines.count, 1, "\(effects.events)", file: file, line: line)
        return try XCTUnwrap(lines.first, file: file, line: line)
    }

    // MARK: - DECLINE

    func testDeclineWithoutRequestedAddressIsRefused() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1))
        let before = h.engine.store.lease(at: ack.yiaddr)
        let (replies, e) = h.send(Self.decline(mac: EngineHarness.mac(1), address: nil))
        XCTAssertTrue(replies.isEmpty)
        XCTAssertEqual(e.events, [.dropped(client: ClientLabel(hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(1)), clientID: nil, xid: 1),
                                           reason: .missingRequestedAddress)])
        let l = try Self.line(e, "DHCP4_PACKET_DROP_0007")
        XCTAssertEqual(l.severity, .debug)
        let label = "[hwtype=1 02:00:00:00:00:01], cid=[no info], tid=0x1"
        XCTAssertEqual(l.text, "\(label): failed to process packet: Mandatory 'Requested IP address' option missingin DHCPDECLINE sent from \(label)")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr), before)
        XCTAssertTrue(e.leaseChanges.isEmpty)
    }

    func testDeclineFromAnotherMACIsRefusedAndTheLeaseKept() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1))
        let before = try XCTUnwrap(h.engine.store.lease(at: ack.yiaddr))
        let (_, e) = h.send(Self.decline(mac: EngineHarness.mac(2), address: ack.yiaddr))
        let l = try Self.line(e, "DHCP4_DECLINE_LEASE_MISMATCH")
        XCTAssertEqual(l.severity, .warn)
        XCTAssertEqual(l.text, "Received DHCPDECLINE for addr 192.0.2.10 from client [hwtype=1 02:00:00:00:00:02], cid=[no info], tid=0x1, "
            + "but the data doesn't match: received hwaddr: 02:00:00:00:00:02, lease hwaddr: 02:00:00:00:00:01, "
            + "received client-id: (none), lease client-id: (none)")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr), before)
        XCTAssertEqual(before.state, .assigned)
        XCTAssertTrue(e.leaseChanges.isEmpty)
        XCTAssertEqual(h.engine.stats.value(.declinedAddresses), 0)
    }

    func testDeclineWithAnotherClientIDIsRefusedEvenFromTheSameMAC() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1), cid: Self.cid1)
        let before = try XCTUnwrap(h.engine.store.lease(at: ack.yiaddr))
        let (_, e) = h.send(Self.decline(mac: EngineHarness.mac(1), cid: Self.cid9, address: ack.yiaddr))
        let l = try Self.line(e, "DHCP4_DECLINE_LEASE_MISMATCH")
        XCTAssertEqual(l.text, "Received DHCPDECLINE for addr 192.0.2.10 from client [hwtype=1 02:00:00:00:00:01], cid=[01:02:00:00:00:00:09], tid=0x1, "
            + "but the data doesn't match: received hwaddr: 02:00:00:00:00:01, lease hwaddr: 02:00:00:00:00:01, "
            + "received client-id: 01:02:00:00:00:00:09, lease client-id: 01:02:00:00:00:00:01")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr), before)
        XCTAssertTrue(e.leaseChanges.isEmpty)
    }

    func testDeclineFromTheLeaseOwnerIsAccepted() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1), cid: Self.cid1)
        let (_, e) = h.send(Self.decline(mac: EngineHarness.mac(1), cid: Self.cid1, address: ack.yiaddr))
        let l = try Self.line(e, "DHCP4_DECLINE_LEASE")
        XCTAssertEqual(l.severity, .info)
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.state, .declined)
        XCTAssertEqual(h.engine.stats.value(.declinedAddresses), 1)
    }

    func testDeclineOfAnAddressWithoutLeaseIsLoggedAsNotFound() throws {
        var h = EngineHarness()
        let (_, e) = h.send(Self.decline(mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 15)))
        let l = try Self.line(e, "DHCP4_DECLINE_LEASE_NOT_FOUND")
        XCTAssertEqual(l.severity, .warn)
        XCTAssertEqual(l.text, "Received DHCPDECLINE for addr 192.0.2.15 from client [hwtype=1 02:00:00:00:00:01], cid=[no info], tid=0x1, but no such lease found.")
        XCTAssertNil(h.engine.store.lease(at: IPv4Address(192, 0, 2, 15)))
    }

    // MARK: - RELEASE

    func testReleaseFromAnotherMACIsRefusedAndTheLeaseKept() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1))
        let before = try XCTUnwrap(h.engine.store.lease(at: ack.yiaddr))
        let (_, e) = h.send(Self.release(mac: EngineHarness.mac(2), address: ack.yiaddr))
        let l = try Self.line(e, "DHCP4_RELEASE_FAIL_WRONG_CLIENT")
        XCTAssertEqual(l.severity, .debug)
        XCTAssertEqual(l.text, "[hwtype=1 02:00:00:00:00:02], cid=[no info], tid=0x1: client is trying to release the lease 192.0.2.10 which belongs to a different client")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr), before)
        XCTAssertTrue(e.leaseChanges.isEmpty)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 1)
        guard case .dropped(_, .releaseWrongClient(let m))? = e.events.first else { return XCTFail("\(e.events)") }
        XCTAssertEqual(m.leaseHardwareAddress, HardwareAddress(bytes: EngineHarness.mac(1)))
        XCTAssertEqual(m.receivedHardwareAddress, HardwareAddress(bytes: EngineHarness.mac(2)))
    }

    func testReleaseWithAnotherClientIDIsRefused() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1), cid: Self.cid1)
        let before = try XCTUnwrap(h.engine.store.lease(at: ack.yiaddr))
        let (_, e) = h.send(Self.release(mac: EngineHarness.mac(1), cid: Self.cid9, address: ack.yiaddr))
        let l = try Self.line(e, "DHCP4_RELEASE_FAIL_WRONG_CLIENT")
        XCTAssertEqual(l.text, "[hwtype=1 02:00:00:00:00:01], cid=[01:02:00:00:00:00:09], tid=0x1: client is trying to release the lease 192.0.2.10 which belongs to a different client")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr), before)
    }

    func testReleaseFromTheLeaseOwnerIsAccepted() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1), cid: Self.cid1)
        let (_, e) = h.send(Self.release(mac: EngineHarness.mac(1), cid: Self.cid1, address: ack.yiaddr))
        let l = try Self.line(e, "DHCP4_RELEASE")
        XCTAssertEqual(l.text, "[hwtype=1 02:00:00:00:00:01], cid=[01:02:00:00:00:00:01], tid=0x1: address 192.0.2.10 was released properly.")
        XCTAssertNil(h.engine.store.lease(at: ack.yiaddr))
    }

    func testReleaseOfAnUnknownLeaseIsLoggedAsKeaDoes() throws {
        var h = EngineHarness()
        let (_, e) = h.send(Self.release(mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 12)))
        let l = try Self.line(e, "DHCP4_RELEASE_FAIL_NO_LEASE")
        XCTAssertEqual(l.severity, .debug)
        XCTAssertEqual(l.text, "[hwtype=1 02:00:00:00:00:01], cid=[no info], tid=0x1: client is trying to release non-existing lease 192.0.2.12")
    }

    func testReleaseAndDeclineNamingAnotherServerAreDropped() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1))
        let foreign = IPv4Address(198, 51, 100, 7)
        let (_, r) = h.send(Self.release(mac: EngineHarness.mac(1), address: ack.yiaddr, sid: foreign))
        XCTAssertEqual(try Self.line(r, "DHCP4_PACKET_DROP_0003").text,
                       "[hwtype=1 02:00:00:00:00:01], cid=[no info], tid=0x1: it contains a foreign server identifier 198.51.100.7")
        let (_, d) = h.send(Self.decline(mac: EngineHarness.mac(1), address: ack.yiaddr, sid: foreign))
        _ = try Self.line(d, "DHCP4_PACKET_DROP_0003")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.state, .assigned)
    }

    // MARK: - RFC 5107 server-identifier override

    /// Option 82 carrying only sub-option 11 with `a`.
    static func rai(serverIDOverride a: IPv4Address) -> (UInt8, [UInt8]) {
        (DHCPv4Option.dhcpAgentOptions.code, [DHCPv4AgentSubOption.serverIdOverride.code, 4] + a.bytes)
    }

    static func relayedRequest(mac: [UInt8], address: IPv4Address, sid: IPv4Address, override: IPv4Address?) -> DHCPv4Message {
        var options: [(UInt8, [UInt8])] = [(DHCPv4Option.dhcpRequestedAddress.code, address.bytes),
                                           (DHCPv4Option.dhcpServerIdentifier.code, sid.bytes)]
        if let o = override { options.append(rai(serverIDOverride: o)) }
        var m = EngineHarness.message(.request, mac: mac, xid: 7, options: options)
        m.giaddr = IPv4Address(192, 0, 2, 254)
        return m
    }

    func testRequestWhoseServerIDIsTheRelayOverrideIsForThisServer() throws {
        var h = EngineHarness()
        let relayAddress = IPv4Address(192, 0, 2, 254)
        let r = h.send(Self.relayedRequest(mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 10), sid: relayAddress, override: relayAddress))
        XCTAssertEqual(r.replies.first?.messageType, .ack)
        XCTAssertEqual(h.engine.store.lease(at: IPv4Address(192, 0, 2, 10))?.hardwareAddress, HardwareAddress(bytes: EngineHarness.mac(1)))
    }

    func testForeignServerIDIsStillDroppedWhenTheOverrideNamesAnother() throws {
        var h = EngineHarness()
        let foreign = IPv4Address(198, 51, 100, 7)
        for override in [nil, IPv4Address(192, 0, 2, 254)] {
            let (replies, e) = h.send(Self.relayedRequest(mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 10), sid: foreign, override: override))
            XCTAssertTrue(replies.isEmpty)
            XCTAssertEqual(try Self.line(e, "DHCP4_PACKET_DROP_0003").text,
                           "[hwtype=1 02:00:00:00:00:01], cid=[no info], tid=0x7: it contains a foreign server identifier 198.51.100.7")
        }
        XCTAssertNil(h.engine.store.lease(at: IPv4Address(192, 0, 2, 10)))
    }

    func testReleaseWhoseServerIDIsTheRelayOverrideIsAccepted() throws {
        var h = EngineHarness()
        let ack = try Self.dora(&h, mac: EngineHarness.mac(1))
        let relayAddress = IPv4Address(192, 0, 2, 254)
        var rel = Self.release(mac: EngineHarness.mac(1), address: ack.yiaddr, sid: relayAddress)
        let (code, bytes) = Self.rai(serverIDOverride: relayAddress)
        rel.options[code] = bytes
        let (_, e) = h.send(rel)
        _ = try Self.line(e, "DHCP4_RELEASE")
        XCTAssertNil(h.engine.store.lease(at: ack.yiaddr))
    }
}
