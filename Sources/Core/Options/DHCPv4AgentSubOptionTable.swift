/// The sub-options of the relay agent information option (82), Kea's `dhcp-agent-options-space`,
/// transcribed from `DHCP_AGENT_OPTION_DEFINITIONS` in Kea 2.4's `std_option_defs.h`.
/// The engine reads circuit-id, remote-id, link-selection and friends by these codes; traces and
/// client classes name them by these names.
public enum DHCPv4AgentSubOptionTable {
    /// The name of the option space these definitions live in, as a configuration spells it.
    public static let spaceName = "dhcp-agent-options-space"

    /// Every standard relay agent sub-option definition, ordered by code.
    public static let all: [DHCPv4OptionDefinition] = [
        optionRow(1, "circuit-id", .binary),
        optionRow(2, "remote-id", .binary),
        optionRow(4, "docsis-device-class", .uint32),
        optionRow(5, "link-selection", .ipv4Address),
        optionRow(6, "subscriber-id", .string),
        optionRow(7, "radius", .binary),
        optionRow(8, "auth", .binary),
        optionRow(9, "vendor-specific-info", .binary),
        optionRow(10, "relay-flags", .uint8),
        optionRow(11, "server-id-override", .ipv4Address),
        optionRow(12, "relay-id", .binary),
        optionRow(13, "access-techno-type", .uint16),
        optionRow(14, "access-network-name", .string),
        optionRow(15, "access-point-name", .string),
        optionRow(16, "access-point-bssid", .binary),
        optionRow(17, "operator-id", .uint32),
        optionRow(18, "operator-realm", .string),
        optionRow(19, "relay-port", .uint16),
        optionRow(151, "virtual-subnet-select", .binary),
        optionRow(152, "virtual-subnet-select-ctrl", .empty),
    ]

    private static let index = OptionDefinitionIndex(all)

    /// The sub-option definition for a name, or nil.
    public static func definition(named name: String) -> DHCPv4OptionDefinition? {
        index.definition(named: name)
    }

    /// The sub-option definition for a code, or nil.
    public static func definition(code: UInt8) -> DHCPv4OptionDefinition? {
        index.definition(code: code)
    }
}
