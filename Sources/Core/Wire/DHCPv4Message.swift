/// DHCP message types (option 53), RFC 2132 §9.6.
public enum DHCPv4MessageType: UInt8, Sendable, CaseIterable {
    case discover = 1, offer, request, decline, ack, nak, release, inform
    case forceRenew = 9, leaseQuery, leaseUnassigned, leaseUnknown, leaseActive

    /// Kea's spelling in logs and statistics ("DHCPDISCOVER").
    public var keaName: String {
        switch self {
        case .discover: "DHCPDISCOVER"
        case .offer: "DHCPOFFER"
        case .request: "DHCPREQUEST"
        case .decline: "DHCPDECLINE"
        case .ack: "DHCPACK"
        case .nak: "DHCPNAK"
        case .release: "DHCPRELEASE"
        case .inform: "DHCPINFORM"
        case .forceRenew: "DHCPFORCERENEW"
        case .leaseQuery: "DHCPLEASEQUERY"
        case .leaseUnassigned: "DHCPLEASEUNASSIGNED"
        case .leaseUnknown: "DHCPLEASEUNKNOWN"
        case .leaseActive: "DHCPLEASEACTIVE"
        }
    }
}

/// Well-known DHCPv4 option codes used by the engine and codec. The full table with names and
/// types lives in `DHCPv4OptionTable`; these are the codes the protocol logic itself reads.
public enum OptionCode {
    public static let pad: UInt8 = 0
    public static let subnetMask: UInt8 = 1
    public static let routers: UInt8 = 3
    public static let domainNameServers: UInt8 = 6
    public static let hostName: UInt8 = 12
    public static let domainName: UInt8 = 15
    public static let requestedAddress: UInt8 = 50
    public static let leaseTime: UInt8 = 51
    public static let overload: UInt8 = 52
    public static let messageType: UInt8 = 53
    public static let serverIdentifier: UInt8 = 54
    public static let parameterRequestList: UInt8 = 55
    public static let message: UInt8 = 56
    public static let maxMessageSize: UInt8 = 57
    public static let renewalTime: UInt8 = 58
    public static let rebindingTime: UInt8 = 59
    public static let vendorClassIdentifier: UInt8 = 60
    public static let clientIdentifier: UInt8 = 61
    public static let fqdn: UInt8 = 81
    public static let relayAgentInformation: UInt8 = 82
    public static let subnetSelection: UInt8 = 118
    public static let end: UInt8 = 255
}

/// A decoded DHCPv4 (BOOTP) message. `options` holds each option once, in first-seen order, with
/// repeated instances already joined (RFC 3396) and overloaded sname/file options merged in.
public struct DHCPv4Message: Sendable, Equatable {
    public static let bootRequest: UInt8 = 1
    public static let bootReply: UInt8 = 2
    public static let magicCookie: UInt32 = 0x6382_5363
    /// Fixed BOOTP header length before the magic cookie.
    public static let headerLength = 236
    /// RFC 1542: replies are padded to at least the BOOTP message size.
    public static let minimumLength = 300
    /// RFC 2131: every client must accept 576-byte IP datagrams (548 bytes of DHCP).
    public static let defaultMaxMessageSize = 576

    public var op: UInt8 = bootRequest
    public var htype: UInt8 = 1
    public var hlen: UInt8 = 6
    public var hops: UInt8 = 0
    public var xid: UInt32 = 0
    public var secs: UInt16 = 0
    public var flags: UInt16 = 0
    public var ciaddr: IPv4Address = .zero
    public var yiaddr: IPv4Address = .zero
    public var siaddr: IPv4Address = .zero
    public var giaddr: IPv4Address = .zero
    /// The chaddr field: 16 bytes as decoded; shorter values are zero-padded when encoded
    /// (a new message starts empty rather than allocating 16 zeros).
    public var chaddr: [UInt8] = []
    /// sname and file, without trailing NULs; empty when they carried options (overload).
    public var sname: [UInt8] = []
    public var file: [UInt8] = []
    public var options: DHCPv4Options = DHCPv4Options()

    public init() {}

    public var broadcastFlag: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & 0x7FFF }
    }

    /// The client's hardware address: htype plus the first hlen bytes of chaddr (hlen capped at 16).
    public var hardwareAddress: HardwareAddress {
        HardwareAddress(type: htype, bytes: Array(chaddr.prefix(Int(min(hlen, 16)))))
    }

    public var messageType: DHCPv4MessageType? {
        guard let v = options[OptionCode.messageType], v.count == 1 else { return nil }
        return DHCPv4MessageType(rawValue: v[0])
    }

    /// Option 50 when it is exactly four bytes.
    public var requestedAddress: IPv4Address? { options.address(OptionCode.requestedAddress) }
    /// Option 54 when it is exactly four bytes.
    public var serverIdentifier: IPv4Address? { options.address(OptionCode.serverIdentifier) }
    /// Option 61, when present and non-empty.
    public var clientIdentifier: [UInt8]? {
        guard let v = options[OptionCode.clientIdentifier], !v.isEmpty else { return nil }
        return v
    }
}

/// An ordered option list keyed by code. Small (tens of entries), so a linear scan beats hashing.
public struct DHCPv4Options: Sendable, Equatable, Sequence {
    public struct Entry: Sendable, Equatable {
        public var code: UInt8
        public var data: [UInt8]
    }
    public private(set) var entries: [Entry] = []

    public init() {}

    public subscript(code: UInt8) -> [UInt8]? {
        get {
            for e in entries where e.code == code { return e.data }
            return nil
        }
        set {
            if let i = entries.firstIndex(where: { $0.code == code }) {
                if let v = newValue { entries[i].data = v } else { entries.remove(at: i) }
            } else if let v = newValue {
                entries.append(Entry(code: code, data: v))
            }
        }
    }

    /// Appends data to an option, joining split instances as RFC 3396 requires.
    mutating func join(code: UInt8, data: ArraySlice<UInt8>) {
        if let i = entries.firstIndex(where: { $0.code == code }) {
            entries[i].data.append(contentsOf: data)
        } else {
            entries.append(Entry(code: code, data: Array(data)))
        }
    }

    public func contains(_ code: UInt8) -> Bool { entries.contains { $0.code == code } }

    public func address(_ code: UInt8) -> IPv4Address? {
        guard let v = self[code], v.count == 4 else { return nil }
        return IPv4Address(bytes: v)
    }

    public func u32(_ code: UInt8) -> UInt32? {
        guard let v = self[code], v.count == 4 else { return nil }
        return UInt32(v[0]) << 24 | UInt32(v[1]) << 16 | UInt32(v[2]) << 8 | UInt32(v[3])
    }

    public var count: Int { entries.count }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}
