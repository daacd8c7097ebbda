import XCTest
@testable import KakapoCore

/// DHCPv6 classification in the engine: tests evaluated per message, `client-class` guards on
/// subnets, pools and pd-pools, class options and lifetimes, DROP, reserved classes and
/// `require-client-classes`, as kea-dhcp6 2.4 applies them.
final class Classification6EngineTests: XCTestCase {
    static let configText = """
    { "Dhcp6": {
        "preferred-lifetime": 3000, "valid-lifetime": 4000,
        "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
        "client-classes": [
          { "name": "lab", "test": "substring(option[15].hex, 2, all) == 'lab1'",
            "preferred-lifetime": 500, "valid-lifetime": 900,
            "option-data": [ { "name": "dns-servers", "data": "2001:db8::aaaa" },
                             { "name": "sntp-servers", "data": "2001:db8::123" } ] },
          { "name": "port-a", "test": "relay6[0].option[18].hex == 'port-a'",
            "option-data": [ { "name": "domain-search", "data": "a.example.com" } ] },
          { "name": "DROP", "test": "substring(option[15].hex, 2, all) == 'evil'" },
          { "name": "gold", "option-data": [ { "name": "nisp-servers", "data": "2001:db8::9" } ] },
          { "name": "needy", "test": "member('KNOWN')", "only-if-required": true,
            "option-data": [ { "name": "nis-servers", "data": "2001:db8::27" } ] },
          { "name": "router", "test": "member('VENDOR_CLASS_eRouter1.0')",
            "option-data": [ { "name": "sntp-servers", "data": "2001:db8::777" } ] },
          { "name": "known-lab", "test": "known and member('lab')",
            "option-data": [ { "name": "nisp-servers", "data": "2001:db8::8" } ] }
        ],
        "subnet6": [
          { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "require-client-classes": [ "needy" ],
            "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::1f", "client-class": "lab" },
                       { "pool": "2001:db8:1::100 - 2001:db8:1::10f" } ],
            "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 64, "client-class": "lab" } ],
            "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:09", "client-classes": [ "gold" ] } ] },
          { "id": 2, "subnet": "2001:db8:2::/64", "client-class": "port-a",
            "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::1f" } ] }
        ]
    } }
    """

    static let oro: [UInt16] = [23, 24, 27, 28, 31]

    func harness() -> Engine6Harness { Engine6Harness(configText: Self.configText) }

    static func solicit(_ n: UInt8, userClass: String? = nil, vendorClass: [String] = [], pd: Bool = false) -> DHCPv6ClientMessage {
        var m = Engine6Harness.message(.solicit, duid: Engine6Harness.duid(n), nas: [Engine6Harness.ia(1)],
                                       pds: pd ? [DHCPv6IA(iaid: 2)] : [], oro: oro)
        if let userClass { m.options.append(15, [0, UInt8(userClass.utf8.count)] + Array(userClass.utf8)) }
        if !vendorClass.isEmpty {
            m.options.append(16, [0, 0, 0x11, 0x8B] + vendorClass.flatMap { [0, UInt8($0.utf8.count)] + Array($0.utf8) })
        }
        return m
    }

    func address(_ r: DHCPv6ClientMessage?) -> IPv6Address? { r?.firstNA?.addressList.first }
    func option(_ r: DHCPv6ClientMessage?, _ code: UInt16) -> IPv6Address? {
        guard let d = r?.options[code], d.count == 16 else { return nil }
        return IPv6Address(bytes: d)
    }

    func testClassChoosesPoolOptionsAndLifetimes() throws {
        var h = harness()
        let lab = try XCTUnwrap(h.send(Self.solicit(1, userClass: "lab1")).reply)
        let a = try XCTUnwrap(address(lab))
        XCTAssertTrue(a >= IPv6Address("2001:db8:1::10")! && a <= IPv6Address("2001:db8:1::1f")!, "\(a)")
        // The class's options: sntp only it has; its dns-servers beat the global ones.
        XCTAssertEqual(option(lab, 31), IPv6Address("2001:db8::123"))
        XCTAssertEqual(option(lab, 23), IPv6Address("2001:db8::aaaa"))
        let lifetimes = try XCTUnwrap(lab.firstNA?.addresses().first)
        XCTAssertEqual(lifetimes.preferredLifetimeSeconds, 500)
        XCTAssertEqual(lifetimes.validLifetimeSeconds, 900)

        let plain = try XCTUnwrap(h.send(Self.solicit(2, userClass: "other")).reply)
        let b = try XCTUnwrap(address(plain))
        XCTAssertTrue(b >= IPv6Address("2001:db8:1::100")!, "\(b)")
        XCTAssertNil(option(plain, 31))
        XCTAssertEqual(option(plain, 23), IPv6Address("2001:db8::53"))
        let plainLifetimes = try XCTUnwrap(plain.firstNA?.addresses().first)
        XCTAssertEqual(plainLifetimes.preferredLifetimeSeconds, 3000)
        XCTAssertEqual(plainLifetimes.validLifetimeSeconds, 4000)
    }

    func testPDPoolGuard() throws {
        var h = harness()
        let lab = try XCTUnwrap(h.send(Self.solicit(1, userClass: "lab1", pd: true)).reply)
        XCTAssertEqual(try lab.pds.first?.prefixes().first?.prefix.length, 64)
        let plain = try XCTUnwrap(h.send(Self.solicit(2, pd: true)).reply)
        XCTAssertEqual(plain.pds.first?.statusCode, .noPrefixAvail)
    }

    func testDropClassDropsAndCounts() {
        var h = harness()
        let before = h.stat("pkt6-receive-drop")
        let sent = h.send(Self.solicit(3, userClass: "evil"))
        XCTAssertNil(sent.reply)
        XCTAssertEqual(sent.ids, ["DHCP6_PACKET_DROP_DROP_CLASS"])
        XCTAssertEqual(h.stat("pkt6-receive-drop"), before + 1)
        XCTAssertNotNil(h.send(Self.solicit(3, userClass: "good")).reply)
    }

    func testRelayInterfaceIDClassOpensGuardedSubnet() throws {
        var h = harness()
        let relay = Engine6Harness.Relay(link: "2001:db8:2::1", interfaceID: Array("port-a".utf8))
        let a = try XCTUnwrap(h.send(Self.solicit(4), relays: [relay]).reply)
        let given = try XCTUnwrap(address(a))
        XCTAssertTrue(IPv6Prefix("2001:db8:2::/64")!.contains(given), "\(given)")
        XCTAssertEqual(a.options[24], [1, UInt8(ascii: "a"), 7] + Array("example".utf8) + [3] + Array("com".utf8) + [0])

        let other = Engine6Harness.Relay(link: "2001:db8:2::1", interfaceID: Array("port-b".utf8))
        let b = try XCTUnwrap(h.send(Self.solicit(5), relays: [other]).reply)
        XCTAssertNil(address(b))
        XCTAssertTrue(h.send(Self.solicit(5), relays: [other]).ids.contains("DHCP6_SUBNET_SELECTION_FAILED"))
    }

    func testReservedClassesKnownAndRequiredClasses() throws {
        var h = harness()
        // The reserved client: its reservation's class `gold`, and KNOWN, so the required
        // class `needy` (only-if-required, required by the subnet) matches.
        let known = try XCTUnwrap(h.send(Self.solicit(9)).reply)
        XCTAssertEqual(option(known, 28), IPv6Address("2001:db8::9"))
        XCTAssertEqual(option(known, 27), IPv6Address("2001:db8::27"))
        // Another client: neither.
        let unknown = try XCTUnwrap(h.send(Self.solicit(10)).reply)
        XCTAssertNil(option(unknown, 28))
        XCTAssertNil(option(unknown, 27))
    }

    func testKnownDependentTestRunsAfterHostLookup() throws {
        var h = harness()
        // The reserved client with the lab user class joins gold (reserved) and known-lab
        // (after the host lookup); gold joined first, so its nisp-servers win.
        let r = try XCTUnwrap(h.send(Self.solicit(9, userClass: "lab1")).reply)
        XCTAssertEqual(option(r, 28), IPv6Address("2001:db8::9"))
        // An unknown lab client joins neither.
        let u = try XCTUnwrap(h.send(Self.solicit(11, userClass: "lab1")).reply)
        XCTAssertNil(option(u, 28))
        // Unit check of the passes: the known lab client's classes, in order.
        var q = Query6(client: Self.solicit(9, userClass: "lab1"), relays: [], datagram: InboundDatagram(
            bytes: [], interface: h.iface, source: .v6(Engine6Harness.clientAddress), sourcePort: 546,
            destination: .v6(Engine6Harness.multicast)), label: Client6Label(duid: Engine6Harness.duid(9), transactionID: 1),
            duid: Engine6Harness.duid(9), requested: [], hardwareAddress: nil, subnet: nil, host: nil, now: h.now)
        h.engine.classifyOnArrival(&q)
        XCTAssertEqual(q.classes.names, ["ALL", "lab"])
        q.subnet = h.engine.selectSubnet(q)
        q.host = h.engine.findHost(q)
        h.engine.classifyAfterHostLookup(&q)
        XCTAssertEqual(q.classes.names, ["ALL", "gold", "lab", "KNOWN", "known-lab"])
    }

    func testVendorClassBuiltIn() throws {
        var h = harness()
        let r = try XCTUnwrap(h.send(Self.solicit(12, vendorClass: ["x", "eRouter1.0"])).reply)
        // The eRouter tuple names the class even when not first, as Kea's classifyByVendor.
        XCTAssertEqual(option(r, 31), IPv6Address("2001:db8::777"))
        let other = try XCTUnwrap(h.send(Self.solicit(13, vendorClass: ["x"])).reply)
        XCTAssertNil(option(other, 31))
    }

    func testConfigRefusesBadV6Expressions() {
        for (test, fragment) in [("pkt4.mac == 0x00", "pkt4 can only be used in DHCPv4."),
                                 ("member('nosuch')", "Not defined client class 'nosuch'"),
                                 ("relay6[40].option[18].exists", "Nest level has invalid value in 40"),
                                 ("option[70000].exists", "Allowed range: 0..65535")] {
            let text = #"{ "Dhcp6": { "client-classes": [ { "name": "c", "test": "\#(test)" } ] } }"#
            XCTAssertThrowsError(try Dhcp6ConfigDecoder.decode(text: text), test) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
        for (entry, fragment) in [(#"{ "name": "KNOWN", "test": "option[1].exists" }"#, "built-in class 'KNOWN' test expression must be empty"),
                                  (#"{ "name": "ALL", "only-if-required": true }"#, "built-in class 'ALL' only-if-required flag must be false"),
                                  (#"{ "name": "DROP", "test": "option[1].exists", "only-if-required": true }"#,
                                   "special class 'DROP' only-if-required flag must be false"),
                                  (#"{ "name": "t", "test": "option[1].exists", "template-test": "option[1].hex" }"#,
                                   "can not use both 'test' and 'template-test'")] {
            let text = #"{ "Dhcp6": { "client-classes": [ "# + entry + " ] } }"
            XCTAssertThrowsError(try Dhcp6ConfigDecoder.decode(text: text), entry) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(error)")
            }
        }
        // A built-in class may be given parameters, and a template test parses as a string.
        let ok = #"{ "Dhcp6": { "client-classes": [ { "name": "ALL", "option-data": [ { "name": "dns-servers", "data": "2001:db8::1" } ] },"#
            + #" { "name": "t", "template-test": "substring(option[1].hex, 0, 2)" } ] } }"#
        let config = try? Dhcp6ConfigDecoder.decode(text: ok)
        XCTAssertEqual(config?.clientClasses.count, 2)
        XCTAssertNotNil(config?.clientClasses[1].templateTest)
    }

    func testReservedClassesInSharedNetworkJoinAfterTheLeases() throws {
        let text = """
        { "Dhcp6": {
            "client-classes": [ { "name": "gold", "option-data": [ { "name": "nisp-servers", "data": "2001:db8::9" } ] } ],
            "shared-networks": [ { "name": "net", "interface": "eth0", "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64",
                "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::17f", "client-class": "gold" },
                           { "pool": "2001:db8:1::200 - 2001:db8:1::2ff" } ],
                "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:09", "client-classes": [ "gold" ] } ] } ] } ]
        } }
        """
        var h = Engine6Harness(configText: text)
        let r = try XCTUnwrap(h.send(Self.solicit(9)).reply)
        // Kea: the guarded pool stays closed (the classes were not there for the allocation),
        // but the class's options are given.
        XCTAssertEqual(address(r), IPv6Address("2001:db8:1::200"))
        XCTAssertEqual(option(r, 28), IPv6Address("2001:db8::9"))
        // The same reservation outside a shared network opens the pool.
        var plain = Engine6Harness(configText: text.replacingOccurrences(of: #""shared-networks": [ { "name": "net", "interface": "eth0", "subnet6": ["#, with: #""subnet6": ["#)
            .replacingOccurrences(of: #"] } ] } ]"#, with: #"] } ]"#)
            .replacingOccurrences(of: #""subnet": "2001:db8:1::/64","#, with: #""subnet": "2001:db8:1::/64", "interface": "eth0","#))
        let p = try XCTUnwrap(plain.send(Self.solicit(9)).reply)
        XCTAssertEqual(address(p), IPv6Address("2001:db8:1::100"))
        XCTAssertEqual(option(p, 28), IPv6Address("2001:db8::9"))
    }

    func testTemplateClassSpawns() {
        let text = #"{ "Dhcp6": { "client-classes": [ { "name": "uc", "template-test": "substring(option[15].hex, 2, all)" } ],"#
            + #" "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0" } ] } }"#
        let h = Engine6Harness(configText: text)
        func classes(_ m: DHCPv6ClientMessage) -> [String] {
            var q = Query6(client: m, relays: [], datagram: InboundDatagram(
                bytes: [], interface: h.iface, source: .v6(Engine6Harness.clientAddress), sourcePort: 546,
                destination: .v6(Engine6Harness.multicast)), label: Client6Label(duid: [1], transactionID: 1),
                duid: [1], requested: [], hardwareAddress: nil, subnet: nil, host: nil, now: h.now)
            h.engine.classifyOnArrival(&q)
            return q.classes.names
        }
        XCTAssertEqual(classes(Self.solicit(1, userClass: "lab1")), ["ALL", "uc", "SPAWN_uc_lab1"])
        XCTAssertEqual(classes(Self.solicit(1)), ["ALL"])
    }

    func testReservationInDropIsDroppedAfterTheHostLookup() {
        let text = #"{ "Dhcp6": { "client-classes": [ { "name": "DROP", "test": "option[300].exists" } ],"#
            + #" "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0","#
            + #" "pools": [ { "pool": "2001:db8:1::100 - 2001:db8:1::1ff" } ],"#
            + #" "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:09", "client-classes": [ "DROP" ] } ] } ] } }"#
        var h = Engine6Harness(configText: text)
        let dropped = h.send(Self.solicit(9))
        XCTAssertNil(dropped.reply)
        XCTAssertEqual(dropped.ids, ["DHCP6_PACKET_DROP_DROP_CLASS"])
        XCTAssertEqual(h.stat("pkt6-receive-drop"), 1)
        XCTAssertNotNil(h.send(Self.solicit(10)).reply)
        // The test of DROP itself, before any lookup.
        var m = Self.solicit(10)
        m.options.append(300, [1])
        XCTAssertNil(h.send(m).reply)
        XCTAssertEqual(h.stat("pkt6-receive-drop"), 2)
    }
}
