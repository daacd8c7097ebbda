/// The stretch of text one token covers, for bison-style locations (`file:29.13-21`).
///
/// Lines and columns are 1-based; columns count bytes, as Kea's flex lexer does, so a tab is
/// one column. `endColumn` is the last column of the token (inclusive).
public struct SourceSpan: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var endLine: Int
    public var endColumn: Int

    public init(file: String, line: Int, column: Int, endLine: Int, endColumn: Int) {
        self.file = file
        self.line = line
        self.column = column
        self.endLine = endLine
        self.endColumn = endColumn
    }

    /// Where the token starts, as used in `file:line:column` messages and `IgnoredKey`.
    public var start: SourcePosition { SourcePosition(file: file, line: line, column: column) }

    /// Bison's location format: `file:L.C` for a one-column token, `file:L.C-C2` within a line,
    /// `file:L.C-L2.C2` across lines.
    public var description: String {
        if endLine > line { return "\(file):\(line).\(column)-\(endLine).\(endColumn)" }
        if endColumn > column { return "\(file):\(line).\(column)-\(endColumn)" }
        return "\(file):\(line).\(column)"
    }
}

/// A parsed Kea config value with the place of every value and every object key.
///
/// A node's `span` is its first token: the scalar itself, or the opening `{`/`[` of a
/// container (what bison would point at). Containers also record their closing bracket.
public struct JSONNode: Sendable, Equatable {
    /// The value, with children that keep their own positions.
    public enum Value: Sendable, Equatable {
        case null
        case bool(Bool)
        case int(Int64)
        case double(Double)
        case string(String)
        case array([JSONNode])
        case object([Member])
    }

    /// One object member: its key, where the key was written, and its value.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var keySpan: SourceSpan
        public var value: JSONNode

        public init(key: String, keySpan: SourceSpan, value: JSONNode) {
            self.key = key
            self.keySpan = keySpan
            self.value = value
        }
    }

    public var value: Value
    public var span: SourceSpan
    /// The closing `}` or `]` of a container; nil for scalars.
    public var closeSpan: SourceSpan?

    public init(value: Value, span: SourceSpan, closeSpan: SourceSpan? = nil) {
        self.value = value
        self.span = span
        self.closeSpan = closeSpan
    }

    /// Where this value starts.
    public var position: SourcePosition { span.start }

    /// The members of an object, in file order; nil for other values.
    public var members: [Member]? {
        if case .object(let members) = value { return members }
        return nil
    }

    /// The elements of an array; nil for other values.
    public var elements: [JSONNode]? {
        if case .array(let elements) = value { return elements }
        return nil
    }

    /// The member named `key` of an object.
    public func member(_ key: String) -> Member? {
        members?.first(where: { $0.key == key })
    }

    /// The value of the member named `key` of an object.
    public subscript(key: String) -> JSONNode? { member(key)?.value }

    /// The same value without positions.
    public var plain: JSON {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .string(let text): return .string(text)
        case .array(let elements): return .array(elements.map(\.plain))
        case .object(let members):
            return .object(JSONObject(members.map { ($0.key, $0.value.plain) }))
        }
    }

    /// Bison's name for this value's first token, as printed after "unexpected".
    var tokenName: String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "floating point"
        case .string: return "constant string"
        case .array: return "["
        case .object: return "{"
        }
    }
}
