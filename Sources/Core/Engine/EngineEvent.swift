/// Log severities, in Kea's order.
public enum Severity: Int, Sendable, Comparable {
    case debug = 0, info, warn, error, fatal
    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
    /// Kea's spelling in log lines.
    public var keaName: String {
        switch self {
        case .debug: "DEBUG"
        case .info: "INFO"
        case .warn: "WARN"
        case .error: "ERROR"
        case .fatal: "FATAL"
        }
    }
}

/// Why a packet got no answer. Each reason is counted and traced.
public enum DropReason: Sendable, Equatable {
    case parseFailed(DHCPv4DecodeError)
    case notARequest
    case noMessageType
    case badMessageTypeLength(Int)
    case unsupportedMessageType(UInt8)
    case notForThisServer(IPv4Address)
    case noSubnet
    case initRebootUnknownClient(IPv4Address)
    case noAddressAvailable
    /// RELEASE of an address that has no assigned lease.
    case releaseNoLease(IPv4Address)
    /// RELEASE of a lease whose hardware address or client id is another client's.
    case releaseWrongClient(LeaseMismatch)
    /// DECLINE of an address that has no assigned lease.
    case declineNoLease(IPv4Address)
    /// DECLINE of a lease whose hardware address or client id is another client's.
    case declineWrongClient(LeaseMismatch)
    /// DECLINE without option 50 (requested address), which RFC 2131 makes mandatory.
    case missingRequestedAddress
    /// The lease store could not make the exchange's lease change durable.
    case leaseStoreFailed
    /// Another server kept winning the race for the rows this exchange needed.
    case leaseStoreConflict
    /// The packet joined the special class `DROP`.
    case dropClass
}

/// A RELEASE or DECLINE naming a lease that is not the sender's: what the packet said and
/// what the lease holds, as Kea's `DHCP4_DECLINE_LEASE_MISMATCH` prints them.
public struct LeaseMismatch: Sendable, Equatable {
    public var address: IPv4Address
    public var receivedHardwareAddress: HardwareAddress
    public var leaseHardwareAddress: HardwareAddress?
    public var receivedClientID: [UInt8]?
    public var leaseClientID: [UInt8]?

    public init(address: IPv4Address, receivedHardwareAddress: HardwareAddress, leaseHardwareAddress: HardwareAddress?,
                receivedClientID: [UInt8]?, leaseClientID: [UInt8]?) {
        self.address = address
        self.receivedHardwareAddress = receivedHardwareAddress
        self.leaseHardwareAddress = leaseHardwareAddress
        self.receivedClientID = receivedClientID
        self.leaseClientID = leaseClientID
    }

    /// Kea's `toText(false)` of a hardware address, "(none)" when there is none.
    static func text(_ h: HardwareAddress?) -> String {
        guard let h, !h.isEmpty else { return "(none)" }
        return h.description
    }

    /// Kea's `ClientId::toText`, "(none)" when there is none.
    static func text(_ cid: [UInt8]?) -> String {
        guard let cid, !cid.isEmpty else { return "(none)" }
        return HexText.colonSeparated(cid)
    }
}

/// Why a REQUEST was refused with a NAK.
public enum NakReason: Sendable, Equatable {
    case addressNotInSubnet(IPv4Address)
    case addressInUse(IPv4Address)
    case clientHoldsOtherAddress(requested: IPv4Address, held: IPv4Address)
    case addressNotInPool(IPv4Address)
    /// No subnet for the client (the address it asked for, if any).
    case noSubnet(IPv4Address?)
    /// INIT-REBOOT from a client without a lease, to an authoritative server.
    case unknownClient(IPv4Address)
}

extension NakReason {
    /// The address the refused client asked for.
    public var address: IPv4Address? {
        switch self {
        case .addressNotInSubnet(let a), .addressInUse(let a), .addressNotInPool(let a), .unknownClient(let a): a
        case .noSubnet(let a): a
        case .clientHoldsOtherAddress(let requested, _): requested
        }
    }
}

/// Every decision the engine makes, typed. The shells turn these into Kea-style log lines (with
/// Kea's message IDs) and the simulator into trace records.
public enum EngineEvent: Sendable, Equatable {
    case dropped(client: ClientLabel, reason: DropReason)
    case advertised(client: ClientLabel, address: IPv4Address)
    case allocated(client: ClientLabel, address: IPv4Address, lifetimeSeconds: UInt32)
    case renewed(client: ClientLabel, address: IPv4Address, lifetimeSeconds: UInt32)
    case nak(client: ClientLabel, reason: NakReason)
    case released(client: ClientLabel, address: IPv4Address)
    case declined(client: ClientLabel, address: IPv4Address, probationSeconds: UInt32)
    case informed(client: ClientLabel)
    case allocationFailed(client: ClientLabel, subnetID: UInt32)
    case reclaimed(address: IPv4Address, declined: Bool, hardwareAddress: HardwareAddress?)
    case flushed(count: Int)
    /// A proposed lease change could not be made durable; it was rolled back.
    case leaseWriteFailed(client: ClientLabel?, address: IPv4Address, reason: String)
    /// Another server wrote the row at `address` first; the proposal was rolled back and the
    /// exchange decided again (attempt `attempt` lost).
    case leaseConflict(client: ClientLabel?, address: IPv4Address, attempt: Int)
    /// A renewal was answered from the lease as it stands (lease caching): nothing written.
    case leaseReused(client: ClientLabel, address: IPv4Address, lifetimeSeconds: UInt32)
    /// libdhcp_bootp.so's steps (`Dhcp4Engine+Bootp`).
    case bootp(client: ClientLabel, BootpStep)
    /// libdhcp_flex_option.so's steps on a reply (`Dhcp4Engine+FlexOption`).
    case flexOption(client: ClientLabel, FlexOptionStep)
    /// A name change request for the DHCP-DDNS daemon, for the lease of this client (sent
    /// once the transaction is durable).
    case nameChangeQueued(hardwareAddress: HardwareAddress?, clientID: [UInt8]?, NameChangeRequest)

    /// The event's log severity, known without formatting its text (the packet path checks
    /// this first, so a quiet logger costs no string building). Kea's severity for the message
    /// `logLine` uses; `LogCatalog` holds the same and a test keeps the three in step.
    public var severity: Severity {
        switch self {
        case .advertised, .allocated, .renewed, .released, .declined, .leaseReused: .info
        case .flexOption(_, .failed): .error
        case .bootp, .flexOption, .nameChangeQueued: .debug
        case .reclaimed(_, let declined, _) where declined: .info
        case .allocationFailed, .dropped(_, .declineNoLease), .dropped(_, .declineWrongClient): .warn
        case .nak(_, .noSubnet), .leaseWriteFailed: .error
        case .dropped, .nak, .informed, .reclaimed, .flushed, .leaseConflict: .debug
        }
    }

    /// Kea's message ID, severity and text for this event: Kea 2.4's wording with its
    /// arguments in Kea's order. Where the event does not carry an argument Kea prints (the
    /// receiving interface, the packet's source address), that part is left out rather than
    /// invented. See `LogCatalog` for what each ID means.
    public var logLine: (id: String, severity: Severity, text: String) {
        switch self {
        case .dropped(_, .parseFailed(let e)):
            // The packet could not be decoded, so there is no client to name.
            ("DHCP4_PACKET_DROP_0001", .debug, "failed to parse packet, reason: \(e)")
        case .dropped(let c, .badMessageTypeLength(let n)):
            ("DHCP4_PACKET_DROP_0001", .debug, "\(c): failed to parse packet, reason: option 53 (message type) has length \(n), expected 1")
        case .dropped(let c, .notARequest):
            ("DHCP4_PACKET_DROP_0007", .debug, "\(c): failed to process packet: op is not BOOTREQUEST")
        case .dropped(let c, .noMessageType):
            ("DHCP4_PACKET_DROP_0009", .debug, "\(c): Option 53 missing (no DHCP message type), is this a BOOTP packet?")
        case .dropped(let c, .unsupportedMessageType(let t)) where DHCPv4MessageType(rawValue: t) == nil:
            ("DHCP4_PACKET_DROP_0005", .debug, "\(c): unrecognized type \(t) in option 53")
        case .dropped(let c, .unsupportedMessageType(let t)):
            ("DHCP4_PACKET_DROP_0006", .debug, "\(c): unsupported DHCPv4 message type \(t)")
        case .dropped(let c, .notForThisServer(let sid)):
            ("DHCP4_PACKET_DROP_0003", .debug, "\(c): it contains a foreign server identifier \(sid)")
        case .dropped(let c, .noSubnet):
            ("DHCP4_SUBNET_SELECTION_FAILED", .debug, "\(c): failed to select subnet for the client")
        case .dropped(let c, .initRebootUnknownClient(let a)):
            ("DHCP4_NO_LEASE_INIT_REBOOT", .debug, "\(c): no lease for address \(a) requested by INIT-REBOOT client")
        case .dropped(let c, .noAddressAvailable):
            ("DHCP4_PACKET_NAK_0003", .debug, "\(c): failed to advertise a lease, no address is available")
        case .dropped(let c, .releaseNoLease(let a)):
            ("DHCP4_RELEASE_FAIL_NO_LEASE", .debug, "\(c): client is trying to release non-existing lease \(a)")
        case .dropped(let c, .releaseWrongClient(let m)):
            ("DHCP4_RELEASE_FAIL_WRONG_CLIENT", .debug, "\(c): client is trying to release the lease \(m.address) which belongs to a different client")
        case .dropped(let c, .declineNoLease(let a)):
            ("DHCP4_DECLINE_LEASE_NOT_FOUND", .warn, "Received DHCPDECLINE for addr \(a) from client \(c), but no such lease found.")
        case .dropped(let c, .declineWrongClient(let m)):
            ("DHCP4_DECLINE_LEASE_MISMATCH", .warn, "Received DHCPDECLINE for addr \(m.address) from client \(c), but the data doesn't match: "
                + "received hwaddr: \(LeaseMismatch.text(m.receivedHardwareAddress)), lease hwaddr: \(LeaseMismatch.text(m.leaseHardwareAddress)), "
                + "received client-id: \(LeaseMismatch.text(m.receivedClientID)), lease client-id: \(LeaseMismatch.text(m.leaseClientID))")
        case .dropped(let c, .missingRequestedAddress):
            // Kea's exception text, "missingin" included (two literals joined without a space).
            ("DHCP4_PACKET_DROP_0007", .debug, "\(c): failed to process packet: Mandatory 'Requested IP address' option missingin DHCPDECLINE sent from \(c)")
        case .dropped(let c, .leaseStoreFailed):
            ("DHCP4_PACKET_DROP_0007", .debug, "\(c): failed to process packet: the lease could not be written to the lease database")
        case .dropped(let c, .leaseStoreConflict):
            ("DHCP4_PACKET_DROP_0007", .debug, "\(c): failed to process packet: other servers kept changing the lease first")
        case .dropped(let c, .dropClass):
            ("DHCP4_PACKET_DROP_0010", .debug, "dropped as member of the special class 'DROP': \(c)")
        case .advertised(let c, let a):
            ("DHCP4_LEASE_ADVERT", .info, "\(c): lease \(a) will be advertised")
        case .allocated(let c, let a, let t):
            ("DHCP4_LEASE_ALLOC", .info, "\(c): lease \(a) has been allocated for \(t) seconds")
        case .renewed(let c, let a, let t):
            ("DHCP4_LEASE_ALLOC", .info, "\(c): lease \(a) has been allocated for \(t) seconds")
        case .nak(let c, .noSubnet(let a)):
            ("DHCP4_PACKET_NAK_0001", .error, "\(c): failed to select a subnet for incoming packet, type DHCPREQUEST\(a.map { ", requested address \($0)" } ?? "")")
        case .nak(let c, .unknownClient(let a)):
            ("DHCP4_PACKET_NAK_0002", .debug, "\(c): invalid address \(a) requested by INIT-REBOOT (no lease for the client)")
        case .nak(let c, .clientHoldsOtherAddress(let requested, let held)):
            ("DHCP4_PACKET_NAK_0002", .debug, "\(c): invalid address \(requested) requested by INIT-REBOOT (the client's lease is for \(held))")
        case .nak(let c, .addressInUse(let a)):
            ("DHCP4_PACKET_NAK_0004", .debug, "\(c): failed to grant a lease, client sent ciaddr or requested-ip-address \(a), which is in use")
        case .nak(let c, .addressNotInPool(let a)):
            ("DHCP4_PACKET_NAK_0004", .debug, "\(c): failed to grant a lease, client sent ciaddr or requested-ip-address \(a), which is in no pool and not reserved for the client")
        case .nak(let c, .addressNotInSubnet(let a)):
            ("DHCP4_PACKET_NAK_0004", .debug, "\(c): failed to grant a lease, client sent ciaddr or requested-ip-address \(a), which is outside the client's subnet")
        case .released(let c, let a):
            ("DHCP4_RELEASE", .info, "\(c): address \(a) was released properly.")
        case .declined(let c, let a, let p):
            ("DHCP4_DECLINE_LEASE", .info, "Received DHCPDECLINE for addr \(a) from client \(c). The lease will be unavailable for \(p) seconds.")
        case .informed(let c):
            ("DHCP4_INFORM_DIRECT_REPLY", .debug, "\(c): DHCPACK in reply to the DHCPINFORM will be sent directly")
        case .allocationFailed(let c, let s):
            ("ALLOC_ENGINE_V4_ALLOC_FAIL_SUBNET", .warn, "\(c): failed to allocate an IPv4 lease in the subnet with subnet-id \(s), shared network (none)")
        case .reclaimed(let a, let declined, _) where declined:
            ("ALLOC_ENGINE_V4_DECLINED_RECOVERED", .info, "IPv4 address \(a) was recovered after its probation-period")
        case .reclaimed(let a, _, let hw):
            ("ALLOC_ENGINE_V4_LEASE_RECLAIM", .debug, "[\(hw.map { "hwtype=\($0.type) \($0)" } ?? "no hwaddr info")]: reclaiming expired lease for address \(a)")
        case .flushed(let n):
            ("ALLOC_ENGINE_V4_RECLAIMED_LEASES_DELETE_COMPLETE", .debug, "successfully deleted \(n) expired-reclaimed leases")
        case .leaseWriteFailed(let c, let a, let r):
            ("ALLOC_ENGINE_V4_ALLOC_ERROR", .error, "\(c.map { "\($0)" } ?? "lease store"): error during attempt to allocate an IPv4 address: writing the lease for \(a) failed (\(r)); nothing was sent")
        case .leaseReused(let c, let a, let t):
            ("DHCP4_LEASE_REUSE", .info, "\(c): lease \(a) has been reused for \(t) seconds")
        case .bootp(let c, .query):
            ("BOOTP_BOOTP_QUERY", .debug, "recognized a BOOTP query: \(c)")
        case .bootp(let c, .pack):
            ("BOOTP_PACKET_PACK", .debug, "preparing on-wire format of the packet to be sent: \(c)")
        case .flexOption(_, .added(let code, let value)):
            ("FLEX_OPTION_PROCESS_ADD", .debug, "Added the option code \(code) with value \(FlexOptionStep.text(value))")
        case .flexOption(_, .superseded(let code, let value)):
            ("FLEX_OPTION_PROCESS_SUPERSEDE", .debug, "Supersedes the value of option code \(code) by \(FlexOptionStep.text(value))")
        case .flexOption(_, .removed(let code)):
            ("FLEX_OPTION_PROCESS_REMOVE", .debug, "Removed option code \(code)")
        case .flexOption(_, .skippedForClass(let code, let name)):
            ("FLEX_OPTION_PROCESS_CLIENT_CLASS", .debug, "Skip processing of the option code \(code) for class '\(name)'")
        case .flexOption(let c, .failed(let reason)):
            ("FLEX_OPTION_PROCESS_ERROR", .error, "An error occurred processing query \(c): \(reason)")
        case .nameChangeQueued(let hw, let cid, let ncr):
            ("DHCPSRV_QUEUE_NCR", .debug, "[\(hw.map { "hwtype=\($0.type) \($0)" } ?? "no hwaddr info")], cid=[\(cid.map { HexText.colonSeparated($0) } ?? "no info")]: "
                + "Name change request to \(ncr.changeType == .add ? "add" : "remove") DNS entry queued: \(ncr.jsonText)")
        case .leaseConflict(let c, let a, let n):
            ("KAKAPO_LEASE4_CONFLICT", .debug, "\(c.map { "\($0)" } ?? "lease store"): lease \(a) was changed by another server first (attempt \(n)); deciding again")
        }
    }
}

/// What libdhcp_bootp.so logs for a packet.
public enum BootpStep: Sendable, Equatable {
    /// A BOOTREQUEST without option 53 was taken as a DHCPREQUEST of class BOOTP.
    case query
    /// The BOOTREPLY is being encoded (DHCP-only options removed, padded to 300 octets).
    case pack
}

/// What libdhcp_flex_option.so did to a reply.
public enum FlexOptionStep: Sendable, Equatable {
    case added(code: UInt8, value: [UInt8])
    case superseded(code: UInt8, value: [UInt8])
    case removed(code: UInt8)
    /// The entry's `client-class` is not among the query's classes.
    case skippedForClass(code: UInt8, className: String)
    /// An expression could not be evaluated or a csv-format value not encoded.
    case failed(String)

    /// A value as the log shows it: printable text as it is, other bytes in hex.
    static func text(_ value: [UInt8]) -> String {
        if value.allSatisfy({ $0 >= 32 && $0 < 127 }) { return "'" + String(decoding: value, as: UTF8.self) + "'" }
        return "0x" + value.map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
    }
}

/// Identifies the client of an exchange the way Kea's log lines do; formatted only when logged.
public struct ClientLabel: Sendable, Equatable, CustomStringConvertible {
    public var hardwareAddress: HardwareAddress
    public var clientID: [UInt8]?
    public var xid: UInt32

    public init(hardwareAddress: HardwareAddress, clientID: [UInt8]?, xid: UInt32) {
        self.hardwareAddress = hardwareAddress
        self.clientID = clientID
        self.xid = xid
    }

    public init(_ m: DHCPv4Message) {
        self.init(hardwareAddress: m.hardwareAddress, clientID: m.clientIdentifier, xid: m.xid)
    }

    /// "[hwtype=1 08:00:27:58:f1:e8], cid=[01:08:00:27:58:f1:e8], tid=0x6e3a2f10"
    public var description: String {
        let cid = clientID.map { HexText.colonSeparated($0) } ?? "no info"
        return "[hwtype=\(hardwareAddress.type) \(hardwareAddress)], cid=[\(cid)], tid=0x\(String(xid, radix: 16))"
    }
}
