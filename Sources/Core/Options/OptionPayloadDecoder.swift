/// One decoded value of an option field.
enum OptionFieldValue: Equatable {
    case boolean(Bool)
    case integer(Int64)
    case ipv4(IPv4Address)
    case ipv6([UInt8])
    case ipv6Prefix(length: UInt8, octets: [UInt8])
    /// The contents of a string or tuple field.
    case text([UInt8])
    case domainName(labels: [[UInt8]])
    case binary([UInt8])
    case psid(value: UInt16, length: UInt8)
}

/// An option payload read against its definition: the field values, and the octets after them
/// that belong to an encapsulated space (sub-options), which are not interpreted here.
struct DecodedOptionPayload: Equatable {
    var values: [OptionFieldValue]
    var subOptions: [UInt8]
}

/// Reads an option payload by the table's type rules: the inverse of `OptionValueWriter`, and the
/// check Kea makes when it builds an option from configured hex. Total: any bytes give values or
/// an `OptionValueError`, never a trap.
enum OptionPayloadDecoder {
    static func decode(_ payload: [UInt8],
                       as definition: OptionDefinition) throws(OptionValueError) -> DecodedOptionPayload {
        var reader = OptionPayloadReader(payload)
        var values: [OptionFieldValue] = []
        if definition.type != .empty {
            values = try readFields(&reader, of: definition)
        }
        if definition.specialFormat == .vendorIdentifyingVendorClass {
            try checkVendorClass(payload)
        }
        let isVendorSpecific = definition.specialFormat == .vendorIdentifyingVendorSpecific
        if isVendorSpecific {
            try readVendorDataLength(&reader)
        }
        guard reader.isAtEnd || definition.encapsulatedSpace != nil || isVendorSpecific else {
            throw OptionValueError("\(reader.remaining) octets left over after the option's value")
        }
        return DecodedOptionPayload(values: values, subOptions: reader.takeRest())
    }

    /// The fields in order; with `isArray`, the last field repeats until the payload ends.
    private static func readFields(_ reader: inout OptionPayloadReader,
                                   of definition: OptionDefinition) throws(OptionValueError) -> [OptionFieldValue] {
        let types = definition.fieldTypes
        let tupleLengthOctets = definition.specialFormat == .twoOctetTupleLength ? 2 : 1
        var values: [OptionFieldValue] = []
        for (position, type) in types.enumerated() {
            let isLast = position == types.count - 1
            let context = FieldContext(isLast: isLast, isWholeOption: types.count == 1 && !definition.isArray,
                                       tupleLengthOctets: tupleLengthOctets)
            if isLast && definition.isArray {
                // Bounded: every read consumes at least one octet or throws.
                while !reader.isAtEnd { values.append(try readValue(&reader, as: type, context)) }
            } else {
                values.append(try readValue(&reader, as: type, context))
            }
        }
        return values
    }

    private struct FieldContext {
        /// The last field of the payload takes the rest of it when its size is open.
        var isLast: Bool
        /// A plain, single-valued option (where Kea refuses an empty string).
        var isWholeOption: Bool
        var tupleLengthOctets: Int
    }

    private static func readValue(_ reader: inout OptionPayloadReader, as type: OptionDataType,
                                  _ context: FieldContext) throws(OptionValueError) -> OptionFieldValue {
        let start = reader.offset
        func truncated() -> OptionValueError {
            OptionValueError("option data truncated: \(type.keaName) expected at octet \(start)")
        }
        switch type {
        case .boolean:
            guard let byte = reader.u8() else { throw truncated() }
            guard byte <= 1 else { throw OptionValueError("boolean value must be 0 or 1, got \(byte)") }
            return .boolean(byte == 1)
        case .uint8, .uint16, .uint32, .int8, .int16, .int32:
            guard let raw = reader.unsigned(octets: type.fixedWireSize ?? 0) else { throw truncated() }
            return .integer(signExtended(raw, as: type))
        case .ipv4Address:
            guard let raw = reader.unsigned(octets: 4) else { throw truncated() }
            return .ipv4(IPv4Address(raw))
        case .ipv6Address:
            guard let octets = reader.take(16) else { throw truncated() }
            return .ipv6(Array(octets))
        case .ipv6Prefix:
            guard let prefix = try readIPv6Prefix(&reader) else { throw truncated() }
            return prefix
        case .psid:
            guard let psid = try readPSID(&reader) else { throw truncated() }
            return psid
        case .tuple:
            guard let length = reader.unsigned(octets: context.tupleLengthOctets),
                  let bytes = reader.take(Int(length)) else { throw truncated() }
            return .text(Array(bytes))
        case .fqdn:
            guard let labels = OptionDomainName.read(&reader) else {
                throw OptionValueError("invalid domain name at octet \(start)")
            }
            return .domainName(labels: labels)
        case .string:
            let bytes = reader.takeRest()
            guard !context.isWholeOption || bytes.contains(where: { $0 != 0 }) else {
                throw OptionValueError("a string option must not be empty")
            }
            return .text(bytes)
        case .binary:
            return .binary(reader.takeRest())
        case .empty, .internal, .record:
            preconditionFailure("\(type.keaName) is not a field type")
        }
    }

    private static func signExtended(_ raw: UInt32, as type: OptionDataType) -> Int64 {
        switch type {
        case .int8: Int64(Int8(truncatingIfNeeded: raw))
        case .int16: Int64(Int16(truncatingIfNeeded: raw))
        case .int32: Int64(Int32(truncatingIfNeeded: raw))
        case .uint8, .uint16, .uint32: Int64(raw)
        case .empty, .binary, .boolean, .ipv4Address, .string, .fqdn, .tuple, .psid,
             .ipv6Address, .ipv6Prefix, .internal, .record:
            preconditionFailure("\(type.keaName) is not an integer type")
        }
    }

    private static func readIPv6Prefix(_ reader: inout OptionPayloadReader) throws(OptionValueError) -> OptionFieldValue? {
        guard let length = reader.u8() else { return nil }
        guard length <= 128 else { throw OptionValueError("IPv6 prefix length \(length) is over 128") }
        guard let octets = reader.take((Int(length) + 7) / 8) else { return nil }
        return .ipv6Prefix(length: length, octets: Array(octets))
    }

    /// The length octet and the left-aligned PSID; bits past the length must be zero.
    private static func readPSID(_ reader: inout OptionPayloadReader) throws(OptionValueError) -> OptionFieldValue? {
        guard let length = reader.u8(), let aligned = reader.unsigned(octets: 2) else { return nil }
        guard length <= 16 else { throw OptionValueError("invalid value of the PSID length \(length)") }
        let spareBits = 16 - UInt32(length)
        guard aligned & ((UInt32(1) << spareBits) - 1) == 0 else {
            throw OptionValueError("PSID \(aligned) has bits set past its length \(length)")
        }
        return .psid(value: UInt16(length == 0 ? 0 : aligned >> spareBits), length: length)
    }

    /// Option 124 as Kea's `OptionVendorClass::unpack` reads a DHCPv4 one: the enterprise
    /// number, then items of a length octet and that many octets, each item after the first
    /// preceded by an enterprise number, and at least two octets after such a number.
    private static func checkVendorClass(_ payload: [UInt8]) throws(OptionValueError) {
        guard payload.count >= 5 else {
            throw OptionValueError("parsed Vendor Class option data truncated to size \(payload.count)")
        }
        var offset = 4
        // Each pass consumes at least one octet (the length octet).
        while offset < payload.count {
            let end = offset + 1 + Int(payload[offset])
            guard end <= payload.count else {
                throw OptionValueError("the vendor class data item at offset \(offset) is truncated")
            }
            offset = end
            if offset != payload.count {
                offset += 4
                guard offset + 1 < payload.count else {
                    throw OptionValueError("truncated DHCPv4 V-I Vendor Class option - it should contain "
                                           + "enterprise id followed by opaque data field tuple")
                }
            }
        }
    }

    /// Option 125 carries a data-length octet after the enterprise number (Kea's `OptionVendor`);
    /// it must count exactly the sub-options that follow.
    private static func readVendorDataLength(_ reader: inout OptionPayloadReader) throws(OptionValueError) {
        guard !reader.isAtEnd else { return }
        guard let length = reader.u8(), Int(length) == reader.remaining else {
            throw OptionValueError("vendor data length does not match the sub-options that follow")
        }
    }
}
