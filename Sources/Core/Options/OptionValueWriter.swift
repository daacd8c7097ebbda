/// Turns one comma-separated value into octets of one data type, as Kea 2.4's
/// `OptionDefinition::writeToBuffer` does, with Kea's error wording.
enum OptionValueWriter {
    /// Appends `text` (already trimmed) written as `type`. `tupleLengthOctets` is 1 in DHCPv4
    /// except for option 143.
    static func write(_ text: String, as type: OptionDataType, tupleLengthOctets: Int = 1,
                      into payload: inout [UInt8]) throws(OptionValueError) {
        switch type {
        case .uint8, .uint16, .uint32, .int8, .int16, .int32:
            try writeInteger(text, as: type, into: &payload)
        case .boolean:
            payload.append(try boolean(text) ? 1 : 0)
        case .ipv4Address:
            payload.append(contentsOf: try ipv4(text).bytes)
        case .ipv6Address:
            payload.append(contentsOf: try ipv6(text))
        case .ipv6Prefix:
            try writeIPv6Prefix(text, into: &payload)
        case .string:
            payload.append(contentsOf: text.utf8)
        case .fqdn:
            payload.append(contentsOf: try OptionDomainName.wire(fromText: text))
        case .binary:
            guard let bytes = OptionDataText.decodeHex(text) else {
                throw OptionValueError("unable to cast \(text) to binary data type: "
                                       + "not a valid string of hexadecimal digits")
            }
            payload.append(contentsOf: bytes)
        case .tuple:
            try writeTuple(text, lengthOctets: tupleLengthOctets, into: &payload)
        case .psid:
            try writePSID(text, into: &payload)
        case .empty:
            throw OptionValueError("option of type 'empty' takes no data, got '\(text)'")
        case .internal, .record:
            preconditionFailure("\(type.keaName) values are written by their own encoder")
        }
    }

    /// The inclusive range a configuration may write for an integer type.
    static func range(of type: OptionDataType) -> ClosedRange<Int64> {
        switch type {
        case .uint8: 0...Int64(UInt8.max)
        case .uint16: 0...Int64(UInt16.max)
        case .uint32: 0...Int64(UInt32.max)
        case .int8: Int64(Int8.min)...Int64(Int8.max)
        case .int16: Int64(Int16.min)...Int64(Int16.max)
        case .int32: Int64(Int32.min)...Int64(Int32.max)
        case .empty, .binary, .boolean, .ipv4Address, .string, .fqdn, .tuple, .psid,
             .ipv6Address, .ipv6Prefix, .internal, .record:
            preconditionFailure("\(type.keaName) is not an integer type")
        }
    }

    private static func writeInteger(_ text: String, as type: OptionDataType,
                                     into payload: inout [UInt8]) throws(OptionValueError) {
        let value = try integer(text, in: range(of: type))
        payload.appendOptionInteger(UInt32(truncatingIfNeeded: value), octets: type.fixedWireSize ?? 0)
    }

    /// Kea's `lexicalCastWithRangeCheck`: decimal first, then hexadecimal with or without "0x"
    /// (so "ff" is 255, as in Kea), then the range check.
    static func integer(_ text: String, in range: ClosedRange<Int64>) throws(OptionValueError) -> Int64 {
        guard let value = parseDecimal(text) ?? parseHex(text) else {
            throw OptionValueError("unable to convert the value '\(text)' to integer data type")
        }
        guard range.contains(value) else {
            throw OptionValueError("unable to convert '\(text)' to numeric type. This value is "
                                   + "expected to be in the range of \(range.lowerBound)..\(range.upperBound)")
        }
        return value
    }

    private static func parseDecimal(_ text: String) -> Int64? {
        Int64(text)
    }

    private static func parseHex(_ text: String) -> Int64? {
        var digits = Substring(text)
        let negative = digits.hasPrefix("-")
        if negative || digits.hasPrefix("+") { digits = digits.dropFirst() }
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.allSatisfy({ OptionDataText.hexValue($0) != nil }),
              let magnitude = Int64(digits, radix: 16) else { return nil }
        return negative ? -magnitude : magnitude
    }

    /// Kea's `convertToBool`: "true"/"false" in any case, or the integers 1 and 0.
    static func boolean(_ text: String) throws(OptionValueError) -> Bool {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: break
        }
        guard let number = parseDecimal(text) else {
            throw OptionValueError("unable to convert the value '\(text)' to boolean data type")
        }
        guard number == 0 || number == 1 else {
            throw OptionValueError("unable to convert '\(text)' to boolean data type")
        }
        return number == 1
    }

    static func ipv4(_ text: String) throws(OptionValueError) -> IPv4Address {
        if let address = IPv4Address(text) { return address }
        if OptionIPv6Text.parse(text) != nil {
            throw OptionValueError("provided address \(text) is not a valid IPv4 address")
        }
        throw OptionValueError("Failed to convert string to address '\(text)': Invalid argument")
    }

    static func ipv6(_ text: String) throws(OptionValueError) -> [UInt8] {
        if let address = OptionIPv6Text.parse(text) { return address }
        if IPv4Address(text) != nil {
            throw OptionValueError("provided address \(text) is not a valid IPv6 address")
        }
        throw OptionValueError("Failed to convert string to address '\(text)': Invalid argument")
    }

    /// "2001:db8::/32": the length octet, then only the octets the length covers (Kea's
    /// `writePrefix`), with bits past the length cleared.
    private static func writeIPv6Prefix(_ text: String, into payload: inout [UInt8]) throws(OptionValueError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = UInt8(OptionDataText.trim(parts[1])), length <= 128 else {
            throw OptionValueError("invalid IPv6 prefix '\(text)': expected address/length with length 0..128")
        }
        let address = try ipv6(OptionDataText.trim(parts[0]))
        payload.append(length)
        payload.append(contentsOf: maskedPrefixOctets(address, length: Int(length)))
    }

    /// The `(length + 7) / 8` leading octets of `address` with the bits past `length` cleared.
    static func maskedPrefixOctets(_ address: [UInt8], length: Int) -> [UInt8] {
        var octets = Array(address.prefix((length + 7) / 8))
        let spareBits = octets.count * 8 - length
        if spareBits > 0 { octets[octets.count - 1] &= UInt8(0xFF) << UInt8(spareBits) }
        return octets
    }

    private static func writeTuple(_ text: String, lengthOctets: Int,
                                   into payload: inout [UInt8]) throws(OptionValueError) {
        let bytes = Array(text.utf8)
        let lengthMax = lengthOctets == 1 ? Int(UInt8.max) : Int(UInt16.max)
        guard bytes.count <= lengthMax else {
            throw OptionValueError("tuple length \(bytes.count) exceeds the maximum of \(lengthMax)")
        }
        payload.appendOptionInteger(UInt32(bytes.count), octets: lengthOctets)
        payload.append(contentsOf: bytes)
    }

    /// "psid/psid-length" (Kea's `OPT_PSID_TYPE`): the length octet, then the PSID left-aligned
    /// in 16 bits.
    private static func writePSID(_ text: String, into payload: inout [UInt8]) throws(OptionValueError) {
        let compact = String(text.unicodeScalars.filter { $0 != " " && $0 != "\t" })
        let parts = compact.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw OptionValueError("provided PSID value \(text) is not valid: expected format is PSID/PSID length")
        }
        let length = try integer(String(parts[1]), in: 0...Int64(UInt8.max))
        let psid = try integer(String(parts[0]), in: 0...Int64(UInt16.max))
        guard length <= 16 else {
            throw OptionValueError("invalid value of the PSID length \(length)")
        }
        guard length == 16 || psid < (Int64(1) << length) else {
            throw OptionValueError("invalid value of the PSID \(psid) for the specified PSID length \(length)")
        }
        payload.append(UInt8(length))
        let aligned = length == 0 ? 0 : UInt32(psid) << UInt32(16 - length)
        payload.appendOptionInteger(aligned, octets: 2)
    }
}
