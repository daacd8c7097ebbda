import KakapoCore

/// A simulation scenario: the world, who lives in it, what goes wrong, and what must hold.
/// Built from a YAML file in `scenarios/` by `ScenarioLoader`. Times are virtual milliseconds.
public struct Scenario: Sendable {
    public var name: String
    public var description: String = ""
    /// The run's seed; `kakapo-sim run --seed` overrides it.
    public var seed: UInt64 = 1
    /// 4 (DHCPv4, the default) or 6 (DHCPv6: the servers run `Dhcp6Engine`, the clients
    /// follow RFC 8415, addresses and prefixes in the file are IPv6).
    public var family: Int = 4
    public var durationMilliseconds: Int64
    public var servers: [ServerSpec] = []
    /// Lease databases shared by several servers (as a PostgreSQL lease database would be).
    public var databases: [DatabaseSpec] = []
    public var segments: [SegmentSpec] = []
    public var populations: [PopulationSpec] = []
    public var faults: [FaultSpec] = []
    public var expectations = Expectations()
    /// A virtual DHCP-DDNS daemon and DNS server (DHCPv4 only); nil: none.
    public var ddns: DDNSSpec? = nil
    public init(name: String, durationMilliseconds: Int64) {
        self.name = name
        self.durationMilliseconds = durationMilliseconds
    }
}

/// One DHCPv4 server: a Core engine built from a Kea-format config.
public struct ServerSpec: Sendable {
    public var name: String
    /// The Kea config text (the file's content, or an inline object serialized to JSON) and a
    /// name for error messages.
    public var configText: String
    public var configSource: String
    /// The server's address on the relay-facing network (its server identifier for relayed
    /// traffic).
    public var address: IPv4Address
    /// The server's IPv6 address (relays forward to it) in a DHCPv6 scenario.
    public var address6: IPv6Address? = nil
    /// How lease writes reach storage. `.writeThrough` is what the daemon does; the others are
    /// test-only breakages that invariants must catch.
    public var storage: StorageMode = .writeThrough
    public init(name: String, configText: String, configSource: String, address: IPv4Address) {
        self.name = name
        self.configText = configText
        self.configSource = configSource
        self.address = address
    }
}

public enum StorageMode: Sendable, Equatable {
    /// Every lease change is durable before the reply is sent (the daemon's rule).
    case writeThrough
    /// Test-only: the store silently forgets every Nth write.
    case forgetEveryNth(Int)
    /// Test-only: writes become durable only after a delay, and replies go out at once.
    case lazy(delayMilliseconds: Int64)
    /// The lease database named so, shared with other servers: it decides races.
    case shared(database: String)
}

/// A lease database several servers share: every write crosses a link with latency, may fail,
/// and is applied only if the row it was decided on is still there (a conditional write).
public struct DatabaseSpec: Sendable, Equatable {
    public var name: String
    /// One-way latency between a server and the database, plus a uniform jitter.
    public var latencyMilliseconds: Int64 = 1
    public var jitterMilliseconds: Int64 = 0
    /// Probability that a transaction fails (nothing of it is written).
    public var writeFailure: Double = 0
    /// Test-only breakage: last writer wins, conflicts are not detected.
    public var ignoreConflicts = false
    public init(name: String) { self.name = name }
}

/// A broadcast domain with clients on it. Either servers are attached directly (they see the
/// broadcasts, with their `serverAddress` on this link) or a relay forwards to servers.
public struct SegmentSpec: Sendable {
    public var name: String
    /// The link's prefix (e.g. 192.0.2.0/24); servers attached directly have an address in it.
    public var prefix: IPv4Prefix
    /// Servers attached directly, with their interface address on this link.
    public var directServers: [(server: String, address: IPv4Address)] = []
    /// A relay on this link: its address becomes giaddr; it forwards to these servers.
    public var relay: RelaySpec? = nil
    public var link = LinkSpec()
    /// Addresses already used by a host that is not a DHCP client (clients that get one
    /// detect the conflict and DECLINE it).
    public var conflictingAddresses: [IPv4Address] = []
    /// DHCPv6: the link's prefix, servers attached directly with their global address on the
    /// link, and addresses that fail duplicate address detection (clients DECLINE them).
    public var prefix6: IPv6Prefix? = nil
    public var directServers6: [(server: String, address: IPv6Address)] = []
    public var conflictingAddresses6: [IPv6Address] = []
    public init(name: String, prefix: IPv4Prefix) {
        self.name = name
        self.prefix = prefix
    }
}

public struct RelaySpec: Sendable {
    public var address: IPv4Address
    public var servers: [String]
    /// When set, the relay adds option 82 with this circuit-id (and remote-id if given).
    public var circuitID: String?
    public var remoteID: String?
    /// DHCPv6: the relay's address on the link (the Relay-forward's link-address) and the
    /// Interface-ID option (18) it adds; `remoteID` becomes option 37.
    public var address6: IPv6Address? = nil
    public var interfaceID: String?
    public init(address: IPv4Address, servers: [String]) {
        self.address = address
        self.servers = servers
    }
}

/// Link behaviour, applied to every datagram crossing the segment (both directions).
public struct LinkSpec: Sendable, Equatable {
    public var latencyMilliseconds: Int64 = 1
    public var jitterMilliseconds: Int64 = 0
    /// Probabilities in 0...1.
    public var loss: Double = 0
    public var duplication: Double = 0
    public init() {}
}

/// A group of clients with a shared behaviour.
public struct PopulationSpec: Sendable {
    public var name: String
    public var segment: String
    public var count: Int
    public var arrival: Arrival = .uniform(startMilliseconds: 0, windowMilliseconds: 0)
    /// How long a client stays before leaving; nil: stays to the end.
    public var sessionMilliseconds: Distribution? = nil
    /// Fraction of leaving clients that send RELEASE (the rest just go silent).
    public var releaseOnLeave: Double = 1
    /// Fraction of clients that come back after leaving (rejoin after `rejoinAfter`).
    public var rejoin: Double = 0
    public var rejoinAfterMilliseconds: Distribution? = nil
    /// Fraction of clients that reboot once during their session (INIT-REBOOT with the
    /// remembered address).
    public var reboot: Double = 0
    /// MAC addresses: this prefix (up to 5 bytes) then a counter.
    public var macPrefix: [UInt8] = [0x02, 0x00]
    public var clientID: ClientIDMode = .none
    /// DHCPv6: which IAs each client asks for, and whether it offers Rapid Commit.
    public var ia: IARequest = .na
    public var rapidCommit = false
    /// DHCPv4: clients send a host name (option 12), "host-N" for client index N.
    public var hostnames = false
    /// DHCPv4: the name goes in a Client FQDN option (81, partial name "host-N", server does
    /// the updates) instead of option 12.
    public var fqdnOption = false
    public init(name: String, segment: String, count: Int) {
        self.name = name
        self.segment = segment
        self.count = count
    }
}

public enum Arrival: Sendable, Equatable {
    /// Arrivals spread uniformly at random over the window.
    case uniform(startMilliseconds: Int64, windowMilliseconds: Int64)
    /// A Poisson process with this mean rate per second, starting at `start`.
    case poisson(startMilliseconds: Int64, ratePerSecond: Double)
}

public enum ClientIDMode: String, Sendable, Equatable {
    case none
    /// Option 61 = 0x01 + MAC.
    case mac
    /// Option 61 = 0xff + IAID + DUID-LL (RFC 4361), as dhcpcd sends.
    case duid
}

/// The IAs a DHCPv6 client asks for: IA_NA (an address), IA_PD (a delegated prefix) or both.
public struct IARequest: OptionSet, Sendable, Equatable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let na = IARequest(rawValue: 1)
    public static let pd = IARequest(rawValue: 2)
}

/// A random duration.
public enum Distribution: Sendable, Equatable {
    case fixed(Int64)
    case uniform(minMilliseconds: Int64, maxMilliseconds: Int64)
    case exponential(meanMilliseconds: Int64)
}

/// Something that goes wrong at a time.
public struct FaultSpec: Sendable {
    public var atMilliseconds: Int64
    public var kind: FaultKind
    public init(atMilliseconds: Int64, kind: FaultKind) {
        self.atMilliseconds = atMilliseconds
        self.kind = kind
    }
}

public enum FaultKind: Sendable {
    /// The server process dies, losing what was not durable; it restarts after `downFor`.
    case crash(server: String, downForMilliseconds: Int64)
    /// Re-read the config (SIGHUP); with `configText`, a new config replaces it.
    case reload(server: String, configText: String?)
    /// The segment's loss probability becomes `loss` for `duration`.
    case lossBurst(segment: String, loss: Double, durationMilliseconds: Int64)
    /// The segment is cut off from every server for `duration`.
    case partition(segment: String, durationMilliseconds: Int64)
    /// The server's wall clock steps by `seconds` (negative: backwards).
    case clockJump(server: String, seconds: Int64)
    /// A rogue client on the segment sends `count` malformed datagrams over `duration`.
    case malformedFlood(segment: String, count: Int, durationMilliseconds: Int64)
    /// The segment's duplication probability becomes `duplication` for `duration`.
    case duplicationBurst(segment: String, duplication: Double, durationMilliseconds: Int64)
    /// Datagrams between the segment's relay and its servers (both ways) are lost with
    /// probability `loss` for `duration`; the link itself is untouched.
    case relayLoss(segment: String, loss: Double, durationMilliseconds: Int64)
    /// The server's storage refuses each transaction with probability `rate` for `duration`
    /// (a full disk, an unreachable database): nothing of it is written and the server
    /// withholds the replies that depended on it, as the daemon does.
    case storageFailure(server: String, rate: Double, durationMilliseconds: Int64)
}

extension FaultKind {
    /// When the fault is over, for a fault that starts at `at` (reloads and clock jumps are
    /// instantaneous).
    public func endMilliseconds(startingAt at: Int64) -> Int64 {
        switch self {
        case .crash(_, let d): return at + max(1, d)
        case .reload, .clockJump: return at
        case .lossBurst(_, _, let d), .partition(_, let d), .malformedFlood(_, _, let d),
             .duplicationBurst(_, _, let d), .relayLoss(_, _, let d), .storageFailure(_, _, let d):
            return at + d
        }
    }
}

/// What must be true at the end (and, for invariants, after every event).
public struct Expectations: Sendable, Equatable {
    /// Every client that arrived (and has not left) is bound within this time of arriving.
    public var allBoundWithinMilliseconds: Int64? = nil
    public var maxNaks: Int? = nil
    /// At least this fraction of all pool addresses assigned at the end.
    public var minUtilization: Double? = nil
    /// At least this many clients bound at the end.
    public var minBound: Int? = nil
    /// At most this many clients bound at the end (pool exhaustion).
    public var maxBound: Int? = nil
    /// At least this many malformed datagrams counted in pkt4-parse-failed.
    public var minParseFailed: Int? = nil
    /// At least this many DECLINEs handled.
    public var minDeclines: Int? = nil
    /// At least this many times a client was told no address or prefix is available
    /// (DHCPv6 NoAddrsAvail / NoPrefixAvail).
    public var minUnavailable: Int? = nil
    /// Check the invariants after every event (default on).
    public var invariants: Bool = true
    /// Per-segment expectations (e.g. clients behind each relay bound in their own subnet).
    public var segments: [SegmentExpectation] = []
    public init() {}
}

/// What must hold at the end for the clients of one segment.
public struct SegmentExpectation: Sendable, Equatable {
    public var segment: String
    /// At least this many of the segment's clients hold, at the end, an address inside the
    /// segment's prefix (a client bound in another subnet does not count).
    public var minBound: Int? = nil
    /// At most this many of the segment's clients hold an address at the end.
    public var maxBound: Int? = nil
    public init(segment: String) { self.segment = segment }
}

/// The `ddns` section: a virtual kea-dhcp-ddns (Core's `D2Engine`) at `address` with one forward
/// and one reverse domain, both served by one virtual DNS server (Core's `DNSZoneData`) at
/// `dnsServer`. Servers whose config enables `dhcp-ddns` send their name-change requests to it.
public struct DDNSSpec: Sendable {
    public var address = IPv4Address(192, 0, 2, 252)
    public var dnsServer = IPv4Address(192, 0, 2, 253)
    public var forwardZone: String
    public var reverseZone: String
    /// One way, DHCP server -> D2 and D2 <-> DNS server.
    public var latencyMilliseconds: Int64 = 1
    public var jitterMilliseconds: Int64 = 0
    /// Loss of name-change request datagrams (DHCP server -> D2; UDP, never retried).
    public var ncrLoss: Double = 0
    /// Loss of DNS datagrams, each way (D2 retries after `dns-server-timeout`).
    public var dnsLoss: Double = 0
    /// `dns-server-timeout` of the D2.
    public var timeoutMilliseconds: Int64 = 500
    /// How long DDNS must be idle before `dns-matches-leases` is checked.
    public var quietMilliseconds: Int64 = 5_000
    /// Test-only breakage: the DNS server answers NOERROR to updates that only delete records,
    /// without deleting them.
    public var dropRemoves = false
    public init(forwardZone: String, reverseZone: String) {
        self.forwardZone = forwardZone
        self.reverseZone = reverseZone
    }
}
