import KakapoCore

/// Why a run stopped early, with what is needed to replay it exactly.
public struct SimFailure: Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable { case invariant, expectation, budget, liveness }
    public var kind: Kind
    public var name: String
    public var detail: String
    public var seed: UInt64
    /// The event number (0-based) after which the failure was seen; nil for end-of-run checks.
    public var event: Int?
    public var timeMilliseconds: Int64
    public var description: String {
        let at = event.map { " at event \($0) (t=\(timeMilliseconds)ms)" } ?? ""
        return "\(kind.rawValue) '\(name)' failed\(at): \(detail) — replay with --seed \(seed)"
    }
}

/// The simulated world: a discrete-event loop over a virtual clock, running the very Core
/// engines the daemon runs, with virtual clients, links, relays and faults.
public final class World {
    enum Event {
        case clientStart(Int)
        case clientLeave(Int)
        case clientReboot(Int)
        case clientTimer(Int, UInt64)
        /// `interface`: the server's interface on that segment (`segmentInterfaces`), or
        /// `World.backbone` (events stay small: the queue holds one per datagram in flight).
        case toServer(server: Int, bytes: [UInt8], interface: Int, source: IPv4Address, destination: IPv4Address, epoch: Int)
        case toClient(client: Int, bytes: [UInt8], server: Int)
        case serverDeadline(Int, UInt64)
        case serverRestart(Int)
        indirect case durable(server: Int, change: LeaseChange4, epoch: Int)
        /// DHCPv6: a client's message (or a relay's Relay-forward) reaches a server; a server's
        /// reply reaches a client; a lazy write becomes durable.
        indirect case toServer6(server: Int, bytes: [UInt8], interface: InterfaceInfo, source: IPv6Address, relayed: Bool, epoch: Int)
        case toClient6(client: Int, bytes: [UInt8], server: Int)
        indirect case durable6(server: Int, change: LeaseChange6, epoch: Int)
        /// A server's transaction reaches the shared database.
        indirect case databaseWrite(server: Int, id: TransactionID, writes: [LeaseWrite4], epoch: Int)
        /// The database's answer reaches the server.
        indirect case databaseReply(server: Int, id: TransactionID, outcome: WriteOutcome4, epoch: Int)
        case fault(Int)
        /// DDNS: a name-change request reaches the D2; an update reaches the DNS server; its
        /// answer reaches the D2; the D2's exchange deadline; the end of a quiet period.
        case ncrToD2(bytes: [UInt8])
        case dnsToServer(bytes: [UInt8])
        case dnsToD2(bytes: [UInt8])
        case d2Deadline(UInt64)
        case ddnsQuiet(UInt64)
        case lossBurstEnd(segment: Int)
        case partitionEnd(segment: Int)
        case duplicationBurstEnd(segment: Int)
        case relayLossEnd(segment: Int)
        case storageFailureEnd(server: Int)
        /// A swarm run's liveness sampler.
        case livenessSample
        case rogue(segment: Int, remaining: Int, interval: Int64)
        case end
    }

    struct Segment {
        var spec: SegmentSpec
        var lossOverride: Double?
        var partitioned = false
        var conflicts: Set<IPv4Address>
        var duplicationOverride: Double? = nil
        /// Loss between the segment's relay and its servers (a swarm fault), both ways.
        var relayLoss: Double? = nil
    }

    /// A virtual client of either family (`VirtualClient`, `VirtualClient6`) and its presence.
    struct ClientSlot<Client> {
        var client: Client
        var segment: Int
        var population: Int
        var present = false
        var sessionStart: Int64 = 0
        var boundThisSession = false
    }

    struct Session {
        var client: Int
        var start: Int64
        var boundAt: Int64?
        var leftAt: Int64?
    }

    public let scenario: Scenario
    public let seed: UInt64
    let trace: TraceSink?
    var queue = EventQueue<Event>()
    var now: Int64 = 0
    var eventCount = 0
    var traceSeq = 0
    var servers: [SimServer] = []
    var ports: [SimPort] = []
    var deferredChecks: [(Int, LeaseChange4)] = []
    var databases: [SharedLeaseDatabase] = []
    var segments: [Segment] = []
    var clients: [ClientSlot<VirtualClient>] = []
    /// DHCPv6 (`scenario.family == 6`): servers, their ports, clients, and which client holds
    /// each address and delegated prefix.
    var servers6: [SimServer6] = []
    var ports6: [SimPort6] = []
    var clients6: [ClientSlot<VirtualClient6>] = []
    var holders6: [IPv6Prefix: Int] = [:]
    var pdLengths6: Set<Int> = []
    var deferredChecks6: [(Int, LeaseChange6)] = []
    let isV6: Bool
    var clientByMAC: [UInt64: Int] = [:]
    var serverByAddress: [IPv4Address: Int] = [:]
    var holders: [IPv4Address: Int] = [:]
    /// Each client's last binding, until it loses, releases or declines it or is NAKed.
    var lastBinding: [VirtualClient.Lease?] = []
    /// Clients that moved to another server with a valid lease (and kept their address).
    var moves = 0
    var sessions: [Session] = []
    /// Each client's open session (an index in `sessions`), by client.
    var openSession: [Int?] = []
    var netRNG: SimRandom
    var popRNG: SimRandom
    var faultRNG: SimRandom
    var databaseRNG: SimRandom
    /// Draws for the faults only swarm runs use (relay loss, storage failures), so that a
    /// scenario without them draws exactly what it drew before they existed.
    var swarmRNG: SimRandom
    /// Servers whose storage refuses transactions (a storage-failure fault), with the rate.
    var storageFailure: [Int: Double] = [:]
    /// Set by `kakapo-sim swarm`: the file's expectations are not checked, the liveness
    /// check is (when it has a deadline).
    public internal(set) var swarmChecks: SwarmChecks? = nil
    /// The liveness sampler's last sight of each client holding a lease.
    var lastSeenHolding: [Int64] = []
    /// The granting server's clock offset when each client's lease was last granted or
    /// renewed: its lease row's times are in that clock.
    var grantOffset: [Int64?] = []
    var failure: SimFailure?
    /// The virtual DHCP-DDNS daemon and DNS server (World+DDNS.swift), when the scenario has them.
    var ddns: SimDDNS?
    var checksSinceTrace = 0
    var counters = Counters()
    /// Upper bound on events per run (STYLE: every loop states its bound).
    public var maxEvents = 200_000_000

    struct Counters {
        var dora = 0, renewals = 0, naks = 0, declines = 0, releases = 0, lost = 0
        var sent = 0, delivered = 0, dropLoss = 0, dropPartition = 0, dropServerDown = 0, duplicated = 0
        var malformedSent = 0
        var unavailable = 0
        var bindTimes: [Int64] = []
    }

    public init(scenario: Scenario, seed: UInt64? = nil, trace: TraceSink? = nil) throws(SimSetupError) {
        self.scenario = scenario
        self.seed = seed ?? scenario.seed
        self.trace = trace
        netRNG = SimRandom.stream(seed: self.seed, subsystem: 1)
        popRNG = SimRandom.stream(seed: self.seed, subsystem: 2)
        faultRNG = SimRandom.stream(seed: self.seed, subsystem: 3)
        databaseRNG = SimRandom.stream(seed: self.seed, subsystem: 4)
        swarmRNG = SimRandom.stream(seed: self.seed, subsystem: 7)
        isV6 = scenario.family == 6
        if isV6 {
            try buildServers6()
            try buildSegments6()
        } else {
            try buildServers()
            try buildSegments()
        }
        buildPopulations()
        // Per-client bookkeeping, by client index (arrays: no hashing, no dictionary overhead).
        let clientCount = isV6 ? clients6.count : clients.count
        lastBinding = Array(repeating: nil, count: clientCount)
        openSession = Array(repeating: nil, count: clientCount)
        grantOffset = Array(repeating: nil, count: clientCount)
        if let spec = scenario.ddns { try buildDDNS(spec) }
        for (i, f) in scenario.faults.enumerated() { queue.push(f.atMilliseconds, .fault(i)) }
        queue.push(scenario.durationMilliseconds, .end)
    }

    func buildServers() throws(SimSetupError) {
        for (i, spec) in scenario.servers.enumerated() {
            let config: Dhcp4Config
            do { config = try SimConfig.decode(spec.configText, source: spec.configSource) } catch {
                throw SimSetupError("server \(spec.name): \(error.message)")
            }
            let server = SimServer(index: i, spec: spec, config: config)
            var allocatorRNG = SimRandom.stream(seed: seed, subsystem: 5, index: UInt64(i))
            server.randomSeed = allocatorRNG.next()
            if case .shared(let name) = spec.storage {
                if let db = databases.first(where: { $0.spec.name == name }) {
                    server.database = db
                } else if let dbSpec = scenario.databases.first(where: { $0.name == name }) {
                    let db = SharedLeaseDatabase(spec: dbSpec)
                    databases.append(db)
                    server.database = db
                } else {
                    throw SimSetupError("server \(spec.name): unknown database '\(name)'")
                }
            }
            servers.append(server)
            ports.append(SimPort(world: self, server: i))
            serverByAddress[spec.address] = i
        }
    }

    func serverIndex(_ name: String) throws(SimSetupError) -> Int {
        guard let i = scenario.servers.firstIndex(where: { $0.name == name }) else { throw SimSetupError("unknown server '\(name)'") }
        return i
    }

    func buildSegments() throws(SimSetupError) {
        for (si, spec) in scenario.segments.enumerated() {
            for d in spec.directServers {
                let s = try serverIndex(d.server)
                servers[s].segmentInterfaces[si] = InterfaceInfo(name: spec.name, index: Int32(si + 1),
                    addresses: [InterfaceAddress(address: d.address, prefixLength: spec.prefix.length)])
                serverByAddress[d.address] = s
            }
            if let r = spec.relay { for name in r.servers { _ = try serverIndex(name) } }
            segments.append(Segment(spec: spec, lossOverride: nil, conflicts: Set(spec.conflictingAddresses)))
        }
        for s in servers { s.start(at: 0); scheduleDeadline(s) }
    }

    /// Creates every client of every population with its arrival, session and reboot.
    func buildPopulations() {
        var serial: UInt64 = 0
        for (pi, p) in scenario.populations.enumerated() {
            guard let seg = segments.firstIndex(where: { $0.spec.name == p.segment }) else { continue }
            for _ in 0..<p.count {
                serial += 1
                let mac = World.mac(prefix: p.macPrefix, serial: serial)
                let cid: [UInt8]? = switch p.clientID {
                case .none: nil
                case .mac: [1] + mac
                case .duid: [0xFF, 0, 0, 0, 1, 0, 3, 0, 1] + mac
                }
                let rng = SimRandom.stream(seed: seed, subsystem: 100, index: serial)
                let idx: Int
                if isV6 {
                    idx = clients6.count
                    clients6.append(ClientSlot(client: VirtualClient6(mac: mac, wants: p.ia, rapidCommit: p.rapidCommit, rng: rng),
                                               segment: seg, population: pi))
                } else {
                    idx = clients.count
                    var client = VirtualClient(mac: mac, clientID: cid, rng: rng)
                    if p.hostnames {
                        let name = Array("host-\(clients.count)".utf8)
                        // Option 81: flags S (server updates A) and E (canonical wire format),
                        // RCODE1 and RCODE2 zero, then the name's one label without the root:
                        // a partial name the server qualifies.
                        if p.fqdnOption { client.fqdn = [0x05, 0, 0, UInt8(name.count)] + name } else { client.hostname = name }
                    }
                    clients.append(ClientSlot(client: client, segment: seg, population: pi))
                }
                clientByMAC[World.macKey(mac)] = idx
                queue.push(arrivalTime(p, population: pi), .clientStart(idx))
            }
        }
    }

    var poissonClock: [Int: Int64] = [:]

    func arrivalTime(_ p: PopulationSpec, population: Int) -> Int64 {
        switch p.arrival {
        case .uniform(let start, let window): return start + popRNG.between(0, max(0, window))
        case .poisson(let start, let rate):
            let last = poissonClock[population] ?? start
            let gap = rate > 0 ? popRNG.sample(.exponential(meanMilliseconds: Int64(1000 / rate))) : 0
            poissonClock[population] = last + gap
            return last + gap
        }
    }

    static func mac(prefix: [UInt8], serial: UInt64) -> [UInt8] {
        var m = Array(prefix.prefix(5))
        let rest = 6 - m.count
        for i in stride(from: rest - 1, through: 0, by: -1) { m.append(UInt8(truncatingIfNeeded: serial >> (8 * UInt64(i)))) }
        return m
    }

    static func macKey(_ m: some Collection<UInt8>) -> UInt64 {
        var k: UInt64 = 0
        for b in m.prefix(6) { k = k << 8 | UInt64(b) }
        return k
    }

    /// Runs to the end of the scenario or the first failure.
    public func run() -> SimResult {
        while failure == nil, let e = queue.pop() {
            now = e.time
            if case .end = e.payload { break }
            dispatch(e.payload)
            eventCount += 1
            if scenario.expectations.invariants { afterEvent() }
            if eventCount >= maxEvents {
                failure = SimFailure(kind: .budget, name: "max-events", detail: "more than \(maxEvents) events",
                                     seed: seed, event: eventCount, timeMilliseconds: now)
            }
        }
        if failure == nil {
            if swarmChecks == nil { checkExpectations() }
        }
        let s = summary()
        record("end", [("events", .int(Int64(eventCount))), ("bound", .int(Int64(s.boundAtEnd))),
                       ("dora", .int(Int64(s.dora))), ("renewals", .int(Int64(s.renewals))),
                       ("naks", .int(Int64(s.naks))), ("ok", .bool(failure == nil))])
        return SimResult(summary: s, failure: failure)
    }

    func dispatch(_ e: Event) {
        switch e {
        case .clientStart(let c): clientStart(c)
        case .clientLeave(let c): clientLeave(c)
        case .clientReboot(let c): clientReboot(c)
        case .clientTimer(let c, let gen):
            if isV6 {
                if let out = World.timerFired(&clients6, c, gen, now) { apply6(out, client: c) }
            } else if let out = World.timerFired(&clients, c, gen, now) {
                apply(out, client: c)
            }
        case .toServer(let s, let bytes, let iface, let src, let dst, let epoch):
            deliverToServer(s, bytes, iface == World.backbone ? servers[s].backbone : servers[s].segmentInterfaces[iface]!, src, dst, epoch)
        case .toClient(let c, let bytes, let s): deliverToClient(c, bytes, from: s)
        case .serverDeadline(let s, let gen): serverDeadline(s, gen)
        case .toServer6(let s, let bytes, let iface, let src, let relayed, let epoch):
            deliverToServer6(s, bytes, iface, src, relayed, epoch)
        case .toClient6(let c, let bytes, let s): deliverToClient6(c, bytes, from: s)
        case .durable6(let s, let change, let epoch):
            if servers6[s].epoch == epoch { _ = servers6[s].persist(change) }
        case .serverRestart(let s): restart(s)
        case .durable(let s, let change, let epoch):
            if servers[s].epoch == epoch { _ = servers[s].persist(change) }
        case .databaseWrite(let s, let id, let writes, let epoch): databaseWrite(s, id, writes, epoch)
        case .databaseReply(let s, let id, let outcome, let epoch): databaseReply(s, id, outcome, epoch)
        case .fault(let i): fault(scenario.faults[i])
        case .ncrToD2(let bytes): d2Receive(bytes)
        case .dnsToServer(let bytes): dnsServerReceive(bytes)
        case .dnsToD2(let bytes): d2ReceiveDNS(bytes)
        case .d2Deadline(let gen): d2Deadline(gen)
        case .ddnsQuiet(let gen): ddnsQuiet(gen)
        case .lossBurstEnd(let seg):
            segments[seg].lossOverride = nil
            record("fault", [("fault", .string("loss-burst-end")), ("target", .string(segments[seg].spec.name))])
        case .partitionEnd(let seg):
            segments[seg].partitioned = false
            record("fault", [("fault", .string("heal")), ("target", .string(segments[seg].spec.name))])
        case .duplicationBurstEnd(let seg):
            segments[seg].duplicationOverride = nil
            record("fault", [("fault", .string("duplication-burst-end")), ("target", .string(segments[seg].spec.name))])
        case .relayLossEnd(let seg):
            segments[seg].relayLoss = nil
            record("fault", [("fault", .string("relay-loss-end")), ("target", .string(segments[seg].spec.name))])
        case .storageFailureEnd(let s):
            storageFailure[s] = nil
            record("fault", [("fault", .string("storage-failure-end")), ("target", .string(scenario.servers[s].name))])
        case .rogue(let seg, let remaining, let interval): rogueSend(seg, remaining, interval)
        case .livenessSample: livenessSample()
        case .end: break
        }
    }

    /// Writes a trace record when tracing is on.
    @inline(__always)
    func record(_ kind: String, _ fields: @autoclosure () -> [(String, TraceValue)]) {
        guard let t = trace else { return }
        t.write(TraceRecord(time: now, kind: kind, fields()).line(seq: traceSeq))
        traceSeq += 1
    }

    var tracing: Bool { trace != nil }
}

/// A scenario that cannot be set up (bad server config, unknown names).
public struct SimSetupError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}
