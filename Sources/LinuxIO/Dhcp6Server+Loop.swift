import CShim
import Glibc
import KakapoCore

extension Dhcp6Server {
    public var inputDescriptors: [Int32] { udp.map { [$0.fd] } ?? [] }

    public func readable(_ fd: Int32, now: Now) {
        guard let sock = udp, sock.fd == fd else { return }
        // With a shared database the batch is collected first, to read its rows in one go.
        var batch: [InboundDatagram] = []
        defer { if database != nil { handleShared(batch, now) } }
        for _ in 0..<Dhcp6Server.batchLimit {
            guard let r = sock.receive() else { return }
            // Only what arrives on a served interface is the server's.
            guard let iface = served[r.interfaceIndex] else { continue }
            let d = InboundDatagram(bytes: r.payload, interface: iface.info, source: .v6(r.source),
                                    sourcePort: r.sourcePort, destination: .v6(r.destination))
            guard serving(now: now) else { continue }
            if database != nil { batch.append(d); continue }
            process(engine.handle(datagram: d, now: now), now)
        }
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

    /// The destination port for a reply the engine addresses to the standard ports: -p moves
    /// the server (relay) port, -P the client port.
    func port(for standard: UInt16) -> UInt16 {
        switch standard {
        case 547: options.serverPort
        case 546: options.clientPort
        default: standard
        }
    }

    /// Sends to the engine's destination; a link-local (or link-scoped multicast) destination
    /// is scoped to the interface the engine names.
    public func send(_ d: OutboundDatagram) {
        guard let destination = d.destination.v6 else { return }
        let ok = udp?.send(payload: d.bytes, to: destination, port: port(for: d.destinationPort), ifindex: d.interfaceIndex) ?? false
        if !ok {
            let reason = String(cString: strerror(errno))
            logger.log(.error, "DHCP6_PACKET_SEND_FAIL", "failed to send DHCPv6 packet to \(destination) port \(port(for: d.destinationPort)) on interface \(d.interfaceIndex): \(reason)")
        }
    }
}
