/// The `dhcp4` options the protocol logic reads or writes by itself (message type, server
/// identifier, lease times, …), as typed keys for `DHCPv4Options`.
///
/// Not a second table: each case is named after its definition in `OptionTable.dhcp4` (Kea's
/// name in lower camel case: `dhcp-message-type` is `dhcpMessageType`), its raw value is that
/// definition's code, and `DHCPv4OptionKeyTests` fails if either disagrees with the table. The raw
/// values are literals so that the packet path reads options by a constant octet, with no lookup.
public enum DHCPv4Option: UInt8, CaseIterable, Sendable {
    case subnetMask = 1
    case routers = 3
    case domainNameServers = 6
    case hostName = 12
    case domainName = 15
    case dhcpRequestedAddress = 50
    case dhcpLeaseTime = 51
    case dhcpOptionOverload = 52
    case dhcpMessageType = 53
    case dhcpServerIdentifier = 54
    case dhcpParameterRequestList = 55
    case dhcpMessage = 56
    case dhcpMaxMessageSize = 57
    case dhcpRenewalTime = 58
    case dhcpRebindingTime = 59
    case vendorClassIdentifier = 60
    case dhcpClientIdentifier = 61
    case fqdn = 81
    case dhcpAgentOptions = 82
    case subnetSelection = 118
    case vivcoSuboptions = 124
    case vivsoSuboptions = 125

    /// The option's code on the wire.
    @inlinable public var code: UInt8 { rawValue }

    /// The option's key in the table.
    public var key: OptionKey { .dhcp4(UInt16(rawValue)) }

    /// The option's definition in `OptionTable.dhcp4` (a dictionary read: for traces and
    /// tools, not the packet path).
    public var definition: OptionDefinition {
        guard let definition = OptionTable.dhcp4.definition(key) else {
            preconditionFailure("DHCPv4Option.\(self) has no definition in OptionTable.dhcp4")
        }
        return definition
    }

    /// Kea's name for the option, from the table.
    public var name: String { definition.name }
}
