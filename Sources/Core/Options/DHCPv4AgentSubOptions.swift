/// The sub-options of the relay agent information option (82), Kea's `dhcp-agent-options-space`,
/// as rows for `OptionTable.dhcp4`. Transcribed from `DHCP_AGENT_OPTION_DEFINITIONS` in Kea 2.4's
/// `std_option_defs.h`. The engine reads link-selection and friends through `DHCPv4AgentSubOption`
/// keys checked against these rows; traces and client classes name them by these names.
enum DHCPv4AgentSubOptions {
    /// Every standard relay agent sub-option definition, ordered by code.
    static let rows: [OptionDefinition] = [
        row(1, "circuit-id", .binary),
        row(2, "remote-id", .binary),
        row(4, "docsis-device-class", .uint32),
        row(5, "link-selection", .ipv4Address),
        row(6, "subscriber-id", .string),
        row(7, "radius", .binary),
        row(8, "auth", .binary),
        row(9, "vendor-specific-info", .binary),
        row(10, "relay-flags", .uint8),
        row(11, "server-id-override", .ipv4Address),
        row(12, "relay-id", .binary),
        row(13, "access-techno-type", .uint16),
        row(14, "access-network-name", .string),
        row(15, "access-point-name", .string),
        row(16, "access-point-bssid", .binary),
        row(17, "operator-id", .uint32),
        row(18, "operator-realm", .string),
        row(19, "relay-port", .uint16),
        row(151, "virtual-subnet-select", .binary),
        row(152, "virtual-subnet-select-ctrl", .empty),
    ]

    private static func row(_ code: UInt16, _ name: String, _ type: OptionDataType) -> OptionDefinition {
        optionRow(code, name, type, in: .dhcpAgentOptions)
    }
}
