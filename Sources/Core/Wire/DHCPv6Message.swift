/// DHCPv6 message types (RFC 8415 §7.3). The ones a server takes part in have cases; the rest
/// (LEASEQUERY 14 and later, or a number nobody assigned) are kept by number, so that decoding
/// never loses a type it does not know and the engine can count and drop it.
public enum DHCPv6MessageType: Hashable, Sendable, CustomStringConvertible {
    case solicit, advertise, request, confirm, renew, rebind, reply, release, decline
    case reconfigure, informationRequest, relayForward, relayReply
    /// Any other msg-type octet (LEASEQUERY 14, DHCPV4-QUERY 20, … or unassigned).
    case other(UInt8)

    /// The type for a msg-type octet.
    public init(code: UInt8) {
        switch code {
        case 1: self = .solicit
        case 2: self = .advertise
        case 3: self = .request
        case 4: self = .confirm
        case 5: self = .renew
        case 6: self = .rebind
        case 7: self = .reply
        case 8: self = .release
        case 9: self = .decline
        case 10: self = .reconfigure
        case 11: self = .informationRequest
        case 12: self = .relayForward
        case 13: self = .relayReply
        default: self = .other(code)
        }
    }

    /// The msg-type octet. `.other` holding a named type's number gives that number too, so
    /// `DHCPv6MessageType(code: t.code)` normalises it.
    public var code: UInt8 {
        switch self {
        case .solicit: 1
        case .advertise: 2
        case .request: 3
        case .confirm: 4
        case .renew: 5
        case .rebind: 6
        case .reply: 7
        case .release: 8
        case .decline: 9
        case .reconfigure: 10
        case .informationRequest: 11
        case .relayForward: 12
        case .relayReply: 13
        case .other(let code): code
        }
    }

    /// Whether the message has the relay layout (hop-count, link-address, peer-address).
    public var isRelay: Bool { code == 12 || code == 13 }

    /// Kea's spelling in logs and statistics ("SOLICIT", "INFORMATION_REQUEST", "RELAY_FORWARD").
    public var description: String {
        switch self {
        case .solicit: "SOLICIT"
        case .advertise: "ADVERTISE"
        case .request: "REQUEST"
        case .confirm: "CONFIRM"
        case .renew: "RENEW"
        case .rebind: "REBIND"
        case .reply: "REPLY"
        case .release: "RELEASE"
        case .decline: "DECLINE"
        case .reconfigure: "RECONFIGURE"
        case .informationRequest: "INFORMATION_REQUEST"
        case .relayForward: "RELAY_FORWARD"
        case .relayReply: "RELAY_REPLY"
        case .other(let code): "UNKNOWN(\(code))"
        }
    }
}

/// A decoded DHCPv6 message: either a client/server message or a relay message wrapping
/// another message (which may itself be a relay message, up to `relayNestingLimit` levels).
public indirect enum DHCPv6Message: Sendable, Equatable {
    case client(DHCPv6ClientMessage)
    case relay(DHCPv6RelayMessage)

    /// The most relay headers one datagram may carry: Kea 2.4's `HOP_COUNT_LIMIT` (32, the
    /// RFC 3315 value; RFC 8415 §7.6 lowered it to 8 for relays, but a server that refused 9
    /// levels would refuse what Kea serves). Deeper nesting is a decode error, which also bounds
    /// the decoder's recursion.
    public static let relayNestingLimit = 32

    /// The message type of the outer message.
    public var messageType: DHCPv6MessageType {
        switch self {
        case .client(let m): m.messageType
        case .relay(let r): r.messageType
        }
    }

    /// The options of the outer message.
    public var options: DHCPv6Options {
        switch self {
        case .client(let m): m.options
        case .relay(let r): r.options
        }
    }

    /// The client's message at the bottom of the relay chain (the message itself when it is not
    /// relayed).
    public var innermost: DHCPv6ClientMessage {
        var current = self
        // Bounded: each step removes one relay level, and a message holds finitely many.
        while true {
            switch current {
            case .client(let m): return m
            case .relay(let r): current = r.relayedMessage
            }
        }
    }

    /// The relay headers from the outermost (the relay that sent the datagram to the server) to
    /// the innermost (the relay next to the client), as Kea's `relay_info_` lists them reversed.
    public var relays: [DHCPv6RelayMessage] {
        var out: [DHCPv6RelayMessage] = []
        var current = self
        while case .relay(let r) = current {
            out.append(r)
            current = r.relayedMessage
        }
        return out
    }
}

/// A client/server message (RFC 8415 §8): msg-type, a 24-bit transaction-id, options.
public struct DHCPv6ClientMessage: Sendable, Equatable {
    /// msg-type, 1 octet, then transaction-id, 3 octets.
    public static let headerLength = 4
    /// The largest value the three-octet transaction-id holds.
    public static let transactionIDMax: UInt32 = 0xFF_FFFF

    /// Never `.relayForward` or `.relayReply`: those have the relay layout.
    public var messageType: DHCPv6MessageType
    /// The transaction-id, 0...0xFFFFFF.
    public var transactionID: UInt32
    public var options: DHCPv6Options

    public init(messageType: DHCPv6MessageType, transactionID: UInt32, options: DHCPv6Options = DHCPv6Options()) {
        precondition(!messageType.isRelay, "relay messages are DHCPv6RelayMessage values")
        precondition(transactionID <= Self.transactionIDMax, "a DHCPv6 transaction-id has 24 bits")
        self.messageType = messageType
        self.transactionID = transactionID
        self.options = options
    }
}

/// A RELAY-FORW or RELAY-REPL message (RFC 8415 §9): hop-count, link-address, peer-address and
/// options, one of which (Relay Message, 9) carries the relayed message.
///
/// The relayed message is held decoded, outside `options`; `relayMessagePosition` remembers
/// where option 9 stood among the other options so that encoding reproduces the datagram.
public struct DHCPv6RelayMessage: Sendable, Equatable {
    /// msg-type, hop-count, link-address, peer-address.
    public static let headerLength = 34

    public enum Direction: Sendable, Equatable {
        /// RELAY-FORW (12): towards the server.
        case forward
        /// RELAY-REPL (13): towards the client.
        case reply
    }

    public var direction: Direction
    public var hopCount: UInt8
    public var linkAddress: IPv6Address
    public var peerAddress: IPv6Address
    /// The relay's options other than Relay Message (interface-id, remote-id, …), in wire order.
    public var options: DHCPv6Options
    /// The message in the Relay Message option.
    public var relayedMessage: DHCPv6Message
    /// How many of `options` precede the Relay Message option on the wire; nil writes it last.
    public var relayMessagePosition: Int?

    public init(direction: Direction, hopCount: UInt8, linkAddress: IPv6Address, peerAddress: IPv6Address,
                options: DHCPv6Options = DHCPv6Options(), relayedMessage: DHCPv6Message,
                relayMessagePosition: Int? = nil) {
        self.direction = direction
        self.hopCount = hopCount
        self.linkAddress = linkAddress
        self.peerAddress = peerAddress
        self.options = options
        self.relayedMessage = relayedMessage
        self.relayMessagePosition = relayMessagePosition
    }

    public var messageType: DHCPv6MessageType { direction == .forward ? .relayForward : .relayReply }
}
