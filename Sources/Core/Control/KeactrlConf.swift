/// keactrl.conf, read without a shell.
///
/// Kea's keactrl sources its configuration file with `/bin/sh`; the file is a list of shell
/// variable assignments (`prefix="/usr"`, `dhcp4_srv=${exec_prefix}/sbin/kea-dhcp4`,
/// `dhcp4=yes`, comments). kakapoctl reads the same files without running a shell, so this
/// parser accepts the subset of sh those files use and refuses anything else (a command, a
/// redirection, a command substitution) with the line it is on, rather than guessing:
///
/// - `NAME=value`, several on one line (`a=1 b=2`), optionally after `export`;
/// - values made of unquoted text, `'single quoted'` (literal), `"double quoted"` (with `\`
///   escapes of `$ " \` and newline) and `\c` escapes, concatenated as sh does;
/// - `$NAME` and `${NAME}` expand to the value assigned earlier in the file, else to the
///   variable from `environment`, else to the empty string (sh's rule for unset variables);
/// - `#` at the start of a word begins a comment to the end of the line;
/// - quoted strings may span lines.
///
/// Assignment values are never split into fields (sh does not split them either).
public struct KeactrlConf: Equatable, Sendable {
    /// Every variable assigned in the file, its last value.
    public private(set) var variables: [String: String]
    /// Names in the order of their first assignment.
    public private(set) var order: [String]

    public init(variables: [String: String] = [:], order: [String] = []) {
        self.variables = variables
        self.order = order
    }

    public subscript(name: String) -> String? { variables[name] }

    /// keactrl's test for a server switch (`dhcp4=yes`): the value, lower-cased, is "yes".
    public func isEnabled(_ name: String) -> Bool {
        guard let value = variables[name] else { return false }
        return asciiLowercased(value) == "yes"
    }

    /// Parses `text`; `environment` supplies variables the file uses but does not assign.
    public static func parse(_ text: String, environment: [String: String] = [:]) throws(KeactrlConfError) -> KeactrlConf {
        var parser = Parser(bytes: Array(text.utf8), environment: environment)
        try parser.run()
        return parser.conf
    }

    mutating func assign(_ name: String, _ value: String) {
        if variables.updateValue(value, forKey: name) == nil { order.append(name) }
    }
}

/// A line the parser does not accept, with its 1-based line number.
public struct KeactrlConfError: Error, Equatable, Sendable, CustomStringConvertible {
    public var line: Int
    public var reason: String

    public init(line: Int, reason: String) {
        self.line = line
        self.reason = reason
    }

    public var description: String { "line \(line): \(reason)" }
}

private func asciiLowercased(_ s: String) -> String {
    String(decoding: s.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
}

private struct Parser {
    let bytes: [UInt8]
    let environment: [String: String]
    var conf = KeactrlConf()
    var index = 0
    var line = 1

    init(bytes: [UInt8], environment: [String: String]) {
        self.bytes = bytes
        self.environment = environment
    }

    private static let space: UInt8 = 0x20, tab: UInt8 = 0x09, newline: UInt8 = 0x0A, cr: UInt8 = 0x0D
    private static let hash = UInt8(ascii: "#"), equals = UInt8(ascii: "="), dollar = UInt8(ascii: "$")
    private static let backslash = UInt8(ascii: "\\"), squote = UInt8(ascii: "'"), dquote = UInt8(ascii: "\"")
    private static let backtick = UInt8(ascii: "`"), lbrace = UInt8(ascii: "{"), rbrace = UInt8(ascii: "}")
    private static let lparen = UInt8(ascii: "(")
    /// Unquoted, these end a word and start shell syntax the file format does not allow.
    private static let operators: Set<UInt8> = Set(";&|<>()".utf8)

    private var atEnd: Bool { index >= bytes.count }
    private var current: UInt8 { bytes[index] }

    private func fail(_ reason: String) -> KeactrlConfError { KeactrlConfError(line: line, reason: reason) }

    private static func isNameStart(_ b: UInt8) -> Bool {
        (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) || b == UInt8(ascii: "_")
    }
    private static func isNameByte(_ b: UInt8) -> Bool { isNameStart(b) || (0x30...0x39).contains(b) }

    private mutating func advance() {
        if current == Self.newline { line += 1 }
        index += 1
    }

    /// One statement per loop turn; the loop ends because every turn consumes at least one byte
    /// or returns/throws.
    mutating func run() throws(KeactrlConfError) {
        while !atEnd {
            let b = current
            if b == Self.space || b == Self.tab || b == Self.newline || b == Self.cr || b == UInt8(ascii: ";") {
                advance()
            } else if b == Self.hash {
                skipComment()
            } else {
                try statement()
            }
        }
    }

    private mutating func skipComment() {
        while !atEnd, current != Self.newline { advance() }
    }

    /// The text from here to the end of the line, for error messages.
    private func restOfLine() -> String {
        var end = index
        while end < bytes.count, bytes[end] != Self.newline { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    /// `[export] NAME=value [NAME=value ...]` up to the end of the line, `;` or a comment.
    private mutating func statement() throws(KeactrlConfError) {
        var sawAssignment = false
        if let name = peekName(), name == "export" {
            let after = index + name.utf8.count
            if after < bytes.count, bytes[after] == Self.space || bytes[after] == Self.tab {
                index = after
                skipBlanks()
            }
        }
        while !atEnd {
            let b = current
            if b == Self.newline || b == UInt8(ascii: ";") { advance(); return }
            if b == Self.hash && sawAssignment { skipComment(); return }
            guard let name = peekName(), index + name.utf8.count < bytes.count,
                  bytes[index + name.utf8.count] == Self.equals else {
                throw fail("not a variable assignment: \(restOfLine())")
            }
            index += name.utf8.count + 1
            let value = try word()
            conf.assign(name, value)
            sawAssignment = true
            skipBlanks()
            if !atEnd, Self.operators.contains(current), current != UInt8(ascii: ";") {
                throw fail("shell syntax other than assignments is not supported: \(restOfLine())")
            }
        }
    }

    private mutating func skipBlanks() {
        while !atEnd, current == Self.space || current == Self.tab || current == Self.cr { advance() }
    }

    private func peekName() -> String? {
        guard !atEnd, Self.isNameStart(current) else { return nil }
        var end = index
        while end < bytes.count, Self.isNameByte(bytes[end]) { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    /// One assignment value: quoted and unquoted parts up to an unquoted blank, newline or operator.
    private mutating func word() throws(KeactrlConfError) -> String {
        var out: [UInt8] = []
        while !atEnd {
            let b = current
            if b == Self.space || b == Self.tab || b == Self.newline || b == Self.cr || Self.operators.contains(b) {
                break
            }
            switch b {
            case Self.squote:
                advance()
                let startLine = line
                while !atEnd, current != Self.squote { out.append(current); advance() }
                guard !atEnd else { throw KeactrlConfError(line: startLine, reason: "unterminated single quote") }
                advance()
            case Self.dquote:
                advance()
                let startLine = line
                try doubleQuoted(into: &out)
                guard !atEnd else { throw KeactrlConfError(line: startLine, reason: "unterminated double quote") }
                advance()
            case Self.backslash:
                advance()
                guard !atEnd else { break }
                if current == Self.newline { advance() } else { out.append(current); advance() }
            case Self.dollar:
                try expansion(into: &out)
            case Self.backtick:
                throw fail("command substitution is not supported: \(restOfLine())")
            default:
                out.append(b)
                advance()
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Inside "...": stops at the closing quote (not consumed) or the end of the text.
    private mutating func doubleQuoted(into out: inout [UInt8]) throws(KeactrlConfError) {
        while !atEnd, current != Self.dquote {
            switch current {
            case Self.backslash:
                advance()
                guard !atEnd else { out.append(Self.backslash); return }
                let c = current
                if c == Self.dollar || c == Self.dquote || c == Self.backslash || c == Self.backtick {
                    out.append(c)
                } else if c != Self.newline {
                    out.append(Self.backslash)
                    out.append(c)
                }
                advance()
            case Self.dollar:
                try expansion(into: &out)
            case Self.backtick:
                throw fail("command substitution is not supported")
            default:
                out.append(current)
                advance()
            }
        }
    }

    /// `$NAME` or `${NAME}`; `$` before anything else is a literal `$`, except `$(`.
    private mutating func expansion(into out: inout [UInt8]) throws(KeactrlConfError) {
        advance()                                           // the $
        if atEnd { out.append(Self.dollar); return }
        if current == Self.lparen { throw fail("command substitution is not supported: $\(restOfLine())") }
        var braced = false
        if current == Self.lbrace { braced = true; advance() }
        guard let name = peekName() else {
            if braced { throw fail("unsupported parameter expansion: ${\(restOfLine())") }
            out.append(Self.dollar)
            return
        }
        index += name.utf8.count
        if braced {
            guard !atEnd, current == Self.rbrace else {
                throw fail("unsupported parameter expansion: ${\(name)\(restOfLine())")
            }
            advance()
        }
        let value = conf.variables[name] ?? environment[name] ?? ""
        out.append(contentsOf: value.utf8)
    }
}
