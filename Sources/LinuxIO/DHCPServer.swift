import CShim
import Glibc
import KakapoCore

/// The names that tell kakapo-dhcp4 and kakapo-dhcp6 apart in what they print and log; all
/// else in their shell is one code path (`DHCPServer`, `runDHCPServer`).
public struct ServerIdentity: Sendable {
    /// Kea's name for the daemon: the logger root and the PID file's middle part.
    public let keaName: String
    /// Kakapo's program name.
    public let tool: String
    /// The prefix of the daemon's log message IDs ("DHCP4").
    public let logPrefix: String
    /// "DHCPv4", for text meant for people.
    public let protocolName: String
    /// The logger component the engine's events go under ("dhcp4").
    public let component: String
    public let defaultServerPort: UInt16
    public let defaultClientPort: UInt16
    /// Kea's default lease file name under `<localstatedir>/lib/kea`.
    public let leaseFileName: String
    /// The daemon's message ID, severity and debug level for each `ServerMessage`.
    let lines: [ServerMessage: (id: String, severity: Severity, debugLevel: Int)]

    public static let dhcp4 = ServerIdentity(
        keaName: "kea-dhcp4", tool: "kakapo-dhcp4", logPrefix: "DHCP4", protocolName: "DHCPv4", component: "dhcp4",
        defaultServerPort: 67, defaultClientPort: 68, leaseFileName: "kea-leases4.csv", lines: [
            .starting: ("DHCP4_STARTING", .info, 0),
            .started: ("DHCP4_STARTED", .info, 0),
            .multiThreadingInfo: ("DHCP4_MULTI_THREADING_INFO", .info, 0),
            .alreadyRunning: ("DHCP4_ALREADY_RUNNING", .fatal, 0),
            .pidFileError: ("DHCP4_PID_FILE_ERROR", .warn, 0),
            .configLoadFail: ("DHCP4_CONFIG_LOAD_FAIL", .error, 0),
            .initFail: ("DHCP4_INIT_FAIL", .error, 0),
            .configSyntaxWarning: ("DHCP4_CONFIG_SYNTAX_WARNING", .warn, 0),
            .configUnsupported: ("DHCP4_CONFIG_UNSUPPORTED", .warn, 0),
            .shutdownRequest: ("DHCP4_SHUTDOWN_REQUEST", .debug, 40),
            .shutdown: ("DHCP4_SHUTDOWN", .info, 0),
            .clockSteppedBack: ("DHCP4_CLOCK_STEPPED_BACK", .warn, 0),
            .bufferReceiveFail: ("DHCP4_BUFFER_RECEIVE_FAIL", .error, 0),
            .dynamicReconfiguration: ("DHCP4_DYNAMIC_RECONFIGURATION", .info, 0),
            .dynamicReconfigurationSuccess: ("DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS", .info, 0),
            .dynamicReconfigurationFail: ("DHCP4_DYNAMIC_RECONFIGURATION_FAIL", .fatal, 0),
            .dbReconnectLostConnection: ("DHCP4_DB_RECONNECT_LOST_CONNECTION", .warn, 0),
            .dbReconnectDisabled: ("DHCP4_DB_RECONNECT_DISABLED", .info, 0),
            .dbReconnectSucceeded: ("DHCP4_DB_RECONNECT_SUCCEEDED", .info, 0),
            .dbReconnectFailed: ("DHCP4_DB_RECONNECT_FAILED", .error, 0),
        ])
    public static let dhcp6 = ServerIdentity(
        keaName: "kea-dhcp6", tool: "kakapo-dhcp6", logPrefix: "DHCP6", protocolName: "DHCPv6", component: "dhcp6",
        defaultServerPort: 547, defaultClientPort: 546, leaseFileName: "kea-leases6.csv", lines: [
            .starting: ("DHCP6_STARTING", .info, 0),
            .started: ("DHCP6_STARTED", .info, 0),
            .multiThreadingInfo: ("DHCP6_MULTI_THREADING_INFO", .info, 0),
            .alreadyRunning: ("DHCP6_ALREADY_RUNNING", .fatal, 0),
            .pidFileError: ("DHCP6_PID_FILE_ERROR", .warn, 0),
            .configLoadFail: ("DHCP6_CONFIG_LOAD_FAIL", .error, 0),
            .initFail: ("DHCP6_INIT_FAIL", .error, 0),
            .configSyntaxWarning: ("DHCP6_CONFIG_SYNTAX_WARNING", .warn, 0),
            .configUnsupported: ("DHCP6_CONFIG_UNSUPPORTED", .warn, 0),
            .shutdownRequest: ("DHCP6_SHUTDOWN_REQUEST", .debug, 40),
            .shutdown: ("DHCP6_SHUTDOWN", .info, 0),
            .clockSteppedBack: ("DHCP6_CLOCK_STEPPED_BACK", .warn, 0),
            .bufferReceiveFail: ("DHCP6_BUFFER_RECEIVE_FAIL", .error, 0),
            .dynamicReconfiguration: ("DHCP6_DYNAMIC_RECONFIGURATION", .info, 0),
            .dynamicReconfigurationSuccess: ("DHCP6_DYNAMIC_RECONFIGURATION_SUCCESS", .info, 0),
            .dynamicReconfigurationFail: ("DHCP6_DYNAMIC_RECONFIGURATION_FAIL", .fatal, 0),
            .dbReconnectLostConnection: ("DHCP6_DB_RECONNECT_LOST_CONNECTION", .warn, 0),
            .dbReconnectDisabled: ("DHCP6_DB_RECONNECT_DISABLED", .info, 0),
            .dbReconnectSucceeded: ("DHCP6_DB_RECONNECT_SUCCEEDED", .info, 0),
            .dbReconnectFailed: ("DHCP6_DB_RECONNECT_FAILED", .error, 0),
        ])

}

/// What both servers log under their own message IDs (Kea's DHCP4_* and DHCP6_*; see
/// `ServerIdentity.lines`).
public enum ServerMessage: Sendable, Hashable {
    case starting, started, multiThreadingInfo, alreadyRunning, pidFileError, configLoadFail, initFail
    case configSyntaxWarning, configUnsupported, shutdownRequest, shutdown, clockSteppedBack, bufferReceiveFail
    case dynamicReconfiguration, dynamicReconfigurationSuccess, dynamicReconfigurationFail
    /// The lease database connection (Postgres/PGLeaseDatabase.swift).
    case dbReconnectLostConnection, dbReconnectDisabled, dbReconnectSucceeded, dbReconnectFailed
}

extension Logger {
    /// Logs `message` with `identity`'s ID, severity and debug level for it.
    public func logAs(_ identity: ServerIdentity, _ message: ServerMessage, _ text: String) {
        guard let line = identity.lines[message] else { preconditionFailure("\(identity.tool) has no line for \(message)") }
        log(line.severity, line.id, text, debugLevel: line.debugLevel)
    }
}

/// The command line's settings, as both daemons take them (Kea's -c/-t/-d/-p/-P).
public struct ServerOptions: Sendable {
    public var configPath: String
    public var serverPort: UInt16
    public var clientPort: UInt16
    public var forceDebug = false
    /// kakapo-dhcp6's server-id file; nil: Kea's `<localstatedir>/lib/kea/kea-dhcp6-serverid`.
    public var serverIDPath: String?
    public init(configPath: String, identity: ServerIdentity) {
        self.configPath = configPath
        serverPort = identity.defaultServerPort
        clientPort = identity.defaultClientPort
    }
}

/// Why a server could not start or take a new configuration.
public enum ServerStartError: Error, CustomStringConvertible {
    case config(String)
    case socket(String)
    public var description: String {
        switch self {
        case .config(let s), .socket(let s): s
        }
    }
}

/// Kakapo's version, the same for every tool.
public let kakapoVersion = "0.1.0"

/// A DHCP server as the shared shell drives it: kakapo-dhcp4's `Dhcp4Server` and
/// kakapo-dhcp6's `Dhcp6Server` differ in their sockets and engines; their start-up, logging,
/// lease-file turn, reload and daemon commands are the extensions below.
public protocol DHCPServer: DaemonService, EffectPort {
    associatedtype Config: ServedConfig
    associatedtype Engine: LeaseEngine where Engine.Family == Family
    associatedtype Format: MemfileFormat where Format.Lease == Family.Lease
    static var identity: ServerIdentity { get }
    init(options: ServerOptions, logger: Logger, now: Now) throws(ServerStartError)
    var options: ServerOptions { get }
    var loaded: KeaConfigFile<Config>.Loaded { get }
    var engine: Engine { get set }
    var executor: EffectExecutor<Family> { get set }
    /// Transactions handed over this loop turn and not yet written (see `flush`).
    var unwritten: [Effects<Family>] { get set }
    var memfile: LeaseMemfile<Format>? { get }
    /// Every lease the engine holds (lease-file cleanup, lease4-write/lease6-write).
    var allLeases: [Family.Lease] { get }
    /// The commands the running configuration answers.
    var commandTable: CommandTable { get }
    /// Whether the server answers DHCP packets (`dhcp-disable`, `dhcp-enable`).
    var serviceState: DHCPServiceState { get set }
    /// Swaps a new configuration in whole, or throws and keeps the old one.
    func apply(_ l: KeaConfigFile<Config>.Loaded, now: Now) throws(ServerStartError)
    /// Carries out one engine command (lease4-*, lease6-*, statistic-*, ...).
    func engineCommand(_ name: String, arguments: JSON?, now: Now) -> (JSON, Effects<Family>)
    /// Whether leases live in a database shared with other servers (PostgreSQL) rather than
    /// in memfile: then each transaction of a turn has its own outcome (`writeShared`).
    var usesSharedDatabase: Bool { get }
    /// Writes a turn to the shared database: one outcome per entry of `batch` (nil for an
    /// entry without writes).
    func writeShared(_ batch: [Effects<Family>], now: Now) -> [WriteOutcome<Family.Lease>?]
    /// After a round's transactions are settled: shows the engine what the database answered
    /// around conflicts.
    func settledShared(now: Now)
    /// status-get's multi-threading fields: nil when multi-threading is off.
    var multiThreadingStatus: (threads: Int, queueSize: Int, queueStatistics: [Double])? { get }
}

extension DHCPServer {
    public var usesSharedDatabase: Bool { false }
    public func writeShared(_ batch: [Effects<Family>], now: Now) -> [WriteOutcome<Family.Lease>?] {
        batch.map { _ in .failed(reason: "no lease database") }
    }
    public func settledShared(now: Now) {}
}

extension DHCPServer {
    public static var version: String { kakapoVersion }

    /// The lease file a configuration names: its `name`, or Kea's default; nil when leases
    /// are not persisted.
    static func memfile(for c: Config) -> LeaseMemfile<Format>? {
        guard c.leaseDatabase.persist else { return nil }
        return LeaseMemfile(path: c.leaseDatabase.name ?? "\(BuildPaths.localStateDir)/lib/kea/\(identity.leaseFileName)",
                            syncEachAppend: c.leaseDatabase.fsync)
    }

    /// Opens the configured lease file: replays it through `load` (into the caller's store),
    /// logs the load as Kea does and opens it for appending. Throws the reason to refuse
    /// starting.
    static func openMemfile(_ loaded: KeaConfigFile<Config>.Loaded, logger: Logger,
                            load: (LeaseMemfile<Format>) throws(FileError) -> [(String, LeaseCSV.LoadReport)]) throws(ServerStartError) -> LeaseMemfile<Format>? {
        guard let m = memfile(for: loaded.config) else { return nil }
        do {
            let reports = try load(m)
            if let refusal = m.logLoad(reports, logger: logger, maxRowErrors: Int(loaded.config.leaseDatabase.maxRowErrors)) {
                throw ServerStartError.config(refusal)
            }
            try m.openForAppend()
        } catch let e as FileError {
            throw ServerStartError.config("Failed to apply configuration: lease database: \(e)")
        } catch let e as ServerStartError { throw e } catch { throw ServerStartError.config("\(error)") }
        return m
    }

    /// A new configuration's lease database takes a restart; the running one is kept.
    /// Its `kakapo-fsync` applies at once to the running lease file.
    func warnIfLeaseDatabaseChanged(_ l: KeaConfigFile<Config>.Loaded) {
        let running = loaded.config.leaseDatabase
        memfile?.syncEachAppend = l.config.leaseDatabase.fsync
        if Self.memfile(for: l.config)?.path != memfile?.path || l.config.leaseDatabase.connection != running.connection {
            let kept = running.connection != nil ? "the \(running.type) lease database" : memfile?.path ?? "no lease file"
            logger.logAs(Self.identity, .configUnsupported, "lease-database changes need a restart; keeping \(kept)")
        }
    }

    /// Kea's log lines for what the daemon shell reports.
    public func log(_ event: DaemonEvent) {
        let me = Self.identity
        switch event {
        case .started:
            logger.logAs(me, .started, "Kakapo \(me.protocolName) server version \(Self.version) started")
        case .stopping:
            logger.logAs(me, .shutdown, "server shutdown")
        case .shutdownRequested:
            logger.logAs(me, .shutdownRequest, "shutdown of server requested")
        case .wallClockStepped(let seconds):
            logger.logAs(me, .clockSteppedBack, "the system clock stepped by \(seconds) s against the monotonic clock; lease expiry uses wall-clock time, timers are unaffected")
        case .controlSocketFailed(let reason):
            logger.logAs(me, .configLoadFail, "configuration error using file: \(options.configPath), reason: failed to open control socket: \(reason)")
        case .pollFailed(let e):
            logger.logAs(me, .bufferReceiveFail, "error on attempt to receive packet: poll failed: \(String(cString: strerror(e)))")
        }
    }

    /// The engine's decisions, under the daemon's component.
    public func log(_ ev: Family.Event) {
        logger.log(event: ev, component: Self.identity.component)
    }

    /// Every configuration warning is logged: Kea's syntax warning for a trailing comma, and
    /// Kakapo's own for keys accepted but not acted on.
    func logWarnings(_ l: KeaConfigFile<Config>.Loaded) {
        for w in l.configWarnings {
            switch w.code {
            case .extraneousComma:
                logger.logAs(Self.identity, .configSyntaxWarning, "configuration syntax warning: \(w.message)")
            case .ignoredKey, .notActedOn, .inconsistentValues:
                logger.logAs(Self.identity, .configUnsupported, w.message)
            }
        }
    }

    /// Whether a datagram read now is served. While the service is disabled it is dropped
    /// unread, logged as Kea does (its query is not parsed yet: kea-dhcp4 2.2 labels it
    /// "[hwtype=1 ], cid=[no info], tid=0x0", checked by test_daemon_builtins.sh) and not
    /// counted: Kea drops it before its statistics see it.
    func serving(now: Now) -> Bool {
        serviceState.expire(now: now.monotonic)
        if serviceState.isEnabled { return true }
        if Format.family == .v4 {
            logger.log(.debug, "DHCP4_PACKET_DROP_0008", "[hwtype=1 ], cid=[no info], tid=0x0: DHCP service is globally disabled",
                       component: "bad-packets", debugLevel: 40)
        } else {
            logger.log(.debug, "DHCP6_PACKET_DROP_DHCP_DISABLED", "duid=[no info], tid=0x0: DHCP service is globally disabled",
                       component: "bad-packets", debugLevel: 40)
        }
        return false
    }

    /// The earliest of the service's own deadlines and a dhcp-disable max-period.
    func withServiceDeadline(_ d: MonotonicInstant?) -> MonotonicInstant? {
        guard let s = serviceState.nextDeadline else { return d }
        guard let d else { return s }
        return min(s, d)
    }

    public var controlSocketPath: String? { loaded.config.controlSocket?.socketName }

    public var leaseFileCleanupInterval: Milliseconds? {
        let i = loaded.config.leaseDatabase.lfcIntervalSeconds
        return i > 0 && memfile != nil ? Milliseconds(Int64(i) * 1000) : nil
    }

    public func cleanUpLeaseFile() {
        memfile?.cleanUp(allLeases, logger: logger)
    }

    /// A loop turn's transaction waits for the turn's one write (`flush`).
    public func persist(_ effects: Effects<Family>) -> WriteOutcome<Family.Lease>? {
        guard memfile != nil || usesSharedDatabase else { return .durable }
        unwritten.append(effects)
        return nil
    }

    /// Writes every lease change proposed this turn in one write, then settles each
    /// transaction: its replies go out only if the write succeeded. A failed write rolls the
    /// engine back (it logs why) and nothing that depended on it is sent. Rounds repeat while
    /// settling proposes more (bounded: a failed write proposes nothing new).
    func flush(_ now: Now) {
        for _ in 0..<4 {  // rounds per turn
            guard !unwritten.isEmpty else { return }
            let batch = unwritten
            unwritten = []
            if usesSharedDatabase {
                settleShared(batch, writeShared(batch, now: now), now)
                continue
            }
            let outcome = memfile?.writeTurn(batch, logger: logger) ?? .durable
            let failed: Bool
            if case .durable = outcome { failed = false } else { failed = true }
            // Undo in reverse order so each rollback restores the row its own proposal saw.
            for e in failed ? batch.reversed() : batch {
                guard let id = e.transaction else { continue }
                executor.settle(id, outcome, engine: &engine, port: self, now: now)
            }
        }
    }

    /// Settles a shared database's outcomes: the refused transactions newest first (each
    /// rollback restores the row its own proposal saw), then the durable ones in order.
    func settleShared(_ batch: [Effects<Family>], _ outcomes: [WriteOutcome<Family.Lease>?], _ now: Now) {
        for (e, o) in zip(batch, outcomes).reversed() {
            guard let id = e.transaction, let o else { continue }
            if case .durable = o { continue }
            executor.settle(id, o, engine: &engine, port: self, now: now)
        }
        for (e, o) in zip(batch, outcomes) {
            guard let id = e.transaction, case .durable? = o else { continue }
            executor.settle(id, .durable, engine: &engine, port: self, now: now)
        }
        settledShared(now: now)
    }

    /// Re-reads the config file; a broken file is logged and the running config kept.
    public func reload(now: Now) -> (ok: Bool, text: String) {
        let me = Self.identity
        logger.logAs(me, .dynamicReconfiguration, "initiate server reconfiguration using file: \(options.configPath), after receiving SIGHUP signal or config-reload command")
        do {
            let l = try KeaConfigFile<Config>.load(path: options.configPath)
            try apply(l, now: now)
            logger.logAs(me, .dynamicReconfigurationSuccess, "dynamic server reconfiguration succeeded with file: \(options.configPath)")
            return (true, "Configuration successful.")
        } catch {
            logger.logAs(me, .dynamicReconfigurationFail, "dynamic server reconfiguration failed with file: \(options.configPath): \(error)")
            return (false, "\(error)")
        }
    }
}
