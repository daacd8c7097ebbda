import KakapoCore

extension Dhcp6Server {
    /// kakapo-dhcp6's commands: the daemon commands every Kakapo daemon has, with lease6-write
    /// (not lease4-write), plus the DHCPv6 engine's lease6-* and statistic-* commands.
    static let commandTable = DaemonCommand.table(for: .v6).merged(with: Dhcp6EngineCommand.table)

    /// Answers one control-channel request. A lease command whose write the store refuses
    /// answers result 1: nothing was changed (as kakapo-dhcp4).
    public func answer(_ text: String, daemon: Daemon, now: Now) -> String {
        DaemonControl.answer(text, logger: logger) { request in
            ControlDispatcher(table: Dhcp6Server.commandTable).answer(request, engine: { entry, request in
                guard let command = Dhcp6EngineCommand(rawValue: entry.name) else {
                    preconditionFailure("engine-owned command '\(entry.name)' has no Dhcp6EngineCommand case")
                }
                let (response, effects) = engine.handle(command, arguments: request.arguments, now: now)
                let refusedBefore = executor.failedCount + executor.conflictCount
                process(effects, now)
                flush(now)
                if effects.transaction != nil, executor.failedCount + executor.conflictCount > refusedBefore {
                    return ControlResponse.make(.error, "the lease database refused the change; nothing was modified")
                }
                return response
            }, daemon: { command, request in
                daemonCommand(command, request.arguments, daemon, now)
            })
        }
    }

    func daemonCommand(_ command: DaemonCommand, _ args: JSON?, _ daemon: Daemon, _ now: Now) -> JSON {
        switch command {
        case .listCommands:
            return Dhcp6Server.commandTable.listCommandsAnswer
        case .versionGet:
            return ControlResponse.make(.success, Dhcp6Server.version, arguments: .object(JSONObject([
                ("extended", .string("Kakapo DHCPv6 server \(Dhcp6Server.version) (Kea 2.4 configuration, lease file and command compatible)"))])))
        case .buildReport:
            return ControlResponse.make(.success, "Kakapo \(Dhcp6Server.version); lease backends: memfile")
        case .statusGet:
            return DaemonControl.status(daemon, now: now)
        case .configGet:
            return ControlResponse.make(.success, arguments: loaded.json)
        case .configTest, .configSet:
            guard let a = args else { return ControlResponse.make(.error, "Missing mandatory 'arguments' parameter.") }
            let l: ConfigLoader6.Loaded
            do { l = try ConfigLoader6.load(json: a, for: command == .configTest ? .check : .serve) } catch {
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
        case .leaseWrite:
            return ControlDispatcher.unsupported(command.rawValue)
        case .leaseWrite6:
            return leaseWrite(args)
        case .shutdown:
            logger.log(.debug, "DHCP6_SHUTDOWN_REQUEST", "shutdown of server requested", debugLevel: 40)
            daemon.requestShutdown()
            return ControlResponse.make(.success, "Shutting down.")
        }
    }

    /// lease6-write: every lease in the store, in the leases6 memfile format, to a new file
    /// that replaces `filename` atomically (never the lease file in use).
    func leaseWrite(_ args: JSON?) -> JSON {
        let request: LeaseWriteRequest
        do { request = try LeaseWriteRequest(arguments: args) } catch { return error.answer }
        return Self.writeLeases(request, engine.store.all(), leaseFile: memfile?.path)
    }

    /// Writes `leases` as lease6-write does (see `LeaseFileWriter`).
    static func writeLeases(_ request: LeaseWriteRequest, _ leases: [Lease6], leaseFile: String?) -> JSON {
        LeaseFileWriter.write(request, family: .v6, leaseFile: leaseFile) { LeaseFile6.text(of: leases) }
    }
}
