import Glibc
import Testing
import KakapoCore
@testable import KakapoLinuxIO

/// Against the private server `scripts/with-pg.sh` starts (make unit runs the tests under it).
/// Without KK_PG_HOST the tests are skipped and say so; `make check` always sets it.
@Suite struct PGConnectionTests {
    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static var settings: DatabaseConnectionSettings? {
        guard let host = env("KK_PG_HOST") else { return nil }
        var s = DatabaseConnectionSettings()
        s.host = host
        s.port = env("KK_PG_PORT").flatMap { UInt16($0) }
        s.user = env("KK_PG_USER") ?? "postgres"
        s.name = "postgres"
        return s
    }

    @Test(.enabled(if: settings != nil, "no private PostgreSQL server (run under scripts/with-pg.sh)"))
    func pipelineKeepsOrderAndReportsEachStatement() throws {
        let c = try PGConnection(conninfo: PGConnection.conninfo(Self.settings!))
        try c.exec("DROP TABLE IF EXISTS kk_pipe_test")
        try c.exec("CREATE TABLE kk_pipe_test (a bigint PRIMARY KEY, b bytea)")
        try c.prepare("ins", "INSERT INTO kk_pipe_test VALUES ($1, $2) ON CONFLICT (a) DO NOTHING")
        let results = try c.pipeline([
            .sql("BEGIN"),
            .prepared("ins", ["1", PGText.bytea([0, 0xAB])]),
            .prepared("ins", ["1", PGText.bytea([1])]),  // loses: nothing written
            .prepared("ins", ["2", nil]),
            .sql("COMMIT"),
        ])
        #expect(results.count == 5)
        let affected = results.map { (try? $0.get())?.affected }
        #expect(affected == [0, 1, 0, 1, 0])
        let rows = try c.exec("SELECT a, b FROM kk_pipe_test ORDER BY a").rows
        #expect(rows.count == 2)
        #expect(rows[0][1].flatMap(PGText.bytes(fromBytea:)) == [0, 0xAB])
        #expect(rows[1][1] == nil)
        // A failing statement is reported, and the ones after it in the batch are not run.
        let bad = try c.pipeline([.sql("SELECT 1/0"), .sql("SELECT 1")])
        if case .failure(let e) = bad[0] { #expect(e.sqlState == "22012") } else { Issue.record("division by zero succeeded") }
        if case .success = bad[1] { Issue.record("a statement after a failure ran") }
        // The connection is usable afterwards.
        #expect(try c.exec("SELECT $1::int + 1", ["41"]).rows == [["42"]])
        try c.exec("DROP TABLE kk_pipe_test")
    }

    @Test(.enabled(if: settings != nil, "no private PostgreSQL server (run under scripts/with-pg.sh)"))
    func execScriptRunsManyStatementsAsOneQuery() throws {
        let c = try PGConnection(conninfo: PGConnection.conninfo(Self.settings!))
        // A schema script: several statements, a function body in dollar quotes; the last
        // statement's rows come back.
        let r = try c.execScript("""
            DROP TABLE IF EXISTS kk_script_test;
            CREATE TABLE kk_script_test (a int);
            CREATE OR REPLACE FUNCTION kk_script_double(x int) RETURNS int AS $$ SELECT x * 2; $$ LANGUAGE SQL;
            INSERT INTO kk_script_test VALUES (1), (2);
            SELECT sum(kk_script_double(a)) FROM kk_script_test;
            """)
        #expect(r.rows == [["6"]])
        // A failing statement stops the script: in a transaction nothing of it stays.
        #expect(throws: PGError.self) {
            try c.execScript("START TRANSACTION; INSERT INTO kk_script_test VALUES (3); SELECT 1/0; COMMIT;")
        }
        try c.exec("ROLLBACK")
        #expect(try c.exec("SELECT count(*) FROM kk_script_test").rows == [["2"]])
        try c.execScript("DROP TABLE kk_script_test; DROP FUNCTION kk_script_double(int);")
    }

    @Test(.enabled(if: settings != nil, "no private PostgreSQL server (run under scripts/with-pg.sh)"))
    func wrongDatabaseIsRefusedWithTheServersReason() {
        var s = Self.settings!
        s.name = "no_such_database_here"
        #expect(throws: PGError.self) { try PGConnection(conninfo: PGConnection.conninfo(s)) }
    }

    @Test func conninfoQuotesAndConvertsKeaKeys() {
        var s = DatabaseConnectionSettings()
        s.name = "kea"
        s.host = "db.example"
        s.port = 5433
        s.password = "it's"
        s.tcpUserTimeoutSeconds = 2
        let info = PGConnection.conninfo(s)
        #expect(info == "dbname='kea' host='db.example' port='5433' password='it\\'s' connect_timeout='5' tcp_user_timeout='2000'")
    }

    @Test func byteaRoundTrip() {
        #expect(PGText.bytea([0x01, 0xFE]) == "\\x01fe")
        #expect(PGText.bytes(fromBytea: "\\x01fe") == [0x01, 0xFE])
        #expect(PGText.bytes(fromBytea: "01fe") == nil)
        #expect(PGText.bytes(fromBytea: "\\x0") == nil)
    }
}
