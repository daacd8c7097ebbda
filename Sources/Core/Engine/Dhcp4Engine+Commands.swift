/// The commands the DHCPv4 engine answers itself: its rows of the daemon's command table.
/// `handle(_:arguments:now:)` switches over this enum with no default, so a command cannot be
/// listed without a handler, nor handled without being listed.
public enum Dhcp4EngineCommand: String, CaseIterable, Sendable {
    case leaseAdd = "lease4-add"
    case leaseDel = "lease4-del"
    case leaseGet = "lease4-get"
    case leaseGetAll = "lease4-get-all"
    case leaseGetByClientID = "lease4-get-by-client-id"
    case leaseGetByHardwareAddress = "lease4-get-by-hw-address"
    case leaseGetByHostname = "lease4-get-by-hostname"
    case leaseGetPage = "lease4-get-page"
    case leaseResendDDNS = "lease4-resend-ddns"
    case leaseUpdate = "lease4-update"
    case leaseWipe = "lease4-wipe"
    case leasesReclaim = "leases-reclaim"
    case statisticGet = "statistic-get"
    case statisticGetAll = "statistic-get-all"
    case statisticRemove = "statistic-remove"
    case statisticRemoveAll = "statistic-remove-all"
    case statisticReset = "statistic-reset"
    case statisticResetAll = "statistic-reset-all"
    case statisticSampleAgeSet = "statistic-sample-age-set"
    case statisticSampleAgeSetAll = "statistic-sample-age-set-all"
    case statisticSampleCountSet = "statistic-sample-count-set"
    case statisticSampleCountSetAll = "statistic-sample-count-set-all"
    case statLeaseGet = "stat-lease4-get"

    /// What the command accepts as arguments, with Kea's text for missing ones.
    public var arguments: CommandArgumentsRule {
        switch self {
        case .leaseAdd, .leaseUpdate, .leaseGet, .leaseDel:
            .requiredMap(missingText: "Parameters missing or are not a map.")
        case .leaseGetByClientID, .leaseGetByHardwareAddress, .leaseGetByHostname:
            .requiredMap(missingText: "Command arguments missing or a not a map.")
        case .leaseGetPage: .requiredMap(missingText: "no parameters specified for the lease4-get-page command")
        case .leasesReclaim: .requiredMap(missingText: "'remove' parameter not specified")
        // Kea reads 'ip-address' first, so no arguments is "'ip-address' parameter is missing.".
        case .leaseGetAll, .leaseWipe, .statLeaseGet, .leaseResendDDNS: .optionalMap
        case .statisticGet, .statisticGetAll, .statisticRemove, .statisticRemoveAll, .statisticReset, .statisticResetAll,
             .statisticSampleAgeSet, .statisticSampleAgeSetAll, .statisticSampleCountSet, .statisticSampleCountSetAll:
            StatisticCommands.argumentsRule(rawValue)
        }
    }

    /// This command's row.
    public var entry: CommandEntry { CommandEntry(rawValue, owner: .engine, arguments: arguments) }

    /// The built-in hook library that must be named in `hooks-libraries` for this command to
    /// exist (as in Kea, where the library registers it); nil for commands always served.
    public var hook: BuiltInHook? {
        switch self {
        case .statLeaseGet: .statisticsCommands
        default: nil
        }
    }

    /// Whether `config` makes this command exist.
    public func isEnabled(by config: Dhcp4Config) -> Bool {
        guard let hook else { return true }
        return config.hooksLibraries.contains { $0.hook == hook }
    }

    /// The engine-owned rows of a command table: every command, whatever the configuration.
    public static let table = CommandTable(allCases.map(\.entry))

    /// The engine-owned rows for `config`: commands of hook libraries it does not name are left out.
    public static func table(for config: Dhcp4Config) -> CommandTable {
        CommandTable(allCases.filter { $0.isEnabled(by: config) }.map(\.entry))
    }
}

extension Dhcp4Engine {
    /// The commands `handle(command:arguments:now:)` answers.
    public static var commandTable: CommandTable { Dhcp4EngineCommand.table }

    /// The commands this engine's configuration enables (what `list-commands` shows).
    public var activeCommandTable: CommandTable { Dhcp4EngineCommand.table(for: config) }

    /// Answers a command the engine owns; nil for any other name, so that the caller can
    /// route it elsewhere. Lease changes in the effects must be made durable like those of
    /// packets.
    public mutating func handle(command name: String, arguments: JSON?, now: Now) -> (JSON, Effects4)? {
        guard let command = Dhcp4EngineCommand(rawValue: name) else { return nil }
        return handle(command, arguments: arguments, now: now)
    }

    /// Answers one engine command. Arguments are checked against the command's table row
    /// first (the dispatcher has usually done so already; direct callers such as the
    /// simulator get the same answers).
    public mutating func handle(_ command: Dhcp4EngineCommand, arguments: JSON?, now: Now) -> (JSON, Effects4) {
        guard command.isEnabled(by: config) else { return (ControlDispatcher.unsupported(command.rawValue), Effects4()) }
        if let problem = command.entry.argumentsProblem(arguments) { return (problem, Effects4()) }
        var effects = Effects4()
        provisional = ProvisionalCounts()
        let answer: JSON
        switch command {
        case .statisticGet, .statisticGetAll, .statisticRemove, .statisticRemoveAll, .statisticReset, .statisticResetAll,
             .statisticSampleAgeSet, .statisticSampleAgeSetAll, .statisticSampleCountSet, .statisticSampleCountSetAll:
            answer = StatisticCommands.handle(command.rawValue, arguments, stats: &stats, now: now.wall)
                ?? ControlDispatcher.unsupported(command.rawValue)
        case .leasesReclaim:
            guard let remove = arguments?["remove"]?.boolValue else {
                answer = ControlResponse.make(.error, "'remove' parameter not specified")
                break
            }
            reclaim(limit: Int.max, remove: remove, now: now, &effects)
            answer = ControlResponse.make(.success, "Reclamation of expired leases is complete.")
        case .leaseGet: answer = leaseGet(arguments)
        case .leaseGetAll: answer = leaseGetAll(arguments)
        case .leaseGetPage: answer = leaseGetPage(arguments)
        case .leaseGetByHardwareAddress: answer = leaseGetBy(arguments, key: "hw-address")
        case .leaseGetByClientID: answer = leaseGetBy(arguments, key: "client-id")
        case .leaseGetByHostname: answer = leaseGetByHostname(arguments)
        case .leaseResendDDNS: answer = leaseResendDDNS(arguments, &effects)
        case .leaseAdd: answer = leaseAdd(arguments, update: false, now: now, &effects)
        case .leaseUpdate: answer = leaseAdd(arguments, update: true, now: now, &effects)
        case .leaseDel: answer = leaseDel(arguments, now: now, &effects)
        case .leaseWipe: answer = leaseWipe(arguments, now: now, &effects)
        case .statLeaseGet: answer = statLeaseGet(arguments, now: now)
        }
        seal(&effects)
        return (answer, effects)
    }

    /// A lease as Kea's lease4-get shows it.
    public static func leaseJSON(_ l: Lease4) -> JSON {
        var extra: [(String, JSON)] = []
        if let c = l.clientID { extra.append(("client-id", .string(HexText.colonSeparated(c)))) }
        extra.append(("hw-address", .string(l.hardwareAddress.map { HexText.colonSeparated($0.bytes) } ?? "")))
        return LeaseCommandSupport.CommonFields(
            address: l.address.description, cltt: l.cltt, validLifetimeSeconds: l.validLifetimeSeconds,
            subnetID: l.subnetID, poolID: l.poolID, fqdnForward: l.fqdnForward, fqdnReverse: l.fqdnReverse,
            hostname: l.hostname, state: l.state).json(adding: extra)
    }

    func leaseGet(_ args: JSON?) -> JSON {
        guard let args else { return ControlResponse.make(.error, "Parameters missing or are not a map.") }
        if let problem = LeaseCommandSupport.updateDDNSProblem(args) { return problem }
        if let ipText = args["ip-address"]?.stringValue {
            guard let ip = IPv4Address(ipText) else { return ControlResponse.make(.error, "Failed to convert '\(ipText)' to address.") }
            guard let l = store.lease(at: ip) else { return ControlResponse.make(.empty, "Lease not found.") }
            return ControlResponse.make(.success, "IPv4 lease found.", arguments: Self.leaseJSON(l))
        }
        guard let type = args["identifier-type"]?.stringValue, let ident = args["identifier"]?.stringValue,
              let subnetID = args["subnet-id"]?.intValue else {
            return ControlResponse.make(.error, "Mandatory 'subnet-id' parameter missing.")
        }
        let found = lookup(type: type, identifier: ident).first { Int64($0.subnetID) == subnetID }
        guard let l = found else { return ControlResponse.make(.empty, "Lease not found.") }
        return ControlResponse.make(.success, "IPv4 lease found.", arguments: Self.leaseJSON(l))
    }

    func lookup(type: String, identifier: String) -> [Lease4] {
        guard let bytes = HexText.decode(identifier) else { return [] }
        switch type {
        case "hw-address": return store.leases(for: .hardwareAddress(HardwareAddress(bytes: bytes)))
        case "client-id": return store.leases(for: .clientID(bytes))
        default: return []
        }
    }

    func leaseGetBy(_ args: JSON?, key: String) -> JSON {
        guard let ident = args?[key]?.stringValue else {
            return ControlResponse.make(.error, "'\(key)' parameter not specified")
        }
        let leases = lookup(type: key, identifier: ident)
        return leaseList(leases)
    }

    func leaseList(_ leases: [Lease4]) -> JSON {
        LeaseCommandSupport.leaseList(leases.map { Self.leaseJSON($0) }, family: "IPv4")
    }
}
