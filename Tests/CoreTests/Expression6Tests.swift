import XCTest
@testable import KakapoCore

/// The expression language on DHCPv6 packets: the same parser and evaluator as DHCPv4, with the
/// v6 table (`OptionTable.dhcp6`): two-octet option codes, `relay6[…]`, `pkt6.…`, vendor
/// options 17/16 in RFC 8415's layout, and each family's tokens refused in the other's.
final class Expression6Tests: XCTestCase {
    static let linkAddress = IPv6Address("2001:db8:1::1")!

    /// A Solicit relayed twice: the outer relay (nest 0, -2) gave interface-id "eth0/1" and a
    /// link-address; the inner one (nest 1, -1) a remote-id.
    static func relayedSolicit(classes: Set<String> = ["ALL"]) -> ClassificationInput6 {
        var m = DHCPv6ClientMessage(messageType: .solicit, transactionID: 0xABCDEF)
        m.options.append(1, [0, 3, 0, 1, 1, 2, 3, 4, 5, 6])
        m.options.append(8, [0, 10])
        m.options.append(15, [0, 4] + Array("lab1".utf8))
        // Vendor class (16): enterprise 4491, tuples "docsis3.0" and "x".
        m.options.append(16, [0, 0, 0x11, 0x8B, 0, 9] + Array("docsis3.0".utf8) + [0, 1, UInt8(ascii: "x")])
        // Vendor-specific information (17): enterprise 4491, sub-option 1 = 0x0020, 1000 = "abc".
        m.options.append(17, [0, 0, 0x11, 0x8B, 0, 1, 0, 2, 0, 0x20, 0x03, 0xE8, 0, 3] + Array("abc".utf8))
        // NTP server (56): sub-option 3 (server FQDN) after no value of its own.
        m.options.append(56, [0, 3, 0, 2, 0xAA, 0xBB])
        // LQ query (44): a uint8 and an address (17 bytes), then sub-option 1.
        m.options.append(44, [1] + Array(repeating: 0, count: 16) + [0, 1, 0, 1, 0x77])
        m.options.append(300, Array("hi".utf8))
        var outerOptions = DHCPv6Options()
        outerOptions.append(18, Array("eth0/1".utf8))
        var innerOptions = DHCPv6Options()
        innerOptions.append(37, [0, 0, 0, 9, 0xCA, 0xFE])
        let inner = DHCPv6RelayMessage(direction: .forward, hopCount: 0, linkAddress: .unspecified,
                                       peerAddress: IPv6Address("fe80::2")!, options: innerOptions, relayedMessage: .client(m))
        let outer = DHCPv6RelayMessage(direction: .forward, hopCount: 1, linkAddress: linkAddress,
                                       peerAddress: IPv6Address("fe80::1")!, options: outerOptions,
                                       relayedMessage: .relay(inner))
        return ClassificationInput6(message: m, relays: [outer, inner], interfaceName: "eth1",
                                    source: .v6(IPv6Address("2001:db8:9::1")!), destination: .v6(IPv6Address("2001:db8:9::2")!),
                                    packetLength: 211, classes: classes)
    }

    func check(_ text: String, _ input: ClassificationInput6 = relayedSolicit(), is expected: Bool,
               file: StaticString = #filePath, line: UInt = #line) {
        do {
            let e = try ClassExpression.parse(text, options: .dhcp6)
            XCTAssertEqual(e.evaluate(input), expected, text, file: file, line: line)
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
        }
    }

    func value(_ text: String, _ input: ClassificationInput6 = relayedSolicit(),
               file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            switch try ClassExpression.parseString(text, options: .dhcp6).evaluateString(input) {
            case .success(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .failure(let error):
                XCTFail("\(text): \(error)", file: file, line: line)
                return nil
            }
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
            return nil
        }
    }

    func parseError(_ text: String, options: OptionTable, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try ClassExpression.parse(text, options: options)
            XCTFail("\(text) parsed", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Tokens

    func testPkt6Fields() {
        check("pkt6.msgtype == 1", is: true)
        check("pkt6.msgtype == 3", is: false)
        check("pkt6.transid == 11259375", is: true)
        check("pkt6.transid == 0x00ABCDEF", is: true)
        XCTAssertEqual(value("uint32totext(pkt6.msgtype)"), "1")
    }

    func testPktFields() {
        check("pkt.iface == 'eth1'", is: true)
        check("pkt.src == 2001:db8:9::1", is: true)
        check("pkt.dst == 2001:db8:9::2", is: true)
        check("pkt.len == 211", is: true)
        XCTAssertEqual(value("addrtotext(pkt.src)"), "2001:db8:9::1")
    }

    func testOptionsWithTwoOctetCodes() {
        check("option[300].hex == 'hi'", is: true)
        check("option[300].exists", is: true)
        check("option[65535].exists", is: false)
        check("option[15].hex == 0x00046c616231", is: true)
        // elapsed-time is a uint16: its text is decimal, by code or by name.
        check("option[8].text == '10'", is: true)
        check("option[elapsed-time].text == '10'", is: true)
        check("option[8].hex == 0x000a", is: true)
        check("substring(option[1].hex, 0, 2) == 0x0003", is: true)
    }

    func testSubOptionsUseTwoOctetCodes() {
        // 56 encapsulates its own space with no value before the sub-options.
        check("option[56].option[3].hex == 0xaabb", is: true)
        check("option[56].option[4].exists", is: false)
        // 44 carries 17 bytes of its own before its sub-options.
        check("option[44].option[1].hex == 0x77", is: true)
        // 300 has no definition: no sub-options.
        check("option[300].option[104].exists", is: false)
    }

    func testRelay6Options() {
        check("relay6[0].option[18].hex == 'eth0/1'", is: true)
        check("relay6[-2].option[18].hex == 'eth0/1'", is: true)
        check("relay6[1].option[37].exists", is: true)
        check("relay6[-1].option[37].exists", is: true)
        check("relay6[-1].option[18].exists", is: false)
        check("relay6[1].option[18].exists", is: false)
        // Past the chain, either way: absent, not an error.
        check("relay6[2].option[18].exists", is: false)
        check("relay6[-3].option[18].exists", is: false)
        check("not relay6[5].option[18].exists", is: true)
        XCTAssertEqual(value("relay6[2].option[18].hex"), "")
        XCTAssertEqual(value("hexstring(relay6[1].option[37].hex, ':')"), "00:00:00:09:ca:fe")
    }

    func testRelay6Addresses() {
        check("relay6[0].linkaddr == 2001:db8:1::1", is: true)
        check("relay6[0].peeraddr == fe80::1", is: true)
        check("relay6[1].peeraddr == fe80::2", is: true)
        check("relay6[-1].linkaddr == ::", is: true)
        XCTAssertEqual(value("addrtotext(relay6[0].linkaddr)"), "2001:db8:1::1")
        XCTAssertEqual(value("addrtotext(relay6[7].linkaddr)"), "")
    }

    func testDirectMessageHasNoRelays() {
        var input = Self.relayedSolicit()
        input.relays = []
        check("relay6[0].option[18].exists", input, is: false)
        check("relay6[-1].peeraddr == ''", input, is: true)
        check("pkt6.msgtype == 1", input, is: true)
    }

    func testVendorOptions() {
        check("vendor[4491].exists", is: true)
        check("vendor[*].exists", is: true)
        check("vendor[9].exists", is: false)
        check("vendor.enterprise == 4491", is: true)
        check("vendor[4491].option[1].hex == 0x0020", is: true)
        check("vendor[4491].option[1000].hex == 'abc'", is: true)
        check("vendor[4491].option[1000].exists", is: true)
        check("vendor[4491].option[2].exists", is: false)
    }

    func testVendorClass() {
        check("vendor-class[4491].exists", is: true)
        check("vendor-class[1].exists", is: false)
        check("vendor-class.enterprise == 4491", is: true)
        check("vendor-class[4491].data == 'docsis3.0'", is: true)
        check("vendor-class[4491].data[0] == 'docsis3.0'", is: true)
        check("vendor-class[4491].data[1] == 'x'", is: true)
        check("vendor-class[4491].data[2] == ''", is: true)
    }

    func testMembershipAndFunctions() {
        check("member('ALL')", is: true)
        check("known", is: false)
        check("unknown", is: true)
        check("known", Self.relayedSolicit(classes: ["ALL", "KNOWN"]), is: true)
        check("substring(relay6[0].option[18].hex, 0, 4) == 'eth0'", is: true)
        check("split(relay6[0].option[18].hex, '/', 2) == '1'", is: true)
        check("concat('a', option[300].hex) == 'ahi'", is: true)
        check("ifelse(pkt6.msgtype == 1, 'sol', 'other') == 'sol'", is: true)
        XCTAssertEqual(value("uint16totext(option[8].hex)"), "10")
    }

    // MARK: - One family's tokens in the other's configuration

    func testV4TokensRefusedInDhcp6() throws {
        var e = try XCTUnwrap(parseError("pkt4.mac == 0x01", options: .dhcp6))
        XCTAssertTrue(e.message.hasSuffix("pkt4 can only be used in DHCPv4."), e.message)
        XCTAssertEqual(e.position?.column, 1)
        e = try XCTUnwrap(parseError("relay4[1].exists", options: .dhcp6))
        XCTAssertTrue(e.message.hasSuffix("relay4 can only be used in DHCPv4."), e.message)
        e = try XCTUnwrap(parseError("option[65536].exists", options: .dhcp6))
        XCTAssertEqual(e.code, .outOfRange)
        XCTAssertTrue(e.message.hasSuffix("Option code has invalid value in 65536. Allowed range: 0..65535"), e.message)
        e = try XCTUnwrap(parseError("relay6[32].option[1].exists", options: .dhcp6))
        XCTAssertTrue(e.message.hasSuffix("Nest level has invalid value in 32. Allowed range: -32..31"), e.message)
        XCTAssertEqual(e.position?.column, 8)
        e = try XCTUnwrap(parseError("relay6[-33].option[1].exists", options: .dhcp6))
        XCTAssertTrue(e.message.hasSuffix("Nest level has invalid value in -33. Allowed range: -32..31"), e.message)
        e = try XCTUnwrap(parseError("relay6[0].option[1].text", options: .dhcp6))
        XCTAssertEqual(e.code, .syntax)
        e = try XCTUnwrap(parseError("relay6[0].hopcount == 1", options: .dhcp6))
        XCTAssertEqual(e.code, .syntax)
        // The boundaries themselves parse.
        XCTAssertNoThrow(try ClassExpression.parse("relay6[31].option[65535].exists", options: .dhcp6))
        XCTAssertNoThrow(try ClassExpression.parse("relay6[-32].peeraddr == ::", options: .dhcp6))
    }

    func testV6TokensRefusedInDhcp4() throws {
        var e = try XCTUnwrap(parseError("pkt6.msgtype == 1", options: .dhcp4))
        XCTAssertTrue(e.message.hasSuffix("pkt6 can only be used in DHCPv6."), e.message)
        e = try XCTUnwrap(parseError("relay6[0].option[18].exists", options: .dhcp4))
        XCTAssertTrue(e.message.hasSuffix("Nest level invalid for DHCPv4 packets"), e.message)
        e = try XCTUnwrap(parseError("option[256].exists", options: .dhcp4))
        XCTAssertTrue(e.message.hasSuffix("Allowed range: 0..255"), e.message)
        // A v6 option name is unknown to the v4 table.
        e = try XCTUnwrap(parseError("option[elapsed-time].exists", options: .dhcp4))
        XCTAssertEqual(e.code, .invalidValue)
    }
}
