@testable import KakapoCore
import XCTest

/// Kea 2.4's `compatibility` map: decoded into `Compatibility4`, and each flag on and off in
/// the engine.
final class CompatibilityTests: XCTestCase {
    private func decode(_ body: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse("{ \"Dhcp4\": { \(body) } }", file: "t.json", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root, optionEncoder: ConfigDecoderTests.stubEncoder)
    }

    // MARK: - Decoding

    func testFlagsDecodeIntoTypedValues() throws {
        let c = try decode("""
            "compatibility": { "lenient-option-parsing": true, "ignore-dhcp-server-identifier": true,
                               "ignore-rai-link-selection": true, "exclude-first-last-24": true }
            """)
        XCTAssertTrue(c.compatibility.lenientOptionParsing)
        XCTAssertTrue(c.compatibility.ignoreDHCPServerIdentifier)
        XCTAssertTrue(c.compatibility.ignoreRAILinkSelection)
        XCTAssertTrue(c.compatibility.excludeFirstLast24)
        XCTAssertFalse(c.ignoredKeys.contains { $0.path.hasPrefix("Dhcp4/compatibility") })
        // All are acted on (lenient-option-parsing: DDNS4Tests.testMalformedOption81).
        XCTAssertEqual(c.warnings.filter { $0.code == .notActedOn }.compactMap(\.key), [])
    }

    func testDefaultsAreOffAndFalseIsFalse() throws {
        XCTAssertEqual(try decode("").compatibility, Compatibility4())
        let c = try decode("\"compatibility\": { \"ignore-rai-link-selection\": false, \"exclude-first-last-24\": false }")
        XCTAssertEqual(c.compatibility, Compatibility4())
        XCTAssertTrue(c.warnings.isEmpty, "\(c.warnings)")
    }

    func testUnknownKeyAndWrongTypeAreErrors() {
        XCTAssertThrowsError(try decode("\"compatibility\": { \"no-such-flag\": true }")) { error in
            XCTAssertEqual((error as? ConfigError)?.message.contains("got unexpected keyword \"no-such-flag\" in compatibility map."), true,
                           "\(error)")
        }
        XCTAssertThrowsError(try decode("\"compatibility\": { \"exclude-first-last-24\": 1 }"))
        XCTAssertThrowsError(try decode("\"compatibility\": true"))
    }

    // MARK: - ignore-rai-link-selection

    /// The harness's 192.0.2.0/24 (the receiving interface's) plus 10.0.0.0/24.
    static func twoSubnets() -> Dhcp4Config {
        var c = EngineHarness.config()
        var s = Subnet4(id: 2, prefix: IPv4Prefix("10.0.0.0/24")!)
        s.pools = [Pool4(first: IPv4Address(10, 0, 0, 10), last: IPv4Address(10, 0, 0, 19))]
        c.subnets.append(s)
        return c
    }

    func testLinkSelectionChoosesTheSubnetUnlessIgnored() throws {
        let linkSelection: (UInt8, [UInt8]) = (DHCPv4Option.dhcpAgentOptions.code,
                                              [DHCPv4AgentSubOption.linkSelection.code, 4, 10, 0, 0, 1])
        var off = EngineHarness(config: Self.twoSubnets())
        let a = try XCTUnwrap(off.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [linkSelection])).replies.first)
        XCTAssertEqual(a.yiaddr, IPv4Address(10, 0, 0, 10))

        var config = Self.twoSubnets()
        config.compatibility.ignoreRAILinkSelection = true
        var on = EngineHarness(config: config)
        let b = try XCTUnwrap(on.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [linkSelection])).replies.first)
        XCTAssertEqual(b.yiaddr, IPv4Address(192, 0, 2, 10))
    }

    // MARK: - ignore-dhcp-server-identifier

    static func request(sid: IPv4Address) -> DHCPv4Message {
        EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 7, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, IPv4Address(192, 0, 2, 10).bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, sid.bytes)])
    }

    func testForeignServerIdentifierIsAcceptedOnlyWhenIgnored() throws {
        let foreign = IPv4Address(198, 51, 100, 7)
        var off = EngineHarness()
        let (dropped, e) = off.send(Self.request(sid: foreign))
        XCTAssertTrue(dropped.isEmpty)
        XCTAssertEqual(e.events.map(\.logLine.id), ["DHCP4_PACKET_DROP_0003"])

        var config = EngineHarness.config()
        config.compatibility.ignoreDHCPServerIdentifier = true
        var on = EngineHarness(config: config)
        XCTAssertEqual(on.send(Self.request(sid: foreign)).replies.first?.messageType, .ack)
        XCTAssertEqual(on.engine.store.lease(at: IPv4Address(192, 0, 2, 10))?.state, .assigned)
    }

    // MARK: - exclude-first-last-24

    /// One subnet holding the interface's address, with one pool.
    static func config(prefix: String, first: IPv4Address, last: IPv4Address, exclude: Bool) -> Dhcp4Config {
        var c = EngineHarness.config()
        var s = Subnet4(id: 1, prefix: IPv4Prefix(prefix)!)
        s.pools = [Pool4(first: first, last: last)]
        c.subnets = [s]
        c.compatibility.excludeFirstLast24 = exclude
        return c
    }

    /// Every address DISCOVERs get offered, one client after another, until none is left.
    static func offered(_ config: Dhcp4Config) -> [IPv4Address] {
        var h = EngineHarness(config: config)
        var addresses: [IPv4Address] = []
        for n in 1...10 {
            guard let ack = h.dora(mac: EngineHarness.mac(UInt8(n))), ack.messageType == .ack else { break }
            addresses.append(ack.yiaddr)
        }
        return addresses
    }

    func testFirstAndLastOfEach24AreSkippedInASlash23() {
        let first = IPv4Address(192, 0, 2, 254), last = IPv4Address(192, 0, 3, 1)
        XCTAssertEqual(Self.offered(Self.config(prefix: "192.0.2.0/23", first: first, last: last, exclude: false)),
                       [IPv4Address(192, 0, 2, 254), IPv4Address(192, 0, 2, 255), IPv4Address(192, 0, 3, 0), IPv4Address(192, 0, 3, 1)])
        XCTAssertEqual(Self.offered(Self.config(prefix: "192.0.2.0/23", first: first, last: last, exclude: true)),
                       [IPv4Address(192, 0, 2, 254), IPv4Address(192, 0, 3, 1)])
    }

    func testASlash24IsCoveredAndASlash25IsNot() {
        let first = IPv4Address(192, 0, 2, 0), last = IPv4Address(192, 0, 2, 1)
        XCTAssertEqual(Self.offered(Self.config(prefix: "192.0.2.0/24", first: first, last: last, exclude: true)),
                       [IPv4Address(192, 0, 2, 1)])
        XCTAssertEqual(Self.offered(Self.config(prefix: "192.0.2.0/25", first: first, last: last, exclude: true)),
                       [IPv4Address(192, 0, 2, 0), IPv4Address(192, 0, 2, 1)])
    }

    /// Only the free-address walk skips them: a client that asks for .0 gets it.
    func testARequestedDotZeroIsStillGranted() throws {
        var h = EngineHarness(config: Self.config(prefix: "192.0.2.0/24", first: IPv4Address(192, 0, 2, 0),
                                                  last: IPv4Address(192, 0, 2, 1), exclude: true))
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.dhcpRequestedAddress.code, IPv4Address(192, 0, 2, 0).bytes)])).replies.first)
        XCTAssertEqual(offer.yiaddr, IPv4Address(192, 0, 2, 0))
    }
}
