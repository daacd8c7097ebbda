/// The key-table habits: every key of a map is handled by the decoder's `switch`, set aside
/// (Kea knows it, Kakapo does not support it: a warning), or rejected with Kea's error.
/// Keys that are decoded but not acted on yet are noted with a warning too, so nothing the
/// operator wrote is dropped silently.
extension KeaConfigDecoding {
    /// `user-context` must be a map and `comment` a string; Kakapo keeps neither (they are
    /// notes for people and tools, which Kea does not act on either).
    func annotation(_ member: JSONNode.Member) throws(ConfigError) -> Bool {
        switch member.key {
        case "user-context": _ = try object(member.value)
        case "comment": _ = try string(member.value)
        default: return false
        }
        return true
    }

    /// A member no handler took: a Kea-known key to set aside (after the type check Kea's
    /// grammar makes), or Kea's unknown-keyword error at the key.
    ///
    /// - Parameters:
    ///   - context: Kea's name for the map, as printed in its error (`subnet4`).
    ///   - path: where the map sits, for the warning (`Dhcp4/subnet4[0]`).
    ///   - ignorable: Kea-known keys of this map that Kakapo sets aside, with their types.
    mutating func other(
        _ member: JSONNode.Member, context: String, path: String, ignorable: [String: KeaValueKind] = [:]
    ) throws(ConfigError) {
        guard let kind = ignorable[member.key] else { throw unknownKey(member, context: context) }
        guard kind.matches(member.value.value) else { throw mismatch(member.value, kind) }
        setAside("\(path)/\(member.key)", at: member.keySpan.start)
    }

    /// Kea's grammar error for a key its map does not have, at the key.
    func unknownKey(_ member: JSONNode.Member, context: String) -> ConfigError {
        ConfigError.at(.unknownKey, member.keySpan, "got unexpected keyword \"\(member.key)\" in \(context) map.")
    }

    /// Records a key that Kakapo does not support and behaves as if it were absent.
    mutating func setAside(_ key: String, at position: SourcePosition) {
        warnings.append(.ignored(key: key, at: position))
    }

    /// Records a key decoded into the configuration that the daemon does not act on yet.
    mutating func notActedOn(_ key: String, at position: SourcePosition, detail: String) {
        warnings.append(.notActedOn(key: key, at: position, detail: detail))
    }

    /// Notes `member` when `table` lists it (by its path `path/key`) as decoded but not
    /// acted on; the table's value is the warning's detail.
    mutating func noteIfNotActedOn(_ member: JSONNode.Member, in path: String, table: [String: String]) {
        let key = "\(path)/\(member.key)"
        guard let detail = table[key] else { return }
        notActedOn(key, at: member.keySpan.start, detail: detail)
    }

    /// Kea's `Parser4Context::require` message for a mandatory key missing from a map.
    func require(_ key: String, in node: JSONNode, context: String) throws(ConfigError) -> JSONNode.Member {
        if let member = node.member(key) { return member }
        let close = node.closeSpan?.start ?? node.position
        throw ConfigError(
            code: .missingKey,
            message: "missing parameter '\(key)' (\(node.position)) [\(context) map between \(node.position) and \(close)]",
            position: node.position)
    }
}
