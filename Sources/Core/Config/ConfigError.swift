/// A configuration that cannot be used, with Kea's full error text.
///
/// `message` is the whole line an operator sees, position included, worded like Kea 2.4
/// (`file:29.13-21: syntax error, unexpected constant string, expecting "," or }`) so that
/// people and scripts used to Kea recognise it. `position` repeats where the problem starts,
/// for tools that want to point at it; it is nil for errors that belong to no place.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var position: SourcePosition?

    public init(message: String, position: SourcePosition? = nil) {
        self.message = message
        self.position = position
    }

    public var description: String { message }

    /// A grammar-level error, printed with the bison location of the offending token.
    static func at(_ span: SourceSpan, _ text: String) -> ConfigError {
        ConfigError(message: "\(span): \(text)", position: span.start)
    }

    /// A bison "syntax error" naming the token found and, when short, what was expected.
    static func syntax(_ span: SourceSpan, unexpected: String, expecting: [String] = []) -> ConfigError {
        var text = "syntax error, unexpected \(unexpected)"
        if !expecting.isEmpty {
            text += ", expecting " + expecting.joined(separator: " or ")
        }
        return at(span, text)
    }

    /// A semantic error, worded like Kea's config parsers: the position follows in parentheses.
    static func semantic(_ text: String, at position: SourcePosition) -> ConfigError {
        ConfigError(message: "\(text) (\(position))", position: position)
    }
}

/// Something Kea accepts with a warning (such as a trailing comma); the daemon logs it.
public struct ConfigWarning: Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var position: SourcePosition

    public init(message: String, position: SourcePosition) {
        self.message = message
        self.position = position
    }

    public var description: String { message }
}
