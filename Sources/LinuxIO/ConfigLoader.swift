import CShim
import Glibc
import KakapoCore

/// What a configuration is loaded for.
public enum ConfigPurpose: Sendable {
    /// To run it: a lease backend the daemon cannot serve yet is an error.
    case serve
    /// To check it (`-t`, config-test): what Kea 2.4 accepts passes, with warnings for what
    /// the daemon would not act on.
    case check
}

/// A server configuration as `KeaConfigFile` loads it: kakapo-dhcp4's `Dhcp4Config` and
/// kakapo-dhcp6's `Dhcp6Config`.
public protocol ServedConfig {
    /// The top-level object that holds it ("Dhcp4").
    static var rootKey: String { get }
    /// The daemon that serves it, for messages ("kakapo-dhcp4").
    static var daemonName: String { get }
    static func decode(_ root: JSONNode) throws(ConfigError) -> Self
    /// The configuration as config-get and config-write show it.
    static func running(_ root: JSONNode, _ config: Self) -> JSON
    var warnings: [ConfigWarning] { get }
    var leaseDatabase: LeaseDatabaseConfig { get }
    var controlSocket: ControlSocketConfig? { get }
    /// `multi-threading` (packet workers; see PacketWorkers.swift).
    var multiThreading: MultiThreadingConfig { get }
    /// The interfaces named in `interfaces-config` (not the "*" wildcard).
    var namedInterfaces: [String] { get }
    /// The SQL lease backends the daemon serves besides memfile (Kea's `type` names).
    static var servedSQLBackends: [String] { get }
}

extension Dhcp4Config: ServedConfig {
    public static var rootKey: String { "Dhcp4" }
    public static var daemonName: String { "kakapo-dhcp4" }
    public static var servedSQLBackends: [String] { ["postgresql"] }
    public static func decode(_ root: JSONNode) throws(ConfigError) -> Dhcp4Config { try Dhcp4ConfigDecoder.decode(root) }
    public static func running(_ root: JSONNode, _ config: Dhcp4Config) -> JSON { Dhcp4ConfigDecoder.withSubnetIDs(root.plain, config) }
    public var namedInterfaces: [String] { interfaces.entries.filter { !$0.isWildcard }.map(\.name) }
}

extension Dhcp6Config: ServedConfig {
    public static var rootKey: String { "Dhcp6" }
    public static var daemonName: String { "kakapo-dhcp6" }
    public static var servedSQLBackends: [String] { ["postgresql"] }
    public static func decode(_ root: JSONNode) throws(ConfigError) -> Dhcp6Config { try Dhcp6ConfigDecoder.decode(root) }
    public static func running(_ root: JSONNode, _ config: Dhcp6Config) -> JSON { root.plain }
    public var namedInterfaces: [String] { interfaces.entries.filter { !$0.isWildcard }.map(\.name) }
}

/// kakapo-dhcp4's loader.
public typealias ConfigLoader = KeaConfigFile<Dhcp4Config>
/// kakapo-dhcp6's loader.
public typealias ConfigLoader6 = KeaConfigFile<Dhcp6Config>

/// Reads a Kea-format config file (comments, `<?include?>` relative to its folder, the
/// parser's warnings) and decodes one family's section.
public enum KeaConfigFile<Config: ServedConfig> {
    public typealias Purpose = ConfigPurpose

    public struct Loaded {
        public var config: Config
        /// The file as parsed (comments removed), for config-get and config-write.
        public var json: JSON
        /// Everything accepted with a warning, the parser's first (such as a trailing comma),
        /// then the decoder's (keys set aside or not acted on yet), each in file order.
        public var configWarnings: [ConfigWarning]
        /// The warnings as log lines, position first.
        public var warnings: [String] { configWarnings.map(\.message) }
    }

    public static func load(path: String, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let text: String
        do { text = try readFile(path) } catch {
            throw ConfigError(code: .unreadableFile, message: "Unable to open file \(path)")
        }
        return try load(text: text, file: path, for: purpose)
    }

    public static func load(text: String, file: String, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let parsed = try KeaJSON.parseWithWarnings(text, file: file, include: { name throws -> String in
            try readFile(name.hasPrefix("/") ? name : dir + "/" + name)
        })
        let config = try Config.decode(parsed.root)
        if purpose == .serve { try refuseUnservedBackend(config, root: parsed.root) }
        return Loaded(config: config, json: Config.running(parsed.root, config), configWarnings: parsed.warnings + config.warnings)
    }

    /// config-set / config-test: the arguments are the config object itself.
    public static func load(json: JSON, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        try load(text: json.serialized(pretty: false), file: "<config-set>", for: purpose)
    }

    /// The daemons keep leases in memfile, and kakapo-dhcp4 also in PostgreSQL; a
    /// configuration naming another SQL lease database passes a check but cannot be served.
    static func refuseUnservedBackend(_ config: Config, root: JSONNode) throws(ConfigError) {
        guard config.leaseDatabase.memfile == nil, !Config.servedSQLBackends.contains(config.leaseDatabase.type) else { return }
        let type = root[Config.rootKey]?["lease-database"]?["type"]
        let served = (["memfile"] + Config.servedSQLBackends).map { "'\($0)'" }.joined(separator: " and ")
        let text = "lease-database type '\(config.leaseDatabase.type)' is not supported by \(Config.daemonName) yet, only \(served)"
        throw ConfigError(
            code: .unsupported, message: type.map { "\(text) (\($0.position))" } ?? text, position: type?.position)
    }

    /// Interfaces named in the config that the system does not have (Kea rejects them).
    public static func missingInterfaces(_ c: Config) -> [String] {
        let names = Set(Interfaces.discover().map(\.name))
        return c.namedInterfaces.filter { !names.contains($0) }
    }
}
