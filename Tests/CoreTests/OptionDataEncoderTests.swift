import XCTest
@testable import KakapoCore

/// `option-data` to bytes: exact octets for the options sites use most, Kea's text rules
/// (commas, escapes, hex), and Kea's error messages.
final class OptionDataEncoderTests: XCTestCase {
    static let position = SourcePosition(file: "kea-dhcp4.conf", line: 12, column: 9)

    static func spec(name: String? = nil, code: Int? = nil, data: String?, csvFormat: Bool? = nil,
                     space: String = "dhcp4") -> OptionDataSpec {
        var spec = OptionDataSpec(position: position)
        spec.name = name
        spec.code = code
        spec.data = data
        spec.csvFormat = csvFormat
        spec.space = space
        return spec
    }

    func payload(_ name: String, _ data: String?) throws -> [UInt8] {
        try OptionDataEncoder.encode(Self.spec(name: name, data: data)).payload
    }

    func error(_ spec: OptionDataSpec) -> String? {
        do {
            _ = try OptionDataEncoder.encode(spec)
            return nil
        } catch {
            return error.message
        }
    }

    func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    // MARK: - Exact octets

    func testAddressOptions() throws {
        XCTAssertEqual(try payload("subnet-mask", "255.255.255.0"), [255, 255, 255, 0])
        XCTAssertEqual(try payload("routers", "192.0.2.1"), [192, 0, 2, 1])
        XCTAssertEqual(try payload("routers", "192.0.2.1,192.0.2.254"), [192, 0, 2, 1, 192, 0, 2, 254])
        XCTAssertEqual(try payload("domain-name-servers", "192.0.2.2, 192.0.2.3"), [192, 0, 2, 2, 192, 0, 2, 3])
        XCTAssertEqual(try payload("broadcast-address", "192.0.2.255"), [192, 0, 2, 255])
        XCTAssertEqual(try payload("ntp-servers", " 192.0.2.10 ,\t198.51.100.10 "),
                       [192, 0, 2, 10, 198, 51, 100, 10])
    }

    func testIntegerOptions() throws {
        XCTAssertEqual(try payload("time-offset", "-3600"), [0xFF, 0xFF, 0xF1, 0xF0])
        XCTAssertEqual(try payload("time-offset", "3600"), [0, 0, 0x0E, 0x10])
        XCTAssertEqual(try payload("interface-mtu", "1500"), [0x05, 0xDC])
        XCTAssertEqual(try payload("dhcp-lease-time", "3600"), [0, 0, 0x0E, 0x10])
        XCTAssertEqual(try payload("dhcp-lease-time", "0x0E10"), [0, 0, 0x0E, 0x10])
        XCTAssertEqual(try payload("dhcp-lease-time", "4294967295"), [0xFF, 0xFF, 0xFF, 0xFF])
        XCTAssertEqual(try payload("default-ip-ttl", "64"), [64])
        // Kea falls back to hexadecimal when decimal fails, so "ff" is 255.
        XCTAssertEqual(try payload("default-ip-ttl", "ff"), [255])
        XCTAssertEqual(try payload("path-mtu-plateau-table", "68, 296, 1500"), [0, 68, 1, 0x28, 0x05, 0xDC])
        XCTAssertEqual(try payload("dhcp-parameter-request-list", "1, 3, 6, 15"), [1, 3, 6, 15])
    }

    func testStringOptions() throws {
        XCTAssertEqual(try payload("domain-name", "example.com"), ascii("example.com"))
        XCTAssertEqual(try payload("host-name", "host-a"), ascii("host-a"))
        XCTAssertEqual(try payload("vendor-class-identifier", "PXEClient:Arch:00000:UNDI:002001"),
                       ascii("PXEClient:Arch:00000:UNDI:002001"))
        XCTAssertEqual(try payload("tftp-server-name", "tftp.example.com"), ascii("tftp.example.com"))
        XCTAssertEqual(try payload("boot-file-name", "pxelinux.0"), ascii("pxelinux.0"))
        XCTAssertEqual(try payload("boot-file-name", "/boot/grub x64.efi"), ascii("/boot/grub x64.efi"))
    }

    /// Kea splits every csv-format value on commas and a plain option keeps the first value, so a
    /// comma in a string must be written "\," (JSON "\\,").
    func testStringCommasFollowKea() throws {
        XCTAssertEqual(try payload("host-name", "foo, bar"), ascii("foo"))
        XCTAssertEqual(try payload("host-name", "foo\\, bar"), ascii("foo, bar"))
        XCTAssertEqual(try payload("host-name", "a\\b"), ascii("a\\b"))
        XCTAssertEqual(try payload("host-name", "a\\\\, b"), ascii("a\\"))
    }

    func testDomainSearchIsDNSWireFormat() throws {
        XCTAssertEqual(try payload("domain-search", "example.com, example.org"), OptionTableTests.exampleComOrgWire)
        XCTAssertEqual(try payload("domain-search", "example.com., example.org."), OptionTableTests.exampleComOrgWire)
        XCTAssertEqual(try payload("v4-lost", "."), [0])
        XCTAssertEqual(try payload("v4-lost", "a\\.b.c"), [3, 0x61, 0x2E, 0x62, 1, 0x63, 0])
        XCTAssertEqual(try payload("v4-lost", "a\\032b"), [3, 0x61, 0x20, 0x62, 0])
        XCTAssertEqual(
            error(Self.spec(name: "domain-search", data: "a..b")),
            "option data does not match option definition (space: dhcp4, code: 119): "
                + "empty label in domain name 'a..b' (kea-dhcp4.conf:12:9)")
        XCTAssertNotNil(error(Self.spec(name: "v4-lost", data: String(repeating: "x", count: 64) + ".com")))
        XCTAssertNotNil(error(Self.spec(name: "v4-lost",
                                        data: Array(repeating: String(repeating: "x", count: 60), count: 5)
                                            .joined(separator: "."))))
    }

    func testClasslessStaticRoutes() throws {
        XCTAssertEqual(try payload("classless-static-route", "192.0.2.0/24 - 198.51.100.1, 10.0.0.0/8 - 198.51.100.2"),
                       [24, 192, 0, 2, 198, 51, 100, 1, 8, 10, 198, 51, 100, 2])
        XCTAssertEqual(try payload("classless-static-route", "0.0.0.0/0 - 192.0.2.1"), [0, 192, 0, 2, 1])
        XCTAssertEqual(try payload("classless-static-route", "10.229.0.128/25-10.229.0.1"),
                       [25, 10, 229, 0, 128, 10, 229, 0, 1])
        XCTAssertEqual(try payload("classless-static-route", "192.0.2.7/32 - 192.0.2.1"),
                       [32, 192, 0, 2, 7, 192, 0, 2, 1])
        // Host bits past the width are cleared, as RFC 3442 requires.
        XCTAssertEqual(try payload("classless-static-route", "10.1.2.3/8 - 192.0.2.1"), [8, 10, 192, 0, 2, 1])
        XCTAssertEqual(try OptionDataEncoder.encode(Self.spec(code: 121, data: "0.0.0.0/0 - 192.0.2.1")).payload,
                       [0, 192, 0, 2, 1])
        XCTAssertEqual(try OptionDataEncoder.encode(
            Self.spec(name: "classless-static-route", data: "18 C0 00 02 C6 33 64 01", csvFormat: false)).payload,
            [24, 192, 0, 2, 198, 51, 100, 1])
        XCTAssertEqual(
            error(Self.spec(name: "classless-static-route", data: "192.0.2.0/24 198.51.100.1")),
            "option data does not match option definition (space: dhcp4, code: 121): DHCPv4 "
                + "OptionClasslessStaticRoute 121 has invalid value, option definition must have comma separated "
                + "routes formatted as in example: 10.229.0.128/25 - 10.229.0.1 (kea-dhcp4.conf:12:9)")
        XCTAssertNotNil(error(Self.spec(name: "classless-static-route", data: "192.0.2.0/33 - 192.0.2.1")))
        XCTAssertNotNil(error(Self.spec(name: "classless-static-route", data: "192.0.2.0 - 192.0.2.1")))
        XCTAssertNotNil(error(Self.spec(name: "classless-static-route", data: "192.0.2.0/24 - 192.0.2.300")))
        XCTAssertNotNil(error(Self.spec(name: "classless-static-route", data: "")))
        XCTAssertNotNil(error(Self.spec(name: "classless-static-route", data: "21 01 02", csvFormat: false)))
    }

    func testBooleanRecordTupleAndVendorOptions() throws {
        XCTAssertEqual(try payload("ip-forwarding", "true"), [1])
        XCTAssertEqual(try payload("ip-forwarding", "FALSE"), [0])
        XCTAssertEqual(try payload("ip-forwarding", "1"), [1])
        XCTAssertEqual(try payload("slp-directory-agent", "true, 192.0.2.1, 192.0.2.2"),
                       [1, 192, 0, 2, 1, 192, 0, 2, 2])
        XCTAssertEqual(try payload("fqdn", "1, 0, 0, host.example.com"),
                       [1, 0, 0, 4] + ascii("host") + [7] + ascii("example") + [3] + ascii("com") + [0])
        XCTAssertEqual(try payload("client-ndi", "1, 2, 1"), [1, 2, 1])
        XCTAssertEqual(try payload("uuid-guid", "0, 0102030405060708090a0b0c0d0e0f10"), [0] + Array(1...16))
        XCTAssertEqual(try payload("v4-sztp-redirect", "https://a, https://b"),
                       [0, 9] + ascii("https://a") + [0, 9] + ascii("https://b"))
        XCTAssertEqual(try payload("v4-portparams", "2, 5/4"), [2, 4, 0x50, 0x00])
        XCTAssertEqual(try payload("vivso-suboptions", "4491"), [0, 0, 0x11, 0x8B, 0])
        XCTAssertEqual(try payload("option-6rd", "0, 32, 2001:db8::, 192.0.2.1"),
                       [0, 32, 0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 12) + [192, 0, 2, 1])
        XCTAssertEqual(try payload("dhcp-client-identifier", "01:08:00:27:aa:bb:cc"), [1, 8, 0, 0x27, 0xAA, 0xBB, 0xCC])
        XCTAssertEqual(try payload("dhcp-client-identifier", "0108"), [1, 8])
        XCTAssertEqual(try payload("dhcp-agent-options", ""), [])
        XCTAssertEqual(try payload("routers", ""), [], "Kea accepts an empty list (an empty routers option)")
    }

    // MARK: - Hex data

    func testHexDataWithCSVFormatFalse() throws {
        for data in ["00 00 0E 10", "00:00:0e:10", "00000e10", "0x00000e10", "0000e10", "0:0:e:10"] {
            let option = try OptionDataEncoder.encode(Self.spec(name: "dhcp-lease-time", data: data, csvFormat: false))
            XCTAssertEqual(option.payload, [0, 0, 0x0E, 0x10], data)
        }
        let text = try OptionDataEncoder.encode(Self.spec(name: "host-name", data: "'host-a'", csvFormat: false))
        XCTAssertEqual(text.payload, ascii("host-a"))
        XCTAssertEqual(
            error(Self.spec(name: "dhcp-lease-time", data: "00 0E 10", csvFormat: false)),
            "option data does not match option definition (space: dhcp4, code: 51): option data truncated: "
                + "uint32 expected at octet 0 (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "dhcp-lease-time", data: "00::0E", csvFormat: false)),
            "option data is not a valid string of hexadecimal digits: 00::0E (kea-dhcp4.conf:12:9)")
        XCTAssertNotNil(error(Self.spec(name: "routers", data: "c0 00 02", csvFormat: false)))
        XCTAssertNotNil(error(Self.spec(name: "host-name", data: "", csvFormat: false)))
        XCTAssertNotNil(error(Self.spec(name: "dhcp-lease-time", data: "zz", csvFormat: false)))
    }

    func testUnknownCodeTakesHex() throws {
        let option = try OptionDataEncoder.encode(Self.spec(code: 200, data: "0a 0b 0c"))
        XCTAssertEqual(option, ConfiguredOption(code: 200, payload: [10, 11, 12]))
        let explicit = try OptionDataEncoder.encode(Self.spec(code: 224, data: "01:02", csvFormat: false))
        XCTAssertEqual(explicit.payload, [1, 2])
        XCTAssertEqual(
            error(Self.spec(code: 200, data: "0a0b", csvFormat: true)),
            "definition for the option 'dhcp4.' having code '200' does not exist (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(code: 200, data: "hello")),
            "option data is not a valid string of hexadecimal digits: hello (kea-dhcp4.conf:12:9)")
    }

    func testAlwaysSendAndNeverSendAreCarried() throws {
        var spec = Self.spec(name: "domain-name", data: "example.com")
        spec.alwaysSend = true
        XCTAssertEqual(try OptionDataEncoder.encode(spec),
                       ConfiguredOption(code: 15, payload: ascii("example.com"), alwaysSend: true))
        spec.alwaysSend = false
        spec.neverSend = true
        XCTAssertTrue(try OptionDataEncoder.encode(spec).neverSend)
    }

    /// The option-data of Tests/Fixtures/configs/seed/kea-dhcp4.conf encode to the octets Kea sends.
    func testSeedConfigOptionsEncode() throws {
        XCTAssertEqual(try payload("domain-name", "your.domain.tld"), ascii("your.domain.tld"))
        XCTAssertEqual(try payload("domain-name-servers", "192.168.56.2, 192.168.3.7"),
                       [192, 168, 56, 2, 192, 168, 3, 7])
        XCTAssertEqual(try payload("domain-search", "your.domain.tld"),
                       [4] + ascii("your") + [6] + ascii("domain") + [3] + ascii("tld") + [0])
        XCTAssertEqual(try payload("routers", "192.168.56.2"), [192, 168, 56, 2])
    }

    // MARK: - Errors

    func testValueErrorsUseKeaWording() {
        XCTAssertEqual(
            error(Self.spec(name: "routers", data: "192.0.2.1, 300.1.1.1")),
            "option data does not match option definition (space: dhcp4, code: 3): "
                + "Failed to convert string to address '300.1.1.1': Invalid argument (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "interface-mtu", data: "70000")),
            "option data does not match option definition (space: dhcp4, code: 26): unable to convert '70000' "
                + "to numeric type. This value is expected to be in the range of 0..65535 (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "time-offset", data: "-2147483649")),
            "option data does not match option definition (space: dhcp4, code: 2): unable to convert '-2147483649' "
                + "to numeric type. This value is expected to be in the range of -2147483648..2147483647 "
                + "(kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "interface-mtu", data: "big")),
            "option data does not match option definition (space: dhcp4, code: 26): "
                + "unable to convert the value 'big' to integer data type (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "subnet-mask", data: nil)),
            "option data does not match option definition (space: dhcp4, code: 1): no option value specified "
                + "(kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "ip-forwarding", data: "2")),
            "option data does not match option definition (space: dhcp4, code: 19): "
                + "unable to convert '2' to boolean data type (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "slp-directory-agent", data: "true")),
            "option data does not match option definition (space: dhcp4, code: 78): number of data fields for "
                + "the option type '78' is greater than number of values provided. (kea-dhcp4.conf:12:9)")
        XCTAssertNotNil(error(Self.spec(name: "subnet-mask", data: "2001:db8::1")))
        XCTAssertNotNil(error(Self.spec(name: "host-name", data: "   ")))
        XCTAssertNotNil(error(Self.spec(name: "dhcp-agent-options", data: "01")))
    }

    func testNamingErrorsUseKeaWording() {
        XCTAssertEqual(
            error(Self.spec(name: "no-such-option", data: "1")),
            "definition for the option 'dhcp4.no-such-option' having code '0' does not exist (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "routers", code: 1, data: "192.0.2.1")),
            "specified option name 'routers' does not match the option definition: 'dhcp4.subnet-mask' "
                + "(kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(name: "routers", code: 200, data: "c0000201")),
            "specified option name 'routers' does not match the option code 200: 'dhcp4.routers' has code 3 "
                + "(kea-dhcp4.conf:12:9)")
        XCTAssertEqual(
            error(Self.spec(data: "1")),
            "option data configuration requires one of 'code' or 'name' parameters to be specified "
                + "(kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(code: 0, data: "")), "invalid option code '0': reserved for PAD (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(code: 255, data: "")), "invalid option code '255': reserved for END (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(code: 256, data: "")),
                       "invalid option code '256', it must not be greater than '255' (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(name: "bad name", data: "")),
                       "invalid option name 'bad name', space character is not allowed (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(name: "routers", data: "192.0.2.1", space: "dhcp6")),
                       "'dhcp6' option space name is reserved for DHCPv6 server (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(name: "routers", data: "192.0.2.1", space: "-bad")),
                       "invalid option space name '-bad' (kea-dhcp4.conf:12:9)")
        XCTAssertEqual(error(Self.spec(name: "routers", data: "192.0.2.1", space: "dhcp-agent-options-space")),
                       "definition for the option 'dhcp-agent-options-space.routers' having code '0' does not exist (kea-dhcp4.conf:12:9)")
        XCTAssertNoThrow(try OptionDataEncoder.encode(Self.spec(name: "routers", code: 3, data: "192.0.2.1")))
    }

    // MARK: - Text helpers

    func testCSVSplittingMatchesKeaTokens() {
        XCTAssertEqual(OptionDataText.splitValues("a, b ,c"), ["a", " b ", "c"])
        XCTAssertEqual(OptionDataText.splitValues(",,a,,b,"), ["a", "b"])
        XCTAssertEqual(OptionDataText.splitValues("a\\,b"), ["a,b"])
        XCTAssertEqual(OptionDataText.splitValues("a\\\\,b"), ["a\\", "b"])
        XCTAssertEqual(OptionDataText.splitValues("a\\b"), ["a\\b"])
        XCTAssertEqual(OptionDataText.splitValues("a\\"), ["a\\"])
        XCTAssertEqual(OptionDataText.splitValues(""), [])
        XCTAssertEqual(OptionDataText.trim(" \t a b \r\n"), "a b")
    }

    func testIPv6TextRoundTrips() {
        for text in ["2001:db8::1", "::", "::1", "fe80::1:2:3:4", "2001:db8:0:1:1:1:1:1", "1::", "2001:0:0:1::1"] {
            let octets = OptionIPv6Text.parse(text)
            XCTAssertEqual(octets?.count, 16, text)
            XCTAssertEqual(octets.map(OptionIPv6Text.format), text)
        }
        XCTAssertEqual(OptionIPv6Text.parse("::ffff:192.0.2.1").map(OptionIPv6Text.format), "::ffff:c000:201")
        for bad in ["1:::2", "1::2::3", "12345::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "g::", ":1::", "1.2.3.4::"] {
            XCTAssertNil(OptionIPv6Text.parse(bad), bad)
        }
    }

    /// RFC 5952 text (written byte by byte) against a plain reference: groups in lowercase hex
    /// without leading zeros, the first longest run of two or more zero groups as "::".
    func testIPv6TextFormatMatchesReference() {
        func reference(_ o: [UInt8]) -> String {
            let g = (0..<8).map { UInt16(o[2 * $0]) << 8 | UInt16(o[2 * $0 + 1]) }
            var best = 0..<0, i = 0
            while i < 8 {
                var j = i
                while j < 8 && g[j] == 0 { j += 1 }
                if j - i >= 2 && j - i > best.count { best = i..<j }
                i = j == i ? i + 1 : j
            }
            let hex = { (r: Range<Int>) in g[r].map { String($0, radix: 16) }.joined(separator: ":") }
            return best.isEmpty ? hex(0..<8) : hex(0..<best.lowerBound) + "::" + hex(best.upperBound..<8)
        }
        var seed: UInt64 = 0x5eed
        for _ in 0..<2000 {
            var o = [UInt8](repeating: 0, count: 16)
            for k in 0..<8 {   // each group zero, small, or anything, so runs and short groups are common
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                let v = UInt16(truncatingIfNeeded: seed >> 33)
                let group: UInt16 = [0, 0, v & 0xF, v & 0xFFF, v][Int(seed >> 60) % 5]
                o[2 * k] = UInt8(group >> 8)
                o[2 * k + 1] = UInt8(group & 0xFF)
            }
            XCTAssertEqual(OptionIPv6Text.format(o), reference(o), "\(o)")
            XCTAssertEqual(IPv6Address(bytes: o).description, reference(o))
            XCTAssertEqual(IPv6Address(bytes: o).bytes, o)
        }
        XCTAssertEqual(OptionIPv6Text.format([UInt8](repeating: 0xff, count: 16)), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
    }

    func testHexText() {
        XCTAssertEqual(HexText.colonSeparated([UInt8]()), "")
        XCTAssertEqual(HexText.colonSeparated([0x0a]), "0a")
        XCTAssertEqual(HexText.colonSeparated([0x00, 0x1f, 0xa0, 0xff]), "00:1f:a0:ff")
        XCTAssertEqual(HexText.colonSeparated([UInt8](0...255)[16...18]), "10:11:12")
        XCTAssertEqual(HexText.plain([UInt8]()), "")
        XCTAssertEqual(HexText.plain([0x01, 0x02, 0x0a, 0xbc]), "01020abc")
        XCTAssertEqual(HexText.plain([UInt8](0...255)).count, 512)
    }
}
