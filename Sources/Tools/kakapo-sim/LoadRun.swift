import KakapoCore
import KakapoLinuxIO

/// The exchanges the load generator times, in either family. A client's 4-way exchange is
/// DISCOVER-OFFER then REQUEST-ACK (DHCPv4), or SOLICIT-ADVERTISE then REQUEST-REPLY
/// (DHCPv6); the others only happen when a DHCPv4 lease's T1 passes during the run.
enum LoadExchange: Int, CaseIterable {
    case solicit, request, reboot, renew, rebind
}

/// What a family calls its exchanges and messages in the report.
struct LoadNames {
    /// By `LoadExchange.rawValue` (perfdhcp's names for the first two).
    var exchanges: [String]
    /// The 4-way exchange ("DORA", "SARR").
    var cycle: String
    /// (message-type code, name) for the message counts.
    var messageTypes: [(Int, String)]
    /// Answers that end a client's exchange without a lease ("NAKs").
    var refusals: String

    func name(_ e: LoadExchange) -> String { exchanges[e.rawValue] }
}

/// One datagram a client sends, and the exchange it opens (none for DECLINE or RELEASE).
struct LoadSend {
    var bytes: [UInt8]
    var messageType: Int
    var transactionID: UInt32
    var opens: LoadExchange?
}

/// What a family's client did on an input, for `LoadRun` to send, time and count.
struct LoadStep {
    var sends: [LoadSend] = []
    /// The client got its first lease: its 4-way exchange completed.
    var bound = false
    /// It renewed (or rebound) a lease it had.
    var renewed = false
    /// A NAK, or an answer with nothing to bind.
    var refused = false
    var declines = 0
    var releases = 0
    /// It needs nothing more for now (bound, or given up after a refusal): not busy.
    var idle = false
    /// It holds an answer to its first message and would wait for more before its request:
    /// the run lets it go on at once, or after `--offer-wait-ms`.
    var selecting = false
    /// Its own timer (ms, the clients' clock) and the generation that keeps it current.
    var timer: (at: Int64, generation: UInt64)?
}

/// A datagram from the server, read by the family.
enum LoadInbound<Reply> {
    case undecodable
    /// A message matching no client (or of no use to one); counted by type when it has one.
    case unmatched(messageType: Int?)
    /// An answer to client `client`'s transaction `transactionID`: to its first message
    /// (OFFER, ADVERTISE) or to a request (ACK, NAK, REPLY).
    case reply(client: Int, transactionID: UInt32, messageType: Int, answersRequest: Bool, Reply)
}

/// The part of the load generator that knows one DHCP family: its clients, the messages they
/// send (relayed), and how replies are read. `LoadRun` does the rest: the offered rate, the
/// exchanges in flight, timeouts, timers and statistics, the same for DHCPv4 and DHCPv6.
protocol LoadFamily: AnyObject {
    associatedtype Reply
    var names: LoadNames { get }
    /// The socket the run polls.
    var fd: Int32 { get }
    /// Starts client `i` afresh (its `incarnation`-th life).
    func start(_ i: Int, incarnation: UInt32, now: Int64) -> LoadStep
    /// Sends a datagram to the server; false when the system refused it.
    func transmit(_ bytes: [UInt8]) -> Bool
    /// The next datagram received, or nil when none is waiting.
    func nextInbound() -> LoadInbound<Reply>?
    /// Gives client `i` a reply `LoadRun` matched to its pending exchange.
    func receive(_ i: Int, _ reply: Reply, now: Int64) -> LoadStep
    /// Client `i`'s timer fell (or the run ends its wait for more answers).
    func timerFired(_ i: Int, now: Int64) -> LoadStep
    /// Client `i`'s current timer generation; nil when it has been given up.
    func timerGeneration(_ i: Int) -> UInt64?
    /// Whether client `i` is where it rests (bound or gone) rather than mid-exchange.
    func isSettled(_ i: Int) -> Bool
    /// Forgets client `i` (its exchange was dropped).
    func abandon(_ i: Int)
}

/// One run of `kakapo-sim load`: a poll loop on one UDP socket, no threads. Virtual clients
/// start at the offered rate; whatever they send leaves as a relayed unicast to the server;
/// replies are matched to their client and transaction. An exchange without a reply within
/// the timeout is a drop and its client is given up (no retransmission, as in perfdhcp); it
/// starts afresh when its turn comes again.
final class LoadRun<Family: LoadFamily> {
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

    let options: LoadOptions
    let family: Family
    let support: LoadSupport
    let timeoutMicroseconds: Int64

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

    init(options: LoadOptions, family: Family, support: LoadSupport) {
        self.options = options
        self.family = family
        self.support = support
        timeoutMicroseconds = options.timeoutMilliseconds * 1000
        let n = options.clients
        busy = Array(repeating: false, count: n)
        pending = Array(repeating: nil, count: n)
        doraStartedAt = Array(repeating: 0, count: n)
        incarnation = Array(repeating: 0, count: n)
        lastPushedGeneration = Array(repeating: UInt64.max, count: n)
        lastDropped = Array(repeating: nil, count: n)
        stats = LoadStats(options: options)
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
            if support.wait(readable: family.fd, timeoutMilliseconds: waitMs) == .stop {
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
        return LoadReport(stats: stats, options: options, names: family.names)
    }

    // MARK: clients

    /// Starts the next client that is not busy with an exchange, afresh (a new 4-way exchange
    /// with the same identity, as perfdhcp's repeated clients do).
    func startNext(_ now: Int64) {
        let n = busy.count
        var tries = 0
        while tries < n && busy[cursor] {
            cursor = cursor + 1 == n ? 0 : cursor + 1
            tries += 1
        }
        guard tries < n else { stats.skippedBusy += 1; return }
        let i = cursor
        cursor = cursor + 1 == n ? 0 : cursor + 1
        incarnation[i] &+= 1
        busy[i] = true
        inFlight += 1
        pending[i] = nil
        lastPushedGeneration[i] = UInt64.max
        doraStartedAt[i] = now
        stats.started += 1
        handle(i, family.start(i, incarnation: incarnation[i], now: now), now)
    }

    /// Sends what a client wants sent and books its exchanges, events and timer.
    func handle(_ i: Int, _ step: LoadStep, _ now: Int64) {
        for send in step.sends {
            if !family.transmit(send.bytes) { stats.sendErrors += 1 }
            stats.sent[send.messageType, default: 0] += 1
            if let kind = send.opens {
                seq &+= 1
                pending[i] = Pending(kind: kind, xid: send.transactionID, sentAt: now, seq: seq)
                stats.exchanges[kind.rawValue].sent += 1
                deadlines.push(Deadline(at: now + timeoutMicroseconds, client: i, seq: seq))
            }
        }
        if step.bound {
            stats.completed += 1
            stats.dora.record(now - doraStartedAt[i])
        }
        if step.renewed { stats.renewed += 1 }
        if step.refused { stats.naks += 1 }
        stats.declines += step.declines
        stats.releases += step.releases
        if step.idle { setIdle(i) }
        if let t = step.timer, t.generation != lastPushedGeneration[i] {
            lastPushedGeneration[i] = t.generation
            timers.push(TimerEntry(at: t.at, client: i, incarnation: incarnation[i], generation: t.generation))
        }
    }

    func setIdle(_ i: Int) {
        if busy[i] { busy[i] = false; inFlight -= 1 }
    }

    // MARK: inputs

    func receiveAll() {
        var budget = 8192
        while budget > 0, let inbound = family.nextInbound() {
            budget -= 1
            let now = SystemClock.monotonicMicroseconds()
            let i: Int, xid: UInt32, answersRequest: Bool, reply: Family.Reply
            switch inbound {
            case .undecodable:
                stats.undecodable += 1
                continue
            case .unmatched(let type):
                if let type { stats.received[type, default: 0] += 1 }
                stats.unmatched += 1
                continue
            case .reply(let client, let id, let type, let request, let r):
                stats.received[type, default: 0] += 1
                (i, xid, answersRequest, reply) = (client, id, request, r)
            }
            guard let p = pending[i], p.xid == xid else {
                if let d = lastDropped[i], d.xid == xid {
                    stats.exchanges[d.kind.rawValue].late += 1
                    lastDropped[i] = nil
                } else {
                    stats.unmatched += 1
                }
                continue
            }
            guard answersRequest == (p.kind != .solicit) else { stats.unmatched += 1; continue }
            pending[i] = nil
            stats.exchanges[p.kind.rawValue].received += 1
            stats.exchanges[p.kind.rawValue].latency.record(now - p.sentAt)
            guard family.timerGeneration(i) != nil else { stats.unmatched += 1; continue }
            let step = family.receive(i, reply, now: now)
            handle(i, step, now)
            // One server: take its answer now (or after --offer-wait-ms) rather than waiting
            // out the client's window for more.
            if p.kind == .solicit, step.selecting, pending[i] == nil, let generation = family.timerGeneration(i) {
                if options.offerWaitMilliseconds == 0 {
                    fire(i, now)
                } else {
                    timers.push(TimerEntry(at: now / 1000 + options.offerWaitMilliseconds, client: i,
                                           incarnation: incarnation[i], generation: generation))
                }
            }
        }
    }

    func fire(_ i: Int, _ now: Int64) {
        guard family.timerGeneration(i) != nil else { return }
        handle(i, family.timerFired(i, now: now), now)
    }

    /// Exchanges past their timeout are drops; their clients are given up.
    func expireDeadlines(_ now: Int64) {
        while let d = deadlines.peek(), d.at <= now {
            deadlines.pop()
            guard let p = pending[d.client], p.seq == d.seq else { continue }
            stats.exchanges[p.kind.rawValue].drops += 1
            pending[d.client] = nil
            lastDropped[d.client] = (p.xid, p.kind)
            if p.kind == .solicit || p.kind == .request { stats.abandoned += 1 }
            incarnation[d.client] &+= 1      // its timers are void
            family.abandon(d.client)
            setIdle(d.client)
        }
    }

    /// The clients' own timers: the OFFER (ADVERTISE) window and T1/T2. A timer that falls while the
    /// client waits for a reply would be a retransmission: skipped, the timeout decides.
    func fireTimers(_ now: Int64) {
        let nowMs = now / 1000
        while let t = timers.peek(), t.at <= nowMs {
            timers.pop()
            let i = t.client
            guard t.incarnation == incarnation[i], family.timerGeneration(i) == t.generation,
                  pending[i] == nil else { continue }
            if !busy[i] { busy[i] = true; inFlight += 1 }
            fire(i, now)
            if pending[i] == nil && family.isSettled(i) { setIdle(i) }
        }
    }
}
