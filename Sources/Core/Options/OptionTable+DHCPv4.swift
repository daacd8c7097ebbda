extension OptionTable {
    /// The standard DHCPv4 table: Kea 2.4's `dhcp4` options, the relay agent sub-options
    /// (`dhcp-agent-options-space`), option 43's last-resort definition encapsulating
    /// `vendor-encapsulated-options-space` (empty until a configuration defines its options),
    /// and CableLabs' `vendor-4491` options. Built once, on first use.
    public static let dhcp4: OptionTable = {
        var table = OptionTable(family: .v4)
        table.addBuiltIn(DHCPv4StandardOptions.rows, origin: .standard)
        table.addBuiltIn(DHCPv4AgentSubOptions.rows, origin: .standard)
        table.addBuiltIn(DHCPv4StandardOptions.lastResortRows, origin: .fallback)
        table.addBuiltIn(DHCPv4StandardOptions.cableLabsVendorRows, origin: .fallback)
        return table
    }()
}
