/// A configuration that cannot be used: what kind of problem it is (`code`), where it starts
/// (`position`), and Kea's full error text (`message`).
///
/// `message` is the whole line an operator sees, position included, worded like Kea 2.4
/// (`file:29.13-21: syntax error, unexpected constant string, expecting "," or }`) so that
/// people and scripts used to Kea recognise it. Programs decide on `code` and `position`,
/// never on the text. As with swift-certificates' `CertificateError`, two errors are equal
/// when their codes are, so a test can assert the kind of failure without restating the
/// message, and `raisedAt` names the Swift line that raised it, for whoever debugs a decoder.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kinds of configuration failure. Kea reports several of them as bison syntax errors
    /// (a value of the wrong type, a keyword it does not know); the code says what went wrong
    /// whatever the wording.
    public enum Code: String, Sendable, CaseIterable {
        /// The text is not Kea's JSON dialect: a bad character, number or string, a misplaced
        /// token, an unclosed comment, a top level other than the daemon's object.
        case syntax
        /// A value of the wrong JSON type for its key.
        case wrongType
        /// A key the map does not have (`got unexpected keyword "…" in … map.`).
        case unknownKey
        /// A mandatory key is absent (`missing parameter '…'`).
        case missingKey
        /// A number outside the range its key allows.
        case outOfRange
        /// A value of the right type that cannot be used: an address that does not parse, a
        /// word that is not one of the key's keywords, a malformed pool.
        case invalidValue
        /// Something given twice: a key in one map, a subnet id or prefix, an interface,
        /// a reserved address or identifier.
        case duplicate
        /// Values that contradict each other: a pool outside its subnet, overlapping pools,
        /// a minimum above a maximum, two forms of one setting.
        case conflict
        /// An `<?include "…"?>` that cannot be followed: no such file, directive not closed,
        /// includes nested too deep.
        case include
        /// Arrays and maps nested deeper than the parser allows.
        case nestingTooDeep
        /// Something Kea accepts that Kakapo does not do: a hook library it has not built in,
        /// a reservation identifier it does not match on, a backend it cannot serve yet.
        case unsupported
        /// The configuration file itself cannot be read.
        case unreadableFile
        /// Raised by code outside Kakapo's parser and decoders (an include reader, a shell's
        /// own check), which wrote the whole text.
        case external
    }

    public let code: Code
    public var message: String
    public var position: SourcePosition?
    /// `#fileID:#line` of the Swift code that raised the error.
    public let raisedAt: String

    public init(
        code: Code, message: String, position: SourcePosition? = nil,
        fileID: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.position = position
        self.raisedAt = "\(fileID):\(line)"
    }

    /// An error raised outside Kakapo's parser and decoders, such as an include reader that
    /// refuses every file; its code is `.external`.
    public init(message: String, position: SourcePosition? = nil, fileID: String = #fileID, line: UInt = #line) {
        self.init(code: .external, message: message, position: position, fileID: fileID, line: line)
    }

    public var description: String { message }

    public var debugDescription: String { "ConfigError.\(code.rawValue) raised at \(raisedAt): \(message)" }

    /// Equality on the code only, so tests assert the kind of failure.
    public static func == (lhs: ConfigError, rhs: ConfigError) -> Bool { lhs.code == rhs.code }

    /// A grammar-level error, printed with the bison location of the offending token.
    static func at(
        _ code: Code, _ span: SourceSpan, _ text: String, fileID: String = #fileID, line: UInt = #line
    ) -> ConfigError {
        ConfigError(code: code, message: "\(span): \(text)", position: span.start, fileID: fileID, line: line)
    }

    /// A bison "syntax error" naming the token found and, when short, what was expected.
    /// Kea's grammar also reports a value of the wrong type or an unknown keyword value this
    /// way, hence the `code`.
    static func syntax(
        _ span: SourceSpan, unexpected: String, expecting: [String] = [], code: Code = .syntax,
        fileID: String = #fileID, line: UInt = #line
    ) -> ConfigError {
        var text = "syntax error, unexpected \(unexpected)"
        if !expecting.isEmpty {
            text += ", expecting " + expecting.joined(separator: " or ")
        }
        return at(code, span, text, fileID: fileID, line: line)
    }

    /// A semantic error, worded like Kea's config parsers: the position follows in parentheses.
    /// Whether Kea's grammar (its bison parser) raises this kind of error, so that `kea-dhcp4
    /// -t` reports it as `Syntax check failed with: …`; the others come from Kea's configuration
    /// parsers, reported as `Error encountered: …`. A missing key is the grammar's when it names
    /// the map it belongs to (`[… map between … and …]`), as Kea's `ctx.require` does.
    public var isGrammarError: Bool {
        // A keyword value the grammar does not list is a bison syntax error whatever the code;
        // an expression's own parser is reported by Kea's class parser ("expression: [...]").
        if message.hasPrefix("expression: [") { return false }
        if message.contains(": syntax error, ") { return true }
        return switch code {
        case .syntax, .wrongType, .unknownKey, .nestingTooDeep, .include, .unreadableFile: true
        case .missingKey: message.contains(" map between ")
        case .outOfRange, .invalidValue, .duplicate, .conflict, .unsupported, .external: false
        }
    }

    static func semantic(
        _ code: Code, _ text: String, at position: SourcePosition, fileID: String = #fileID, line: UInt = #line
    ) -> ConfigError {
        ConfigError(code: code, message: "\(text) (\(position))", position: position, fileID: fileID, line: line)
    }
}
