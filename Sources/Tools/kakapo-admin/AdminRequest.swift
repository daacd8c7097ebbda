/// What one `kakapo-admin COMMAND BACKEND [options]` run is asked to do, checked the way Kea's
/// kea-admin checks it. Pure: built from the parsed flags and the environment, no I/O.
struct AdminRequest: Equatable {
    enum Command: String, CaseIterable {
        case dbInit = "db-init", dbVersion = "db-version", dbUpgrade = "db-upgrade"
        case leaseDump = "lease-dump", leaseUpload = "lease-upload", statsRecount = "stats-recount"
    }
    /// Kea's three back ends; Kakapo runs `pgsql` and answers for `memfile` as Kea does.
    enum Backend: String, CaseIterable { case memfile, mysql, pgsql }

    var command: Command
    var backend: Backend
    var host = "localhost"
    var port: UInt16? = nil
    var user = "keatest"
    var password = "keatest"
    var name = "keatest"
    /// `-d`: the directory holding `pgsql/` (Kea's scripts directory); nil: the default.
    var directory: String? = nil
    /// `-4` / `-6`; nil when neither was given.
    var family: Int? = nil
    var input: String? = nil
    var output: String? = nil
    var assumeYes = false
    /// Whether the password came from KEA_ADMIN_DB_PASSWORD (kea-admin says so).
    var passwordFromEnvironment = false

    /// A refusal before anything runs: Kea's message, and whether kea-admin prints its usage.
    struct Refusal: Error, Equatable {
        var message: String
        var showUsage: Bool
    }

    /// The flags as ArgumentParser gives them (nil: not given).
    struct Flags {
        var command: String?
        var backend: String?
        var host: String?
        var port: Int?
        var user: String?
        var password: String?
        var name: String?
        var directory: String?
        var v4 = false
        var v6 = false
        var input: String?
        var output: String?
        var yes = false
    }

    /// Checks the command, the back end and the flags in kea-admin's order and with its words.
    static func make(_ f: Flags, environment: [String: String]) -> Result<AdminRequest, Refusal> {
        guard let c = f.command, !c.isEmpty else { return .failure(Refusal(message: "missing command", showUsage: true)) }
        guard let command = Command(rawValue: c) else {
            return .failure(Refusal(message: "invalid command: \(c)", showUsage: true))
        }
        guard let b = f.backend, !b.isEmpty else { return .failure(Refusal(message: "missing backend", showUsage: true)) }
        guard let backend = Backend(rawValue: b) else {
            return .failure(Refusal(message: "invalid backend: \(b)", showUsage: false))
        }
        var r = AdminRequest(command: command, backend: backend)
        for (flag, value) in [("-h or --host", f.host), ("-u or --user", f.user), ("-n or --name", f.name),
                              ("-d or --directory", f.directory), ("-i or --input", f.input),
                              ("-o or --output", f.output)] where value?.isEmpty == true {
            return .failure(Refusal(message: "\(flag) requires a parameter", showUsage: true))
        }
        if let p = f.port {
            guard let port = UInt16(exactly: p), port > 0 else {
                return .failure(Refusal(message: "invalid port: \(p)", showUsage: true))
            }
            r.port = port
        }
        if f.v4 && f.v6 { return .failure(Refusal(message: "you may not specify both -4 and -6", showUsage: true)) }
        r.family = f.v4 ? 4 : f.v6 ? 6 : nil
        r.host = f.host ?? r.host
        r.user = f.user ?? r.user
        r.name = f.name ?? r.name
        r.directory = f.directory
        r.input = f.input
        r.output = f.output
        r.assumeYes = f.yes
        if let p = f.password {
            r.password = p
        } else if let p = environment["KEA_ADMIN_DB_PASSWORD"] {
            r.password = p
            r.passwordFromEnvironment = true
        }
        return .success(r)
    }
}
