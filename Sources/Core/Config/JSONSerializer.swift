extension JSON {
    /// Writes this value as JSON text.
    ///
    /// Compact output has no whitespace at all. Pretty output indents by two spaces and keeps
    /// short arrays of scalars on one line (`[ "eth0", "eth2" ]`), close to what Kea writes
    /// for `config-write`. Floating-point numbers use Swift's shortest round-trip form, so `0.5`
    /// stays `0.5` and an integral double keeps its fraction (`1.0`), which keeps it a double
    /// when read back. NaN and infinities have no JSON form and are written as `null`.
    public func serialized(pretty: Bool = false) -> String {
        var writer = JSONWriter(pretty: pretty)
        writer.write(self, depth: 0)
        return writer.output
    }
}

/// Builds JSON text into one string; the recursion depth is that of the value itself.
struct JSONWriter {
    let pretty: Bool
    var output = ""

    init(pretty: Bool) { self.pretty = pretty }

    mutating func write(_ value: JSON, depth: Int) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .int(let number): output += String(number)
        case .double(let number): output += JSONWriter.format(number)
        case .string(let text): JSONWriter.appendQuoted(text, to: &output)
        case .array(let elements): writeArray(elements, depth: depth)
        case .object(let object): writeObject(object, depth: depth)
        }
    }

    private mutating func writeArray(_ elements: [JSON], depth: Int) {
        guard pretty else {
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                write(element, depth: depth + 1)
            }
            output += "]"
            return
        }
        if elements.isEmpty {
            output += "[ ]"
        } else if elements.allSatisfy(JSONWriter.isScalar) {
            output += "[ "
            for (index, element) in elements.enumerated() {
                if index > 0 { output += ", " }
                write(element, depth: depth + 1)
            }
            output += " ]"
        } else {
            output += "[\n"
            for (index, element) in elements.enumerated() {
                if index > 0 { output += ",\n" }
                indent(depth + 1)
                write(element, depth: depth + 1)
            }
            output += "\n"
            indent(depth)
            output += "]"
        }
    }

    private mutating func writeObject(_ object: JSONObject, depth: Int) {
        guard pretty else {
            output += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { output += "," }
                JSONWriter.appendQuoted(member.key, to: &output)
                output += ":"
                write(member.value, depth: depth + 1)
            }
            output += "}"
            return
        }
        if object.isEmpty {
            output += "{ }"
            return
        }
        output += "{\n"
        for (index, member) in object.members.enumerated() {
            if index > 0 { output += ",\n" }
            indent(depth + 1)
            JSONWriter.appendQuoted(member.key, to: &output)
            output += ": "
            write(member.value, depth: depth + 1)
        }
        output += "\n"
        indent(depth)
        output += "}"
    }

    private mutating func indent(_ depth: Int) {
        output += String(repeating: "  ", count: depth)
    }

    private static func isScalar(_ value: JSON) -> Bool {
        switch value {
        case .array, .object: return false
        case .null, .bool, .int, .double, .string: return true
        }
    }

    /// Shortest round-trip text; Swift already writes `0.5`, `1.0`, `1e+20`, all valid JSON.
    static func format(_ number: Double) -> String {
        number.isFinite ? number.description : "null"
    }

    /// Appends `text` in double quotes, escaping quote, backslash and every control character.
    static func appendQuoted(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += unicodeEscape(scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: false)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
