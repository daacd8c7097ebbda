/// A daemon decoder that keeps an option table (the family's standard table plus the
/// configuration's `option-def`s): Dhcp4 and Dhcp6.
protocol KeaOptionDecoding: KeaConfigDecoding {
    var optionTable: OptionTable { get set }
}

/// `option-def`: the configuration's own option definitions, added to the decode's option table
/// before any `option-data` is read (Kea parses them first too, wherever they sit in the map),
/// and the reading of one `option-data` entry, for either family.
extension KeaOptionDecoding {
    mutating func decodeOptionDefinitions(_ node: JSONNode) throws(ConfigError) {
        for entry in try array(node) {
            let definition = try optionDefinition(entry)
            do {
                try optionTable.addConfigured(definition)
            } catch {
                // As Kea's OptionDefListParser: the storage's reason, then the entry's position.
                throw ConfigError.semantic(Self.configErrorCode(error.code), error.message, at: entry.position)
            }
        }
    }

    /// One entry, with Kea 2.4's keys (`name`, `code`, `type` required; `record-types`,
    /// `space`, `encapsulate`, `array` with Kea's defaults) and checks, each error at the
    /// position Kea names.
    func optionDefinition(_ entry: JSONNode) throws(ConfigError) -> OptionDefinition {
        var name = "", code: Int64 = 0, type = "", recordTypes = "", space = optionTable.family.topLevelSpace.description, encapsulate = ""
        var isArray = false
        var positions: [OptionDefinitionError.Field: SourcePosition] = [:]
        for member in try object(entry) {
            switch member.key {
            case "name": name = try string(member.value)
            case "code":
                code = try integer(member.value)
                positions[.code] = member.value.position
            case "type": type = try string(member.value)
            case "record-types":
                recordTypes = try string(member.value)
                positions[.recordTypes] = member.value.position
            case "space":
                space = try string(member.value)
                positions[.space] = member.value.position
            case "encapsulate": encapsulate = try string(member.value)
            case "array": isArray = try bool(member.value)
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "option-def")
            }
        }
        for key in ["name", "code", "type"] { _ = try require(key, in: entry, context: "option-def") }
        do {
            return try OptionDefinition.configured(
                name: name, code: code, type: type, array: isArray, recordTypes: recordTypes,
                space: OptionSpaceName(space), encapsulate: encapsulate, family: optionTable.family)
        } catch {
            let position = positions[error.field] ?? entry.position
            throw ConfigError.semantic(Self.configErrorCode(error.code), error.message, at: position)
        }
    }

    static func configErrorCode(_ code: OptionDefinitionError.Code) -> ConfigError.Code {
        switch code {
        case .invalidCode: .outOfRange
        case .invalidSpace, .invalidName, .invalidType, .invalidEncapsulation: .invalidValue
        case .duplicate: .duplicate
        case .standardOverride: .conflict
        }
    }

    /// Reads one `option-data` entry (not yet encoded). Its position is that of `data` when
    /// present (where Kea points its option errors), else the entry's. Codes go up to 255 in
    /// DHCPv4 and 65535 in DHCPv6, as Kea's grammar-level range check.
    mutating func optionSpec(_ entry: JSONNode, path: String) throws(ConfigError) -> OptionDataSpec {
        var spec = OptionDataSpec(position: entry.position)
        spec.space = optionTable.family.topLevelSpace.description
        let maxCode: Int64 = optionTable.family == .v4 ? 255 : 65535
        for member in try object(entry) {
            switch member.key {
            case "name":
                spec.name = try string(member.value)
                spec.namePosition = member.value.position
            case "code":
                let code = try integer(member.value)
                guard (0...maxCode).contains(code) else {
                    throw ConfigError.semantic(.outOfRange, code < 0
                        ? "invalid option code '\(code)', it must not be negative"
                        : "invalid option code '\(code)', it must not be greater than '\(maxCode)'", at: member.value.position)
                }
                spec.code = Int(code)
                if spec.namePosition == nil { spec.namePosition = member.value.position }
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
}
