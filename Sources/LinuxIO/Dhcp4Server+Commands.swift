import CShim
import Glibc
import KakapoCore

extension Dhcp4Server {
    /// kakapo-dhcp4's commands: the daemon commands every Kakapo daemon has, plus the DHCPv4
    /// engine's that the loaded configuration enables (a hook library's commands exist only
    /// when `hooks-libraries` names it). The one table behind dispatch and list-commands.
    var dispatcher: ControlDispatcher {
        ControlDispatcher(table: DaemonCommand.table.merged(with: engine.activeCommandTable))
    }

    /// Answers one control-channel request (Kea's JSON shape). Malformed input gets result 1,
    /// a command not in the table result 2. A lease command whose write the store refuses
    /// answers result 1: nothing was changed.
    public func answer(_ text: String, daemon: Daemon, now: Now) -> String {
        DaemonControl.answer(text, logger: logger) { request in
            dispatcher.answer(request, engine: { entry, request in
                guard let command = Dhcp4EngineCommand(rawValue: entry.name) else {
                    preconditionFailure("engine-owned command '\(entry.name)' has no Dhcp4EngineCommand case")
                }
                let (response, effects) = engine.handle(command, arguments: request.arguments, now: now)
                let refusedBefore = executor.failedCount + executor.conflictCount
                process(effects, now)
                flush(now)
                // A read-only command has no transaction: an earlier failure is not its own.
                if effects.transaction != nil, executor.failedCount + executor.conflictCount > refusedBefore {
                    return ControlResponse.make(.error, "the lease database refused the change; nothing was modified")
                }
                return response
            }, daemon: { command, request in
                daemonCommand(command, request.arguments, daemon, now)
            })
        }
    }

    /// The daemon-owned commands (the dispatcher answers list-commands from the table).
    func daemonCommand(_ command: DaemonCommand, _ args: JSON?, _ daemon: Daemon, _ now: Now) -> JSON {
        switch command {
        case .listCommands:
            return dispatcher.table.listCommandsAnswer
        case .versionGet:
            return ControlResponse.make(.success, Dhcp4Server.version, arguments: .object(JSONObject([
                ("extended", .string("Kakapo DHCPv4 server \(Dhcp4Server.version) (Kea 2.4 configuration, lease file and command compatible)"))])))
        case .buildReport:
            return ControlResponse.make(.success, "Kakapo \(Dhcp4Server.version); lease backends: memfile")
        case .statusGet: return statusGet(daemon, now)
        case .configGet:
            return ControlResponse.make(.success, arguments: loaded.json)
        case .configTest, .configSet:
            guard let a = args else { return ControlResponse.make(.error, "Missing mandatory 'arguments' parameter.") }
            let l: ConfigLoader.Loaded
            // config-test checks as -t does (an SQL lease backend is fine to check); config-set
            // must be servable.
            do { l = try ConfigLoader.load(json: a, for: command == .configTest ? .check : .serve) } catch {
                return ControlResponse.make(.error, error.message)
            }
            if command == .configTest {
                return ControlResponse.make(.success, "Configuration seems sane. Control-socket, hook-libraries, and D2 configuration were sanity checked, but not applied.")
            }
            do { try apply(l, now: now) } catch { return ControlResponse.make(.error, error.description) }
            do { try daemon.configurationChanged() } catch { return ControlResponse.make(.error, "failed to open control socket: \(error)") }
            return ControlResponse.make(.success, "Configuration successful.")
        case .configReload:
            let (ok, text) = reload(now: now)
            if ok {
                do { try daemon.configurationChanged() } catch { return ControlResponse.make(.error, "Config reload failed: failed to open control socket: \(error)") }
            }
            return ControlResponse.make(ok ? .success : .error, ok ? text : "Config reload failed: \(text)")
        case .configWrite:
            return DaemonControl.configWrite(args, configPath: options.configPath, running: loaded.json)
        case .leaseWrite: return leaseWrite(args)
        case .leaseWrite6: return ControlDispatcher.unsupported(command.rawValue)
        case .shutdown:
            logger.log(.debug, "DHCP4_SHUTDOWN_REQUEST", "shutdown of server requested", debugLevel: 40)
            daemon.requestShutdown()
            return ControlResponse.make(.success, "Shutting down.")
        }
    }

    /// lease4-write: every lease in the store, in the memfile format, to a new file that
    /// replaces `filename` atomically.
    func leaseWrite(_ args: JSON?) -> JSON {
        let request: LeaseWriteRequest
        do { request = try LeaseWriteRequest(arguments: args) } catch { return error.answer }
        return Self.writeLeases(request, engine.store.all(), leaseFile: memfile?.path)
    }

    /// Writes `leases` as lease4-write does, refusing the lease file in use (`leaseFile`),
    /// however it is named: replacing it under the open descriptor would lose later appends.
    static func writeLeases(_ request: LeaseWriteRequest, _ leases: [Lease4], leaseFile: String?) -> JSON {
        LeaseFileWriter.write(request, family: .v4, leaseFile: leaseFile) { LeaseFile4.text(of: leases) }
    }

    func statusGet(_ daemon: Daemon, _ now: Now) -> JSON {
        DaemonControl.status(daemon, now: now)
    }
}
