import KakapoCore
import Yams

/// Turns an inline server config (a YAML mapping) into JSON text for the Kea config parser.
///
/// Scalars follow YAML 1.2's JSON-like core schema: quoted or block scalars are strings;
/// plain `true`/`false` are booleans, `null`/`~`/empty are null, decimal (and `0x`/`0o`)
/// integers stay integers, decimals are numbers; every other plain scalar is a string.
/// `!!str` forces a string.
///
/// The JSON is laid out so that each key, scalar and flow bracket starts on the line, and
/// where possible the column, it has in the YAML: a position the config parser reports in
/// this text is a position in the scenario file.
struct YAMLToJSON {
    let reader: ScenarioReader
    private var out = ""
    private var line = 1
    private var column = 1

    init(reader: ScenarioReader) {
        self.reader = reader
    }

    mutating func convert(_ node: Node) throws(ScenarioError) -> String {
        try emit(node)
        out.append("\n")
        return out
    }

    private mutating func move(to mark: Mark?) {
        guard let mark else { return }
        if mark.line > line {
            out += String(repeating: "\n", count: mark.line - line)
            line = mark.line
            column = 1
        }
        if mark.line == line && mark.column > column {
            out += String(repeating: " ", count: mark.column - column)
            column = mark.column
        }
    }

    /// `text` never holds a line break (JSON strings escape them).
    private mutating func write(_ text: String) {
        out += text
        column += text.unicodeScalars.count
    }

    private mutating func emit(_ node: Node) throws(ScenarioError) {
        switch node {
        case .scalar(let scalar):
            move(to: scalar.mark)
            write(Self.json(scalar))
        case .mapping(let mapping):
            if mapping.style == .flow { move(to: mapping.mark) }
            write("{")
            var first = true
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw reader.error("keys in a server config must be strings, not \(reader.shown(key))", at: key)
                }
                if !first { write(",") }
                first = false
                move(to: keyScalar.mark)
                write(Self.quoted(keyScalar.string) + ":")
                if case .scalar = value {} else { write(" ") }
                try emit(value)
            }
            write("}")
        case .sequence(let sequence):
            if sequence.style == .flow { move(to: sequence.mark) }
            write("[")
            var first = true
            for item in sequence {
                if !first { write(",") }
                first = false
                try emit(item)
            }
            write("]")
        }
    }

    static func json(_ scalar: Node.Scalar) -> String {
        json(text: scalar.string, plain: scalar.style == .plain && scalar.tag.description != "tag:yaml.org,2002:str")
    }

    /// A plain scalar's JSON; anything else (quoted, block, `!!str`) is a string.
    static func json(text: String, plain: Bool) -> String {
        guard plain else { return quoted(text) }
        switch text {
        case "true", "True", "TRUE": return "true"
        case "false", "False", "FALSE": return "false"
        case "", "~", "null", "Null", "NULL": return "null"
        default: break
        }
        if let integer = integerText(text) { return integer }
        if let number = decimalText(text) { return number }
        return quoted(text)
    }

    /// `[-+]?[0-9]+`, `0x[0-9a-fA-F]+`, `0o[0-7]+`, as JSON integer text.
    static func integerText(_ text: String) -> String? {
        if text.hasPrefix("0x"), let value = Int64(text.dropFirst(2), radix: 16) { return String(value) }
        if text.hasPrefix("0o"), let value = Int64(text.dropFirst(2), radix: 8) { return String(value) }
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        var digits = String(body.drop(while: { $0 == "0" }))
        if digits.isEmpty { digits = "0" }
        return negative && digits != "0" ? "-" + digits : digits
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` as JSON number text.
    static func decimalText(_ text: String) -> String? {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        func digits() -> String {
            var s = ""
            while let b = bytes.first, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                s.append(Character(Unicode.Scalar(b)))
                bytes = bytes.dropFirst()
            }
            return s
        }
        var whole = digits()
        var fraction = ""
        var hasPoint = false
        if bytes.first == UInt8(ascii: ".") {
            hasPoint = true
            bytes = bytes.dropFirst()
            fraction = digits()
        }
        guard !whole.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = ""
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var sign = ""
            if let s = bytes.first, s == UInt8(ascii: "-") || s == UInt8(ascii: "+") {
                sign = s == UInt8(ascii: "-") ? "-" : ""
                bytes = bytes.dropFirst()
            }
            let e = digits()
            guard !e.isEmpty else { return nil }
            exponent = "e" + sign + e
        }
        guard bytes.isEmpty, hasPoint || !exponent.isEmpty else { return nil }
        whole = String(whole.drop(while: { $0 == "0" }))
        if whole.isEmpty { whole = "0" }
        if fraction.isEmpty { fraction = "0" }
        return (negative ? "-" : "") + whole + "." + fraction + exponent
    }

    /// A JSON string literal, escaped by Core's serializer.
    static func quoted(_ text: String) -> String { JSON.string(text).serialized() }
}
