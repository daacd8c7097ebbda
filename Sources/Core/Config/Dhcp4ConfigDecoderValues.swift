/// State of one decode: the option encoder and the Kea-known keys set aside so far.
struct Dhcp4Decoding {
    let optionEncoder: (OptionDataSpec) throws -> ConfiguredOption
    var ignoredKeys: [IgnoredKey] = []
}

/// Typed reads of parsed values, failing the way Kea's grammar does: a bison syntax error at
/// the value's first token naming what was expected (`expecting integer`), or, for range
/// problems Kea finds after parsing, a message with the position in parentheses.
extension Dhcp4Decoding {
    func object(_ node: JSONNode) throws(ConfigError) -> [JSONNode.Member] {
        guard let members = node.members else { throw mismatch(node, .map) }
        return members
    }

    func array(_ node: JSONNode) throws(ConfigError) -> [JSONNode] {
        guard let elements = node.elements else { throw mismatch(node, .list) }
        return elements
    }

    func string(_ node: JSONNode) throws(ConfigError) -> String {
        guard case .string(let text) = node.value else { throw mismatch(node, .string) }
        return text
    }

    func bool(_ node: JSONNode) throws(ConfigError) -> Bool {
        guard case .bool(let flag) = node.value else { throw mismatch(node, .boolean) }
        return flag
    }

    func integer(_ node: JSONNode) throws(ConfigError) -> Int64 {
        guard case .int(let number) = node.value else { throw mismatch(node, .integer) }
        return number
    }

    /// Kea's grammar takes only a floating-point token where it wants a real (`0.5`, not `1`).
    func real(_ node: JSONNode) throws(ConfigError) -> Double {
        guard case .double(let number) = node.value else { throw mismatch(node, .real) }
        return number
    }

    func mismatch(_ node: JSONNode, _ expected: KeaValueKind) -> ConfigError {
        ConfigError.syntax(node.span, unexpected: node.tokenName, expecting: [expected.tokenName])
    }

    /// An integer member within `range`, worded like Kea's `SimpleParser::getInteger`.
    func integer(_ member: JSONNode.Member, in range: ClosedRange<Int64>) throws(ConfigError) -> Int64 {
        let number = try integer(member.value)
        guard range.contains(number) else {
            throw ConfigError.semantic(
                "The '\(member.key)' value (\(number)) is not within expected range: "
                    + "(\(range.lowerBound) - \(range.upperBound))",
                at: member.value.position)
        }
        return number
    }

    func uint32(_ member: JSONNode.Member) throws(ConfigError) -> UInt32 {
        UInt32(try integer(member, in: 0...Int64(UInt32.max)))
    }

    func uint16(_ member: JSONNode.Member) throws(ConfigError) -> UInt16 {
        UInt16(try integer(member, in: 0...Int64(UInt16.max)))
    }

    /// A dotted-quad IPv4 address given as a string.
    func ipv4(_ member: JSONNode.Member) throws(ConfigError) -> IPv4Address {
        try ipv4(member.value, key: member.key)
    }

    func ipv4(_ node: JSONNode, key: String) throws(ConfigError) -> IPv4Address {
        let text = try string(node)
        guard let address = IPv4Address(text) else {
            throw ConfigError.semantic("Failed to parse \(key) value: '\(text)' is not a valid IPv4 address", at: node.position)
        }
        return address
    }

    /// One of Kea's keyword values (`raw`/`udp`…): anything else is a bison syntax error
    /// listing the keywords, as Kea's lexer turns only those strings into tokens.
    func keyword(_ node: JSONNode, among words: [String], caseInsensitive: Bool = false) throws(ConfigError) -> String {
        let text = try string(node)
        let probe = caseInsensitive ? Dhcp4Decoding.lowercased(text) : text
        guard let word = words.first(where: { (caseInsensitive ? Dhcp4Decoding.lowercased($0) : $0) == probe }) else {
            throw ConfigError.syntax(node.span, unexpected: node.tokenName, expecting: words.count <= 4 ? words : [])
        }
        return word
    }

    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// `user-context` must be a map and `comment` a string; Kakapo keeps neither.
    func annotation(_ member: JSONNode.Member) throws(ConfigError) -> Bool {
        switch member.key {
        case "user-context": _ = try object(member.value)
        case "comment": _ = try string(member.value)
        default: return false
        }
        return true
    }

    /// A member no handler took: a Kea-known key to set aside, or Kea's unknown-keyword error.
    mutating func other(
        _ member: JSONNode.Member, context: String, path: String, ignorable: [String: KeaValueKind] = [:]
    ) throws(ConfigError) {
        guard let kind = ignorable[member.key] else {
            throw ConfigError.at(member.keySpan, "got unexpected keyword \"\(member.key)\" in \(context) map.")
        }
        guard kind.matches(member.value.value) else { throw mismatch(member.value, kind) }
        ignoredKeys.append(IgnoredKey(path: "\(path)/\(member.key)", position: member.keySpan.start))
    }

    /// Kea's `Parser4Context::require` message for a mandatory key missing from a map.
    func require(_ key: String, in node: JSONNode, context: String) throws(ConfigError) -> JSONNode.Member {
        if let member = node.member(key) { return member }
        let close = node.closeSpan?.start ?? node.position
        throw ConfigError(
            message: "missing parameter '\(key)' (\(node.position)) [\(context) map between \(node.position) and \(close)]",
            position: node.position)
    }
}
