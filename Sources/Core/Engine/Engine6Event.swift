/// Who a DHCPv6 decision was for, as Kea labels a query in its logs:
/// `duid=[00:01:…], tid=0x1a2b3c`.
public struct Client6Label: Sendable, Equatable, CustomStringConvertible {
    public var duid: [UInt8]
    public var transactionID: UInt32
    public init(duid: [UInt8], transactionID: UInt32) {
        self.duid = duid
        self.transactionID = transactionID
    }
    public var description: String {
        "duid=[\(duid.isEmpty ? "no info" : HexText.colonSeparated(duid))], tid=0x\(String(transactionID, radix: 16))"
    }
}

/// Why a DHCPv6 datagram got no answer.
public enum Drop6Reason: Sendable, Equatable {
    /// The datagram is not a DHCPv6 message (the decoder's reason).
    case parseFailed(String)
    /// The message carries another server's identifier.
    case serverIDMismatch(received: [UInt8])
    /// A mandatory option is missing or a forbidden one present (RFC 8415 §16; the check).
    case requiredOptions(String)
    /// A message that must be multicast arrived unicast (Solicit, Confirm, Rebind,
    /// Information-Request sent straight to the server).
    case unicast(DHCPv6MessageType)
    /// A message type a server does not answer (Advertise, Reply, Reconfigure, or unknown).
    case unknownMessageType(UInt8)
    /// The lease store refused the exchange's writes; nothing was sent.
    case leaseStoreFailed
    /// The packet joined the special class `DROP`.
    case dropClass
}

/// The DHCPv6 engine's decisions, each logged with Kea 2.4's kea-dhcp6 message ID and
/// wording (`LogCatalog` lists them).
public enum Engine6Event: Sendable, Equatable {
    case dropped(client: Client6Label?, reason: Drop6Reason)
    case subnetSelectionFailed(client: Client6Label)
    case rapidCommit(client: Client6Label)
    case leaseAdvertised(client: Client6Label, address: IPv6Address, iaid: UInt32)
    case prefixAdvertised(client: Client6Label, prefix: IPv6Prefix, iaid: UInt32)
    case leaseAllocated(client: Client6Label, address: IPv6Address, iaid: UInt32, validSeconds: UInt32)
    case prefixAllocated(client: Client6Label, prefix: IPv6Prefix, iaid: UInt32, validSeconds: UInt32)
    case leaseRenewed(client: Client6Label, address: IPv6Address, iaid: UInt32)
    case prefixRenewed(client: Client6Label, prefix: IPv6Prefix, iaid: UInt32)
    /// No address (advertise: for a Solicit) could be given to the IA.
    case addressAllocationFailed(client: Client6Label, iaid: UInt32, advertise: Bool)
    case prefixAllocationFailed(client: Client6Label, iaid: UInt32, advertise: Bool)
    case released(client: Client6Label, address: IPv6Address, iaid: UInt32)
    case prefixReleased(client: Client6Label, prefix: IPv6Prefix, iaid: UInt32)
    case releaseWrongOwner(client: Client6Label, address: IPv6Address, owner: [UInt8])
    case releaseWrongIAID(client: Client6Label, address: IPv6Address, expected: UInt32, received: UInt32)
    case declined(client: Client6Label, address: IPv6Address, probationSeconds: UInt32)
    case declineNoLease(client: Client6Label, address: IPv6Address)
    case declineWrongOwner(client: Client6Label, address: IPv6Address, owner: [UInt8])
    case declineWrongIAID(client: Client6Label, address: IPv6Address, received: UInt32, expected: UInt32)
    /// An expired lease was reclaimed (declined: a declined address back from probation).
    case reclaimed(address: IPv6Address, type: LeaseType6, declined: Bool)
    case leaseWriteFailed(client: Client6Label?, address: IPv6Address, reason: String)
    case leaseConflict(client: Client6Label?, address: IPv6Address)
    /// A name change request for the DHCP-DDNS daemon was made (sent once durable).
    case nameChangeQueued(client: Client6Label?, NameChangeRequest)
    /// The client's option 39 (received) and the server's before any generated name
    /// (response), in Kea's Option6ClientFqdn::toText form.
    case fqdnReceived(client: Client6Label, option: String)
    case fqdnResponse(client: Client6Label, option: String)
}

extension Engine6Event: LoggableEvent {
    /// The event's log severity, known without formatting its text (the packet path checks
    /// this first, so a quiet logger costs no string building); `logLine`'s, kept in step by
    /// a test.
    public var severity: Severity {
        switch self {
        case .dropped, .subnetSelectionFailed, .rapidCommit, .leaseConflict, .nameChangeQueued, .fqdnReceived, .fqdnResponse: .debug
        case .reclaimed(_, _, let declined): declined ? .info : .debug
        case .releaseWrongOwner, .releaseWrongIAID: .warn
        case .leaseWriteFailed: .error
        case .leaseAdvertised, .prefixAdvertised, .leaseAllocated, .prefixAllocated, .leaseRenewed, .prefixRenewed,
             .addressAllocationFailed, .prefixAllocationFailed, .released, .prefixReleased, .declined, .declineNoLease,
             .declineWrongOwner, .declineWrongIAID: .info
        }
    }

    public var logLine: (id: String, severity: Severity, text: String) {
        switch self {
        case .dropped(let c, let reason):
            let who = c.map { "\($0)" } ?? "unknown client"
            switch reason {
            case .parseFailed(let why):
                return ("DHCP6_PACKET_DROP_PARSE_FAIL", .debug, "\(who): failed to parse packet, reason: \(why)")
            case .serverIDMismatch(let id):
                return ("DHCP6_PACKET_DROP_SERVERID_MISMATCH", .debug,
                        "\(who): dropping packet with server identifier: \(HexText.colonSeparated(id)), server is using another")
            case .requiredOptions(let why):
                return ("DHCP6_REQUIRED_OPTIONS_CHECK_FAIL", .debug, "\(who): message failed the following check: \(why)")
            case .unicast(let t):
                return ("DHCP6_PACKET_DROP_UNICAST", .debug, "\(who): dropping unicast \(t) packet as this packet should be sent to multicast")
            case .unknownMessageType(let t):
                return ("DHCP6_UNKNOWN_MSG_RECEIVED", .debug, "\(who): received unknown message (type \(t))")
            case .leaseStoreFailed:
                return ("DHCP6_PACKET_PROCESS_FAIL", .debug, "\(who): processing failed: the lease store could not write; no reply sent")
            case .dropClass:
                return ("DHCP6_PACKET_DROP_DROP_CLASS", .debug, "dropped as member of the special class 'DROP': \(who)")
            }
        case .subnetSelectionFailed(let c):
            return ("DHCP6_SUBNET_SELECTION_FAILED", .debug, "\(c): failed to select subnet for the client")
        case .rapidCommit(let c):
            return ("DHCP6_RAPID_COMMIT", .debug, "\(c): Rapid Commit option received, following 2-way exchange")
        case .leaseAdvertised(let c, let a, let iaid):
            return ("DHCP6_LEASE_ADVERT", .info, "\(c): lease for address \(a) and iaid=\(iaid) will be advertised")
        case .prefixAdvertised(let c, let p, let iaid):
            return ("DHCP6_PD_LEASE_ADVERT", .info, "\(c): lease for prefix \(p.network)/\(p.length) and iaid=\(iaid) will be advertised")
        case .leaseAllocated(let c, let a, let iaid, let v):
            return ("DHCP6_LEASE_ALLOC", .info, "\(c): lease for address \(a) and iaid=\(iaid) has been allocated for \(v) seconds")
        case .prefixAllocated(let c, let p, let iaid, let v):
            return ("DHCP6_PD_LEASE_ALLOC", .info,
                    "\(c): lease for prefix \(p.network)/\(p.length) and iaid=\(iaid) has been allocated for \(v) seconds")
        case .leaseRenewed(let c, let a, let iaid):
            return ("DHCP6_LEASE_RENEW", .info, "\(c): lease for address \(a) and iaid=\(iaid) has been allocated")
        case .prefixRenewed(let c, let p, let iaid):
            return ("DHCP6_PD_LEASE_RENEW", .info, "\(c): lease for prefix \(p.network)/\(p.length) and iaid=\(iaid) has been allocated")
        case .addressAllocationFailed(let c, let iaid, let advertise):
            return advertise
                ? ("DHCP6_LEASE_ADVERT_FAIL", .info, "\(c): failed to advertise an address lease for iaid=\(iaid)")
                : ("DHCP6_LEASE_ALLOC_FAIL", .info, "\(c): failed to grant an address lease for iaid=\(iaid)")
        case .prefixAllocationFailed(let c, let iaid, let advertise):
            return advertise
                ? ("DHCP6_PD_LEASE_ADVERT_FAIL", .info, "\(c): failed to advertise a prefix lease for iaid=\(iaid)")
                : ("DHCP6_PD_LEASE_ALLOC_FAIL", .info, "\(c): failed to grant a prefix lease for iaid=\(iaid)")
        case .released(let c, let a, let iaid):
            return ("DHCP6_RELEASE_NA", .info, "\(c): binding for address \(a) and iaid=\(iaid) was released properly")
        case .prefixReleased(let c, let p, let iaid):
            return ("DHCP6_RELEASE_PD", .info, "\(c): prefix \(p.network)/\(p.length) for iaid=\(iaid) was released properly")
        case .releaseWrongOwner(let c, let a, let owner):
            return ("DHCP6_RELEASE_NA_FAIL_WRONG_DUID", .warn,
                    "\(c): client tried to release address \(a), but it belongs to another client using duid=\(HexText.colonSeparated(owner))")
        case .releaseWrongIAID(let c, let a, let expected, let received):
            return ("DHCP6_RELEASE_NA_FAIL_WRONG_IAID", .warn,
                    "\(c): client tried to release address \(a), but it used wrong IAID (expected \(expected), but got \(received))")
        case .declined(let c, let a, let p):
            return ("DHCP6_DECLINE_LEASE", .info,
                    "Client \(c) sent DECLINE for address \(a) and the server marked it as declined. The lease will be recovered in \(p) seconds.")
        case .declineNoLease(let c, let a):
            return ("DHCP6_DECLINE_FAIL_NO_LEASE", .info, "Client \(c) sent DECLINE for address \(a), but there's no lease for it")
        case .declineWrongOwner(let c, let a, let owner):
            return ("DHCP6_DECLINE_FAIL_DUID_MISMATCH", .info,
                    "Client \(c) sent DECLINE for address \(a), but it belongs to client with DUID \(HexText.colonSeparated(owner))")
        case .declineWrongIAID(let c, let a, let received, let expected):
            return ("DHCP6_DECLINE_FAIL_IAID_MISMATCH", .info,
                    "Client \(c) sent DECLINE for address \(a), but used a wrong IAID (\(received)), instead of expected \(expected)")
        case .reclaimed(let a, _, let declined) where declined:
            return ("ALLOC_ENGINE_V6_DECLINED_RECOVERED", .info, "IPv6 address \(a) was recovered after its probation-period")
        case .reclaimed(let a, let type, _):
            return ("ALLOC_ENGINE_V6_LEASE_RECLAIM", .debug,
                    "reclaiming expired lease for \(type == .delegatedPrefix ? "prefix" : "address") \(a)")
        case .leaseWriteFailed(let c, let a, let r):
            return ("ALLOC_ENGINE_V6_ALLOC_ERROR", .error,
                    "\(c.map { "\($0)" } ?? "lease store"): error during attempt to allocate an IPv6 lease: writing the lease for \(a) failed (\(r)); nothing was sent")
        case .leaseConflict(let c, let a):
            return ("KAKAPO_LEASE6_CONFLICT", .debug,
                    "\(c.map { "\($0)" } ?? "lease store"): lease \(a) was changed by another server first; the client will retry")
        case .fqdnReceived(let c, let o):
            return ("DHCP6_DDNS_RECEIVE_FQDN", .debug, "\(c): received DHCPv6 Client FQDN option: \(o)")
        case .fqdnResponse(let c, let o):
            return ("DHCP6_DDNS_RESPONSE_FQDN_DATA", .debug, "\(c): including FQDN option in the server's response: \(o)")
        case .nameChangeQueued(let c, let ncr) where ncr.changeType == .add && c != nil:
            return ("DHCP6_DDNS_CREATE_ADD_NAME_CHANGE_REQUEST", .debug, "\(c!): created name change request: \(ncr.jsonText)")
        case .nameChangeQueued(let c, let ncr):
            return ("DHCPSRV_QUEUE_NCR", .debug, "\(c.map { "\($0)" } ?? "lease store"): "
                + "Name change request to \(ncr.changeType == .add ? "add" : "remove") DNS entry queued: \(ncr.jsonText)")
        }
    }
}

/// DHCPv6: `Lease6` rows and `Engine6Event` decisions.
public enum DHCPv6Family: ProtocolFamily {
    public typealias Lease = Lease6
    public typealias Event = Engine6Event
}

public typealias Effects6 = Effects<DHCPv6Family>
