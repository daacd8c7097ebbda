/// The habits every Kea daemon's config decoder shares (Dhcp4 today; Dhcp6, DhcpDdns and
/// Control-agent next), so that each daemon's decoder only says what is its own.
///
/// A daemon's decoder is a struct conforming to this protocol. It gets:
/// - typed reads of parsed values that fail the way Kea's grammar does: a bison syntax error
///   at the value's first token naming what was expected (`expecting integer`), or, for
///   problems Kea finds after parsing, its message with the position in parentheses;
/// - the key-table habits: a key is handled, set aside with a warning (Kea knows it, Kakapo
///   does not support it), or an error naming the key and its position (`+Keys`);
/// - decoders for the sections several daemons share: `lease-database`, `hosts-database(s)`,
///   `control-socket`, `loggers`, `hooks-libraries`, `multi-threading`.
///
/// Warnings accumulate in `warnings`, in file order; errors are thrown at the first problem.
protocol KeaConfigDecoding {
    var warnings: [ConfigWarning] { get set }
}

extension KeaConfigDecoding {
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
        ConfigError.syntax(node.span, unexpected: node.tokenName, expecting: [expected.tokenName], code: .wrongType)
    }

    /// An integer member within `range`, worded like Kea's `SimpleParser::getInteger`.
    func integer(_ member: JSONNode.Member, in range: ClosedRange<Int64>) throws(ConfigError) -> Int64 {
        let number = try integer(member.value)
        guard range.contains(number) else {
            throw ConfigError.semantic(
                .outOfRange,
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

    /// A count or a span where Kea's 0 means "none" or "no limit": nil then, as Core writes
    /// an absent limit (`nil`) rather than a 0 sentinel.
    func positiveUInt32(_ member: JSONNode.Member) throws(ConfigError) -> UInt32? {
        let number = try uint32(member)
        return number == 0 ? nil : number
    }

    /// A dotted-quad IPv4 address given as a string.
    func ipv4(_ member: JSONNode.Member) throws(ConfigError) -> IPv4Address {
        try ipv4(member.value, key: member.key)
    }

    func ipv4(_ node: JSONNode, key: String) throws(ConfigError) -> IPv4Address {
        let text = try string(node)
        guard let address = IPv4Address(text) else {
            throw ConfigError.semantic(
                .invalidValue, "Failed to parse \(key) value: '\(text)' is not a valid IPv4 address", at: node.position)
        }
        return address
    }

    /// One of Kea's keyword values (`raw`/`udp`…): anything else is a bison syntax error
    /// listing the keywords, as Kea's lexer turns only those strings into tokens.
    func keyword(_ node: JSONNode, among words: [String], caseInsensitive: Bool = false) throws(ConfigError) -> String {
        let text = try string(node)
        let probe = caseInsensitive ? KeaText.lowercased(text) : text
        guard let word = words.first(where: { (caseInsensitive ? KeaText.lowercased($0) : $0) == probe }) else {
            throw ConfigError.syntax(
                node.span, unexpected: node.tokenName, expecting: words.count <= 4 ? words : [], code: .invalidValue)
        }
        return word
    }

    /// A keyword value mapped to its typed case: `Choice`'s raw values are Kea's words.
    func choice<Choice: RawRepresentable & CaseIterable>(
        _ node: JSONNode, as _: Choice.Type = Choice.self
    ) throws(ConfigError) -> Choice where Choice.RawValue == String {
        let words = Choice.allCases.map(\.rawValue)
        let word = try keyword(node, among: words)
        // The keyword is one of the raw values just listed.
        guard let value = Choice(rawValue: word) else { preconditionFailure("keyword outside \(words)") }
        return value
    }
}

/// ASCII case mapping as Kea's lexer does it (configuration keywords are ASCII).
enum KeaText {
    static func lowercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }

    static func uppercased(_ text: String) -> String {
        String(decoding: text.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
    }

    /// A double as C++ streams print it in Kea's messages: `1` rather than `1.0`.
    static func number(_ number: Double) -> String {
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return number.description
    }
}
