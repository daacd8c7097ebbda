import Foundation
import XCTest
@testable import KakapoCore

/// The option tables: their rows against Kea 2.4's list, a round trip through every row, and a
/// renderer that survives any bytes.
final class OptionTableTests: XCTestCase {
    /// Section 2 of the Kea 2.4 inventory (`std_option_defs.h` @ Kea-2.4.0), verbatim, so that a
    /// row typed wrongly into the table disagrees with an independent transcription.
    static let keaDhcp4Inventory = """
        1 subnet-mask a4; 2 time-offset i32; 3 routers a4[]; 4 time-servers a4[]; 5 name-servers a4[]; 6 domain-name-servers a4[]; 7 log-servers a4[]; 8 cookie-servers a4[]; 9 lpr-servers a4[]; 10 impress-servers a4[]; 11 resource-location-servers a4[]; 12 host-name str; 13 boot-size u16; 14 merit-dump str; 15 domain-name str (ARM table: fqdn); 16 swap-server a4; 17 root-path str; 18 extensions-path str; 19 ip-forwarding bool; 20 non-local-source-routing bool; 21 policy-filter a4[]; 22 max-dgram-reassembly u16; 23 default-ip-ttl u8; 24 path-mtu-aging-timeout u32; 25 path-mtu-plateau-table u16[]; 26 interface-mtu u16; 27 all-subnets-local bool; 28 broadcast-address a4; 29 perform-mask-discovery bool; 30 mask-supplier bool; 31 router-discovery bool; 32 router-solicitation-address a4; 33 static-routes a4[]; 34 trailer-encapsulation bool; 35 arp-cache-timeout u32; 36 ieee802-3-encapsulation bool; 37 default-tcp-ttl u8; 38 tcp-keepalive-interval u32; 39 tcp-keepalive-garbage bool; 40 nis-domain str; 41 nis-servers a4[]; 42 ntp-servers a4[]; 43 vendor-encapsulated-options empty enc:vendor-encapsulated-options-space (last-resort def); 44 netbios-name-servers a4[]; 45 netbios-dd-server a4[]; 46 netbios-node-type u8; 47 netbios-scope str; 48 font-servers a4[]; 49 x-display-manager a4[]; 50 dhcp-requested-address a4; 51 dhcp-lease-time u32; 52 dhcp-option-overload u8; 53 dhcp-message-type u8; 54 dhcp-server-identifier a4; 55 dhcp-parameter-request-list u8[]; 56 dhcp-message str; 57 dhcp-max-message-size u16; 58 dhcp-renewal-time u32; 59 dhcp-rebinding-time u32; 60 vendor-class-identifier str; 61 dhcp-client-identifier bin; 62 nwip-domain-name str; 63 nwip-suboptions bin; 64 nisplus-domain-name str; 65 nisplus-servers a4[]; 66 tftp-server-name str; 67 boot-file-name str; 68 mobile-ip-home-agent a4[]; 69 smtp-server a4[]; 70 pop-server a4[]; 71 nntp-server a4[]; 72 www-server a4[]; 73 finger-server a4[]; 74 irc-server a4[]; 75 streettalk-server a4[]; 76 streettalk-directory-assistance-server a4[]; 77 user-class bin; 78 slp-directory-agent rec(bool,a4)[]; 79 slp-service-scope rec(bool,str); 81 fqdn rec(u8,u8,u8,fqdn); 82 dhcp-agent-options empty enc:dhcp-agent-options-space; 85 nds-servers a4[]; 86 nds-tree-name str; 87 nds-context str; 88 bcms-controller-names fqdn[]; 89 bcms-controller-address a4[]; 90 authenticate bin; 91 client-last-transaction-time u32; 92 associated-ip a4[]; 93 client-system u16[]; 94 client-ndi rec(u8,u8,u8); 97 uuid-guid rec(u8,bin); 98 uap-servers str; 99 geoconf-civic bin; 100 pcode str; 101 tcode str; 108 v6-only-preferred u32; 112 netinfo-server-address a4[]; 113 netinfo-server-tag str; 114 v4-captive-portal str; 116 auto-config u8; 117 name-service-search u16[]; 118 subnet-selection a4; 119 domain-search fqdn[]; 124 vivco-suboptions rec(u32,bin); 125 vivso-suboptions u32; 136 pana-agent a4[]; 137 v4-lost fqdn; 138 capwap-ac-v4 a4[]; 141 sip-ua-cs-domains fqdn[]; 143 v4-sztp-redirect tuple[]; 146 rdnss-selection rec(u8,a4,a4,fqdn)[]; 151 status-code rec(u8,str); 152 base-time u32; 153 start-time-of-state u32; 154 query-start-time u32; 155 query-end-time u32; 156 dhcp-state u8; 157 data-source u8; 159 v4-portparams rec(u8,psid); 162 v4-dnr rec(u16,u16,u8,fqdn,bin); 212 option-6rd rec(u8,u8,a6,a4)[]; 213 v4-access-domain fqdn.
        """

    static let keaAgentInventory = """
        1 circuit-id bin; 2 remote-id bin; 4 docsis-device-class u32; 5 link-selection a4; 6 subscriber-id str; 7 radius bin; 8 auth bin; 9 vendor-specific-info bin; 10 relay-flags u8; 11 server-id-override a4; 12 relay-id bin; 13 access-techno-type u16; 14 access-network-name str; 15 access-point-name str; 16 access-point-bssid bin; 17 operator-id u32; 18 operator-realm str; 19 relay-port u16; 151 virtual-subnet-select bin; 152 virtual-subnet-select-ctrl empty.
        """

    // MARK: - Rows

    /// Every inventory row is in the table with the same name, type, array flag, record fields and
    /// encapsulated space; the table adds only option 121.
    func testDhcp4TableMatchesKeaInventory() throws {
        let expected = try Self.parseInventory(Self.keaDhcp4Inventory)
        XCTAssertEqual(expected.count, 123)
        for row in expected {
            let definition = try XCTUnwrap(Self.table.definition(.dhcp4(row.code)), "code \(row.code)")
            XCTAssertEqual(definition.name, row.name, "code \(row.code)")
            XCTAssertEqual(definition.type, row.type, "code \(row.code)")
            XCTAssertEqual(definition.isArray, row.isArray, "code \(row.code)")
            XCTAssertEqual(definition.recordFields, row.recordFields, "code \(row.code)")
            XCTAssertEqual(definition.encapsulatedSpace?.text, row.encapsulatedSpace, "code \(row.code)")
        }
        let extra = Set(Self.table.definitions(in: .dhcp4).map(\.code)).subtracting(expected.map(\.code))
        XCTAssertEqual(extra, [121])
    }

    func testAgentTableMatchesKeaInventory() throws {
        let expected = try Self.parseInventory(Self.keaAgentInventory)
        XCTAssertEqual(expected.count, 20)
        XCTAssertEqual(Self.table.definitions(in: .dhcpAgentOptions).count, 20)
        for row in expected {
            let definition = try XCTUnwrap(Self.table.definition(OptionKey(space: .dhcpAgentOptions, code: row.code)))
            XCTAssertEqual(definition.name, row.name)
            XCTAssertEqual(definition.type, row.type, "sub-option \(row.code)")
            XCTAssertEqual(Self.table.definition(named: row.name, in: .dhcpAgentOptions)?.code, row.code)
        }
        XCTAssertEqual(OptionSpaceName.dhcpAgentOptions, Self.table.definition(.dhcp4(82))?.encapsulatedSpace)
    }

    /// Codes and names are unique, codes avoid PAD and END, names use Kea's characters, and the
    /// lookups agree with the array.
    func testCodesAndNamesAreUniqueAndLookupsAgree() {
        for table in [DHCPv4StandardOptions.rows, DHCPv4AgentSubOptions.rows] {
            XCTAssertEqual(Set(table.map(\.code)).count, table.count)
            XCTAssertEqual(Set(table.map(\.name)).count, table.count)
            XCTAssertEqual(table.map(\.code), table.map(\.code).sorted())
        }
        for definition in Self.table.definitions(in: .dhcp4) {
            XCTAssertTrue((1...254).contains(definition.code))
            XCTAssertEqual(definition.space, .dhcp4)
            XCTAssertTrue(definition.name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" },
                          definition.name)
            XCTAssertEqual(Self.table.definition(named: definition.name, in: .dhcp4), definition)
            XCTAssertEqual(Self.table.definition(definition.key), definition)
        }
        XCTAssertNil(Self.table.definition(.dhcp4(200)))
        XCTAssertNil(Self.table.definition(named: "no-such-option", in: .dhcp4))
        XCTAssertEqual(OptionDataType(rawValue: "ipv4-address"), .ipv4Address)
    }

    /// Goal: a wrong row or type breaks something. Method: for every row, build a sample value
    /// from its field types, encode it by name, render the bytes, encode the rendering again (by
    /// name and by code) and compare the bytes.
    func testEveryRowRoundTripsASample() throws {
        XCTAssertEqual(Self.table.definitions(in: .dhcp4).count, 124)
        for definition in Self.table.definitions(in: .dhcp4) {
            let data = Self.sampleData(for: definition)
            let first = try OptionDataEncoder.encode(Self.spec(name: definition.name, data: data))
            XCTAssertEqual(UInt16(first.code), definition.code)
            if let size = definition.type.fixedWireSize, !definition.isArray, definition.specialFormat == nil {
                XCTAssertEqual(first.payload.count, size, definition.name)
            }
            let text = Self.table.render(definition.key, payload: first.payload)
            let byName = try OptionDataEncoder.encode(Self.spec(name: definition.name, data: text))
            let byCode = try OptionDataEncoder.encode(Self.spec(code: Int(definition.code), data: text))
            XCTAssertEqual(byName.payload, first.payload, "\(definition.name): '\(data)' -> '\(text)'")
            XCTAssertEqual(byCode.payload, first.payload, "\(definition.name): '\(text)'")
        }
    }

    // MARK: - Rendering

    func testRenderGivesKeaLikeText() {
        XCTAssertEqual(Self.table.render(.dhcp4(3), payload: [192, 0, 2, 1, 192, 0, 2, 2]),
                       "192.0.2.1, 192.0.2.2")
        XCTAssertEqual(Self.table.render(.dhcp4(119), payload: Self.exampleComOrgWire),
                       "example.com., example.org.")
        XCTAssertEqual(Self.table.render(.dhcp4(2), payload: [0xFF, 0xFF, 0xF1, 0xF0]), "-3600")
        XCTAssertEqual(Self.table.render(.dhcp4(51), payload: [0, 0, 0x0E, 0x10]), "3600")
        XCTAssertEqual(Self.table.render(.dhcp4(19), payload: [1]), "true")
        XCTAssertEqual(Self.table.render(.dhcp4(12), payload: Array("host-a".utf8) + [0]), "host-a")
        XCTAssertEqual(Self.table.render(.dhcp4(60), payload: Array("a,b\\c".utf8)), "a\\,b\\\\c")
        XCTAssertEqual(Self.table.render(.dhcp4(61), payload: [1, 8, 0, 0x27, 0xAA]), "01:08:00:27:aa")
        XCTAssertEqual(Self.table.render(.dhcp4(121), payload: [24, 192, 0, 2, 198, 51, 100, 1, 0, 10, 0, 0, 1]),
                       "192.0.2.0/24 - 198.51.100.1, 0.0.0.0/0 - 10.0.0.1")
        XCTAssertEqual(Self.table.render(.dhcp4(82), payload: []), "")
    }

    func testRenderFallsBackToHex() {
        XCTAssertEqual(Self.table.render(.dhcp4(200), payload: [0x0A, 0x0B]), "0a:0b")
        XCTAssertEqual(Self.table.render(.dhcp4(1), payload: [255, 255, 0]), "ff:ff:00")
        XCTAssertEqual(Self.table.render(.dhcp4(12), payload: [0x66, 0x01]), "66:01")
        XCTAssertEqual(Self.table.render(.dhcp4(82), payload: [1, 2, 0xAB, 0xCD]), "01:02:ab:cd")
        XCTAssertEqual(Self.table.render(.dhcp4(119), payload: [0xC0, 0x0C]), "c0:0c")
        XCTAssertEqual(Self.table.render(.dhcp4(19), payload: [2]), "02")
        XCTAssertEqual(Self.table.render(.dhcp4(121), payload: [33, 1, 2, 3, 4, 5, 6, 7, 8]),
                       "21:01:02:03:04:05:06:07:08")
    }

    /// Goal: render is total. Method: a fixed-seed generator feeds every code random payloads and
    /// damaged versions of valid ones (truncated, one octet changed); render must return the same
    /// text twice and never trap.
    func testRenderNeverTrapsOnArbitraryBytes() throws {
        var generator = SplitMix64(seed: 0x6B61_6B61_706F)
        var valid: [UInt8: [UInt8]] = [:]
        for definition in Self.table.definitions(in: .dhcp4) {
            valid[UInt8(definition.code)] = try OptionDataEncoder.encode(
                Self.spec(name: definition.name, data: Self.sampleData(for: definition))).payload
        }
        for code in UInt8.min...UInt8.max {
            for round in 0..<96 {
                var payload: [UInt8]
                if let base = valid[code], !base.isEmpty, round % 2 == 0 {
                    payload = base
                    payload[Int(generator.next() % UInt64(base.count))] = UInt8(truncatingIfNeeded: generator.next())
                    payload = Array(payload.prefix(Int(generator.next() % UInt64(base.count + 1))))
                } else {
                    let length = Int(generator.next() % 48)
                    payload = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                }
                let text = Self.table.render(.dhcp4(UInt16(code)), payload: payload)
                XCTAssertEqual(text, Self.table.render(.dhcp4(UInt16(code)), payload: payload))
            }
        }
    }

    // MARK: - Helpers

    static let table = OptionTable.dhcp4

    static let exampleComOrgWire: [UInt8] =
        [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0]
        + [7] + Array("example".utf8) + [3] + Array("org".utf8) + [0]

    static func spec(name: String? = nil, code: Int? = nil, data: String?, csvFormat: Bool? = nil) -> OptionDataSpec {
        var spec = OptionDataSpec(position: SourcePosition(file: "test.json", line: 1, column: 1))
        spec.name = name
        spec.code = code
        spec.data = data
        spec.csvFormat = csvFormat
        return spec
    }

    /// A sample `data` text for a row, built from its field types only.
    static func sampleData(for definition: OptionDefinition) -> String {
        if definition.specialFormat == .classlessStaticRoutes {
            return "192.0.2.0/24 - 198.51.100.1, 10.0.0.0/8 - 198.51.100.2, 0.0.0.0/0 - 192.0.2.1"
        }
        if definition.specialFormat == .vendorIdentifyingVendorClass { return "4491, 03:61:62:63" }
        if definition.type == .empty { return "" }
        var values = definition.fieldTypes.map { sample($0, variant: 0) }
        if definition.isArray, let last = definition.fieldTypes.last {
            values.append(sample(last, variant: 1))
        }
        return values.joined(separator: ", ")
    }

    static func sample(_ type: OptionDataType, variant: Int) -> String {
        let pick = { (choices: [String]) in choices[variant % choices.count] }
        switch type {
        case .binary: return pick(["0a:0b:0c", "ff:00"])
        case .boolean: return pick(["true", "false"])
        case .uint8: return pick(["200", "7"])
        case .uint16: return pick(["1500", "576"])
        case .uint32: return pick(["3600", "4294967295"])
        case .int8: return pick(["-5", "127"])
        case .int16: return pick(["-300", "300"])
        case .int32: return pick(["-3600", "2147483647"])
        case .ipv4Address: return pick(["192.0.2.1", "198.51.100.7"])
        case .string: return pick(["sample text\\, with comma", "x"])
        case .fqdn: return pick(["example.com", "Sub.Example.ORG."])
        case .tuple: return pick(["https://sztp.example.com", "x"])
        case .psid: return pick(["5/4", "0/0"])
        case .ipv6Address: return pick(["2001:db8::1", "::ffff:192.0.2.1"])
        case .ipv6Prefix: return pick(["2001:db8::/32", "2001:db8:1:2::/63"])
        case .empty, .internal, .record: preconditionFailure("no sample for \(type)")
        }
    }

    struct InventoryRow {
        var code: UInt16
        var name: String
        var type: OptionDataType
        var isArray: Bool
        var recordFields: [OptionDataType]
        var encapsulatedSpace: String?
    }

    /// Parses the inventory's "code name type" notation (a4, u16[], rec(u8,a4)[], enc:space).
    static func parseInventory(_ text: String) throws -> [InventoryRow] {
        let abbreviations: [String: OptionDataType] = [
            "a4": .ipv4Address, "a6": .ipv6Address, "v6prefix": .ipv6Prefix, "str": .string,
            "bin": .binary, "bool": .boolean, "u8": .uint8, "u16": .uint16, "u32": .uint32,
            "i8": .int8, "i16": .int16, "i32": .int32, "fqdn": .fqdn, "tuple": .tuple,
            "empty": .empty, "psid": .psid,
        ]
        var rows: [InventoryRow] = []
        let body = text.trimmingCharacters(in: .whitespacesAndNewlines).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        for entry in body.components(separatedBy: "; ") {
            let words = entry.split(separator: " ").map(String.init)
            var typeWord = words[2]
            let isArray = typeWord.hasSuffix("[]")
            if isArray { typeWord.removeLast(2) }
            var type: OptionDataType
            var fields: [OptionDataType] = []
            if typeWord.hasPrefix("rec(") {
                type = .record
                fields = try typeWord.dropFirst(4).dropLast().split(separator: ",").map {
                    try XCTUnwrap(abbreviations[String($0)], "type \($0)")
                }
            } else {
                type = try XCTUnwrap(abbreviations[typeWord], "type \(typeWord)")
            }
            let space = words.first { $0.hasPrefix("enc:") }.map { String($0.dropFirst(4)) }
            rows.append(InventoryRow(code: try XCTUnwrap(UInt16(words[0])), name: words[1], type: type,
                                     isArray: isArray, recordFields: fields, encapsulatedSpace: space))
        }
        return rows
    }
}

