/// The commands the DHCPv6 engine answers itself (Kea's lease_cmds for v6 and the statistic
/// commands): its rows of kakapo-dhcp6's command table. `handle(_:arguments:now:)` switches
/// over this enum with no default, so a command cannot be listed without a handler.
public enum Dhcp6EngineCommand: String, CaseIterable, Sendable {
    case leaseAdd = "lease6-add"
    case leaseDel = "lease6-del"
    case leaseGet = "lease6-get"
    case leaseGetAll = "lease6-get-all"
    case leaseGetByDUID = "lease6-get-by-duid"
    case leaseGetByHostname = "lease6-get-by-hostname"
    case leaseGetPage = "lease6-get-page"
    case leaseResendDDNS = "lease6-resend-ddns"
    case leaseUpdate = "lease6-update"
    case leaseWipe = "lease6-wipe"
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
    case statLeaseGet = "stat-lease6-get"

    /// What the command accepts as arguments, with Kea's text for missing ones.
    public var arguments: CommandArgumentsRule {
        switch self {
        case .leaseAdd, .leaseUpdate, .leaseGet, .leaseDel:
            .requiredMap(missingText: "Parameters missing or are not a map.")
        case .leaseGetByDUID, .leaseGetByHostname:
            .requiredMap(missingText: "Command arguments missing or a not a map.")
        case .leaseGetPage: .requiredMap(missingText: "no parameters specified for the lease6-get-page command")
        case .leasesReclaim: .requiredMap(missingText: "'remove' parameter not specified")
        case .leaseGetAll, .leaseWipe, .leaseResendDDNS, .statLeaseGet: .optionalMap
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
    public func isEnabled(by config: Dhcp6Config) -> Bool {
        guard let hook else { return true }
        return config.hooksLibraries.contains { $0.hook == hook }
    }

    /// The engine-owned rows of kakapo-dhcp6's command table: every command, whatever the configuration.
    public static let table = CommandTable(allCases.map(\.entry))

    /// The engine-owned rows for `config`: commands of hook libraries it does not name are left out.
    public static func table(for config: Dhcp6Config) -> CommandTable {
        CommandTable(allCases.filter { $0.isEnabled(by: config) }.map(\.entry))
    }
}

extension Dhcp6Engine {
    /// The commands `handle(_:arguments:now:)` answers.
    public static var commandTable: CommandTable { Dhcp6EngineCommand.table }

    /// The commands this engine's configuration enables (what `list-commands` shows).
    public var activeCommandTable: CommandTable { Dhcp6EngineCommand.table(for: config) }

    /// Answers one engine command. Arguments are checked against the command's table row first
    /// (the dispatcher has usually done so already). Lease changes are proposed in one
    /// transaction, carried by the effects, which the shell makes durable as a packet's.
    public mutating func handle(_ command: Dhcp6EngineCommand, arguments: JSON?, now: Now) -> (JSON, Effects6) {
        guard command.isEnabled(by: config) else { return (ControlDispatcher.unsupported(command.rawValue), Effects6()) }
        if let problem = command.entry.argumentsProblem(arguments) { return (problem, Effects6()) }
        var effects = Effects6()
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
            reclaimExpired(now: now, limit: Int.max, remove: remove, &effects)
            answer = ControlResponse.make(.success, "Reclamation of expired leases is complete.")
        case .leaseGet: answer = leaseGet(arguments)
        case .leaseGetAll: answer = leaseGetAll(arguments)
        case .leaseGetPage: answer = leaseGetPage(arguments)
        case .leaseGetByDUID: answer = leaseGetByDUID(arguments)
        case .leaseGetByHostname: answer = leaseGetByHostname(arguments)
        case .leaseResendDDNS: answer = leaseResendDDNS(arguments, &effects)
        case .leaseAdd: answer = leaseAdd(arguments, update: false, now: now, &effects)
        case .leaseUpdate: answer = leaseAdd(arguments, update: true, now: now, &effects)
        case .leaseDel: answer = leaseDel(arguments, now: now, &effects)
        case .leaseWipe: answer = leaseWipe(arguments, now: now, &effects)
        case .statLeaseGet: answer = statLeaseGet(arguments, now: now)
        }
        seal(&effects, label: nil, counted: [])
        return (answer, effects)
    }

    /// Kea's text for a lease type in commands.
    static func typeText(_ t: LeaseType6) -> String {
        switch t {
        case .nonTemporaryAddress: "IA_NA"
        case .temporaryAddress: "IA_TA"
        case .delegatedPrefix: "IA_PD"
        }
    }

    /// A command's `type` argument: IA_NA when absent, else IA_NA, IA_TA or IA_PD (Kea's texts).
    static func typeArgument(_ args: JSON) throws(ControlFailure) -> LeaseType6 {
        guard let value = args["type"] else { return .nonTemporaryAddress }
        switch value.stringValue {
        case "IA_NA": return .nonTemporaryAddress
        case "IA_TA": return .temporaryAddress
        case "IA_PD": return .delegatedPrefix
        default:
            throw ControlFailure("Incorrect lease type: \(value.stringValue ?? value.serialized()), the only supported values are: na, ta and pd")
        }
    }

    /// A lease as Kea's lease6-get shows it (prefix-len for prefixes only, hw-address and
    /// user-context only when the lease has them).
    public static func leaseJSON(_ l: Lease6) -> JSON {
        var extra: [(String, JSON)] = [
            ("duid", .string(HexText.colonSeparated(l.duid))),
            ("iaid", .int(Int64(l.iaid))),
            ("preferred-lft", .int(Int64(l.preferredLifetimeSeconds))),
            ("type", .string(typeText(l.type))),
        ]
        if l.type == .delegatedPrefix { extra.append(("prefix-len", .int(Int64(l.prefixLength)))) }
        if let h = l.hardwareAddress { extra.append(("hw-address", .string(HexText.colonSeparated(h.bytes)))) }
        if !l.userContext.isEmpty, let context = try? JSON.parse(l.userContext) { extra.append(("user-context", context)) }
        return LeaseCommandSupport.CommonFields(
            address: l.address.description, cltt: l.cltt, validLifetimeSeconds: l.validLifetimeSeconds,
            subnetID: l.subnetID, poolID: l.poolID, fqdnForward: l.fqdnForward, fqdnReverse: l.fqdnReverse,
            hostname: l.hostname, state: l.state).json(adding: extra)
    }

    func leaseList(_ leases: [Lease6]) -> JSON {
        LeaseCommandSupport.leaseList(leases.map { Self.leaseJSON($0) }, family: "IPv6")
    }

    /// The address given as `ip-address` (Kea's conversion text).
    static func addressArgument(_ text: String) throws(ControlFailure) -> IPv6Address {
        guard let ip = IPv6Address(text) else { throw ControlFailure("Failed to convert '\(text)' to address.") }
        return ip
    }

    /// The lease lease6-get / lease6-del name: by `ip-address` (and `type`), or by `type`,
    /// `identifier-type` "duid", `identifier`, `iaid` and `subnet-id`. Nil when there is none.
    func namedLease(_ args: JSON) throws(ControlFailure) -> Lease6? {
        let type = try Self.typeArgument(args)
        if let ipText = args["ip-address"]?.stringValue {
            return store.lease(type, at: try Self.addressArgument(ipText))
        }
        guard let subnetID = args["subnet-id"]?.intValue else { throw ControlFailure("Mandatory 'subnet-id' parameter missing.") }
        guard let identType = args["identifier-type"]?.stringValue, let ident = args["identifier"]?.stringValue else {
            throw ControlFailure("Mandatory 'ip-address' parameter missing.")
        }
        guard identType == "duid" else {
            if identType == "hw-address" { throw ControlFailure("Query by hw-address is not allowed in v6.") }
            throw ControlFailure("Identifier type \(identType) is not supported.")
        }
        guard let iaid = args["iaid"]?.intValue else { throw ControlFailure("Mandatory 'iaid' parameter missing.") }
        guard let duid = HexText.decode(ident) else { throw ControlFailure("invalid 'identifier' parameter") }
        return store.leases(for: .identityInSubnet(type: type, duid: duid, iaid: UInt32(truncatingIfNeeded: iaid),
                                                   subnetID: UInt32(truncatingIfNeeded: subnetID))).first
    }

    func leaseGet(_ args: JSON?) -> JSON {
        guard let args else { return ControlResponse.make(.error, "Parameters missing or are not a map.") }
        if let problem = LeaseCommandSupport.updateDDNSProblem(args) { return problem }
        do {
            guard let l = try namedLease(args) else { return ControlResponse.make(.empty, "Lease not found.") }
            return ControlResponse.make(.success, "IPv6 lease found.", arguments: Self.leaseJSON(l))
        } catch { return error.answer }
    }

    mutating func leaseDel(_ args: JSON?, now: Now, _ effects: inout Effects6) -> JSON {
        guard let args else { return ControlResponse.make(.error, "Parameters missing or are not a map.") }
        if let problem = LeaseCommandSupport.updateDDNSProblem(args) { return problem }
        do {
            guard let l = try namedLease(args) else { return ControlResponse.make(.empty, "IPv6 lease not found.") }
            commit(.delete(l), into: &effects, now: now.wall)
            // 'update-ddns': the lease's DNS entries are removed too (Kea's lease_cmds).
            if args["update-ddns"]?.boolValue == true, l.type == .nonTemporaryAddress {
                queueNameChange(.remove, for: l, client: nil, &effects)
            }
            return ControlResponse.make(.success, "IPv6 lease deleted.")
        } catch { return error.answer }
    }

    /// lease6-get-by-duid: every lease of the DUID, in address order (a walk over the store).
    func leaseGetByDUID(_ args: JSON?) -> JSON {
        guard let text = args?["duid"]?.stringValue else { return ControlResponse.make(.error, "'duid' parameter not specified") }
        guard let duid = HexText.decode(text) else { return ControlResponse.make(.error, "invalid 'duid' parameter") }
        var found: [Lease6] = []
        store.forEachLease { if $0.duid == duid { found.append($0) } }
        return leaseList(found)
    }

    func leaseGetByHostname(_ args: JSON?) -> JSON {
        let wanted: String
        do { wanted = try LeaseCommandSupport.hostnameArgument(args) } catch { return error.answer }
        var found: [Lease6] = []
        store.forEachLease { if LeaseCommandSupport.hostname($0.hostname, matches: wanted) { found.append($0) } }
        return leaseList(found)
    }

    /// lease6-get-all: every lease in address order, or those of the listed subnets (grouped
    /// by subnet in the order listed).
    func leaseGetAll(_ args: JSON?) -> JSON {
        guard let args else {
            var leases: [Lease6] = []
            store.forEachLease { leases.append($0) }
            return leaseList(leases)
        }
        let subnetIDs: [Int64]
        do { subnetIDs = try LeaseCommandSupport.subnetList(args) } catch { return error.answer }
        var bySubnet: [Int64: [Lease6]] = [:]
        for id in subnetIDs { bySubnet[id] = [] }
        store.forEachLease { bySubnet[Int64($0.subnetID)]?.append($0) }
        return leaseList(subnetIDs.flatMap { bySubnet[$0] ?? [] })
    }

    /// lease6-get-page: `from` is "start" or an IPv6 address, then `limit`, as Kea checks them.
    func leaseGetPage(_ args: JSON?) -> JSON {
        guard let args else { return ControlResponse.make(.error, "no parameters specified for the lease6-get-page command") }
        let after: IPv6Address?
        let limit: Int
        do throws(ControlFailure) {
            guard let from = args["from"] else { throw ControlFailure("'from' parameter not specified") }
            guard let fromText = from.stringValue else { throw ControlFailure("'from' parameter must be a string") }
            if fromText == "start" {
                after = nil
            } else if let address = IPv6Address(fromText) {
                after = address
            } else if let v4 = IPv4Address(fromText) {
                throw ControlFailure("'from' parameter value \(v4) is not an IPv6 address")
            } else {
                throw ControlFailure("'from' parameter value is neither 'start' keyword nor a valid IPv6 address")
            }
            limit = try LeaseCommandSupport.pageLimit(args)
        } catch { return error.answer }
        return LeaseCommandSupport.leasePage(store.leases(after: after, limit: limit).map { Self.leaseJSON($0) }, family: "IPv6")
    }

    /// lease6-resend-ddns, checked in Kea's order (the address, DDNS enabled, the lease, its
    /// hostname, its fqdn flags); then an add request for the lease's name is queued.
    mutating func leaseResendDDNS(_ args: JSON?, _ effects: inout Effects6) -> JSON {
        guard let value = args?["ip-address"] else { return ControlResponse.make(.error, "'ip-address' parameter is missing.") }
        guard let text = value.stringValue else { return ControlResponse.make(.error, "'ip-address' is not a string.") }
        guard let address = IPv6Address(text) else {
            if IPv4Address(text) != nil { return ControlResponse.make(.error, "Invalid IPv6 address specified: \(text)") }
            return ControlResponse.make(.error, "'\(text)' is not a valid IP address.")
        }
        guard config.ddns.enableUpdates else { return ControlResponse.make(.conflict, "DDNS updating is not enabled") }
        guard let lease = store.lease(.nonTemporaryAddress, at: address) else {
            return ControlResponse.make(.empty, "No lease found for: \(address)")
        }
        guard !lease.hostname.isEmpty else {
            return ControlResponse.make(.conflict, "Lease for: \(address), has no hostname, nothing to update")
        }
        guard lease.fqdnForward || lease.fqdnReverse else {
            return ControlResponse.make(.conflict, "Neither forward nor reverse updates enabled for lease for: \(address)")
        }
        guard let ncr = nameChange(.add, for: lease) else {
            // No digest from the shell (a Core-only harness), or a name that is no DNS name.
            return ControlResponse.make(.error, "No NCR generated for: \(address), hostname: \(lease.hostname)")
        }
        effects.nameChanges.append(ncr)
        effects.events.append(.nameChangeQueued(client: nil, ncr))
        return ControlResponse.make(.success, "NCR generated for: \(address), hostname: \(lease.hostname)")
    }
}
