/// Routes decoded control requests by the command table: unknown commands, argument rules and
/// `list-commands` are settled here, once, for every transport (unix socket, HTTP agent); each
/// owner's handler sees only its own commands, with arguments that passed the table's rule.
public struct ControlDispatcher: Sendable {
    /// Everything this process answers.
    public let table: CommandTable

    public init(table: CommandTable) {
        self.table = table
    }

    /// Kea's answer to a command missing from the table (result 2).
    public static func unsupported(_ command: String) -> JSON {
        ControlResponse.make(.unsupported, "'\(command)' command not supported.")
    }

    /// Answers `request`. `engine` gets engine-owned commands, `daemon` the daemon-owned ones
    /// (except `list-commands`, answered from the table), `agent` the agent-owned ones; a
    /// process without an agent part passes nil and such rows are answered as unsupported.
    public func answer(
        _ request: ControlRequest,
        engine: (CommandEntry, ControlRequest) -> JSON,
        daemon: (DaemonCommand, ControlRequest) -> JSON,
        agent: ((CommandEntry, ControlRequest) -> JSON)? = nil
    ) -> JSON {
        guard let entry = table.entry(named: request.command) else { return Self.unsupported(request.command) }
        if let problem = entry.argumentsProblem(request.arguments) { return problem }
        switch entry.owner {
        case .engine:
            return engine(entry, request)
        case .daemon:
            guard let command = DaemonCommand(rawValue: entry.name) else {
                preconditionFailure("daemon-owned command '\(entry.name)' has no DaemonCommand case")
            }
            if command == .listCommands { return table.listCommandsAnswer }
            return daemon(command, request)
        case .agent:
            guard let agent else { return Self.unsupported(request.command) }
            return agent(entry, request)
        }
    }
}
