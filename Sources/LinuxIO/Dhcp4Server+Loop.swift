import CShim
import Glibc
import KakapoCore

extension Dhcp4Server {
    /// Kea's kea-dhcp4 log lines for what the daemon shell reports.
    public func log(_ event: DaemonEvent) {
        switch event {
        case .started:
            logger.log(.info, "DHCP4_STARTED", "Kakapo DHCPv4 server version \(Dhcp4Server.version) started")
        case .stopping:
            logger.log(.info, "DHCP4_SHUTDOWN", "server shutdown")
        case .shutdownRequested:
            logger.log(.debug, "DHCP4_SHUTDOWN_REQUEST", "shutdown of server requested", debugLevel: 40)
        case .wallClockStepped(let seconds):
            logger.log(.warn, "DHCP4_CLOCK_STEPPED_BACK", "the system clock stepped by \(seconds) s against the monotonic clock; lease expiry uses wall-clock time, timers are unaffected")
        case .controlSocketFailed(let reason):
            logger.log(.error, "DHCP4_CONFIG_LOAD_FAIL", "configuration error using file: \(options.configPath), reason: failed to open control socket: \(reason)")
        case .pollFailed(let e):
            logger.log(.error, "DHCP4_BUFFER_RECEIVE_FAIL", "error on attempt to receive packet: poll failed: \(String(cString: strerror(e)))")
        }
    }

    public var inputDescriptors: [Int32] { descriptors }

    public func readable(_ fd: Int32, now: Now) {
        guard let idx = socketByFD[fd] else { return }
        if idx == Dhcp4Server.udpToken { drainUDP(now) } else { drainRaw(idx, now) }
    }

    public func endOfTurn(now: Now) { flush(now) }

    public var nextDeadline: MonotonicInstant? { engine.nextDeadline }

    public func deadline(now: Now) {
        process(engine.handleDeadline(now: now), now)
    }

    public var controlSocketPath: String? { loaded.config.controlSocket?.socketName }

    public var leaseFileCleanupInterval: Milliseconds? {
        let i = engine.config.leaseDatabase.lfcIntervalSeconds
        return i > 0 && memfile != nil ? Milliseconds(Int64(i) * 1000) : nil
    }

    func drainRaw(_ idx: Int32, _ now: Now) {
        guard let sock = rawSockets[idx], let iface = served[idx] else { return }
        for _ in 0..<Dhcp4Server.batchLimit {
            guard let r = sock.receive() else { return }
            guard case .datagram(let payload, let src, let sport, let dst, let mac) = r else { continue }
            var d = InboundDatagram(bytes: payload, interface: iface.info, source: src, sourcePort: sport, destination: dst)
            d.linkLayerSource = mac
            process(engine.handle(datagram: d, now: now), now)
        }
    }

    func drainUDP(_ now: Now) {
        guard let sock = udp else { return }
        for _ in 0..<Dhcp4Server.batchLimit {
            guard let r = sock.receive() else { return }
            guard let iface = served[r.interfaceIndex] else { continue }
            // What arrives on a raw-socket interface was read from the raw socket already.
            if rawSockets[r.interfaceIndex] != nil { continue }
            let d = InboundDatagram(bytes: r.payload, interface: iface.info, source: r.source,
                                    sourcePort: r.sourcePort, destination: r.destination)
            process(engine.handle(datagram: d, now: now), now)
        }
    }

    /// Hands one input's effects to the executor: replies wait in it until the turn's lease
    /// writes are on disk (`flush`).
    func process(_ e: Effects4, _ now: Now) {
        executor.execute(e, engine: &engine, port: self, now: now)
    }

    /// Writes every lease change proposed this turn in one write, then settles each
    /// transaction: its replies go out only if the write succeeded. A failed write rolls the
    /// engine back (it logs why) and nothing that depended on it is sent. Rounds repeat while
    /// settling proposes more (bounded: a failed write proposes nothing new).
    func flush(_ now: Now) {
        for _ in 0..<Dhcp4Server.flushRoundsMax {
            guard !unwritten.isEmpty else { return }
            let batch = unwritten
            unwritten = []
            let outcome = memfile?.writeTurn(batch, logger: logger) ?? .durable
            // Undo in reverse order so each rollback restores the row its own proposal saw.
            let failed: Bool
            if case .durable = outcome { failed = false } else { failed = true }
            let order = failed ? batch.reversed() : batch
            for e in order {
                guard let id = e.transaction else { continue }
                executor.settle(id, outcome, engine: &engine, port: self, now: now)
            }
        }
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


    public func cleanUpLeaseFile() {
        memfile?.cleanUp(engine.store.all(), logger: logger)
    }


    /// Re-reads the config file; a broken file is logged and the running config kept.
    public func reload(now: Now) -> (ok: Bool, text: String) {
        logger.log(.info, "DHCP4_DYNAMIC_RECONFIGURATION", "initiate server reconfiguration using file: \(options.configPath), after receiving SIGHUP signal or config-reload command")
        do {
            let l = try ConfigLoader.load(path: options.configPath)
            try apply(l, now: now)
            logger.log(.info, "DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS", "dynamic server reconfiguration succeeded with file: \(options.configPath)")
            return (true, "Configuration successful.")
        } catch {
            logger.log(.fatal, "DHCP4_DYNAMIC_RECONFIGURATION_FAIL", "dynamic server reconfiguration failed with file: \(options.configPath): \(error)")
            return (false, "\(error)")
        }
    }

    /// Swaps a new configuration in whole. Sockets are reopened first so that a bad interface
    /// leaves the old configuration running.
    func apply(_ l: ConfigLoader.Loaded, now: Now) throws(StartError) {
        let oldRaw = rawSockets, oldServed = served
        do { try openSockets(l.config) } catch {
            rawSockets = oldRaw; served = oldServed
            throw error
        }
        let newPath = Dhcp4Server.memfile(for: l.config)?.path
        if newPath != memfile?.path {
            logger.log(.warn, "DHCP4_CONFIG_UNSUPPORTED", "lease-database changes need a restart; keeping \(memfile?.path ?? "no lease file")")
        }
        loaded = l
        logger.apply(l.config.loggers, forceDebug: options.forceDebug)
        engine.reconfigure(l.config, now: now)
        logWarnings(l)
    }
}
