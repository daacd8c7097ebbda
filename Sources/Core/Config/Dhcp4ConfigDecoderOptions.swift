/// `option-data` lists, at global, subnet, pool and reservation level.
extension Dhcp4Decoding {
    /// The `dhcp4` options of one level, in file order. Options of other spaces in the same list
    /// are packed into the options that encapsulate their space, as Kea's
    /// `CfgOption::encapsulate` does for each level: each carrying option's payload is followed by
    /// its sub-options (code, length, data) in code order. An option of a space that no option of
    /// the level encapsulates is not sent, with a warning.
    mutating func decodeOptionData(_ node: JSONNode, path: String) throws(ConfigError) -> [ConfiguredOption] {
        var entries: [ScopedOption] = []
        for (index, entry) in try array(node).enumerated() {
            let spec = try optionSpec(entry, path: "\(path)[\(index)]")
            var option = try encode(spec)
            option.alwaysSend = spec.alwaysSend
            option.neverSend = spec.neverSend
            entries.append(ScopedOption(space: OptionSpaceName(spec.space), option: option,
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
        for (index, entry) in entries.enumerated() where entry.space != topLevel && !packer.packed.contains(index) {
            notActedOn(entry.path, at: entry.position,
                       detail: "no option at this level encapsulates option space '\(entry.space)', "
                           + "so this option is not sent")
        }
        return options
    }

    /// Reads one entry. Its position is that of `data` when present (where Kea points its
    /// option errors), else the entry's.
    private mutating func optionSpec(_ entry: JSONNode, path: String) throws(ConfigError) -> OptionDataSpec {
        var spec = OptionDataSpec(position: entry.position)
        for member in try object(entry) {
            switch member.key {
            case "name": spec.name = try string(member.value)
            case "code": spec.code = Int(try integer(member, in: 0...255))
            case "space": spec.space = try string(member.value)
            case "data":
                spec.data = try string(member.value)
                spec.position = member.value.position
            case "csv-format": spec.csvFormat = try bool(member.value)
            case "always-send": spec.alwaysSend = try bool(member.value)
            case "never-send": spec.neverSend = try bool(member.value)
            default:
                if try annotation(member) { continue }
                try other(member, context: "option-data", path: path)
            }
        }
        guard spec.name != nil || spec.code != nil else {
            throw ConfigError.semantic(.missingKey, "option data configuration must include either option name or option code",
                                       at: entry.position)
        }
        return spec
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
            if reason.hasSuffix("(\(spec.position))") {
                throw ConfigError(code: .invalidValue, message: reason, position: spec.position)
            }
            let option = spec.code.map { "code: \($0)" } ?? "name: \(spec.name ?? "")"
            throw ConfigError.semantic(
                .invalidValue, "option data does not match option definition (space: \(spec.space), \(option)): \(reason)",
                at: spec.position)
        }
    }
}

/// One encoded `option-data` entry of a level, with its space and where it was written.
struct ScopedOption {
    var space: OptionSpaceName
    var option: ConfiguredOption
    var path: String
    var position: SourcePosition
}

/// Packs the options of one level into the options that encapsulate their spaces.
struct SubOptionPacker {
    let entries: [ScopedOption]
    let table: OptionTable
    /// The positions of entries, by space, in file order.
    private let positionsBySpace: [OptionSpaceName: [Int]]
    /// The entries packed into some option so far.
    private(set) var packed: Set<Int> = []

    init(entries: [ScopedOption], table: OptionTable) {
        self.entries = entries
        self.table = table
        var positions: [OptionSpaceName: [Int]] = [:]
        for (index, entry) in entries.enumerated() { positions[entry.space, default: []].append(index) }
        positionsBySpace = positions
    }

    /// The sub-options `carrier` carries: the level's options in the space its definition
    /// encapsulates, each with its own sub-options, ordered by code (Kea keeps the first of a
    /// code). Bounded: a space already being packed on the way down is not entered again, so
    /// the depth is at most the number of spaces.
    mutating func subOptions(of carrier: ScopedOption,
                             enclosing: Set<OptionSpaceName>) throws(ConfigError) -> [UInt8] {
        let key = OptionKey(space: carrier.space, code: UInt16(carrier.option.code))
        guard let space = table.definition(key)?.encapsulatedSpace,
              !enclosing.contains(space), space != .dhcp4, space != .dhcp6,
              let members = positionsBySpace[space] else { return [] }
        let ordered = members.sorted { (entries[$0].option.code, $0) < (entries[$1].option.code, $1) }
        var codes: Set<UInt8> = []
        var bytes: [UInt8] = []
        for index in ordered {
            let member = entries[index]
            packed.insert(index)
            guard codes.insert(member.option.code).inserted else { continue }
            let payload = member.option.payload + (try subOptions(of: member, enclosing: enclosing.union([space])))
            guard payload.count <= 255 else {
                throw ConfigError.semantic(
                    .invalidValue, "option '\(space).\(member.option.code)' is \(payload.count) octets long, more "
                        + "than the 255 a sub-option can carry", at: member.position)
            }
            bytes += [member.option.code, UInt8(payload.count)] + payload
        }
        return bytes
    }
}
