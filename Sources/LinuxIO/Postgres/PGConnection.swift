import CLibPQ
import Glibc
import KakapoCore

/// What went wrong talking to PostgreSQL: the server's message and SQLSTATE, and whether the
/// connection itself is gone (the caller reconnects) rather than one statement refused.
public struct PGError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    /// The five-character SQLSTATE ("23505" unique violation, ...), when the server sent one.
    public var sqlState: String?
    public var connectionLost: Bool
    public init(message: String, sqlState: String? = nil, connectionLost: Bool = false) {
        self.message = message
        self.sqlState = sqlState
        self.connectionLost = connectionLost
    }
    public var description: String { message }
}

/// One statement's answer, in libpq's text format: column names, rows of nullable text, and
/// the rows a write touched (`PQcmdTuples`).
public struct PGResult: Sendable {
    public var columns: [String]
    public var rows: [[String?]]
    public var affected: Int
    public init(columns: [String] = [], rows: [[String?]] = [], affected: Int = 0) {
        self.columns = columns
        self.rows = rows
        self.affected = affected
    }
}

/// A statement for `PGConnection.pipeline`: a prepared statement by name, or SQL text sent
/// with the extended protocol (pipeline mode has no simple queries).
public struct PGStatement: Sendable {
    public enum Body: Sendable { case prepared(String), sql(String) }
    public var body: Body
    public var parameters: [String?]
    public static func prepared(_ name: String, _ parameters: [String?] = []) -> PGStatement {
        PGStatement(body: .prepared(name), parameters: parameters)
    }
    public static func sql(_ text: String, _ parameters: [String?] = []) -> PGStatement {
        PGStatement(body: .sql(text), parameters: parameters)
    }
}

/// A synchronous libpq connection (text format). The daemons use it from their one loop
/// thread; each loop turn's writes go out as one pipeline (`pipeline`), so a turn costs one
/// round trip whatever its number of leases.
public final class PGConnection {
    private var conn: OpaquePointer?
    /// What `conninfo` was, for reconnecting.
    public let conninfo: String
    /// Prepared statements by name, re-prepared after a reconnect.
    private var prepared: [(name: String, sql: String)] = []

    /// Connects; throws the server's or libpq's reason.
    public init(conninfo: String) throws(PGError) {
        self.conninfo = conninfo
        conn = PQconnectdb(conninfo)
        guard PQstatus(conn) == CONNECTION_OK else {
            let e = PGError(message: Self.trimmed(PQerrorMessage(conn)), connectionLost: true)
            PQfinish(conn)
            conn = nil
            throw e
        }
        Self.silenceNotices(conn)
    }

    /// The server's NOTICE messages (such as "table does not exist, skipping") are not errors;
    /// libpq prints them on stderr unless told otherwise.
    private static func silenceNotices(_ c: OpaquePointer?) {
        PQsetNoticeProcessor(c, { _, _ in }, nil)
    }

    deinit { if let c = conn { PQfinish(c) } }

    /// libpq's connection string for Kea's `lease-database` keys: `name`, `host`, `port`,
    /// `user`, `password`, `connect-timeout` (seconds; Kea's default 5) and `tcp-user-timeout`
    /// (seconds in Kea, milliseconds in libpq), and TLS (`trust-anchor`, `cert-file`,
    /// `key-file`: verify-full when a trust anchor is given, as Kea does).
    public static func conninfo(_ s: DatabaseConnectionSettings) -> String {
        var parts: [String] = []
        func add(_ key: String, _ value: String?) {
            guard let v = value else { return }
            let escaped = v.replacingAll("\\", with: "\\\\").replacingAll("'", with: "\\'")
            parts.append("\(key)='\(escaped)'")
        }
        add("dbname", s.name ?? "keatest")
        add("host", s.host ?? "localhost")
        add("port", s.port.map { String($0) })
        add("user", s.user)
        add("password", s.password)
        add("connect_timeout", String(s.connectTimeoutSeconds ?? 5))
        add("tcp_user_timeout", s.tcpUserTimeoutSeconds.map { String(UInt64($0) * 1000) })
        if s.trustAnchor != nil || s.certFile != nil {
            add("sslmode", s.trustAnchor != nil ? "verify-full" : "require")
            add("sslrootcert", s.trustAnchor)
            add("sslcert", s.certFile)
            add("sslkey", s.keyFile)
        }
        return parts.joined(separator: " ")
    }

    /// Whether libpq still sees the connection as up (it learns otherwise on the next use).
    public var isConnected: Bool { conn != nil && PQstatus(conn) == CONNECTION_OK }

    /// The server's version number (150018 for 15.18).
    public var serverVersion: Int { Int(PQserverVersion(conn)) }

    /// Drops the connection and connects again with the same settings; re-prepares what was
    /// prepared. Throws why it could not.
    public func reconnect() throws(PGError) {
        if let c = conn { PQfinish(c) }
        conn = PQconnectdb(conninfo)
        guard PQstatus(conn) == CONNECTION_OK else {
            throw PGError(message: Self.trimmed(PQerrorMessage(conn)), connectionLost: true)
        }
        Self.silenceNotices(conn)
        let statements = prepared
        prepared = []
        for p in statements { try prepare(p.name, p.sql) }
    }

    /// Runs one statement with text parameters (`$1`, `$2`, ...).
    @discardableResult
    public func exec(_ sql: String, _ parameters: [String?] = []) throws(PGError) -> PGResult {
        let r = Self.withCStrings(parameters) { values in
            PQexecParams(conn, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        return try take(r)
    }

    /// Runs SQL text of any number of statements as one simple query (`PQexec`): what a
    /// schema script needs. No parameters; the last statement's result is returned.
    @discardableResult
    public func execScript(_ sql: String) throws(PGError) -> PGResult {
        try take(PQexec(conn, sql))
    }

    /// Prepares a named statement (kept, and prepared again after `reconnect`).
    public func prepare(_ name: String, _ sql: String) throws(PGError) {
        let r = PQprepare(conn, name, sql, 0, nil)
        _ = try take(r)
        prepared.removeAll { $0.name == name }
        prepared.append((name, sql))
    }

    /// Whether a statement of that name was prepared on this connection.
    public func isPrepared(_ name: String) -> Bool { prepared.contains { $0.name == name } }

    /// Runs a prepared statement.
    @discardableResult
    public func execPrepared(_ name: String, _ parameters: [String?] = []) throws(PGError) -> PGResult {
        let r = Self.withCStrings(parameters) { values in
            PQexecPrepared(conn, name, Int32(parameters.count), values, nil, nil, 0)
        }
        return try take(r)
    }

    /// Sends every statement in libpq's pipeline mode with one sync at the end, so that the
    /// batch costs one round trip, then reads their results in order. A statement's error
    /// aborts the ones after it up to the sync (their results are that error too); wrap a
    /// batch in BEGIN/COMMIT statements to make it atomic. Throws only when the connection
    /// fails (nothing of the batch can be trusted then).
    public func pipeline(_ statements: [PGStatement]) throws(PGError) -> [Result<PGResult, PGError>] {
        guard !statements.isEmpty else { return [] }
        guard PQenterPipelineMode(conn) == 1 else { throw lost() }
        defer { _ = PQexitPipelineMode(conn) }
        for s in statements {
            let sent: Int32 = Self.withCStrings(s.parameters) { values in
                switch s.body {
                case .prepared(let name):
                    return PQsendQueryPrepared(conn, name, Int32(s.parameters.count), values, nil, nil, 0)
                case .sql(let text):
                    return PQsendQueryParams(conn, text, Int32(s.parameters.count), nil, values, nil, nil, 0)
                }
            }
            guard sent == 1 else { throw lost() }
        }
        guard PQpipelineSync(conn) == 1 else { throw lost() }
        var results: [Result<PGResult, PGError>] = []
        results.reserveCapacity(statements.count)
        for _ in statements {
            guard let r = PQgetResult(conn) else { throw lost() }
            do throws(PGError) { results.append(.success(try take(r))) } catch {
                if error.connectionLost { throw error }
                results.append(.failure(error))
            }
            // Each statement's results end with a null result.
            while let extra = PQgetResult(conn) { PQclear(extra) }
        }
        // The sync's own result.
        guard let sync = PQgetResult(conn) else { throw lost() }
        let status = PQresultStatus(sync)
        PQclear(sync)
        guard status == PGRES_PIPELINE_SYNC else { throw lost() }
        return results
    }

    /// A `PGresult` as a `PGResult`, or its error; clears it.
    private func take(_ r: OpaquePointer?) throws(PGError) -> PGResult {
        guard let r else { throw lost() }
        defer { PQclear(r) }
        switch PQresultStatus(r) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            let nf = Int(PQnfields(r)), nt = Int(PQntuples(r))
            var columns: [String] = []
            columns.reserveCapacity(nf)
            for f in 0..<nf { columns.append(String(cString: PQfname(r, Int32(f)))) }
            var rows: [[String?]] = []
            rows.reserveCapacity(nt)
            for t in 0..<nt {
                var row: [String?] = []
                row.reserveCapacity(nf)
                for f in 0..<nf {
                    if PQgetisnull(r, Int32(t), Int32(f)) == 1 { row.append(nil) } else {
                        row.append(String(cString: PQgetvalue(r, Int32(t), Int32(f))))
                    }
                }
                rows.append(row)
            }
            let tuples = String(cString: PQcmdTuples(r))
            return PGResult(columns: columns, rows: rows, affected: Int(tuples) ?? 0)
        case PGRES_PIPELINE_ABORTED:
            throw PGError(message: "not run: an earlier statement of the batch failed", sqlState: nil)
        default:
            let message = Self.trimmed(PQresultErrorMessage(r))
            let state = PQresultErrorField(r, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            throw PGError(message: message.isEmpty ? Self.trimmed(PQerrorMessage(conn)) : message,
                          sqlState: state, connectionLost: PQstatus(conn) != CONNECTION_OK)
        }
    }

    private func lost() -> PGError {
        PGError(message: Self.trimmed(PQerrorMessage(conn)), connectionLost: PQstatus(conn) != CONNECTION_OK)
    }

    private static func trimmed(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "" }
        var s = String(cString: p)
        while let last = s.last, last == "\n" || last == " " { s.removeLast() }
        return s
    }

    /// Calls `body` with the parameters as C strings (null for nil), kept alive for the call.
    private static func withCStrings<R>(_ values: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        if values.isEmpty { return body(nil) }
        var storage: [UnsafeMutablePointer<CChar>?] = values.map { v in v.map { strdup($0) } }
        defer { for p in storage { free(p) } }
        return storage.withUnsafeMutableBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: values.count) { body($0) }
        }
    }
}

/// PostgreSQL's text forms of the values Kea's lease tables hold.
public enum PGText {
    /// A bytea parameter: `\x` and hex digits.
    public static func bytea(_ bytes: [UInt8]) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        out.reserveCapacity(2 + bytes.count * 2)
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A bytea column in the hex output format (`\x0a1b`); nil if it is not one.
    public static func bytes(fromBytea text: String) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count >= 2, u[0] == UInt8(ascii: "\\"), u[1] == UInt8(ascii: "x"), u.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity((u.count - 2) / 2)
        var i = 2
        while i < u.count {
            guard let hi = hex(u[i]), let lo = hex(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A boolean column ("t"/"f").
    public static func bool(_ text: String?) -> Bool { text == "t" }
}
