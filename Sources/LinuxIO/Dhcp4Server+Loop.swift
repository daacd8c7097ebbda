import CShim
import Glibc
import KakapoCore

extension Dhcp4Server {
    /// Serves until SIGTERM, SIGINT or the shutdown command. Returns the exit code.
    public func run() -> Int32 {
        logger.log(.info, "DHCP4_STARTED", "Kakapo DHCPv4 server version \(Dhcp4Server.version) started")
        while running {
            var fds: [pollfd] = []
            var kinds: [FDKind] = []
            func add(_ fd: Int32, _ k: FDKind) { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)); kinds.append(k) }
            for (idx, r) in rawSockets { add(r.fd, .raw(idx)) }
            if let u = udp { add(u.fd, .udp) }
            if signalFD >= 0 { add(signalFD, .signal) }
            if let c = control {
                // The listening socket and each connection, with POLLOUT for queued answers.
                for (cfd, events) in c.pollInterests() {
                    fds.append(pollfd(fd: cfd, events: events, revents: 0))
                    kinds.append(.control(cfd))
                }
            }
            let rc = poll(&fds, nfds_t(fds.count), pollTimeout())
            if rc < 0 && errno != EINTR { logger.log(.error, "DHCP4_PACKET_RECEIVE_FAIL", "poll failed: \(String(cString: strerror(errno)))") }
            let now = clock.now()
            if clock.wallSteppedBack {
                logger.log(.warn, "DHCP4_CLOCK_STEPPED_BACK", "the system clock went backwards (now \(now.wall.secondsSinceEpoch)); lease expiry uses wall-clock time, timers are unaffected")
            }
            logger.beginBatch()
            defer { logger.endBatch() }
            if rc > 0 {
                for (i, p) in fds.enumerated() where p.revents != 0 { service(kinds[i], now: now) }
            }
            flush()
            timers(now)
        }
        logger.log(.info, "DHCP4_SHUTDOWN", "server shutdown")
        return 0
    }

    enum FDKind { case raw(Int32), udp, signal, control(Int32) }

    func pollTimeout() -> Int32 {
        let now = clock.now().monotonic
        var wake = now + Milliseconds(1000)
        if let d = engine.nextDeadline, d < wake { wake = d }
        if let l = nextLFC, l < wake { wake = l }
        return Int32(max(0, (wake - now).value))
    }

    func service(_ kind: FDKind, now: Now) {
        switch kind {
        case .raw(let idx): drainRaw(idx, now)
        case .udp: drainUDP(now)
        case .signal: readSignals()
        case .control(let cfd):
            control?.service(fd: cfd, nowMilliseconds: now.monotonic.milliseconds, handler: { [unowned self] text in
                self.answer(text)
            })
        }
    }

    func drainRaw(_ idx: Int32, _ now: Now) {
        guard let sock = rawSockets[idx], let iface = served[idx] else { return }
        for _ in 0..<Dhcp4Server.batchLimit {
            guard let r = sock.receive() else { return }
            guard case .datagram(let payload, let src, let sport, let dst) = r else { continue }
            let d = InboundDatagram(bytes: payload, interface: iface.info, source: src, sourcePort: sport, destination: dst)
            process(engine.handle(datagram: d, now: now))
        }
    }

    func drainUDP(_ now: Now) {
        guard let sock = udp else { return }
        for _ in 0..<Dhcp4Server.batchLimit {
            guard let r = sock.receive() else { return }
            guard let iface = served[r.interfaceIndex] else { continue }
            // Broadcasts and packets from 0.0.0.0 on a raw-socket interface arrive there too.
            if rawSockets[r.interfaceIndex] != nil && (r.destination == .broadcast || r.source.isZero) { continue }
            let d = InboundDatagram(bytes: r.payload, interface: iface.info, source: r.source,
                                    sourcePort: r.sourcePort, destination: r.destination)
            process(engine.handle(datagram: d, now: now))
        }
    }

    func process(_ e: Effects) {
        pending.append(e)
        for ev in e.events {
            let level = ev.severity == .debug ? 40 : 0
            guard logger.isEnabled(ev.severity, debugLevel: level) else { continue }
            let (id, sev, text) = ev.logLine
            logger.log(sev, id, text, component: "dhcp4", debugLevel: level)
        }
    }

    /// Persists the batch's lease changes, then sends its replies. If the lease file cannot be
    /// written, the replies are not sent: nothing is acknowledged that is not stored.
    func flush() {
        defer { pending = Effects() }
        if let m = memfile, !pending.leaseChanges.isEmpty, !m.append(pending.leaseChanges) {
            logger.log(.error, "DHCPSRV_MEMFILE_WRITE_FAIL", "failed to write \(pending.leaseChanges.count) lease change(s) to \(m.path): \(String(cString: strerror(errno))); \(pending.datagrams.count) repl(ies) withheld", component: "dhcpsrv")
            return
        }
        for d in pending.datagrams { send(d) }
    }

    func send(_ d: OutboundDatagram) {
        let raw = rawSockets[d.interfaceIndex]
        var ok = false
        switch d.delivery {
        case .linkLayerUnicast(let mac) where raw != nil:
            ok = raw!.send(payload: d.bytes, source: d.source, destination: d.destination, port: d.destinationPort, mac: mac)
        case .broadcast where raw != nil, .linkLayerUnicast where raw != nil:
            ok = raw!.send(payload: d.bytes, source: d.source, destination: .broadcast, port: d.destinationPort, mac: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        case .broadcast, .linkLayerUnicast:
            ok = udp?.send(payload: d.bytes, to: .broadcast, port: d.destinationPort, source: d.source, ifindex: d.interfaceIndex) ?? false
        case .unicast:
            let port = d.destinationPort == 67 ? options.serverPort : options.clientPort
            ok = udp?.send(payload: d.bytes, to: d.destination, port: port, source: d.source, ifindex: d.interfaceIndex) ?? false
        }
        if !ok {
            logger.log(.error, "DHCP4_PACKET_SEND_FAIL", "failed to send DHCPv4 packet to \(d.destination): \(String(cString: strerror(errno)))")
        }
    }

    func timers(_ now: Now) {
        if let d = engine.nextDeadline, d <= now.monotonic {
            process(engine.handleDeadline(now: now))
            flush()
        }
        if let l = nextLFC, l <= now.monotonic {
            runLFC()
            scheduleLFC(now.monotonic)
        }
        control?.expireStale(nowMilliseconds: now.monotonic.milliseconds)
    }

    func runLFC() {
        guard let m = memfile else { return }
        do {
            try m.cleanup(leases: engine.store.all())
            logger.log(.info, "DHCPSRV_MEMFILE_LFC_EXECUTE", "lease file cleanup of \(m.path) complete: \(engine.store.count) leases", component: "dhcpsrv")
        } catch {
            logger.log(.error, "DHCPSRV_MEMFILE_LFC_SPAWN_FAIL", "lease file cleanup of \(m.path) failed: \(error)", component: "dhcpsrv")
        }
    }

    func readSignals() {
        var info = signalfd_siginfo()
        while read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGHUP:
                logger.log(.info, "DHCP4_DYNAMIC_RECONFIGURATION", "initiate server reconfiguration using file: \(options.configPath), after receiving SIGHUP signal")
                _ = reload()
            case SIGTERM, SIGINT:
                logger.log(.info, "DHCP4_SHUTDOWN_REQUEST", "shutdown of server requested")
                running = false
            default: break
            }
        }
    }

    /// Re-reads the config file; a broken file is logged and the running config kept.
    func reload() -> (Bool, String) {
        do {
            let l = try ConfigLoader.load(path: options.configPath)
            try apply(l)
            logger.log(.info, "DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS", "dynamic server reconfiguration succeeded with file: \(options.configPath)")
            return (true, "Configuration successful.")
        } catch {
            logger.log(.error, "DHCP4_DYNAMIC_RECONFIGURATION_FAIL", "dynamic server reconfiguration failed with file: \(options.configPath): \(error)")
            return (false, "\(error)")
        }
    }

    /// Swaps a new configuration in whole. Sockets are reopened first so that a bad interface
    /// leaves the old configuration running.
    func apply(_ l: ConfigLoader.Loaded) throws(StartError) {
        let oldRaw = rawSockets, oldServed = served
        do { try openSockets(l.config) } catch {
            rawSockets = oldRaw; served = oldServed
            throw error
        }
        try openControlSocket(l.config)
        let newPath = Dhcp4Server.memfile(for: l.config)?.path
        if newPath != memfile?.path {
            logger.log(.warn, "DHCP4_CONFIG_UNSUPPORTED", "lease-database changes need a restart; keeping \(memfile?.path ?? "no lease file")")
        }
        loaded = l
        logger.apply(l.config.loggers, forceDebug: options.forceDebug)
        let now = clock.now()
        engine.reconfigure(l.config, now: now)
        reloadedAt = now.monotonic
        scheduleLFC(now.monotonic)
    }
}
