/// JSON text as Kea's `Element::str()` writes it, the form of every answer kea-ctrl-agent
/// sends over HTTP: `{ "arguments": ..., "result": 0, "text": "..." }` with map keys sorted,
/// `[ a, b ]` lists and `[  ]` / `{  }` when empty.
public enum KeaElementText {
    public static func string(_ value: JSON) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    static func write(_ value: JSON, into out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .int(let number): out += String(number)
        case .double(let number): out += JSONWriter.format(number)
        case .string(let text): JSONWriter.appendQuoted(text, to: &out)
        case .array(let elements):
            out += "[ "
            for (index, element) in elements.enumerated() {
                if index > 0 { out += ", " }
                write(element, into: &out)
            }
            out += elements.isEmpty ? " ]" : " ]"
        case .object(let object):
            out += "{ "
            let sorted = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for (index, member) in sorted.enumerated() {
                if index > 0 { out += ", " }
                JSONWriter.appendQuoted(member.key, to: &out)
                out += ": "
                write(member.value, into: &out)
            }
            out += " }"
        }
    }
}
