import CShim
import Glibc
import KakapoCore

/// The DHCP-DDNS client of a DHCP server (Kea's D2ClientMgr with its NameChangeUDPSender):
/// one non-blocking UDP socket bound to `sender-ip`:`sender-port`, sending each name change
/// request in Kea's wire format (two-octet length, JSON) to `server-ip`:`server-port`.
/// Requests wait in a queue of at most `max-queue-size`; a request that finds it full is
/// rejected and logged as Kea logs it. Nothing here ever blocks the daemon's loop: a send the
/// kernel cannot take at once (EAGAIN) stays queued for the next attempt (the next request,
/// or the next loop deadline); any other failure drops the request, logged and counted.
public final class NameChangeSender {
    public let settings: DDNSSettings
    let logger: Logger
    /// Whether kakapo-dhcp6 owns it (its "request could not be sent" log ID is DHCP6_'s).
    let v6: Bool
    private let fd: Int32
    private var queue: [NameChangeRequest] = []
    private var head = 0
    /// Requests sent, rejected on a full queue, and failed in the kernel.
    public private(set) var sentCount = 0, rejectedCount = 0, failedCount = 0

    /// Opens the socket; nil (logged) when it cannot be opened or bound.
    public init?(settings: DDNSSettings, logger: Logger, v6: Bool = false) {
        self.settings = settings
        self.logger = logger
        self.v6 = v6
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            logger.log(.error, "DHCPSRV_DHCP_DDNS_ERROR_EXCEPTION",
                       "error handling DHCP_DDNS communications: cannot open the UDP socket: \(String(cString: strerror(errno)))")
            return nil
        }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = settings.senderPort.bigEndian
        sin.sin_addr.s_addr = (IPv4Address(settings.senderIP) ?? .zero).value.bigEndian
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            logger.log(.error, "DHCPSRV_DHCP_DDNS_ERROR_EXCEPTION",
                       "error handling DHCP_DDNS communications: cannot bind \(settings.senderIP.isEmpty ? "0.0.0.0" : settings.senderIP) port \(settings.senderPort): \(String(cString: strerror(errno)))")
            close(fd)
            return nil
        }
        logger.log(.info, "DHCPSRV_DHCP_DDNS_SENDER_STARTED",
                   "NameChangeRequest sender has been started: ip address: \(settings.serverIP), port: \(settings.serverPort), protocol: UDP")
    }

    deinit {
        close(fd)
        logger.log(.info, "DHCPSRV_DHCP_DDNS_SENDER_STOPPED", "NameChangeRequest sender has been stopped.")
    }

    /// Requests waiting to be sent.
    public var pending: Int { queue.count - head }

    /// Queues each request (or rejects it when the queue is full), then sends what it can.
    public func submit(_ requests: [NameChangeRequest]) {
        for ncr in requests {
            if pending >= Int(settings.maxQueueSize) {
                rejectedCount += 1
                let error = "send queue has reached maximum capacity: \(settings.maxQueueSize)"
                logger.log(.error, "DHCPSRV_DHCP_DDNS_NCR_REJECTED", "NameChangeRequest rejected by the sender: \(error), ncr: \(ncr.jsonText)")
                logSendFailed(error, ncr)
                continue
            }
            queue.append(ncr)
        }
        flush()
    }

    /// Sends queued requests until the queue is empty or the socket would block.
    public func flush() {
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_port = settings.serverPort.bigEndian
        to.sin_addr.s_addr = settings.serverIP.value.bigEndian
        while head < queue.count {
            let ncr = queue[head]
            let wire = ncr.wire
            let n = wire.withUnsafeBytes { data in
                withUnsafePointer(to: &to) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, data.baseAddress, data.count, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) { break }
            head += 1
            if n == wire.count {
                sentCount += 1
                logger.log(.debug, "DHCPSRV_DHCP_DDNS_NCR_SENT", "NameChangeRequest sent to kea-dhcp-ddns: \(ncr.jsonText)", debugLevel: 50)
            } else {
                failedCount += 1
                let error = n < 0 ? String(cString: strerror(errno)) : "short send (\(n) of \(wire.count) octets)"
                logSendFailed(error, ncr)
            }
        }
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1024 {
            queue.removeFirst(head)
            head = 0
        }
    }

    private func logSendFailed(_ error: String, _ ncr: NameChangeRequest) {
        let text = "failed sending a request to kea-dhcp-ddns, error: \(error),  ncr: \(ncr.jsonText)"
        if v6 { logger.log(.error, "DHCP6_DDNS_REQUEST_SEND_FAILED", text) } else { logger.log(.error, "DHCP4_DDNS_REQUEST_SEND_FAILED", text) }
    }
}
