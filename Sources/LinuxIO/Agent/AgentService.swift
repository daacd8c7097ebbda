import Glibc
import KakapoCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// A `Control-agent` configuration as read from a file (or config-set's arguments), with the
/// clients' credentials read from their files.
public struct AgentLoaded: Sendable {
    public var config: AgentConfig
    /// The configuration as parsed (comments removed), for config-get and config-write.
    public var json: JSON
    public var warnings: [ConfigWarning]
    public var authenticator: BasicAuthenticator?

    public static func load(path: String) throws(ConfigError) -> AgentLoaded {
        let text: String
        do { text = try readFile(path) } catch {
            throw ConfigError(code: .unreadableFile, message: "Unable to open file \(path)")
        }
        return try load(text: text, file: path)
    }

    public static func load(text: String, file: String) throws(ConfigError) -> AgentLoaded {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let parsed: (root: JSONNode, warnings: [ConfigWarning])
        do {
            let p = try KeaJSON.parseWithWarnings(text, file: file, include: { name throws -> String in
                try readFile(name.hasPrefix("/") ? name : dir + "/" + name)
            })
            parsed = (p.root, p.warnings)
        } catch { throw AgentConfigDecoder.refineSyntaxError(error, text: text) }
        let config = try AgentConfigDecoder.decode(parsed.root)
        var authenticator: BasicAuthenticator?
        if let auth = config.authentication {
            authenticator = try AgentCredentials.resolve(auth, read: readCredentialFile)
        }
        return AgentLoaded(config: config, json: parsed.root.plain, warnings: parsed.warnings + config.warnings,
                           authenticator: authenticator)
    }

    /// config-set / config-test: the arguments are the whole configuration (`{"Control-agent": ...}`).
    public static func load(json: JSON) throws(ConfigError) -> AgentLoaded {
        try load(text: json.serialized(pretty: false), file: "<config-set>")
    }

    /// A user-file or password-file, whole, with Kea's text when it cannot be read.
    static func readCredentialFile(_ path: String) throws(ConfigError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ConfigError(message: "can't open file '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The control agent's state and work. Everything mutable is touched on its one event loop
/// only (the HTTP handlers, the forwarders' callbacks and the signal thread's hand-offs all
/// run there), hence `@unchecked Sendable`.
public final class AgentService: @unchecked Sendable {
    public static let keaName = "kea-ctrl-agent"
    let group: MultiThreadedEventLoopGroup
    let loop: any EventLoop
    let configPath: String
    public let logger: Logger
    let forceDebug: Bool
    let limits: AgentLimits
    var loaded: AgentLoaded
    var router: AgentRouter
    var tls: TLSContext?
    var listener: (any Channel)?
    var connections = 0
    var refused = 0
    let startedAt = AgentService.monotonicSeconds()
    var reloadedAt = AgentService.monotonicSeconds()
    /// Set by the shutdown command; the signal thread then stops the process.
    public private(set) var shutdownRequested = false

    public init(configPath: String, loaded: AgentLoaded, logger: Logger, forceDebug: Bool,
                group: MultiThreadedEventLoopGroup, limits: AgentLimits = AgentLimits()) {
        self.configPath = configPath
        self.loaded = loaded
        self.router = AgentRouter(config: loaded.config, authenticator: loaded.authenticator)
        self.logger = logger
        self.forceDebug = forceDebug
        self.group = group
        self.loop = group.next()
        self.limits = limits
    }

    static func monotonicSeconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec)
    }

    // MARK: - Listening

    /// Opens the listener of `loaded` (on the event loop); the TLS context first, when the
    /// configuration asks for TLS.
    func listen(_ l: AgentLoaded) -> EventLoopFuture<(any Channel, TLSContext?)> {
        let c = l.config
        var context: TLSContext?
        if c.usesTLS {
            do {
                context = try TLSContext.server(certFile: c.certFile, keyFile: c.keyFile,
                                                trustAnchor: c.trustAnchor, certRequired: c.certRequired)
            } catch {
                return loop.makeFailedFuture(ForwardFailure(reason: "TLS setup failed: \(error.description)"))
            }
        }
        let tlsContext = context
        let limits = self.limits
        let bootstrap = ServerBootstrap(group: loop)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.setUpConnection(channel, tls: tlsContext, limits: limits)
                }
            }
        return bootstrap.bind(host: c.httpHost, port: Int(c.httpPort)).map { ($0, tlsContext) }
    }

    /// A new connection: over the limit it is closed at once; otherwise TLS (when configured)
    /// first, then NIO's HTTP/1.1 codec with its header limits, then the agent's handlers.
    func setUpConnection(_ channel: any Channel, tls: TLSContext?, limits: AgentLimits) throws {
        guard connections < limits.connectionsMax else {
            refused += 1
            if refused == 1 || refused % 1000 == 0 {
                logger.log(.warn, "HTTP_CONNECTION_LIMIT", "refused \(refused) connection(s): \(connections) are open, the most the agent keeps (\(limits.connectionsMax))", component: "http")
            }
            channel.close(promise: nil)
            return
        }
        connections += 1
        channel.closeFuture.whenComplete { [self] _ in connections -= 1 }
        let sync = channel.pipeline.syncOperations
        let http = AgentHTTPHandler(service: self, limits: limits)
        if let tls { try sync.addHandler(tls.makeHandler()) }
        try sync.addHandler(AgentByteObserver(http: http))
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.headerBytesMax
        decoderLimits.maxHeaderListSize = limits.headerBytesMax
        decoderLimits.maxHeaderFieldCount = 256
        try sync.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false,
                                             withOutboundHeaderValidation: true, withEncoderConfiguration: .init(),
                                             withDecoderLimitConfiguration: decoderLimits)
        try sync.addHandler(http)
    }

    /// Binds the configured address; the process's start.
    public func start() -> EventLoopFuture<Void> {
        loop.flatSubmit { [self] in
            listen(loaded).map { [self] bound in
                let (channel, context) = bound
                listener = channel
                tls = context
                let c = loaded.config
                serviceStarted(c)
                configured(loaded)
                logger.log(.info, "CTRL_AGENT_STARTED", "Kea Control Agent version \(kakapoVersion) started", component: "ctrl-agent")
            }
        }
    }

    func serviceStarted(_ c: AgentConfig) {
        if c.usesTLS {
            logger.log(.info, "CTRL_AGENT_HTTPS_SERVICE_STARTED", "HTTPS service bound to address \(c.httpHost):\(c.httpPort)", component: "ctrl-agent")
        } else {
            logger.log(.info, "CTRL_AGENT_HTTP_SERVICE_STARTED", "HTTP service bound to address \(c.httpHost):\(c.httpPort)", component: "ctrl-agent")
        }
    }

    func configured(_ l: AgentLoaded) {
        for w in l.warnings {
            logger.log(.warn, "DCTL_CONFIG_SYNTAX_WARNING", "Control-agent configuration syntax warning: \(w.message)", component: "dctl")
        }
        let c = l.config
        var text = "server has completed configuration: listening on \(c.httpHost), port \(c.httpPort), control sockets: "
        text += c.serviceNames.joined(separator: " ")
        if router.authenticator != nil { text += ", requires basic HTTP authentication" }
        text += ", \(c.hooksLibraries.count) lib(s):"
        logger.log(.info, "DCTL_CONFIG_COMPLETE", text, component: "dctl")
    }

    /// Swaps `l` in: a new address or TLS setup gets a new listener first (the old one stays
    /// when it cannot be opened). Answers Kea's texts.
    func apply(_ l: AgentLoaded) -> EventLoopFuture<JSON> {
        let old = loaded.config
        let c = l.config
        let rebind = old.httpHost != c.httpHost || old.httpPort != c.httpPort || old.trustAnchor != c.trustAnchor
            || old.certFile != c.certFile || old.keyFile != c.keyFile || old.certRequired != c.certRequired
        guard rebind else { return loop.makeSucceededFuture(swapIn(l)) }
        return listen(l).map { [self] bound in
            let (channel, context) = bound
            listener?.close(promise: nil)
            listener = channel
            tls = context
            serviceStarted(c)
            return swapIn(l)
        }.recover { error in
            ControlResponse.make(.error, "Failed to apply configuration: \(AgentForwarder.describe(error))")
        }
    }

    func swapIn(_ l: AgentLoaded) -> JSON {
        loaded = l
        router = AgentRouter(config: l.config, authenticator: l.authenticator)
        reloadedAt = Self.monotonicSeconds()
        logger.apply(l.config.loggers, forceDebug: forceDebug)
        configured(l)
        return ControlResponse.make(.success, "Configuration applied successfully.")
    }

    /// SIGHUP and config-reload: the file again; the running configuration stays on failure.
    func reload() -> EventLoopFuture<JSON> {
        let l: AgentLoaded
        do { l = try AgentLoaded.load(path: configPath) } catch {
            logger.log(.error, "DCTL_CFG_FILE_RELOAD_ERROR", "configuration reload failed: \(error.message), reverting to current configuration.", component: "dctl")
            return loop.makeSucceededFuture(ControlResponse.make(.error, "Config reload failed: \(error.message)"))
        }
        return apply(l)
    }

    /// The signal thread's SIGHUP.
    public func reloadOnSignal() {
        loop.execute { [self] in
            logger.log(.info, "DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD", "OS signal 1 received, reloading configuration from file: \(configPath)", component: "dctl")
            _ = reload()
        }
    }

    /// Stops listening (the signal thread then shuts the event loop down, closing connections).
    public func stop() -> EventLoopFuture<Void> {
        loop.flatSubmit { [self] in
            let closing = listener?.close() ?? loop.makeSucceededVoidFuture()
            listener = nil
            logger.log(.debug, "CTRL_AGENT_RUN_EXIT", "application is exiting the event loop", component: "ctrl-agent", debugLevel: 0)
            return closing.recover { _ in }
        }
    }

    // MARK: - Requests

    /// The answer to one HTTP request.
    func answer(_ request: AgentHTTPRequest, remote: String) -> EventLoopFuture<AgentHTTPResponse> {
        let decision = router.route(request)
        if let reason = decision.badRequest {
            logger.log(.debug, "HTTP_BAD_CLIENT_REQUEST_RECEIVED", "bad request received from \(remote): \(reason)", component: "http", debugLevel: 40)
        }
        switch decision.auth {
        case .authorized(let user?)?:
            logger.log(.info, "HTTP_CLIENT_REQUEST_AUTHORIZED", "received HTTP request authorized for '\(user)'", component: "auth")
        case .noHeader?:
            logger.log(.info, "HTTP_CLIENT_REQUEST_NO_AUTH_HEADER", "received HTTP request without required authentication header", component: "auth")
        case .malformed(let reason)?:
            logger.log(.info, "HTTP_CLIENT_REQUEST_BAD_AUTH_HEADER", "received HTTP request with malformed authentication header: \(reason)", component: "auth")
        case .notAuthorized?:
            logger.log(.info, "HTTP_CLIENT_REQUEST_NOT_AUTHORIZED", "received HTTP request with not matching authentication header", component: "auth")
        default: break
        }
        switch decision.route {
        case .respond(let response): return loop.makeSucceededFuture(response)
        case .dashboard(let path):
            let file = DashboardFiles(directory: DashboardFiles.defaultDirectory() ?? "").response(forPath: path)
            return loop.makeSucceededFuture(AgentHTTPResponse(status: file.status, headers: [.init("Content-Type", file.contentType)], body: file.body))
        case .metrics:
            let services = loaded.config.controlSockets.sorted { $0.service < $1.service }
            let text = JSON.object(JSONObject([("command", .string("statistic-get-all"))])).serialized()
            let answers = services.map { socket in
                AgentForwarder.forward(text, to: socket.socketName, on: loop).map { reply in
                    AgentRouter.forwardedAnswer(socket.service, reply: reply)
                }.recover { error in
                    ControlResponse.make(.error, AgentRouter.unreachableText(socket.service, reason: AgentForwarder.describe(error)))
                }
            }
            return EventLoopFuture.whenAllComplete(answers, on: loop).map { results in
                var pairs: [(service: String, answer: JSON)] = []
                for (socket, result) in zip(services, results) {
                    if case .success(let answer) = result { pairs.append((socket.service, answer)) }
                }
                return AgentHTTPResponse(status: 200, headers: [.init("Content-Type", AgentMetrics.contentType)],
                                         body: Array(AgentMetrics.render(pairs).utf8))
            }
        case .commands(let command, let steps):
            if !command.isEmpty {
                logger.log(.info, "CTRL_AGENT_COMMAND_RECEIVED", "command \(command) received from remote address \(remote)", component: "ctrl-agent")
            }
            let futures = steps.map { step(command, $0) }
            return EventLoopFuture.whenAllComplete(futures, on: loop).map { results in
                AgentRouter.response(results.map { result in
                    switch result {
                    case .success(let answer): answer
                    case .failure(let error): ControlResponse.make(.error, "\(error)")
                    }
                })
            }
        }
    }

    func step(_ command: String, _ step: AgentRouter.CommandStep) -> EventLoopFuture<JSON> {
        switch step {
        case .answer(let answer):
            if let text = answer["text"]?.stringValue, text.hasPrefix("Error during command processing: ") {
                logger.log(.warn, "COMMAND_PROCESS_ERROR2", "Error while processing command: \(text.dropFirst("Error during command processing: ".count))", component: "commands")
            }
            return loop.makeSucceededFuture(answer)
        case .own(let request): return own(request)
        case .forward(let service, let socketName, let text):
            logger.log(.debug, "CTRL_AGENT_COMMAND_FORWARD_BEGIN", "begin forwarding command \(command) to service \(service)", component: "ctrl-agent", debugLevel: 40)
            return AgentForwarder.forward(text, to: socketName, on: loop).map { [self] reply in
                logger.log(.debug, "CTRL_AGENT_COMMAND_FORWARDED", "command \(command) successfully forwarded to the service \(service)", component: "ctrl-agent", debugLevel: 40)
                return AgentRouter.forwardedAnswer(service, reply: reply)
            }.recover { [self] error in
                let text = AgentRouter.unreachableText(service, reason: AgentForwarder.describe(error))
                logger.log(.debug, "CTRL_AGENT_COMMAND_FORWARD_FAILED", "failed forwarding command \(command): \(text)", component: "ctrl-agent", debugLevel: 40)
                return ControlResponse.make(.error, text)
            }
        }
    }

    /// The agent's own commands (Kea 2.4's kea-ctrl-agent list).
    func own(_ request: ControlRequest) -> EventLoopFuture<JSON> {
        logger.log(.info, "COMMAND_RECEIVED", "Received command '\(request.command)'", component: "commands")
        func done(_ answer: JSON) -> EventLoopFuture<JSON> { loop.makeSucceededFuture(answer) }
        switch request.command {
        case "list-commands": return done(router.table.listCommandsAnswer)
        case "version-get":
            return done(ControlResponse.make(.success, kakapoVersion, arguments: .object(JSONObject([
                ("extended", .string("\(kakapoVersion)\nKakapo control agent (Kea 2.4 kea-ctrl-agent compatible)\nlinked with:\nSwiftNIO, system OpenSSL\n"))]))))
        case "build-report":
            return done(ControlResponse.make(.success, "Kakapo \(kakapoVersion); control agent; HTTP/1.1 by SwiftNIO; TLS through the system's OpenSSL"))
        case "status-get":
            let now = Self.monotonicSeconds()
            return done(ControlResponse.make(.success, arguments: .object(JSONObject([
                ("pid", .int(Int64(getpid()))), ("reload", .int(now - reloadedAt)), ("uptime", .int(now - startedAt))]))))
        case "config-get": return done(ControlResponse.make(.success, arguments: loaded.json))
        case "config-hash-get":
            return done(ControlResponse.make(.success, arguments: .object(JSONObject([("hash", .string(SystemCrypto.configHash(loaded.json)))]))))
        case "config-test", "config-set":
            guard let arguments = request.arguments else {
                return done(ControlResponse.make(.error, "Missing mandatory 'arguments' parameter."))
            }
            let l: AgentLoaded
            do { l = try AgentLoaded.load(json: arguments) } catch {
                if request.command == "config-test" {
                    logger.log(.error, "CTRL_AGENT_CONFIG_CHECK_FAIL", "Control Agent configuration check failed: \(error.message)", component: "ctrl-agent")
                } else {
                    logger.log(.error, "CTRL_AGENT_CONFIG_FAIL", "Control Agent configuration failed: \(error.message)", component: "ctrl-agent")
                }
                return done(ControlResponse.make(.error, error.message))
            }
            if request.command == "config-test" { return done(ControlResponse.make(.success, "Configuration check successful")) }
            return apply(l)
        case "config-reload": return reload()
        case "config-write":
            let file = request.arguments?["filename"]?.stringValue ?? configPath
            let text = KeaElementText.string(loaded.json)
            do { try writeFileAtomically(file, text) } catch {
                return done(ControlResponse.make(.error, "Error during write-config:Unable to open file \(file) for writing"))
            }
            return done(ControlResponse.make(.success, "Configuration written to \(file) successful", arguments: .object(JSONObject([
                ("filename", .string(file)), ("size", .int(Int64(text.utf8.count)))]))))
        case "shutdown":
            shutdownRequested = true
            // After the answer is on its way: the signal thread does the rest.
            _ = loop.scheduleTask(in: .milliseconds(200)) { kill(getpid(), SIGTERM) }
            return done(ControlResponse.make(.success, "Control Agent is shutting down"))
        default:
            return done(ControlResponse.make(.unsupported, AgentRouter.notSupportedText(request.command)))
        }
    }
}
