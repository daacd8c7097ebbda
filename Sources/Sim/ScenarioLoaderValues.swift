import Foundation
import KakapoCore
import Yams

/// The keys of one YAML mapping, checked against the keys allowed there.
struct Fields {
    let node: Node
    /// What the mapping is, for messages ("server 's1'", "link of segment 'office'").
    let what: String
    let entries: [(key: String, keyNode: Node, value: Node)]

    subscript(key: String) -> Node? {
        entries.first(where: { $0.key == key })?.value
    }

    func keyNode(_ key: String) -> Node? {
        entries.first(where: { $0.key == key })?.keyNode
    }

    var keys: [String] { entries.map(\.key) }
}

/// Walks the YAML nodes of one scenario file, turning them into model values or errors that
/// name the file, line and column.
struct ScenarioReader {
    let file: String
    let baseDirectory: String
    let readFile: (String) throws -> String
    /// 4 or 6: which addresses the sections take (set from the `family` key).
    var family = 4

    // MARK: Errors

    func error(_ message: String, at node: Node?) -> ScenarioError {
        let mark = node?.mark
        return ScenarioError(message: message, file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// The text of a node as written, for messages.
    func shown(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty ? "an empty value" : "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    // MARK: Structure

    func fields(_ node: Node, _ what: String, allowed: [String]) throws(ScenarioError) -> Fields {
        guard case .mapping(let mapping) = node else {
            throw error("\(what) must be a mapping (key: value lines), not \(shown(node))", at: node)
        }
        var entries: [(key: String, keyNode: Node, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw error("keys in \(what) must be plain words, not \(shown(keyNode))", at: keyNode)
            }
            var key = keyScalar.string
            // Underscores are accepted for hyphens (all_bound_within = all-bound-within).
            if !allowed.contains(key) {
                let hyphenated = String(key.map { $0 == "_" ? "-" : $0 })
                if allowed.contains(hyphenated) { key = hyphenated }
            }
            if let earlier = entries.first(where: { $0.key == key }) {
                let line = earlier.keyNode.mark?.line ?? 0
                throw error("duplicate key '\(key)' in \(what) (first given on line \(line))", at: keyNode)
            }
            guard allowed.contains(key) else {
                var message = "unknown key '\(key)' in \(what); allowed keys: \(allowed.joined(separator: ", "))"
                if let guess = Self.closest(to: key, in: allowed) {
                    message += " (did you mean '\(guess)'?)"
                }
                throw error(message, at: keyNode)
            }
            entries.append((key, keyNode, value))
        }
        return Fields(node: node, what: what, entries: entries)
    }

    func required(_ fields: Fields, _ key: String) throws(ScenarioError) -> Node {
        guard let value = fields[key] else {
            throw error("missing required key '\(key)' in \(fields.what)", at: fields.node)
        }
        return value
    }

    /// A mapping with exactly one of `choices` as its key (`{ uniform: ... }`).
    func oneOf(_ node: Node, _ what: String, choices: [String], hint: String) throws(ScenarioError) -> (key: String, value: Node) {
        guard case .mapping = node else {
            throw error("\(what) must be \(hint), not \(shown(node))", at: node)
        }
        let f = try fields(node, what, allowed: choices)
        guard f.entries.count == 1, let entry = f.entries.first else {
            if f.entries.isEmpty {
                throw error("\(what) is empty; expected \(hint)", at: node)
            }
            throw error("\(what) takes exactly one of \(choices.joined(separator: ", ")); found \(f.keys.joined(separator: " and "))",
                        at: f.entries[1].keyNode)
        }
        return (entry.key, entry.value)
    }

    func list(_ node: Node, _ what: String) throws(ScenarioError) -> [Node] {
        switch node {
        case .sequence(let sequence): return Array(sequence)
        case .scalar(let scalar) where scalar.style == .plain && scalar.string.isEmpty:
            return []
        default:
            throw error("\(what) must be a list (lines starting with '- ', or [a, b]), not \(shown(node))", at: node)
        }
    }

    // MARK: Scalars

    func scalar(_ node: Node, _ what: String) throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error("\(what) must be a single value, not \(shown(node))", at: node)
        }
        return scalar.string
    }

    func text(_ node: Node, _ what: String) throws(ScenarioError) -> String {
        try scalar(node, what)
    }

    /// A name other parts of the file refer to: letters, digits, '.', '_' and '-'.
    func name(_ node: Node, _ what: String) throws(ScenarioError) -> String {
        let value = try scalar(node, what)
        guard !value.isEmpty else { throw error("\(what) is empty", at: node) }
        let ok = value.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
        guard ok else {
            throw error("\(what) '\(value)' may hold only letters, digits, '.', '_' and '-'", at: node)
        }
        return value
    }

    func integer(_ node: Node, _ what: String, min: Int = 0) throws(ScenarioError) -> Int {
        let value = try scalar(node, what)
        guard let number = Self.parseInteger(value) else {
            throw error("\(what) must be a whole number, not '\(value)'", at: node)
        }
        guard number >= min else {
            throw error("\(what) must be at least \(min), not \(number)", at: node)
        }
        return number
    }

    func seed(_ node: Node) throws(ScenarioError) -> UInt64 {
        let value = try scalar(node, "seed")
        let digits = value.replacingOccurrences(of: "_", with: "")
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let seed = UInt64(digits) else {
            throw error("seed must be a whole number from 0 to \(UInt64.max), not '\(value)'", at: node)
        }
        return seed
    }

    func bool(_ node: Node, _ what: String) throws(ScenarioError) -> Bool {
        switch try scalar(node, what) {
        case "true": return true
        case "false": return false
        case let other: throw error("\(what) must be true or false, not '\(other)'", at: node)
        }
    }

    func number(_ node: Node, _ what: String) throws(ScenarioError) -> Double {
        let value = try scalar(node, what)
        guard let number = Self.parseDecimal(value) else {
            throw error("\(what) must be a number, not '\(value)'", at: node)
        }
        return number
    }

    /// A duration with a unit; `allowNegative` only where going backwards makes sense.
    func duration(_ node: Node, _ what: String, allowNegative: Bool = false, allowZero: Bool = true) throws(ScenarioError) -> Int64 {
        let value = try scalar(node, what)
        guard let milliseconds = ScenarioLoader.parseDuration(value) else {
            if Self.parseDecimal(value) != nil {
                throw error("\(what) '\(value)' needs a unit: write e.g. '\(value)s' or '\(value)ms' (units: ms, s, m, h, d)", at: node)
            }
            throw error("\(what) '\(value)' is not a duration; write a number with a unit (ms, s, m, h, d), e.g. 500ms, 30s, 1h30m", at: node)
        }
        if milliseconds < 0 && !allowNegative {
            throw error("\(what) must not be negative, not '\(value)'", at: node)
        }
        if milliseconds == 0 && !allowZero {
            throw error("\(what) must be longer than zero", at: node)
        }
        return milliseconds
    }

    /// A probability: `0.2` or `20%`, between 0 and 1 (0% and 100%).
    func probability(_ node: Node, _ what: String) throws(ScenarioError) -> Double {
        let value = try scalar(node, what)
        let p: Double
        if value.hasSuffix("%") {
            guard let percent = Self.parseDecimal(String(value.dropLast()).trimmingCharacters(in: .whitespaces)) else {
                throw error("\(what) '\(value)' is not a percentage; write e.g. 20% or 0.2", at: node)
            }
            p = percent / 100
        } else {
            guard let fraction = Self.parseDecimal(value) else {
                throw error("\(what) '\(value)' is not a probability; write e.g. 20% or 0.2", at: node)
            }
            if fraction > 1 && fraction <= 100 {
                throw error("\(what) \(value) is more than 1; did you mean \(value)%?", at: node)
            }
            p = fraction
        }
        guard p >= 0 && p <= 1 else {
            throw error("\(what) must be between 0% and 100% (0 and 1), not '\(value)'", at: node)
        }
        return p
    }

    func address(_ node: Node, _ what: String) throws(ScenarioError) -> IPv4Address {
        let value = try scalar(node, what)
        guard let address = IPv4Address(value) else {
            throw error("\(what) '\(value)' is not an IPv4 address (expected dotted quad such as 192.0.2.1)", at: node)
        }
        return address
    }

    func address6(_ node: Node, _ what: String) throws(ScenarioError) -> IPv6Address {
        let value = try scalar(node, what)
        guard let address = IPv6Address(value) else {
            throw error("\(what) '\(value)' is not an IPv6 address (expected such as 2001:db8::1)", at: node)
        }
        return address
    }

    func prefix6(_ node: Node, _ what: String) throws(ScenarioError) -> IPv6Prefix {
        let value = try scalar(node, what)
        guard let prefix = IPv6Prefix(value) else {
            throw error("\(what) '\(value)' is not an IPv6 prefix (expected address/length such as 2001:db8:1::/64)", at: node)
        }
        if let given = IPv6Address(value.split(separator: "/")[0]), given != prefix.network {
            throw error("\(what) '\(value)' has host bits set; did you mean \(prefix)?", at: node)
        }
        return prefix
    }

    func prefix(_ node: Node, _ what: String) throws(ScenarioError) -> IPv4Prefix {
        let value = try scalar(node, what)
        guard let prefix = IPv4Prefix(value) else {
            throw error("\(what) '\(value)' is not an IPv4 prefix (expected address/length such as 192.0.2.0/24)", at: node)
        }
        if let given = IPv4Address(value.split(separator: "/")[0]), given != prefix.network {
            throw error("\(what) '\(value)' has host bits set; did you mean \(prefix)?", at: node)
        }
        return prefix
    }

    /// `02:00` style: 1 to 5 bytes in hex, colon-separated.
    func macPrefix(_ node: Node, _ what: String) throws(ScenarioError) -> [UInt8] {
        let value = try scalar(node, what)
        var bytes: [UInt8] = []
        for part in value.split(separator: ":", omittingEmptySubsequences: false) {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else {
                throw error("\(what) '\(value)' must be 1 to 5 hex bytes separated by colons, e.g. \"02:00\"", at: node)
            }
            bytes.append(byte)
        }
        guard (1...5).contains(bytes.count) else {
            throw error("\(what) '\(value)' has \(bytes.count) bytes; give 1 to 5 (the rest is a counter)", at: node)
        }
        if bytes[0] & 1 != 0 {
            throw error("\(what) '\(value)' starts with a multicast byte (lowest bit set); use e.g. 02 (locally administered)", at: node)
        }
        return bytes
    }

    // MARK: Number syntax

    /// Decimal integer, optionally signed, `_` allowed between digits (`5_000`).
    static func parseInteger(_ text: String) -> Int? {
        var body = Substring(text)
        var sign = ""
        if let first = body.first, first == "-" || first == "+" {
            if first == "-" { sign = "-" }
            body = body.dropFirst()
        }
        guard let first = body.first, first.isASCII, first.isNumber, let last = body.last, last.isASCII, last.isNumber,
              !body.contains("__"),
              body.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "_" }) else { return nil }
        return Int(sign + body.replacingOccurrences(of: "_", with: ""))
    }

    /// A decimal number such as `2.5`, `-1`, `0.05` (no exponent, no inf/nan).
    static func parseDecimal(_ text: String) -> Double? {
        if let integer = parseInteger(text) { return Double(integer) }
        var body = Substring(text)
        if let first = body.first, first == "-" || first == "+" { body = body.dropFirst() }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !(parts[0].isEmpty && parts[1].isEmpty),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return Double(text)
    }

    /// The allowed word nearest to `key` (same word with `_` for `-`, or at most two edits away).
    static func closest(to key: String, in allowed: [String]) -> String? {
        let normalized = key.lowercased().replacingOccurrences(of: "_", with: "-")
        if let same = allowed.first(where: { $0 == normalized }) { return same }
        var best: (String, Int)? = nil
        for candidate in allowed {
            let d = editDistance(normalized, candidate)
            if d <= 2 && d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8)
        let b = Array(b.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
