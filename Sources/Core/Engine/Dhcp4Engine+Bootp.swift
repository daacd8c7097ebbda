/// libdhcp_bootp.so, built in (RFC 951 clients with RFC 1497 vendor extensions).
///
/// As Kea 2.4 does it: with the library named, a BOOTREQUEST without option 53 is not dropped
/// but joins the class `BOOTP` and is handled as a DHCPREQUEST (counted as one). Its lease has
/// an infinite lifetime (0xffffffff). The reply is a BOOTREPLY without the DHCP-only options of
/// RFC 1533 §9 (message type, server identifier, lifetimes, T1/T2, …), at least 300 octets long
/// (every reply is padded to that size by `DHCPv4Message.encode`).
extension Dhcp4Engine {
    /// Kea's `Lease::INFINITY_LFT`, given to members of the BOOTP class.
    static var bootpLifetime: UInt32 { UInt32.max }

    /// The DHCP-specific options (RFC 1533 §9) the library removes from a BOOTP reply.
    static var dhcpOnlyOptions: [UInt8] {
        [DHCPv4Option.dhcpRequestedAddress.code, DHCPv4Option.dhcpLeaseTime.code, DHCPv4Option.dhcpOptionOverload.code,
         DHCPv4Option.dhcpMessageType.code, DHCPv4Option.dhcpServerIdentifier.code,
         DHCPv4Option.dhcpParameterRequestList.code, DHCPv4Option.dhcpMessage.code,
         DHCPv4Option.dhcpMaxMessageSize.code, DHCPv4Option.dhcpRenewalTime.code,
         DHCPv4Option.dhcpRebindingTime.code, DHCPv4Option.dhcpClientIdentifier.code]
    }

    /// Whether the BOOTP built-in takes this message: a BOOTREQUEST without option 53, with
    /// libdhcp_bootp.so named. Without it such a message is dropped (DHCP4_PACKET_DROP_0009).
    func isBootpQuery(_ m: DHCPv4Message) -> Bool {
        config.builtInHooks.bootp && m.op == DHCPv4Message.bootRequest && !m.options.contains(DHCPv4Option.dhcpMessageType)
    }

    /// The reply to a BOOTP query loses its DHCP-only options (the library's pkt4_send).
    func finishBootpReply(_ r: inout DHCPv4Message, _ x: Exchange, _ effects: inout Effects4) {
        guard x.classes.contains("BOOTP") else { return }
        for code in Self.dhcpOnlyOptions { r.options[code] = nil }
        effects.events.append(.bootp(client: x.label, .pack))
    }
}
