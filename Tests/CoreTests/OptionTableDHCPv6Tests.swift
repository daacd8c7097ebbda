import XCTest
@testable import KakapoCore

/// The DHCPv6 option table against Kea 2.4's list, its sample entries, its spaces, and the
/// codec's `DHCPv6Option` keys against it.
final class OptionTableDHCPv6Tests: XCTestCase {
    /// Section 2 of the Kea 2.4 inventory (`std_option_defs.h` @ Kea-2.4.0), `dhcp6`, verbatim.
    static let keaDhcp6Inventory = """
        1 clientid bin; 2 serverid bin; 3 ia-na rec(u32,u32,u32); 4 ia-ta u32; 5 iaaddr rec(a6,u32,u32); 6 oro u16[]; 7 preference u8; 8 elapsed-time u16; 9 relay-msg bin; 11 auth bin; 12 unicast a6; 13 status-code rec(u16,str); 14 rapid-commit empty; 15 user-class bin; 16 vendor-class rec(u32,bin); 17 vendor-opts u32; 18 interface-id bin; 19 reconf-msg u8; 20 reconf-accept empty; 21 sip-server-dns fqdn[]; 22 sip-server-addr a6[]; 23 dns-servers a6[]; 24 domain-search fqdn[]; 25 ia-pd rec(u32,u32,u32); 26 iaprefix rec(u32,u32,u8,a6); 27 nis-servers a6[]; 28 nisp-servers a6[]; 29 nis-domain-name fqdn[]; 30 nisp-domain-name fqdn[]; 31 sntp-servers a6[]; 32 information-refresh-time u32; 33 bcmcs-server-dns fqdn[]; 34 bcmcs-server-addr a6[]; 36 geoconf-civic rec(u8,u16,bin); 37 remote-id rec(u32,bin); 38 subscriber-id bin; 39 client-fqdn rec(u8,fqdn); 40 pana-agent a6[]; 41 new-posix-timezone str; 42 new-tzdb-timezone str; 43 ero u16[]; 44 lq-query rec(u8,a6) enc:dhcp6; 45 client-data empty enc:dhcp6; 46 clt-time u32; 47 lq-relay-data rec(a6,bin); 48 lq-client-link a6[]; 51 v6-lost fqdn; 52 capwap-ac-v6 a6[]; 53 relay-id bin; 57 v6-access-domain fqdn; 58 sip-ua-cs-list fqdn[]; 59 bootfile-url str; 60 bootfile-param tuple[]; 61 client-arch-type u16[]; 62 nii rec(u8,u8,u8); 64 aftr-name fqdn; 65 erp-local-domain-name fqdn; 66 rsoo empty enc:rsoo-opts; 67 pd-exclude v6prefix; 74 rdnss-selection rec(a6,u8,fqdn)[]; 79 client-linklayer-addr bin; 80 link-address a6; 82 solmax-rt u32; 83 inf-max-rt u32; 87 dhcpv4-message bin; 88 dhcp4o6-server-addr a6[]; 94 s46-cont-mape empty enc:s46-cont-mape-options; 95 s46-cont-mapt empty enc:s46-cont-mapt-options; 96 s46-cont-lw empty enc:s46-cont-lw-options; 103 v6-captive-portal str; 135 relay-source-port u16; 136 v6-sztp-redirect tuple[]; 143 ipv6-address-andsf a6[]; 144 v6-dnr rec(u16,u16,fqdn,bin).
        """

    static let table = OptionTable.dhcp6

    /// Every inventory row is in the table as listed; the table adds only ntp-server (56).
    func testDhcp6TableMatchesKeaInventory() throws {
        let expected = try OptionTableTests.parseInventory(Self.keaDhcp6Inventory)
        XCTAssertEqual(expected.count, 74)
        XCTAssertEqual(Self.table.family, .v6)
        for row in expected {
            let definition = try XCTUnwrap(Self.table.definition(.dhcp6(row.code)), "code \(row.code)")
            XCTAssertEqual(definition.name, row.name, "code \(row.code)")
            XCTAssertEqual(definition.type, row.type, "code \(row.code)")
            XCTAssertEqual(definition.isArray, row.isArray, "code \(row.code)")
            XCTAssertEqual(definition.recordFields, row.recordFields, "code \(row.code)")
            XCTAssertEqual(definition.encapsulatedSpace?.text, row.encapsulatedSpace, "code \(row.code)")
            XCTAssertEqual(Self.table.definition(named: row.name, in: .dhcp6)?.code, row.code)
            XCTAssertEqual(Self.table.origin(of: .dhcp6(row.code)), .standard)
        }
        XCTAssertEqual(Self.table.definitions(in: .dhcp6).count, 75)
        let extra = Set(Self.table.definitions(in: .dhcp6).map(\.code)).subtracting(expected.map(\.code))
        XCTAssertEqual(extra, [56])
        XCTAssertEqual(DHCPv6StandardOptions.rows.map(\.code), DHCPv6StandardOptions.rows.map(\.code).sorted())
    }

    func testSampleEntries() throws {
        func check(_ code: UInt16, _ name: String, _ type: OptionDataType, array: Bool = false,
                   encapsulates: OptionSpaceName? = nil, line: UInt = #line) throws {
            let d = try XCTUnwrap(Self.table.definition(.dhcp6(code)), line: line)
            XCTAssertEqual(d.name, name, line: line)
            XCTAssertEqual(d.type, type, line: line)
            XCTAssertEqual(d.isArray, array, line: line)
            XCTAssertEqual(d.encapsulatedSpace, encapsulates, line: line)
        }
        try check(23, "dns-servers", .ipv6Address, array: true)
        try check(24, "domain-search", .fqdn, array: true)
        try check(31, "sntp-servers", .ipv6Address, array: true)
        try check(56, "ntp-server", .empty, encapsulates: "v6-ntp-server-suboptions")
        try check(17, "vendor-opts", .uint32)
        try check(64, "aftr-name", .fqdn)
        try check(67, "pd-exclude", .ipv6Prefix)
        try check(94, "s46-cont-mape", .empty, encapsulates: "s46-cont-mape-options")
        XCTAssertEqual(Self.table.definition(.dhcp6(26))?.recordFields, [.uint32, .uint32, .uint8, .ipv6Address])
        XCTAssertEqual(Self.table.definition(.dhcp6(60))?.specialFormat, .twoOctetTupleLength)
        XCTAssertNil(Self.table.definition(.dhcp6(10)))
        XCTAssertNil(Self.table.definition(.dhcp6(56 + 1000)))
    }

    /// The encapsulated spaces and their rows (the inventory's "other v6 spaces").
    func testOtherSpaces() throws {
        let ntp: OptionSpaceName = "v6-ntp-server-suboptions"
        XCTAssertEqual(Self.table.definitions(in: ntp).map(\.name), ["ntp-server-address", "ntp-server-multicast", "ntp-server-fqdn"])
        XCTAssertEqual(Self.table.definitions(in: ntp).map(\.type), [.ipv6Address, .ipv6Address, .fqdn])
        XCTAssertEqual(Self.table.definitions(in: "4o6").map(\.code), [60000, 60001, 60002])
        XCTAssertEqual(Self.table.definition(named: "4o6-source-address", in: "4o6")?.type, .ipv6Address)
        XCTAssertEqual(Self.table.definitions(in: "s46-cont-mape-options").map(\.name), ["s46-rule", "s46-br"])
        XCTAssertEqual(Self.table.definitions(in: "s46-cont-mapt-options").map(\.name), ["s46-rule", "s46-dmr"])
        XCTAssertEqual(Self.table.definitions(in: "s46-cont-lw-options").map(\.name), ["s46-br", "s46-v4v6bind"])
        XCTAssertEqual(Self.table.definition(OptionKey(space: "s46-cont-mapt-options", code: 89))?.recordFields,
                       [.uint8, .uint8, .uint8, .ipv4Address, .ipv6Prefix])
        XCTAssertEqual(Self.table.definition(OptionKey(space: "s46-cont-lw-options", code: 92))?.encapsulatedSpace,
                       "s46-v4v6bind-options")
        for space: OptionSpaceName in ["s46-rule-options", "s46-v4v6bind-options"] {
            XCTAssertEqual(Self.table.definition(OptionKey(space: space, code: 93))?.recordFields, [.uint8, .psid])
        }
        XCTAssertTrue(Self.table.contains(space: "rsoo-opts"))
        XCTAssertTrue(Self.table.definitions(in: "rsoo-opts").isEmpty)
        let docsis = OptionSpaceName.vendor(enterpriseNumber: 4491)
        XCTAssertEqual(Self.table.definitions(in: docsis).count, 10)
        XCTAssertEqual(Self.table.definition(OptionKey(space: docsis, code: 32))?.name, "tftp-servers")
        XCTAssertEqual(Self.table.origin(of: OptionKey(space: docsis, code: 1026)), .fallback)
        XCTAssertNil(OptionTable.dhcp4.definition(.dhcp6(23)), "the v4 table holds no dhcp6 rows")
    }

    /// The codec's keys carry the code of the table row whose Kea name they spell.
    func testCodecKeysMatchTheTable() throws {
        for option in DHCPv6Option.allCases {
            let definition = try XCTUnwrap(Self.table.definition(option.key), "\(option)")
            let camel = definition.name.split(separator: "-").enumerated()
                .map { $0.offset == 0 ? String($0.element) : $0.element.prefix(1).uppercased() + $0.element.dropFirst() }
                .joined()
            XCTAssertEqual(camel, "\(option)")
        }
    }

    /// The family-neutral renderer reads DHCPv6 payloads by these rows.
    func testRenderDHCPv6Payloads() {
        let twoAddresses = IPv6Address("2001:db8::1")!.bytes + IPv6Address("2001:db8::2")!.bytes
        XCTAssertEqual(Self.table.render(.dhcp6(23), payload: twoAddresses), "2001:db8::1, 2001:db8::2")
        XCTAssertEqual(Self.table.render(.dhcp6(24), payload: OptionTableTests.exampleComOrgWire),
                       "example.com., example.org.")
        XCTAssertEqual(Self.table.render(.dhcp6(60), payload: [0, 2] + Array("ab".utf8) + [0, 1] + Array("c".utf8)), "ab, c")
        XCTAssertEqual(Self.table.render(.dhcp6(13), payload: [0, 2] + Array("none".utf8)), "2, none")
        XCTAssertEqual(Self.table.render(.dhcp6(67), payload: [64, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1]), "2001:db8:0:1::/64")
    }
}
