import XCTest
@testable import KakapoCore

/// Client classification in the engine, configured through the decoder as an operator would:
/// tests on option 60, option 61, relay4 and pkt4.mac choosing subnets and pools; class
/// options and their precedence; only-if-required classes; KNOWN/UNKNOWN and reservation
/// classes; DROP; VENDOR_CLASS_; BOOTP fields and lifetimes from classes.
final class ClassificationEngineTests: XCTestCase {
    static let relay = IPv4Address(198, 51, 100, 1)

    /// A Dhcp4 map from its inside (`body`); valid-lifetime 3600, subnets as given.
    static func config(_ body: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse(#"{ "Dhcp4": { "valid-lifetime": 3600, "# + body + " } }", file: "e.conf", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root)
    }

    /// The harness's own subnet (192.0.2.0/24 on eth0) with `extra` keys and these pools.
    static func localSubnet(_ extra: String = "", pools: String = #"[ { "pool": "192.0.2.10 - 192.0.2.19" } ]"#) -> String {
        #""subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "# + extra + #" "pools": "# + pools + " } ]"
    }

    /// Two relayed subnets behind `relay`: 10.0.0.0/24 (id 10, `guardA` keys) and 10.0.1.0/24 (id 20).
    static func relayedSubnets(guardA: String) -> String {
        """
        "subnet4": [
          { "id": 10, "subnet": "10.0.0.0/24", "relay": { "ip-addresses": [ "198.51.100.1" ] }, \(guardA)
            "pools": [ { "pool": "10.0.0.10 - 10.0.0.19" } ] },
          { "id": 20, "subnet": "10.0.1.0/24", "relay": { "ip-addresses": [ "198.51.100.1" ] },
            "pools": [ { "pool": "10.0.1.10 - 10.0.1.19" } ] } ]
        """
    }

    static let vendorClass = DHCPv4Option.vendorClassIdentifier.code
    static let clientID = DHCPv4Option.dhcpClientIdentifier.code
    static let prl = DHCPv4Option.dhcpParameterRequestList.code

    func discover(_ h: inout EngineHarness, mac n: UInt8, options: [(UInt8, [UInt8])] = [],
                  giaddr: IPv4Address? = nil) -> (offer: DHCPv4Message?, effects: Effects4) {
        var m = EngineHarness.message(.discover, mac: EngineHarness.mac(n), xid: UInt32(n), options: options)
        if let g = giaddr { m.giaddr = g }
        let (replies, effects) = h.send(m)
        return (replies.first, effects)
    }

    /// DISCOVER then REQUEST; returns the ACK.
    func dora(_ h: inout EngineHarness, mac n: UInt8, options: [(UInt8, [UInt8])] = [],
              file: StaticString = #filePath, line: UInt = #line) throws -> DHCPv4Message {
        let offer = try XCTUnwrap(discover(&h, mac: n, options: options).offer, "no OFFER", file: file, line: line)
        let request = EngineHarness.message(.request, mac: EngineHarness.mac(n), xid: UInt32(n), options: options + [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        let ack = try XCTUnwrap(h.send(request).replies.first, "no ACK", file: file, line: line)
        XCTAssertEqual(ack.messageType, .ack, file: file, line: line)
        return ack
    }

    func inSubnet(_ a: IPv4Address?, _ prefix: String) -> Bool {
        guard let a else { return false }
        return IPv4Prefix(prefix)!.contains(a)
    }

    // MARK: - Tests choosing subnets and pools

    func testOption60ClassGuardsASubnet() throws {
        let c = try Self.config("""
            "client-classes": [ { "name": "pxe", "test": "substring(option[60].text, 0, 9) == 'PXEClient'" } ],
            \(Self.relayedSubnets(guardA: #""client-class": "pxe","#))
            """)
        var h = EngineHarness(config: c)
        let pxe = discover(&h, mac: 1, options: [(Self.vendorClass, Array("PXEClient:Arch:00000".utf8))], giaddr: Self.relay).offer
        XCTAssertTrue(inSubnet(pxe?.yiaddr, "10.0.0.0/24"), "\(String(describing: pxe?.yiaddr))")
        let other = discover(&h, mac: 2, options: [(Self.vendorClass, Array("MSFT 5.0".utf8))], giaddr: Self.relay).offer
        XCTAssertTrue(inSubnet(other?.yiaddr, "10.0.1.0/24"), "the guarded subnet is skipped: \(String(describing: other?.yiaddr))")
    }

    func testVendorClassBuiltInGuardsASubnet() throws {
        let c = try Self.config(Self.relayedSubnets(guardA: #""client-class": "VENDOR_CLASS_docsis3.0","#))
        var h = EngineHarness(config: c)
        // Trailing NULs are not part of the class name (Kea's string option).
        let modem = discover(&h, mac: 1, options: [(Self.vendorClass, Array("docsis3.0".utf8) + [0])], giaddr: Self.relay).offer
        XCTAssertTrue(inSubnet(modem?.yiaddr, "10.0.0.0/24"))
        let other = discover(&h, mac: 2, options: [(Self.vendorClass, Array("docsis3.1".utf8))], giaddr: Self.relay).offer
        XCTAssertTrue(inSubnet(other?.yiaddr, "10.0.1.0/24"))
    }

    func testClientIDMacAndRelayTestsGuardPools() throws {
        let pools = """
            [ { "pool": "192.0.2.10 - 192.0.2.11", "client-class": "by-cid" },
              { "pool": "192.0.2.12 - 192.0.2.13", "client-class": "by-mac" },
              { "pool": "192.0.2.14 - 192.0.2.15", "client-class": "by-relay" },
              { "pool": "192.0.2.16 - 192.0.2.19" } ]
            """
        let c = try Self.config("""
            "client-classes": [
              { "name": "by-cid", "test": "option[61].hex == 0x01aabbccddeeff" },
              { "name": "by-mac", "test": "pkt4.mac == 0x020000000005" },
              { "name": "by-relay", "test": "relay4[1].hex == 'port-9'" } ],
            \(Self.localSubnet(pools: pools))
            """)
        // A fresh server for each client, so that the allocator's cursor starts at the first pool.
        func first(mac n: UInt8, _ options: [(UInt8, [UInt8])] = []) -> IPv4Address? {
            var h = EngineHarness(config: c)
            return discover(&h, mac: n, options: options).offer?.yiaddr
        }
        XCTAssertEqual(first(mac: 1), IPv4Address(192, 0, 2, 16), "no class: the unguarded pool only")
        XCTAssertEqual(first(mac: 2, [(Self.clientID, [1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff])]), IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(first(mac: 2, [(Self.clientID, [1, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x00])]), IPv4Address(192, 0, 2, 16))
        XCTAssertEqual(first(mac: 5), IPv4Address(192, 0, 2, 12))
        let rai: [UInt8] = [1, 6] + Array("port-9".utf8)
        XCTAssertEqual(first(mac: 6, [(DHCPv4Option.dhcpAgentOptions.code, rai)]), IPv4Address(192, 0, 2, 14))
    }

    func testAClientNoSubnetAdmitsIsDropped() throws {
        let c = try Self.config(Self.localSubnet(#""client-class": "nobody","#))
        var h = EngineHarness(config: c)
        let (offer, effects) = discover(&h, mac: 1)
        XCTAssertNil(offer)
        XCTAssertTrue(effects.events.contains(.dropped(client: ClientLabel(EngineHarness.message(.discover, mac: EngineHarness.mac(1), xid: 1)),
                                                       reason: .noSubnet)), "\(effects.events)")
    }

    // MARK: - Options

    func testClassOptionsAndPrecedence() throws {
        // Option 42 is set by the subnet and the class (the subnet wins); 44 by the class and
        // globally (the class wins); 69 by the class only.
        let c = try Self.config("""
            "option-data": [ { "code": 44, "data": "192.0.2.44" } ],
            "client-classes": [
              { "name": "a", "test": "option[60].text == 'a'", "option-data": [
                  { "code": 42, "data": "10.9.9.42" }, { "code": 44, "data": "10.9.9.44" }, { "code": 69, "data": "10.9.9.69" } ] },
              { "name": "b", "test": "option[60].text == 'a'", "option-data": [ { "code": 69, "data": "10.8.8.69" } ] } ],
            \(Self.localSubnet(#""option-data": [ { "code": 42, "data": "192.0.2.3" } ],"#))
            """)
        var h = EngineHarness(config: c)
        let asks: (UInt8, [UInt8]) = (Self.prl, [42, 44, 69])
        let member = try XCTUnwrap(discover(&h, mac: 1, options: [asks, (Self.vendorClass, Array("a".utf8))]).offer)
        XCTAssertEqual(member.options[42], [192, 0, 2, 3], "subnet beats class")
        XCTAssertEqual(member.options[44], [10, 9, 9, 44], "class beats global")
        XCTAssertEqual(member.options[69], [10, 9, 9, 69], "the first class joined wins")
        let outsider = try XCTUnwrap(discover(&h, mac: 2, options: [asks]).offer)
        XCTAssertEqual(outsider.options[44], [192, 0, 2, 44])
        XCTAssertNil(outsider.options[69])
    }

    func testOnlyIfRequiredClassesAreEvaluatedOnlyWhenRequired() throws {
        let classes = """
            "client-classes": [
              { "name": "req", "only-if-required": true, "test": "option[60].exists", "valid-lifetime": 77,
                "option-data": [ { "code": 69, "data": "10.0.0.69" } ] },
              { "name": "bare", "only-if-required": true, "option-data": [ { "code": 70, "data": "10.0.0.70" } ] },
              { "name": "never", "only-if-required": true, "test": "option[60].text == 'zz'",
                "option-data": [ { "code": 71, "data": "10.0.0.71" } ] } ],
            """
        let asks: [(UInt8, [UInt8])] = [(Self.prl, [69, 70, 71]), (Self.vendorClass, Array("x".utf8))]

        var notRequired = EngineHarness(config: try Self.config(classes + Self.localSubnet()))
        let plain = try dora(&notRequired, mac: 1, options: asks)
        XCTAssertNil(plain.options[69], "not required: not evaluated, though its test matches")
        XCTAssertNil(plain.options[70])

        let pools = #"[ { "pool": "192.0.2.10 - 192.0.2.19", "require-client-classes": [ "bare", "never" ] } ]"#
        var required = EngineHarness(config: try Self.config(
            classes + Self.localSubnet(#""require-client-classes": [ "req" ],"#, pools: pools)))
        let ack = try dora(&required, mac: 1, options: asks)
        XCTAssertEqual(ack.options[69], [10, 0, 0, 69], "required by the subnet, test matched")
        XCTAssertNil(ack.options[70], "required by the pool, no test: skipped (Kea 2.4, DHCP4_CLASS_UNTESTABLE)")
        XCTAssertNil(ack.options[71], "required, test false")
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpLeaseTime), 3600, "the lifetime is chosen before required classes")
        XCTAssertNil(try dora(&required, mac: 2, options: [(Self.prl, [69, 70])]).options[69], "no option 60: test false")
    }

    // MARK: - Host reservations

    func testKnownAndUnknownWithAReservation() throws {
        let c = try Self.config("""
            "client-classes": [
              { "name": "k", "test": "known", "option-data": [ { "code": 69, "data": "10.0.0.1" } ] },
              { "name": "u", "test": "unknown", "option-data": [ { "code": 70, "data": "10.0.0.2" } ] },
              { "name": "k2", "test": "member('k')", "option-data": [ { "code": 71, "data": "10.0.0.3" } ] } ],
            \(Self.localSubnet(#""reservations": [ { "hw-address": "02:00:00:00:00:05", "hostname": "five" } ],"#))
            """)
        XCTAssertTrue(c.clientClasses[2].dependsOnKnown)
        var h = EngineHarness(config: c)
        let asks: [(UInt8, [UInt8])] = [(Self.prl, [69, 70, 71])]
        let known = try XCTUnwrap(discover(&h, mac: 5, options: asks).offer)
        XCTAssertEqual(known.options[69], [10, 0, 0, 1])
        XCTAssertNil(known.options[70])
        XCTAssertEqual(known.options[71], [10, 0, 0, 3], "a class depending on KNOWN through member() waits for the lookup")
        let unknown = try XCTUnwrap(discover(&h, mac: 6, options: asks).offer)
        XCTAssertNil(unknown.options[69])
        XCTAssertEqual(unknown.options[70], [10, 0, 0, 2])
        XCTAssertNil(unknown.options[71])
    }

    func testReservationClassesGuardPoolsAndReplaceFirstPassResults() throws {
        let pools = """
            [ { "pool": "192.0.2.10 - 192.0.2.14", "client-class": "gold" }, { "pool": "192.0.2.15 - 192.0.2.19" } ]
            """
        let c = try Self.config("""
            "client-classes": [
              { "name": "gold", "option-data": [ { "code": 69, "data": "10.0.0.1" } ] },
              { "name": "plain", "test": "not member('gold')", "option-data": [ { "code": 70, "data": "10.0.0.2" } ] } ],
            \(Self.localSubnet(#""reservations": [ { "hw-address": "02:00:00:00:00:05", "client-classes": [ "gold" ] } ],"#, pools: pools))
            """)
        var h = EngineHarness(config: c)
        let asks: [(UInt8, [UInt8])] = [(Self.prl, [69, 70])]
        let gold = try dora(&h, mac: 5, options: asks)
        XCTAssertEqual(gold.yiaddr, IPv4Address(192, 0, 2, 10), "the reserved class opens the gold pool")
        XCTAssertEqual(gold.options[69], [10, 0, 0, 1])
        XCTAssertNil(gold.options[70], "the first pass is evaluated again over the reserved classes")
        let other = try dora(&h, mac: 6, options: asks)
        XCTAssertEqual(other.yiaddr, IPv4Address(192, 0, 2, 15))
        XCTAssertEqual(other.options[70], [10, 0, 0, 2])
        XCTAssertNil(other.options[69])
    }

    func testEarlyGlobalReservationClassesGuardSubnets() throws {
        let body = """
            "reservations-global": true,
            "reservations": [ { "hw-address": "02:00:00:00:00:05", "client-classes": [ "vip" ] } ],
            "client-classes": [ { "name": "vip" } ],
            \(Self.relayedSubnets(guardA: #""client-class": "vip","#))
            """
        var late = EngineHarness(config: try Self.config(body))
        XCTAssertTrue(inSubnet(discover(&late, mac: 5, giaddr: Self.relay).offer?.yiaddr, "10.0.1.0/24"),
                      "without the early lookup the reserved class comes after subnet selection")
        var early = EngineHarness(config: try Self.config(#""early-global-reservations-lookup": true, "# + body))
        XCTAssertTrue(inSubnet(discover(&early, mac: 5, giaddr: Self.relay).offer?.yiaddr, "10.0.0.0/24"))
        XCTAssertTrue(inSubnet(discover(&early, mac: 6, giaddr: Self.relay).offer?.yiaddr, "10.0.1.0/24"))
    }

    // MARK: - DROP

    func testDropClassDropsAndCounts() throws {
        let c = try Self.config("""
            "client-classes": [ { "name": "DROP", "test": "option[60].text == 'evil'" } ],
            \(Self.localSubnet())
            """)
        var h = EngineHarness(config: c)
        let before = h.engine.stats.value(.pktReceiveDrop)
        let (offer, effects) = discover(&h, mac: 1, options: [(Self.vendorClass, Array("evil".utf8))])
        XCTAssertNil(offer)
        XCTAssertTrue(effects.events.contains { if case .dropped(_, .dropClass) = $0 { true } else { false } }, "\(effects.events)")
        XCTAssertEqual(effects.events.first?.logLine.id, "DHCP4_PACKET_DROP_0010")
        XCTAssertEqual(h.engine.stats.value(.pktReceiveDrop), before + 1)
        XCTAssertNotNil(discover(&h, mac: 2, options: [(Self.vendorClass, Array("good".utf8))]).offer)
    }

    func testDropAfterHostLookup() throws {
        let c = try Self.config("""
            "client-classes": [ { "name": "DROP", "test": "unknown" } ],
            \(Self.localSubnet(#""reservations": [ { "hw-address": "02:00:00:00:00:05" } ],"#))
            """)
        var h = EngineHarness(config: c)
        XCTAssertNil(discover(&h, mac: 1).offer, "unknown clients are dropped")
        XCTAssertNotNil(discover(&h, mac: 5).offer, "the reserved client is served")
    }

    // MARK: - BOOTP fields and lifetimes

    func testBootFieldsFromClasses() throws {
        let c = try Self.config("""
            "boot-file-name": "global.efi", "server-hostname": "global-host",
            "client-classes": [
              { "name": "pxe", "test": "option[60].exists", "next-server": "192.0.2.5", "boot-file-name": "class.efi" },
              { "name": "second", "test": "option[60].exists", "server-hostname": "class-host", "boot-file-name": "second.efi" } ],
            \(Self.localSubnet(#""next-server": "192.0.2.4", "reservations": [ { "hw-address": "02:00:00:00:00:05", "boot-file-name": "host.efi" } ],"#))
            """)
        var h = EngineHarness(config: c)
        let opt60: [(UInt8, [UInt8])] = [(Self.vendorClass, Array("PXE".utf8))]
        let pxe = try XCTUnwrap(discover(&h, mac: 1, options: opt60).offer)
        XCTAssertEqual(pxe.siaddr, IPv4Address(192, 0, 2, 5), "a class beats the subnet")
        XCTAssertEqual(String(decoding: pxe.file.prefix { $0 != 0 }, as: UTF8.self), "class.efi", "the first class that sets it")
        XCTAssertEqual(String(decoding: pxe.sname.prefix { $0 != 0 }, as: UTF8.self), "class-host", "field by field")
        let host = try XCTUnwrap(discover(&h, mac: 5, options: opt60).offer)
        XCTAssertEqual(String(decoding: host.file.prefix { $0 != 0 }, as: UTF8.self), "host.efi", "the reservation beats classes")
        let plain = try XCTUnwrap(discover(&h, mac: 2).offer)
        XCTAssertEqual(plain.siaddr, IPv4Address(192, 0, 2, 4))
        XCTAssertEqual(String(decoding: plain.file.prefix { $0 != 0 }, as: UTF8.self), "global.efi")
    }

    func testLifetimesFromClasses() throws {
        let c = try Self.config("""
            "client-classes": [
              { "name": "short", "test": "option[60].text == 's'", "valid-lifetime": 600 },
              { "name": "bounded", "test": "option[60].text == 'b'", "min-valid-lifetime": 100, "max-valid-lifetime": 900 } ],
            \(Self.localSubnet(#""valid-lifetime": 1800,"#))
            """)
        var h = EngineHarness(config: c)
        let leaseTime = DHCPv4Option.dhcpLeaseTime.code
        XCTAssertEqual(try dora(&h, mac: 1, options: [(Self.vendorClass, [UInt8(ascii: "s")])]).options.u32(DHCPv4Option.dhcpLeaseTime), 600,
                       "a class's lifetime beats the subnet's")
        XCTAssertEqual(h.engine.store.lease(at: IPv4Address(192, 0, 2, 10))?.validLifetimeSeconds, 600)
        XCTAssertEqual(try dora(&h, mac: 2, options: [(Self.vendorClass, [UInt8(ascii: "b")]), (leaseTime, [0, 0, 0x27, 0x10])])
                        .options.u32(DHCPv4Option.dhcpLeaseTime), 900, "the class's bounds clamp the client's ask")
        XCTAssertEqual(try dora(&h, mac: 3).options.u32(DHCPv4Option.dhcpLeaseTime), 1800)
    }

    func testClassesOnTheExchangeSurviveARedecision() throws {
        // A conflict makes the engine decide the exchange again; the guard must still admit it.
        let c = try Self.config("""
            "client-classes": [ { "name": "pxe", "test": "option[60].exists" } ],
            \(Self.localSubnet(#""client-class": "pxe","#))
            """)
        var h = EngineHarness(config: c)
        h.engine.storeMayConflict = true
        h.settlesAutomatically = false
        let offer = try XCTUnwrap(discover(&h, mac: 1, options: [(Self.vendorClass, [1])]).offer)
        let request = EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 1, options: [(Self.vendorClass, [1]),
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        let first = h.send(request).effects
        let id = try XCTUnwrap(first.transaction)
        var rival = Lease4(address: offer.yiaddr, hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(9)), clientID: nil,
                           validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(3600), subnetID: 1)
        rival.hostname = "rival"
        let again = h.engine.handle(outcome: .conflict(address: offer.yiaddr, current: rival), of: id, now: h.now)
        let reply = try XCTUnwrap(again.datagrams.first.map { try DHCPv4Message.decode($0.bytes).get() })
        XCTAssertFalse(again.events.contains { if case .dropped(_, .noSubnet) = $0 { true } else { false } }, "\(again.events)")
        XCTAssertEqual(reply.messageType, .nak, "the requested address is taken now; the subnet was still found")
    }

    /// Template classes: a non-empty template-test value joins the template class and the
    /// spawned class SPAWN_<name>_<value>, which can guard a subnet.
    func testTemplateClassSpawnsAClassThatGuardsASubnet() throws {
        let c = try Self.config("""
            "client-classes": [ { "name": "tpl", "template-test": "substring(option[60].text, 0, 3)" } ],
            """ + Self.relayedSubnets(guardA: #""client-class": "SPAWN_tpl_abc","#))
        var h = EngineHarness(config: c)
        let spawned = try XCTUnwrap(discover(&h, mac: 1, options: [(Self.vendorClass, Array("abcdef".utf8))], giaddr: Self.relay).offer)
        XCTAssertEqual(spawned.yiaddr, IPv4Address(10, 0, 0, 10))
        let other = try XCTUnwrap(discover(&h, mac: 2, options: [(Self.vendorClass, Array("xyz".utf8))], giaddr: Self.relay).offer)
        XCTAssertEqual(other.yiaddr, IPv4Address(10, 0, 1, 10))
        let none = try XCTUnwrap(discover(&h, mac: 3, giaddr: Self.relay).offer)
        XCTAssertEqual(none.yiaddr, IPv4Address(10, 0, 1, 11), "empty value: no class")
    }
}
