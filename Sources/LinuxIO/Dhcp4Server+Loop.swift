import CShim
import Glibc
import KakapoCore

extension Dhcp4Server {
    public var inputDescriptors: [Int32] { descriptors }

    public func readable(_ fd: Int32, now: Now) {
        guard let idx = socketByFD[fd] else { return }
        if idx == Dhcp4Server.udpToken { drainUDP(now) } else { drainRaw(idx, now) }
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

    func drainRaw(_ idx: Int32, _ now: Now) {
        guard let sock = rawSockets[idx], let iface = served[idx] else { return }
        // With a shared database the batch is collected first, to read its rows in one go.
        var batch: [InboundDatagram] = []
        defer { if database != nil { handleShared(batch, now) } }
        for _ in 0..<Dhcp4Server.batchLimit {
            guard let r = sock.receive() else { return }
            guard case .datagram(let payload, let src, let sport, let dst, let mac) = r else { continue }
            var d = InboundDatagram(bytes: payload, interface: iface.info, source: src, sourcePort: sport, destination: dst)
            d.linkLayerSource = mac
            guard serving(now: now) else { continue }
            if database != nil { batch.append(d); continue }
            process(engine.handle(datagram: d, now: now), now)
        }
    }

    func drainUDP(_ now: Now) {
        guard let sock = udp else { return }
        var batch: [InboundDatagram] = []
        defer { if database != nil { handleShared(batch, now) } }
        for _ in 0..<Dhcp4Server.batchLimit {
            guard let r = sock.receive() else { return }
            guard let iface = served[r.interfaceIndex] else { continue }
            // What arrives on a raw-socket interface was read from the raw socket already.
            if rawSockets[r.interfaceIndex] != nil { continue }
            let d = InboundDatagram(bytes: r.payload, interface: iface.info, source: r.source,
                                    sourcePort: r.sourcePort, destination: r.destination)
            guard serving(now: now) else { continue }
            if database != nil { batch.append(d); continue }
            process(engine.handle(datagram: d, now: now), now)
        }
    }

    /// Hands one input's effects to the executor: replies wait in it until the turn's lease
    /// writes are on disk (`flush`).
    func process(_ e: Effects4, _ now: Now) {
        executor.execute(e, engine: &engine, port: self, now: now)
    }

    public func send(_ d: OutboundDatagram) {
        // A DHCPv4 server's datagrams are IPv4 both ends.
        guard let source = d.source.v4, let destination = d.destination.v4 else { return }
        let raw = rawSockets[d.interfaceIndex]
        var ok = false
        switch d.delivery {
        case .linkLayerUnicast(let mac) where raw != nil:
            // To a relay (port 67) or a client (68): the -p/-P test ports apply.
            let port = d.destinationPort == 67 ? options.serverPort : options.clientPort
            ok = raw!.send(payload: d.bytes, source: source, destination: destination, port: port, mac: mac)
        case .broadcast where raw != nil, .linkLayerUnicast where raw != nil:
            ok = raw!.send(payload: d.bytes, source: source, destination: .broadcast, port: d.destinationPort, mac: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        case .broadcast, .linkLayerUnicast:
            ok = udp?.send(payload: d.bytes, to: .broadcast, port: d.destinationPort, source: source, ifindex: d.interfaceIndex) ?? false
        case .unicast:
            let port = d.destinationPort == 67 ? options.serverPort : options.clientPort
            ok = udp?.send(payload: d.bytes, to: destination, port: port, source: source, ifindex: d.interfaceIndex) ?? false
        }
        if !ok {
            let reason = String(cString: strerror(errno))
            let label = (try? DHCPv4Message.decode(d.bytes).get()).map { ClientLabel($0).description } ?? "[no hwaddr info], cid=[no info], tid=0x0"
            logger.log(.error, "DHCP4_PACKET_SEND_FAIL", "\(label): failed to send DHCPv4 packet: \(reason) (destination \(d.destination))")
        }
    }


    /// Swaps a new configuration in whole. Sockets are reopened first so that a bad interface
    /// leaves the old configuration running.
    public func apply(_ l: ConfigLoader.Loaded, now: Now) throws(ServerStartError) {
        let oldRaw = rawSockets, oldServed = served
        do { try openSockets(l.config) } catch {
            rawSockets = oldRaw; served = oldServed
            throw error
        }
        warnIfLeaseDatabaseChanged(l)
        loaded = l
        logger.apply(l.config.loggers, forceDebug: options.forceDebug)
        engine.reconfigure(l.config, now: now)
        startNameChangeSender(l.config.ddns)
        logWarnings(l)
    }
}
