import Glibc
import KakapoCore
import KakapoLinuxIO

/// Ends the run with an exit code (the message, if any, was printed already).
struct AdminExit: Error { var code: Int32 }

/// Runs one checked request against PostgreSQL (or answers for memfile / mysql as below).
/// Messages follow kea-admin's: progress on stdout, `ERROR/kakapo-admin: ...` on stderr.
/// Exit codes: 0 done, 1 refused or failed, 2 db-init on a database that has tables and
/// db-version when the database cannot be reached (kea-admin's psql status).
struct AdminRunner {
    var request: AdminRequest
    /// The scripts directory when `-d` is not given (nil: none found).
    var defaultDirectory: String?

    func run() throws(AdminExit) {
        if request.passwordFromEnvironment { say("Using the value of KEA_ADMIN_DB_PASSWORD for authentication...") }
        switch request.backend {
        case .mysql:
            fail("mysql is not supported by kakapo-admin: Kakapo's lease back ends are memfile and pgsql")
        case .memfile:
            try memfile()
        case .pgsql:
            switch request.command {
            case .dbInit: try dbInit()
            case .dbVersion: try dbVersion()
            case .dbUpgrade: try dbUpgrade()
            case .leaseDump: try leaseDump()
            case .leaseUpload: try leaseUpload()
            case .statsRecount: try statsRecount()
            }
        }
    }

    /// kea-admin's memfile answers: nothing to initialise, version or upgrade; no dump or upload;
    /// no statistics to recount.
    private func memfile() throws(AdminExit) {
        switch request.command {
        case .dbInit, .dbVersion, .dbUpgrade: fail("NOT IMPLEMENTED")
        case .leaseDump: fail("lease-dump is not supported for memfile")
        case .leaseUpload: fail("lease-upload is not supported for memfile")
        case .statsRecount: info("memfile does not keep lease statistics")
        }
    }

    // MARK: Schema

    private func dbInit() throws(AdminExit) {
        say("Checking if there is a database initialized already...")
        let db = try connect(failureCode: 1)
        let tables = try query(db, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                   + "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'S', 'f', 'p') "
                                   + "ORDER BY 1", what: "db-init: table query failed")
        if !tables.rows.isEmpty {
            say("")
            let names = tables.rows.map { "        " + ($0[0] ?? "") }.joined(separator: "\n")
            fail("Expected empty database \(request.name). Aborting, the following tables are present:\n\(names)", code: 2)
        }
        let path = try scriptsDirectory() + "/pgsql/dhcpdb_create.pgsql"
        let sql = try read(path)
        say("Initializing database using script \(path)")
        do { try db.execScript(sql) } catch {
            fail("Database initialization failed: \(error.message)")
        }
        say("Database version reported after initialization: \(try version(db))")
    }

    private func dbVersion() throws(AdminExit) {
        let db = try connect(failureCode: 2)
        say(try version(db))
    }

    private func dbUpgrade() throws(AdminExit) {
        let db = try connect(failureCode: 1)
        let before = try version(db)
        say("Database version reported before upgrade: \(before)")
        let dir = try scriptsDirectory() + "/pgsql"
        guard let files = listDirectory(dir) else { fail("Invalid scripts directory: \(dir)") }
        guard files.contains(where: { SchemaScripts.upgradeStep(fileName: $0) != nil }) else {
            fail("No scripts in \(dir) or the directory is not readable or does not have any upgrade* scripts.")
        }
        let plan = SchemaScripts.upgradePlan(version: before, files: files)
        if plan.isEmpty, SchemaScripts.isOlderThanCurrent(before) {
            fail("no upgrade script starts at \(before) in \(dir): kakapo-admin upgrades from 13.0 (Kea 2.2) on; "
                 + "bring older databases to 13.0 with Kea's own kea-admin first")
        }
        for name in plan {
            say("Processing \(dir)/\(name) file...")
            let sql = try read(dir + "/" + name)
            do { try db.execScript(sql) } catch {
                fail("Upgrade script \(name) failed: \(error.message)")
            }
        }
        say("Database version reported after upgrade: \(try version(db))")
    }

    // MARK: Leases

    private func leaseDump() throws(AdminExit) {
        guard let family = request.family else {
            fail("lease-dump: lease type ( -4 or -6 ) needs to be specified", usage: true)
        }
        guard let output = request.output else { fail("you must specify an output file for lease-dump", usage: true) }
        try checkOverwrite(output)
        let db = try connect(failureCode: 1)
        let table = "lease\(family)"
        let hasPool = try hasPoolID(db, table: table)
        let rows = try query(db, family == 4 ? LeaseRows.select4(hasPoolID: hasPool) : LeaseRows.select6(hasPoolID: hasPool),
                             what: "lease-dump: reading \(table) failed")
        var text: String
        if family == 4 {
            var leases: [Lease4] = []
            for r in rows.rows {
                switch LeaseRows.lease4(r) {
                case .success(let l):
                    if !l.isWellFormed { warnUnloadable(l.address.description, "has neither hwaddr nor client_id") }
                    leases.append(l)
                case .failure(let e): fail("lease-dump: \(e)")
                }
            }
            text = LeaseFile4.text(of: leases)
        } else {
            var leases: [Lease6] = []
            for r in rows.rows {
                switch LeaseRows.lease6(r) {
                case .success(let l):
                    if !l.isWellFormed { warnUnloadable(l.address.description, "has no DUID and is not declined") }
                    leases.append(l)
                case .failure(let e): fail("lease-dump: \(e)")
                }
            }
            text = LeaseFile6.text(of: leases)
        }
        do { try writeFileAtomically(output, text) } catch { fail("lease-dump: \(error)") }
        say("\(table) successfully dumped to \(output)")
    }

    /// A row is dumped as the database holds it (as kea-admin does), but a lease the memfile
    /// loaders skip is worth a warning: Kea and Kakapo would drop it on load.
    private func warnUnloadable(_ address: String, _ why: String) {
        warning("lease \(address) \(why): Kea and Kakapo skip such a row when they load the file")
    }

    private func leaseUpload() throws(AdminExit) {
        guard let input = request.input else {
            fail("you must specify an input file with -i or --input for lease-upload", usage: true)
        }
        let text = try read(input)
        let lines = text.split(separator: "\n").count
        if lines <= 1 { fail("CSV file has no leases") }
        guard let family = request.family else {
            fail("lease-upload: lease type -4 or -6 needs to be specified", usage: true)
        }
        info("Looking at \(lines) lines of CSV in \(input)...")
        // The file is replayed as the servers load it (last row wins, valid_lifetime 0
        // deletes): what kea-admin gets by running kea-lfc on it first.
        var params: [(address: String, values: [String?])] = []
        let table = "lease\(family)"
        let db = try connect(failureCode: 1)
        let hasPool = try hasPoolID(db, table: table)
        let report: LeaseCSV.LoadReport
        if family == 4 {
            var store = MemoryLeaseStore4()
            report = LeaseFile4.load(text: text, into: &store)
            params = store.all().map { ($0.address.description, LeaseRows.parameters4($0, hasPoolID: hasPool)) }
        } else {
            var store = MemoryLeaseStore6()
            report = LeaseFile6.load(text: text, into: &store)
            params = store.all().map { ($0.address.description, LeaseRows.parameters6($0, hasPoolID: hasPool)) }
        }
        if report.headerMissing { fail("\(input) has no leases\(family == 4 ? "4" : "6") CSV header") }
        for e in report.errors { warning("\(input) \(e); row skipped") }
        info("Reduced to \(params.count) leases from \(report.rowsRead) rows.")
        let insert = family == 4 ? LeaseRows.insert4(hasPoolID: hasPool) : LeaseRows.insert6(hasPoolID: hasPool)
        do {
            try db.exec("START TRANSACTION")
            for p in params {
                do { try db.exec(insert, p.values) } catch {
                    _ = try? db.exec("ROLLBACK")
                    fail("lease-upload: lease \(p.address): \(error.message)")
                }
            }
            try db.exec("COMMIT")
        } catch {
            fail("lease-upload: \(error.message)")
        }
        info("Successfully updated table \(table).")
    }

    private func statsRecount() throws(AdminExit) {
        say("Recount lease statistics from database")
        let db = try connect(failureCode: 1)
        for family in [4, 6] {
            let pool = try exists(db, table: "lease\(family)_pool_stat")
            let classes = try exists(db, table: "lease\(family)_stat_by_client_class")
            do { try db.execScript(LeaseRows.recount(family: family, hasPoolStats: pool, hasClassStats: classes)) } catch {
                fail("pgsql failed to recount IPv\(family) leases: \(error.message)")
            }
        }
    }

    // MARK: Database helpers

    private func connect(failureCode: Int32) throws(AdminExit) -> PGConnection {
        var s = DatabaseConnectionSettings()
        s.name = request.name
        s.host = request.host
        s.port = request.port
        s.user = request.user
        s.password = request.password
        do { return try PGConnection(conninfo: PGConnection.conninfo(s)) } catch {
            fail("cannot connect to database \(request.name) on \(request.host) as \(request.user): \(error.message)",
                 code: failureCode)
        }
    }

    private func query(_ db: PGConnection, _ sql: String, what: String) throws(AdminExit) -> PGResult {
        do { return try db.exec(sql) } catch { fail("\(what): \(error.message)") }
    }

    /// `version.minor` from schema_version, as kea-admin prints it.
    private func version(_ db: PGConnection) throws(AdminExit) -> String {
        let r = try query(db, "SELECT version || '.' || minor FROM schema_version", what: "Failed to get schema version")
        guard let v = r.rows.first?.first ?? nil else { fail("Failed to get schema version: schema_version is empty") }
        return v
    }

    private func hasPoolID(_ db: PGConnection, table: String) throws(AdminExit) -> Bool {
        let r = try query(db, LeaseRows.hasPoolIDQuery(table: table), what: "reading the columns of \(table) failed")
        return (r.rows.first?.first ?? nil) == "1"
    }

    private func exists(_ db: PGConnection, table: String) throws(AdminExit) -> Bool {
        do { return try db.exec("SELECT to_regclass($1) IS NOT NULL", [table]).rows.first?.first == "t" } catch {
            fail("looking for \(table) failed: \(error.message)")
        }
    }

    // MARK: Files

    private func scriptsDirectory() throws(AdminExit) -> String {
        if let d = request.directory { return d }
        guard let d = defaultDirectory else {
            fail("cannot find the schema scripts (share/kakapo/pgsql next to the installed binary); use -d")
        }
        return d
    }

    private func read(_ path: String) throws(AdminExit) -> String {
        do { return try readFile(path) } catch { fail("\(error)") }
    }

    /// kea-admin's check before writing an output file: -y removes it, otherwise an
    /// existing file needs a "y" on a terminal (anything else, or no terminal, aborts).
    private func checkOverwrite(_ path: String) throws(AdminExit) {
        if request.assumeYes {
            if fileExists(path) {
                info("Removing file \(path)...")
                unlink(path)
            }
            return
        }
        guard fileExists(path) else { return }
        say("Output file, \(path), exists and will be overwritten.")
        say("Do you wish to continue? (y/N)")
        var answer = "N"
        if isatty(0) == 1 {
            answer = readLine()?.trimmedASCII ?? ""
        } else {
            warning("Non-interactive tty detected. Assuming no.")
        }
        if answer != "y" {
            say("\(request.command.rawValue) aborted by user.")
            throw AdminExit(code: 1)
        }
    }

    private func listDirectory(_ path: String) -> [String]? {
        guard let d = opendir(path) else { return nil }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    // MARK: Output

    private func say(_ s: String) { print(s); fflush(nil) }
    private func info(_ s: String) { say("INFO/kakapo-admin: \(s)") }
    private func warning(_ s: String) { say("WARNING/kakapo-admin: \(s)") }

    private func fail(_ message: String, code: Int32 = 1, usage: Bool = false) -> Never {
        fflush(nil)
        writeStandardError("ERROR/kakapo-admin: \(message)\n")
        if usage { writeStandardError(AdminUsage.text) }
        exit(code)
    }
}
