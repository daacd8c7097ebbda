import CShim
import Glibc
import KakapoCore

/// A plain non-blocking UDP socket of either family, for kakapo-dhcp-ddns: the request socket
/// bound to `ip-address`:`port`, and the DNS socket, dual-stack on [::]:ephemeral so that one
/// socket reaches IPv4 servers (as ::ffff:a.b.c.d) and IPv6 ones. Falls back to IPv4 alone when
/// the system has no IPv6.
public final class DatagramSocket {
    public let fd: Int32
    let isIPv6: Bool
    private var buffer = [UInt8](repeating: 0, count: 65536)

    /// A socket bound to `address`:`port`.
    public init(bindTo address: IPAddress, port: UInt16) throws(SocketError) {
        switch address {
        case .v4(let a):
            fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("socket(AF_INET)") }
            isIPv6 = false
            var sin = Self.sockaddr4(a, port)
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard rc == 0 else { let e = SocketError("bind \(a) port \(port)"); close(fd); throw e }
        case .v6(let a):
            fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("socket(AF_INET6)") }
            isIPv6 = true
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_IPV6), UDP6Socket.ipv6V6Only, &one, socklen_t(MemoryLayout<Int32>.size))
            var sin = Self.sockaddr6(a.bytes, port)
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            guard rc == 0 else { let e = SocketError("bind [\(a)] port \(port)"); close(fd); throw e }
        }
        setNonBlocking(fd)
    }

    /// The DNS client socket: dual-stack [::]:0, or 0.0.0.0:0 without IPv6.
    public init(client: Void = ()) throws(SocketError) {
        var s = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if s >= 0 {
            var zero: Int32 = 0
            setsockopt(s, Int32(IPPROTO_IPV6), UDP6Socket.ipv6V6Only, &zero, socklen_t(MemoryLayout<Int32>.size))
            var sin = Self.sockaddr6([UInt8](repeating: 0, count: 16), 0)
            let rc = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
            if rc == 0 {
                fd = s
                isIPv6 = true
                setNonBlocking(fd)
                return
            }
            close(s)
        }
        s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { throw SocketError("socket(AF_INET)") }
        fd = s
        isIPv6 = false
        setNonBlocking(fd)
    }

    deinit { close(fd) }

    static func sockaddr4(_ a: IPv4Address, _ port: UInt16) -> sockaddr_in {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = a.value.bigEndian
        return sin
    }

    static func sockaddr6(_ bytes: [UInt8], _ port: UInt16) -> sockaddr_in6 {
        var sin = sockaddr_in6()
        sin.sin6_family = sa_family_t(AF_INET6)
        sin.sin6_port = port.bigEndian
        withUnsafeMutableBytes(of: &sin.sin6_addr) { for i in 0..<16 { $0[i] = bytes[i] } }
        return sin
    }

    /// Sends one datagram; false when the kernel refused it (errno says why).
    public func send(_ payload: [UInt8], to address: IPAddress, port: UInt16) -> Bool {
        var sent = -1
        if isIPv6 {
            let bytes: [UInt8]
            switch address {
            case .v4(let a): bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + withUnsafeBytes(of: a.value.bigEndian) { Array($0) }
            case .v6(let a): bytes = a.bytes
            }
            var sin = Self.sockaddr6(bytes, port)
            sent = payload.withUnsafeBytes { p in
                withUnsafePointer(to: &sin) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, p.baseAddress, p.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                    }
                }
            }
        } else {
            guard case .v4(let a) = address else { errno = EAFNOSUPPORT; return false }
            var sin = Self.sockaddr4(a, port)
            sent = payload.withUnsafeBytes { p in
                withUnsafePointer(to: &sin) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(fd, p.baseAddress, p.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        return sent == payload.count
    }

    public enum Received {
        case datagram([UInt8], from: IPAddress, port: UInt16)
        case empty
        case failed(Int32)
    }

    /// One datagram with its source (an IPv4-mapped source comes back as IPv4).
    public func receive() -> Received {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let n = buffer.withUnsafeMutableBytes { b in
            withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &length) }
            }
        }
        if n < 0 {
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? .empty : .failed(errno)
        }
        let payload = Array(buffer[0..<n])
        switch Int32(storage.ss_family) {
        case AF_INET:
            let sin = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in.self) }
            return .datagram(payload, from: .v4(IPv4Address(UInt32(bigEndian: sin.sin_addr.s_addr))), port: UInt16(bigEndian: sin.sin_port))
        case AF_INET6:
            let sin = withUnsafeBytes(of: &storage) { $0.loadUnaligned(as: sockaddr_in6.self) }
            let bytes = withUnsafeBytes(of: sin.sin6_addr) { Array($0) }
            let port = UInt16(bigEndian: sin.sin6_port)
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                let v = UInt32(bytes[12]) << 24 | UInt32(bytes[13]) << 16 | UInt32(bytes[14]) << 8 | UInt32(bytes[15])
                return .datagram(payload, from: .v4(IPv4Address(v)), port: port)
            }
            return .datagram(payload, from: .v6(IPv6Address(bytes: bytes)), port: port)
        default:
            return .datagram(payload, from: .v4(.zero), port: 0)
        }
    }
}
