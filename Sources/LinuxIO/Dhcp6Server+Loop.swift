import CShim
import Glibc
import KakapoCore

extension Dhcp6Server: PacketServer {
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

    /// The socket as it is now (see `PacketEndpoints`).
    var endpoints: Endpoints6 {
        if let e = endpointsCache { return e }
        let e = Endpoints6(udp: udp, served: served, serverPort: options.serverPort, clientPort: options.clientPort)
        endpointsCache = e
        return e
    }

    /// A reply waits for the end of the turn (`transmitPending`), to leave with the others.
    public func send(_ d: OutboundDatagram) { outbound.append(d) }

    func logSendFailure(_ d: OutboundDatagram, _ code: Int32) {
        let reason = String(cString: strerror(code))
        let port = endpoints.port(for: d.destinationPort)
        logger.log(.error, "DHCP6_PACKET_SEND_FAIL", "failed to send DHCPv6 packet to \(d.destination) port \(port) on interface \(d.interfaceIndex): \(reason)")
    }
}
