import CShim
import Glibc
import KakapoCore

extension Dhcp4Server: PacketServer {
    // DaemonService, by way of PacketServer (PacketServer.swift).
    public func endOfTurn(now: Now) { finishTurn(now: now) }
    public func withServiceLock(_ body: () -> Void) { threading.lock.withLock(body) }
    public func beforeTurn() { refreshThreading() }
    public func loopEnded() { threading.stop() }
    public var multiThreadingStatus: (threads: Int, queueSize: Int, queueStatistics: [Double])? { threadingStatus }
    public var inputDescriptors: [Int32] { loopDescriptors }
    public func readable(_ fd: Int32, now: Now) { drain(fd, now: now) }
    public var nextDeadline: MonotonicInstant? { earliestDeadline }
    public func deadline(now: Now) { runDeadlines(now: now) }

    /// The sockets as they are now (see `PacketEndpoints`).
    var endpoints: Endpoints4 {
        if let e = endpointsCache { return e }
        let e = Endpoints4(raw: rawSockets, udp: udp, served: served, socketByFD: socketByFD, descriptors: descriptors,
                           serverPort: options.serverPort, clientPort: options.clientPort)
        endpointsCache = e
        return e
    }

    /// A reply waits for the end of the turn (`transmitPending`), to leave with the others.
    public func send(_ d: OutboundDatagram) { outbound.append(d) }

    func logSendFailure(_ d: OutboundDatagram, _ code: Int32) {
        let reason = String(cString: strerror(code))
        let label = (try? DHCPv4Message.decode(d.bytes).get()).map { ClientLabel($0).description } ?? "[no hwaddr info], cid=[no info], tid=0x0"
        logger.log(.error, "DHCP4_PACKET_SEND_FAIL", "\(label): failed to send DHCPv4 packet: \(reason) (destination \(d.destination))")
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
        // Workers restart (with the new sockets and plan) before the loop's next turn.
        threading.stale = true
    }
}
