import KakapoCore
import KakapoLinuxIO
import KakapoSim

/// The exchanges the load generator times. A client's DORA is DISCOVER-OFFER then
/// REQUEST-ACK; the others only happen when a lease's T1 passes during the run.
enum LoadExchange: Int, CaseIterable {
    case discoverOffer, requestAck, rebootAck, renewAck, rebindAck

    /// perfdhcp's names for the first two.
    var name: String {
        switch self {
        case .discoverOffer: "DISCOVER-OFFER"
        case .requestAck: "REQUEST-ACK"
        case .rebootAck: "REBOOT-ACK"
        case .renewAck: "RENEW-ACK"
        case .rebindAck: "REBIND-ACK"
        }
    }
}

/// One run of `kakapo-sim load`: a poll loop on one UDP socket, no threads. Virtual clients
/// start at the offered rate; whatever they send leaves as a relayed unicast to the server;
/// replies are matched to their client by chaddr and xid. An exchange without a reply within
/// the timeout is a drop and its client is given up (no retransmission, as in perfdhcp); it
/// starts afresh when its turn comes again.
final class LoadRun {
    struct Pending {
        var kind: LoadExchange
        var xid: UInt32
        var sentAt: Int64      // µs
        var seq: UInt64
    }
    struct Deadline: Comparable, Sendable {
        var at: Int64          // µs
        var client: Int
        var seq: UInt64
        static func < (a: Deadline, b: Deadline) -> Bool { a.at != b.at ? a.at < b.at : a.seq < b.seq }
    }
    struct TimerEntry: Comparable, Sendable {
        var at: Int64          // ms, the clients' clock
        var client: Int
        var incarnation: UInt32
        var generation: UInt64
        static func < (a: TimerEntry, b: TimerEntry) -> Bool { a.at != b.at ? a.at < b.at : a.client < b.client }
    }

    static let macPrefix: [UInt8] = [0x02, 0x00]
    static let rngSubsystem: UInt64 = 0x4C4F_4144   // "LOAD"

    let options: LoadOptions
    let socket: UDPSocket
    let support: LoadSupport
    let relay: IPv4Address
    let timeoutMicroseconds: Int64

    var clients: [VirtualClient?]
    var busy: [Bool]
    var pending: [Pending?]
    var doraStartedAt: [Int64]
    var incarnation: [UInt32]
    var lastPushedGeneration: [UInt64]
    var lastDropped: [(xid: UInt32, kind: LoadExchange)?]
    var deadlines = MinHeap<Deadline>()
    var timers = MinHeap<TimerEntry>()
    var inFlight = 0
    var cursor = 0
    var seq: UInt64 = 0
    var stats: LoadStats
    /// `--acks FILE`: every DHCPACK received is recorded, whatever exchange it answers.
    var ackLog: AckLog?

    init(options: LoadOptions, socket: UDPSocket, support: LoadSupport) {
        self.options = options
        self.socket = socket
        self.support = support
        relay = options.relay ?? .zero
        timeoutMicroseconds = options.timeoutMilliseconds * 1000
        let n = options.clients
        clients = Array(repeating: nil, count: n)
        busy = Array(repeating: false, count: n)
        pending = Array(repeating: nil, count: n)
        doraStartedAt = Array(repeating: 0, count: n)
        incarnation = Array(repeating: 0, count: n)
        lastPushedGeneration = Array(repeating: UInt64.max, count: n)
        lastDropped = Array(repeating: nil, count: n)
        stats = LoadStats(options: options)
    }

    static func mac(_ index: Int) -> [UInt8] {
        let i = UInt32(truncatingIfNeeded: index)
        return macPrefix + [UInt8(i >> 24), UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)]
    }

    func clientIndex(_ chaddr: [UInt8]) -> Int? {
        guard chaddr.count >= 6, chaddr[0] == Self.macPrefix[0], chaddr[1] == Self.macPrefix[1] else { return nil }
        let i = Int(chaddr[2]) << 24 | Int(chaddr[3]) << 16 | Int(chaddr[4]) << 8 | Int(chaddr[5])
        return i < clients.count ? i : nil
    }

    // MARK: the loop

    func run() -> LoadReport {
        let t0 = SystemClock.monotonicMicroseconds()
        var sendEnd = t0 + Int64(options.durationSeconds * 1_000_000)
        // Long enough, by default, for a DISCOVER sent at the last moment to meet its timeout
        // and then for its REQUEST to meet its own: every exchange then ends as a reply or a drop.
        let drain = (options.drainMilliseconds ?? 2 * options.timeoutMilliseconds + options.offerWaitMilliseconds) * 1000
        let planned = max(1, Int((options.rate * options.durationSeconds).rounded()))
        let interval = 1_000_000 / options.rate            // µs between starts
        var issued = 0
        var stops = 0
        var sendingEndedAt: Int64? = nil
        var now = t0
        while true {
            now = SystemClock.monotonicMicroseconds()
            if sendingEndedAt == nil {
                if now >= sendEnd {
                    sendingEndedAt = sendEnd        // the test period is at least the duration
                } else if issued < planned {
                    let due = min(planned, Int(Double(now - t0) / interval) + 1)
                    var burst = 0
                    while issued < due && burst < 4096 {
                        startNext(now)
                        issued += 1
                        burst += 1
                    }
                }
            }
            receiveAll()
            now = SystemClock.monotonicMicroseconds()
            expireDeadlines(now)
            fireTimers(now)
            if let ended = sendingEndedAt {
                if inFlight == 0 || now >= ended + drain { break }
            }
            // Sleep until the next start, deadline or timer (at most 20 ms), or a reply.
            var wake = now + 20_000
            if sendingEndedAt == nil {
                wake = min(wake, sendEnd)
                if issued < planned { wake = min(wake, t0 + Int64(Double(issued) * interval)) }
            }
            if let d = deadlines.peek() { wake = min(wake, d.at) }
            if let t = timers.peek() { wake = min(wake, t.at * 1000) }
            if let ended = sendingEndedAt { wake = min(wake, ended + drain) }
            let waitMs = Int32(clamping: max(0, (wake - now + 999) / 1000))
            if support.wait(readable: socket.fd, timeoutMilliseconds: waitMs) == .stop {
                stops += 1
                stats.interrupted = true
                if stops > 1 { break }
                sendEnd = min(sendEnd, now)           // first stop: no new clients, drain
            }
        }
        let end = SystemClock.monotonicMicroseconds()
        // Whatever is still unanswered is dropped.
        for i in pending.indices {
            if let p = pending[i] {
                stats.exchanges[p.kind.rawValue].drops += 1
                stats.unansweredAtEnd += 1
            }
        }
        stats.planned = planned
        stats.sendingSeconds = Double((sendingEndedAt ?? end) - t0) / 1e6
        stats.testPeriodSeconds = Double(end - t0) / 1e6
        return LoadReport(stats: stats, options: options, relay: relay)
    }

    // MARK: clients

    /// Starts the next client that is not busy with an exchange, afresh (a new DORA with the
    /// same MAC, as perfdhcp's repeated clients do).
    func startNext(_ now: Int64) {
        let n = clients.count
        var tries = 0
        while tries < n && busy[cursor] {
            cursor = cursor + 1 == n ? 0 : cursor + 1
            tries += 1
        }
        guard tries < n else { stats.skippedBusy += 1; return }
        let i = cursor
        cursor = cursor + 1 == n ? 0 : cursor + 1
        incarnation[i] &+= 1
        let rng = SimRandom.stream(seed: options.seed, subsystem: Self.rngSubsystem,
                                   index: UInt64(i) << 32 | UInt64(incarnation[i]))
        clients[i] = VirtualClient(mac: Self.mac(i), clientID: nil, rng: rng)
        busy[i] = true
        inFlight += 1
        pending[i] = nil
        lastPushedGeneration[i] = UInt64.max
        doraStartedAt[i] = now
        stats.started += 1
        let out = clients[i]!.start(now: now / 1000)
        handle(i, out, now)
    }

    /// Sends what a client wants sent and books its exchanges, events and timer.
    func handle(_ i: Int, _ out: VirtualClient.Output, _ now: Int64) {
        guard let client = clients[i] else { return }
        for (message, _) in out.sends {
            // As a relay agent: every message, broadcast or unicast, goes to the server.
            var m = message
            m.giaddr = relay
            m.hops = 1
            let bytes = m.encode()
            if !socket.send(payload: bytes, to: options.server, port: options.serverPort, source: relay, ifindex: 0) {
                stats.sendErrors += 1
            }
            guard let type = m.messageType else { continue }
            stats.sent[Int(type.rawValue), default: 0] += 1
            let kind: LoadExchange?
            switch type {
            case .discover: kind = .discoverOffer
            case .request:
                switch client.state {
                case .rebooting: kind = .rebootAck
                case .renewing: kind = .renewAck
                case .rebinding: kind = .rebindAck
                default: kind = .requestAck
                }
            default: kind = nil
            }
            if let kind {
                seq &+= 1
                pending[i] = Pending(kind: kind, xid: m.xid, sentAt: now, seq: seq)
                stats.exchanges[kind.rawValue].sent += 1
                deadlines.push(Deadline(at: now + timeoutMicroseconds, client: i, seq: seq))
            }
        }
        for event in out.events {
            switch event {
            case .bound(_, let renewal):
                if renewal {
                    stats.renewed += 1
                } else {
                    stats.completed += 1
                    stats.dora.record(now - doraStartedAt[i])
                }
                setIdle(i)
            case .nak: stats.naks += 1
            case .declined: stats.declines += 1
            case .released: stats.releases += 1
            case .lost, .stateChanged: break
            }
        }
        if let at = client.timerAt, client.timerGeneration != lastPushedGeneration[i] {
            lastPushedGeneration[i] = client.timerGeneration
            timers.push(TimerEntry(at: at, client: i, incarnation: incarnation[i], generation: client.timerGeneration))
        }
    }

    func setIdle(_ i: Int) {
        if busy[i] { busy[i] = false; inFlight -= 1 }
    }

    // MARK: inputs

    func receiveAll() {
        var budget = 8192
        while budget > 0, let datagram = socket.receive() {
            budget -= 1
            let now = SystemClock.monotonicMicroseconds()
            guard case .success(let m) = DHCPv4Message.decode(datagram.payload) else { stats.undecodable += 1; continue }
            guard m.op == DHCPv4Message.bootReply, let type = m.messageType else { stats.unmatched += 1; continue }
            stats.received[Int(type.rawValue), default: 0] += 1
            if type == .ack { ackLog?.record(m) }
            guard let i = clientIndex(m.chaddr) else { stats.unmatched += 1; continue }
            guard let p = pending[i], p.xid == m.xid else {
                if let d = lastDropped[i], d.xid == m.xid {
                    stats.exchanges[d.kind.rawValue].late += 1
                    lastDropped[i] = nil
                } else {
                    stats.unmatched += 1
                }
                continue
            }
            let expected = p.kind == .discoverOffer ? (type == .offer) : (type == .ack || type == .nak)
            guard expected else { stats.unmatched += 1; continue }
            pending[i] = nil
            stats.exchanges[p.kind.rawValue].received += 1
            stats.exchanges[p.kind.rawValue].latency.record(now - p.sentAt)
            guard clients[i] != nil else { stats.unmatched += 1; continue }
            let out = clients[i]!.receive(m, now: now / 1000)
            handle(i, out, now)
            // One server: take its OFFER now (or after --offer-wait-ms) rather than waiting
            // out the client's OFFER-collecting window.
            if p.kind == .discoverOffer, let client = clients[i], client.state == .selecting, pending[i] == nil {
                if options.offerWaitMilliseconds == 0 {
                    fire(i, now)
                } else {
                    timers.push(TimerEntry(at: now / 1000 + options.offerWaitMilliseconds, client: i,
                                           incarnation: incarnation[i], generation: client.timerGeneration))
                }
            }
        }
    }

    func fire(_ i: Int, _ now: Int64) {
        guard clients[i] != nil else { return }
        let out = clients[i]!.timerFired(now: now / 1000)
        handle(i, out, now)
    }

    /// Exchanges past their timeout are drops; their clients are given up.
    func expireDeadlines(_ now: Int64) {
        while let d = deadlines.peek(), d.at <= now {
            deadlines.pop()
            guard let p = pending[d.client], p.seq == d.seq else { continue }
            stats.exchanges[p.kind.rawValue].drops += 1
            pending[d.client] = nil
            lastDropped[d.client] = (p.xid, p.kind)
            if p.kind == .discoverOffer || p.kind == .requestAck { stats.abandoned += 1 }
            incarnation[d.client] &+= 1      // its timers are void
            clients[d.client] = nil
            setIdle(d.client)
        }
    }

    /// The clients' own timers: the OFFER window and T1/T2. A timer that falls while the
    /// client waits for a reply would be a retransmission: skipped, the timeout decides.
    func fireTimers(_ now: Int64) {
        let nowMs = now / 1000
        while let t = timers.peek(), t.at <= nowMs {
            timers.pop()
            let i = t.client
            guard t.incarnation == incarnation[i], let client = clients[i],
                  client.timerGeneration == t.generation, pending[i] == nil else { continue }
            if !busy[i] { busy[i] = true; inFlight += 1 }
            fire(i, now)
            if pending[i] == nil && (clients[i]?.state == .bound || clients[i]?.state == .left) { setIdle(i) }
        }
    }
}
