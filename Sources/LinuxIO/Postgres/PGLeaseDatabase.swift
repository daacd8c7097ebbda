import KakapoCore

/// A daemon's PostgreSQL lease database and its connection's life: opened at start-up (Kea's
/// DHCPSRV_PGSQL_DB line), lost, reconnected on timers of the daemon loop (never a sleep), and
/// what the server does meanwhile (`on-fail`, as Kea 2.4's ARM describes it):
/// - stop-retry-exit: stop serving while reconnecting; exit when the tries run out;
/// - serve-retry-exit: keep serving (what needs no write); exit when the tries run out;
/// - serve-retry-continue: keep serving, and keep going without the database afterwards.
public final class PGLeaseDatabase<Table: PGLeaseTable> {
    public let store: PGLeaseStore<Table>
    public let settings: DatabaseConnectionSettings
    let logger: Logger
    /// The daemon whose reconnect messages (Kea's DB_RECONNECT ones) are logged.
    let identity: ServerIdentity

    public enum State: Equatable {
        case up
        /// Lost; `attempt` of the tries is scheduled at `at`.
        case reconnecting(attempt: UInt32, at: MonotonicInstant)
        /// Lost for good (serve-retry-continue after the tries, or reconnecting disabled).
        case gone
    }
    public private(set) var state: State = .up
    /// Set when the daemon must exit (Kea exits with a failure when the tries run out).
    public private(set) var exitCode: Int32?

    /// Opens the database: logs Kea's DHCPSRV_PGSQL_DB line, connects, checks the schema.
    /// Throws the reason the daemon must not start.
    public init(settings: DatabaseConnectionSettings, logger: Logger, identity: ServerIdentity) throws(ServerStartError) {
        self.settings = settings
        self.logger = logger
        self.identity = identity
        logger.log(.info, "DHCPSRV_PGSQL_DB", "opening PostgreSQL lease database: \(Self.redacted(settings))", component: "dhcpsrv")
        do { store = try PGLeaseStore(conninfo: PGConnection.conninfo(settings)) } catch {
            throw ServerStartError.config("Failed to apply configuration: unable to open database: \(error.message)")
        }
    }

    /// Kea's access string without the password, keys in order.
    static func redacted(_ s: DatabaseConnectionSettings) -> String {
        var parts: [(String, String)] = [("type", "postgresql")]
        if let v = s.host { parts.append(("host", v)) }
        if let v = s.name { parts.append(("name", v)) }
        if let v = s.port { parts.append(("port", String(v))) }
        if let v = s.user { parts.append(("user", v)) }
        if let v = s.connectTimeoutSeconds { parts.append(("connect-timeout", String(v))) }
        parts.append(("max-reconnect-tries", String(s.reconnectTriesMax)))
        parts.append(("reconnect-wait-time", String(s.reconnectWaitTimeMilliseconds)))
        parts.append(("on-fail", s.onFail.rawValue))
        return parts.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    public var isUp: Bool { state == .up }

    /// Whether client traffic is dropped: stop-retry-exit while reconnecting.
    public var stopsService: Bool {
        if case .reconnecting = state { return settings.onFail == .stopRetryExit }
        return false
    }

    /// The reconnect timer.
    public var nextDeadline: MonotonicInstant? {
        if case .reconnecting(_, let at) = state { return at }
        return nil
    }

    var waitTime: Milliseconds { Milliseconds(Int64(settings.reconnectWaitTimeMilliseconds)) }

    /// A read failed: a lost connection starts reconnecting (`on-fail`); any other error is
    /// logged (the writes a failed statement carried are reported failed by the store).
    public func readFailed(_ e: PGError, now: Now) {
        if e.connectionLost || !store.connection.isConnected {
            lost(e, now: now)
        } else {
            logger.log(.error, "DHCPSRV_PGSQL_LEASE_READ_FAIL", "reading leases from the PostgreSQL lease database failed: \(e.message)", component: "dhcpsrv")
        }
    }

    /// The connection failed under a statement: log as Kea does and schedule the first try,
    /// or give up at once when reconnecting is disabled.
    public func lost(_ error: PGError, now: Now) {
        guard state == .up else { return }
        logger.logAs(identity, .dbReconnectLostConnection, "database connection lost.")
        guard settings.reconnectTriesMax > 0 else {
            logger.logAs(identity, .dbReconnectDisabled, "database reconnect is disabled: max-reconnect-tries \(settings.reconnectTriesMax), reconnect-wait-time \(settings.reconnectWaitTimeMilliseconds)")
            giveUp()
            return
        }
        schedule(attempt: 1, now: now)
    }

    func schedule(attempt: UInt32, now: Now) {
        logger.log(.info, "DHCPSRV_PGSQL_LEASE_DB_RECONNECT_ATTEMPT_SCHEDULE", "scheduling attempt \(attempt) of \(settings.reconnectTriesMax) in \(settings.reconnectWaitTimeMilliseconds) milliseconds", component: "dhcpsrv")
        state = .reconnecting(attempt: attempt, at: now.monotonic + waitTime)
    }

    func giveUp() {
        state = .gone
        if settings.onFail != .serveRetryContinue { exitCode = 1 }
    }

    /// The reconnect timer fired: one try. Returns true when the connection is back (the
    /// caller reloads its view: other servers may have written meanwhile).
    public func deadline(now: Now) -> Bool {
        guard case .reconnecting(let attempt, let at) = state, at <= now.monotonic else { return false }
        do throws(PGError) {
            try store.connection.reconnect()
            try store.checkSchemaVersion()
            state = .up
            logger.logAs(identity, .dbReconnectSucceeded, "database connection recovered.")
            return true
        } catch {
            logger.log(.error, "DHCPSRV_PGSQL_LEASE_DB_RECONNECT_ATTEMPT_FAILED", "database reconnect failed: \(error.message)", component: "dhcpsrv")
            if attempt < settings.reconnectTriesMax {
                schedule(attempt: attempt + 1, now: now)
            } else {
                logger.log(.error, "DHCPSRV_PGSQL_LEASE_DB_RECONNECT_FAILED", "maximum number of database reconnect attempts: \(settings.reconnectTriesMax), has been exhausted without success", component: "dhcpsrv")
                logger.logAs(identity, .dbReconnectFailed, "maximum number of database reconnect attempts: \(settings.reconnectTriesMax), has been exhausted without success")
                giveUp()
            }
            return false
        }
    }
}
