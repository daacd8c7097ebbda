import Glibc
import CShim
import KakapoCore

/// An AF_PACKET socket on one interface. It receives DHCP broadcasts from clients that have no
/// address yet and sends replies at layer 2 to the client's MAC, so no ARP entry is needed.
/// A BPF filter passes every unfragmented UDP datagram to the server port, broadcast or
/// unicast, as Kea's LPF filter does: a request that arrives here is answered from here, at
/// layer 2 to the frame's source MAC, so a reply to a relay (giaddr) or to a client's ciaddr
/// needs no ARP. (The kernel also hands the unicast ones to the UDP socket, which discards what
/// arrives on raw-socket interfaces.)
public final class RawSocket {
    public let fd: Int32
    public let interface: SystemInterface
    let serverPort: UInt16
    let clientPort: UInt16
    private var buffer = [UInt8](repeating: 0, count: 65536)

    public init(interface: SystemInterface, serverPort: UInt16, clientPort: UInt16) throws(SocketError) {
        self.interface = interface
        self.serverPort = serverPort
        self.clientPort = clientPort
        let proto = UInt16(ETH_P_IP).bigEndian
        fd = socket(AF_PACKET, Int32(SOCK_RAW.rawValue), Int32(proto))
        guard fd >= 0 else { throw SocketError("socket(AF_PACKET) on \(interface.name)") }
        try attachFilter()
        var ll = sockaddr_ll()
        ll.sll_family = UInt16(AF_PACKET)
        ll.sll_protocol = proto
        ll.sll_ifindex = interface.index
        let rc = withUnsafePointer(to: &ll) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size)) }
        }
        guard rc == 0 else { close(fd); throw SocketError("bind AF_PACKET to \(interface.name)") }
        setNonBlocking(fd)
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Classic BPF: IPv4, UDP, not a fragment, destination port = server port.
    private func attachFilter() throws(SocketError) {
        let port = UInt32(serverPort)
        var program: [sock_filter] = [
            sock_filter(code: 0x28, jt: 0, jf: 0, k: 12),          // ldh [12] ethertype
            sock_filter(code: 0x15, jt: 0, jf: 7, k: 0x0800),      // IPv4?
            sock_filter(code: 0x30, jt: 0, jf: 0, k: 23),          // ldb [23] protocol
            sock_filter(code: 0x15, jt: 0, jf: 5, k: 17),          // UDP?
            sock_filter(code: 0x28, jt: 0, jf: 0, k: 20),          // ldh [20] fragment
            sock_filter(code: 0x45, jt: 3, jf: 0, k: 0x1FFF),      // fragment -> drop
            sock_filter(code: 0xB1, jt: 0, jf: 0, k: 14),          // x = ip header length
            sock_filter(code: 0x48, jt: 0, jf: 0, k: 16),          // ldh [x+16] udp dst port
            sock_filter(code: 0x15, jt: 1, jf: 0, k: port),        // server port -> accept
            sock_filter(code: 0x06, jt: 0, jf: 0, k: 0),           // drop
            sock_filter(code: 0x06, jt: 0, jf: 0, k: 0x40000),     // accept
        ]
        let rc = program.withUnsafeMutableBufferPointer { buf -> Int32 in
            var prog = sock_fprog(len: UInt16(buf.count), filter: buf.baseAddress)
            return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, socklen_t(MemoryLayout<sock_fprog>.size))
        }
        guard rc == 0 else { throw SocketError("SO_ATTACH_FILTER on \(interface.name)") }
    }

    /// Reads one frame; nil when nothing is pending. Frames that are not well-formed
    /// IPv4/UDP to the server port are skipped (returned as `.skip`); see EthernetFrame.parse.
    public func receive() -> RawReceive? {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { return nil }
        guard let d = EthernetFrame.parse(buffer, count: n, serverPort: serverPort) else { return .skip }
        return .datagram(payload: d.payload, source: d.source, sourcePort: d.sourcePort, destination: d.destination,
                         sourceMAC: d.sourceMAC)
    }

    public enum RawReceive {
        case datagram(payload: [UInt8], source: IPv4Address, sourcePort: UInt16, destination: IPv4Address, sourceMAC: [UInt8])
        case skip
    }

    /// Sends a UDP datagram in an Ethernet frame to `mac` (broadcast MAC for broadcasts).
    public func send(payload: [UInt8], source: IPv4Address, destination: IPv4Address, port: UInt16, mac: [UInt8]) -> Bool {
        let frame = frame(payload: payload, source: source, destination: destination, port: port, mac: mac)
        var ll = linkAddress(mac)
        let rc = frame.withUnsafeBytes { buf in
            withUnsafePointer(to: &ll) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buf.baseAddress, buf.count, 0, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
                }
            }
        }
        return rc == frame.count
    }

    func frame(payload: [UInt8], source: IPv4Address, destination: IPv4Address, port: UInt16, mac: [UInt8]) -> [UInt8] {
        EthernetFrame.build(payload: payload, srcMAC: interface.macAddress, dstMAC: mac,
                            source: source, destination: destination,
                            sourcePort: serverPort, destinationPort: port)
    }

    func linkAddress(_ mac: [UInt8]) -> sockaddr_ll {
        var ll = sockaddr_ll()
        ll.sll_family = UInt16(AF_PACKET)
        ll.sll_protocol = UInt16(ETH_P_IP).bigEndian
        ll.sll_ifindex = interface.index
        ll.sll_halen = 6
        withUnsafeMutableBytes(of: &ll.sll_addr) { dst in
            for i in 0..<min(6, mac.count) { dst[i] = mac[i] }
        }
        return ll
    }

    // MARK: batches (recvmmsg, sendmmsg)

    /// Buffers for up to `capacity` frames in one call.
    static func batch(capacity: Int) -> MessageBatch { MessageBatch(capacity: capacity, slotSize: 65536 + 64) }

    /// One recvmmsg of up to `limit` frames into `batch`; how many came.
    func receive(into batch: MessageBatch, limit: Int) -> Int { batch.receive(fd: fd, limit: limit) }

    /// Frame `i` of a received batch, as `receive()` returns it.
    func received(_ batch: MessageBatch, _ i: Int) -> RawReceive {
        let bytes = Array(batch.bytes(i))
        guard let d = EthernetFrame.parse(bytes, count: bytes.count, serverPort: serverPort) else { return .skip }
        return .datagram(payload: d.payload, source: d.source, sourcePort: d.sourcePort, destination: d.destination,
                         sourceMAC: d.sourceMAC)
    }

    /// Stages what `send(payload:source:destination:port:mac:)` would send; false when
    /// `batch` is full.
    func stage(_ batch: MessageBatch, tag: Int, payload: [UInt8], source: IPv4Address, destination: IPv4Address,
               port: UInt16, mac: [UInt8]) -> Bool {
        let frame = frame(payload: payload, source: source, destination: destination, port: port, mac: mac)
        var ll = linkAddress(mac)
        return withUnsafeBytes(of: &ll) { name in
            batch.stage(length: frame.count, tag: tag, name: name, control: nil) { dst in
                frame.withUnsafeBytes { dst.copyMemory(from: $0) }
            }
        }
    }

    /// Sends what `batch` holds (sendmmsg); `failed` hears each frame not sent.
    func transmit(_ batch: MessageBatch, failed: (Int, Int32) -> Void) { batch.send(fd: fd, failed: failed) }
}

/// A failed system call, with errno text.
public struct SocketError: Error, CustomStringConvertible {
    public var description: String
    public init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

func setNonBlocking(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFL, 0)
    _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
}
