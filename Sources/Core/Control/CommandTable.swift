/// Which component answers a control command. The dispatcher routes by it, so a daemon, the
/// protocol engine inside it and (later) the control agent each see only their own commands.
public enum CommandOwner: Sendable, Equatable {
    /// The sans-I/O protocol engine (statistics, leases, reclamation).
    case engine
    /// The daemon shell around the engine (config-*, shutdown, status-get...).
    case daemon
    /// The HTTP control agent (commands it answers itself instead of forwarding).
    case agent
}

/// What a command accepts as `arguments`. The envelope decoder already refuses arguments that
/// are present but not a map, for every command (as Kea does); this rule adds the per-command
/// part, so that the check and its text live in the table rather than in each handler.
public enum CommandArgumentsRule: Sendable, Equatable {
    /// The command reads no arguments; any map given is ignored (as in Kea).
    case none
    /// The command reads arguments when they are given.
    case optionalMap
    /// The command needs arguments; without them the answer is result 1 with this text
    /// (each Kea command words it its own way).
    case requiredMap(missingText: String)
}

/// One row of a command table.
public struct CommandEntry: Sendable, Equatable {
    /// Kea's command name, as sent in `"command"`.
    public let name: String
    public let owner: CommandOwner
    public let arguments: CommandArgumentsRule

    public init(_ name: String, owner: CommandOwner, arguments: CommandArgumentsRule) {
        self.name = name
        self.owner = owner
        self.arguments = arguments
    }

    /// The error answer when `arguments` break this entry's rule, or nil when they are fine.
    public func argumentsProblem(_ arguments: JSON?) -> JSON? {
        if let given = arguments, given.objectValue == nil {
            return ControlResponse.make(.error, ControlRequest.argumentsNotMapText)
        }
        switch self.arguments {
        case .none, .optionalMap: return nil
        case .requiredMap(let missingText):
            // Not `arguments == nil`: JSON is ExpressibleByNilLiteral, so that would compare
            // with JSON.null.
            guard case .some = arguments else { return ControlResponse.make(.error, missingText) }
            return nil
        }
    }
}

/// The commands one process answers: the single list that drives dispatch and `list-commands`
/// (for the unix socket now and for the HTTP agent later). Names are unique; lookups are by
/// binary search over the names kept sorted, as `list-commands` shows them.
public struct CommandTable: Sendable {
    /// The rows, sorted by name.
    public let entries: [CommandEntry]

    /// A table of `entries`; two rows with one name is a programming error.
    public init(_ entries: [CommandEntry]) {
        let sorted = entries.sorted { $0.name < $1.name }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) {
            precondition(earlier.name != later.name, "command '\(later.name)' is in the table twice")
        }
        self.entries = sorted
    }

    /// This table and `other` in one (a daemon's shared commands plus its engine's).
    public func merged(with other: CommandTable) -> CommandTable {
        CommandTable(entries + other.entries)
    }

    /// The row for `name`, or nil for a command this process does not support.
    public func entry(named name: String) -> CommandEntry? {
        var low = 0, high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].name < name { low = mid + 1 } else { high = mid }
        }
        return low < entries.count && entries[low].name == name ? entries[low] : nil
    }

    /// The names in sorted order.
    public var names: [String] { entries.map(\.name) }

    /// Kea's `list-commands` answer: result 0 and the sorted names as arguments.
    public var listCommandsAnswer: JSON {
        ControlResponse.make(.success, arguments: .array(names.map { .string($0) }))
    }
}
