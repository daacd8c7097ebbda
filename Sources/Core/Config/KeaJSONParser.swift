/// Recursive-descent parser over `KeaJSONLexer` tokens, building `JSONNode`s.
///
/// Syntax errors use bison's wording from Kea's generic JSON rules: the offending token's
/// location, its name, and what was expected when that is at most four tokens.
struct KeaJSONParser {
    /// Deepest nesting of arrays and objects; stops hostile input from exhausting the stack.
    static let nestingDepthMax = 128

    var lexer: KeaJSONLexer
    let dialect: KeaJSONDialect
    var warnings: [ConfigWarning] = []
    private var buffered: KeaJSONToken?

    init(text: String, file: String, dialect: KeaJSONDialect, include: ((String) throws -> String)?) {
        self.lexer = KeaJSONLexer(text: text, file: file, dialect: dialect, include: include)
        self.dialect = dialect
    }

    /// One value and then the end of the text. A Kea config must be an object, as every
    /// Kea daemon's grammar starts with `{`.
    mutating func parseDocument() throws(ConfigError) -> JSONNode {
        let first = try peek()
        if dialect == .kea && first.kind != .leftBrace {
            throw ConfigError.syntax(first.span, unexpected: first.name, expecting: ["{"])
        }
        let root = try parseValue(context: "toplevel", depth: 0)
        let last = try take()
        guard last.kind == .end else {
            throw ConfigError.syntax(last.span, unexpected: last.name, expecting: ["end of file"])
        }
        return root
    }

    private mutating func peek() throws(ConfigError) -> KeaJSONToken {
        if let buffered { return buffered }
        let token = try lexer.next()
        buffered = token
        return token
    }

    private mutating func take() throws(ConfigError) -> KeaJSONToken {
        let token = try peek()
        buffered = nil
        return token
    }

    /// `context` names the map for duplicate-key messages: the key this value sits under.
    private mutating func parseValue(context: String, depth: Int) throws(ConfigError) -> JSONNode {
        let token = try take()
        switch token.kind {
        case .null: return JSONNode(value: .null, span: token.span)
        case .bool(let flag): return JSONNode(value: .bool(flag), span: token.span)
        case .int(let number): return JSONNode(value: .int(number), span: token.span)
        case .double(let number): return JSONNode(value: .double(number), span: token.span)
        case .string(let text): return JSONNode(value: .string(text), span: token.span)
        case .leftBrace:
            try checkDepth(depth, at: token.span)
            return try parseObject(opening: token, context: context, depth: depth + 1)
        case .leftBracket:
            try checkDepth(depth, at: token.span)
            return try parseArray(opening: token, context: context, depth: depth + 1)
        case .rightBrace, .rightBracket, .comma, .colon, .end:
            // Seven tokens can start a value: too many for bison to list.
            throw ConfigError.syntax(token.span, unexpected: token.name)
        }
    }

    private func checkDepth(_ depth: Int, at span: SourceSpan) throws(ConfigError) {
        guard depth < KeaJSONParser.nestingDepthMax else {
            throw ConfigError.at(.nestingTooDeep, span, "nesting too deep (more than \(KeaJSONParser.nestingDepthMax) levels)")
        }
    }

    private mutating func parseObject(opening: KeaJSONToken, context: String, depth: Int) throws(ConfigError) -> JSONNode {
        var members: [JSONNode.Member] = []
        if try peek().kind == .rightBrace {
            return JSONNode(value: .object(members), span: opening.span, closeSpan: try take().span)
        }
        while true {
            let keyToken = try take()
            guard case .string(let key) = keyToken.kind else {
                throw ConfigError.syntax(keyToken.span, unexpected: keyToken.name, expecting: ["constant string", "}"])
            }
            let colon = try take()
            guard colon.kind == .colon else {
                throw ConfigError.syntax(colon.span, unexpected: colon.name, expecting: [":"])
            }
            let value = try parseValue(context: key, depth: depth)
            try checkDuplicate(key, at: keyToken.span, in: members, context: context)
            members.append(JSONNode.Member(key: key, keySpan: keyToken.span, value: value))
            let separator = try take()
            switch separator.kind {
            case .rightBrace:
                return JSONNode(value: .object(members), span: opening.span, closeSpan: separator.span)
            case .comma:
                if let close = try trailingComma(separator, closing: .rightBrace) {
                    return JSONNode(value: .object(members), span: opening.span, closeSpan: close)
                }
            default:
                throw ConfigError.syntax(separator.span, unexpected: separator.name, expecting: ["\",\"", "}"])
            }
        }
    }

    private mutating func parseArray(opening: KeaJSONToken, context: String, depth: Int) throws(ConfigError) -> JSONNode {
        var elements: [JSONNode] = []
        if try peek().kind == .rightBracket {
            return JSONNode(value: .array(elements), span: opening.span, closeSpan: try take().span)
        }
        while true {
            elements.append(try parseValue(context: context, depth: depth))
            let separator = try take()
            switch separator.kind {
            case .rightBracket:
                return JSONNode(value: .array(elements), span: opening.span, closeSpan: separator.span)
            case .comma:
                if let close = try trailingComma(separator, closing: .rightBracket) {
                    return JSONNode(value: .array(elements), span: opening.span, closeSpan: close)
                }
            default:
                throw ConfigError.syntax(separator.span, unexpected: separator.name, expecting: ["\",\"", "]"])
            }
        }
    }

    /// After a comma: Kea 2.4 accepts a closing bracket there and warns; strict JSON does not.
    /// Returns the closing bracket's span when the comma was trailing.
    private mutating func trailingComma(_ comma: KeaJSONToken, closing: KeaJSONToken.Kind) throws(ConfigError) -> SourceSpan? {
        let next = try peek()
        guard next.kind == closing else { return nil }
        guard dialect == .kea else {
            let expected = closing == .rightBrace ? ["constant string"] : []
            throw ConfigError.syntax(next.span, unexpected: next.name, expecting: expected)
        }
        warnings.append(.extraneousComma(at: comma.span))
        return try take().span
    }

    /// Kea's `Parser4Context::unique` message; "previous at" names the earlier value.
    private func checkDuplicate(_ key: String, at span: SourceSpan, in members: [JSONNode.Member], context: String) throws(ConfigError) {
        guard let previous = members.first(where: { $0.key == key }) else { return }
        throw ConfigError(
            code: .duplicate,
            message: "\(span.start): duplicate \(key) entries in \(context) map (previous at \(previous.value.position))",
            position: span.start)
    }
}
