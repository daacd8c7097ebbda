/// The relay agent sub-options (`dhcp-agent-options-space`, inside option 82) the protocol logic
/// reads by itself, named and checked against `OptionTable.dhcp4` like `DHCPv4Option`.
public enum DHCPv4AgentSubOption: UInt8, CaseIterable, Sendable {
    case linkSelection = 5
    case serverIdOverride = 11

    /// The sub-option's code on the wire.
    @inlinable public var code: UInt8 { rawValue }

    /// The sub-option's key in the table.
    public var key: OptionKey { OptionKey(space: .dhcpAgentOptions, code: UInt16(rawValue)) }

    /// The sub-option's definition in `OptionTable.dhcp4`.
    public var definition: OptionDefinition {
        guard let definition = OptionTable.dhcp4.definition(key) else {
            preconditionFailure("DHCPv4AgentSubOption.\(self) has no definition in OptionTable.dhcp4")
        }
        return definition
    }

    /// Kea's name for the sub-option, from the table.
    public var name: String { definition.name }
}
