extension KeaConfigDecoding {
    /// Kea 2.4's daemon grammars take one top-level entry, the daemon's (`Dhcp4`, `Dhcp6`), and
    /// nothing else:
    /// other daemons' objects are a syntax error (the ARM's "ignored" note predates 2.0).
    func topLevel(_ root: JSONNode, daemon: String) throws(ConfigError) -> JSONNode {
        guard let members = root.members else {
            throw ConfigError.syntax(root.span, unexpected: root.tokenName, expecting: ["{"])
        }
        guard let first = members.first else {
            let close = root.closeSpan ?? root.span
            throw ConfigError.syntax(close, unexpected: "}", expecting: [daemon])
        }
        guard first.key == daemon else {
            throw ConfigError.syntax(first.keySpan, unexpected: "constant string", expecting: [daemon])
        }
        if members.count > 1 {
            throw ConfigError.syntax(members[1].keySpan, unexpected: "constant string", expecting: ["}"])
        }
        return first.value
    }
}
