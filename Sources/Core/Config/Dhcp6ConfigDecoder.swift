/// Builds a validated `Dhcp6Config` from a parsed Kea config file, as Kea 2.4's kea-dhcp6 reads
/// it: exactly one top-level `Dhcp6` object; every key inside is handled, set aside with a
/// warning (Kea knows it, Kakapo does not support it), or rejected with Kea's
/// `got unexpected keyword "…" in … map.`; absent keys take Kea's defaults
/// (`SimpleParser6`). The sections every daemon shares come from `KeaConfigDecoding`.
public enum Dhcp6ConfigDecoder {
    public static func decode(_ root: JSONNode) throws(ConfigError) -> Dhcp6Config {
        var decoding = Dhcp6Decoding()
        let dhcp6 = try decoding.topLevel(root, daemon: "Dhcp6")
        var config = try decoding.decodeDhcp6(dhcp6)
        config.optionTable = decoding.optionTable
        config.warnings = decoding.warnings
        return config
    }

    /// Parses `text` (Kea's JSON dialect) and decodes it.
    public static func decode(text: String, file: String = "<string>") throws(ConfigError) -> Dhcp6Config {
        try decode(try KeaJSON.parse(text, file: file, include: { name in
            throw ConfigError(code: .include, message: "Can't open include file \(name)")
        }))
    }
}

/// State of one Dhcp6 decode: the option table (`OptionTable.dhcp6` plus the `option-def`s)
/// and the warnings so far.
struct Dhcp6Decoding: KeaOptionDecoding {
    var optionTable: OptionTable = .dhcp6
    var warnings: [ConfigWarning] = []

    mutating func decodeDhcp6(_ node: JSONNode) throws(ConfigError) -> Dhcp6Config {
        var config = Dhcp6Config()
        var scope = TimerScope(name: "Dhcp6", position: node.position)
        var subnets: [Subnet6Draft] = []
        var networks: [SharedNetwork6Draft] = []
        if let definitions = try object(node).first(where: { $0.key == "option-def" }) {
            try decodeOptionDefinitions(definitions.value)
        }
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp6", table: Dhcp6KeaKeys.notActedOn)
            if try decodeTimer6(member, into: &config.timers, scope: &scope) { continue }
            if try decodeDDNSKey(member, into: &config.ddns) { continue }
            if try decodeReservationMode(member, into: &config.reservationModes) { continue }
            switch member.key {
            case "decline-probation-period": config.declineProbationPeriodSeconds = try uint32(member)
            case "statistic-default-sample-count": config.statisticDefaultSampleCount = try integer(member.value)
            case "statistic-default-sample-age": config.statisticDefaultSampleAge = try integer(member.value)
            case "subnet6": subnets = try decodeSubnets6(member.value, path: "Dhcp6/subnet6")
            case "shared-networks": networks = try decodeSharedNetworks6(member.value)
            case "interfaces-config": config.interfaces = try decodeInterfaces6(member.value)
            case "lease-database":
                config.leaseDatabase = try decodeLeaseDatabase(member.value, path: "Dhcp6/lease-database")
            case "expired-leases-processing": config.expiredLeasesProcessing = try decodeExpiredLeases(member.value, root: "Dhcp6", notActedOn: Dhcp6KeaKeys.notActedOn)
            case "option-data": config.optionData = try decodeOptionData6(member.value, path: "Dhcp6/option-data")
            case "option-def": break  // Decoded first, into the option table.
            case "client-classes": config.clientClasses = try decodeClientClasses6(member.value, path: "Dhcp6/client-classes")
            case "control-socket": config.controlSocket = try decodeControlSocket(member.value, path: "Dhcp6/control-socket")
            case "loggers": config.loggers = try decodeLoggers(member.value, path: "Dhcp6/loggers")
            case "dhcp-ddns": try decodeDhcpDdns6(member.value, into: &config)
            case "hooks-libraries":
                config.hooksLibraries = try decodeHooksLibraries(
                    member.value, path: "Dhcp6/hooks-libraries", available: BuiltInHook.allCases, daemon: "kakapo-dhcp6")
                for (index, entry) in try array(member.value).enumerated() {
                    notActedOn("Dhcp6/hooks-libraries[\(index)]", at: entry.position,
                               detail: "kakapo-dhcp6 implements no built-in hook yet; its parameters are not used")
                }
            case "compatibility": config.lenientOptionParsing = try decodeCompatibility6(member.value)
            case "sanity-checks": config.sanityChecks = try decodeSanityChecks(member.value)
            case "server-id": config.serverID = try decodeServerID(member.value)
            case "reservations":
                config.reservations = try decodeReservations6(member.value, path: "Dhcp6/reservations")
                try checkReservations6(config.reservations, prefix: nil, subnetID: 0, at: member.value.position)
            case "host-reservation-identifiers":
                config.hostReservationIdentifiers = try decodeHostReservationIdentifiers(
                    member.value, supported: HostIdentifierType.supported6)
            case "multi-threading":
                setAside("Dhcp6/multi-threading", at: member.keySpan.start)
                config.multiThreading = try decodeMultiThreading(member.value, path: "Dhcp6/multi-threading")
            case "hosts-database":
                setAside("Dhcp6/hosts-database", at: member.keySpan.start)
                config.hostsDatabases = [try decodeHostsDatabase(member.value, path: "Dhcp6/hosts-database")]
            case "hosts-databases":
                setAside("Dhcp6/hosts-databases", at: member.keySpan.start)
                config.hostsDatabases = try decodeHostsDatabases(member.value, path: "Dhcp6/hosts-databases")
            default:
                if try annotation(member) { continue }
                try other(member, context: "Dhcp6", path: "Dhcp6", ignorable: Dhcp6KeaKeys.globalIgnored)
            }
        }
        try applyReservationMode(node, into: &config.reservationModes)
        config.timers = config.timers.inheriting(from: LeaseTimers6.globalDefaults)
        try validateTimers6(config.timers, scope: scope, prefix: "")
        try finishSharedNetworks6(networks, topLevel: subnets, into: &config)
        return config
    }

    /// The family-neutral timers plus the preferred-lifetime triplet.
    func decodeTimer6(_ member: JSONNode.Member, into timers: inout LeaseTimers6,
                      scope: inout TimerScope) throws(ConfigError) -> Bool {
        switch member.key {
        case "preferred-lifetime": timers.preferredLifetimeSeconds = try uint32(member)
        case "min-preferred-lifetime": timers.minPreferredLifetimeSeconds = try uint32(member)
        case "max-preferred-lifetime": timers.maxPreferredLifetimeSeconds = try uint32(member)
        default: return try decodeTimer(member, into: &timers.common, scope: &scope)
        }
        scope.positions[member.key] = member.value.position
        return true
    }

    /// Kea's checks on effective timers: both triplets, then the T1/T2 percentages.
    func validateTimers6(_ timers: LeaseTimers6, scope: TimerScope, prefix: String) throws(ConfigError) {
        if let problem = KeaTimerRules.tripletProblem(
            name: "preferred-lifetime", value: timers.preferredLifetimeSeconds,
            minimum: timers.minPreferredLifetimeSeconds, maximum: timers.maxPreferredLifetimeSeconds) {
            throw ConfigError.semantic(.conflict, prefix + problem,
                                       at: scope.positions["preferred-lifetime"] ?? scope.position)
        }
        try validateTimers(timers.common, scope: scope, prefix: prefix)
    }

    mutating func decodeInterfaces6(_ node: JSONNode) throws(ConfigError) -> Interfaces6Config {
        var result = Interfaces6Config()
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp6/interfaces-config", table: Dhcp6KeaKeys.notActedOn)
            switch member.key {
            case "interfaces":
                var seen: [String] = []
                for element in try array(member.value) {
                    let text = try string(element)
                    let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                    let name = String(parts[0])
                    guard !name.isEmpty else {
                        throw ConfigError.semantic(.invalidValue, "empty interface name used in configuration", at: element.position)
                    }
                    var entry = Interfaces6Config.Entry(name: name)
                    if parts.count == 2 {
                        guard name != "*" else {
                            throw ConfigError.semantic(.invalidValue, "wildcard interface name '*' must not be used in "
                                                       + "conjunction with an address", at: element.position)
                        }
                        guard let address = IPv6Address(parts[1]) else {
                            throw ConfigError.semantic(.invalidValue, "invalid address '\(parts[1])' specified for "
                                                       + "interface '\(name)'", at: element.position)
                        }
                        entry.unicast = address
                    }
                    guard !seen.contains(text) else {
                        throw ConfigError.semantic(.duplicate, "interface '\(text)' has already been specified", at: element.position)
                    }
                    seen.append(text)
                    result.entries.append(entry)
                }
            case "re-detect": result.reDetect = try bool(member.value)
            case "service-sockets-require-all": result.serviceSocketsRequireAll = try bool(member.value)
            case "service-sockets-retry-wait-time": result.serviceSocketsRetryWaitTimeMilliseconds = try uint32(member)
            case "service-sockets-max-retries": result.serviceSocketsMaxRetries = try uint32(member)
            default:
                if try annotation(member) { continue }
                try other(member, context: "interfaces-config", path: "Dhcp6/interfaces-config")
            }
        }
        return result
    }

    /// kea-dhcp6's `compatibility` has one flag.
    mutating func decodeCompatibility6(_ node: JSONNode) throws(ConfigError) -> Bool {
        var lenient = false
        for member in try object(node) {
            switch member.key {
            case "lenient-option-parsing": lenient = try bool(member.value)
            default: try other(member, context: "compatibility", path: "Dhcp6/compatibility")
            }
        }
        return lenient
    }

    /// `sanity-checks`: Kea's keywords for `lease-checks` and `extended-info-checks`.
    mutating func decodeSanityChecks(_ node: JSONNode) throws(ConfigError) -> SanityChecks {
        var result = SanityChecks()
        for member in try object(node) {
            switch member.key {
            case "lease-checks":
                let text = try string(member.value)
                guard ["none", "warn", "fix", "fix-del", "del"].contains(text) else {
                    throw ConfigError.semantic(.invalidValue, "Unsupported 'lease-checks value: \(text), supported values are: "
                                               + "none, warn, fix, fix-del, del", at: member.value.position)
                }
                result.leaseChecks = text
            case "extended-info-checks":
                let text = try string(member.value)
                guard ["none", "fix", "strict", "pedantic"].contains(text) else {
                    throw ConfigError.semantic(.invalidValue, "Unsupported 'extended-info-checks value: \(text), supported "
                                               + "values are: none, fix, strict, pedantic", at: member.value.position)
                }
                result.extendedInfoChecks = text
            default: try other(member, context: "sanity-checks", path: "Dhcp6/sanity-checks")
            }
        }
        return result
    }

    /// `server-id`: the DUID type (a keyword: LLT, EN, LL) and its parts, with Kea's checks.
    mutating func decodeServerID(_ node: JSONNode) throws(ConfigError) -> ServerIDConfig {
        var result = ServerIDConfig()
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp6/server-id", table: Dhcp6KeaKeys.notActedOn)
            switch member.key {
            case "type": result.type = try choice(member.value)
            case "identifier":
                let text = try string(member.value)
                guard let bytes = HexText.decode(text) else {
                    throw ConfigError.semantic(.invalidValue, "identifier '\(text)' is not a valid string of hexadecimal digits",
                                               at: member.value.position)
                }
                result.identifier = bytes
            case "time": result.time = try uint32(member)
            case "htype": result.htype = try uint16(member)
            case "enterprise-id": result.enterpriseID = try uint32(member)
            case "persist": result.persist = try bool(member.value)
            default:
                if try annotation(member) { continue }
                try other(member, context: "server-id", path: "Dhcp6/server-id")
            }
        }
        return result
    }

    /// `dhcp-ddns`: the name change request sender's settings; `server-ip` of either family.
    mutating func decodeDhcpDdns6(_ node: JSONNode, into config: inout Dhcp6Config) throws(ConfigError) {
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp6/dhcp-ddns", table: Dhcp6KeaKeys.notActedOn)
            switch member.key {
            case "enable-updates": config.ddns.enableUpdates = try bool(member.value)
            case "server-ip":
                let text = try string(member.value)
                guard let address = IPAddress(text) else {
                    throw ConfigError.semantic(.invalidValue, "invalid address (\(text)) specified for parameter 'server-ip'",
                                               at: member.value.position)
                }
                config.dhcpDdnsServerIP = address
                // The name change request sender speaks IPv4 (DDNSSettings.serverIP).
                if case .v4(let v4) = address {
                    config.ddns.serverIP = v4
                } else {
                    notActedOn("Dhcp6/dhcp-ddns/server-ip", at: member.value.position,
                               detail: "an IPv6 server-ip is not supported: requests go to \(config.ddns.serverIP)")
                }
            case "server-port": config.ddns.serverPort = try uint16(member)
            case "sender-ip":
                let text = try string(member.value)
                if !text.isEmpty, IPAddress(text) == nil {
                    throw ConfigError.semantic(.invalidValue, "invalid address (\(text)) specified for parameter 'sender-ip'",
                                               at: member.value.position)
                }
                config.ddns.senderIP = text
            case "sender-port": config.ddns.senderPort = try uint16(member)
            case "max-queue-size": config.ddns.maxQueueSize = try uint32(member)
            case "ncr-protocol":
                config.ddns.ncrProtocol = try keyword(member.value, among: ["UDP", "TCP"], caseInsensitive: true)
                guard config.ddns.ncrProtocol == "UDP" else {
                    throw ConfigError.semantic(
                        .unsupported, "D2ClientConfig: NCR Protocol: TCP is not yet supported", at: member.value.position)
                }
            case "ncr-format": config.ddns.ncrFormat = try keyword(member.value, among: ["JSON"])
            default:
                if try annotation(member) { continue }
                try other(member, context: "dhcp-ddns", path: "Dhcp6/dhcp-ddns", ignorable: Dhcp4KeaKeys.dhcpDdnsIgnored)
            }
        }
    }
}
