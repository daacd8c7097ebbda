import CShim
import Glibc
import KakapoCore

/// A `DhcpDdns` configuration as read from a file (or config-set's arguments).
public struct D2Loaded {
    public var config: D2Config
    /// The configuration as parsed (comments removed), for config-get and config-write.
    public var json: JSON
    /// The parser's warnings, then the decoder's.
    public var warnings: [ConfigWarning]

    public static func load(path: String) throws(ConfigError) -> D2Loaded {
        let text: String
        do { text = try readFile(path) } catch {
            throw ConfigError(code: .unreadableFile, message: "Unable to open file \(path)")
        }
        return try load(text: text, file: path)
    }

    public static func load(text: String, file: String) throws(ConfigError) -> D2Loaded {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let parsed = try KeaJSON.parseWithWarnings(text, file: file, include: { name throws -> String in
            try readFile(name.hasPrefix("/") ? name : dir + "/" + name)
        })
        let config = try D2ConfigDecoder.decode(parsed.root)
        return D2Loaded(config: config, json: parsed.root.plain, warnings: parsed.warnings + config.warnings)
    }

    /// config-set / config-test: the arguments are the whole configuration (`{"DhcpDdns": ...}`).
    public static func load(json: JSON) throws(ConfigError) -> D2Loaded {
        try load(text: json.serialized(pretty: false), file: "<config-set>")
    }
}

/// kakapo-dhcp-ddns in the daemon shell: the request socket (`ip-address`:`port`, read only
/// while the engine's queue has room), one DNS socket for every server, the engine's
/// deadlines, and D2's control commands.
public final class D2Server: DaemonService {
    public static let keaName = "kea-dhcp-ddns"
    public let logger: Logger
    let configPath: String
    let forceDebug: Bool
    var loaded: D2Loaded
    var engine: D2Engine
    var requests: DatagramSocket
    let dns: DatagramSocket
    /// Datagrams read per socket per call, so one busy socket cannot starve the loop.
    static let readsPerTurn = 64

    static let commandTable = CommandTable(
        [DaemonCommand.buildReport, .configGet, .configHashGet, .configReload, .configSet, .configTest, .configWrite, .listCommands,
         .logGet, .shutdown, .statusGet, .versionGet].map { CommandEntry($0.rawValue, owner: .daemon, arguments: $0.arguments) }
        + [CommandEntry("statistic-get", owner: .engine, arguments: .requiredMap(missingText: "Missing mandatory 'arguments' parameter.")),
           CommandEntry("statistic-get-all", owner: .engine, arguments: .none),
           CommandEntry("statistic-reset", owner: .engine, arguments: .requiredMap(missingText: "Missing mandatory 'arguments' parameter.")),
           CommandEntry("statistic-reset-all", owner: .engine, arguments: .none),
           CommandEntry("statistic-remove", owner: .engine, arguments: .requiredMap(missingText: "Missing mandatory 'arguments' parameter.")),
           CommandEntry("statistic-remove-all", owner: .engine, arguments: .none)])

    public init(configPath: String, logger: Logger, forceDebug: Bool, now: Now) throws(ServerStartError) {
        self.configPath = configPath
        self.logger = logger
        self.forceDebug = forceDebug
        do { loaded = try D2Loaded.load(path: configPath) } catch { throw .config(error.message) }
        logger.apply(loaded.config.loggers, forceDebug: forceDebug)
        do {
            requests = try DatagramSocket(bindTo: loaded.config.ipAddress, port: loaded.config.port)
            dns = try DatagramSocket()
        } catch { throw .socket(error.description) }
        engine = D2Engine(config: loaded.config, hmac: SystemCrypto.hmac, seed: Dhcp4Server.kernelRandomSeed(), now: now)
        configured(loaded)
    }

    /// What a newly applied configuration logs.
    func configured(_ l: D2Loaded) {
        for w in l.warnings {
            logger.log(.warn, "DHCP_DDNS_CONFIG_SYNTAX_WARNING", "DHCP-DDNS server configuration syntax warning: \(w.message)", component: "dctl")
        }
        let c = l.config
        if !Self.isLoopback(c.ipAddress) {
            logger.log(.warn, "DHCP_DDNS_NOT_ON_LOOPBACK", "the DHCP-DDNS server has been configured to listen on \(c.ipAddress) which is not the local loopback.  This is an insecure configuration supported for testing purposes only", component: "dhcpddns")
        }
        logger.log(.info, "DCTL_CONFIG_COMPLETE", "server has completed configuration: listening on \(c.ipAddress), port \(c.port), using UDP", component: "dctl")
    }

    static func isLoopback(_ a: IPAddress) -> Bool {
        switch a {
        case .v4(let v): v.value >> 24 == 127
        case .v6(let v): v == IPv6Address(high: 0, low: 1)
        }
    }

    // MARK: - DaemonService

    public var inputDescriptors: [Int32] { engine.acceptsRequests ? [requests.fd, dns.fd] : [dns.fd] }

    public func readable(_ fd: Int32, now: Now) {
        // A descriptor of a request socket a reconfiguration replaced this turn is ignored.
        guard fd == requests.fd || fd == dns.fd else { return }
        let socket = fd == requests.fd ? requests : dns
        for _ in 0..<Self.readsPerTurn {
            switch socket.receive() {
            case .empty: return
            case .failed(let e):
                if socket === requests {
                    engine.receiveFailed(now: now)
                    logger.log(.error, "DHCP_DDNS_QUEUE_MGR_RECV_ERROR", "application's queue manager was notified of a request receive error by its listener: \(String(cString: strerror(e)))", component: "dhcpddns")
                }
                return
            case .datagram(let bytes, let from, let port):
                if socket === requests {
                    run(engine.receive(request: bytes, now: now), now: now)
                    if !engine.acceptsRequests { return }
                } else {
                    run(engine.receive(dns: bytes, from: from, port: port, now: now), now: now)
                }
            }
        }
    }

    /// Carries out the engine's effects: DNS datagrams go out (a failed send goes back to
    /// the engine as an I/O error, which may send again), events are logged.
    func run(_ effects: [D2Effect], now: Now) {
        var work = effects[...]
        var rounds = 0
        while let e = work.popFirst() {
            switch e {
            case .log(let event):
                logger.log(event: event, component: event.component)
            case .sendDNS(let wire, let to, let port, let exchange):
                if !dns.send(wire, to: to, port: port) {
                    rounds += 1
                    // Every server refusing at once: bounded, the rest wait for their deadlines.
                    guard rounds < 1000 else { continue }
                    work.append(contentsOf: engine.sendFailed(exchange: exchange, now: now))
                }
            }
        }
    }

    public func endOfTurn(now: Now) {}

    public var nextDeadline: MonotonicInstant? { engine.nextDeadline }

    public func deadline(now: Now) { run(engine.expire(now: now), now: now) }

    public var controlSocketPath: String? { loaded.config.controlSocket?.socketName }

    public var leaseFileCleanupInterval: Milliseconds? { nil }
    public func cleanUpLeaseFile() {}

    public func log(_ event: DaemonEvent) {
        switch event {
        case .started:
            logger.log(.info, "DHCP_DDNS_STARTED", "Kea DHCP-DDNS server version \(kakapoVersion) started", component: "dhcpddns")
        case .stopping:
            logger.log(.info, "DCTL_SHUTDOWN", "DhcpDdns has shut down, pid: \(getpid()), version: \(kakapoVersion)", component: "dctl")
        case .shutdownRequested(let signal):
            logger.log(.debug, "DCTL_SHUTDOWN_SIGNAL_RECVD", "OS signal \(signal ?? 0) received, starting shutdown", component: "dctl", debugLevel: 40)
        case .wallClockStepped:
            break  // TSIG signs with the wall clock of each send; nothing else depends on it.
        case .pollFailed(let e):
            logger.log(.error, "DHCP_DDNS_FAILED", "application experienced a fatal error: poll failed: \(String(cString: strerror(e)))", component: "dhcpddns")
        case .controlSocketFailed(let reason):
            logger.log(.error, "DHCP_DDNS_CONFIG_FAIL", "DHCP-DDNS server configuration failed: failed to open control socket: \(reason)", component: "dctl")
        }
    }

    // MARK: - Configuration

    /// Swaps a new configuration in: a new request address or port gets a new socket (the old
    /// one stays when it cannot be opened); the engine keeps its queue and transactions.
    func apply(_ l: D2Loaded, now: Now) throws(ServerStartError) {
        if l.config.ipAddress != loaded.config.ipAddress || l.config.port != loaded.config.port {
            do { requests = try DatagramSocket(bindTo: l.config.ipAddress, port: l.config.port) } catch {
                logger.log(.error, "DHCP_DDNS_QUEUE_MGR_START_ERROR", "application could not start the queue manager, reason: \(error)", component: "dhcpddns")
                throw .socket(error.description)
            }
        }
        loaded = l
        logger.apply(l.config.loggers, forceDebug: forceDebug)
        engine.reconfigure(l.config, now: now)
        configured(l)
    }

    public func reload(now: Now) -> (ok: Bool, text: String) {
        logger.log(.info, "DCTL_CFG_FILE_RELOAD_SIGNAL_RECVD", "OS signal 1 received, reloading configuration from file: \(configPath)", component: "dctl")
        do {
            let l = try D2Loaded.load(path: configPath)
            try apply(l, now: now)
            return (true, "Configuration applied successfully.")
        } catch {
            let text = (error as? ConfigError)?.message ?? "\(error)"
            logger.log(.error, "DCTL_CFG_FILE_RELOAD_ERROR", "configuration reload failed: \(text), reverting to current configuration.", component: "dctl")
            return (false, text)
        }
    }

    // MARK: - Control commands

    public func answer(_ text: String, daemon: Daemon, now: Now) -> String {
        DaemonControl.answer(text, logger: logger) { request in
            ControlDispatcher(table: Self.commandTable).answer(request, engine: { entry, request in
                statisticCommand(entry.name, request.arguments, now: now)
            }, daemon: { command, request in
                daemonCommand(command, request.arguments, daemon, now)
            })
        }
    }

    func statisticCommand(_ name: String, _ args: JSON?, now: Now) -> JSON {
        switch name {
        case "statistic-get": return StatisticCommands.get(args, from: engine.statistics)
        case "statistic-get-all": return StatisticCommands.getAll(from: engine.statistics)
        case "statistic-reset-all": return StatisticCommands.resetAll(&engine.statistics, now: now.wall)
        case "statistic-remove-all":
            engine.statistics.removeAll()
            return ControlResponse.make(.success, "All statistics removed.")
        case "statistic-reset", "statistic-remove":
            guard let stat = args?["name"]?.stringValue else { return ControlResponse.make(.error, "Missing mandatory 'name' parameter.") }
            let found = name == "statistic-reset" ? engine.statistics.reset(stat, now: now.wall) : engine.statistics.remove(stat)
            guard found else { return ControlResponse.make(.error, "No '\(stat)' statistic found") }
            return ControlResponse.make(.success, "Statistic '\(stat)' \(name == "statistic-reset" ? "reset" : "removed").")
        default: return ControlDispatcher.unsupported(name)
        }
    }

    func daemonCommand(_ command: DaemonCommand, _ args: JSON?, _ daemon: Daemon, _ now: Now) -> JSON {
        switch command {
        case .listCommands: return Self.commandTable.listCommandsAnswer
        case .versionGet:
            return ControlResponse.make(.success, kakapoVersion, arguments: .object(JSONObject([
                ("extended", .string("Kakapo DHCP-DDNS server \(kakapoVersion) (Kea 2.4 configuration, request and command compatible)"))])))
        case .buildReport: return ControlResponse.make(.success, "Kakapo \(kakapoVersion); DHCP-DDNS server; TSIG through the system's OpenSSL")
        case .statusGet:
            // kea-dhcp-ddns answers with these three only (no multi-threading or socket state).
            return ControlResponse.make(.success, arguments: .object(JSONObject([
                ("pid", .int(Int64(getpid()))),
                ("reload", .int((now.monotonic - daemon.reloadedAt).value / 1000)),
                ("uptime", .int((now.monotonic - daemon.startedAt).value / 1000)),
            ])))
        case .configGet: return ControlResponse.make(.success, arguments: loaded.json)
        case .configHashGet:
            return ControlResponse.make(.success, arguments: .object(JSONObject([("hash", .string(SystemCrypto.configHash(loaded.json)))])))
        case .configTest, .configSet:
            guard let a = args else { return ControlResponse.make(.error, "Missing mandatory 'arguments' parameter.") }
            let l: D2Loaded
            do { l = try D2Loaded.load(json: a) } catch { return ControlResponse.make(.error, error.message) }
            if command == .configTest { return ControlResponse.make(.success, "Configuration check successful") }
            do { try apply(l, now: now) } catch { return ControlResponse.make(.error, error.description) }
            do { try daemon.configurationChanged() } catch { return ControlResponse.make(.error, "failed to open control socket: \(error)") }
            return ControlResponse.make(.success, "Configuration applied successfully.")
        case .configReload:
            let (ok, text) = reload(now: now)
            if ok {
                do { try daemon.configurationChanged() } catch { return ControlResponse.make(.error, "Config reload failed: failed to open control socket: \(error)") }
            }
            return ControlResponse.make(ok ? .success : .error, ok ? text : "Config reload failed: \(text)")
        case .configWrite: return DaemonControl.configWrite(args, configPath: configPath, running: loaded.json)
        case .shutdown:
            logger.log(.debug, "DHCP_DDNS_SHUTDOWN_COMMAND", "application received shutdown command with args: \(args?.serialized() ?? "(no arguments)")", component: "dhcpddns", debugLevel: 40)
            daemon.requestShutdown()
            return ControlResponse.make(.success, "Shutdown initiated, type is: normal")
        case .leaseWrite, .leaseWrite6, .configBackendPull, .dhcpDisable, .dhcpEnable, .serverTagGet:
            return ControlDispatcher.unsupported(command.rawValue)
        case .logGet: return logger.recent.answer(args)
        }
    }
}

/// The whole program of kakapo-dhcp-ddns: Kea's command line for kea-dhcp-ddns (-c, -t, -d,
/// -v, -V, -W), the configuration check, the PID file (`<config stem>.kea-dhcp-ddns.pid`) and
/// the daemon loop in the foreground. Returns only through `exit`.
public func runD2Server(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
    let commandLine = KeaDaemonCommandLine.parse(arguments, program: "kakapo-dhcp-ddns",
        extendedVersion: "Kakapo DHCP-DDNS server, Kea 2.4 compatible; TSIG through the system's OpenSSL",
        report: "Swift build, DHCP-DDNS server")
    let path = commandLine.configPath, checkOnly = commandLine.checkOnly, forceDebug = commandLine.forceDebug
    if checkOnly {
        do {
            let l = try D2Loaded.load(path: path)
            for w in l.warnings { print("WARN \(w.message)") }
            print("Configuration file \(path) is valid.")
            exit(0)
        } catch {
            writeStandardError(configCheckVerdict(error))
            exit(1)
        }
    }
    let logger = Logger(name: D2Server.keaName, component: "dhcpddns", severity: forceDebug ? .debug : .info,
                        debugLevel: forceDebug ? 99 : 0)
    logger.log(.info, "DCTL_STARTING", "DhcpDdns starting, pid: \(getpid()), version: \(kakapoVersion) (kakapo)", component: "dctl")
    let pidFile = PidFile(configPath: path, daemon: D2Server.keaName)
    switch pidFile.acquire() {
    case .alreadyRunning(let pid):
        logger.log(.error, "DHCP_DDNS_ALREADY_RUNNING", "\(D2Server.keaName) already running? PID: \(pid), PID file: \(pidFile.path)", component: "dctl")
        exit(1)
    case .unwritable(let why):
        logger.log(.error, "DCTL_PID_FILE_ERROR", "DhcpDdns could not create a PID file: \(pidFile.path): \(why)", component: "dctl")
    case .written:
        break
    }
    var clock = SystemClock()
    let server: D2Server
    do {
        server = try D2Server(configPath: path, logger: logger, forceDebug: forceDebug, now: clock.now())
    } catch {
        if case .config(let text) = error {
            logger.log(.error, "DCTL_CONFIG_FILE_LOAD_FAIL", "DhcpDdns reason: configuration error using file: \(path), reason: \(text)", component: "dctl")
        } else {
            logger.log(.error, "DCTL_INIT_PROCESS_FAIL", "DhcpDdns application initialization failed: \(error)", component: "dctl")
        }
        pidFile.release()
        exit(1)
    }
    let daemon: Daemon
    do { daemon = try Daemon(service: server, pidFile: pidFile) } catch {
        logger.log(.error, "DCTL_INIT_PROCESS_FAIL", "DhcpDdns application initialization failed: failed to open control socket: \(error)", component: "dctl")
        pidFile.release()
        exit(1)
    }
    exit(daemon.run())
}
