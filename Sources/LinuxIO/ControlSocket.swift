import CShim
import Glibc
import KakapoCore

/// Kea's unix control socket: a client connects, sends one JSON command, gets one JSON answer,
/// and the server closes the connection. Requests are framed by Core's `ControlFramer`
/// (bounded in size) and bounded in time; garbage gets an error answer, never a crash.
///
/// Nothing here blocks the daemon's poll loop: reads and writes are non-blocking, and an
/// answer the peer does not read at once stays queued on its connection, written as poll
/// reports POLLOUT. A peer that never reads loses its connection after a timeout, and an
/// answer larger than the per-connection bound is not queued at all (the connection closes).
public final class ControlSocket {
    public let path: String
    public let fd: Int32
    /// A connection that has not sent a complete command by then is answered with an error.
    static let requestTimeoutMilliseconds: Int64 = 10_000
    /// A connection whose answer is not fully written by then (the peer is not reading) closes.
    static let responseTimeoutMilliseconds: Int64 = 10_000
    /// Most answer bytes queued for one connection (lease4-get-all of ~250k leases); past it
    /// the connection closes unanswered, so that one client cannot pin unbounded memory.
    public static let queuedBytesMax = 64 << 20
    /// Most connections open at once; more are accepted and closed at once.
    static let connectionsMax = 64
    /// Most bytes read from one connection per `service` call, so that a large config-set
    /// does not hold the loop for long (poll reports the rest on the next turn).
    static let readBytesPerServiceMax = 1 << 20

    final class Connection {
        enum Phase {
            /// Reading the request, until `deadline`.
            case reading(ControlFramer)
            /// Writing the answer (`output[written...]` is still to go), until `deadline`.
            case writing(output: [UInt8], written: Int)
        }
        let fd: Int32
        var phase: Phase
        var deadline: Int64
        init(fd: Int32, deadline: Int64) {
            self.fd = fd
            self.deadline = deadline
            phase = .reading(ControlFramer())
        }
    }
    private var connections: [Int32: Connection] = [:]

    public init(path: String) throws(SocketError) {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket(AF_UNIX)") }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
            close(fd)
            throw SocketError("control socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in bytes.enumerated() { p[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0, listen(fd, 16) == 0 else {
            let e = SocketError("bind/listen on control socket \(path)")
            close(fd)
            throw e
        }
        setNonBlocking(fd)
    }

    deinit {
        for c in connections.values { close(c.fd) }
        close(fd)
        unlink(path)
    }

    /// The descriptors the poll loop should watch, with their events: the listening socket and
    /// connections still reading for POLLIN, connections with an answer queued for POLLOUT.
    /// (POLLHUP and POLLERR are always reported; `service` then finds the connection dead.)
    public func pollInterests() -> [(fd: Int32, events: Int16)] {
        var interests: [(fd: Int32, events: Int16)] = [(fd, Int16(POLLIN))]
        for (cfd, conn) in connections {
            switch conn.phase {
            case .reading: interests.append((cfd, Int16(POLLIN)))
            case .writing: interests.append((cfd, Int16(POLLOUT)))
            }
        }
        return interests
    }

    /// Services one descriptor from `pollInterests()` that poll reported ready: accepts on the
    /// listening socket; reads a connection's request (and answers it with `handler` once
    /// complete); or writes more of its queued answer. Never blocks.
    public func service(fd ready: Int32, nowMilliseconds: Int64, handler: (String) -> String) {
        if ready == fd {
            acceptAll(nowMilliseconds: nowMilliseconds)
            return
        }
        guard let conn = connections[ready] else { return }
        switch conn.phase {
        case .reading(var framer):
            conn.phase = .reading(ControlFramer())  // let `framer` own its buffer alone: no copy per read
            let frame = read(conn, &framer)
            conn.phase = .reading(framer)
            switch frame {
            case .incomplete: return
            case .empty: drop(conn)
            case .tooLarge: queue(ControlFramer.tooLargeAnswer.serialized(), on: conn, nowMilliseconds: nowMilliseconds)
            case .request(let bytes):
                queue(handler(String(decoding: bytes, as: UTF8.self)), on: conn, nowMilliseconds: nowMilliseconds)
            }
        case .writing:
            write(conn)
        }
    }

    /// Answers connections that stalled reading past the timeout, and closes those whose peer
    /// has not read its answer in time.
    public func expireStale(nowMilliseconds: Int64) {
        for conn in connections.values where nowMilliseconds > conn.deadline {
            switch conn.phase {
            case .reading: queue(ControlFramer.timeoutAnswer.serialized(), on: conn, nowMilliseconds: nowMilliseconds)
            case .writing: drop(conn)
            }
        }
    }

    private func acceptAll(nowMilliseconds: Int64) {
        for _ in 0..<ControlSocket.connectionsMax {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            guard connections.count < ControlSocket.connectionsMax else {
                close(c)
                continue
            }
            setNonBlocking(c)
            connections[c] = Connection(fd: c, deadline: nowMilliseconds + ControlSocket.requestTimeoutMilliseconds)
        }
    }

    /// Reads what is there (bounded per call) into the framer; `.incomplete` means wait for
    /// more. A read error counts as the end of input.
    private func read(_ conn: Connection, _ framer: inout ControlFramer) -> ControlFrame {
        var chunk = [UInt8](repeating: 0, count: 65536)
        var total = 0
        while total < ControlSocket.readBytesPerServiceMax {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(conn.fd, $0.baseAddress, $0.count) }
            if n > 0 {
                total += n
                let frame = framer.receive(chunk[0..<n])
                if frame != .incomplete { return frame }
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .incomplete }
            return framer.endOfInput()
        }
        return .incomplete
    }

    /// Queues `text` as the connection's answer and writes what the socket takes right away
    /// (usually all of it, so the answer goes out even if the socket is then closed).
    private func queue(_ text: String, on conn: Connection, nowMilliseconds: Int64) {
        let bytes = Array(text.utf8)
        guard bytes.count <= ControlSocket.queuedBytesMax else {
            drop(conn)
            return
        }
        conn.phase = .writing(output: bytes, written: 0)
        conn.deadline = nowMilliseconds + ControlSocket.responseTimeoutMilliseconds
        write(conn)
    }

    /// Writes until done (then closes, as Kea does), until the socket would block (then waits
    /// for POLLOUT), or until an error (then closes).
    private func write(_ conn: Connection) {
        guard case .writing(let output, var written) = conn.phase else { return }
        while written < output.count {
            let n = output.withUnsafeBytes {
                send(conn.fd, $0.baseAddress! + written, $0.count - written, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if n > 0 {
                written += n
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                conn.phase = .writing(output: output, written: written)
                return
            }
            break
        }
        drop(conn)
    }

    private func drop(_ conn: Connection) {
        close(conn.fd)
        connections[conn.fd] = nil
    }
}
