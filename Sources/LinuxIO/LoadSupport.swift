import CShim
import Glibc
import KakapoCore

/// The few operating-system calls `kakapo-sim load` needs besides `UDPSocket`/`UDP6Socket`
/// and `SystemClock`: a bounded wait for a readable socket (or SIGINT/SIGTERM), and the local
/// address the kernel would pick towards the server (either family).
public final class LoadSupport {
    /// A signalfd for SIGINT and SIGTERM (blocked for the process), or -1.
    public private(set) var signalFD: Int32 = -1

    /// Blocks SIGINT and SIGTERM and reads them from a signalfd, so a stop request ends the
    /// run cleanly (with a report) instead of killing the process.
    public init(catchSignals: Bool = true) {
        guard catchSignals else { return }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigprocmask(SIG_BLOCK, &set, nil)
        signalFD = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
    }

    deinit { if signalFD >= 0 { close(signalFD) } }

    public enum Wake: Equatable { case readable, timeout, stop }

    /// Waits until `fd` is readable, `timeoutMilliseconds` pass (0: just look), or a stop
    /// signal arrives.
    public func wait(readable fd: Int32, timeoutMilliseconds: Int32) -> Wake {
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        if signalFD >= 0 { fds.append(pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)) }
        let rc = poll(&fds, nfds_t(fds.count), max(0, timeoutMilliseconds))
        guard rc > 0 else { return .timeout }
        if fds.count > 1 && fds[1].revents != 0 {
            var info = signalfd_siginfo()
            while read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {}
            return .stop
        }
        return fds[0].revents != 0 ? .readable : .timeout
    }

    /// The local address the kernel routes from towards destination:port (a connected UDP
    /// socket that never sends), or nil when there is no route.
    public static func sourceAddress(toward destination: IPv4Address, port: UInt16) -> IPv4Address? {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = destination.value.bigEndian
        guard let local = localName(connectedTo: sin, family: AF_INET) else { return nil }
        let a = IPv4Address(UInt32(bigEndian: local.sin_addr.s_addr))
        return a.isZero ? nil : a
    }

    /// The same for IPv6.
    public static func sourceAddress(toward destination: IPv6Address, port: UInt16) -> IPv6Address? {
        var sin = sockaddr_in6()
        sin.sin6_family = sa_family_t(AF_INET6)
        sin.sin6_port = port.bigEndian
        let bytes = destination.bytes
        withUnsafeMutableBytes(of: &sin.sin6_addr) { for i in 0..<16 { $0[i] = bytes[i] } }
        guard let local = localName(connectedTo: sin, family: AF_INET6) else { return nil }
        let a = withUnsafeBytes(of: local.sin6_addr) { IPv6Address(bytes: $0) }
        return a == .unspecified ? nil : a
    }

    /// getsockname of a UDP socket of `family` connected to `remote` (a sockaddr_in or
    /// sockaddr_in6): the kernel's route choice, without sending anything.
    private static func localName<Address>(connectedTo remote: Address, family: Int32) -> Address? {
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var to = remote
        let size = socklen_t(MemoryLayout<Address>.size)
        let rc = withUnsafePointer(to: &to) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) }
        }
        guard rc == 0 else { return nil }
        var local = remote
        var len = size
        let grc = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return grc == 0 ? local : nil
    }

    /// The text of the last OS error (for messages).
    public static func lastErrorText() -> String { String(cString: strerror(errno)) }
}
