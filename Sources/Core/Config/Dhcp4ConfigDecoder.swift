/// Builds a validated `Dhcp4Config` from a parsed Kea config file.
///
/// This is the only place that knows Kea's key spellings for the DHCPv4 server. It follows
/// Kea 2.4: the top level holds exactly one `Dhcp4` object; every key inside is either handled,
/// set aside with a warning (Kea knows it, Kakapo does not support it), or rejected with
/// Kea's `got unexpected keyword "…" in … map.`; absent keys take Kea's defaults. Keys that
/// are decoded but not acted on yet get a warning too (`Dhcp4Config.warnings`). Errors are
/// reported in file order, each naming its position; the sections every daemon shares are
/// decoded by `KeaConfigDecoding`.
public enum Dhcp4ConfigDecoder {
    /// Decodes `root`, the whole parsed file, encoding `option-data` with `OptionDataEncoder`
    /// against the standard DHCPv4 table and the file's own `option-def`s.
    public static func decode(_ root: JSONNode) throws(ConfigError) -> Dhcp4Config {
        try decode(root, encoder: { spec, table throws -> ConfiguredOption in
            try OptionDataEncoder.encode(spec, table: table)
        })
    }

    /// Decodes `root` with another `option-data` encoder, for tests that stub the options module.
    ///
    /// - Parameter optionEncoder: turns one `option-data` entry into wire bytes. It is not given
    ///   the file's `option-def`s, so production code calls `decode(_:)`. Whatever it throws is
    ///   reported as Kea's `option data does not match option definition (…)` at the entry's
    ///   position, except a `ConfigError` that already has a position, which is passed on unchanged.
    public static func decode(
        _ root: JSONNode, optionEncoder: (OptionDataSpec) throws -> ConfiguredOption
    ) throws(ConfigError) -> Dhcp4Config {
        try decode(root, encoder: { spec, _ throws -> ConfiguredOption in try optionEncoder(spec) })
    }

    private static func decode(
        _ root: JSONNode, encoder optionEncoder: (OptionDataSpec, OptionTable) throws -> ConfiguredOption
    ) throws(ConfigError) -> Dhcp4Config {
        let result: Result<Dhcp4Config, ConfigError> = withoutActuallyEscaping(optionEncoder) { encoder in
            var decoding = Dhcp4Decoding(optionEncoder: encoder)
            do throws(ConfigError) {
                let dhcp4 = try decoding.topLevel(root)
                var config = try decoding.decodeDhcp4(dhcp4)
                config.optionTable = decoding.optionTable
                config.warnings = decoding.warnings
                return .success(config)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

extension Dhcp4Decoding {
    func topLevel(_ root: JSONNode) throws(ConfigError) -> JSONNode { try topLevel(root, daemon: "Dhcp4") }

    mutating func decodeDhcp4(_ node: JSONNode) throws(ConfigError) -> Dhcp4Config {
        var config = Dhcp4Config()
        var scope = TimerScope(name: "Dhcp4", position: node.position)
        var subnets: [SubnetDraft] = []
        var networks: [SharedNetworkDraft] = []
        // As Kea: definitions first, wherever they sit, so that every option-data can use them.
        if let definitions = try object(node).first(where: { $0.key == "option-def" }) {
            try decodeOptionDefinitions(definitions.value)
        }
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp4", table: Dhcp4KeaKeys.notActedOn)
            if try decodeTimer(member, into: &config.timers, scope: &scope) { continue }
            if try decodeGlobalScalar(member, into: &config) { continue }
            if try decodeDDNSKey(member, into: &config.ddns) { continue }
            if try decodeAllocationKey(member, into: &config.allocation) { continue }
            if member.key == "subnet4" {
                subnets = try decodeSubnets(member.value)
                continue
            }
            if member.key == "shared-networks" {
                networks = try decodeSharedNetworks(member.value, key: member.keySpan.start)
                continue
            }
            if try decodeGlobalSection(member, into: &config) { continue }
            if try annotation(member) { continue }
            try other(member, context: "Dhcp4", path: "Dhcp4", ignorable: Dhcp4KeaKeys.globalIgnored)
        }
        // Checks that need the whole map come after it, as Kea's come after its grammar pass.
        try applyReservationMode(node, into: &config.reservationModes)
        config.timers = config.timers.inheriting(from: LeaseTimers.globalDefaults)
        // Kea checks the subnets (with what they inherit) first, then the globals after parsing.
        try finishSharedNetworks(networks, topLevel: subnets, into: &config)
        try validateTimers(config.timers, scope: scope, prefix: "")
        return config
    }

    /// Flags, numbers and BOOTP fields directly inside `Dhcp4`.
    private func decodeGlobalScalar(_ member: JSONNode.Member, into config: inout Dhcp4Config) throws(ConfigError) -> Bool {
        switch member.key {
        case "authoritative": config.authoritative = try bool(member.value)
        case "match-client-id": config.matchClientID = try bool(member.value)
        case "echo-client-id": config.echoClientID = try bool(member.value)
        case "decline-probation-period": config.declineProbationPeriodSeconds = try uint32(member)
        case "statistic-default-sample-count": config.statisticDefaultSampleCount = try integer(member.value)
        case "statistic-default-sample-age": config.statisticDefaultSampleAge = try integer(member.value)
        case "early-global-reservations-lookup": config.earlyGlobalReservationsLookup = try bool(member.value)
        default:
            if try decodeReservationMode(member, into: &config.reservationModes) { return true }
            return try decodeBootField(member, into: &config.bootFields)
        }
        return true
    }

    /// Maps and lists directly inside `Dhcp4` (except `subnet4`, decoded last).
    private mutating func decodeGlobalSection(_ member: JSONNode.Member, into config: inout Dhcp4Config) throws(ConfigError) -> Bool {
        switch member.key {
        case "interfaces-config": config.interfaces = try decodeInterfaces(member.value)
        case "lease-database":
            config.leaseDatabase = try decodeLeaseDatabase(member.value, path: "Dhcp4/lease-database")
            noteUnservedBackend(config.leaseDatabase, in: member.value)
        case "expired-leases-processing": config.expiredLeasesProcessing = try decodeExpiredLeases(member.value, root: "Dhcp4", notActedOn: Dhcp4KeaKeys.notActedOn)
        case "option-data": config.optionData = try decodeOptionData(member.value, path: "Dhcp4/option-data")
        case "option-def": break  // Decoded before the other keys, into the option table.
        case "client-classes": config.clientClasses = try decodeClientClasses(member.value, path: "Dhcp4/client-classes")
        case "control-socket": config.controlSocket = try decodeControlSocket(member.value, path: "Dhcp4/control-socket")
        case "loggers": config.loggers = try decodeLoggers(member.value, path: "Dhcp4/loggers")
        case "dhcp-ddns": try decodeDhcpDdns(member.value, into: &config.ddns)
        case "hooks-libraries":
            config.hooksLibraries = try decodeHooks(member.value)
            config.builtInHooks = try decodeBuiltInHooks(config.hooksLibraries, member.value)
        case "compatibility": config.compatibility = try decodeCompatibility(member.value)
        case "reservations":
            config.reservations = try decodeReservations(member.value, path: "Dhcp4/reservations")
            try checkGlobalReservations(config.reservations, at: member.value.position)
        case "host-reservation-identifiers":
            config.hostReservationIdentifiers = try decodeHostReservationIdentifiers(member.value)
        // Decoded and checked as Kea does, then set aside: Kakapo serves packets on one
        // thread whatever the map says, and reads reservations from the config file only.
        case "multi-threading":
            setAside("Dhcp4/multi-threading", at: member.keySpan.start)
            config.multiThreading = try decodeMultiThreading(member.value, path: "Dhcp4/multi-threading")
        case "hosts-database":
            setAside("Dhcp4/hosts-database", at: member.keySpan.start)
            config.hostsDatabases = [try decodeHostsDatabase(member.value, path: "Dhcp4/hosts-database")]
        case "hosts-databases":
            setAside("Dhcp4/hosts-databases", at: member.keySpan.start)
            config.hostsDatabases = try decodeHostsDatabases(member.value, path: "Dhcp4/hosts-databases")
        default: return false
        }
        return true
    }

    /// `next-server`, `server-hostname`, `boot-file-name`: global, subnet (and, in Kea, more).
    func decodeBootField(_ member: JSONNode.Member, into fields: inout BootFields) throws(ConfigError) -> Bool {
        switch member.key {
        case "next-server":
            // Kea's default is "0.0.0.0"; an empty string means the same: no siaddr.
            let text = try string(member.value)
            fields.nextServer = text.isEmpty ? nil : try ipv4(member)
        case "server-hostname":
            fields.serverHostname = try boundedString(member, maxBytes: 63)
        case "boot-file-name":
            fields.bootFileName = try boundedString(member, maxBytes: 127)
        default:
            return false
        }
        return true
    }

    /// sname and file are fixed-size header fields (64 and 128 bytes, NUL-terminated).
    private func boundedString(_ member: JSONNode.Member, maxBytes: Int) throws(ConfigError) -> String {
        let text = try string(member.value)
        guard text.utf8.count <= maxBytes else {
            throw ConfigError.semantic(
                .outOfRange, "\(member.key) must be at most \(maxBytes) bytes long, it is \(text.utf8.count) long",
                at: member.value.position)
        }
        return text
    }

    /// `hooks-libraries`: the built-ins, with a warning for each one kakapo-dhcp4 does not
    /// implement yet.
    private mutating func decodeHooks(_ node: JSONNode) throws(ConfigError) -> [HookLibrary] {
        let libraries = try decodeHooksLibraries(
            node, path: "Dhcp4/hooks-libraries", available: Dhcp4KeaKeys.builtInHooks, daemon: "kakapo-dhcp4")
        for (index, (library, entry)) in zip(libraries, try array(node)).enumerated()
        where !Dhcp4KeaKeys.implementedHooks.contains(library.hook) {
            notActedOn("Dhcp4/hooks-libraries[\(index)]", at: entry.position,
                       detail: "the built-in \(library.library) is not implemented yet; its parameters are not used")
        }
        return libraries
    }

    /// kakapo-dhcp4 serves leases from memfile and PostgreSQL; a configuration check accepts
    /// MySQL as Kea does, and the shell refuses to serve it.
    private mutating func noteUnservedBackend(_ database: LeaseDatabaseConfig, in node: JSONNode) {
        guard case .mysql = database.backend, let type = node.member("type") else { return }
        notActedOn("Dhcp4/lease-database/type", at: type.keySpan.start,
                   detail: "kakapo-dhcp4 serves leases from memfile and postgresql only and will not start with '\(database.type)'")
    }
}
