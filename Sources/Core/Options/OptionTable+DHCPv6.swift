extension OptionTable {
    /// The standard DHCPv6 table: Kea 2.4's `dhcp6` options (plus `ntp-server`, see
    /// `DHCPv6StandardOptions`), the spaces they encapsulate (`v6-ntp-server-suboptions`, the
    /// softwire `s46-*` spaces, `rsoo-opts`, empty until a configuration defines its options),
    /// Kea's `4o6` options, and CableLabs' `vendor-4491` options as fallbacks. Built once, on
    /// first use.
    public static let dhcp6: OptionTable = {
        var table = OptionTable(family: .v6)
        table.addBuiltIn(DHCPv6StandardOptions.rows, origin: .standard)
        table.addBuiltIn(DHCPv6StandardOptions.ntpServerRows, origin: .standard)
        table.addBuiltIn(DHCPv6StandardOptions.isc4o6Rows, origin: .standard)
        table.addBuiltIn(DHCPv6StandardOptions.softwireRows, origin: .standard)
        table.addBuiltIn(DHCPv6StandardOptions.cableLabsVendorRows, origin: .fallback)
        return table
    }()
}
