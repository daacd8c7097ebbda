import XCTest
@testable import KakapoCore

/// The client-class expression language: every example of Kea 2.4's classification chapter
/// that the DHCPv4 subset covers, evaluated on hand-built packets, and the parser's errors with
/// their positions. Method: parse the manual's text as written, evaluate it against a packet
/// built to make it true (and, where the example depends on the packet, one that makes it
/// false).
final class ExpressionTests: XCTestCase {
    // MARK: - Fixtures

    /// A relayed DHCPDISCOVER carrying one of every option the examples read.
    static func richPacket() -> ClassificationInput4 {
        var m = DHCPv4Message()
        m.htype = 6
        m.hlen = 6
        m.chaddr = [1, 2, 3, 4, 5, 6] + Array(repeating: 0, count: 10)
        m.xid = 12345
        m.ciaddr = IPv4Address(192, 0, 2, 1)
        m.yiaddr = IPv4Address(192, 0, 2, 2)
        m.siaddr = IPv4Address(192, 0, 2, 3)
        m.giaddr = IPv4Address(192, 0, 2, 4)
        m.options[53] = [1]
        m.options[12] = Array("myhost".utf8)
        m.options[60] = Array("docsis3.0".utf8)
        m.options[61] = Array("foobar".utf8)
        m.options[123] = [0xAB]
        // Relay agent information: circuit-id "eth0/1", remote-id = the client's MAC, and
        // sub-option 123.
        m.options[82] = [1, 6] + Array("eth0/1".utf8) + [2, 6, 1, 2, 3, 4, 5, 6] + [123, 2, 0xBE, 0xEF]
        // V-I vendor class (124): four enterprise blocks, the first for 4491. Kea 2.4 reads
        // each block's data as one item and does not compare the later enterprise numbers.
        let items: [[UInt8]] = [Array("docsis3.0".utf8), Array("a".utf8), [], Array("fourth".utf8)]
        let enterprises: [[UInt8]] = [[0, 0, 0x11, 0x8B], [0, 0, 0, 9], [0, 0, 0x11, 0x8B], [0, 0, 0, 7]]
        m.options[124] = zip(enterprises, items).flatMap { $0 + [UInt8($1.count)] + $1 }
        // V-I vendor-specific information (125), enterprise 4491, sub-option 1 = "docsis3.0".
        let sub: [UInt8] = [1, 9] + Array("docsis3.0".utf8)
        m.options[125] = [0, 0, 0x11, 0x8B, UInt8(sub.count)] + sub
        return ClassificationInput4(
            message: m, interfaceName: "eth0", source: .v4(IPv4Address(10, 1, 2, 3)),
            destination: .v4(IPv4Address(10, 1, 2, 4)), packetLength: 513, classes: ["ALL", "foobar"])
    }

    /// The rich packet, received from an IPv6 address (as `pkt.src` allows).
    static func v6SourcePacket() -> ClassificationInput4 {
        var input = richPacket()
        input.source = IPAddress("2001:db8::1") ?? .v4(.zero)
        return input
    }

    /// A bare BOOTP request: no options at all.
    static func emptyPacket() -> ClassificationInput4 {
        var m = DHCPv4Message()
        m.chaddr = Array(repeating: 0, count: 16)
        return ClassificationInput4(message: m)
    }

    func check(_ text: String, _ input: ClassificationInput4 = richPacket(), is expected: Bool,
               file: StaticString = #filePath, line: UInt = #line) {
        do {
            let e = try ClassExpression.parse(text)
            XCTAssertEqual(e.evaluate(input), expected, text, file: file, line: line)
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
        }
    }

    /// The value of the string expression `text` against the packet.
    func value(_ text: String, _ input: ClassificationInput4 = richPacket(),
               file: StaticString = #filePath, line: UInt = #line) -> [UInt8]? {
        do {
            switch try ClassExpression.parseString(text).evaluateString(input) {
            case .success(let bytes): return bytes
            case .failure(let error):
                XCTFail("\(text): \(error)", file: file, line: line)
                return nil
            }
        } catch {
            XCTFail("\(text): \(error)", file: file, line: line)
            return nil
        }
    }

    func parseError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try ClassExpression.parse(text, file: "kea.conf", line: 7, column: 20)
            XCTFail("\(text) parsed", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - The manual's tables

    /// "List of classification values", each example against the rich packet.
    func testClassificationValuesTable() {
        check("'example' == 'example'", is: true)
        check("0x5a7d == 'Z}'", is: true)
        check("0X5A7D == 'Z}'", is: true)
        check("10.0.0.1 == 0x0a000001", is: true)
        check("123 == 0x0000007b", is: true)
        check("option[123].hex == 0xab", is: true)
        check("option[123].exists", is: true)
        check("option[124].exists", Self.emptyPacket(), is: false)
        check("member('foobar')", is: true)
        check("member('foobar')", Self.emptyPacket(), is: false)
        check("relay4[123].hex == 0xbeef", is: true)
        check("relay4[123].exists", is: true)
        check("relay4[3].exists", is: false)
        check("pkt.iface == 'eth0'", is: true)
        check("pkt.src == 10.1.2.3", is: true)
        check("pkt.dst == 10.1.2.4", is: true)
        check("pkt.len == 513", is: true)
        check("pkt4.mac == 0x010203040506", is: true)
        check("pkt4.hlen == 6", is: true)
        check("pkt4.htype == 6", is: true)
        check("pkt4.ciaddr == 192.0.2.1", is: true)
        check("pkt4.yiaddr == 192.0.2.2", is: true)
        check("pkt4.siaddr == 192.0.2.3", is: true)
        check("pkt4.giaddr == 192.0.2.4", is: true)
        check("pkt4.msgtype == 1", is: true)
        check("pkt4.msgtype == 0", Self.emptyPacket(), is: true)
        check("pkt4.transid == 12345", is: true)
        check("vendor[*].exists", is: true)
        check("vendor[0].exists", is: true)
        check("vendor[4491].exists", is: true)
        check("vendor[4490].exists", is: false)
        check("vendor[*].exists", Self.emptyPacket(), is: false)
        check("vendor.enterprise == 4491", is: true)
        check("vendor[4491].option[1].exists", is: true)
        check("vendor[4491].option[2].exists", is: false)
        check("vendor[4491].option[1].hex == 'docsis3.0'", is: true)
        check("vendor[4490].option[1].hex == ''", is: true)
        check("vendor-class[*].exists", is: true)
        check("vendor-class[4491].exists", is: true)
        check("vendor-class[1].exists", is: false)
        check("vendor-class.enterprise == 4491", is: true)
        check("vendor-class[4491].data == 'docsis3.0'", is: true)
        check("vendor-class[4491].data[0] == 'docsis3.0'", is: true)
        check("vendor-class[4491].data[1] == 'a'", is: true)
        check("vendor-class[4491].data[2] == ''", is: true)
        check("vendor-class[4491].data[3] == 'fourth'", is: true)
        check("vendor-class[4491].data[4] == ''", is: true)
        check("vendor-class.enterprise == ''", Self.emptyPacket(), is: true)
        check("vendor-class[9].exists", is: false)
        check("vendor-class[9].data[1] == ''", is: true)
        // A truncated later block ends the items; the ones before it stay.
        var input = Self.richPacket()
        input.message.options[124] = [0, 0, 0x11, 0x8B, 2, 0x61, 0x62, 0, 0, 0, 9, 200, 0x63]
        check("vendor-class[4491].data[0] == 'ab'", input, is: true)
        check("vendor-class[4491].data[1] == ''", input, is: true)
        // A truncated first block is no vendor class option at all.
        input.message.options[124] = [0, 0, 0x11, 0x8B, 3, 0x61]
        check("vendor-class[*].exists", input, is: false)
    }

    /// `known` and `unknown` are `member('KNOWN')` and `not member('KNOWN')`.
    func testKnownAndUnknown() {
        var input = Self.richPacket()
        check("unknown", input, is: true)
        check("known", input, is: false)
        input.classes.insert("KNOWN")
        check("known", input, is: true)
        check("unknown", input, is: false)
        XCTAssertEqual(try ClassExpression.parse("known or member('A') and not member('KNOWN')").memberClasses,
                       ["KNOWN", "A"])
    }

    /// Sub-options exist only inside options whose definition encapsulates a space (82, 43);
    /// the manual's `option[82].option[2].hex == pkt4.mac` ("Infrastructure") holds on a
    /// packet whose remote-id is the client's MAC.
    func testSubOptions() {
        check("option[82].option[2].hex == pkt4.mac", is: true)
        check("option[82].option[1].text == 'eth0/1'", is: true)
        check("option[82].option[9].exists", is: false)
        check("option[82].option[1].exists", is: true)
        // Option 12 (host-name) is a string with no sub-options, as in Kea.
        check("option[12].option[109].exists", is: false)
        var input = Self.richPacket()
        input.message.options[43] = [1, 2, 0xCA, 0xFE]
        check("option[43].option[1].hex == 0xcafe", input, is: true)
        check("option[vendor-encapsulated-options].option[1].exists", input, is: true)
    }

    /// "List of classification expressions": ==, not, and, or, with the precedence the manual
    /// states ("A and B or C" is "(A and B) or C"; not binds tightest).
    func testLogicalOperators() {
        check("'foo' == 'bar'", is: false)
        check("not ('foo' == 'bar')", is: true)
        check("not 'foo' == 'bar'", is: true)
        check("('foo' == 'bar') and ('bar' == 'foo')", is: false)
        check("('foo' == 'bar') or ('bar' == 'foo')", is: false)
        check("'a' == 'a' and 'a' == 'b' or 'c' == 'c'", is: true)
        check("'a' == 'a' and ('a' == 'b' or 'c' == 'c')", is: true)
        check("'a' == 'b' and ('x' == 'y' or 'c' == 'c')", is: false)
        check("'a' == 'b' or 'a' == 'a' and 'x' == 'y'", is: false)
        check("not not option[123].exists", is: true)
        check("not (substring('foobar', 3, 3) == 'bar')", is: false)
    }

    /// The Substring section's examples, all true.
    func testSubstringExamples() {
        for text in [
            "substring('foobar', 0, 6) == 'foobar'",
            "substring('foobar', 3, 3) == 'bar'",
            "substring('foobar', 3, all) == 'bar'",
            "substring('foobar', 1, 4) == 'ooba'",
            "substring('foobar', -5, 4) == 'ooba'",
            "substring('foobar', -1, -3) == 'oba'",
            "substring('foobar', 4, -2) == 'ob'",
            "substring('foobar', 10, 2) == ''",
        ] { check(text, is: true) }
        check("substring('foobar', 1, all) == 'oobar'", is: true)
        check("substring('foobar', -6, 2) == 'fo'", is: true)
        check("substring('foobar', -7, 2) == ''", is: true)
        check("substring('foobar', 2, -9) == 'fo'", is: true)
        check("substring('foobar', 0, 0) == ''", is: true)
        check("substring('', 0, all) == ''", is: true)
        // The manual's first class example: client identifiers that start with "foo".
        check("substring(option[61].hex,0,3) == 'foo'", is: true)
        check("substring(option[61].hex,0,3) == 'foo'", Self.emptyPacket(), is: false)
    }

    /// Concat, the `+` operator and its equivalent nestings.
    func testConcatExamples() {
        check("concat('foo', 'bar') == 'foobar'", is: true)
        let plus = "'abc' + 'def' + 'ghi' + 'jkl' + '...'"
        XCTAssertEqual(value(plus), Array("abcdefghijkl...".utf8))
        XCTAssertEqual(value("concat(concat(concat(concat('abc', 'def'), 'ghi'), 'jkl'), '...')"),
                       Array("abcdefghijkl...".utf8))
        XCTAssertEqual(value("concat('abc', concat('def', concat('ghi', concat('jkl', '...'))))"),
                       Array("abcdefghijkl...".utf8))
        check("\(plus) == 'abcdefghijkl...'", is: true)
        check("'foo' + 'bar' == 'foo' + 'bar'", is: true)
        check("concat('a' + 'b', 'c') == 'abc'", is: true)
    }

    /// The Split section's examples, and its stated edge cases.
    func testSplitExamples() {
        for text in [
            "split ('one.two..four', '.', 1) == 'one'",
            "split ('one.two..four', '.', 2) == 'two'",
            "split ('one.two..four', '.', 3) == ''",
            "split ('one.two..four', '.', 4) == 'four'",
            "split ('one.two..four', '.', 5) == ''",
        ] { check(text, is: true) }
        check("split('foo.bar', '.', 2) == 'bar'", is: true)
        check("split('', '.', 1) == ''", is: true)
        check("split('a.b', '', 1) == 'a.b'", is: true)
        check("split('a.b', '.', 0) == ''", is: true)
        check("split('a.b', '.', -1) == ''", is: true)
        check("split('a.b-c', '.-', 3) == 'c'", is: true)
        check("split('it' + 0x27 + 's', 0x27, 2) == 's'", is: true)
    }

    /// Ifelse and hexstring.
    func testIfElseAndHexString() {
        let example = "ifelse(option[230].exists, option[230].hex, 'none')"
        XCTAssertEqual(value(example), Array("none".utf8))
        var input = Self.richPacket()
        input.message.options[230] = Array("yes".utf8)
        XCTAssertEqual(value(example, input), Array("yes".utf8))
        check("ifelse('foo' == 'bar','us','them') == 'them'", is: true)
        // Kea prints each byte with two lower-case digits.
        XCTAssertEqual(value("hexstring(pkt4.mac, ':')"), Array("01:02:03:04:05:06".utf8))
        XCTAssertEqual(value("hexstring('foo', '-')"), Array("66-6f-6f".utf8))
        XCTAssertEqual(value("hexstring(0xABcd, '')"), Array("abcd".utf8))
        XCTAssertEqual(value("hexstring('', ':')"), [])
    }

    /// "List of conversion-to-text expressions", with the length rule of its notes: the wrong
    /// length is an evaluation error (no match), an empty value gives "".
    func testConversionsToText() throws {
        check("addrtotext(192.10.0.1) == '192.10.0.1'", is: true)
        check("addrtotext(0x20030db8000000000000000000000000) == '2003:db8::'", is: true)
        check("addrtotext(pkt4.giaddr) == '192.0.2.4'", is: true)
        check("addrtotext (2003:db8::) == '2003:db8::'", is: true)
        check("addrtotext(::ffff:192.0.2.1) == '::ffff:192.0.2.1'", is: true)
        check("addrtotext(::192.0.2.1) == '::192.0.2.1'", is: true)
        check("addrtotext(::1) == '::1'", is: true)
        check("addrtotext(::ffff) == '::ffff'", is: true)
        check("2003:db8::1 == 0x20030db8000000000000000000000001", is: true)
        check("dead:beef::1 == 0xdeadbeef000000000000000000000001", is: true)
        check("pkt.src == 2001:db8::1", Self.v6SourcePacket(), is: true)
        check("int8totext(0xff) == '-1'", is: true)
        check("int16totext(0xffff) == '-1'", is: true)
        check("int32totext(0xffffffff) == '-1'", is: true)
        check("uint8totext(0xff) == '255'", is: true)
        check("uint16totext(0xffff) == '65535'", is: true)
        check("uint32totext(4294967295) == '4294967295'", is: true)
        check("uint32totext(pkt4.transid) == '12345'", is: true)
        check("uint8totext(option[124].hex) == ''", Self.emptyPacket(), is: true)
        check("addrtotext(option[124].hex) == ''", Self.emptyPacket(), is: true)

        let wrong = try ClassExpression.parse("uint16totext(0xff) == '255'")
        XCTAssertFalse(wrong.evaluate(Self.richPacket()))
        XCTAssertEqual(wrong.evaluateString(Self.richPacket()), .failure(.wrongIntegerLength(.uint16, length: 1)))
        // An error anywhere makes the whole test false, even under `not` or `or`.
        let negated = try ClassExpression.parse("not (addrtotext('abc') == '') or 'a' == 'a'")
        XCTAssertFalse(negated.evaluate(Self.richPacket()))
        XCTAssertEqual(negated.evaluateString(Self.richPacket()), .failure(.notAnAddress(length: 3)))
        XCTAssertEqual(try ClassExpression.parse("'a' == 'a'").evaluateString(Self.richPacket()), .success(Array("true".utf8)))
    }

    /// Options named by their Kea name, and `.text` rendering integer options in decimal.
    func testOptionNamesAndText() {
        check("option[host-name].hex == 'myhost'", is: true)
        check("option[vendor-class-identifier].text == 'docsis3.0'", is: true)
        check("option[dhcp-message-type].text == '1'", is: true)
        check("option[dhcp-message-type].hex == 0x01", is: true)
        check("option[host-name].exists", Self.emptyPacket(), is: false)
        check("option[12].hex == ''", Self.emptyPacket(), is: true)
    }

    /// String expressions (Kea's string parser mode): the manual's template-test examples.
    func testStringExpressions() throws {
        XCTAssertEqual(value("substring(option[61].hex,0,3)"), Array("foo".utf8))
        let filter = "ifelse(substring(option[61].hex,4,3) == 'foo', substring(option[12].hex,0,12), '')"
        XCTAssertEqual(value(filter), [])
        var input = Self.richPacket()
        input.message.options[61] = Array("abcdfoo".utf8)
        XCTAssertEqual(value(filter, input), Array("myhost".utf8))
        XCTAssertEqual(value("pkt4.hlen"), [0, 0, 0, 6])
        XCTAssertEqual(value("option[124].hex", Self.emptyPacket()), [])
        // A string expression as a test: true only when its value is "true".
        XCTAssertTrue(try ClassExpression.parseString("'tr' + 'ue'").evaluate(input))
        XCTAssertFalse(try ClassExpression.parseString("'yes'").evaluate(input))
        XCTAssertFalse(try ClassExpression.parseString("addrtotext('x')").evaluate(input))
        XCTAssertEqual(try ClassExpression.parseString("addrtotext('x')").evaluateString(input), .failure(.notAnAddress(length: 1)))
        // A test is not a string expression, and a string expression does not take `==`.
        XCTAssertThrowsError(try ClassExpression.parseString("option[1].exists")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, .syntax)
        }
        XCTAssertThrowsError(try ClassExpression.parseString("'a' == 'a'")) { error in
            XCTAssertEqual((error as? ConfigError)?.message,
                           "<string>:1.5-6: syntax error, unexpected \"==\", expecting end of file")
        }
        XCTAssertEqual(try ClassExpression.parseString("ifelse(member('A') or known, 'x', 'y')").memberClasses,
                       ["A", "KNOWN"])
    }

    // MARK: - Spans

    /// Nodes carry where they were written, offset by the place the caller gives.
    func testNodeSpans() throws {
        let e = try ClassExpression.parse("pkt4.hlen == 6", file: "f", line: 3, column: 10)
        guard case .condition(let root) = e.root, case .equal(let l, let r) = root.kind else {
            return XCTFail("not an equality")
        }
        XCTAssertEqual(root.span.description, "f:3.20-21")
        XCTAssertEqual(l.span.description, "f:3.10-18")
        XCTAssertEqual(r.span.description, "f:3.23")
    }

    // MARK: - Errors

    /// Malformed expressions: each error's code, its position in the file, and Kea-like text.
    func testParseErrorsCarryPositions() throws {
        // A value where a condition is needed: the error is at the end of the text.
        var e = try XCTUnwrap(parseError("option[60].hex"))
        XCTAssertEqual(e.code, .syntax)
        XCTAssertEqual(e.position, SourcePosition(file: "kea.conf", line: 7, column: 34))
        XCTAssertEqual(e.message, "kea.conf:7.34: syntax error, unexpected end of file, expecting \"==\"")

        e = try XCTUnwrap(parseError("'foo' = 'bar'"))
        XCTAssertEqual(e.code, .syntax)
        XCTAssertEqual(e.position?.column, 26)
        XCTAssertTrue(e.message.hasSuffix("Invalid character: ="), e.message)

        e = try XCTUnwrap(parseError("pkt.iface == 'eth0"))
        XCTAssertEqual(e.code, .syntax)
        XCTAssertEqual(e.position?.column, 33)

        e = try XCTUnwrap(parseError("option[256].hex == 'x'"))
        XCTAssertEqual(e.code, .outOfRange)
        XCTAssertEqual(e.message, "kea.conf:7.27-29: Option code has invalid value in 256. Allowed range: 0..255")

        e = try XCTUnwrap(parseError("option[no-such-option].exists"))
        XCTAssertEqual(e.code, .invalidValue)
        XCTAssertEqual(e.message, "kea.conf:7.27-40: option 'no-such-option' is not defined")

        e = try XCTUnwrap(parseError("substring('a', 99999999999, 1) == ''"))
        XCTAssertEqual(e.code, .outOfRange)
        XCTAssertEqual(e.position?.column, 35)

        e = try XCTUnwrap(parseError("300.1.1.1 == pkt4.ciaddr"))
        XCTAssertEqual(e.code, .invalidValue)
        XCTAssertEqual(e.position?.column, 20)

        e = try XCTUnwrap(parseError("pkt.src == 2001:db8:::1"))
        XCTAssertEqual(e.code, .invalidValue)
        XCTAssertEqual(e.message, "kea.conf:7.31-42: '2001:db8:::1' is not a valid IP address")

        e = try XCTUnwrap(parseError("substring('foobar', 1, 'all') == 'oobar'"))
        XCTAssertEqual(e.message, "kea.conf:7.43-47: syntax error, unexpected constant string, expecting integer or \"all\"")

        e = try XCTUnwrap(parseError("-1 == pkt4.transid"))
        XCTAssertEqual(e.code, .outOfRange)

        e = try XCTUnwrap(parseError("member(foo)"))
        XCTAssertEqual(e.message, "kea.conf:7.27-29: syntax error, unexpected \"foo\", expecting constant string")

        e = try XCTUnwrap(parseError("('a' == 'a'"))
        XCTAssertEqual(e.message, "kea.conf:7.31: syntax error, unexpected end of file, expecting \")\"")

        e = try XCTUnwrap(parseError("'a' == 'a' 'b'"))
        XCTAssertEqual(e.message, "kea.conf:7.31-33: syntax error, unexpected constant string, expecting end of file")

        e = try XCTUnwrap(parseError("concat(option[1].exists, 'a') == 'a'"))
        XCTAssertEqual(e.code, .syntax)
        XCTAssertEqual(e.position?.column, 27)

        e = try XCTUnwrap(parseError("pkt4.foo == ''"))
        XCTAssertTrue(e.message.contains("unexpected \"foo\", expecting \"mac\" or \"hlen\""), e.message)

        e = try XCTUnwrap(parseError("'a' == 'b' == 'c'"))
        XCTAssertEqual(e.code, .syntax)

        e = try XCTUnwrap(parseError("option[1].exists == 'true'"))
        XCTAssertEqual(e.code, .syntax)

        e = try XCTUnwrap(parseError(""))
        XCTAssertEqual(e.message, "kea.conf:7.20: syntax error, unexpected end of file, expecting a string expression or a condition")

        e = try XCTUnwrap(parseError("vendor[4491].data"))
        XCTAssertEqual(e.code, .syntax)

        e = try XCTUnwrap(parseError("vendor-class[4491].data[65536] == ''"))
        XCTAssertEqual(e.code, .outOfRange)

        e = try XCTUnwrap(parseError("relay4[circuit-id].exists"))
        XCTAssertEqual(e.code, .syntax)

        // Quoted text cannot contain a newline (Kea's lexer rule), nor are quotes escaped.
        e = try XCTUnwrap(parseError("'a\nb' == 'x'"))
        XCTAssertEqual(e.code, .syntax)
        XCTAssertNotNil(parseError("split('it''s', 0x27, 1) == 'it'"))
    }

    /// Nesting and chains beyond the bound are refused, not recursed into; just below it they
    /// parse and evaluate.
    func testNestingBound() throws {
        let deep = String(repeating: "(", count: 200) + "'a' == 'a'" + String(repeating: ")", count: 200)
        XCTAssertEqual(try XCTUnwrap(parseError(deep)).code, .nestingTooDeep)
        let ok = String(repeating: "(", count: 40) + "'a' == 'a'" + String(repeating: ")", count: 40)
        XCTAssertTrue(try ClassExpression.parse(ok).evaluate(Self.richPacket()))
        let nots = String(repeating: "not ", count: 5000) + "'a' == 'a'"
        XCTAssertEqual(try XCTUnwrap(parseError(nots)).code, .nestingTooDeep)
        let ors = Array(repeating: "'a' == 'b'", count: 2000).joined(separator: " or ")
        XCTAssertEqual(try XCTUnwrap(parseError(ors)).code, .nestingTooDeep)
        let pluses = Array(repeating: "'a'", count: 10000).joined(separator: " + ") + " == ''"
        XCTAssertEqual(try XCTUnwrap(parseError(pluses)).code, .nestingTooDeep)
        // A realistic list of alternatives fits.
        let macs = (0..<100).map { "pkt4.mac == 0x0000000000\(String($0 + 16, radix: 16))" }.joined(separator: " or ")
        XCTAssertFalse(try ClassExpression.parse(macs).evaluate(Self.richPacket()))
        let long = String(repeating: " ", count: ClassExpressionLexer.maximumLength + 1)
        XCTAssertEqual(try XCTUnwrap(parseError(long)).code, .outOfRange)
    }
}
