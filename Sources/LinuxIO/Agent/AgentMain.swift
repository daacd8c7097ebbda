import Glibc
import KakapoCore
import NIOCore
import NIOPosix

/// The whole program of kakapo-ctrl-agent: Kea's command line for kea-ctrl-agent (-c, -t, -d,
/// -v, -V, -W), the configuration check, the PID file (`<config stem>.kea-ctrl-agent.pid`), the
/// HTTP service on one SwiftNIO event loop, and the signals (SIGHUP reload, SIGTERM/SIGINT
/// stop) taken by the main thread. Returns only through `exit`.
public func runCtrlAgent(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
    let commandLine = KeaDaemonCommandLine.parse(arguments, program: "kakapo-ctrl-agent",
        extendedVersion: "Kakapo control agent, Kea 2.4 compatible; HTTP/1.1 by SwiftNIO, TLS through the system's OpenSSL",
        report: "Swift build, control agent")
    let path = commandLine.configPath, checkOnly = commandLine.checkOnly, forceDebug = commandLine.forceDebug
    let logger = Logger(name: AgentService.keaName, component: "ctrl-agent", severity: forceDebug ? .debug : .info,
                        debugLevel: forceDebug ? 99 : 0)
    if checkOnly {
        do {
            let l = try AgentLoaded.load(path: path)
            for w in l.warnings { print("WARN \(w.message)") }
            let c = l.config
            logger.log(.info, "DCTL_CONFIG_CHECK_COMPLETE", "server has completed configuration check: listening on \(c.httpHost), port \(c.httpPort), control sockets: \(c.serviceNames.joined(separator: " ")), \(c.hooksLibraries.count) lib(s):, result: success(0), text=Configuration check successful", component: "dctl")
            exit(0)
        } catch {
            if !error.isGrammarError {
                logger.log(.error, "CTRL_AGENT_CONFIG_CHECK_FAIL", "Control Agent configuration check failed: \(error.message)", component: "ctrl-agent")
            }
            writeStandardError(configCheckVerdict(error))
            exit(1)
        }
    }
    logger.log(.info, "DCTL_STARTING", "Control-agent starting, pid: \(getpid()), version: \(kakapoVersion) (kakapo)", component: "dctl")
    let pidFile = PidFile(configPath: path, daemon: AgentService.keaName)
    switch pidFile.acquire() {
    case .alreadyRunning(let pid):
        logger.log(.error, "DCTL_ALREADY_RUNNING", "Control-agent already running? PID: \(pid), PID file: \(pidFile.path)", component: "dctl")
        exit(1)
    case .unwritable(let why):
        logger.log(.error, "DCTL_PID_FILE_ERROR", "Control-agent could not create a PID file: \(pidFile.path): \(why)", component: "dctl")
    case .written:
        break
    }
    let loaded: AgentLoaded
    do { loaded = try AgentLoaded.load(path: path) } catch {
        logger.log(.error, "CTRL_AGENT_CONFIG_FAIL", "Control Agent configuration failed: \(error.message)", component: "ctrl-agent")
        logger.log(.error, "DCTL_CONFIG_FILE_LOAD_FAIL", "Control-agent reason: configuration error using file: \(path), reason: \(error.message)", component: "dctl")
        pidFile.release()
        exit(1)
    }
    logger.apply(loaded.config.loggers, forceDebug: forceDebug)

    // The signals go to this thread (sigwait below): blocked before the event loop's thread
    // exists, so that it inherits the mask.
    var signals = sigset_t()
    sigemptyset(&signals)
    for s in [SIGHUP, SIGTERM, SIGINT] { sigaddset(&signals, s) }
    pthread_sigmask(SIG_BLOCK, &signals, nil)
    signal(SIGPIPE, SIG_IGN)

    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let service = AgentService(configPath: path, loaded: loaded, logger: logger, forceDebug: forceDebug, group: group)
    do { try service.start().wait() } catch {
        logger.log(.error, "DCTL_INIT_PROCESS_FAIL", "Control-agent application initialization failed: \(AgentForwarder.describe(error)) (\(loaded.config.httpHost):\(loaded.config.httpPort))", component: "dctl")
        try? group.syncShutdownGracefully()
        pidFile.release()
        exit(1)
    }
    var signo: Int32 = 0
    while true {
        guard sigwait(&signals, &signo) == 0 else { continue }
        if signo == SIGHUP {
            service.reloadOnSignal()
            continue
        }
        break
    }
    let byCommand = (try? service.loop.submit { service.shutdownRequested }.wait()) ?? false
    if !byCommand {
        let received = signo
        try? service.loop.submit {
            service.logger.log(.debug, "DCTL_SHUTDOWN_SIGNAL_RECVD", "OS signal \(received) received, starting shutdown", component: "dctl", debugLevel: 0)
        }.wait()
    }
    try? service.stop().wait()
    try? group.syncShutdownGracefully()
    pidFile.release()
    logger.log(.info, "DCTL_SHUTDOWN", "Control-agent has shut down, pid: \(getpid()), version: \(kakapoVersion)", component: "dctl")
    exit(0)
}
