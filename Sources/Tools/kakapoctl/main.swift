// kakapoctl: Kea's keactrl for the Kakapo daemons (or Kea's own, from Kea's keactrl.conf).
//
//   kakapoctl <start|stop|reload|status|version> [-c keactrl-config-file] [-s server[,server,..]]
//
// Same commands, options, configuration file (KeactrlConf, a keactrl.conf read without a
// shell) and output lines as Kea 2.4's keactrl, with "kakapoctl" where keactrl names itself.
// One deliberate difference: keactrl finds a daemon's PID file under the basename of the
// binary (`<conf stem>.<binary>.pid`); the Kakapo daemons write Kea's file names
// (`<conf stem>.kea-dhcp4.pid`, Sources/LinuxIO/PidFile.swift), so kakapoctl looks for the Kea
// process name of each server slot, which is also what Kea's own daemons write.
import Glibc
import KakapoCore
import KakapoLinuxIO

// ---------------------------------------------------------------- output

/// Straight to the file descriptor, so that lines come out in order with the daemons'
/// (which inherit our stdout) and nothing is left in a buffer when we exit.
func emit(_ text: String) {
    var bytes = Array(text.utf8)
    bytes.append(0x0A)
    var offset = 0
    while offset < bytes.count {           // bounded: each turn writes at least one byte or stops
        let n = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
    }
}
func logError(_ text: String) { emit("ERROR/kakapoctl: \(text)") }
func logWarning(_ text: String) { emit("WARNING/kakapoctl: \(text)") }
func logInfo(_ text: String) { emit("INFO/kakapoctl: \(text)") }

func usage() {
    emit("usage is kakapoctl command [-c keactrl-config-file] [-s server[,server,..]]")
    emit("commands: start stop reload status version")
}

func baseName(_ path: String) -> String {
    var p = Substring(path)
    while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
    return p.split(separator: "/").last.map(String.init) ?? String(p)
}

// ---------------------------------------------------------------- servers

/// One server slot of keactrl.conf, in keactrl's start order (the agent after the servers it
/// talks to, netconf last).
struct Server {
    let key: String            // -s name and the yes/no switch: dhcp4, dhcp6, dhcp_ddns, ctrl_agent
    let aliases: [String]      // Kakapo's short names accepted by -s as well
    let binaryVariable: String
    let configVariable: String
    let processName: String    // Kea's name, in the PID file's name
    let statusLabel: String
    let configLabel: String
}

extension Server {
    static let all: [Server] = [
        Server(key: "dhcp4", aliases: [], binaryVariable: "dhcp4_srv", configVariable: "kea_dhcp4_config_file",
               processName: "kea-dhcp4", statusLabel: "DHCPv4 server", configLabel: "Kea DHCPv4 configuration file"),
        Server(key: "dhcp6", aliases: [], binaryVariable: "dhcp6_srv", configVariable: "kea_dhcp6_config_file",
               processName: "kea-dhcp6", statusLabel: "DHCPv6 server", configLabel: "Kea DHCPv6 configuration file"),
        Server(key: "dhcp_ddns", aliases: ["d2"], binaryVariable: "dhcp_ddns_srv", configVariable: "kea_dhcp_ddns_config_file",
               processName: "kea-dhcp-ddns", statusLabel: "DHCP DDNS", configLabel: "Kea DHCP DDNS configuration file"),
        Server(key: "ctrl_agent", aliases: ["agent"], binaryVariable: "ctrl_agent_srv", configVariable: "kea_ctrl_agent_config_file",
               processName: "kea-ctrl-agent", statusLabel: "Control Agent", configLabel: "Kea Control Agent configuration file"),
    ]
}
/// keactrl accepts netconf in -s even when built without it, and then does nothing for it;
/// Kakapo has no netconf agent.
let netconfKey = "netconf"

// ---------------------------------------------------------------- arguments

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first, !command.isEmpty else {
    logError("missing command")
    usage()
    exit(1)
}
if command == "-v" || command == "--version" {
    emit(kakapoVersion)
    exit(0)
}
guard ["start", "stop", "reload", "status", "version"].contains(command) else {
    logError("invalid command: \(command)")
    exit(1)
}

var ctlConfPath = "\(BuildPaths.sysconfDir)/kakapo/kakapoctl.conf"
var selected: Set<String> = ["all"]
var rest = arguments.dropFirst()
while let option = rest.popFirst() {          // bounded: each turn consumes an argument
    switch option {
    case "-c", "--ctrl-config":
        guard let path = rest.popFirst(), !path.isEmpty else {
            logError("keactrl-config-file not specified")
            usage()
            exit(1)
        }
        ctlConfPath = path
    case "-s", "--server":
        let names = (rest.popFirst() ?? "").split(separator: ",").map(String.init)
        guard !names.isEmpty else {
            logError("servers not specified")
            usage()
            exit(1)
        }
        selected = []
        for name in names {
            if name == "all" || name == netconfKey {
                selected.insert(name)
            } else if let server = Server.all.first(where: { $0.key == name || $0.aliases.contains(name) }) {
                selected.insert(server.key)
            } else {
                logError("invalid server name: \(name)")
                exit(1)
            }
        }
    default:
        logError("invalid option: \(option)")
        usage()
        exit(1)
    }
}

// ---------------------------------------------------------------- configuration

var statInfo = stat()
guard stat(ctlConfPath, &statInfo) == 0, (statInfo.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else {
    logError("keactrl configuration file doesn't exist in \(ctlConfPath).")
    exit(1)
}
let conf: KeactrlConf
do {
    let text = try readFile(ctlConfPath)
    var environment: [String: String] = [:]
    var entry = environ
    while let pointer = entry.pointee {        // bounded by the environment's NULL terminator
        let pair = String(cString: pointer)
        if let eq = pair.firstIndex(of: "=") {
            environment[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        entry += 1
    }
    conf = try KeactrlConf.parse(text, environment: environment)
} catch let error as KeactrlConfError {
    logError("\(ctlConfPath): \(error)")
    exit(1)
} catch {
    logError("cannot read \(ctlConfPath): \(error)")
    exit(1)
}

for server in Server.all where conf[server.binaryVariable] == nil {
    logError("\(server.binaryVariable) parameter not specified")
    exit(1)
}

// ---------------------------------------------------------------- processes

/// Starts `argv` in the background, in its own session, stdin on /dev/null, stdout and stderr
/// ours (as keactrl's `command &` does), default signal handling. Returns errno on failure.
func spawn(_ argv: [String]) -> Int32 {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for sig in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    // POSIX_SPAWN_SETSID (glibc 2.26+, 0x80): not exported to Swift without _GNU_SOURCE.
    let setsid: Int32 = 0x80
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | setsid))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

    var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
    cArgs.append(nil)
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    return posix_spawnp(&pid, argv[0], &actions, &attributes, cArgs, environ)
}

/// The first line `binary -v` prints, or nil if it could not be run or failed.
func versionOf(_ binary: String) -> String? {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return nil }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addclose(&actions, fds[1])
    let cArgs: [UnsafeMutablePointer<CChar>?] = [strdup(binary), strdup("-v"), nil]
    defer { for p in cArgs { free(p) } }
    var pid: pid_t = 0
    let rc = posix_spawnp(&pid, binary, &actions, nil, cArgs, environ)
    close(fds[1])
    guard rc == 0 else { close(fds[0]); return nil }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while output.count < 65536 {               // bounded: a version is one short line
        let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
        if n > 0 { output.append(contentsOf: buffer[..<n]) } else if n < 0 && errno == EINTR { continue } else { break }
    }
    close(fds[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    guard status == 0 else { return nil }
    let text = String(decoding: output, as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
}

// ---------------------------------------------------------------- commands

/// The commands, on the parsed configuration and the servers -s selected.
struct Controller {
    let conf: KeactrlConf
    let ctlConfPath: String
    let selected: Set<String>
    var exitCode: Int32 = 0

    func binary(_ server: Server) -> String { conf[server.binaryVariable] ?? "" }
    func configFile(_ server: Server) -> String { conf[server.configVariable] ?? "" }

    /// keactrl's run_conditional: the server is named by -s (or -s is all), and, when
    /// `checkEnabled`, its switch in the file is yes.
    func wanted(_ server: Server, checkEnabled: Bool) -> Bool {
        guard selected.contains("all") || selected.contains(server.key) else { return false }
        return !checkEnabled || conf.isEnabled(server.key)
    }

    /// The server's PID file and, when it names a live process, its PID.
    func running(_ server: Server) -> (pidFile: String, pid: Int32?) {
        let path = PidFile(configPath: configFile(server), daemon: server.processName).path
        guard let text = try? readFile(path), let pid = Int32(text.trimmedASCII), pid > 0 else { return (path, nil) }
        // EPERM: alive, owned by another user (ps -p, which keactrl uses, sees it too).
        let alive = kill(pid, 0) == 0 || errno == EPERM
        return (path, alive ? pid : nil)
    }

    mutating func signalServer(_ server: Server, signal sig: Int32, doing: String, failed: String) {
        let name = baseName(binary(server))
        let (_, pid) = running(server)
        guard let pid else {
            logInfo("\(name) isn't running.")
            return
        }
        logInfo("\(doing) \(name)...")
        if kill(pid, sig) != 0 {
            logError("\(failed) failed, could not send signal \(sig) to process \(name), PID \(pid).")
            exitCode = 1
        }
    }

    mutating func run(_ command: String) -> Int32 {
        switch command {
        case "start":
            let verbose = conf["kea_verbose"] == "yes"
            for server in Server.all where wanted(server, checkEnabled: true) {
                let name = baseName(binary(server))
                let (pidFile, pid) = running(server)
                if let pid {
                    logInfo("\(name) appears to be running, see: PID \(pid), PID file: \(pidFile).")
                    continue
                }
                let argv = [binary(server), "-c", configFile(server)] + (verbose ? ["-d"] : [])
                logInfo("Starting \(argv.joined(separator: " "))")
                let rc = spawn(argv)
                if rc != 0 {
                    logError("Failed to start \(binary(server)): \(String(cString: strerror(rc)))")
                    exitCode = 1
                }
            }
        case "stop":
            for server in Server.all where wanted(server, checkEnabled: false) {
                signalServer(server, signal: SIGTERM, doing: "Stopping", failed: "Stop")
            }
        case "reload":
            for server in Server.all where wanted(server, checkEnabled: false) {
                signalServer(server, signal: SIGHUP, doing: "Reloading", failed: "Reload")
            }
        case "status":
            let colour = isatty(1) == 1
            let active = colour ? "\u{1B}[92mactive\u{1B}[0m" : "active"
            let inactive = colour ? "\u{1B}[91minactive\u{1B}[0m" : "inactive"
            for server in Server.all {
                emit("\(server.statusLabel): \(running(server).pid == nil ? inactive : active)")
            }
            for server in Server.all {
                emit("\(server.configLabel): \(configFile(server))")
            }
            emit("keactrl configuration file: \(ctlConfPath)")
            for server in Server.all {
                let file = configFile(server)
                var info = stat()
                if file.isEmpty {
                    logError("Configuration file for Kea not specified.")
                    exit(1)
                } else if stat(file, &info) != 0 || (info.st_mode & mode_t(S_IFMT)) != mode_t(S_IFREG) {
                    logError("Configuration file for Kea does not exist: \(file).")
                    exit(1)
                }
            }
        case "version":
            emit("kakapoctl: \(kakapoVersion)")
            for server in Server.all where wanted(server, checkEnabled: false) {
                let path = binary(server)
                let version: String
                if access(path, F_OK) == 0 || !path.contains("/") {
                    if let v = versionOf(path) {
                        version = v
                    } else {
                        logError("Error checking version of binary file: \(path)")
                        exitCode = 1
                        version = ""
                    }
                } else {
                    version = "unknown, \(path) missing"
                }
                emit("\(baseName(path)): \(version)")
            }
        default:
            preconditionFailure("command \(command) was validated above")
        }

        return exitCode
    }
}

var controller = Controller(conf: conf, ctlConfPath: ctlConfPath, selected: selected)
exit(controller.run(command))
