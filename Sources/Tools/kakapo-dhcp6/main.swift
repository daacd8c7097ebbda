import Glibc
import KakapoCore
import KakapoLinuxIO

/// kakapo-dhcp6: Kea's kea-dhcp6 command line (-c, -t, -T, -d, -v, -V, -W, -p, -P), in the
/// foreground, so that service managers and keactrl-style tools track its PID.
func usage() -> Never {
    let text = """
    Usage: kakapo-dhcp6 -[v|V|W] [-d] [-{c|t|T} cfgfile] [-p number] [-P number]
      -v: print version number and exit
      -V: print extended version and exit
      -W: display the configuration report and exit
      -d: debug mode with extra verbosity (former -v)
      -c file: specify configuration file
      -t file: check the configuration file syntax and exit
      -T file: check the configuration file doing hooks load and extra checks and exit
      -p number: specify non-standard server port number 1-65535 (useful for testing only)
      -P number: specify non-standard client port number 1-65535 (useful for testing only)

    """
    writeStandardError(text)
    exit(1)
}


var args = Array(CommandLine.arguments.dropFirst())
var configPath: String? = nil
var checkOnly = false
var options = Dhcp6Server.Options(configPath: "")
while !args.isEmpty {
    let a = args.removeFirst()
    switch a {
    case "-v": print(Dhcp6Server.version); exit(0)
    case "-V": print("\(Dhcp6Server.version)\nKakapo DHCPv6 server, Kea 2.4 compatible; lease backends: memfile"); exit(0)
    case "-W": print("Kakapo \(Dhcp6Server.version) configuration report: Swift build, memfile lease backend"); exit(0)
    case "-d": options.forceDebug = true
    case "-c", "-t", "-T":
        guard let f = args.first else { usage() }
        args.removeFirst()
        configPath = f
        // -T: Kea also loads the hook libraries; Kakapo has none to load, so it checks as -t.
        checkOnly = checkOnly || a != "-c"
    case "-p", "-P":
        guard let v = args.first, let port = UInt16(v), port > 0 else {
            writeStandardError("\(a) argument must be a number between 1 and 65535\n"); usage()
        }
        args.removeFirst()
        if a == "-p" { options.serverPort = port } else { options.clientPort = port }
    default:
        usage()
    }
}
guard let path = configPath else { usage() }
options.configPath = path

if checkOnly {
    do {
        let l = try ConfigLoader6.load(path: path, for: .check)
        for w in l.warnings { print("WARN \(w)") }
        if let missing = ConfigLoader6.missingInterfaces(l.config).first {
            writeStandardError("Error encountered: Failed to select interface: interface '\(missing)' doesn't exist in the system\n")
            exit(1)
        }
        print("Configuration file \(path) is valid.")
        exit(0)
    } catch {
        writeStandardError(configCheckVerdict(error))
        exit(1)
    }
}

let logger = Logger(name: "kea-dhcp6", component: "dhcp6", severity: options.forceDebug ? .debug : .info, debugLevel: options.forceDebug ? 99 : 0)
logger.log(.info, "DHCP6_STARTING", "Kakapo DHCPv6 server version \(Dhcp6Server.version) starting")
let pidFile = PidFile(configPath: path, daemon: "kea-dhcp6")
switch pidFile.acquire() {
case .alreadyRunning(let pid):
    logger.log(.fatal, "DHCP6_ALREADY_RUNNING", "kea-dhcp6 already running? PID file \(pidFile.path) names live process \(pid)")
    exit(1)
case .unwritable(let why):
    logger.log(.warn, "DHCP6_PID_FILE_ERROR", "cannot write PID file \(pidFile.path): \(why)")
case .written:
    break
}
var startClock = SystemClock()
let server: Dhcp6Server
do {
    server = try Dhcp6Server(options: options, logger: logger, now: startClock.now())
} catch {
    let reason = error.description.hasPrefix("Failed to apply configuration") ? error.description : "Failed to apply configuration: \(error.description)"
    logger.log(.error, "DHCP6_CONFIG_LOAD_FAIL", "configuration error using file: \(path), reason: \(reason)")
    logger.log(.error, "DHCP6_INIT_FAIL", "failed to initialize Kea server: configuration error using file '\(path)': \(reason)")
    pidFile.release()
    exit(1)
}
let daemon: Daemon
do { daemon = try Daemon(service: server, pidFile: pidFile) } catch {
    logger.log(.error, "DHCP6_INIT_FAIL", "failed to initialize Kea server: failed to open control socket: \(error)")
    pidFile.release()
    exit(1)
}
exit(daemon.run())
