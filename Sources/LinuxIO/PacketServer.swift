import CShim
import Glibc
import KakapoCore

/// What kakapo-dhcp4 and kakapo-dhcp6 share beyond `DHCPServer`: packet sockets read in
/// batches, by the loop or by packet workers, and the loop turn's work around the engine.
/// Each server keeps one-line public forwarders for `DaemonService` (a public requirement
/// needs a public witness, which an extension of this internal protocol cannot give).
protocol PacketServer: DHCPServer {
    associatedtype Endpoints: PacketEndpoints
    associatedtype Table: PGLeaseTable
    var endpoints: Endpoints { get }
    var outbound: [OutboundDatagram] { get set }
    var loopBatches: (receive: MessageBatch, send: MessageBatch) { get }
    var threading: ServerThreading { get }
    /// Reads per loop turn (and at most per worker batch).
    static var batchLimit: Int { get }
    /// The PostgreSQL lease database shared with other servers, if the config names one.
    var database: PGLeaseDatabase<Table>? { get }
    var nameChangeSender: NameChangeSender? { get }
    /// One batch of datagrams with a shared database: its rows are read in one round trip.
    func handleShared(_ datagrams: [InboundDatagram], _ now: Now)
    /// Shows the engine every row of the shared database (after a reconnect).
    func refreshAll(_ now: Now)
    func logSendFailure(_ d: OutboundDatagram, _ code: Int32)
}

extension PacketServer {
    /// The loop's turn on a readable socket: batches are read and handled until the socket
    /// is empty or the turn's limit is reached; what arrives while a batch is handled joins
    /// this turn (and its one lease write). A receive that returns fewer datagrams than asked
    /// found the socket empty, so no further (empty) read is made.
    func drain(_ fd: Int32, now: Now) {
        var remaining = Self.batchLimit
        while remaining > 0 {
            var datagrams: [InboundDatagram] = []
            let n = endpoints.read(fd, batch: loopBatches.receive, limit: remaining, into: &datagrams)
            if !datagrams.isEmpty { handle(datagrams, now: now) }
            if n < min(remaining, loopBatches.receive.capacity) { break }
            remaining -= n
        }
    }

    /// One batch's datagrams, in the order read (under the lock). With a shared database the
    /// batch is collected first, to read its rows in one go.
    func handle(_ datagrams: [InboundDatagram], now: Now) {
        var batch: [InboundDatagram] = []
        for d in datagrams {
            guard serving(now: now) else { continue }
            if database != nil { batch.append(d); continue }
            process(engine.handle(datagram: d, now: now), now)
        }
        if database != nil { handleShared(batch, now) }
    }

    /// Hands one input's effects to the executor: replies wait in it until the turn's lease
    /// writes are on disk (`flush`).
    func process(_ e: Effects<Family>, _ now: Now) {
        executor.execute(e, engine: &engine, port: self, now: now)
    }

    /// End of a loop turn: the turn's lease writes, then the replies that waited on them.
    func finishTurn(now: Now) {
        flush(now)
        transmitPending()
    }

    /// The earliest of the engine's timers, the database's reconnect timer and a
    /// dhcp-disable max-period.
    var earliestDeadline: MonotonicInstant? {
        guard let r = database?.nextDeadline else { return withServiceDeadline(engine.nextDeadline) }
        guard let e = engine.nextDeadline else { return withServiceDeadline(r) }
        return withServiceDeadline(min(r, e))
    }

    /// Whatever of `earliestDeadline` is due.
    func runDeadlines(now: Now) {
        // A dhcp-disable max-period that ran out.
        serviceState.expire(now: now.monotonic)
        // The lease database's reconnect timer (Postgres/PGLeaseDatabase.swift).
        if let db = database, let r = db.nextDeadline, r <= now.monotonic, db.deadline(now: now) {
            refreshAll(now)
        }
        if let e = engine.nextDeadline, e <= now.monotonic {
            process(engine.handleDeadline(now: now), now)
        }
        // Name change requests the socket could not take at once go now.
        nameChangeSender?.flush()
    }

    /// status-get's multi-threading fields: nil when multi-threading is off.
    var threadingStatus: (threads: Int, queueSize: Int, queueStatistics: [Double])? {
        guard let p = threading.plan, p.enabled else { return nil }
        return (p.threads, p.queueSize, threading.queue.averages)
    }

    /// The sockets the loop polls: none while packet workers wait on them.
    var loopDescriptors: [Int32] { threading.workersRunning ? [] : endpoints.descriptors }

    /// Sends the turn's replies, in sendmmsg batches, from the loop thread.
    func transmitPending() {
        guard !outbound.isEmpty else { return }
        let out = outbound
        endpoints.transmit(out, batch: loopBatches.send) { tag, code in logSendFailure(out[tag], code) }
        // Emptied once `out` is gone, so its buffer is reused.
        withExtendedLifetime(out) {}
        outbound.removeAll(keepingCapacity: true)
    }

    /// Before a loop turn, outside the lock: a new configuration's `multi-threading` takes
    /// effect (workers stopped, the plan logged as Kea does, workers started).
    func refreshThreading() {
        guard threading.stale else { return }
        threading.stale = false
        threading.stop()
        let plan = threading.lock.withLock { () -> ThreadingPlan in
            let plan = ThreadingPlan(loaded.config.multiThreading)
            logger.logAs(Self.identity, .multiThreadingInfo,
                         "enabled: \(plan.enabled ? "yes" : "no"), number of threads: \(plan.threads), queue size: \(plan.queueSize)")
            threading.queue = QueueAverages()
            return plan
        }
        guard plan.usesWorkers else { threading.running(plan, stop: nil); return }
        let set = threading.lock.withLock { WorkerSet(server: self, endpoints: endpoints, plan: plan) }
        threading.running(plan, stop: set.map { s in { s.stop() } })
    }
}
