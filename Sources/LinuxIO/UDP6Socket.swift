import CShim
import Glibc
import KakapoCore

/// An IPv6 UDP server socket ([::]:port, v6 only) with IPV6_PKTINFO, for DHCPv6 (RFC 8415:
/// servers listen on 547 and join All_DHCP_Relay_Agents_and_Servers, ff02::1:2, on each
/// interface they serve). Each datagram says which interface and which local address it came
/// to; each reply leaves by the interface it names. Non-blocking, driven by the daemon's loop.
public final class UDP6Socket {
    public let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)
    private var control = [UInt8](repeating: 0, count: 256)

    /// Linux's values (linux/in6.h); glibc hides them behind _GNU_SOURCE.
    static let ipv6RecvPacketInfo: Int32 = 49
    static let ipv6PacketInfo: Int32 = 50
    static let ipv6JoinGroup: Int32 = 20
    static let ipv6V6Only: Int32 = 26
    static let ipv6MulticastLoop: Int32 = 19
    /// ff02::1:2, All_DHCP_Relay_Agents_and_Servers.
    public static let allRelayAgentsAndServers = IPv6Address(high: 0xFF02_0000_0000_0000, low: 0x0000_0000_0001_0002)

    /// `bindAddress`: a local address to receive on alone (a relay's, for `kakapo-sim load -6`;
    /// also the source of what it sends), or :: for every address.
    public init(port: UInt16, bindAddress: IPv6Address = .unspecified) throws(SocketError) {
        fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket(AF_INET6)") }
        var one: Int32 = 1
        let sz = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sz)
        setsockopt(fd, Int32(IPPROTO_IPV6), UDP6Socket.ipv6V6Only, &one, sz)
        setsockopt(fd, Int32(IPPROTO_IPV6), UDP6Socket.ipv6RecvPacketInfo, &one, sz)
        var buf: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sz)
        var sin = sockaddr_in6()
        sin.sin6_family = sa_family_t(AF_INET6)
        sin.sin6_port = port.bigEndian
        let local = bindAddress.bytes
        withUnsafeMutableBytes(of: &sin.sin6_addr) { for i in 0..<16 { $0[i] = local[i] } }
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard rc == 0 else { let e = SocketError("bind UDP6 port \(port)"); close(fd); throw e }
        setNonBlocking(fd)
    }

    deinit { close(fd) }

    /// Joins a multicast group on one interface (ff02::1:2 for a DHCPv6 server).
    public func join(group: IPv6Address, interfaceIndex: Int32) throws(SocketError) {
        var req = [UInt8](repeating: 0, count: 20)   // struct ipv6_mreq { in6_addr; unsigned int ifindex; }
        req.replaceSubrange(0..<16, with: group.bytes)
        withUnsafeBytes(of: UInt32(bitPattern: interfaceIndex)) { req.replaceSubrange(16..<20, with: $0) }
        let rc = req.withUnsafeBytes { setsockopt(fd, Int32(IPPROTO_IPV6), UDP6Socket.ipv6JoinGroup, $0.baseAddress, socklen_t($0.count)) }
        guard rc == 0 else { throw SocketError("join \(group) on interface \(interfaceIndex)") }
    }

    public struct Received {
        public var payload: [UInt8]
        public var source: IPv6Address
        public var sourcePort: UInt16
        public var destination: IPv6Address
        public var interfaceIndex: Int32
    }

    /// One datagram, or nil when none is pending.
    public func receive() -> Received? {
        var from = sockaddr_in6()
        guard let (n, filled) = receiveMessage(fd: fd, buffer: &buffer, control: &control, source: &from) else { return nil }
        let info = control.withUnsafeBytes { UDP6Socket.packetInfo(in: UnsafeRawBufferPointer(rebasing: $0[0..<filled])) }
        let source = withUnsafeBytes(of: from.sin6_addr) { IPv6Address(bytes: $0) }
        return Received(payload: Array(buffer[0..<n]), source: source, sourcePort: UInt16(bigEndian: from.sin6_port),
                        destination: info?.destination ?? .unspecified, interfaceIndex: info?.interfaceIndex ?? 0)
    }

    /// The IPV6_PKTINFO record (struct in6_pktinfo: 16-byte address, then the interface
    /// index) of a received control buffer, walked as `UDPSocket.packetInfo` walks IPv4's.
    static func packetInfo(in control: UnsafeRawBufferPointer) -> (interfaceIndex: Int32, destination: IPv6Address)? {
        let hdr = MemoryLayout<cmsghdr>.size
        let infoSize = 20
        var found: (interfaceIndex: Int32, destination: IPv6Address)? = nil
        var off = 0
        while off + hdr <= control.count {
            let h = control.loadUnaligned(fromByteOffset: off, as: cmsghdr.self)
            let len = Int(clamping: h.cmsg_len)
            guard len >= hdr, len <= control.count - off else { break }
            if h.cmsg_level == IPPROTO_IPV6 && h.cmsg_type == UDP6Socket.ipv6PacketInfo && len >= hdr + infoSize {
                let address = IPv6Address(bytes: UnsafeRawBufferPointer(rebasing: control[(off + hdr)..<(off + hdr + 16)]))
                let index = control.loadUnaligned(fromByteOffset: off + hdr + 16, as: UInt32.self)
                found = (Int32(bitPattern: index), address)
            }
            off += (len + 7) & ~7
        }
        return found
    }

    /// Sends to destination:port out of interface `ifindex` (the scope of a link-local
    /// destination, and the multicast interface).
    public func send(payload: [UInt8], to destination: IPv6Address, port: UInt16, ifindex: Int32) -> Bool {
        var to = UDP6Socket.address(destination, port, ifindex)
        let n = payload.withUnsafeBytes { data in
            withUnsafePointer(to: &to) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, data.baseAddress, data.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        return n == payload.count
    }

    static func address(_ destination: IPv6Address, _ port: UInt16, _ ifindex: Int32) -> sockaddr_in6 {
        var to = sockaddr_in6()
        to.sin6_family = sa_family_t(AF_INET6)
        to.sin6_port = port.bigEndian
        to.sin6_scope_id = UInt32(bitPattern: ifindex)
        let bytes = destination.bytes
        withUnsafeMutableBytes(of: &to.sin6_addr) { for i in 0..<16 { $0[i] = bytes[i] } }
        return to
    }

    // MARK: batches (recvmmsg, sendmmsg)

    /// Buffers for receiving up to `capacity` datagrams in one call (IPV6_PKTINFO each).
    static func receiveBatch(capacity: Int) -> MessageBatch { MessageBatch(capacity: capacity, controlSize: 256) }
    /// Buffers for sending up to `capacity` datagrams in one call.
    static func sendBatch(capacity: Int) -> MessageBatch { MessageBatch(capacity: capacity) }

    /// One recvmmsg of up to `limit` datagrams into `batch`; how many came.
    func receive(into batch: MessageBatch, limit: Int) -> Int { batch.receive(fd: fd, limit: limit) }

    /// Datagram `i` of a received batch.
    static func received(_ batch: MessageBatch, _ i: Int) -> Received {
        let from = batch.name(i, as: sockaddr_in6.self)
        let info = packetInfo(in: batch.control(i))
        let source = withUnsafeBytes(of: from.sin6_addr) { IPv6Address(bytes: $0) }
        return Received(payload: Array(batch.bytes(i)), source: source, sourcePort: UInt16(bigEndian: from.sin6_port),
                        destination: info?.destination ?? .unspecified, interfaceIndex: info?.interfaceIndex ?? 0)
    }

    /// Stages what `send(payload:to:port:ifindex:)` would send; false when `batch` is full.
    func stage(_ batch: MessageBatch, tag: Int, payload: [UInt8], to destination: IPv6Address, port: UInt16, ifindex: Int32) -> Bool {
        var to = UDP6Socket.address(destination, port, ifindex)
        return withUnsafeBytes(of: &to) { name in
            batch.stage(length: payload.count, tag: tag, name: name, control: nil) { dst in
                payload.withUnsafeBytes { dst.copyMemory(from: $0) }
            }
        }
    }

    /// Sends what `batch` holds (sendmmsg); `failed` hears each datagram not sent.
    func transmit(_ batch: MessageBatch, failed: (Int, Int32) -> Void) { batch.send(fd: fd, failed: failed) }
}
