/// Every key of Kea 2.4's database map (`database_map_param` in its grammars), read before
/// the `type` says which of them apply.
struct DatabaseMapDraft {
    var type: String?
    var memfile = MemfileSettings()
    var connection = DatabaseConnectionSettings()
    var readOnly = false
    /// The keys written, in file order, with their positions, to set aside those that do
    /// not apply to the type.
    var written: [(key: String, position: SourcePosition)] = []

    /// Keys only a memfile uses (`name` is shared).
    static let memfileKeys: Set<String> = ["persist", "lfc-interval", "max-row-errors", "kakapo-fsync"]
    /// Keys only an SQL connection uses.
    static let connectionKeys: Set<String> = [
        "user", "password", "host", "port", "connect-timeout", "read-timeout", "write-timeout",
        "tcp-user-timeout", "max-reconnect-tries", "reconnect-wait-time", "on-fail",
        "trust-anchor", "cert-file", "key-file", "cipher-list",
    ]
    /// Keys only a host database uses.
    static let hostsKeys: Set<String> = ["readonly"]
    /// Kea 2.5.5 added `retry-on-startup`; Kea 2.4's grammar does not have it. Kakapo has
    /// always accepted it (set aside) so that configurations written for later Kea load.
    static let laterKeaKeys: Set<String> = ["retry-on-startup"]
}

/// `lease-database`, `hosts-database` and `hosts-databases`.
extension KeaConfigDecoding {
    /// `lease-database`. Keys Kea accepts but that do not apply to the chosen backend (SQL
    /// connection keys on a memfile, memfile keys on SQL) are set aside with a warning.
    mutating func decodeLeaseDatabase(_ node: JSONNode, path: String) throws(ConfigError) -> LeaseDatabaseConfig {
        let draft = try decodeDatabaseMap(node, context: "lease-database")
        let backend: LeaseDatabaseConfig.Backend
        var applies = DatabaseMapDraft.connectionKeys
        switch draft.type {
        case "mysql": backend = .mysql(draft.connection)
        case "postgresql": backend = .postgresql(draft.connection)
        default:
            backend = .memfile(draft.memfile)
            applies = DatabaseMapDraft.memfileKeys
        }
        setAsideInapplicable(draft, applying: applies, path: path)
        return LeaseDatabaseConfig(backend: backend)
    }

    /// `hosts-database`: one SQL database of host reservations.
    mutating func decodeHostsDatabase(_ node: JSONNode, path: String) throws(ConfigError) -> HostsDatabaseConfig {
        let draft = try decodeDatabaseMap(node, context: "hosts-database")
        let typeValue = try require("type", in: node, context: "hosts-database").value
        guard let engine = draft.type.flatMap(HostsDatabaseConfig.Engine.init(rawValue:)) else {
            throw ConfigError.semantic(
                .invalidValue, "hosts-database type '\(draft.type ?? "")' cannot hold host reservations: "
                    + "use mysql or postgresql", at: typeValue.position)
        }
        let applies = DatabaseMapDraft.connectionKeys.union(DatabaseMapDraft.hostsKeys)
        setAsideInapplicable(draft, applying: applies, path: path)
        return HostsDatabaseConfig(engine: engine, connection: draft.connection, readOnly: draft.readOnly)
    }

    /// `hosts-databases`: a list of `hosts-database` maps, tried in order.
    mutating func decodeHostsDatabases(_ node: JSONNode, path: String) throws(ConfigError) -> [HostsDatabaseConfig] {
        var result: [HostsDatabaseConfig] = []
        for (index, entry) in try array(node).enumerated() {
            result.append(try decodeHostsDatabase(entry, path: "\(path)[\(index)]"))
        }
        return result
    }

    /// Reads every key with Kea's types and ranges; `type` is mandatory (checked after the
    /// other keys, as Kea's grammar does at the closing brace).
    private func decodeDatabaseMap(_ node: JSONNode, context: String) throws(ConfigError) -> DatabaseMapDraft {
        var draft = DatabaseMapDraft()
        for member in try object(node) {
            if try !decodeConnectionKey(member, into: &draft.connection) {
                switch member.key {
                case "type": draft.type = try keyword(member.value, among: ["memfile", "mysql", "postgresql"])
                case "name":
                    let name = try string(member.value)
                    draft.memfile.name = name
                    draft.connection.name = name
                case "persist": draft.memfile.persist = try bool(member.value)
                case "lfc-interval": draft.memfile.lfcIntervalSeconds = try positiveUInt32(member)
                case "max-row-errors": draft.memfile.rowErrorsMax = try positiveUInt32(member)
                // Kakapo's own key (Kea has none like it): MemfileSettings.fsync.
                case "kakapo-fsync": draft.memfile.fsync = try bool(member.value)
                case "readonly": draft.readOnly = try bool(member.value)
                case "retry-on-startup": _ = try bool(member.value)
                default: throw unknownKey(member, context: context)
                }
            }
            draft.written.append((key: member.key, position: member.keySpan.start))
        }
        _ = try require("type", in: node, context: context)
        return draft
    }

    /// The SQL connection keys; false for any other key.
    private func decodeConnectionKey(
        _ member: JSONNode.Member, into settings: inout DatabaseConnectionSettings
    ) throws(ConfigError) -> Bool {
        switch member.key {
        case "user": settings.user = try string(member.value)
        case "password": settings.password = try string(member.value)
        case "host": settings.host = try string(member.value)
        case "port": settings.port = try uint16(member)
        case "connect-timeout": settings.connectTimeoutSeconds = try uint32(member)
        case "read-timeout": settings.readTimeoutSeconds = try positiveUInt32(member)
        case "write-timeout": settings.writeTimeoutSeconds = try positiveUInt32(member)
        case "tcp-user-timeout": settings.tcpUserTimeoutSeconds = try positiveUInt32(member)
        case "max-reconnect-tries": settings.reconnectTriesMax = try uint32(member)
        case "reconnect-wait-time": settings.reconnectWaitTimeMilliseconds = try uint32(member)
        case "on-fail": settings.onFail = try choice(member.value)
        case "trust-anchor": settings.trustAnchor = try string(member.value)
        case "cert-file": settings.certFile = try string(member.value)
        case "key-file": settings.keyFile = try string(member.value)
        case "cipher-list": settings.cipherList = try string(member.value)
        default: return false
        }
        return true
    }

    /// Warns, in file order, about the keys written that the chosen type does not use.
    private mutating func setAsideInapplicable(_ draft: DatabaseMapDraft, applying used: Set<String>, path: String) {
        let optional = DatabaseMapDraft.memfileKeys
            .union(DatabaseMapDraft.connectionKeys)
            .union(DatabaseMapDraft.hostsKeys)
            .union(DatabaseMapDraft.laterKeaKeys)
        for (key, position) in draft.written where optional.contains(key) && !used.contains(key) {
            setAside("\(path)/\(key)", at: position)
        }
    }
}
