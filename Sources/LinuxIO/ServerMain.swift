import CShim
import Glibc
import KakapoCore

/// The whole program of kakapo-dhcp4 and kakapo-dhcp6: Kea's command line (-c, -t, -T, -d,
/// -v, -V, -W, -p, -P), the configuration check, the PID file, the server's start and the
/// daemon loop, in the foreground so that service managers and keactrl-style tools track its
/// PID. Returns only through `exit`.
public func runDHCPServer<S: DHCPServer>(_: S.Type, arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
    let me = S.identity
    func usage() -> Never {
        writeStandardError("""
        Usage: \(me.tool) -[v|V|W] [-d] [-{c|t|T} cfgfile] [-p number] [-P number]
          -v: print version number and exit
          -V: print extended version and exit
          -W: display the configuration report and exit
          -d: debug mode with extra verbosity (former -v)
          -c file: specify configuration file
          -t file: check the configuration file syntax and exit
          -T file: check the configuration file doing hooks load and extra checks and exit
          -p number: specify non-standard server port number 1-65535 (useful for testing only)
          -P number: specify non-standard client port number 1-65535 (useful for testing only)

        """)
        exit(1)
    }

    var args = arguments
    var configPath: String? = nil
    var checkOnly = false
    var options = ServerOptions(configPath: "", identity: me)
    while !args.isEmpty {
        let a = args.removeFirst()
        switch a {
        case "-v": print(S.version); exit(0)
        case "-V": print("\(S.version)\nKakapo \(me.protocolName) server, Kea 2.4 compatible; lease backends: memfile"); exit(0)
        case "-W": print("Kakapo \(S.version) configuration report: Swift build, memfile lease backend"); exit(0)
        case "-d": options.forceDebug = true
        case "-c", "-t", "-T":
            guard let f = args.first else { usage() }
            args.removeFirst()
            configPath = f
            // -T: Kea also loads the hook libraries; Kakapo's are built in, so it checks as -t.
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
            let l = try KeaConfigFile<S.Config>.load(path: path, for: .check)
            for w in l.warnings { print("WARN \(w)") }
            if let missing = KeaConfigFile<S.Config>.missingInterfaces(l.config).first {
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

    let logger = Logger(name: me.keaName, component: me.component, severity: options.forceDebug ? .debug : .info,
                        debugLevel: options.forceDebug ? 99 : 0)
    logger.logAs(me, .starting, "Kakapo \(me.protocolName) server version \(S.version) starting")
    let pidFile = PidFile(configPath: path, daemon: me.keaName)
    switch pidFile.acquire() {
    case .alreadyRunning(let pid):
        logger.logAs(me, .alreadyRunning, "\(me.keaName) already running? PID file \(pidFile.path) names live process \(pid)")
        exit(1)
    case .unwritable(let why):
        logger.logAs(me, .pidFileError, "cannot write PID file \(pidFile.path): \(why)")
    case .written:
        break
    }
    var startClock = SystemClock()
    let server: S
    do {
        server = try S(options: options, logger: logger, now: startClock.now())
    } catch {
        let reason = error.description.hasPrefix("Failed to apply configuration") ? error.description : "Failed to apply configuration: \(error.description)"
        logger.logAs(me, .configLoadFail, "configuration error using file: \(path), reason: \(reason)")
        logger.logAs(me, .initFail, "failed to initialize Kea server: configuration error using file '\(path)': \(reason)")
        pidFile.release()
        exit(1)
    }
    let daemon: Daemon
    do { daemon = try Daemon(service: server, pidFile: pidFile) } catch {
        logger.logAs(me, .initFail, "failed to initialize Kea server: failed to open control socket: \(error)")
        pidFile.release()
        exit(1)
    }
    exit(daemon.run())
}
