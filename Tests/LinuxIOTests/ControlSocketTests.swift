import Glibc
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// The unix control socket never blocks its caller: an answer larger than the socket buffer
/// is queued and written as the peer reads (POLLOUT), a peer that never reads is cut off at
/// the timeout, and an answer past the per-connection bound is not queued. A real socket in
/// the temporary directory, driven by hand in one thread (no poll loop, no namespace).
final class ControlSocketTests: XCTestCase {
    private var path = ""
    private var server: ControlSocket!

    override func setUpWithError() throws {
        path = "/tmp/kakapo-control-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).sock"
        server = try ControlSocket(path: path)
    }

    override func tearDown() {
        server = nil
    }

    /// Connects a non-blocking client, lets the server accept it, and returns the client fd
    /// and the server's fd for the connection.
    private func connectClient() throws -> (client: Int32, connection: Int32) {
        let before = Set(server.pollInterests().map(\.fd))
        let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { p in
            for (i, b) in path.utf8.enumerated() { p[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(rc, 0, "connect")
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL, 0) | O_NONBLOCK)
        server.service(fd: server.fd, nowMilliseconds: 0, handler: { _ in "" })
        let added = server.pollInterests().map(\.fd).filter { !before.contains($0) }
        XCTAssertEqual(added.count, 1, "one connection accepted")
        return (client, try XCTUnwrap(added.first))
    }

    private func events(of fd: Int32) -> Int16? { server.pollInterests().first { $0.fd == fd }?.events }

    private func sendRequest(_ client: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        XCTAssertEqual(bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }, bytes.count)
    }

    /// Reads what is available; nil at end of file.
    private func readAvailable(_ client: Int32) -> [UInt8]? {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            if n > 0 { out += chunk[0..<n]; continue }
            if n == 0 { return out.isEmpty ? nil : out }
            return out
        }
    }

    func testLargeAnswerIsQueuedAndWrittenAsThePeerReads() throws {
        let (client, connection) = try connectClient()
        defer { close(client) }
        XCTAssertEqual(events(of: connection), Int16(POLLIN))
        sendRequest(client, #"{"command": "lease4-get-all"}"#)
        let answer = String(repeating: "x", count: 8 << 20)
        var handled: [String] = []
        server.service(fd: connection, nowMilliseconds: 0, handler: { handled.append($0); return answer })
        XCTAssertEqual(handled, [#"{"command": "lease4-get-all"}"#])
        XCTAssertEqual(events(of: connection), Int16(POLLOUT), "the rest of the answer waits for POLLOUT")
        var received: [UInt8] = []
        var rounds = 0
        while rounds < 10_000 {
            rounds += 1
            guard let bytes = readAvailable(client) else { break }
            received += bytes
            server.service(fd: connection, nowMilliseconds: 1, handler: { _ in XCTFail("no second request"); return "" })
        }
        XCTAssertEqual(received.count, answer.utf8.count, "the whole answer arrives, then end of file")
        XCTAssertNil(events(of: connection), "the connection is closed once the answer is written")
    }

    func testPeerThatNeverReadsIsCutOffAtTheTimeout() throws {
        let (client, connection) = try connectClient()
        defer { close(client) }
        sendRequest(client, #"{"command": "x"}"#)
        server.service(fd: connection, nowMilliseconds: 0, handler: { _ in String(repeating: "y", count: 8 << 20) })
        XCTAssertEqual(events(of: connection), Int16(POLLOUT))
        server.expireStale(nowMilliseconds: ControlSocket.responseTimeoutMilliseconds)
        XCTAssertEqual(events(of: connection), Int16(POLLOUT), "not before the timeout")
        server.expireStale(nowMilliseconds: ControlSocket.responseTimeoutMilliseconds + 1)
        XCTAssertNil(events(of: connection), "closed after it")
    }

    func testAnswerPastTheBoundClosesTheConnection() throws {
        let (client, connection) = try connectClient()
        defer { close(client) }
        sendRequest(client, #"{"command": "x"}"#)
        server.service(fd: connection, nowMilliseconds: 0, handler: { _ in String(repeating: "z", count: ControlSocket.queuedBytesMax + 1) })
        XCTAssertNil(events(of: connection))
        XCTAssertNil(readAvailable(client), "nothing was sent: end of file")
    }

    /// A request that never completes is answered with the timeout error, then closed.
    func testStalledRequestGetsTheTimeoutAnswer() throws {
        let (client, connection) = try connectClient()
        defer { close(client) }
        sendRequest(client, #"{"command": "sta"#)
        server.service(fd: connection, nowMilliseconds: 0, handler: { _ in XCTFail("incomplete request handled"); return "" })
        XCTAssertEqual(events(of: connection), Int16(POLLIN))
        server.expireStale(nowMilliseconds: ControlSocket.requestTimeoutMilliseconds + 1)
        XCTAssertNil(events(of: connection))
        let answer = try XCTUnwrap(readAvailable(client))
        XCTAssertEqual(try JSON.parse(String(decoding: answer, as: UTF8.self)), ControlFramer.timeoutAnswer)
    }
}
