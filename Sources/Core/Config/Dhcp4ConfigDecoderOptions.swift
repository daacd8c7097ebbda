/// `option-data` lists, at global, subnet, pool and reservation level.
extension Dhcp4Decoding {
    /// The `dhcp4` options of one level, in file order. Options of other spaces in the same list
    /// are packed into the options that encapsulate their space, as Kea's
    /// `CfgOption::encapsulate` does for each level: each carrying option's payload is followed by
    /// its sub-options (code, length, data) in code order. An option of a space that no option of
    /// the level encapsulates is not sent, with a warning.
    mutating func decodeOptionData(_ node: JSONNode, path: String) throws(ConfigError) -> [ConfiguredOption] {
        var entries: [SubOptionPacker.Entry] = []
        for (index, entry) in try array(node).enumerated() {
            let spec = try optionSpec(entry, path: "\(path)[\(index)]")
            var option = try encode(spec)
            option.alwaysSend = spec.alwaysSend
            option.neverSend = spec.neverSend
            entries.append(SubOptionPacker.Entry(space: OptionSpaceName(spec.space), option: option,
                                                 path: "\(path)[\(index)]", position: entry.position))
        }
        let topLevel = optionTable.family.topLevelSpace
        guard entries.contains(where: { $0.space != topLevel }) else { return entries.map(\.option) }
        var packer = SubOptionPacker(entries: entries, table: optionTable)
        var options: [ConfiguredOption] = []
        for entry in entries where entry.space == topLevel {
            var option = entry.option
            option.payload += try packer.subOptions(of: entry, enclosing: [topLevel])
            options.append(option)
        }
        let vendor = try vendorOptions(entries, packer: &packer)
        options += vendor.options
        for (index, entry) in entries.enumerated() where entry.space != topLevel && !packer.packed.contains(index)
            && !vendor.kept.contains(index) {
            let reason = packer.shadowed.contains(index) || vendor.shadowed.contains(index)
                ? "an earlier entry of this level has the same code in option space '\(entry.space)' and is sent instead"
                : "no option at this level encapsulates option space '\(entry.space)', so this option is not sent"
            notActedOn(entry.path, at: entry.position, detail: reason)
        }
        return options
    }

    /// The entries of `vendor-<enterprise>` spaces, kept apart (with their enterprise number) for
    /// the reply to put into option 125 per vendor, as Kea's `CfgOption` keeps vendor options by
    /// enterprise. Each carries its own encapsulated sub-options, if its definition has any. The
    /// first entry of a vendor and code at this level is the one sent.
    private func vendorOptions(_ entries: [SubOptionPacker.Entry], packer: inout SubOptionPacker)
        throws(ConfigError) -> (options: [ConfiguredOption], kept: Set<Int>, shadowed: Set<Int>) {
        var options: [ConfiguredOption] = []
        var kept: Set<Int> = []
        var shadowed: Set<Int> = []
        var seen: Set<OptionKey> = []
        for (index, entry) in entries.enumerated() {
            guard let enterprise = entry.space.vendorEnterpriseNumber else { continue }
            guard seen.insert(OptionKey(space: entry.space, code: UInt16(entry.option.code))).inserted else {
                shadowed.insert(index)
                continue
            }
            var option = entry.option
            option.payload += try packer.subOptions(of: entry, enclosing: [optionTable.family.topLevelSpace, entry.space])
            guard option.payload.count <= 255 else {
                throw ConfigError.semantic(
                    .invalidValue, "option '\(entry.space).\(option.code)' is \(option.payload.count) octets long, more "
                        + "than the 255 a sub-option can carry", at: entry.position)
            }
            option.enterprise = enterprise
            options.append(option)
            kept.insert(index)
        }
        return (options, kept, shadowed)
    }

    /// Calls the options module with the table as defined so far. Its errors normally carry
    /// Kea's full text and the position already; anything else gets Kea's frame here.
    private func encode(_ spec: OptionDataSpec) throws(ConfigError) -> ConfiguredOption {
        do {
            return try optionEncoder(spec, optionTable)
        } catch let error as ConfigError where error.position != nil {
            throw error
        } catch {
            let reason = (error as? ConfigError)?.message ?? String(describing: error)
            for position in [spec.position, spec.namePosition].compactMap({ $0 }) where reason.hasSuffix("(\(position))") {
                throw ConfigError(code: .invalidValue, message: reason, position: position)
            }
            let option = spec.code.map { "code: \($0)" } ?? "name: \(spec.name ?? "")"
            throw ConfigError.semantic(
                .invalidValue, "option data does not match option definition (space: \(spec.space), \(option)): \(reason)",
                at: spec.position)
        }
    }
}
