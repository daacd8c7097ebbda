import KakapoCore

/// A DHCPv6 client following RFC 8415's state machine (§18): Solicit (collecting Advertises
/// for the first RT and choosing by preference, or Rapid Commit), Request, Renew at T1, Rebind
/// at T2, Confirm (or Rebind, with delegated prefixes) after a link change, Decline of an
/// address that fails duplicate address detection, and Release on leaving. Retransmissions
/// follow §15 (RT = 2·RTprev + RAND·RTprev, capped by MRT + RAND·MRT, bounded by MRC/MRD),
/// with RAND drawn from the client's own stream so that runs stay exact.
///
/// Pure, like `VirtualClient`: time comes in as milliseconds; each call returns the messages
/// to multicast (to All_DHCP_Relay_Agents_and_Servers) and when the client next wants
/// `timerFired`.
public struct VirtualClient6: Sendable {
    public enum State: String, Sendable {
        case idle = "IDLE", soliciting = "SOLICIT", requesting = "REQUEST", bound = "BOUND"
        case renewing = "RENEW", rebinding = "REBIND", confirming = "CONFIRM", declining = "DECLINE", left = "LEFT"
    }

    /// One lease the client holds: an address (a /128) from an IA_NA or a prefix from an IA_PD.
    public struct Held: Sendable, Equatable {
        public var type: LeaseType6
        public var iaid: UInt32
        public var prefix: IPv6Prefix
        public var preferredSeconds: UInt32
        public var validSeconds: UInt32
        /// T1 and T2 of the IA it came in (as sent: 0 means the client chooses).
        public var t1Seconds: UInt32
        public var t2Seconds: UInt32
        public var expiresAt: Int64
    }

    /// The client's leases and the server that granted them; times are absolute milliseconds.
    public struct Binding: Sendable, Equatable {
        public var serverDUID: [UInt8]
        public var leases: [Held]
        public var t1At: Int64
        public var t2At: Int64
        /// When the last lease runs out.
        public var expiresAt: Int64 { leases.map(\.expiresAt).max() ?? 0 }
    }

    public enum Event: Sendable, Equatable {
        case stateChanged(State)
        case bound(Binding, renewal: Bool)
        /// The binding ran out, or the server said NoBinding / NotOnLink.
        case lost([IPv6Prefix])
        case nak
        /// A server had no address (NoAddrsAvail) or prefix (NoPrefixAvail) for an IA.
        case unavailable(LeaseType6)
        case declined(IPv6Address)
        case released([IPv6Prefix])
    }

    public struct Output: Sendable {
        public var sends: [DHCPv6ClientMessage] = []
        public var events: [Event] = []
    }

    /// RFC 8415 §7.6 transmission and retransmission parameters, in milliseconds.
    struct Timing {
        var irt: Int64, mrt: Int64, mrc: Int, mrd: Int64?
    }
    static let solicit = Timing(irt: 1000, mrt: 3_600_000, mrc: 0, mrd: nil)
    static let request = Timing(irt: 1000, mrt: 30_000, mrc: 10, mrd: nil)
    static let confirm = Timing(irt: 1000, mrt: 4000, mrc: 0, mrd: 10_000)
    static let renew = Timing(irt: 10_000, mrt: 600_000, mrc: 0, mrd: nil)
    static let rebind = Timing(irt: 10_000, mrt: 600_000, mrc: 0, mrd: nil)
    static let decline = Timing(irt: 1000, mrt: 0, mrc: 5, mrd: nil)

    public let mac: [UInt8]
    /// DUID-LL (RFC 8415 §11.4) from the MAC.
    public let duid: [UInt8]
    public let wants: IARequest
    public let rapidCommit: Bool
    public internal(set) var state: State = .idle
    public internal(set) var binding: Binding?
    public internal(set) var timerAt: Int64?
    public internal(set) var timerGeneration: UInt64 = 0
    var rng: SimRandom
    var xid: UInt32 = 0
    var transmissions = 0
    var exchangeStartedAt: Int64 = 0
    var rt: Int64 = 0
    /// Advertises collected during the first RT of a Solicit.
    var advertises: [DHCPv6ClientMessage] = []
    /// The message being retransmitted.
    var current: DHCPv6ClientMessage?

    public static let iaidNA: UInt32 = 1
    public static let iaidPD: UInt32 = 2

    public init(mac: [UInt8], wants: IARequest, rapidCommit: Bool, rng: SimRandom) {
        self.mac = mac
        duid = [0, 3, 0, 1] + mac
        self.wants = wants
        self.rapidCommit = rapidCommit
        self.rng = rng
    }

    /// Whether the client holds a lease it may use at `now`.
    public func holdsLease(at now: Int64) -> Bool {
        guard let b = binding, now < b.expiresAt else { return false }
        return state == .bound || state == .renewing || state == .rebinding || state == .confirming
    }

    /// The link-local address the client sends from (EUI-64 from the MAC).
    public var linkLocal: IPv6Address {
        var low: UInt64 = 0
        let eui = [mac[0] ^ 2, mac[1], mac[2], 0xFF, 0xFE, mac[3], mac[4], mac[5]]
        for b in eui { low = low << 8 | UInt64(b) }
        return IPv6Address(high: 0xFE80 << 48, low: low)
    }

    // MARK: inputs

    /// Joins the link. With unexpired leases (a reboot or a move to another link, RFC 8415
    /// §18.2.12): Rebind when it holds delegated prefixes, else Confirm; without, Solicit.
    public mutating func start(now: Int64) -> Output {
        var out = Output()
        if let b = binding, now < b.expiresAt {
            if b.leases.contains(where: { $0.type == .delegatedPrefix }) {
                begin(.rebinding, now, &out)
            } else {
                begin(.confirming, now, &out)
            }
        } else {
            binding = nil
            begin(.soliciting, now, &out)
        }
        return out
    }

    /// Leaves the link, sending Release (once: the client is gone) if asked and bound.
    public mutating func leave(now: Int64, release: Bool) -> Output {
        var out = Output()
        if release, let b = binding, holdsLease(at: now) {
            newExchange(now)
            var m = message(.release)
            m.options.append(.serverid, b.serverDUID)
            appendIAs(b.leases, to: &m)
            out.sends.append(m)
            out.events.append(.released(b.leases.map(\.prefix)))
            binding = nil
        }
        transition(.left, &out)
        setTimer(nil)
        return out
    }

    /// A link change: whatever was in progress is dropped (RFC 8415 §18.2.12).
    public mutating func reboot(now: Int64) -> Output {
        guard state != .left else { return Output() }
        return start(now: now)
    }

    /// Call when `timerAt` has passed (and the generation matches).
    public mutating func timerFired(now: Int64) -> Output {
        var out = Output()
        setTimer(nil)
        switch state {
        case .soliciting:
            if transmissions == 1, let best = bestAdvertise() {
                requestFrom(best, now, &out)
            } else {
                retransmit(Self.solicit, now, &out)
            }
        case .requesting:
            if transmissions >= Self.request.mrc { begin(.soliciting, now, &out) } else { retransmit(Self.request, now, &out) }
        case .confirming:
            // No answer within CNF_MAX_RD: keep using the leases (§18.2.3).
            if now - exchangeStartedAt >= Self.confirm.mrd! { resume(now, &out) } else { retransmit(Self.confirm, now, &out) }
        case .bound: begin(.renewing, now, &out)
        case .renewing:
            if let b = binding, now >= b.t2At { begin(.rebinding, now, &out) } else { retransmit(Self.renew, now, &out) }
        case .rebinding:
            if let b = binding, now >= b.expiresAt {
                out.events.append(.lost(b.leases.map(\.prefix)))
                binding = nil
                begin(.soliciting, now, &out)
            } else { retransmit(Self.rebind, now, &out) }
        case .declining:
            if transmissions >= Self.decline.mrc { declined(now, &out) } else { retransmit(Self.decline, now, &out) }
        case .idle, .left: break
        }
        return out
    }

    /// A message for this client (the caller matched its DUID). `conflicts` says whether an
    /// address fails duplicate address detection on the link.
    public mutating func receive(_ m: DHCPv6ClientMessage, now: Int64, conflicts: (IPv6Address) -> Bool = { _ in false }) -> Output {
        var out = Output()
        guard m.transactionID == xid, m.options.clientID == duid, let server = m.options.serverID else { return out }
        switch (state, m.messageType) {
        case (.soliciting, .advertise):
            noteUnavailable(m, &out)
            guard Self.offersSomething(m) else { return out }   // §18.2.9: ignore it
            let preference = (try? m.options.preference()) ?? 0
            if preference == 255 || transmissions > 1 {
                requestFrom(m, now, &out)
            } else {
                advertises.append(m)
            }
        case (.soliciting, .reply):
            guard rapidCommit, m.options.rapidCommit else { return out }
            accept(m, server: server, now, &out, conflicts: conflicts)
        case (.requesting, .reply), (.renewing, .reply), (.rebinding, .reply):
            accept(m, server: server, now, &out, conflicts: conflicts)
        case (.confirming, .reply):
            if (try? m.options.status())??.code == .notOnLink {
                out.events.append(.nak)
                if let b = binding { out.events.append(.lost(b.leases.map(\.prefix))) }
                binding = nil
                begin(.soliciting, now, &out)
            } else {
                resume(now, &out)
            }
        case (.declining, .reply):
            declined(now, &out)
        default:
            break
        }
        return out
    }
}
