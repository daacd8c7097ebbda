/// Turns a configured `option-data` entry into option bytes, by Kea 2.4's rules
/// (`OptionDataParser::createOption` and `OptionDefinition::optionFactory`), driven by an
/// `OptionTable` (the standard `OptionTable.dhcp4`, or a configuration's with its `option-def`s).
///
/// - The option is found in its `space` (default `dhcp4`) by `code` when given, else by `name`;
///   a name given with it must match.
/// - With a definition and csv-format not false, `data` is comma-separated values of the option's
///   type (`\,` keeps a comma in a value; values are trimmed). A plain option takes the first
///   value only: Kea cuts `"data": "a, b"` for a string option down to "a", so a comma in a string
///   must be escaped. Arrays take every value; records take one value per field, and an array
///   record repeats its last field.
/// - Otherwise `data` is hexadecimal ("0a0b", "0a:0b", "0A 0B", "0x0a0b") or text in single
///   quotes, and is checked against the definition when there is one. An option without a
///   definition may only be given this way.
public enum OptionDataEncoder {
    /// The option bytes (without code and length) for one `option-data` entry, or Kea's error.
    /// The table must be a DHCPv4 one: `ConfiguredOption` carries a one-octet code, which is
    /// what every DHCPv4 space uses. An option of a space other than `dhcp4` comes back with its
    /// own code; the configuration decoder packs it into the option that encapsulates its space.
    public static func encode(_ spec: OptionDataSpec,
                              table: OptionTable = .dhcp4) throws(OptionDataError) -> ConfiguredOption {
        precondition(table.family == .v4, "ConfiguredOption carries DHCPv4 options only")
        let (code, payload) = try encodePayload(spec, table: table)
        // A DHCPv4 table holds codes up to 255 only (`OptionTable.codeRange`), and
        // `OptionDataTarget` checks a code given without a definition.
        return ConfiguredOption(code: UInt8(code), payload: payload,
                                alwaysSend: spec.alwaysSend, neverSend: spec.neverSend)
    }

    /// The option bytes for one DHCPv6 `option-data` entry (space default `dhcp6`), with the
    /// same rules; tuples carry two-octet lengths (the DHCPv6 rows say so), codes go to 65535.
    public static func encode6(_ spec: OptionDataSpec,
                               table: OptionTable = .dhcp6) throws(OptionDataError) -> ConfiguredOption6 {
        precondition(table.family == .v6, "ConfiguredOption6 carries DHCPv6 options only")
        let (code, payload) = try encodePayload(spec, table: table)
        return ConfiguredOption6(code: code, payload: payload, alwaysSend: spec.alwaysSend, neverSend: spec.neverSend)
    }

    /// The code and payload of an entry, for either family.
    private static func encodePayload(_ spec: OptionDataSpec,
                                      table: OptionTable) throws(OptionDataError) -> (UInt16, [UInt8]) {
        let target = try OptionDataTarget.resolve(spec, in: table)
        let payload: [UInt8]
        if let definition = target.definition, spec.csvFormat != false {
            payload = try wrapped(spec, definition) { () throws(OptionValueError) in
                let bytes = try encodeValues(OptionDataText.splitValues(spec.data ?? ""), for: definition)
                try validate(bytes, for: definition)
                return bytes
            }
        } else {
            guard let bytes = OptionDataText.decodeHex(spec.data ?? "") else {
                throw OptionDataError(message: "option data is not a valid string of hexadecimal digits: "
                                      + "\(spec.data ?? "") (\(spec.position))")
            }
            if let definition = target.definition {
                try wrapped(spec, definition) { () throws(OptionValueError) in
                    try validate(bytes, for: definition)
                }
            }
            payload = bytes
        }
        return (target.code, payload)
    }

    /// Kea's frame around a value error: the space, the code, the reason and the position.
    private static func wrapped<T>(_ spec: OptionDataSpec, _ definition: OptionDefinition,
                                   _ body: () throws(OptionValueError) -> T) throws(OptionDataError) -> T {
        do {
            return try body()
        } catch {
            throw OptionDataError(message: "option data does not match option definition (space: "
                                  + "\(spec.space), code: \(definition.code)): \(error.reason) (\(spec.position))")
        }
    }

    /// The payload for split CSV values (Kea's `optionFactory` with a vector of strings).
    static func encodeValues(_ values: [String],
                             for definition: OptionDefinition) throws(OptionValueError) -> [UInt8] {
        if definition.specialFormat == .classlessStaticRoutes {
            return try OptionClasslessStaticRoutes.encode(values)
        }
        let tupleLengthOctets = definition.specialFormat == .twoOctetTupleLength ? 2 : 1
        var payload: [UInt8] = []
        func write(_ value: String, _ type: OptionDataType) throws(OptionValueError) {
            try OptionValueWriter.write(OptionDataText.trim(value), as: type,
                                        tupleLengthOctets: tupleLengthOctets, into: &payload)
        }
        switch (definition.type, definition.isArray) {
        case (.empty, _):
            if let value = values.first { try write(value, .empty) }
        case (.record, _):
            let fields = definition.recordFields
            guard values.count >= fields.count else {
                throw OptionValueError("number of data fields for the option type '\(definition.code)' "
                                       + "is greater than number of values provided.")
            }
            for (value, field) in zip(values, fields) { try write(value, field) }
            if definition.isArray, let last = fields.last {
                for value in values.dropFirst(fields.count) { try write(value, last) }
            }
        case (let type, true):
            for value in values { try write(value, type) }
        case (let type, false):
            guard let value = values.first else { throw OptionValueError("no option value specified") }
            try write(value, type)
        }
        if definition.specialFormat == .vendorIdentifyingVendorSpecific {
            // Kea's OptionVendor writes the data-length octet; sub-options come from their own space.
            payload.append(0)
        }
        return payload
    }

    /// Checks a payload the way Kea does when it builds the option from bytes.
    static func validate(_ payload: [UInt8],
                         for definition: OptionDefinition) throws(OptionValueError) {
        if definition.specialFormat == .classlessStaticRoutes {
            _ = try OptionClasslessStaticRoutes.decode(payload)
        } else {
            _ = try OptionPayloadDecoder.decode(payload, as: definition)
        }
    }
}

/// The option an `option-data` entry designates: its code and, when the table defines it, its
/// definition. Separate from the data so that each of Kea's naming errors has one place.
struct OptionDataTarget {
    var code: UInt16
    var definition: OptionDefinition?

    static func resolve(_ spec: OptionDataSpec, in table: OptionTable) throws(OptionDataError) -> OptionDataTarget {
        func failure(_ text: String) -> OptionDataError {
            OptionDataError(message: "\(text) (\(spec.position))")
        }
        let space = OptionSpaceName(spec.space)
        try checkSpace(space, family: table.family, failure)
        if let name = spec.name, name.contains(" ") {
            throw failure("invalid option name '\(name)', space character is not allowed")
        }
        guard spec.name != nil || spec.code != nil else {
            throw failure("option data configuration requires one of 'code' or 'name' parameters to be specified")
        }
        let code = try spec.code.map { (code) throws(OptionDataError) in try checkCode(code, in: space, family: table.family, failure) }
        // As Kea: a given code decides the lookup; the name is only checked against it.
        let definition: OptionDefinition? = if let code {
            table.definition(OptionKey(space: space, code: UInt16(code)))
        } else {
            spec.name.flatMap { table.definition(named: $0, in: space) }
        }
        let qualifiedName = "\(spec.space).\(spec.name ?? "")"
        if let definition {
            if let name = spec.name, name != definition.name {
                throw failure("specified option name '\(name)' does not match the option definition: "
                              + "'\(spec.space).\(definition.name)'")
            }
            return OptionDataTarget(code: definition.code, definition: definition)
        }
        let missing = OptionDataError(message: "definition for the option '\(qualifiedName)' having code '\(spec.code ?? 0)' "
                                      + "does not exist (\(spec.namePosition ?? spec.position))")
        if spec.csvFormat == true { throw missing }
        guard let code else { throw missing }
        if let name = spec.name, let named = table.definition(named: name, in: space) {
            // Kea would quietly send the data under the code; a defined name given with another
            // code is almost surely a typo, so Kakapo refuses it.
            throw failure("specified option name '\(name)' does not match the option code \(code): "
                          + "'\(spec.space).\(name)' has code \(named.code)")
        }
        return OptionDataTarget(code: code, definition: nil)
    }

    /// Kea's `extractSpace`: a valid name, and not the other family's top-level space.
    private static func checkSpace(_ space: OptionSpaceName, family: OptionTable.Family,
                                   _ failure: (String) -> OptionDataError) throws(OptionDataError) {
        guard space.isValid else { throw failure("invalid option space name '\(space)'") }
        if family == .v4, space == .dhcp6 {
            throw failure("'dhcp6' option space name is reserved for DHCPv6 server")
        }
        if family == .v6, space == .dhcp4 {
            throw failure("'dhcp4' option space name is reserved for DHCPv4 server")
        }
    }

    /// Kea's `extractCode`, and its PAD/END rule, which holds in `dhcp4` only.
    private static func checkCode(_ code: Int, in space: OptionSpaceName, family: OptionTable.Family,
                                  _ failure: (String) -> OptionDataError) throws(OptionDataError) -> UInt16 {
        if family == .v6 {
            guard (0...65535).contains(code) else {
                throw failure("invalid option code '\(code)', it must not exceed '65535'")
            }
            return UInt16(code)
        }
        guard (0...255).contains(code) else {
            throw failure("invalid option code '\(code)', it must not be greater than '255'")
        }
        if space == .dhcp4, code == 0 { throw failure("invalid option code '0': reserved for PAD") }
        if space == .dhcp4, code == 255 { throw failure("invalid option code '255': reserved for END") }
        return UInt16(code)
    }
}
