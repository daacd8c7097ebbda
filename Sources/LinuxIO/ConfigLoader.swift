import CShim
import Glibc
import KakapoCore

/// Reads a Kea-format config file (with includes relative to its folder) and decodes Dhcp4.
public enum ConfigLoader {
    public struct Loaded {
        public var config: Dhcp4Config
        /// The file as parsed (comments removed), for config-get and config-write.
        public var json: JSON
        public var warnings: [String]
    }

    public static func load(path: String) throws(ConfigError) -> Loaded {
        let text: String
        do { text = try readFile(path) } catch {
            throw ConfigError(message: "Unable to open file \(path)")
        }
        return try load(text: text, file: path)
    }

    public static func load(text: String, file: String) throws(ConfigError) -> Loaded {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let root = try KeaJSON.parse(text, file: file, include: { name throws -> String in
            try readFile(name.hasPrefix("/") ? name : dir + "/" + name)
        })
        return try decode(root)
    }

    public static func decode(_ root: JSONNode) throws(ConfigError) -> Loaded {
        let config = try Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in
            try OptionDataEncoder.encode(spec)
        })
        let warnings = config.ignoredKeys.map {
            "\($0.position): parameter '\($0.path)' is accepted but not supported by Kakapo yet; ignored"
        }
        return Loaded(config: config, json: Dhcp4ConfigDecoder.withSubnetIDs(root.plain, config), warnings: warnings)
    }

    /// Interfaces named in the config that the system does not have (Kea rejects them).
    public static func missingInterfaces(_ c: Dhcp4Config) -> [String] {
        let names = Set(Interfaces.discover().map(\.name))
        return c.interfaces.entries.filter { !$0.isWildcard && !names.contains($0.name) }.map(\.name)
    }

    /// config-set / config-test: the arguments are the config object itself.
    public static func load(json: JSON) throws(ConfigError) -> Loaded {
        try load(text: json.serialized(pretty: false), file: "<config-set>")
    }
}
