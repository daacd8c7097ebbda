/// Splits Kea-dialect JSON text into tokens, following Kea 2.4's flex lexer (`dhcp4_lexer.ll`):
/// the same comments, `<?include?>` directive, number forms and error texts.
///
/// Includes are textual, as in Kea: the included text is lexed in place of the directive, and
/// tokens inside it carry the included file's name. The caller supplies the text of a file
/// by name; the lexer never touches the file system.
struct KeaJSONLexer {
    /// One text being read: the main document or an included file.
    struct Source {
        let file: String
        let bytes: [UInt8]
        var offset = 0
        var line = 1
        var column = 1
    }

    /// Deepest nesting of `<?include?>` directives (Kea refuses "Too many nested include.").
    static let includeDepthMax = 10

    let dialect: KeaJSONDialect
    let include: ((String) throws -> String)?
    /// The main document first, the innermost include last.
    var sources: [Source]

    init(text: String, file: String, dialect: KeaJSONDialect, include: ((String) throws -> String)?) {
        self.dialect = dialect
        self.include = include
        self.sources = [Source(file: file, bytes: Array(text.utf8))]
    }

    /// The next token; `.end` once the main document is exhausted (and forever after).
    mutating func next() throws(ConfigError) -> KeaJSONToken {
        // Every pass consumes at least one byte or pops a source, so the loop is bounded by
        // the total input length plus the number of includes.
        while true {
            guard let byte = peek() else {
                if sources.count > 1 {
                    sources.removeLast()
                    continue
                }
                return KeaJSONToken(kind: .end, span: span(fromLine: line, column: column))
            }
            if let token = try lexOne(byte) { return token }
        }
    }

    /// Lexes what starts with `byte`: a token, or nil after skipping blanks, comments, directives.
    private mutating func lexOne(_ byte: UInt8) throws(ConfigError) -> KeaJSONToken? {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
            advance(1)
        case UInt8(ascii: "\n"):
            newline()
        case UInt8(ascii: "#") where dialect == .kea:
            skipToEndOfLine()
        case UInt8(ascii: "/") where dialect == .kea && (peek(1) == UInt8(ascii: "/")):
            skipToEndOfLine()
        case UInt8(ascii: "/") where dialect == .kea && (peek(1) == UInt8(ascii: "*")):
            try skipBlockComment()
        case UInt8(ascii: "<") where dialect == .kea && (peek(1) == UInt8(ascii: "?")):
            try includeDirective()
        case UInt8(ascii: "{"): return punctuation(.leftBrace)
        case UInt8(ascii: "}"): return punctuation(.rightBrace)
        case UInt8(ascii: "["): return punctuation(.leftBracket)
        case UInt8(ascii: "]"): return punctuation(.rightBracket)
        case UInt8(ascii: ","): return punctuation(.comma)
        case UInt8(ascii: ":"): return punctuation(.colon)
        case UInt8(ascii: "\""): return try lexString()
        case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try lexNumber()
        default:
            return try lexKeyword()
        }
        return nil
    }

    // MARK: - Reading bytes and tracking positions

    var line: Int { sources[sources.count - 1].line }
    var column: Int { sources[sources.count - 1].column }
    var file: String { sources[sources.count - 1].file }

    func peek(_ ahead: Int = 0) -> UInt8? {
        let source = sources[sources.count - 1]
        let index = source.offset + ahead
        return index < source.bytes.count ? source.bytes[index] : nil
    }

    /// The bytes from the current offset, `count` long (or fewer at the end).
    func lookahead(_ count: Int) -> ArraySlice<UInt8> {
        let source = sources[sources.count - 1]
        return source.bytes[source.offset..<min(source.offset + count, source.bytes.count)]
    }

    /// Moves over `count` bytes of one line (each is a column, as in flex's `columns(yyleng)`).
    mutating func advance(_ count: Int) {
        sources[sources.count - 1].offset += count
        sources[sources.count - 1].column += count
    }

    mutating func newline() {
        sources[sources.count - 1].offset += 1
        sources[sources.count - 1].line += 1
        sources[sources.count - 1].column = 1
    }

    /// The span from a start point to the last byte consumed.
    func span(fromLine startLine: Int, column startColumn: Int) -> SourceSpan {
        let endColumn = line == startLine ? max(startColumn, column - 1) : max(1, column - 1)
        return SourceSpan(file: file, line: startLine, column: startColumn, endLine: line, endColumn: endColumn)
    }

    /// The span of `count` bytes starting at the current position (not consumed).
    func spanAhead(_ count: Int) -> SourceSpan {
        SourceSpan(file: file, line: line, column: column, endLine: line, endColumn: column + max(count, 1) - 1)
    }

    private mutating func punctuation(_ kind: KeaJSONToken.Kind) -> KeaJSONToken {
        let token = KeaJSONToken(kind: kind, span: spanAhead(1))
        advance(1)
        return token
    }

    /// Kea's message for a byte no rule matches, naming the whole character.
    func invalidCharacter() -> ConfigError {
        let rest = lookahead(4)
        let character = String(decoding: rest, as: UTF8.self).unicodeScalars.first.map(String.init) ?? "?"
        return ConfigError.at(.syntax, spanAhead(1), "Invalid character: \(character)")
    }

    // MARK: - Comments

    private mutating func skipToEndOfLine() {
        while let byte = peek(), byte != UInt8(ascii: "\n") { advance(1) }
    }

    private mutating func skipBlockComment() throws(ConfigError) {
        let opening = spanAhead(2)
        advance(2)
        while let byte = peek() {
            if byte == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                advance(2)
                return
            }
            if byte == UInt8(ascii: "\n") { newline() } else { advance(1) }
        }
        // Kea's own text, unbalanced parenthesis included.
        throw ConfigError.at(.syntax, opening, "Comment not closed. (/* in line \(opening.line)")
    }

    // MARK: - <?include "file"?>

    private mutating func includeDirective() throws(ConfigError) {
        let opening = spanAhead(2)
        advance(2)
        try skipDirectiveBlanks(opening)
        try expectWord("include", opening)
        try skipDirectiveBlanks(opening)
        let (path, pathSpan) = try directivePath(opening)
        try skipDirectiveBlanks(opening)
        try expectWord("?>", opening)
        try push(path: path, at: pathSpan)
    }

    private mutating func skipDirectiveBlanks(_ opening: SourceSpan) throws(ConfigError) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): advance(1)
            case UInt8(ascii: "\n"): newline()
            default: return
            }
        }
        throw ConfigError.at(.include, opening, "Directive not closed.")
    }

    private mutating func expectWord(_ word: String, _ opening: SourceSpan) throws(ConfigError) {
        for expected in word.utf8 {
            guard let byte = peek() else { throw ConfigError.at(.include, opening, "Directive not closed.") }
            guard byte == expected else { throw invalidCharacter() }
            advance(1)
        }
    }

    /// Reads `"path"`: at least one byte, no quote and no newline inside, as in Kea.
    private mutating func directivePath(_ opening: SourceSpan) throws(ConfigError) -> (String, SourceSpan) {
        guard peek() == UInt8(ascii: "\"") else { throw invalidCharacter() }
        let startLine = line, startColumn = column
        advance(1)
        var path: [UInt8] = []
        while let byte = peek(), byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\n") {
            path.append(byte)
            advance(1)
        }
        guard let byte = peek() else { throw ConfigError.at(.include, opening, "Directive not closed.") }
        guard byte == UInt8(ascii: "\""), !path.isEmpty else { throw invalidCharacter() }
        advance(1)
        return (String(decoding: path, as: UTF8.self), span(fromLine: startLine, column: startColumn))
    }

    private mutating func push(path: String, at pathSpan: SourceSpan) throws(ConfigError) {
        guard sources.count <= KeaJSONLexer.includeDepthMax else {
            throw ConfigError.at(.include, pathSpan, "Too many nested include.")
        }
        guard let include else { throw ConfigError.at(.include, pathSpan, "Can't open include file \(path)") }
        let text: String
        do {
            text = try include(path)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError.at(.include, pathSpan, "Can't open include file \(path)")
        }
        sources.append(Source(file: path, bytes: Array(text.utf8)))
    }
}
