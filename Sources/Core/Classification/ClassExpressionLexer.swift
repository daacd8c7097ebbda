/// The tokens of Kea's expression language (`src/lib/eval/lexer.ll`, DHCPv4 subset).
struct ClassExpressionToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// `'…'`: the bytes between the quotes.
        case string([UInt8])
        /// `0x…`: the decoded bytes.
        case hex([UInt8])
        /// `-?[0-9]+`, kept as text: its range depends on where it is used.
        case integer(String)
        /// An address literal: four dot-separated digit runs, or a run of hex digits, dots and at
        /// least two colons (Kea's IPv6 rule); checked by the parser.
        case address(String)
        /// A keyword or an option name: `[A-Za-z_][A-Za-z0-9_-]*`.
        case word(String)
        case leftParen, rightParen, leftBracket, rightBracket, dot, comma, star, equal, plus
        case end
    }

    var kind: Kind
    /// Byte offsets in the expression text: `start` inclusive, `end` exclusive.
    var start: Int
    var end: Int

    /// How an error message names the token (Kea's bison names where it has them).
    var described: String {
        switch kind {
        case .string: "constant string"
        case .hex: "constant hexstring"
        case .integer(let t): "integer \(t)"
        case .address(let t): "ip address \(t)"
        case .word(let w): "\"\(w)\""
        case .leftParen: "\"(\""
        case .rightParen: "\")\""
        case .leftBracket: "\"[\""
        case .rightBracket: "\"]\""
        case .dot: "\".\""
        case .comma: "\",\""
        case .star: "\"*\""
        case .equal: "\"==\""
        case .plus: "\"+\""
        case .end: "end of file"
        }
    }
}

/// Splits an expression into tokens. Total: any bytes either tokenize or raise a `.syntax`
/// error naming the offending position.
struct ClassExpressionLexer {
    /// Longest expression accepted, in bytes: a bound on work and on the token array, far above
    /// any real class test.
    static let maximumLength = 65_536

    let bytes: [UInt8]
    let place: ClassExpressionPlace

    init(_ text: String, place: ClassExpressionPlace) {
        bytes = Array(text.utf8)
        self.place = place
    }

    func tokenize() throws(ConfigError) -> [ClassExpressionToken] {
        guard bytes.count <= Self.maximumLength else {
            throw ConfigError.at(.outOfRange, place.span(0, 1),
                                 "expression is longer than \(Self.maximumLength) bytes")
        }
        var tokens: [ClassExpressionToken] = []
        var i = 0
        // Each pass consumes at least one byte, so the loop runs at most bytes.count times.
        while i < bytes.count {
            let c = bytes[i]
            let start = i
            if let token = address6(at: i) {
                i = token.end
                tokens.append(token)
                continue
            }
            func single(_ kind: ClassExpressionToken.Kind) {
                i += 1
                tokens.append(ClassExpressionToken(kind: kind, start: start, end: i))
            }
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                i += 1
            case UInt8(ascii: "("): single(.leftParen)
            case UInt8(ascii: ")"): single(.rightParen)
            case UInt8(ascii: "["): single(.leftBracket)
            case UInt8(ascii: "]"): single(.rightBracket)
            case UInt8(ascii: "."): single(.dot)
            case UInt8(ascii: ","): single(.comma)
            case UInt8(ascii: "*"): single(.star)
            case UInt8(ascii: "+"): single(.plus)
            case UInt8(ascii: "="):
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "=") else {
                    throw invalidCharacter(at: i)
                }
                i += 2
                tokens.append(ClassExpressionToken(kind: .equal, start: start, end: i))
            case UInt8(ascii: "'"):
                var j = i + 1
                while j < bytes.count, bytes[j] != UInt8(ascii: "'"), bytes[j] != UInt8(ascii: "\n") { j += 1 }
                guard j < bytes.count, bytes[j] == UInt8(ascii: "'") else {
                    throw ConfigError.at(.syntax, place.span(i, i + 1), "unterminated string")
                }
                i = j + 1
                tokens.append(ClassExpressionToken(kind: .string(Array(bytes[start + 1..<j])), start: start, end: i))
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
                tokens.append(try number(from: &i))
            default:
                guard Self.isWordStart(c) else { throw invalidCharacter(at: i) }
                var j = i + 1
                while j < bytes.count, Self.isWordByte(bytes[j]) { j += 1 }
                i = j
                tokens.append(ClassExpressionToken(kind: .word(String(decoding: bytes[start..<j], as: UTF8.self)),
                                                   start: start, end: i))
            }
        }
        tokens.append(ClassExpressionToken(kind: .end, start: bytes.count, end: bytes.count))
        return tokens
    }

    /// A hex string, an IPv4 address or an integer, starting at a digit or `-`.
    private func number(from i: inout Int) throws(ConfigError) -> ClassExpressionToken {
        let start = i
        if bytes[i] == UInt8(ascii: "0"), i + 2 < bytes.count,
           bytes[i + 1] == UInt8(ascii: "x") || bytes[i + 1] == UInt8(ascii: "X"),
           Self.hexValue(bytes[i + 2]) != nil {
            var j = i + 2
            while j < bytes.count, Self.hexValue(bytes[j]) != nil { j += 1 }
            var digits = Array(bytes[(i + 2)..<j])
            if digits.count % 2 == 1 { digits.insert(UInt8(ascii: "0"), at: 0) }
            var decoded: [UInt8] = []
            decoded.reserveCapacity(digits.count / 2)
            var k = 0
            while k + 1 < digits.count {
                decoded.append((Self.hexValue(digits[k]) ?? 0) << 4 | (Self.hexValue(digits[k + 1]) ?? 0))
                k += 2
            }
            i = j
            return ClassExpressionToken(kind: .hex(decoded), start: start, end: i)
        }
        var j = i
        if bytes[j] == UInt8(ascii: "-") { j += 1 }
        let digitsStart = j
        while j < bytes.count, Self.isDigit(bytes[j]) { j += 1 }
        guard j > digitsStart else { throw invalidCharacter(at: start) }
        // Three more `.digits` groups make an address (only without a sign).
        if start == digitsStart {
            var k = j
            var groups = 1
            while groups < 4, k + 1 < bytes.count, bytes[k] == UInt8(ascii: "."), Self.isDigit(bytes[k + 1]) {
                k += 1
                while k < bytes.count, Self.isDigit(bytes[k]) { k += 1 }
                groups += 1
            }
            if groups == 4 {
                i = k
                return ClassExpressionToken(kind: .address(String(decoding: bytes[start..<k], as: UTF8.self)),
                                            start: start, end: i)
            }
        }
        i = j
        return ClassExpressionToken(kind: .integer(String(decoding: bytes[start..<j], as: UTF8.self)), start: start, end: i)
    }

    /// An IPv6 literal at `i`: the longest run of hex digits, colons and dots, when it holds
    /// two colons or more (flex takes the longest match, so `dead:beef::1` is an address and not
    /// the word `dead`).
    private func address6(at i: Int) -> ClassExpressionToken? {
        var j = i
        var colons = 0
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: ":") {
                colons += 1
            } else if Self.hexValue(b) == nil && b != UInt8(ascii: ".") {
                break
            }
            j += 1
        }
        guard colons >= 2 else { return nil }
        return ClassExpressionToken(kind: .address(String(decoding: bytes[i..<j], as: UTF8.self)), start: i, end: j)
    }

    private func invalidCharacter(at offset: Int) -> ConfigError {
        let b = bytes[offset]
        let shown = b >= 0x20 && b < 0x7F ? String(UnicodeScalar(b)) : "\\x" + Self.hex2(b)
        return ConfigError.at(.syntax, place.span(offset, offset + 1), "Invalid character: \(shown)")
    }

    static func hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String(digits[Int(b >> 4)]) + String(digits[Int(b & 0xF)])
    }

    static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    static func isWordStart(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || b == UInt8(ascii: "_")
    }

    static func isWordByte(_ b: UInt8) -> Bool { isWordStart(b) || isDigit(b) || b == UInt8(ascii: "-") }

    static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Where an expression sits in the configuration: the file, and the line and column of its
/// first character. A token's span is that column plus its byte offset (an expression is one
/// JSON string, so it does not span lines; escapes in the JSON string would shift columns).
struct ClassExpressionPlace: Sendable {
    var file: String
    var line: Int
    var column: Int

    /// The span of bytes `start..<end` (an empty range marks the one column at `start`).
    func span(_ start: Int, _ end: Int) -> SourceSpan {
        let first = column + start
        let last = column + max(start, end - 1)
        return SourceSpan(file: file, line: line, column: first, endLine: line, endColumn: last)
    }
}
