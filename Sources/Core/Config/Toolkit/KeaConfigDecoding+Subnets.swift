/// An address family's prefixes as the subnet, pool and relay decoders see them: what
/// kakapo-dhcp4 and kakapo-dhcp6 parse the same way, with Kea's (shared) wording.
protocol ConfigPrefix: Equatable, CustomStringConvertible {
    associatedtype Address: Comparable, CustomStringConvertible
    static var bits: Int { get }
    /// Kea's name of the family in address messages ("IPv4address").
    static var familyName: String { get }
    /// Kea's name for an address pool's type in pool messages ("V4", "IA_NA").
    static var poolType: String { get }
    static func address(_ text: Substring) -> Address?
    init(network: Address, length: Int)
    var first: Address { get }
    var last: Address { get }
    func contains(_ address: Address) -> Bool
}

extension IPv4Prefix: ConfigPrefix {
    static var bits: Int { 32 }
    static var familyName: String { "IPv4address" }
    static var poolType: String { "V4" }
    static func address(_ text: Substring) -> IPv4Address? { IPv4Address(text) }
}

extension IPv6Prefix: ConfigPrefix {
    static var bits: Int { 128 }
    static var familyName: String { "IPv6address" }
    static var poolType: String { "IA_NA" }
    static func address(_ text: Substring) -> IPv6Address? { IPv6Address(text) }
}

extension KeaConfigDecoding {
    /// A subnet's "prefix/len" ("192.0.2.0/24", "2001:db8:1::/64"), spaces allowed as in Kea.
    func subnetPrefix<P: ConfigPrefix>(_ member: JSONNode.Member, as: P.Type) throws(ConfigError) -> P {
        let text = String(try string(member.value).filter { $0 != " " && $0 != "\t" })
        let position = member.value.position
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ConfigError.semantic(.invalidValue, "subnet configuration failed: Invalid subnet syntax (prefix/len expected):\(text)", at: position)
        }
        guard let address = P.address(parts[0]) else {
            throw ConfigError.semantic(
                .invalidValue, "subnet configuration failed: Failed to convert string to address '\(parts[0])': Invalid argument", at: position)
        }
        guard let length = Int(parts[1]), (0...P.bits).contains(length) else {
            throw ConfigError.semantic(
                .invalidValue, "subnet configuration failed: Invalid prefix length specified for subnet: \(parts[1])", at: position)
        }
        return P(network: address, length: length)
    }

    /// A pool's `"first - last"` or `"prefix/len"`, with Kea's `PoolParser` messages.
    func poolRange<P: ConfigPrefix>(_ node: JSONNode, as: P.Type) throws(ConfigError) -> (P.Address, P.Address) {
        let original = try string(node)
        let text = String(original.filter { $0 != " " && $0 != "\t" })
        let position = node.position
        if text.contains("/") {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = P.address(parts[0]), let length = Int(parts[1]), (0...255).contains(length) else {
                throw ConfigError.semantic(.invalidValue, "Failed to parse pool definition: \(text)", at: position)
            }
            guard length <= P.bits else { throw ConfigError.semantic(.invalidValue, "Failed to create pool defined by: \(text)", at: position) }
            let prefix = P(network: address, length: length)
            return (prefix.first, prefix.last)
        }
        if text.contains("-") {
            let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = P.address(parts[0]), let last = P.address(parts[1]) else {
                throw ConfigError.semantic(.invalidValue, "Failed to parse pool definition: \(text)", at: position)
            }
            guard first <= last else { throw ConfigError.semantic(.invalidValue, "Failed to create pool defined by: \(text)", at: position) }
            return (first, last)
        }
        throw ConfigError.semantic(
            .invalidValue, "invalid pool definition: \(original). There are two acceptable formats <min address-max address> or <prefix/len>",
            at: position)
    }

    /// Kea's `Subnet::addPool` checks, in file order: each pool inside the subnet, none
    /// overlapping an earlier one. Errors point at the subnet's map, as Kea's do.
    func checkPoolRanges<P: ConfigPrefix>(_ ranges: [(first: P.Address, last: P.Address)], in prefix: P,
                                          subnet position: SourcePosition) throws(ConfigError) {
        for (index, pool) in ranges.enumerated() {
            let range = "a pool of type \(P.poolType), with the following address range: \(pool.first)-\(pool.last)"
            guard prefix.contains(pool.first), prefix.contains(pool.last) else {
                throw ConfigError.semantic(
                    .conflict, "subnet configuration failed: \(range) does not match the prefix of a subnet: "
                        + "\(prefix) to which it is being added", at: position)
            }
            if ranges[..<index].contains(where: { $0.first <= pool.last && pool.first <= $0.last }) {
                throw ConfigError.semantic(
                    .conflict, "subnet configuration failed: \(range) overlaps with an existing pool in the subnet: "
                        + "\(prefix) to which it is being added", at: position)
            }
        }
    }

    /// `relay`: `ip-addresses` (a list), or the older single `ip-address`, not both, with Kea's
    /// `RelayInfoParser` text (sic): "is not a valid:" for text that is no address, "is not a:"
    /// for an address of the other family; at the list's key, or the single address itself.
    mutating func decodeRelay<P: ConfigPrefix>(_ node: JSONNode, as: P.Type) throws(ConfigError) -> [P.Address] {
        func parse(_ element: JSONNode, at position: SourcePosition) throws(ConfigError) -> P.Address {
            let text = try string(element)
            if let address = P.address(text[...]) { return address }
            let otherFamily = text.contains(":") != (P.bits == 128) && (IPv4Address(text) != nil || IPv6Address(text) != nil)
            throw ConfigError.semantic(.invalidValue, "address \(text) is not a\(otherFamily ? "" : " valid"): \(P.familyName)", at: position)
        }
        var addresses: [P.Address] = []
        var forms = 0
        for member in try object(node) {
            switch member.key {
            case "ip-addresses":
                addresses = []
                for element in try array(member.value) { addresses.append(try parse(element, at: member.keySpan.start)) }
                forms += 1
            case "ip-address":
                addresses = [try parse(member.value, at: member.value.position)]
                forms += 1
            default:
                try other(member, context: "relay", path: "relay")
            }
        }
        guard forms < 2 else {
            throw ConfigError.semantic(.conflict, "specify either ip-address or ip-addresses, not both", at: node.position)
        }
        return addresses
    }
}
