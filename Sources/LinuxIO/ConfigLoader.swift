import CShim
import Glibc
import KakapoCore

/// Reads a Kea-format config file (with includes relative to its folder) and decodes Dhcp4.
public enum ConfigLoader {
    /// What a configuration is loaded for.
    public enum Purpose: Sendable {
        /// To run it: a lease backend kakapo-dhcp4 cannot serve yet is an error.
        case serve
        /// To check it (`-t`): what Kea 2.4 accepts passes, with warnings for what
        /// kakapo-dhcp4 would not act on.
        case check
    }

    public struct Loaded {
        public var config: Dhcp4Config
        /// The file as parsed (comments removed), for config-get and config-write.
        public var json: JSON
        /// Everything accepted with a warning, the parser's first (such as a trailing comma),
        /// then the decoder's (keys set aside or not acted on yet), each in file order.
        public var configWarnings: [ConfigWarning]
        /// The warnings as log lines, position first.
        public var warnings: [String] { configWarnings.map(\.message) }
    }

    public static func load(path: String, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let (text, file) = try parse(path: path)
        return try load(text: text, file: file, for: purpose)
    }

    public static func load(text: String, file: String, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let parsed = try parse(text: text, file: file)
        var loaded = try decode(parsed.root, for: purpose)
        loaded.configWarnings = parsed.warnings + loaded.configWarnings
        return loaded
    }

    /// Reads a config file's text (either family): Kea's JSON with comments, `<?include?>`
    /// relative to the file's folder, and the parser's warnings.
    static func parse(path: String) throws(ConfigError) -> (text: String, file: String) {
        do { return (try readFile(path), path) } catch {
            throw ConfigError(code: .unreadableFile, message: "Unable to open file \(path)")
        }
    }

    static func parse(text: String, file: String) throws(ConfigError) -> (root: JSONNode, warnings: [ConfigWarning]) {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let parsed = try KeaJSON.parseWithWarnings(text, file: file, include: { name throws -> String in
            try readFile(name.hasPrefix("/") ? name : dir + "/" + name)
        })
        return (parsed.root, parsed.warnings)
    }

    public static func decode(_ root: JSONNode, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let config = try Dhcp4ConfigDecoder.decode(root)
        if purpose == .serve { try refuseUnservedBackend(config, root: root) }
        return Loaded(
            config: config, json: Dhcp4ConfigDecoder.withSubnetIDs(root.plain, config), configWarnings: config.warnings)
    }

    /// The daemon keeps leases in memfile only for now; a configuration naming an SQL lease
    /// database passes a check but cannot be served.
    static func refuseUnservedBackend(_ config: Dhcp4Config, root: JSONNode) throws(ConfigError) {
        guard config.leaseDatabase.memfile == nil else { return }
        let type = root["Dhcp4"]?["lease-database"]?["type"]
        let text = "lease-database type '\(config.leaseDatabase.type)' is not supported by kakapo-dhcp4 yet, only 'memfile'"
        throw ConfigError(
            code: .unsupported, message: type.map { "\(text) (\($0.position))" } ?? text, position: type?.position)
    }

    /// Interfaces named in the config that the system does not have (Kea rejects them).
    public static func missingInterfaces(_ c: Dhcp4Config) -> [String] {
        let names = Set(Interfaces.discover().map(\.name))
        return c.interfaces.entries.filter { !$0.isWildcard && !names.contains($0.name) }.map(\.name)
    }

    /// config-set / config-test: the arguments are the config object itself.
    public static func load(json: JSON, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        try load(text: json.serialized(pretty: false), file: "<config-set>", for: purpose)
    }
}
