import KakapoCore

extension DHCPServer {
    /// Answers one control-channel request (Kea's JSON shape). Malformed input gets result 1,
    /// a command not in the table result 2. A lease command whose write the store refuses
    /// answers result 1: nothing was changed.
    public func answer(_ text: String, daemon: Daemon, now: Now) -> String {
        DaemonControl.answer(text, logger: logger) { request in
            ControlDispatcher(table: commandTable).answer(request, engine: { entry, request in
                let (response, effects) = engineCommand(entry.name, arguments: request.arguments, now: now)
                let refusedBefore = executor.failedCount + executor.conflictCount
                executor.execute(effects, engine: &engine, port: self, now: now)
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
        let me = Self.identity
        switch command {
        case .listCommands:
            return commandTable.listCommandsAnswer
        case .versionGet:
            return ControlResponse.make(.success, Self.version, arguments: .object(JSONObject([
                ("extended", .string("Kakapo \(me.protocolName) server \(Self.version) (Kea 2.4 configuration, lease file and command compatible)"))])))
        case .buildReport:
            return ControlResponse.make(.success, "Kakapo \(Self.version); lease backends: memfile")
        case .statusGet:
            return DaemonControl.status(daemon, now: now, multiThreading: multiThreadingStatus)
        case .configGet:
            return ControlResponse.make(.success, arguments: loaded.json)
        case .configHashGet:
            return ControlResponse.make(.success, arguments: .object(JSONObject([("hash", .string(SystemCrypto.configHash(loaded.json)))])))
        case .serverTagGet:
            let root = loaded.json[Format.family == .v4 ? "Dhcp4" : "Dhcp6"]
            return ControlResponse.make(.success, arguments: .object(JSONObject([("server-tag", .string(root?["server-tag"]?.stringValue ?? ""))])))
        case .configBackendPull:
            // Kea's answer without config-control: Kakapo has no configuration backend.
            return ControlResponse.make(.empty, "No config backend.")
        case .dhcpDisable:
            return serviceState.disableCommand(args, protocolName: me.protocolName, now: now.monotonic)
        case .dhcpEnable:
            return serviceState.enableCommand(args)
        case .configTest, .configSet:
            guard let a = args else { return ControlResponse.make(.error, "Missing mandatory 'arguments' parameter.") }
            let l: KeaConfigFile<Config>.Loaded
            // config-test checks as -t does (an SQL lease backend is fine to check); config-set
            // must be servable.
            do { l = try KeaConfigFile<Config>.load(json: a, for: command == .configTest ? .check : .serve) } catch {
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
        case .leaseWrite, .leaseWrite6:
            // lease4-write in kakapo-dhcp4, lease6-write in kakapo-dhcp6; the table has only its own.
            guard (command == .leaseWrite6) == (Format.family == .v6) else {
                return ControlDispatcher.unsupported(command.rawValue)
            }
            // Kea's lease4-write/lease6-write dump the memfile backend's leases only.
            guard !usesSharedDatabase else {
                return ControlResponse.make(.error, "\(command.rawValue) is supported with the memfile lease backend only")
            }
            return leaseWrite(args)
        case .logGet:
            return logger.recent.answer(args)
        case .shutdown:
            var exitValue: Int64 = 0
            if let value = args?["exit-value"] {
                guard let n = value.intValue else { return ControlResponse.make(.error, "parameter 'exit-value' is not an integer") }
                exitValue = n
            }
            logger.logAs(me, .shutdownRequest, "shutdown of server requested")
            daemon.requestShutdown(exitCode: Int32(truncatingIfNeeded: exitValue))
            return ControlResponse.make(.success, "Shutting down.")
        }
    }

    /// lease4-write / lease6-write: every lease in the store, in the memfile format, to a new
    /// file that replaces `filename` atomically (never the lease file in use).
    func leaseWrite(_ args: JSON?) -> JSON {
        let request: LeaseWriteRequest
        do { request = try LeaseWriteRequest(arguments: args) } catch { return error.answer }
        return Self.writeLeases(request, allLeases, leaseFile: memfile?.path)
    }

    /// Writes `leases` as lease4-write/lease6-write do, refusing the lease file in use
    /// (`leaseFile`), however it is named: replacing it under the open descriptor would lose
    /// later appends.
    static func writeLeases(_ request: LeaseWriteRequest, _ leases: [Family.Lease], leaseFile: String?) -> JSON {
        LeaseFileWriter.write(request, family: Format.family, leaseFile: leaseFile) { Format.text(of: leases) }
    }
}
