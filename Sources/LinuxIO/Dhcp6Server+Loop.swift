import CShim
import Glibc
import KakapoCore

extension Dhcp6Server: PacketServer {
    public func endOfTurn(now: Now) {
        flush(now)
        transmitPending()
    }

    public func withServiceLock(_ body: () -> Void) { threading.lock.withLock(body) }
    public func beforeTurn() { refreshThreading() }
    public func loopEnded() { threading.stop() }

    public var multiThreadingStatus: (threads: Int, queueSize: Int, queueStatistics: [Double])? {
        guard let p = threading.plan, p.enabled else { return nil }
        return (p.threads, p.queueSize, threading.queue.averages)
    }

    public var inputDescriptors: [Int32] { threading.workersRunning ? [] : endpoints.descriptors }

    public func readable(_ fd: Int32, now: Now) {
        // Read and handle batches until the socket is empty or the turn's limit is reached:
        // what arrives while a batch is handled joins this turn (and its one lease write).
        var remaining = Dhcp6Server.batchLimit
        while remaining > 0 {
            var datagrams: [InboundDatagram] = []
            let n = endpoints.read(fd, batch: loopBatches.receive, limit: remaining, into: &datagrams)
            if n == 0 { break }
            remaining -= n
            if !datagrams.isEmpty { handle(datagrams, now: now) }
        }
    }

    /// The socket as it is now (see `PacketEndpoints`).
    var endpoints: Endpoints6 {
        if let e = endpointsCache { return e }
        let e = Endpoints6(udp: udp, served: served, serverPort: options.serverPort, clientPort: options.clientPort)
        endpointsCache = e
        return e
    }

    /// One batch's datagrams, in the order read. With a shared database the batch is
    /// collected first, to read its rows in one go.
    func handle(_ datagrams: [InboundDatagram], now: Now) {
        var batch: [InboundDatagram] = []
        for d in datagrams {
            guard serving(now: now) else { continue }
            if database != nil { batch.append(d); continue }
            process(engine.handle(datagram: d, now: now), now)
        }
        if database != nil { handleShared(batch, now) }
    }

    public var nextDeadline: MonotonicInstant? {
        guard let r = database?.nextDeadline else { return withServiceDeadline(engine.nextDeadline) }
        guard let e = engine.nextDeadline else { return withServiceDeadline(r) }
        return withServiceDeadline(min(r, e))
    }

    public func deadline(now: Now) {
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

    /// Hands one input's effects to the executor: replies wait in it until the turn's lease
    /// writes are on disk (`flush`).
    func process(_ e: Effects6, _ now: Now) {
        executor.execute(e, engine: &engine, port: self, now: now)
    }

    /// A reply waits for the end of the turn (`transmitPending`), to leave with the others.
    public func send(_ d: OutboundDatagram) { outbound.append(d) }

    func logSendFailure(_ d: OutboundDatagram, _ code: Int32) {
        let reason = String(cString: strerror(code))
        let port = endpoints.port(for: d.destinationPort)
        logger.log(.error, "DHCP6_PACKET_SEND_FAIL", "failed to send DHCPv6 packet to \(d.destination) port \(port) on interface \(d.interfaceIndex): \(reason)")
    }
}
