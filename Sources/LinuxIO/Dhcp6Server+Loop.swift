import CShim
import Glibc
import KakapoCore

extension Dhcp6Server {
    /// Kea's kea-dhcp6 log lines for what the daemon shell reports.
    public func log(_ event: DaemonEvent) {
        switch event {
        case .started:
            logger.log(.info, "DHCP6_STARTED", "Kakapo DHCPv6 server version \(Dhcp6Server.version) started")
        case .stopping:
            logger.log(.info, "DHCP6_SHUTDOWN", "server shutdown")
        case .shutdownRequested:
            logger.log(.debug, "DHCP6_SHUTDOWN_REQUEST", "shutdown of server requested", debugLevel: 40)
        case .wallClockStepped(let seconds):
            logger.log(.warn, "DHCP6_CLOCK_STEPPED_BACK", "the system clock stepped by \(seconds) s against the monotonic clock; lease expiry uses wall-clock time, timers are unaffected")
        case .controlSocketFailed(let reason):
            logger.log(.error, "DHCP6_CONFIG_LOAD_FAIL", "configuration error using file: \(options.configPath), reason: failed to open control socket: \(reason)")
        case .pollFailed(let e):
            logger.log(.error, "DHCP6_BUFFER_RECEIVE_FAIL", "error on attempt to receive packet: poll failed: \(String(cString: strerror(e)))")
        }
    }

    public var inputDescriptors: [Int32] { udp.map { [$0.fd] } ?? [] }

    public func readable(_ fd: Int32, now: Now) {
        guard let sock = udp, sock.fd == fd else { return }
        for _ in 0..<Dhcp6Server.batchLimit {
            guard let r = sock.receive() else { return }
            // Only what arrives on a served interface is the server's.
            guard let iface = served[r.interfaceIndex] else { continue }
            let d = InboundDatagram(bytes: r.payload, interface: iface.info, source: .v6(r.source),
                                    sourcePort: r.sourcePort, destination: .v6(r.destination))
            process(engine.handle(datagram: d, now: now), now)
        }
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

    public func cleanUpLeaseFile() {
        memfile?.cleanUp(engine.store.all(), logger: logger)
    }

    /// Hands one input's effects to the executor: replies wait in it until the turn's lease
    /// writes are on disk (`flush`).
    func process(_ e: Effects6, _ now: Now) {
        executor.execute(e, engine: &engine, port: self, now: now)
    }

    /// The turn's lease changes in one write, then each transaction settled (see
    /// `Dhcp4Server.flush`): replies leave only once their writes are durable.
    func flush(_ now: Now) {
        for _ in 0..<Dhcp6Server.flushRoundsMax {
            guard !unwritten.isEmpty else { return }
            let batch = unwritten
            unwritten = []
            let outcome = memfile?.writeTurn(batch, logger: logger) ?? .durable
            let failed: Bool
            if case .durable = outcome { failed = false } else { failed = true }
            for e in failed ? batch.reversed() : batch {
                guard let id = e.transaction else { continue }
                executor.settle(id, outcome, engine: &engine, port: self, now: now)
            }
        }
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
}

/// The daemon as the executor sees it: the memfile, the socket and the logger.
extension Dhcp6Server: EffectPort {
    public func persist(_ effects: Effects6) -> WriteOutcome6? {
        guard memfile != nil else { return .durable }
        unwritten.append(effects)
        return nil
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

    /// The engine's decisions (`Engine6Event`), under kea-dhcp6.dhcp6. Generic so that it
    /// compiles whatever cases the event type has (none yet).
    public func log<Event: LoggableEvent>(_ ev: Event) {
        logger.log(event: ev, component: "dhcp6")
    }
}
