import CShim
import Glibc
import KakapoCore

/// The UDP server socket (0.0.0.0:port) with IP_PKTINFO, so each datagram says which interface
/// and which local address it came to, and each reply can leave by the same interface.
public final class UDPSocket {
    public let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)
    private var control = [UInt8](repeating: 0, count: 256)

    public init(port: UInt16, bindAddress: IPv4Address = .zero) throws(SocketError) {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket(AF_INET)") }
        var one: Int32 = 1
        let sz = socklen_t(MemoryLayout<Int32>.size)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sz)
        setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sz)
        setsockopt(fd, Int32(IPPROTO_IP), IP_PKTINFO, &one, sz)
        var buf: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sz)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sz)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = bindAddress.value.bigEndian
        let rc = withUnsafePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { let e = SocketError("bind UDP port \(port)"); close(fd); throw e }
        setNonBlocking(fd)
    }

    deinit { close(fd) }

    /// Whether the kernel queues datagrams on this socket. A DHCPv4 server whose every served
    /// interface has a raw socket reads all its traffic there (RawSocket's filter passes every
    /// UDP datagram to the server port), and the kernel would deliver each one a second time
    /// here, only to be read and thrown away: a filter that accepts nothing stops that (the
    /// socket still sends). True again detaches it. Returns false when the kernel refused.
    @discardableResult
    public func setReceiving(_ on: Bool) -> Bool {
        guard on != receiving else { return true }
        let rc: Int32
        if on {
            var unused: Int32 = 0
            rc = setsockopt(fd, SOL_SOCKET, SO_DETACH_FILTER, &unused, socklen_t(MemoryLayout<Int32>.size))
        } else {
            var program = [sock_filter(code: 0x06, jt: 0, jf: 0, k: 0)]   // ret #0: drop
            rc = program.withUnsafeMutableBufferPointer { buf -> Int32 in
                var prog = sock_fprog(len: UInt16(buf.count), filter: buf.baseAddress)
                return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, socklen_t(MemoryLayout<sock_fprog>.size))
            }
        }
        guard rc == 0 else { return false }
        receiving = on
        return true
    }

    /// False while the drop-everything filter is attached (`setReceiving`).
    public private(set) var receiving = true

    public struct Received {
        public var payload: [UInt8]
        public var source: IPv4Address
        public var sourcePort: UInt16
        public var destination: IPv4Address
        public var interfaceIndex: Int32
    }

    /// One datagram, or nil when none is pending.
    public func receive() -> Received? {
        var from = sockaddr_in()
        guard let (n, filled) = receiveMessage(fd: fd, buffer: &buffer, control: &control, source: &from) else { return nil }
        let info = control.withUnsafeBytes { UDPSocket.packetInfo(in: UnsafeRawBufferPointer(rebasing: $0[0..<filled])) }
        return Received(payload: Array(buffer[0..<n]), source: IPv4Address(UInt32(bigEndian: from.sin_addr.s_addr)),
                        sourcePort: UInt16(bigEndian: from.sin_port),
                        destination: info?.destination ?? .zero, interfaceIndex: info?.interfaceIndex ?? 0)
    }

    /// The IP_PKTINFO record of a received control buffer (the bytes recvmsg filled in,
    /// msg_controllen long): the interface the datagram came in on and the destination address
    /// in its IP header. Nil when there is none. Walks the cmsghdr records by hand (the CMSG_*
    /// macros are not visible to Swift); each record starts at a multiple of 8 (CMSG_ALIGN on
    /// 64-bit Linux). A record shorter than its header or longer than the buffer ends the walk
    /// (the kernel shortens a record it truncates, so such a length is never real).
    static func packetInfo(in control: UnsafeRawBufferPointer) -> (interfaceIndex: Int32, destination: IPv4Address)? {
        let hdr = MemoryLayout<cmsghdr>.size
        let infoSize = MemoryLayout<in_pktinfo>.size
        var found: (interfaceIndex: Int32, destination: IPv4Address)? = nil
        var off = 0
        while off + hdr <= control.count {
            let h = control.loadUnaligned(fromByteOffset: off, as: cmsghdr.self)
            let len = Int(clamping: h.cmsg_len)
            guard len >= hdr, len <= control.count - off else { break }
            if h.cmsg_level == IPPROTO_IP && h.cmsg_type == IP_PKTINFO && len >= hdr + infoSize {
                let info = control.loadUnaligned(fromByteOffset: off + hdr, as: in_pktinfo.self)
                found = (info.ipi_ifindex, IPv4Address(UInt32(bigEndian: info.ipi_addr.s_addr)))
            }
            off += (len + 7) & ~7
        }
        return found
    }

    /// Sends from `source` out of interface `ifindex` (IP_PKTINFO), to destination:port.
    public func send(payload: [UInt8], to destination: IPv4Address, port: UInt16, source: IPv4Address, ifindex: Int32) -> Bool {
        var to = UDPSocket.address(destination, port)
        var ctl = UDPSocket.packetInfoControl(source: source, ifindex: ifindex)
        var sent = -1
        payload.withUnsafeBytes { data in
            withUnsafeMutableBytes(of: &ctl) { c in
                withUnsafeMutablePointer(to: &to) { toPtr in
                    var iov = iovec(iov_base: UnsafeMutableRawPointer(mutating: data.baseAddress), iov_len: data.count)
                    withUnsafeMutablePointer(to: &iov) { iovPtr in
                        var msg = msghdr()
                        msg.msg_name = UnsafeMutableRawPointer(toPtr)
                        msg.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
                        msg.msg_iov = iovPtr
                        msg.msg_iovlen = 1
                        msg.msg_control = c.baseAddress
                        msg.msg_controllen = c.count
                        sent = sendmsg(fd, &msg, 0)
                    }
                }
            }
        }
        return sent == payload.count
    }

    static func address(_ destination: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_port = port.bigEndian
        to.sin_addr.s_addr = destination.value.bigEndian
        return to
    }

    /// One IP_PKTINFO record (a cmsghdr and an in_pktinfo, 32 bytes on 64-bit Linux): the
    /// interface to leave by and the source address.
    static func packetInfoControl(source: IPv4Address, ifindex: Int32) -> (UInt64, UInt64, UInt64, UInt64) {
        var ctl: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &ctl) { c in
            let hdr = MemoryLayout<cmsghdr>.size
            var h = cmsghdr()
            h.cmsg_len = hdr + MemoryLayout<in_pktinfo>.size
            h.cmsg_level = Int32(IPPROTO_IP)
            h.cmsg_type = Int32(IP_PKTINFO)
            c.storeBytes(of: h, toByteOffset: 0, as: cmsghdr.self)
            var info = in_pktinfo()
            info.ipi_ifindex = ifindex
            info.ipi_spec_dst.s_addr = source.value.bigEndian
            c.baseAddress!.advanced(by: hdr).copyMemory(from: &info, byteCount: MemoryLayout<in_pktinfo>.size)
        }
        return ctl
    }

    // MARK: batches (recvmmsg, sendmmsg)

    /// Buffers for receiving up to `capacity` datagrams in one call (IP_PKTINFO each).
    static func receiveBatch(capacity: Int) -> MessageBatch { MessageBatch(capacity: capacity, controlSize: 256) }
    /// Buffers for sending up to `capacity` datagrams in one call.
    static func sendBatch(capacity: Int) -> MessageBatch {
        MessageBatch(capacity: capacity, controlSize: MemoryLayout<(UInt64, UInt64, UInt64, UInt64)>.size)
    }

    /// One recvmmsg of up to `limit` datagrams into `batch`; how many came.
    func receive(into batch: MessageBatch, limit: Int) -> Int { batch.receive(fd: fd, limit: limit) }

    /// Datagram `i` of a received batch.
    static func received(_ batch: MessageBatch, _ i: Int) -> Received {
        let from = batch.name(i, as: sockaddr_in.self)
        let info = packetInfo(in: batch.control(i))
        return Received(payload: Array(batch.bytes(i)), source: IPv4Address(UInt32(bigEndian: from.sin_addr.s_addr)),
                        sourcePort: UInt16(bigEndian: from.sin_port),
                        destination: info?.destination ?? .zero, interfaceIndex: info?.interfaceIndex ?? 0)
    }

    /// Stages what `send(payload:to:port:source:ifindex:)` would send; false when `batch` is full.
    func stage(_ batch: MessageBatch, tag: Int, payload: [UInt8], to destination: IPv4Address, port: UInt16,
               source: IPv4Address, ifindex: Int32) -> Bool {
        var to = UDPSocket.address(destination, port)
        var ctl = UDPSocket.packetInfoControl(source: source, ifindex: ifindex)
        return withUnsafeBytes(of: &to) { name in
            withUnsafeBytes(of: &ctl) { control in
                batch.stage(length: payload.count, tag: tag, name: name, control: control) { dst in
                    payload.withUnsafeBytes { dst.copyMemory(from: $0) }
                }
            }
        }
    }

    /// Sends what `batch` holds (sendmmsg); `failed` hears each datagram not sent.
    func transmit(_ batch: MessageBatch, failed: (Int, Int32) -> Void) { batch.send(fd: fd, failed: failed) }
}

/// recvmsg(2) of one datagram into `buffer`, its ancillary data into `control` and its source
/// address into `source` (a sockaddr_in or sockaddr_in6). Returns the payload length and how
/// many control bytes were filled, or nil when nothing is pending. Shared by the IPv4 and IPv6
/// sockets.
func receiveMessage<Address>(fd: Int32, buffer: inout [UInt8], control: inout [UInt8], source: inout Address) -> (Int, Int)? {
    var result: (Int, Int)? = nil
    buffer.withUnsafeMutableBytes { data in
        control.withUnsafeMutableBytes { ctl in
            withUnsafeMutablePointer(to: &source) { fromPtr in
                var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                withUnsafeMutablePointer(to: &iov) { iovPtr in
                    var msg = msghdr()
                    msg.msg_name = UnsafeMutableRawPointer(fromPtr)
                    msg.msg_namelen = socklen_t(MemoryLayout<Address>.size)
                    msg.msg_iov = iovPtr
                    msg.msg_iovlen = 1
                    msg.msg_control = ctl.baseAddress
                    msg.msg_controllen = ctl.count
                    let n = recvmsg(fd, &msg, 0)
                    guard n >= 0 else { return }
                    result = (n, min(Int(msg.msg_controllen), ctl.count))
                }
            }
        }
    }
    return result
}
