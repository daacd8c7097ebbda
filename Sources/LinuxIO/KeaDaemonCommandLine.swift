import Glibc

/// Kea's command line for kea-dhcp-ddns and kea-ctrl-agent: `-c FILE` (run), `-t FILE` (check
/// and exit), `-d` (debug logging), `-v`, `-V`, `-W` (print and exit); anything else prints
/// Kea's usage and exits 1.
struct KeaDaemonCommandLine {
    var configPath: String
    var checkOnly = false
    var forceDebug = false

    /// Parses `arguments` for `program`; `-V` prints `extendedVersion`, `-W` `report`.
    static func parse(_ arguments: [String], program: String, extendedVersion: String, report: String) -> KeaDaemonCommandLine {
        func usage() -> Never {
            writeStandardError("""
            Usage: \(program) -[v|V|W] [-d] [-{c|t} cfgfile]
              -v: print version number and exit
              -V: print extended version and exit
              -W: display the configuration report and exit
              -d: debug mode with extra verbosity (former -v)
              -c <config file name> : mandatory, specify name of configuration file
              -t <config file name> : check the configuration file and exit

            """)
            exit(1)
        }
        var args = arguments
        var configPath: String?
        var checkOnly = false
        var forceDebug = false
        while !args.isEmpty {
            let a = args.removeFirst()
            switch a {
            case "-v": print(kakapoVersion); exit(0)
            case "-V": print("\(kakapoVersion)\n\(extendedVersion)"); exit(0)
            case "-W": print("Kakapo \(kakapoVersion) configuration report: \(report)"); exit(0)
            case "-d": forceDebug = true
            case "-c", "-t":
                guard let f = args.first else { usage() }
                args.removeFirst()
                configPath = f
                checkOnly = checkOnly || a == "-t"
            default: usage()
            }
        }
        guard let path = configPath else { usage() }
        return KeaDaemonCommandLine(configPath: path, checkOnly: checkOnly, forceDebug: forceDebug)
    }
}
