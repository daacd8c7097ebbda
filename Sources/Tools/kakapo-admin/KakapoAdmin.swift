import ArgumentParser
import Glibc
import KakapoCore
import KakapoLinuxIO

/// kakapo-admin: Kea's kea-admin for Kakapo's lease databases. `-h` is the database host, as
/// in kea-admin, so help is `--help` only.
@main
struct KakapoAdmin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kakapo-admin",
        abstract: "Administrative tasks on Kakapo's (and Kea 2.4's) lease databases.",
        discussion: AdminUsage.discussion,
        helpNames: [.long])

    @Argument(help: "db-init, db-version, db-upgrade, lease-dump, lease-upload or stats-recount.")
    var command: String?
    @Argument(help: "memfile or pgsql (mysql is Kea's only).")
    var backend: String?

    @Option(name: [.customShort("h"), .long], help: "Database host (default localhost).")
    var host: String?
    @Option(name: [.customShort("P"), .long], help: "Database TCP port.")
    var port: Int?
    @Option(name: [.customShort("u"), .long], help: "Database user (default keatest).")
    var user: String?
    @Option(name: [.customShort("p"), .long], help: "Database password (default keatest, or KEA_ADMIN_DB_PASSWORD).")
    var password: String?
    @Option(name: [.customShort("n"), .long], help: "Database name (default keatest).")
    var name: String?
    @Option(name: [.customShort("d"), .long], help: "Scripts directory, holding pgsql/.")
    var directory: String?
    @Flag(name: .customShort("4"), help: "lease-dump / lease-upload: DHCPv4 leases.")
    var v4 = false
    @Flag(name: .customShort("6"), help: "lease-dump / lease-upload: DHCPv6 leases.")
    var v6 = false
    @Option(name: [.customShort("i"), .long], help: "lease-upload: the memfile CSV to read.")
    var input: String?
    @Option(name: [.customShort("o"), .long], help: "lease-dump: the memfile CSV to write.")
    var output: String?
    @Flag(name: [.customShort("y"), .long], help: "Overwrite existing output files without asking.")
    var yes = false
    @Flag(name: [.customShort("v"), .long], help: "Print the version and exit.")
    var version = false

    var flags: AdminRequest.Flags {
        AdminRequest.Flags(command: command, backend: backend, host: host, port: port, user: user,
                           password: password, name: name, directory: directory, v4: v4, v6: v6,
                           input: input, output: output, yes: yes)
    }

    func run() throws {
        if version {
            print(kakapoVersion)
            return
        }
        var environment: [String: String] = [:]
        if let p = getenv("KEA_ADMIN_DB_PASSWORD") { environment["KEA_ADMIN_DB_PASSWORD"] = String(cString: p) }
        switch AdminRequest.make(flags, environment: environment) {
        case .failure(let r):
            writeStandardError("ERROR/kakapo-admin: \(r.message)\n")
            if r.showUsage { writeStandardError(AdminUsage.text) }
            throw AdminExit(code: 1)
        case .success(let request):
            let directory = SchemaScripts.defaultDirectory(executable: BuildPaths.runningExecutable(), exists: { access($0, R_OK) == 0 })
            try AdminRunner(request: request, defaultDirectory: directory).run()
        }
    }

    /// Parses, runs and exits with kea-admin's codes: 1 for a command line it refuses.
    static func main() {
        do {
            let command = try parse(Array(CommandLine.arguments.dropFirst()))
            try command.run()
        } catch let e as AdminExit {
            Glibc.exit(e.code)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Glibc.exit(0)
            }
            writeStandardError("ERROR/kakapo-admin: \(message(for: error))\n")
            writeStandardError(AdminUsage.text)
            Glibc.exit(1)
        }
        Glibc.exit(0)
    }

}

enum AdminUsage {
    static let discussion = """
        Commands (kea-admin's):
          db-init        create the lease schema (18.0) in an empty database
          db-version     print the database's schema version
          db-upgrade     upgrade the schema to 18.0 (from Kea 2.2's 13.0 or later)
          lease-dump     write leases to a memfile CSV (-4|-6, -o FILE)
          lease-upload   insert a memfile CSV's leases (-4|-6, -i FILE)
          stats-recount  rebuild the lease statistics tables from the leases

        Example:
          kakapo-admin db-init pgsql -u kea -p secret -n kea
          kakapo-admin lease-dump pgsql -4 -u kea -p secret -n kea -o /tmp/leases4.csv
        """

    static let text = """

        Usage: kakapo-admin COMMAND BACKEND [parameters]
          COMMAND: db-init | db-version | db-upgrade | lease-dump | lease-upload | stats-recount
          BACKEND: memfile | pgsql
          -h or --host hostname, -P or --port port, -u or --user name, -p or --password password,
          -n or --name database, -d or --directory scripts-dir, -v or --version,
          -4 | -6, -i or --input file, -o or --output file, -y or --yes
        See kakapo-admin --help.

        """
}
