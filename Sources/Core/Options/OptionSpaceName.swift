/// The name of an option space, as a Kea configuration spells it: `dhcp4`, `dhcp6`,
/// `dhcp-agent-options-space`, `vendor-4491`, or any name an `option-def` introduces.
///
/// A space is a namespace for option codes: the same code means different options in
/// different spaces (code 1 is subnet-mask in `dhcp4` and circuit-id in
/// `dhcp-agent-options-space`). A value, compared by its text; building one is not on the packet
/// path.
public struct OptionSpaceName: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The name as configured.
    public let text: String

    /// Wraps a name without checking it; `isValid` says whether Kea would accept it.
    public init(_ text: String) { self.text = text }

    /// Lets tables and tests write `"dhcp4"` where a space name is expected.
    public init(stringLiteral text: String) { self.text = text }

    /// The name itself, so that a space prints as a configuration writes it.
    public var description: String { text }

    public static func < (lhs: OptionSpaceName, rhs: OptionSpaceName) -> Bool { lhs.text < rhs.text }

    /// The top-level DHCPv4 space: the options of a DHCPv4 message.
    public static let dhcp4: OptionSpaceName = "dhcp4"
    /// The top-level DHCPv6 space; a DHCPv4 configuration must not use it.
    public static let dhcp6: OptionSpaceName = "dhcp6"
    /// The sub-options of the relay agent information option (82), RFC 3046.
    public static let dhcpAgentOptions: OptionSpaceName = "dhcp-agent-options-space"
    /// The sub-options of vendor-encapsulated-options (43), which a configuration defines.
    public static let vendorEncapsulatedOptions: OptionSpaceName = "vendor-encapsulated-options-space"

    /// Kea's name for the options of one vendor (enterprise number), carried by the
    /// vendor-identifying options (124/125 in DHCPv4, 16/17 in DHCPv6): `vendor-4491`.
    public static func vendor(enterpriseNumber: UInt32) -> OptionSpaceName {
        OptionSpaceName("vendor-\(enterpriseNumber)")
    }

    /// The enterprise number of a `vendor-<number>` space (Kea's `optionSpaceToVendorId`), or nil
    /// for any other name, including numbers that do not fit 32 bits.
    public var vendorEnterpriseNumber: UInt32? {
        guard text.hasPrefix("vendor-") else { return nil }
        let digits = text.dropFirst("vendor-".count)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return UInt32(digits)
    }

    /// Kea's rule for space names (`OptionSpace::validateName`): letters, digits, `-` and `_`,
    /// not empty, and neither starting nor ending with `-` or `_`. Option names follow the same
    /// rule (`OptionDefinition::validate`).
    public var isValid: Bool { Self.isValidIdentifier(text) }

    static func isValidIdentifier(_ text: String) -> Bool {
        guard let first = text.utf8.first, let last = text.utf8.last else { return false }
        let edge: (UInt8) -> Bool = { $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
        guard !edge(first), !edge(last) else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || edge(byte)
        }
    }
}
