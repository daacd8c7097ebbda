import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import XCTest
@testable import KakapoLinuxIO

/// TLSContext and its handler against themselves and against `openssl s_client`/`s_server`,
/// over loopback, with certificates made here by the `openssl` command: a CA, a server
/// certificate for 127.0.0.1/localhost, a client certificate, and a second CA nobody trusts
/// with a server and a client certificate of its own.
final class TLSContextTests: XCTestCase {
    private static let certs: String = makeCertificates()
    private var group: MultiThreadedEventLoopGroup!
    private var dir: String { Self.certs }

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    }

    override func tearDown() {
        try? group.syncShutdownGracefully()
        group = nil
    }

    // MARK: - Setup errors

    func testWrongKeyForCertificateIsRefusedAtSetup() {
        XCTAssertThrowsError(try TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/other.key",
                                                   trustAnchor: "\(dir)/ca.pem", certRequired: false)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("does not match"), text)
            XCTAssertTrue(text.contains("key values mismatch"), "OpenSSL's own words: \(text)")
        }
        XCTAssertThrowsError(try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                                   keyFile: "\(dir)/other.key"))
    }

    func testMissingOrBadFilesAreRefusedAtSetup() {
        XCTAssertThrowsError(try TLSContext.server(certFile: "\(dir)/nope.pem", keyFile: "\(dir)/server.key",
                                                   trustAnchor: nil, certRequired: false)) { error in
            XCTAssertTrue("\(error)".contains("nope.pem"), "\(error)")
        }
        XCTAssertThrowsError(try TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                   trustAnchor: "\(dir)/missing-ca", certRequired: true))
        // A file that is not PEM as the certificate: OpenSSL's reason is in the text.
        XCTAssertThrowsError(try TLSContext.server(certFile: "\(dir)/garbage.txt", keyFile: "\(dir)/server.key",
                                                   trustAnchor: nil, certRequired: false)) { error in
            XCTAssertTrue("\(error)".contains("PEM") || "\(error)".contains("no start line"), "\(error)")
        }
        XCTAssertThrowsError(try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                                   keyFile: nil))
    }

    // MARK: - Kakapo against Kakapo

    func testHandshakeAndEcho() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: false))
        defer { server.stop() }
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
        for name in ["127.0.0.1", "localhost"] {
            let answer = try exchange(client, port: server.port, serverName: name, payload: Array("hello \(name)".utf8))
            XCTAssertEqual(answer, .data(Array("hello \(name)".utf8)))
        }
        XCTAssertEqual(server.errors(), [])
    }

    func testCertificateDirectoryAsTrustAnchor() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/cadir", certRequired: true))
        defer { server.stop() }
        let client = try TLSContext.client(trustAnchor: "\(dir)/cadir", certFile: "\(dir)/client.pem",
                                           keyFile: "\(dir)/client.key")
        XCTAssertEqual(try exchange(client, port: server.port, serverName: "localhost", payload: [1, 2, 3]), .data([1, 2, 3]))
    }

    func testCertRequiredWithAndWithoutClientCertificate() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: true))
        defer { server.stop() }
        let withCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                             keyFile: "\(dir)/client.key")
        let withoutCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
        let untrustedCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client2.pem",
                                                  keyFile: "\(dir)/client2.key")

        XCTAssertEqual(try exchange(withCert, port: server.port, serverName: "127.0.0.1", payload: [42]), .data([42]))

        guard case .failed(let noCert) = try exchange(withoutCert, port: server.port, serverName: "127.0.0.1", payload: [42]) else {
            return XCTFail("a client without a certificate got an answer")
        }
        XCTAssertTrue(noCert.contains("certificate required") || noCert.contains("closed"), noCert)
        try server.waitForErrors(1)
        XCTAssertTrue(server.errors()[0].contains("peer did not return a certificate"), server.errors()[0])

        guard case .failed = try exchange(untrustedCert, port: server.port, serverName: "127.0.0.1", payload: [42]) else {
            return XCTFail("a client with an untrusted certificate got an answer")
        }
        try server.waitForErrors(2)
        XCTAssertTrue(server.errors()[1].contains("certificate verify failed"), server.errors()[1])

        // And the server keeps serving.
        XCTAssertEqual(try exchange(withCert, port: server.port, serverName: "localhost", payload: [7]), .data([7]))
    }

    func testCertNotRequiredStillChecksAnOfferedCertificate() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: false))
        defer { server.stop() }
        let withoutCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
        let withCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                             keyFile: "\(dir)/client.key")
        XCTAssertEqual(try exchange(withoutCert, port: server.port, serverName: nil, payload: [1]), .data([1]))
        XCTAssertEqual(try exchange(withCert, port: server.port, serverName: nil, payload: [2]), .data([2]))
        XCTAssertEqual(server.errors(), [])
        let untrustedCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client2.pem",
                                                  keyFile: "\(dir)/client2.key")
        guard case .failed = try exchange(untrustedCert, port: server.port, serverName: nil, payload: [3]) else {
            return XCTFail("an offered certificate from an unknown CA was accepted")
        }
        try server.waitForErrors(1)
        XCTAssertTrue(server.errors()[0].contains("certificate verify failed"), server.errors()[0])
    }

    func testUntrustedServerCertificateIsRefusedByTheClient() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server2.pem", keyFile: "\(dir)/server2.key",
                                                       trustAnchor: nil, certRequired: false))
        defer { server.stop() }
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
        guard case .failed(let text) = try exchange(client, port: server.port, serverName: "127.0.0.1", payload: [1]) else {
            return XCTFail("the client accepted a server its trust anchor does not vouch for")
        }
        XCTAssertTrue(text.contains("certificate verify failed"), text)
        XCTAssertTrue(text.contains("unable to get local issuer certificate"), text)
    }

    func testServerNameMismatchIsRefusedByTheClient() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: nil, certRequired: false))
        defer { server.stop() }
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
        for name in ["other.example", "127.0.0.2"] {
            guard case .failed(let text) = try exchange(client, port: server.port, serverName: name, payload: [1]) else {
                return XCTFail("the client accepted a certificate for another name than \(name)")
            }
            XCTAssertTrue(text.contains("mismatch"), text)
        }
    }

    func testGarbageInsteadOfClientHelloIsClosedCleanly() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: false))
        defer { server.stop() }
        for (index, junk) in [Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                              (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }].enumerated() {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(server.port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            XCTAssertEqual(rc, 0)
            XCTAssertEqual(junk.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }, junk.count)
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            // The server may send an alert, then it closes: read to end of file.
            var buffer = [UInt8](repeating: 0, count: 4096)
            var sawEOF = false
            for _ in 0..<10 {
                let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if got == 0 { sawEOF = true; break }
                // Closed with our junk unread: the kernel resets; a close all the same, not a hang.
                if got < 0 && errno == ECONNRESET { sawEOF = true; break }
                if got < 0 && errno != EINTR { break }
            }
            XCTAssertTrue(sawEOF, "the server closed the connection after junk \(index)")
            try server.waitForErrors(index + 1)
            XCTAssertTrue(server.errors()[index].contains("TLS handshake failed"), server.errors()[index])
        }
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
        XCTAssertEqual(try exchange(client, port: server.port, serverName: "localhost", payload: [9]), .data([9]))
    }

    func testOneMegabyteBothWays() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: true))
        defer { server.stop() }
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                           keyFile: "\(dir)/client.key")
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        XCTAssertEqual(try exchange(client, port: server.port, serverName: "localhost", payload: payload), .data(payload))
    }

    func testNoSSLObjectOutlivesItsConnection() throws {
        do {
            let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                           trustAnchor: "\(dir)/ca.pem", certRequired: true))
            defer { server.stop() }
            let good = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                             keyFile: "\(dir)/client.key")
            let noCert = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: nil, keyFile: nil)
            let wrongCA = try TLSContext.client(trustAnchor: "\(dir)/ca2.pem", certFile: "\(dir)/client.pem",
                                                keyFile: "\(dir)/client.key")
            for round in 0..<20 {
                XCTAssertEqual(try exchange(good, port: server.port, serverName: "localhost", payload: [UInt8(round)]),
                               .data([UInt8(round)]))
                guard case .failed = try exchange(noCert, port: server.port, serverName: "localhost", payload: [1]),
                      case .failed = try exchange(wrongCA, port: server.port, serverName: "localhost", payload: [1]) else {
                    return XCTFail("a handshake that should fail did not")
                }
            }
            try server.waitForErrors(40)
        }
        // Every connection's SSL object (and its BIOs) is freed once its channel is gone.
        try group.syncShutdownGracefully()
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        for _ in 0..<200 where TLSHandler.liveSSLObjects.withLockedValue({ $0 }) != 0 { usleep(10_000) }
        XCTAssertEqual(TLSHandler.liveSSLObjects.withLockedValue { $0 }, 0)
    }

    // MARK: - Interoperability with openssl's own client and server

    func testOpenSSLClientAgainstOurServer() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: true))
        defer { server.stop() }
        for version in ["-tls1_2", "-tls1_3"] {
            let out = try shell("""
                (printf 'ping over openssl\\n'; sleep 1) | openssl s_client -brief \(version) -connect 127.0.0.1:\(server.port) \
                  -CAfile \(dir)/ca.pem -verify_return_error -verify_ip 127.0.0.1 \
                  -cert \(dir)/client.pem -key \(dir)/client.key 2>&1
                """)
            XCTAssertTrue(out.contains("ping over openssl"), out)
            XCTAssertTrue(out.contains("Verification: OK"), out)
        }
        // Our floor is TLS 1.2: an 1.1 client is refused (and the server keeps going).
        let old = try shell("""
            openssl s_client -brief -tls1_1 -connect 127.0.0.1:\(server.port) -CAfile \(dir)/ca.pem </dev/null 2>&1; echo "exit=$?"
            """)
        XCTAssertFalse(old.contains("exit=0"), old)
        let noCert = try shell("""
            (printf 'x\\n'; sleep 1) | openssl s_client -brief -connect 127.0.0.1:\(server.port) -CAfile \(dir)/ca.pem 2>&1
            """)
        XCTAssertTrue(noCert.contains("alert certificate required") || noCert.contains("handshake failure"), noCert)
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                           keyFile: "\(dir)/client.key")
        XCTAssertEqual(try exchange(client, port: server.port, serverName: "localhost", payload: [5]), .data([5]))
    }

    func testServerClosesWithCloseNotify() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: false),
                                     closeAfterEcho: true)
        defer { server.stop() }
        // OpenSSL 3 reports a TCP close without close_notify as "unexpected eof while reading".
        for version in ["-tls1_2", "-tls1_3"] {
            let out = try shell("""
                (printf 'last words\\n'; sleep 2) | openssl s_client \(version) -connect 127.0.0.1:\(server.port) \
                  -CAfile \(dir)/ca.pem 2>&1
                """)
            XCTAssertTrue(out.contains("last words"), out)
            XCTAssertFalse(out.contains("unexpected eof"), out)
            XCTAssertTrue(out.contains("closed") || out.contains("DONE"), out)
        }
    }

    func testRenegotiationIsRefused() throws {
        let server = try startServer(TLSContext.server(certFile: "\(dir)/server.pem", keyFile: "\(dir)/server.key",
                                                       trustAnchor: "\(dir)/ca.pem", certRequired: false))
        defer { server.stop() }
        // s_client's "R" line asks for a renegotiation (TLS 1.2; 1.3 has none).
        let out = try shell("""
            (printf 'before\\n'; sleep 0.5; printf 'R\\n'; sleep 1; printf 'after\\n'; sleep 0.5) | \
              openssl s_client -tls1_2 -connect 127.0.0.1:\(server.port) -CAfile \(dir)/ca.pem 2>&1
            """)
        XCTAssertTrue(out.contains("RENEGOTIATING"), out)
        XCTAssertTrue(out.contains("no renegotiation"), out)
    }

    func testOurClientAgainstOpenSSLServer() throws {
        let port = Int.random(in: 30000...60000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_server", "-accept", "127.0.0.1:\(port)", "-cert", "\(dir)/server.pem",
                             "-key", "\(dir)/server.key", "-CAfile", "\(dir)/ca.pem", "-Verify", "1",
                             "-verify_return_error", "-rev", "-naccept", "1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() }; process.waitUntilExit() }
        // Wait for its "ACCEPT".
        var seen = ""
        let deadline = Date().addingTimeInterval(10)
        while !seen.contains("ACCEPT") && Date() < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
        }
        XCTAssertTrue(seen.contains("ACCEPT"), seen)
        let client = try TLSContext.client(trustAnchor: "\(dir)/ca.pem", certFile: "\(dir)/client.pem",
                                           keyFile: "\(dir)/client.key")
        // s_server -rev answers each line reversed.
        let answer = try exchange(client, port: port, serverName: "localhost", payload: Array("kakapo\n".utf8),
                                  expecting: Array("opakak\n".utf8).count)
        XCTAssertEqual(answer, .data(Array("opakak\n".utf8)))
    }

    // MARK: - Harness

    enum Outcome: Equatable { case data([UInt8]), failed(String) }

    /// Connects, writes `payload`, and waits for `expecting` bytes back (the echo).
    private func exchange(_ context: TLSContext, port: Int, serverName: String?, payload: [UInt8],
                          expecting: Int? = nil) throws -> Outcome {
        let loop = group.next()
        let done = loop.makePromise(of: [UInt8].self)
        let want = expecting ?? payload.count
        let bootstrap = ClientBootstrap(group: loop).channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(context.makeHandler(serverName: serverName))
                try channel.pipeline.syncOperations.addHandler(Collector(want: want, payload: payload, done: done))
            }
        }
        let channel = try bootstrap.connect(host: "127.0.0.1", port: port).wait()
        let timeout = loop.scheduleTask(in: .seconds(20)) { done.fail(TLSConnectionError("test timeout")) }
        defer { timeout.cancel(); _ = try? channel.close().wait() }
        do {
            return .data(try done.futureResult.wait())
        } catch {
            return .failed("\(error)")
        }
    }

    /// Writes the payload once active; collects what comes back.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let want: Int
        let payload: [UInt8]
        let done: EventLoopPromise<[UInt8]>
        var received: [UInt8] = []

        init(want: Int, payload: [UInt8], done: EventLoopPromise<[UInt8]>) {
            self.want = want
            self.payload = payload
            self.done = done
        }

        func channelActive(context: ChannelHandlerContext) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: payload)), promise: nil)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
            if received.count >= want { done.succeed(received) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            done.fail(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            done.fail(TLSConnectionError("closed after \(received.count) bytes"))
        }
    }

    private final class Echo: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let errors: NIOLockedValueBox<[String]>
        let closeAfterEcho: Bool
        init(errors: NIOLockedValueBox<[String]>, closeAfterEcho: Bool) {
            self.errors = errors
            self.closeAfterEcho = closeAfterEcho
        }

        var echoed = false

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            echoed = true
            context.write(data, promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.flush()
            if closeAfterEcho && echoed { context.close(promise: nil) }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            XCTAssertTrue(error is TLSConnectionError, "\(error)")
            errors.withLockedValue { $0.append("\(error)") }
        }
    }

    private struct Server {
        let channel: any Channel
        let errorBox: NIOLockedValueBox<[String]>
        var port: Int { channel.localAddress!.port! }
        func errors() -> [String] { errorBox.withLockedValue { $0 } }
        func stop() { _ = try? channel.close().wait() }
        func waitForErrors(_ count: Int) throws {
            for _ in 0..<500 where errors().count < count { usleep(10_000) }
            XCTAssertGreaterThanOrEqual(errors().count, count, "server errors: \(errors())")
        }
    }

    private func startServer(_ context: TLSContext, closeAfterEcho: Bool = false) throws -> Server {
        let errors = NIOLockedValueBox<[String]>([])
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(context.makeHandler())
                    try channel.pipeline.syncOperations.addHandler(Echo(errors: errors, closeAfterEcho: closeAfterEcho))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        return Server(channel: channel, errorBox: errors)
    }

    @discardableResult
    private func shell(_ script: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private static func makeCertificates() -> String {
        let dir = NSTemporaryDirectory() + "kakapo-tls-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let script = """
            set -e
            mkdir -p '\(dir)/cadir' && cd '\(dir)'
            ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            for ca in ca ca2; do
              openssl req -x509 $ec -keyout $ca.key -out $ca.pem -days 30 -subj "/CN=Kakapo test $ca" \
                -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
            done
            sign() { # name ca cn san usage
              openssl req $ec -keyout $1.key -out $1.csr -subj "/CN=$3" 2>/dev/null
              printf 'basicConstraints=CA:FALSE\\nsubjectAltName=%s\\nextendedKeyUsage=%s\\n' "$4" "$5" > $1.ext
              openssl x509 -req -in $1.csr -CA $2.pem -CAkey $2.key -CAcreateserial -days 30 -out $1.pem -extfile $1.ext 2>/dev/null
            }
            sign server ca localhost DNS:localhost,IP:127.0.0.1 serverAuth
            sign client ca client DNS:client serverAuth,clientAuth
            sign server2 ca2 localhost DNS:localhost,IP:127.0.0.1 serverAuth
            sign client2 ca2 client2 DNS:client2 clientAuth
            openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out other.key 2>/dev/null
            echo 'this is not a certificate' > garbage.txt
            cp ca.pem cadir/ && openssl rehash cadir
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        try? process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "openssl could not make the test certificates")
        return dir
    }
}
