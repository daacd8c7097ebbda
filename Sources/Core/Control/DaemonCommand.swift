/// The commands every Kakapo daemon answers in its shell (Kea's daemon-level commands), as
/// opposed to those of the protocol engine inside it. The shell supplies one handler taking
/// this enum, so a command added here without a handler does not compile.
public enum DaemonCommand: String, CaseIterable, Sendable {
    case buildReport = "build-report"
    /// kakapo-dhcp4/6 only: Kea's answer without `config-control` (no configuration backend).
    case configBackendPull = "config-backend-pull"
    case configGet = "config-get"
    /// Kea 2.4: the SHA-256 of the running configuration (what config-get returns).
    case configHashGet = "config-hash-get"
    case configReload = "config-reload"
    case configSet = "config-set"
    case configTest = "config-test"
    case configWrite = "config-write"
    /// kakapo-dhcp4/6 only: stop answering DHCP packets (`DHCPServiceState`).
    case dhcpDisable = "dhcp-disable"
    /// kakapo-dhcp4/6 only: answer DHCP packets again.
    case dhcpEnable = "dhcp-enable"
    /// libdhcp_lease_cmds.so's lease4-write: the engine has the leases, but writing a file is
    /// the shell's (see `LeaseWriteRequest`).
    case leaseWrite = "lease4-write"
    /// lease6-write, kakapo-dhcp6's twin of lease4-write.
    case leaseWrite6 = "lease6-write"
    /// A Kakapo extension: the daemon's last logged events (`{"limit": N}` →
    /// `{"events": [...]}`, newest first), for the agent's dashboard.
    case logGet = "kakapo-log-get"
    /// Answered by the dispatcher from the table itself; the shell's handler never sees it.
    case listCommands = "list-commands"
    /// kakapo-dhcp4/6 only: the configured `server-tag`.
    case serverTagGet = "server-tag-get"
    case shutdown = "shutdown"
    case statusGet = "status-get"
    case versionGet = "version-get"

    /// What the command accepts as arguments (texts as Kea words them).
    public var arguments: CommandArgumentsRule {
        switch self {
        case .buildReport, .configGet, .configReload, .listCommands, .statusGet, .versionGet: .none
        case .configBackendPull, .configHashGet, .serverTagGet: .none
        case .configWrite, .logGet, .shutdown, .dhcpDisable, .dhcpEnable: .optionalMap
        case .configSet, .configTest: .requiredMap(missingText: "Missing mandatory 'arguments' parameter.")
        case .leaseWrite, .leaseWrite6: .requiredMap(missingText: "no parameters specified for the command")
        }
    }

    /// The lease family whose lease file the command writes; nil for commands of every daemon.
    public var leaseFamily: LeaseFileFamily? {
        switch self {
        case .leaseWrite: .v4
        case .leaseWrite6: .v6
        default: nil
        }
    }

    /// The daemon-owned rows of `family`'s daemon: the shared commands and its leaseN-write.
    public static func table(for family: LeaseFileFamily) -> CommandTable {
        CommandTable(allCases.filter { $0.leaseFamily == nil || $0.leaseFamily == family }.map {
            CommandEntry($0.rawValue, owner: .daemon, arguments: $0.arguments)
        })
    }

    /// The daemon-owned rows of kakapo-dhcp4's command table.
    public static let table = table(for: .v4)
}

/// Which daemon's lease file a command concerns: kakapo-dhcp4's or kakapo-dhcp6's.
public enum LeaseFileFamily: Sendable, Equatable {
    case v4, v6
}
