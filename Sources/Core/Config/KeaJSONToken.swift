/// Which JSON the lexer accepts.
enum KeaJSONDialect {
    /// Kea's config dialect: `#`, `//`, `/* */` comments, `<?include "file"?>`, trailing commas
    /// (with a warning), Kea's number forms (`+1`, `.5`) and only `\u00XX` escapes.
    case kea
    /// RFC 8259 JSON, for control-channel commands.
    case strict
}

/// One token of Kea's JSON grammar with the text span it covers.
struct KeaJSONToken {
    enum Kind: Equatable {
        case leftBrace, rightBrace, leftBracket, rightBracket, comma, colon
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case null
        case end
    }

    var kind: Kind
    var span: SourceSpan

    /// The token's name as bison prints it in "unexpected …" and "expecting …".
    var name: String { KeaJSONToken.name(of: kind) }

    static func name(of kind: Kind) -> String {
        switch kind {
        case .leftBrace: return "{"
        case .rightBrace: return "}"
        case .leftBracket: return "["
        case .rightBracket: return "]"
        // Bison keeps the quotes of "," (yytnamerr never strips a name containing a comma).
        case .comma: return "\",\""
        case .colon: return ":"
        case .string: return "constant string"
        case .int: return "integer"
        case .double: return "floating point"
        case .bool: return "boolean"
        case .null: return "null"
        case .end: return "end of file"
        }
    }

    /// True for a token that can start a value.
    var startsValue: Bool {
        switch kind {
        case .leftBrace, .leftBracket, .string, .int, .double, .bool, .null: return true
        case .rightBrace, .rightBracket, .comma, .colon, .end: return false
        }
    }
}
