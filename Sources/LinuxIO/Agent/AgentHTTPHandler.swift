import Glibc
import KakapoCore
import NIOCore
import NIOHTTP1

/// The limits that keep hostile clients from hurting the agent.
public struct AgentLimits: Sendable {
    /// Kea's HTTP request timeout: a request not complete 10 s after its first byte gets 408.
    public var requestTimeout = TimeAmount.seconds(10)
    /// Kea's idle timeout for a persistent connection between requests (30 s).
    public var idleTimeout = TimeAmount.seconds(30)
    /// The largest request body (413 beyond it, and the connection closes).
    public var bodyBytesMax = 4 << 20
    /// The largest header block (431 beyond it, and the connection closes).
    public var headerBytesMax = 16 << 10
    /// Most connections open at once; beyond it a new one is closed at once (well below the
    /// usual descriptor limit, so that the agent can still accept and close them).
    public var connectionsMax = 512

    public init() {}
}

/// Sees raw bytes before the HTTP decoder, so the request timer starts at a request's first
/// byte (a client that sends half a header and waits is timed out too).
final class AgentByteObserver: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let http: AgentHTTPHandler

    init(http: AgentHTTPHandler) { self.http = http }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        http.bytesArrived()
        context.fireChannelRead(data)
    }
}

/// One HTTP connection to the agent: NIO's HTTP/1.1 codec parses, this handler gathers one
/// request at a time (pipelined requests wait their turn), asks the service for the answer,
/// writes it, and keeps the connection for the next request unless the client or an error
/// says otherwise. Timers and size limits are per connection.
final class AgentHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum Phase { case idle, receiving, answering, closing }

    let service: AgentService
    let limits: AgentLimits
    var context: ChannelHandlerContext?
    var phase = Phase.idle
    var head: HTTPRequestHead?
    var body: [UInt8] = []
    var pending: [HTTPServerRequestPart] = []
    var timer: Scheduled<Void>?
    var remote = "(unknown address)"

    init(service: AgentService, limits: AgentLimits) {
        self.service = service
        self.limits = limits
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.remoteAddress?.ipAddress ?? "(unknown address)"
        service.logger.log(.debug, "HTTP_REQUEST_RECEIVE_START", "start receiving request from \(remote) with timeout \(limits.requestTimeout.nanoseconds / 1_000_000_000)", component: "http", debugLevel: 40)
        arm(limits.requestTimeout, idle: false)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        phase = .closing
        service.logger.log(.debug, "HTTP_CONNECTION_STOP", "stopping HTTP connection from \(remote)", component: "http", debugLevel: 40)
        context.fireChannelInactive()
    }

    /// Raw bytes arrived: a new request starts its timer.
    func bytesArrived() {
        if phase == .idle {
            phase = .receiving
            arm(limits.requestTimeout, idle: false)
        }
    }

    func arm(_ after: TimeAmount, idle: Bool) {
        timer?.cancel()
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: after) { [self] in
            timer = nil
            if idle || phase == .idle {
                if idle {
                    service.logger.log(.debug, "HTTP_IDLE_CONNECTION_TIMEOUT_OCCURRED", "closing persistent connection with \(remote) as a result of a timeout", component: "http", debugLevel: 40)
                }
                context.close(promise: nil)
            } else if phase == .receiving {
                service.logger.log(.debug, "HTTP_CLIENT_REQUEST_TIMEOUT_OCCURRED", "HTTP request timeout occurred when communicating with \(remote)", component: "http", debugLevel: 40)
                send(.stock(408), version: head?.version ?? .http1_1, keepAlive: false)
            }
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if phase == .answering || !pending.isEmpty {
            // A pipelined request waits for the answer in progress.
            if pending.count < 4096 { pending.append(part) } else { context.close(promise: nil) }
            return
        }
        handle(part)
    }

    func handle(_ part: HTTPServerRequestPart) {
        guard phase != .closing else { return }
        switch part {
        case .head(let h):
            phase = .receiving
            head = h
            body = []
            let headerBytes = h.headers.reduce(h.uri.utf8.count) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            if headerBytes > limits.headerBytesMax {
                bad("request header of \(headerBytes) bytes, more than \(limits.headerBytesMax)", status: 431)
                return
            }
            if let length = h.headers.first(name: "Content-Length").flatMap({ Int($0) }), length > limits.bodyBytesMax {
                bad("request body of \(length) bytes, more than \(limits.bodyBytesMax)", status: 413)
            }
        case .body(var buffer):
            guard head != nil else { return }
            if body.count + buffer.readableBytes > limits.bodyBytesMax {
                bad("request body larger than \(limits.bodyBytesMax) bytes", status: 413)
                return
            }
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { body += bytes }
        case .end:
            guard let h = head else { return }
            phase = .answering
            timer?.cancel()
            timer = nil
            let request = AgentHTTPRequest(method: h.method.rawValue, uri: h.uri,
                                           headers: h.headers.map { (name: $0.name, value: $0.value) }, body: body)
            body = []
            service.logger.log(.debug, "HTTP_CLIENT_REQUEST_RECEIVED", "received HTTP request from \(remote)", component: "http", debugLevel: 40)
            service.answer(request, remote: remote).assumeIsolated().whenComplete { [self] result in
                let response: AgentHTTPResponse
                switch result {
                case .success(let r): response = r
                case .failure: response = .stock(500)
                }
                send(response, version: h.version, keepAlive: h.isKeepAlive)
            }
        }
    }

    /// A request refused at the HTTP level: the answer, then the connection closes (the rest
    /// of the request is not read).
    func bad(_ reason: String, status: Int) {
        service.logger.log(.debug, "HTTP_BAD_CLIENT_REQUEST_RECEIVED", "bad request received from \(remote): \(reason)", component: "http", debugLevel: 40)
        send(.stock(status), version: head?.version ?? .http1_0, keepAlive: false)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard phase != .closing else { return }
        if let parse = error as? HTTPParserError {
            // Garbage, or a header past the decoder's limits: Kea's 400 (HTTP/1.0, as Kea
            // answers a request whose version it could not read), then close.
            let status = parse == .headerOverflow ? 431 : 400
            service.logger.log(.debug, "HTTP_BAD_CLIENT_REQUEST_RECEIVED", "bad request received from \(remote): \(parse)", component: "http", debugLevel: 40)
            if phase == .answering { phase = .closing; context.close(promise: nil); return }
            send(.stock(status), version: head?.version ?? .http1_0, keepAlive: false)
        } else {
            if let tls = error as? TLSConnectionError {
                service.logger.log(.info, "HTTP_CONNECTION_HANDSHAKE_FAILED", "TLS handshake with \(remote) failed with \(tls)", component: "http")
            }
            phase = .closing
            context.close(promise: nil)
        }
    }

    func send(_ response: AgentHTTPResponse, version: HTTPVersion, keepAlive: Bool) {
        guard let context, phase != .closing else { return }
        // Only after a whole request was read may the connection carry the next one.
        let keep = keepAlive && phase == .answering
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(response.body.count))
        for h in response.headers { headers.add(name: h.name, value: h.value) }
        headers.add(name: "Date", value: Self.httpDate())
        if !keep { headers.add(name: "Connection", value: "close") }
        let status = HTTPResponseStatus(statusCode: response.status, reasonPhrase: AgentHTTPResponse.reason(response.status))
        service.logger.log(.debug, "HTTP_SERVER_RESPONSE_SEND", "sending HTTP response HTTP/\(version.major).\(version.minor) \(response.status) \(AgentHTTPResponse.reason(response.status)) to \(remote)", component: "http", debugLevel: 40)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if !response.body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        head = nil
        if !keep {
            phase = .closing
            timer?.cancel()
            timer = nil
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        phase = .idle
        arm(limits.idleTimeout, idle: true)
        // Requests that arrived meanwhile, in order.
        while !pending.isEmpty, phase != .answering, phase != .closing {
            let part = pending.removeFirst()
            if case .head = part { bytesArrived() }
            handle(part)
        }
    }

    /// RFC 7231's IMF-fixdate, as Kea's Date header.
    static func httpDate() -> String {
        var t = time(nil)
        var parts = tm()
        gmtime_r(&t, &parts)
        var out = [CChar](repeating: 0, count: 64)
        let n = strftime(&out, out.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: out[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
