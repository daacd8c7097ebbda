/// A name-change request for the DHCP-DDNS daemon, with the fields of Kea's NCR (its JSON
/// wire format is built by the shell that sends it). Emitted by engines as an effect; no DNS
/// round trip ever happens inside a DHCP exchange.
public struct NameChangeRequest: Sendable, Equatable {
    public enum ChangeType: Int, Sendable { case add = 0, remove = 1 }
    public var changeType: ChangeType
    public var forward: Bool
    public var reverse: Bool
    /// Fully qualified, with the trailing dot.
    public var fqdn: String
    /// The leased address, in text (IPv4 or IPv6).
    public var address: String
    /// RFC 4701 DHCID, as bytes.
    public var dhcid: [UInt8]
    public var leaseExpiresOn: WallTime
    public var leaseLengthSeconds: UInt32
    public var useConflictResolution: Bool

    public init(changeType: ChangeType, forward: Bool, reverse: Bool, fqdn: String, address: String,
                dhcid: [UInt8], leaseExpiresOn: WallTime, leaseLengthSeconds: UInt32, useConflictResolution: Bool) {
        self.changeType = changeType
        self.forward = forward
        self.reverse = reverse
        self.fqdn = fqdn
        self.address = address
        self.dhcid = dhcid
        self.leaseExpiresOn = leaseExpiresOn
        self.leaseLengthSeconds = leaseLengthSeconds
        self.useConflictResolution = useConflictResolution
    }
}

/// A control command for a partner server (Kea's HA lease updates, heartbeats), sent by the
/// shell over the partner's control channel.
public struct PartnerCommand: Sendable, Equatable {
    /// The partner's name in the high-availability configuration.
    public var partner: String
    public var command: String
    public var arguments: JSON?
    public init(partner: String, command: String, arguments: JSON?) {
        self.partner = partner
        self.command = command
        self.arguments = arguments
    }
}
