import XCTest
@testable import KakapoCore

/// The expression parser and evaluator are total and deterministic. Method: a seeded generator
/// (no global randomness) feeds thousands of random token sequences, random byte strings and
/// grammar-generated expressions to the parser, and random packets to the evaluator; every
/// input must parse or throw (never trap), parse the same way twice, and evaluate the same way
/// twice, with `evaluate` agreeing with `evaluateString`.
final class ExpressionPropertyTests: XCTestCase {

    static let vocabulary = [
        "option", "relay4", "pkt4", "pkt", "vendor", "vendor-class", "substring", "concat", "ifelse",
        "hexstring", "split", "member", "known", "unknown", "not", "and", "or", "all", "addrtotext",
        "int8totext", "uint16totext", "uint32totext", "hex", "text", "exists", "data", "enterprise",
        "mac", "hlen", "htype", "ciaddr", "giaddr", "msgtype", "transid", "iface", "src", "len",
        "host-name", "(", ")", "[", "]", ".", ",", "*", "==", "+", "'foo'", "''", "'all'", "0x1f",
        "0xABC", "0", "1", "-1", "82", "255", "256", "4491", "4294967296", "10.0.0.1", "999.1.1.1",
        "=", "'", "\u{0}", "é", "\n", "--", "0x", "::1", "2001:db8::", "fe80::1:2:3:4:5:6:7", ":",
    ]

    /// Parses twice; both outcomes must agree. Returns the expression when it parsed.
    func parseTwice(_ text: String, asString: Bool = false) -> ClassExpression? {
        let parse = asString ? ClassExpression.parseString : ClassExpression.parse
        let first: Result<ClassExpression, ConfigError>
        let second: Result<ClassExpression, ConfigError>
        do { first = .success(try parse(text, "<string>", 1, 1, .dhcp4)) } catch { first = .failure(error) }
        do { second = .success(try parse(text, "<string>", 1, 1, .dhcp4)) } catch { second = .failure(error) }
        switch (first, second) {
        case (.success(let a), .success(let b)):
            XCTAssertEqual(a, b, text)
            return a
        case (.failure(let a), .failure(let b)):
            XCTAssertEqual(a.code, b.code, text)
            XCTAssertEqual(a.message, b.message, text)
            XCTAssertNotNil(a.position, text)
            return nil
        default:
            XCTFail("parse is not deterministic: \(text)")
            return nil
        }
    }

    func checkEvaluation(_ e: ClassExpression, _ input: ClassificationInput4) {
        let a = e.evaluate(input)
        let b = e.evaluate(input)
        XCTAssertEqual(a, b, e.text)
        let s = e.evaluateString(input)
        XCTAssertEqual(s, e.evaluateString(input), e.text)
        if case .condition = e.root {
            XCTAssertEqual(a, s == .success(Array("true".utf8)), e.text)
        }
    }

    static func randomBytes(_ g: inout SplitMix64, max: Int) -> [UInt8] {
        (0..<Int.random(in: 0...max, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// A packet with random header fields and a random selection of the options expressions
    /// read, some well formed and some truncated.
    static func randomPacket(_ g: inout SplitMix64) -> ClassificationInput4 {
        var m = DHCPv4Message()
        m.htype = UInt8.random(in: 0...255, using: &g)
        m.hlen = UInt8.random(in: 0...255, using: &g)
        m.chaddr = randomBytes(&g, max: 16)
        m.xid = UInt32.random(in: 0...UInt32.max, using: &g)
        m.ciaddr = IPv4Address(UInt32.random(in: 0...UInt32.max, using: &g))
        m.giaddr = IPv4Address(UInt32.random(in: 0...UInt32.max, using: &g))
        for code: UInt8 in [1, 12, 43, 53, 60, 61, 82, 124, 125, 230] where Bool.random(using: &g) {
            var data = randomBytes(&g, max: 40)
            if (code == 124 || code == 125), Bool.random(using: &g) {
                // A plausible enterprise block: 4491 or a random one, with a length that may lie.
                let enterprise: [UInt8] = Bool.random(using: &g) ? [0, 0, 0x11, 0x8B] : Array(data.prefix(4))
                data = enterprise + [UInt8(truncatingIfNeeded: data.count + Int.random(in: -2...2, using: &g))] + data
            }
            m.options[code] = data
        }
        var classes: Set<String> = ["ALL"]
        if Bool.random(using: &g) { classes.insert("KNOWN") }
        if Bool.random(using: &g) { classes.insert("foo") }
        let source: IPAddress = Bool.random(using: &g)
            ? .v4(IPv4Address(UInt32.random(in: 0...UInt32.max, using: &g)))
            : .v6(IPv6Address(high: UInt64.random(in: 0...UInt64.max, using: &g), low: 1))
        return ClassificationInput4(message: m, interfaceName: Bool.random(using: &g) ? "eth0" : "",
                                    source: source, packetLength: Int.random(in: 0...70000, using: &g),
                                    classes: classes)
    }

    /// Random sequences of the language's tokens (and a few bytes that are not tokens).
    func testRandomTokenSequencesNeverTrap() {
        var g = SplitMix64(seed: 0x4B41_4B41_504F_0001)
        var parsed = 0
        for _ in 0..<4000 {
            let n = Int.random(in: 0...14, using: &g)
            let words = (0..<n).map { _ in Self.vocabulary.randomElement(using: &g) ?? "" }
            let text = words.joined(separator: Bool.random(using: &g) ? " " : "")
            for asString in [false, true] {
                if let e = parseTwice(text, asString: asString) {
                    parsed += 1
                    for _ in 0..<2 { checkEvaluation(e, Self.randomPacket(&g)) }
                }
            }
        }
        // The sequences are mostly nonsense, but some must parse, or the test checks nothing.
        XCTAssertGreaterThan(parsed, 5)
    }

    /// Random printable and unprintable strings.
    func testRandomStringsNeverTrap() {
        var g = SplitMix64(seed: 0x4B41_4B41_504F_0002)
        let alphabet = Array("optin[]().,*=+'0123456789xabcdefkwlrys- \t\u{7F}é")
        for _ in 0..<4000 {
            let n = Int.random(in: 0...40, using: &g)
            let text = String((0..<n).map { _ in alphabet.randomElement(using: &g) ?? " " })
            _ = parseTwice(text)
            _ = parseTwice(text, asString: true)
        }
        for _ in 0..<500 {
            let bytes = Self.randomBytes(&g, max: 60)
            _ = parseTwice(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// Grammar-generated expressions, which always parse, against random packets.
    func testGeneratedExpressionsEvaluateDeterministically() throws {
        var g = SplitMix64(seed: 0x4B41_4B41_504F_0003)
        var outcomes: Set<String> = []
        for _ in 0..<2000 {
            let text = Self.condition(&g, depth: 0)
            let e = try ClassExpression.parse(text)
            for _ in 0..<3 {
                let input = Self.randomPacket(&g)
                checkEvaluation(e, input)
                switch e.evaluateString(input) {
                case .success(let s): outcomes.insert(String(decoding: s, as: UTF8.self))
                case .failure: outcomes.insert("error")
                }
            }
        }
        // The generator reaches true, false and evaluation errors.
        XCTAssertEqual(outcomes, ["true", "false", "error"])
    }

    /// Grammar-generated string expressions (the string parser mode) against random packets.
    func testGeneratedStringExpressionsEvaluateDeterministically() throws {
        var g = SplitMix64(seed: 0x4B41_4B41_504F_0004)
        var nonEmpty = 0
        for _ in 0..<2000 {
            let e = try ClassExpression.parseString(Self.value(&g, depth: 0))
            for _ in 0..<3 {
                let input = Self.randomPacket(&g)
                checkEvaluation(e, input)
                if case .success(let bytes) = e.evaluateString(input), !bytes.isEmpty { nonEmpty += 1 }
            }
        }
        XCTAssertGreaterThan(nonEmpty, 1000)
    }

    static func condition(_ g: inout SplitMix64, depth: Int) -> String {
        let leaf = depth > 3 || Int.random(in: 0...2, using: &g) == 0
        if leaf {
            switch Int.random(in: 0...8, using: &g) {
            case 0: return "option[\(code(&g))].exists"
            case 1: return "relay4[\(Int.random(in: 0...3, using: &g))].exists"
            case 2: return ["known", "unknown", "member('foo')", "member('ALL')"].randomElement(using: &g) ?? "known"
            case 3: return "vendor[\(["*", "0", "4491", "7"].randomElement(using: &g) ?? "*")].exists"
            case 4: return "vendor-class[\(["*", "4491"].randomElement(using: &g) ?? "*")].exists"
            case 5: return "vendor[4491].option[\(Int.random(in: 0...3, using: &g))].exists"
            case 6: return "option[82].option[\(Int.random(in: 1...2, using: &g))].exists"
            default: return "\(value(&g, depth: depth + 1)) == \(value(&g, depth: depth + 1))"
            }
        }
        switch Int.random(in: 0...3, using: &g) {
        case 0: return "not \(condition(&g, depth: depth + 1))"
        case 1: return "(\(condition(&g, depth: depth + 1)) and \(condition(&g, depth: depth + 1)))"
        case 2: return "\(condition(&g, depth: depth + 1)) or \(condition(&g, depth: depth + 1))"
        default: return "\(value(&g, depth: depth + 1)) == \(value(&g, depth: depth + 1))"
        }
    }

    static func code(_ g: inout SplitMix64) -> String {
        ["1", "12", "43", "53", "60", "61", "82", "124", "125", "230", "host-name", "dhcp-message-type"]
            .randomElement(using: &g) ?? "1"
    }

    static func value(_ g: inout SplitMix64, depth: Int) -> String {
        if depth > 4 || Bool.random(using: &g) {
            switch Int.random(in: 0...10, using: &g) {
            case 0: return ["'foo'", "''", "'a.b.c'", "'eth0'"].randomElement(using: &g) ?? "''"
            case 1: return ["0x00", "0x0000118b", "0xff", "0xffff", "0x0a000001"].randomElement(using: &g) ?? "0x00"
            case 2: return String(UInt32.random(in: 0...300, using: &g))
            case 3: return "10.0.0.1"
            case 4: return "option[\(code(&g))].\(Bool.random(using: &g) ? "hex" : "text")"
            case 5: return "relay4[\(Int.random(in: 0...3, using: &g))].hex"
            case 6: return "pkt4.\(ClassExpression.Pkt4Field.allCases.randomElement(using: &g)?.rawValue ?? "mac")"
            case 7: return "pkt.\(ClassExpression.PktField.allCases.randomElement(using: &g)?.rawValue ?? "len")"
            case 8: return ["vendor.enterprise", "vendor-class.enterprise", "vendor[4491].option[1].hex",
                            "vendor-class[*].data", "vendor-class[4491].data[2]"].randomElement(using: &g) ?? "vendor.enterprise"
            default: return "option[82].option[\(Int.random(in: 1...2, using: &g))].hex"
            }
        }
        let v = { (g: inout SplitMix64) in value(&g, depth: depth + 1) }
        switch Int.random(in: 0...8, using: &g) {
        case 0:
            let length = Bool.random(using: &g) ? "all" : String(Int.random(in: -8...8, using: &g))
            return "substring(\(v(&g)), \(Int.random(in: -8...8, using: &g)), \(length))"
        case 1: return "concat(\(v(&g)), \(v(&g)))"
        case 2: return "\(v(&g)) + \(v(&g))"
        case 3: return "ifelse(\(condition(&g, depth: depth + 1)), \(v(&g)), \(v(&g)))"
        case 4: return "hexstring(\(v(&g)), \(Bool.random(using: &g) ? "':'" : "''"))"
        case 5: return "split(\(v(&g)), '.', \(Int.random(in: -1...4, using: &g)))"
        case 6: return "addrtotext(\(v(&g)))"
        case 7:
            let width = ClassExpression.IntegerWidth.allCases.randomElement(using: &g) ?? .uint8
            return "\(width.functionName)(\(v(&g)))"
        default: return v(&g)
        }
    }
}
