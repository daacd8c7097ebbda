import KakapoCore

/// A DHCPv4 client following RFC 2131's state machine (§4.4): INIT, SELECTING, REQUESTING,
/// BOUND, RENEWING, REBINDING, INIT-REBOOT (REBOOTING), with randomized exponential backoff,
/// a choice among OFFERs, DECLINE on a detected conflict and RELEASE on leaving.
///
/// Pure: time comes in as milliseconds, randomness from its own stream. The simulator and the
/// live load generator drive the same type; each call returns what to send and when the client
/// next wants `timerFired`.
public struct VirtualClient: Sendable {
    public enum State: String, Sendable {
        case idle = "IDLE", initial = "INIT", selecting = "SELECTING", requesting = "REQUESTING"
        case bound = "BOUND", renewing = "RENEWING", rebinding = "REBINDING"
        case rebooting = "INIT-REBOOT", declined = "DECLINED", left = "LEFT"
    }

    /// The lease as the client understands it; times are absolute milliseconds.
    public struct Lease: Sendable, Equatable {
        public var address: IPv4Address
        public var serverID: IPv4Address
        public var leaseSeconds: UInt32
        public var t1Seconds: UInt32?
        public var t2Seconds: UInt32?
        public var t1At: Int64
        public var t2At: Int64
        public var expiresAt: Int64
    }

    public enum Destination: Sendable, Equatable { case broadcast, unicast(IPv4Address) }

    public enum Event: Sendable, Equatable {
        case stateChanged(State)
        case bound(Lease, renewal: Bool)
        case lost(IPv4Address)
        case nak
        case declined(IPv4Address)
        case released(IPv4Address)
    }

    public struct Output: Sendable {
        public var sends: [(message: DHCPv4Message, to: Destination)] = []
        public var events: [Event] = []
    }

    public let mac: [UInt8]
    public let clientID: [UInt8]?
    /// The host name it sends (option 12), if any.
    public var hostname: [UInt8]? = nil
    /// The Client FQDN option (81) it sends, if any.
    public var fqdn: [UInt8]? = nil
    /// The 16-byte chaddr field, built once.
    let chaddr16: [UInt8]
    public internal(set) var state: State = .idle
    public internal(set) var lease: Lease?
    /// When the client wants `timerFired` next (nil: no timer). Bumped generation on change.
    public internal(set) var timerAt: Int64?
    public internal(set) var timerGeneration: UInt64 = 0
    var rng: SimRandom
    var xid: UInt32 = 0
    var retries = 0
    var exchangeStartedAt: Int64 = 0
    var offers: [DHCPv4Message] = []

    /// How long to collect OFFERs after the first one arrives.
    public static let offerWindowMilliseconds: Int64 = 200
    /// REQUEST retransmissions before starting over.
    public static let maxRequestRetries = 4

    public init(mac: [UInt8], clientID: [UInt8]?, rng: SimRandom) {
        self.mac = mac
        self.clientID = clientID
        chaddr16 = Array((mac + Array(repeating: 0, count: 16)).prefix(16))
        self.rng = rng
    }

    /// Whether the client holds a lease it may use at `now`.
    public func holdsLease(at now: Int64) -> Bool {
        guard let l = lease, now < l.expiresAt else { return false }
        return state == .bound || state == .renewing || state == .rebinding
    }

    // MARK: inputs

    /// Joins the network: INIT-REBOOT with a remembered unexpired lease, else INIT.
    public mutating func start(now: Int64) -> Output {
        var out = Output()
        if let l = lease, now < l.expiresAt {
            sendReboot(now, &out, first: true)
        } else {
            lease = nil
            sendDiscover(now, &out, first: true)
        }
        return out
    }

    /// Leaves the network, sending RELEASE if asked and holding a lease.
    public mutating func leave(now: Int64, release: Bool) -> Output {
        var out = Output()
        if release, let l = lease, holdsLease(at: now) {
            var m = message(.release)
            m.ciaddr = l.address
            m.options[DHCPv4Option.dhcpServerIdentifier] = l.serverID.bytes
            out.sends.append((m, .unicast(l.serverID)))
            out.events.append(.released(l.address))
            lease = nil
        }
        transition(.left, &out)
        setTimer(nil)
        return out
    }

    /// Reboots: forgets the exchange in progress and asks for the remembered address.
    public mutating func reboot(now: Int64) -> Output {
        guard state != .left else { return Output() }
        return start(now: now)
    }

    /// Call when `timerAt` has passed (and the generation matches).
    public mutating func timerFired(now: Int64) -> Output {
        var out = Output()
        setTimer(nil)
        switch state {
        case .initial, .declined: sendDiscover(now, &out, first: true)
        case .selecting:
            if let offer = chooseOffer() { sendSelectingRequest(offer, now, &out, first: true) } else { sendDiscover(now, &out, first: false) }
        case .requesting:
            if retries < Self.maxRequestRetries, let offer = offers.first {
                sendSelectingRequest(offer, now, &out, first: false)
            } else { sendDiscover(now, &out, first: true) }
        case .rebooting:
            if retries < 2 { sendReboot(now, &out, first: false) } else { lease = nil; sendDiscover(now, &out, first: true) }
        case .bound: sendRenew(now, &out, first: true)
        case .renewing:
            if let l = lease, now >= l.t2At { sendRebind(now, &out, first: true) } else { sendRenew(now, &out, first: false) }
        case .rebinding:
            if let l = lease, now >= l.expiresAt {
                out.events.append(.lost(l.address))
                lease = nil
                sendDiscover(now, &out, first: true)
            } else { sendRebind(now, &out, first: false) }
        case .idle, .left: break
        }
        return out
    }

    /// A datagram for this client (the caller matched chaddr). `conflict` says whether the
    /// offered address turns out to be in use on the link (a simulated ARP probe).
    public mutating func receive(_ m: DHCPv4Message, now: Int64, conflict: Bool = false) -> Output {
        var out = Output()
        guard m.op == DHCPv4Message.bootReply, m.xid == xid, let type = m.messageType else { return out }
        switch (state, type) {
        case (.selecting, .offer):
            offers.append(m)
            if offers.count == 1 { setTimer(now + Self.offerWindowMilliseconds) }
        case (.requesting, .ack), (.rebooting, .ack), (.renewing, .ack), (.rebinding, .ack):
            if conflict && (state == .requesting || state == .rebooting) {
                decline(m, now, &out)
            } else {
                bind(m, now, &out)
            }
        case (.requesting, .nak), (.rebooting, .nak), (.renewing, .nak), (.rebinding, .nak):
            out.events.append(.nak)
            if let l = lease { out.events.append(.lost(l.address)) }
            lease = nil
            sendDiscover(now, &out, first: true)
        default:
            break
        }
        return out
    }
}
