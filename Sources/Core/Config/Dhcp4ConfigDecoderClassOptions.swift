/// A client class's `option-def` and `option-data`, as Kea 2.4's `ClientClassDefParser` reads
/// them, for the `client-classes` decoder to call with a class's two members.
///
/// A class may define only the options Kea unpacks late (`LibDHCP::shouldDeferOptionUnpack`):
/// `vendor-encapsulated-options` (43) and the private codes 224-254, in `dhcp4`. Its definitions
/// serve its own `option-data` only, ahead of the global table: this is how a class gives option
/// 43 the layout one vendor expects (a string, an address, or sub-options of its own space),
/// selected by the client's option 60 through the class test. The global table is unchanged
/// afterwards.
extension Dhcp4Decoding {
    mutating func decodeClassOptions(definitions: JSONNode?, data: JSONNode?,
                                     path: String) throws(ConfigError) -> [ConfiguredOption] {
        let global = optionTable
        defer { optionTable = global }
        if let definitions {
            var own: Set<OptionKey> = []
            var names: Set<String> = []
            for entry in try array(definitions) {
                let definition = try optionDefinition(entry)
                guard Self.classMayDefine(definition.key) else {
                    throw ConfigError.semantic(
                        .invalidValue, "Not allowed option definition for code '\(definition.code)' in space "
                            + "'\(definition.space)'", at: entry.position)
                }
                // Two definitions of one code or name in the class are duplicates, as in Kea.
                guard own.insert(definition.key).inserted else {
                    throw ConfigError.semantic(
                        .duplicate, "option definition with code '\(definition.code)' already exists in option "
                            + "space '\(definition.space)'", at: entry.position)
                }
                guard names.insert("\(definition.space).\(definition.name)").inserted else {
                    throw ConfigError.semantic(
                        .duplicate, "option definition with name '\(definition.name)' already exists in option "
                            + "space '\(definition.space)'", at: entry.position)
                }
                optionTable.addShadowing(definition)
            }
        }
        guard let data else { return [] }
        return try decodeOptionData(data, path: "\(path)/option-data")
    }

    /// Kea's `shouldDeferOptionUnpack` for DHCPv4: option 43 and the private codes.
    static func classMayDefine(_ key: OptionKey) -> Bool {
        key.space == .dhcp4 && (key.code == 43 || (224...254).contains(key.code))
    }
}
