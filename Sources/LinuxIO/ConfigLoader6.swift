import KakapoCore

/// Reads a Kea-format config file and decodes Dhcp6: kakapo-dhcp6's twin of `ConfigLoader`,
/// sharing its file reading, includes and syntax warnings.
public enum ConfigLoader6 {
    public typealias Purpose = ConfigLoader.Purpose

    public struct Loaded {
        public var config: Dhcp6Config
        /// The file as parsed (comments removed), for config-get and config-write.
        public var json: JSON
        /// The parser's warnings, then the decoder's, each in file order.
        public var configWarnings: [ConfigWarning]
        public var warnings: [String] { configWarnings.map(\.message) }
    }

    public static func load(path: String, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let (text, file) = try ConfigLoader.parse(path: path)
        return try load(text: text, file: file, for: purpose)
    }

    public static func load(text: String, file: String, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        let parsed = try ConfigLoader.parse(text: text, file: file)
        let config = try Dhcp6ConfigDecoder.decode(parsed.root)
        if purpose == .serve, config.leaseDatabase.memfile == nil {
            let type = parsed.root["Dhcp6"]?["lease-database"]?["type"]
            let text = "lease-database type '\(config.leaseDatabase.type)' is not supported by kakapo-dhcp6 yet, only 'memfile'"
            throw ConfigError(
                code: .unsupported, message: type.map { "\(text) (\($0.position))" } ?? text, position: type?.position)
        }
        return Loaded(config: config, json: parsed.root.plain, configWarnings: parsed.warnings + config.warnings)
    }

    /// config-set / config-test: the arguments are the config object itself.
    public static func load(json: JSON, for purpose: Purpose = .serve) throws(ConfigError) -> Loaded {
        try load(text: json.serialized(pretty: false), file: "<config-set>", for: purpose)
    }

    /// Interfaces named in the config that the system does not have (Kea rejects them).
    public static func missingInterfaces(_ c: Dhcp6Config) -> [String] {
        let names = Set(Interfaces.discover().map(\.name))
        return c.interfaces.entries.filter { !$0.isWildcard && !names.contains($0.name) }.map(\.name)
    }
}
