// kakapo-shell: kea-shell's job. One command to the control agent over HTTP or HTTPS, its
// arguments read from standard input, the agent's JSON answer printed. Flags, request body,
// output and exit codes follow Kea's kea-shell.
import ArgumentParser
import Glibc
import KakapoCore
import KakapoLinuxIO
import NIOCore
import NIOHTTP1
import NIOPosix

struct KakapoShell: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kakapo-shell",
        abstract: "A text client for the control agent (kakapo-ctrl-agent or kea-ctrl-agent).",
        discussion: """
            The command's arguments are read from standard input: the members of the \
            "arguments" map without its braces, e.g. '"name": "value"'. Pipe nothing (or \
            </dev/null) for a command without arguments.
            """)

    @Option(help: "Host name or address of the control agent.")
    var host = "127.0.0.1"
    @Option(help: "TCP port of the control agent.")
    var port = 8000
    @Option(help: "Path of the URL (useful only behind a reverse proxy).")
    var path = ""
    @Option(help: "Timeout in seconds for the whole exchange.")
    var timeout = 10
    @Option(help: "Target service (dhcp4, dhcp6, d2); repeat it or separate with commas. Without it the agent itself answers.")
    var service: [String] = []
    @Option(name: .customLong("auth-user"), help: "User for basic HTTP authentication.")
    var authUser = ""
    @Option(name: .customLong("auth-password"), help: "Password for basic HTTP authentication.")
    var authPassword = ""
    @Option(help: "File or directory of the trusted CA certificates; enables HTTPS.")
    var ca = ""
    @Option(help: "File of the client certificate (with --key and --ca).")
    var cert = ""
    @Option(help: "File of the client certificate's private key (with --cert and --ca).")
    var key = ""
    @Flag(name: .customShort("v"), help: "Print the version.")
    var version = false
    @Argument(help: "The command to send.")
    var command = "list-commands"

    func run() throws {
        if version {
            print(kakapoVersion)
            return
        }
        if cert.isEmpty != key.isEmpty { fail("--cert and --key must be used together") }
        if !cert.isEmpty && ca.isEmpty { fail("--cert and --key with HTTPS disabled (no --ca)") }

        var tls: TLSContext?
        if !ca.isEmpty {
            do {
                tls = try TLSContext.client(trustAnchor: ca, certFile: cert.isEmpty ? nil : cert,
                                            keyFile: key.isEmpty ? nil : key)
            } catch {
                fail("Failed to run: \(error)")
            }
        }
        let body = ShellRequest.body(command: command, services: service,
                                     arguments: readStandardInput())
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
        headers.add(name: "User-Agent", value: "Kakapo-shell/\(kakapoVersion)")
        headers.add(name: "Accept", value: "*/*")
        if !authUser.isEmpty {
            let secret = Array("\(authUser):\(authPassword)".utf8)
            headers.add(name: "Authorization", value: "Basic \(Base64.encode(secret))")
        }
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: "close")
        let request = HTTPRequestHead(version: .http1_1, method: .POST, uri: "/" + path, headers: headers)

        switch ShellRequest.send(host: host, port: port, timeout: timeout, tls: tls,
                                 head: request, body: body) {
        case .answer(let status, let reason, let text):
            if (200..<300).contains(status) {
                print(text)
            } else {
                fail("Failed to run: HTTP Error \(status): \(reason)")
            }
        case .timeout:
            fail("Connection timeout")
        case .failure(let message):
            fail("Failed to run: \(message)")
        }
    }

    /// Kea's kea-shell prints its errors on standard output and exits with 1.
    private func fail(_ message: String) -> Never {
        print(message)
        Glibc.exit(1)
    }

    /// All of standard input, as kea-shell reads it (to end of file).
    private func readStandardInput() -> String {
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
            if got > 0 {
                data.append(contentsOf: chunk[0..<got])
            } else if got < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return String(decoding: data, as: UTF8.self)
    }
}

enum ShellOutcome: Sendable {
    case answer(status: Int, reason: String, body: String)
    case timeout
    case failure(String)
}

enum ShellRequest {
    /// kea-shell's body: the command, the services as a list when any are named, and the
    /// standard input wrapped in braces as the arguments when it has more than one character.
    static func body(command: String, services: [String], arguments: String) -> String {
        var body = "{ \"command\": \(jsonString(command))"
        let names = services.flatMap { $0.split(separator: ",") }
            .map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
        if !names.isEmpty {
            body += ", \"service\": [" + names.map(jsonString).joined(separator: ",") + "]"
        }
        if arguments.utf8.count > 1 {
            body += ", \"arguments\": { " + arguments + " }"
        }
        return body + " }"
    }

    /// `text` as a JSON string, quoted and escaped.
    static func jsonString(_ text: String) -> String {
        JSON.string(text).serialized()
    }

    /// One request on one connection (NIO's HTTP/1 client codec, TLS first when asked for),
    /// bounded as a whole by `timeout` seconds.
    static func send(host: String, port: Int, timeout: Int, tls: TLSContext?,
                     head: HTTPRequestHead, body: String) -> ShellOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let outcome = loop.makePromise(of: ShellOutcome.self)
        let deadline = loop.scheduleTask(in: .seconds(Int64(max(timeout, 1)))) {
            outcome.succeed(.timeout)
        }
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(.seconds(Int64(max(timeout, 1))))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls { try pipeline.addHandler(tls.makeHandler(serverName: host)) }
                    try pipeline.addHTTPClientHandlers()
                    try pipeline.addHandler(ExchangeHandler(head: head, body: body, outcome: outcome))
                }
            }
        let connection = bootstrap.connect(host: host, port: port)
        connection.whenFailure { error in outcome.succeed(.failure(describe(error))) }
        let result = (try? outcome.futureResult.wait()) ?? .failure("no answer")
        deadline.cancel()
        if let channel = try? connection.wait() {
            try? channel.close().wait()
        }
        return result
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOConnectionError {
            let reasons = error.connectionErrors.map { describe($0.error) }
            if let dns = error.dnsAAAAError ?? error.dnsAError, reasons.isEmpty {
                return "cannot resolve \(error.host): \(dns)"
            }
            return "cannot connect to \(error.host) port \(error.port)"
                + (reasons.isEmpty ? "" : ": " + Set(reasons).sorted().joined(separator: "; "))
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return "connection timed out"
        }
        return "\(error)"
    }
}

/// Sends the request once the connection is up and collects the answer.
final class ExchangeHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let body: String
    private let outcome: EventLoopPromise<ShellOutcome>
    private var status: HTTPResponseStatus?
    private var answer: ByteBuffer?

    init(head: HTTPRequestHead, body: String, outcome: EventLoopPromise<ShellOutcome>) {
        self.head = head
        self.body = body
        self.outcome = outcome
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let bytes = context.channel.allocator.buffer(string: body)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            status = response.status
            answer = context.channel.allocator.buffer(capacity: 0)
        case .body(var part):
            answer?.writeBuffer(&part)
        case .end:
            let status = status ?? .internalServerError
            let text = answer.map { String(buffer: $0) } ?? ""
            outcome.succeed(.answer(status: Int(status.code), reason: status.reasonPhrase, body: text))
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        outcome.succeed(.failure(ShellRequest.describe(error)))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        outcome.succeed(.failure("the connection was closed before an answer came"))
        context.fireChannelInactive()
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " { scalars.removeFirst() }
        while let last = scalars.last, last == " " { scalars.removeLast() }
        return String(scalars)
    }
}

KakapoShell.main()
