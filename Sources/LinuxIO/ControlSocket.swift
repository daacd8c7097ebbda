import CShim
import Glibc
import KakapoCore

/// Kea's unix control socket: a client connects, sends one JSON command, gets one JSON answer,
/// and the server closes the connection. Requests are bounded in size and time; garbage gets an
/// error answer, never a crash. Non-blocking, driven by the daemon's poll loop.
public final class ControlSocket {
    public let path: String
    public let fd: Int32
    /// Largest request accepted (Kea's commands are small; config-set can be large).
    static let maxRequestBytes = 16 << 20
    /// A connection that has not sent a complete command by then is answered with an error.
    static let requestTimeoutMilliseconds: Int64 = 10_000

    final class Connection {
        let fd: Int32
        var buffer: [UInt8] = []
        let openedAt: Int64
        init(fd: Int32, openedAt: Int64) { self.fd = fd; self.openedAt = openedAt }
    }
    private(set) var connections: [Int32: Connection] = [:]

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

    public var connectionFDs: [Int32] { Array(connections.keys) }

    /// Accepts pending connections.
    public func acceptAll(nowMilliseconds: Int64) {
        for _ in 0..<64 {
            let c = accept(fd, nil, nil)
            guard c >= 0 else { return }
            setNonBlocking(c)
            connections[c] = Connection(fd: c, openedAt: nowMilliseconds)
        }
    }

    /// Reads from a connection; when a complete request is there, answers it with `handler`
    /// and closes. `isComplete` decides whether the bytes so far form a whole request.
    public func service(fd c: Int32, isComplete: ([UInt8]) -> Bool, handler: (String) -> String) {
        guard let conn = connections[c] else { return }
        var chunk = [UInt8](repeating: 0, count: 65536)
        var eof = false
        while true {
            let n = chunk.withUnsafeMutableBytes { read(c, $0.baseAddress, $0.count) }
            if n > 0 { conn.buffer.append(contentsOf: chunk[0..<n]); if conn.buffer.count > ControlSocket.maxRequestBytes { break }; continue }
            if n == 0 { eof = true }
            if n < 0 && errno == EINTR { continue }
            break
        }
        if conn.buffer.count > ControlSocket.maxRequestBytes {
            respond(conn, "{ \"result\": 1, \"text\": \"command too large\" }")
        } else if isComplete(conn.buffer) || (eof && !conn.buffer.isEmpty) {
            respond(conn, handler(String(decoding: conn.buffer, as: UTF8.self)))
        } else if eof {
            drop(conn)
        }
    }

    /// Answers connections that stalled past the timeout.
    public func expireStale(nowMilliseconds: Int64) {
        for conn in connections.values where nowMilliseconds - conn.openedAt > ControlSocket.requestTimeoutMilliseconds {
            respond(conn, "{ \"result\": 1, \"text\": \"Connection timeout\" }")
        }
    }

    private func respond(_ conn: Connection, _ text: String) {
        // Blocking write of the answer: the peer is local and answers are bounded.
        let flags = fcntl(conn.fd, F_GETFL, 0)
        _ = fcntl(conn.fd, F_SETFL, flags & ~O_NONBLOCK)
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(conn.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(conn.fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            off += n
        }
        drop(conn)
    }

    private func drop(_ conn: Connection) {
        close(conn.fd)
        connections[conn.fd] = nil
    }
}
