import KakapoCore

/// One trace line as the inspector reads it: `t`, `seq` and `kind` taken out, the other fields
/// in their order (see `TraceRecord` for what each kind carries).
struct InspectedRecord {
    /// 1-based line number in the input.
    var line: Int
    var time: Int64
    var seq: Int64?
    var kind: String
    var fields: [(key: String, value: JSON)]

    subscript(_ key: String) -> JSON? {
        for field in fields where field.key == key { return field.value }
        return nil
    }

    /// The field as text: strings as they are, numbers and booleans written out, nested values
    /// serialized; nil when absent, null or the empty string (the simulator writes "" for "none").
    func text(_ key: String) -> String? {
        guard let value = self[key], let text = InspectedRecord.render(value), !text.isEmpty else { return nil }
        return text
    }

    static func render(_ value: JSON) -> String? {
        switch value {
        case .null: return nil
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        default: return value.serialized()
        }
    }
}

/// What one input line turned out to be.
enum ParsedTraceLine {
    case blank
    case record(InspectedRecord)
    case malformed(String)
}

enum TraceLineParser {
    /// Parses one line (without its newline). A flat object of strings, integers, booleans and
    /// nulls, which is every line the simulator writes, goes through a fast scanner; anything
    /// else goes through Core's strict JSON parser, which also words the errors.
    static func parse(_ line: Substring, number: Int) -> ParsedTraceLine {
        var isBlank = true
        for byte in line.utf8 where !(byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A) {
            isBlank = false
            break
        }
        if isBlank { return .blank }

        var members: [(key: String, value: JSON)]? = line.utf8.withContiguousStorageIfAvailable { buffer in
            var scanner = FlatJSONScanner(bytes: buffer)
            return scanner.object()
        } ?? nil
        if members == nil {
            let bytes = Array(line.utf8)
            members = bytes.withUnsafeBufferPointer { buffer in
                var scanner = FlatJSONScanner(bytes: buffer)
                return scanner.object()
            }
        }
        if members == nil {
            do {
                let json = try JSON.parse(String(line))
                guard let object = json.objectValue else {
                    return .malformed("line \(number): not a JSON object")
                }
                members = object.members
            } catch {
                return .malformed("line \(number): not valid JSON: \(cleanParserMessage(error.message))")
            }
        }
        return validate(members ?? [], number: number)
    }

    static func validate(_ members: [(key: String, value: JSON)], number: Int) -> ParsedTraceLine {
        var time: Int64?
        var seq: Int64?
        var kind: String?
        var fields: [(key: String, value: JSON)] = []
        fields.reserveCapacity(members.count)
        for member in members {
            switch member.key {
            case "t":
                guard let t = member.value.intValue else {
                    return .malformed("line \(number): \"t\" is not an integer number of milliseconds")
                }
                time = t
            case "seq":
                guard let s = member.value.intValue else {
                    return .malformed("line \(number): \"seq\" is not an integer")
                }
                seq = s
            case "kind":
                guard let k = member.value.stringValue, !k.isEmpty else {
                    return .malformed("line \(number): \"kind\" is not a non-empty string")
                }
                kind = k
            default:
                fields.append(member)
            }
        }
        guard let t = time else { return .malformed("line \(number): no \"t\" (virtual time)") }
        guard let k = kind else { return .malformed("line \(number): no \"kind\"") }
        return .record(InspectedRecord(line: number, time: t, seq: seq, kind: k, fields: fields))
    }

    /// Core's messages name the input `<string>` with a bison-style position; on one line only
    /// the column matters.
    static func cleanParserMessage(_ message: String) -> String {
        guard message.hasPrefix("<string>:") else { return message }
        var rest = message.dropFirst("<string>:".count)
        // "1.5: ..." or "1.5-7: ..." -> "column 5: ..."
        if let colon = rest.firstIndex(of: ":") {
            let position = rest[..<colon]
            let parts = position.split(separator: ".")
            if parts.count == 2, let column = parts[1].split(separator: "-").first, Int(column) != nil {
                rest = rest[rest.index(after: colon)...]
                return "column \(column):\(rest)"
            }
        }
        return String(rest)
    }
}

/// A scanner for one flat JSON object: string keys; string, integer, boolean or null values.
/// Returns nil for anything else (nested values, fractions, bad syntax) so that the caller can
/// fall back to the full parser.
struct FlatJSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func object() -> [(key: String, value: JSON)]? {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return nil }
        var members: [(key: String, value: JSON)] = []
        members.reserveCapacity(12)
        skipSpace()
        if take(UInt8(ascii: "}")) { return finish(members) }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return nil }
            skipSpace()
            guard let value = value() else { return nil }
            members.append((key: key, value: value))
            skipSpace()
            if take(UInt8(ascii: ",")) { continue }
            if take(UInt8(ascii: "}")) { return finish(members) }
            return nil
        }
    }

    private mutating func finish(_ members: [(key: String, value: JSON)]) -> [(key: String, value: JSON)]? {
        skipSpace()
        guard index == bytes.count else { return nil }
        // A repeated key: let the full parser decide what that means.
        if members.count > 1 {
            for i in 1..<members.count {
                for j in 0..<i where members[j].key == members[i].key { return nil }
            }
        }
        return members
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A else { return }
            index += 1
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func value() -> JSON? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "\""): return string().map(JSON.string)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(JSON.int)
        case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
        case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
        case UInt8(ascii: "n"): return literal("null") ? .null : nil
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let start = word.utf8Start
        for k in 0..<count where bytes[index + k] != start[k] { return false }
        index += count
        if index < bytes.count, isIdentifierByte(bytes[index]) { return false }
        return true
    }

    private func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_")
    }

    private mutating func integer() -> Int64? {
        var negative = false
        if take(UInt8(ascii: "-")) { negative = true }
        let start = index
        var magnitude: UInt64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let digit = UInt64(bytes[index] - UInt8(ascii: "0"))
            let (times, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(digit)
            guard !o1, !o2 else { return nil }
            magnitude = plus
            index += 1
        }
        let digits = index - start
        guard digits > 0 else { return nil }
        if digits > 1, bytes[start] == UInt8(ascii: "0") { return nil }
        if index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") { return nil }
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var escaped = false
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                return escaped ? unescape(slice) : String(decoding: slice, as: UTF8.self)
            }
            if b < 0x20 { return nil }
            if b == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            index += 1
        }
        return nil
    }

    private func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var v: UInt32 = 0
            for k in 0..<4 {
                let c = raw[at + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        while i < raw.count {
            let b = raw[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { return nil }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var code = hex4(i) else { return nil }
                i += 4
                if (0xD800...0xDBFF).contains(code) {
                    guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                          let low = hex4(i + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
                    i += 6
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
