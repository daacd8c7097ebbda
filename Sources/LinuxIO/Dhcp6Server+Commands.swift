import KakapoCore

extension Dhcp6Server {
    /// kakapo-dhcp6's commands: the daemon commands every Kakapo daemon has, without
    /// lease4-write (a DHCPv4 lease command). The DHCPv6 engine has no commands of its own yet
    /// (no lease6-* or statistic-*): they are answered as unsupported (result 2).
    static let commandTable = CommandTable(DaemonCommand.table.entries.filter { $0.name != DaemonCommand.leaseWrite.rawValue })

    public func answer(_ text: String, daemon: Daemon, now: Now) -> String {
        DaemonControl.answer(text, logger: logger) { request in
            ControlDispatcher(table: Dhcp6Server.commandTable).answer(request, engine: { entry, _ in
                ControlDispatcher.unsupported(entry.name)
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
        case .shutdown:
            logger.log(.debug, "DHCP6_SHUTDOWN_REQUEST", "shutdown of server requested", debugLevel: 40)
            daemon.requestShutdown()
            return ControlResponse.make(.success, "Shutting down.")
        }
    }
}
