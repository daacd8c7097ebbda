import CShim
import Glibc
import KakapoCore

extension Dhcp4Server {
    static let shellCommands = ["build-report", "config-get", "config-reload", "config-set", "config-test",
                                "config-write", "list-commands", "shutdown", "status-get", "version-get"]

    /// Answers one control-channel request (Kea's JSON shape). Malformed input gets result 1.
    public func answer(_ text: String, daemon: Daemon, now: Now) -> String {
        let request: JSON
        do { request = try JSON.parse(text) } catch {
            logger.log(.warn, "COMMAND_PROCESS_ERROR1", "Error while processing command: invalid JSON: \(error.message)", component: "commands")
            return ControlResponse.make(.error, "invalid first character \(text.first.map(String.init) ?? "")").serialized()
        }
        guard let name = request["command"]?.stringValue else {
            return ControlResponse.make(.error, "Invalid command received: 'command' parameter not specified or not a string").serialized()
        }
        let args = request["arguments"]
        if let a = args, a.objectValue == nil {
            return ControlResponse.make(.error, "Received command with arguments that are not a map").serialized()
        }
        logger.log(.info, "COMMAND_RECEIVED", "Received command '\(name)'", component: "commands")
        if let (resp, effects) = engine.handle(command: name, arguments: args, now: now) {
            let refusedBefore = executor.failedCount + executor.conflictCount
            process(effects, now)
            flush(now)
            if executor.failedCount + executor.conflictCount > refusedBefore {
                return ControlResponse.make(.error, "the lease database refused the change; nothing was modified").serialized()
            }
            return resp.serialized()
        }
        return shellCommand(name, args, daemon, now).serialized()
    }

    func shellCommand(_ name: String, _ args: JSON?, _ daemon: Daemon, _ now: Now) -> JSON {
        switch name {
        case "list-commands":
            let all = (Dhcp4Server.shellCommands + Dhcp4Engine<MemoryLeaseStore4>.engineCommands).sorted()
            return ControlResponse.make(.success, arguments: .array(all.map { .string($0) }))
        case "version-get":
            return ControlResponse.make(.success, Dhcp4Server.version, arguments: .object(JSONObject([
                ("extended", .string("Kakapo DHCPv4 server \(Dhcp4Server.version) (Kea 2.4 configuration, lease file and command compatible)"))])))
        case "build-report":
            return ControlResponse.make(.success, "Kakapo \(Dhcp4Server.version); lease backends: memfile")
        case "status-get": return statusGet(daemon, now)
        case "config-get":
            return ControlResponse.make(.success, arguments: loaded.json)
        case "config-test", "config-set":
            guard let a = args else { return ControlResponse.make(.error, "Missing mandatory 'arguments' parameter.") }
            let l: ConfigLoader.Loaded
            do { l = try ConfigLoader.load(json: a) } catch { return ControlResponse.make(.error, error.message) }
            if name == "config-test" {
                return ControlResponse.make(.success, "Configuration seems sane. Control-socket, hook-libraries, and D2 configuration were sanity checked, but not applied.")
            }
            do { try apply(l, now: now) } catch { return ControlResponse.make(.error, error.description) }
            do { try daemon.configurationChanged() } catch { return ControlResponse.make(.error, "failed to open control socket: \(error)") }
            return ControlResponse.make(.success, "Configuration successful.")
        case "config-reload":
            let (ok, text) = reload(now: now)
            if ok {
                do { try daemon.configurationChanged() } catch { return ControlResponse.make(.error, "Config reload failed: failed to open control socket: \(error)") }
            }
            return ControlResponse.make(ok ? .success : .error, ok ? text : "Config reload failed: \(text)")
        case "config-write":
            let file = args?["filename"]?.stringValue ?? options.configPath
            let text = loaded.json.serialized(pretty: true) + "\n"
            do { try writeFileAtomically(file, text) } catch { return ControlResponse.make(.error, "Unable to write file \(file): \(error)") }
            return ControlResponse.make(.success, "Configuration written to \(file) successfully", arguments: .object(JSONObject([
                ("filename", .string(file)), ("size", .int(Int64(text.utf8.count)))])))
        case "shutdown":
            logger.log(.debug, "DHCP4_SHUTDOWN_REQUEST", "shutdown of server requested", debugLevel: 40)
            daemon.requestShutdown()
            return ControlResponse.make(.success, "Shutting down.")
        default:
            return ControlResponse.make(.unsupported, "'\(name)' command not supported.")
        }
    }

    func statusGet(_ daemon: Daemon, _ now: Now) -> JSON {
        let uptime = (now.monotonic - daemon.startedAt).value / 1000
        let reload = (now.monotonic - daemon.reloadedAt).value / 1000
        return ControlResponse.make(.success, arguments: .object(JSONObject([
            ("pid", .int(Int64(getpid()))),
            ("uptime", .int(uptime)),
            ("reload", .int(reload)),
            ("multi-threading-enabled", .bool(false)),
            ("thread-pool-size", .int(0)),
            ("packet-queue-size", .int(0)),
            ("sockets", .object(JSONObject([("status", .string("ready"))]))),
        ])))
    }
}
