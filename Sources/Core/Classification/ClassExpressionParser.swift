extension ClassExpression {
    /// Expressions deeper than this are refused. The parser, the evaluator and the tree's own
    /// equality and deallocation recurse, and this bound keeps their stacks small whatever the
    /// input. Depth is counted in grammar levels: a parenthesis costs about four, and each extra
    /// operand of an `and`, `or` or `+` chain one (a chain is a left-deep tree), so real tests
    /// (a few dozen alternatives, a handful of parentheses) stay far below it.
    public static let nestingMaximum = 256

    /// Parses a client-class `test` expression.
    ///
    /// `file`, `line` and `column` say where the expression's first character sits in the
    /// configuration (the character after the opening quote of the JSON string), so that an
    /// error points into the file. `options` fixes the family: the language of a `Dhcp4`
    /// configuration for `OptionTable.dhcp4` (and any v4 table), that of `Dhcp6` for a v6 one;
    /// option names are looked up in its top-level space (`dhcp4` or `dhcp6`).
    /// Every malformed expression throws a `ConfigError` (`.syntax` for the grammar,
    /// `.outOfRange` for a number that does not fit, `.invalidValue` for an unknown option name
    /// or a bad address); no input traps.
    public static func parse(
        _ text: String, file: String = "<string>", line: Int = 1, column: Int = 1,
        options: OptionTable = .dhcp4
    ) throws(ConfigError) -> ClassExpression {
        try parse(text, place: ClassExpressionPlace(file: file, line: line, column: column), options: options) {
            parser throws(ConfigError) in .condition(try parser.parseCondition(depth: 0))
        }
    }

    /// Parses an expression whose result is a string (Kea's `PARSER_STRING` mode, as for a
    /// `template-test`): a value such as `substring(option[61].hex, 0, 3)`. Arguments and errors
    /// as for `parse`.
    public static func parseString(
        _ text: String, file: String = "<string>", line: Int = 1, column: Int = 1,
        options: OptionTable = .dhcp4
    ) throws(ConfigError) -> ClassExpression {
        try parse(text, place: ClassExpressionPlace(file: file, line: line, column: column), options: options) {
            parser throws(ConfigError) in .value(try parser.parseValue(depth: 0))
        }
    }

    /// Both modes: tokens, the root `rule` reads, then nothing left.
    private static func parse(
        _ text: String, place: ClassExpressionPlace, options: OptionTable,
        _ rule: (inout ClassExpressionParser) throws(ConfigError) -> Root
    ) throws(ConfigError) -> ClassExpression {
        let tokens = try ClassExpressionLexer(text, place: place).tokenize()
        var parser = ClassExpressionParser(tokens: tokens, place: place, options: options)
        let root = try rule(&parser)
        try parser.expectEnd()
        return ClassExpression(text: text, root: root)
    }
}

/// Recursive descent over Kea's grammar (`src/lib/eval/parser.yy`):
///
///     condition := and ("or" and)*
///     and       := unary ("and" unary)*
///     unary     := "not" unary | "(" condition ")" | test | value "==" value
///     value     := term ("+" term)*
///     test      := option[..].exists | relay4[..].exists | relay6[..].option[..].exists
///                | member('..') | known | unknown
///                | vendor[..].exists | vendor[..].option[..].exists | vendor-class[..].exists
///
/// `or` binds looser than `and`, which binds looser than `not`, as in Kea.
struct ClassExpressionParser {
    let tokens: [ClassExpressionToken]
    let place: ClassExpressionPlace
    let options: OptionTable
    var index = 0

    typealias Condition = ClassExpression.Condition
    typealias Value = ClassExpression.Value

    /// A term is either kind; the caller decides which it needed.
    enum Term {
        case condition(Condition)
        case value(Value)
    }

    init(tokens: [ClassExpressionToken], place: ClassExpressionPlace, options: OptionTable) {
        self.tokens = tokens
        self.place = place
        self.options = options
    }

    // MARK: - Token helpers

    var current: ClassExpressionToken { tokens[min(index, tokens.count - 1)] }

    func span(_ t: ClassExpressionToken) -> SourceSpan { place.span(t.start, t.end) }

    /// The span from token `first` to the last consumed token.
    func span(from first: ClassExpressionToken) -> SourceSpan {
        let last = tokens[max(0, min(index, tokens.count) - 1)]
        return place.span(first.start, max(first.end, last.end))
    }

    mutating func advance() -> ClassExpressionToken {
        let t = current
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func unexpected(_ expecting: [String]) -> ConfigError {
        ConfigError.syntax(span(current), unexpected: current.described, expecting: expecting)
    }

    mutating func expect(_ kind: ClassExpressionToken.Kind, _ name: String) throws(ConfigError) {
        guard current.kind == kind else { throw unexpected([name]) }
        _ = advance()
    }

    mutating func expectWord(_ words: [String]) throws(ConfigError) -> String {
        guard case .word(let w) = current.kind, words.contains(w) else {
            throw unexpected(words.map { "\"\($0)\"" })
        }
        _ = advance()
        return w
    }

    func isWord(_ w: String) -> Bool { current.kind == .word(w) }

    mutating func expectEnd() throws(ConfigError) {
        guard current.kind == .end else { throw unexpected(["end of file"]) }
    }

    mutating func checkDepth(_ depth: Int) throws(ConfigError) {
        guard depth <= ClassExpression.nestingMaximum else {
            throw ConfigError.at(.nestingTooDeep, span(current),
                                 "expression nested deeper than \(ClassExpression.nestingMaximum) levels")
        }
    }

    // MARK: - Conditions

    mutating func parseCondition(depth: Int) throws(ConfigError) -> Condition {
        try parseChain("or", depth: depth)
    }

    mutating func parseAnd(depth: Int) throws(ConfigError) -> Condition {
        try parseChain("and", depth: depth)
    }

    /// A left-associative chain of `or` (whose operands are `and` chains) or of `and` (whose
    /// operands are unary conditions). Each operand counts as a level of nesting.
    private mutating func parseChain(_ word: String, depth: Int) throws(ConfigError) -> Condition {
        try checkDepth(depth)
        let isOr = word == "or"
        var left = isOr ? try parseAnd(depth: depth + 1) : try parseUnary(depth: depth + 1)
        var operands = 1
        while isWord(word) {
            let op = advance()
            operands += 1
            let right = isOr ? try parseAnd(depth: depth + operands) : try parseUnary(depth: depth + operands)
            left = Condition(isOr ? .or(left, right) : .and(left, right), span: span(op))
        }
        return left
    }

    mutating func parseUnary(depth: Int) throws(ConfigError) -> Condition {
        try checkDepth(depth)
        if isWord("not") {
            let op = advance()
            let operand = try parseUnary(depth: depth + 1)
            return Condition(.not(operand), span: span(op))
        }
        if current.kind == .leftParen {
            _ = advance()
            let inner = try parseCondition(depth: depth + 1)
            try expect(.rightParen, "\")\"")
            return inner
        }
        switch try parseTerm(depth: depth + 1) {
        case .condition(let c):
            return c
        case .value(let term):
            let left = try continueConcat(term, depth: depth + 1)
            guard current.kind == .equal else { throw unexpected(["\"==\""]) }
            let op = advance()
            let right = try parseValue(depth: depth + 1)
            return Condition(.equal(left, right), span: span(op))
        }
    }

    // MARK: - Values

    /// A term that must be a value (a function argument, the right side of `==`).
    mutating func parseValue(depth: Int) throws(ConfigError) -> Value {
        let first = current
        switch try parseTerm(depth: depth) {
        case .value(let v):
            return try continueConcat(v, depth: depth)
        case .condition:
            throw ConfigError.at(.syntax, span(from: first),
                                 "syntax error, a condition where a string expression is expected")
        }
    }

    /// `v + w + …`: Kea's concat operator (since 1.9.8), left associative and binding tighter
    /// than `==`.
    mutating func continueConcat(_ first: Value, depth: Int) throws(ConfigError) -> Value {
        var left = first
        var operands = 1
        // Each pass consumes a `+` token, so the loop is bounded by the token count.
        while current.kind == .plus {
            let op = advance()
            operands += 1
            let start = current
            guard case .value(let right) = try parseTerm(depth: depth + operands) else {
                throw ConfigError.at(.syntax, span(from: start),
                                     "syntax error, a condition where a string expression is expected")
            }
            left = Value(.concat(left, right), span: span(op))
        }
        return left
    }

    mutating func parseTerm(depth: Int) throws(ConfigError) -> Term {
        try checkDepth(depth)
        let first = current
        switch first.kind {
        case .string(let bytes):
            _ = advance()
            return .value(Value(.string(bytes), span: span(first)))
        case .hex(let bytes):
            _ = advance()
            return .value(Value(.hex(bytes), span: span(first)))
        case .integer(let text):
            _ = advance()
            let n = try uint32(text, first)
            return .value(Value(.integer(n), span: span(first)))
        case .address(let text):
            _ = advance()
            guard let a = IPAddress(text) else {
                throw ConfigError.at(.invalidValue, span(first), "'\(text)' is not a valid IP address")
            }
            return .value(Value(.address(a), span: span(first)))
        case .word(let w):
            return try parseWordTerm(w, depth: depth)
        default:
            throw unexpected(["a string expression or a condition"])
        }
    }

    mutating func parseWordTerm(_ word: String, depth: Int) throws(ConfigError) -> Term {
        let first = current
        switch word {
        case "option":
            _ = advance()
            let code = try bracketedOptionCode(allowName: true)
            try expect(.dot, "\".\"")
            if isWord("option") {
                _ = advance()
                let sub = try bracketedOptionCode(allowName: false)
                try expect(.dot, "\".\"")
                return try optionTail(first) { rep in .option(code: code, sub: sub, rep) } exists: {
                    .optionExists(code: code, sub: sub)
                }
            }
            return try optionTail(first) { rep in .option(code: code, sub: nil, rep) } exists: {
                .optionExists(code: code, sub: nil)
            }
        case "relay4":
            _ = advance()
            let code = try bracketedOptionCode(allowName: false)
            try expect(.dot, "\".\"")
            let term = try optionTail(first) { rep in .relay4(code: UInt8(truncatingIfNeeded: code), rep) } exists: {
                .relay4Exists(code: UInt8(truncatingIfNeeded: code))
            }
            // A v6 code above 255 is refused here too, before it could be truncated.
            try requireFamily(.v4, first, "relay4 can only be used in DHCPv4.")
            return term
        case "relay6":
            _ = advance()
            return try relay6Tail(first)
        case "pkt4":
            _ = advance()
            try expect(.dot, "\".\"")
            let name = try expectWord(ClassExpression.Pkt4Field.allCases.map(\.rawValue))
            guard let field = ClassExpression.Pkt4Field(rawValue: name) else { preconditionFailure("checked by expectWord") }
            try requireFamily(.v4, first, "pkt4 can only be used in DHCPv4.")
            return .value(Value(.pkt4(field), span: span(from: first)))
        case "pkt6":
            _ = advance()
            try expect(.dot, "\".\"")
            let name = try expectWord(ClassExpression.Pkt6Field.allCases.map(\.rawValue))
            guard let field = ClassExpression.Pkt6Field(rawValue: name) else { preconditionFailure("checked by expectWord") }
            try requireFamily(.v6, first, "pkt6 can only be used in DHCPv6.")
            return .value(Value(.pkt6(field), span: span(from: first)))
        case "pkt":
            _ = advance()
            try expect(.dot, "\".\"")
            let name = try expectWord(ClassExpression.PktField.allCases.map(\.rawValue))
            guard let field = ClassExpression.PktField(rawValue: name) else { preconditionFailure("checked by expectWord") }
            return .value(Value(.pkt(field), span: span(from: first)))
        case "substring":
            _ = advance()
            try expect(.leftParen, "\"(\"")
            let operand = try parseValue(depth: depth + 1)
            try expect(.comma, "\",\"")
            let start = try int32Argument()
            try expect(.comma, "\",\"")
            let length: ClassExpression.SubstringLength
            // Kea's lexer has a bare `all` keyword (`substring('foobar', 3, all)` in the ARM);
            // `'all'` is a string there, which its grammar refuses in this place, and so do we.
            if current.kind == .word("all") {
                _ = advance()
                length = .all
            } else if case .integer = current.kind {
                length = .count(try int32Argument())
            } else {
                throw unexpected(["integer", "\"all\""])
            }
            try expect(.rightParen, "\")\"")
            return .value(Value(.substring(operand, start: start, length: length), span: span(from: first)))
        case "concat", "hexstring":
            _ = advance()
            try expect(.leftParen, "\"(\"")
            let a = try parseValue(depth: depth + 1)
            try expect(.comma, "\",\"")
            let b = try parseValue(depth: depth + 1)
            try expect(.rightParen, "\")\"")
            let kind: Value.Kind = word == "concat" ? .concat(a, b) : .hexString(a, separator: b)
            return .value(Value(kind, span: span(from: first)))
        case "ifelse":
            _ = advance()
            try expect(.leftParen, "\"(\"")
            let condition = try parseCondition(depth: depth + 1)
            try expect(.comma, "\",\"")
            let a = try parseValue(depth: depth + 1)
            try expect(.comma, "\",\"")
            let b = try parseValue(depth: depth + 1)
            try expect(.rightParen, "\")\"")
            return .value(Value(.ifElse(condition, a, b), span: span(from: first)))
        case "split":
            _ = advance()
            try expect(.leftParen, "\"(\"")
            let operand = try parseValue(depth: depth + 1)
            try expect(.comma, "\",\"")
            let delimiters = try parseValue(depth: depth + 1)
            try expect(.comma, "\",\"")
            let field = try int32Argument()
            try expect(.rightParen, "\")\"")
            return .value(Value(.split(operand, delimiters: delimiters, field: field), span: span(from: first)))
        case "member":
            _ = advance()
            try expect(.leftParen, "\"(\"")
            guard case .string(let bytes) = current.kind else { throw unexpected(["constant string"]) }
            _ = advance()
            try expect(.rightParen, "\")\"")
            return .condition(Condition(.member(String(decoding: bytes, as: UTF8.self)), span: span(from: first)))
        case "known":
            _ = advance()
            return .condition(Condition(.member("KNOWN"), span: span(first)))
        case "unknown":
            _ = advance()
            let s = span(first)
            return .condition(Condition(.not(Condition(.member("KNOWN"), span: s)), span: s))
        case "addrtotext":
            _ = advance()
            try expect(.leftParen, "\"(\"")
            let operand = try parseValue(depth: depth + 1)
            try expect(.rightParen, "\")\"")
            return .value(Value(.addressToText(operand), span: span(from: first)))
        case "vendor":
            _ = advance()
            return try vendorTail(first)
        case "vendor-class":
            _ = advance()
            return try vendorClassTail(first)
        default:
            if let width = ClassExpression.IntegerWidth.allCases.first(where: { $0.functionName == word }) {
                _ = advance()
                try expect(.leftParen, "\"(\"")
                let operand = try parseValue(depth: depth + 1)
                try expect(.rightParen, "\")\"")
                return .value(Value(.integerToText(operand, width), span: span(from: first)))
            }
            throw unexpected(["a string expression or a condition"])
        }
    }

    /// `.hex`, `.text` or `.exists` after an option reference.
    mutating func optionTail(
        _ first: ClassExpressionToken, value: (ClassExpression.Representation) -> Value.Kind,
        exists: () -> Condition.Kind
    ) throws(ConfigError) -> Term {
        switch try expectWord(["hex", "text", "exists"]) {
        case "hex": return .value(Value(value(.hex), span: span(from: first)))
        case "text": return .value(Value(value(.text), span: span(from: first)))
        default: return .condition(Condition(exists(), span: span(from: first)))
        }
    }

    /// A construct of one family only, refused in the other's configuration with Kea's message
    /// (at the construct's first token, as Kea reports it).
    func requireFamily(_ family: OptionTable.Family, _ first: ClassExpressionToken, _ message: String) throws(ConfigError) {
        guard options.family == family else { throw ConfigError.at(.syntax, span(first), message) }
    }

    /// After `relay6`: `[nest].option[N].hex|text|exists` or `[nest].peeraddr|linkaddr`.
    mutating func relay6Tail(_ first: ClassExpressionToken) throws(ConfigError) -> Term {
        try expect(.leftBracket, "\"[\"")
        let t = current
        guard case .integer(let text) = t.kind else { throw unexpected(["integer"]) }
        _ = advance()
        // Kea converts the nest level first: an int8, then the family's check.
        guard let n = Self.integer(text), n >= Int(Int8.min), n <= Int(Int8.max) else {
            throw ConfigError.at(.outOfRange, span(t), "Failed to convert \(text) to an integer.")
        }
        guard options.family == .v6 else {
            throw ConfigError.at(.syntax, span(t), "Nest level invalid for DHCPv4 packets")
        }
        guard n >= -32, n < 32 else {
            throw ConfigError.at(.outOfRange, span(t), "Nest level has invalid value in \(text). Allowed range: -32..31")
        }
        let nest = Int8(n)
        try expect(.rightBracket, "\"]\"")
        try expect(.dot, "\".\"")
        switch try expectWord(["option", "peeraddr", "linkaddr"]) {
        case "option":
            let code = try bracketedOptionCode(allowName: false)
            try expect(.dot, "\".\"")
            return try optionTail(first) { rep in .relay6(nest: nest, code: code, rep) } exists: {
                .relay6Exists(nest: nest, code: code)
            }
        case let word:
            let field: ClassExpression.Relay6Field = word == "peeraddr" ? .peeraddr : .linkaddr
            return .value(Value(.relay6Field(nest: nest, field), span: span(from: first)))
        }
    }

    /// After `vendor`: `.enterprise`, or `[E].exists`, or `[E].option[M].hex|text|exists`.
    mutating func vendorTail(_ first: ClassExpressionToken) throws(ConfigError) -> Term {
        if current.kind == .dot {
            _ = advance()
            _ = try expectWord(["enterprise"])
            return .value(Value(.vendorEnterprise, span: span(from: first)))
        }
        let enterprise = try bracketedEnterprise()
        try expect(.dot, "\".\"")
        if try expectWord(["exists", "option"]) == "exists" {
            return .condition(Condition(.vendorExists(enterprise: enterprise), span: span(from: first)))
        }
        let code = try bracketedOptionCode(allowName: false)
        try expect(.dot, "\".\"")
        return try optionTail(first) { rep in .vendorOption(enterprise: enterprise, code: code, rep) } exists: {
            .vendorOptionExists(enterprise: enterprise, code: code)
        }
    }

    /// After `vendor-class`: `.enterprise`, or `[E].exists`, or `[E].data`, or `[E].data[I]`.
    mutating func vendorClassTail(_ first: ClassExpressionToken) throws(ConfigError) -> Term {
        if current.kind == .dot {
            _ = advance()
            _ = try expectWord(["enterprise"])
            return .value(Value(.vendorClassEnterprise, span: span(from: first)))
        }
        let enterprise = try bracketedEnterprise()
        try expect(.dot, "\".\"")
        if try expectWord(["exists", "data"]) == "exists" {
            return .condition(Condition(.vendorClassExists(enterprise: enterprise), span: span(from: first)))
        }
        var dataIndex: UInt16 = 0
        if current.kind == .leftBracket {
            _ = advance()
            let t = current
            guard case .integer(let text) = t.kind else { throw unexpected(["integer"]) }
            _ = advance()
            guard let n = Self.integer(text), n >= 0, n <= Int(UInt16.max) else {
                throw ConfigError.at(.outOfRange, span(t), "Failed to convert \(text) to an unsigned 16 bit integer.")
            }
            dataIndex = UInt16(n)
            try expect(.rightBracket, "\"]\"")
        }
        return .value(Value(.vendorClassData(enterprise: enterprise, index: dataIndex), span: span(from: first)))
    }

    // MARK: - Numbers and names

    /// `[code]` or, when `allowName`, `[name]` looked up in the family's top-level space.
    /// Codes are one octet in DHCPv4 and two in DHCPv6.
    mutating func bracketedOptionCode(allowName: Bool) throws(ConfigError) -> UInt16 {
        try expect(.leftBracket, "\"[\"")
        let t = current
        let code: UInt16
        let maximum = options.family.maximumCode
        switch t.kind {
        case .integer(let text):
            _ = advance()
            guard let n = Self.integer(text), n >= 0, n <= Int(maximum) else {
                throw ConfigError.at(.outOfRange, span(t),
                                     "Option code has invalid value in \(text). Allowed range: 0..\(maximum)")
            }
            code = UInt16(n)
        case .word(let name) where allowName:
            _ = advance()
            guard let definition = options.definition(named: name, in: options.family.topLevelSpace),
                  definition.code <= maximum else {
                throw ConfigError.at(.invalidValue, span(t), "option '\(name)' is not defined")
            }
            code = definition.code
        default:
            throw unexpected(allowName ? ["integer", "option name"] : ["integer"])
        }
        try expect(.rightBracket, "\"]\"")
        return code
    }

    /// `[*]` or `[E]`; nil for any enterprise (`*` or 0, as in Kea).
    mutating func bracketedEnterprise() throws(ConfigError) -> UInt32? {
        try expect(.leftBracket, "\"[\"")
        let t = current
        let enterprise: UInt32?
        switch t.kind {
        case .star:
            _ = advance()
            enterprise = nil
        case .integer(let text):
            _ = advance()
            let n = try uint32(text, t)
            enterprise = n == 0 ? nil : n
        default:
            throw unexpected(["integer", "\"*\""])
        }
        try expect(.rightBracket, "\"]\"")
        return enterprise
    }

    /// An integer argument of `substring` or `split`, which may be negative.
    mutating func int32Argument() throws(ConfigError) -> Int32 {
        let t = current
        guard case .integer(let text) = t.kind else { throw unexpected(["integer"]) }
        _ = advance()
        guard let n = Self.integer(text), n >= Int(Int32.min), n <= Int(Int32.max) else {
            throw ConfigError.at(.outOfRange, span(t), "Failed to convert \(text) to a 32 bit integer.")
        }
        return Int32(n)
    }

    func uint32(_ text: String, _ t: ClassExpressionToken) throws(ConfigError) -> UInt32 {
        guard let n = Self.integer(text), n >= 0, n <= Int(UInt32.max) else {
            throw ConfigError.at(.outOfRange, span(t), "Failed to convert \(text) to an unsigned 32 bit integer.")
        }
        return UInt32(n)
    }

    /// A decimal with an optional minus sign; nil past 18 digits (no overflow, whatever the text).
    static func integer(_ text: String) -> Int? {
        var negative = false
        var value = 0
        var digits = 0
        for (i, b) in text.utf8.enumerated() {
            if i == 0, b == UInt8(ascii: "-") {
                negative = true
                continue
            }
            guard ClassExpressionLexer.isDigit(b) else { return nil }
            if digits == 0, value == 0, b == UInt8(ascii: "0") { continue }
            digits += 1
            guard digits <= 18 else { return nil }
            value = value * 10 + Int(b - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}
