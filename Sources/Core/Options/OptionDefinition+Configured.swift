extension OptionDefinition {
    /// A definition from an `option-def` entry, checked as Kea 2.4 checks one
    /// (`OptionDefParser::parse`, then `OptionDefinition::validate`), with Kea's messages.
    ///
    /// - Parameters:
    ///   - code: the entry's `code`, before any range check.
    ///   - type: Kea's type name (`"uint16"`, `"ipv4-address"`, `"record"`, …).
    ///   - recordTypes: the comma-separated field types of a record (`"uint8, ipv4-address"`).
    ///   - encapsulate: the space the option carries as sub-options; empty for none.
    ///   - family: the table's family, which bounds the code.
    public static func configured(
        name: String, code: Int64, type: String, array: Bool = false, recordTypes: String = "",
        space: OptionSpaceName, encapsulate: String = "", family: OptionTable.Family
    ) throws(OptionDefinitionError) -> OptionDefinition {
        let checkedCode = try checkedCode(code, space: space, family: family)
        if !encapsulate.isEmpty {
            if array {
                throw OptionDefinitionError(.invalidEncapsulation, "option '\(space).\(name)', comprising an array "
                                            + "of data fields may not encapsulate any option space")
            }
            if encapsulate == space.text {
                throw OptionDefinitionError(.invalidEncapsulation, "option must not encapsulate an option space it "
                                            + "belongs to: '\(space).\(name)' is set to encapsulate '\(space)'")
            }
        }
        let fields = try recordFields(recordTypes, type: type)
        try validate(name: name, encapsulate: encapsulate)
        guard let dataType = OptionDataType(rawValue: type), dataType != .internal else {
            // Kea prints its internal type number here; the name says more.
            throw OptionDefinitionError(.invalidType, "option type '\(type)' not supported.")
        }
        try validate(dataType, array: array, fields: fields)
        return OptionDefinition(space: space, code: checkedCode, name: name, type: dataType, isArray: array,
                                recordFields: fields,
                                encapsulatedSpace: encapsulate.isEmpty ? nil : OptionSpaceName(encapsulate))
    }

    private static func checkedCode(_ code: Int64, space: OptionSpaceName,
                                    family: OptionTable.Family) throws(OptionDefinitionError) -> UInt16 {
        if code < 0 {
            throw OptionDefinitionError(.invalidCode, "option code must not be negative", field: .code)
        }
        if code > Int64(family.maximumCode) {
            let limit = family == .v4 ? "it must not be greater than '255'" : "it must not exceed '65535'"
            throw OptionDefinitionError(.invalidCode, "invalid option code '\(code)', \(limit)", field: .code)
        }
        guard space.isValid else {
            throw OptionDefinitionError(.invalidSpace, "invalid option space name '\(space)'", field: .space)
        }
        switch (space.text, code) {
        case ("dhcp4", 0): throw OptionDefinitionError(.invalidCode, "invalid option code '0': reserved for PAD", field: .code)
        case ("dhcp4", 255): throw OptionDefinitionError(.invalidCode, "invalid option code '255': reserved for END", field: .code)
        case ("dhcp6", 0): throw OptionDefinitionError(.invalidCode, "invalid option code '0': reserved value", field: .code)
        default: return UInt16(code)
        }
    }

    /// Kea's `addRecordField` for each token of `record-types` (empty tokens skipped).
    private static func recordFields(_ text: String, type: String) throws(OptionDefinitionError) -> [OptionDataType] {
        var fields: [OptionDataType] = []
        for token in text.split(separator: ",", omittingEmptySubsequences: false) {
            let name = OptionDataText.trim(String(token))
            if name.isEmpty { continue }
            func failure(_ reason: String) -> OptionDefinitionError {
                OptionDefinitionError(.invalidType, "invalid record type values specified for the option definition: "
                                      + reason, field: .recordTypes)
            }
            guard type == OptionDataType.record.rawValue else {
                throw failure("'record' option type must be used instead of '\(type)' to add data fields to the record")
            }
            guard let field = OptionDataType(rawValue: name), field != .record else {
                throw failure("attempted to add invalid data type to the record.")
            }
            fields.append(field)
        }
        return fields
    }

    private static func validate(name: String, encapsulate: String) throws(OptionDefinitionError) {
        guard OptionSpaceName.isValidIdentifier(name) else {
            throw OptionDefinitionError(.invalidName, "invalid option name '\(name)'")
        }
        if !encapsulate.isEmpty, !OptionSpaceName(encapsulate).isValid {
            throw OptionDefinitionError(.invalidSpace, "invalid encapsulated option space name: '\(encapsulate)'")
        }
    }

    /// Kea's `OptionDefinition::validate` rules for arrays and records.
    private static func validate(_ type: OptionDataType, array: Bool,
                                 fields: [OptionDataType]) throws(OptionDefinitionError) {
        func failure(_ reason: String) -> OptionDefinitionError { OptionDefinitionError(.invalidType, reason) }
        if type != .record {
            switch (type, array) {
            case (.string, true): throw failure("array of strings is not a valid option definition.")
            case (.binary, true): throw failure("array of binary values is not a valid option definition.")
            case (.empty, true): throw failure("array of empty value is not a valid option definition.")
            default: return
            }
        }
        guard fields.count >= 2 else {
            throw failure("invalid number of data fields: \(fields.count) specified for the option of type "
                          + "'record'. Expected at least 2 fields.")
        }
        for (position, field) in fields.enumerated() {
            let isLast = position == fields.count - 1
            switch field {
            case .string where !isLast: throw failure("string data field can't be laid before data fields of other types.")
            case .binary where !isLast: throw failure("binary data field can't be laid before data fields of other types.")
            case .empty: throw failure("empty data type can't be stored as a field in an option record.")
            case .internal: throw failure("internal data type can't be stored as a field in an option record.")
            default: continue
            }
        }
        if array, fields.last == .string { throw failure("array of strings is not a valid option definition.") }
        if array, fields.last == .binary { throw failure("array of binary values is not a valid option definition.") }
    }
}
