/// Which option: a space and a code in it. Codes are 16 bits wide so that one key type serves
/// DHCPv4 (codes 0...255 on the wire) and DHCPv6 (0...65535); a family's table checks the range.
public struct OptionKey: Hashable, Sendable, CustomStringConvertible {
    public var space: OptionSpaceName
    public var code: UInt16

    public init(space: OptionSpaceName, code: UInt16) {
        self.space = space
        self.code = code
    }

    /// A key in the top-level DHCPv4 space.
    public static func dhcp4(_ code: UInt16) -> OptionKey { OptionKey(space: .dhcp4, code: code) }

    /// A key in the top-level DHCPv6 space.
    public static func dhcp6(_ code: UInt16) -> OptionKey { OptionKey(space: .dhcp6, code: code) }

    /// "dhcp4.53", Kea's `space.code` notation.
    public var description: String { "\(space).\(code)" }
}
