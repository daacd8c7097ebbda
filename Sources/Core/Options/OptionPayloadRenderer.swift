extension OptionTable {
    /// Kea-like text for an option payload, for traces, logs and lease-file diagnostics:
    /// "192.0.2.1, 192.0.2.2", "example.com.", "3600", "true", strings as they are. Payloads with
    /// no definition, that do not decode by their definition, that carry sub-options, or whose
    /// text is not printable come out as colon-separated hex ("0a:0b"). Total: never traps.
    ///
    /// Text from decodable payloads reads back through `OptionDataEncoder` (csv-format true) to
    /// the same bytes, with commas and backslashes in strings escaped for that purpose.
    public func render(_ key: OptionKey, payload: [UInt8]) -> String {
        guard let definition = definition(key),
              let text = OptionPayloadRenderer.text(payload, as: definition) else {
            return OptionDataText.colonHex(payload)
        }
        return text
    }
}

/// Field values back to the comma-separated text `OptionDataEncoder` reads.
enum OptionPayloadRenderer {
    /// The text for a payload decoded by its definition, or nil when only hex will do.
    static func text(_ payload: [UInt8], as definition: OptionDefinition) -> String? {
        if definition.specialFormat == .classlessStaticRoutes {
            guard let routes = try? OptionClasslessStaticRoutes.decode(payload) else { return nil }
            let text = OptionClasslessStaticRoutes.text(routes)
            // A destination with host bits set (RFC 3442 forbids them; Kea accepts them) has no
            // text that reads back to it: the prefix notation clears them. Hex then.
            guard (try? OptionClasslessStaticRoutes.encode(text.split(separator: ",").map(String.init))) == payload else {
                return nil
            }
            return text
        }
        guard let decoded = try? OptionPayloadDecoder.decode(payload, as: definition),
              decoded.subOptions.isEmpty else { return nil }
        // A vendor-specific block (125) without its data-len octet decodes, but its text (the
        // enterprise number) encodes with one: hex keeps the difference visible.
        if definition.specialFormat == .vendorIdentifyingVendorSpecific, payload.count == 4 { return nil }
        // An array record whose repeating last field occurs zero times (rdnss-selection with no
        // domain name) has no text: the encoder wants a value for every field. Hex then.
        guard decoded.values.count >= definition.fieldTypes.count else { return nil }
        var parts: [String] = []
        for (index, value) in decoded.values.enumerated() {
            // A tuple carries its length, so its trailing NULs are content the text would drop;
            // and the value splitter does not keep every empty value of a list.
            if definition.fieldTypes[min(index, definition.fieldTypes.count - 1)] == .tuple,
               case .text(let bytes) = value, bytes.last == 0 || bytes.isEmpty {
                return nil
            }
            guard let part = text(value) else { return nil }
            parts.append(part)
        }
        return parts.joined(separator: ", ")
    }

    static func text(_ value: OptionFieldValue) -> String? {
        switch value {
        case .boolean(let flag): flag ? "true" : "false"
        case .integer(let number): String(number)
        case .ipv4(let address): address.description
        case .ipv6(let octets): OptionIPv6Text.format(octets)
        case .ipv6Prefix(let length, let octets):
            OptionIPv6Text.format(octets + Array(repeating: 0, count: 16 - octets.count)) + "/\(length)"
        case .text(let bytes): printableText(bytes)
        case .domainName(let labels): OptionDomainName.text(labels: labels)
        case .binary(let bytes): OptionDataText.colonHex(bytes)
        case .psid(let psid, let length): "\(psid)/\(length)"
        }
    }

    /// UTF-8 text without control characters, with "\" and "," escaped for the CSV splitter;
    /// trailing NULs are dropped, as Kea's `OptionString` does. Nil for anything else, and for
    /// text with leading or trailing blanks (which the splitter would trim).
    private static func printableText(_ bytes: [UInt8]) -> String? {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0 { end -= 1 }
        guard let text = String(validating: bytes[..<end], as: UTF8.self),
              !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return nil
        }
        // The CSV splitter trims values: text with leading or trailing blanks would not read back.
        if let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
           OptionDataText.whitespace.contains(first) || OptionDataText.whitespace.contains(last) {
            return nil
        }
        var escaped = ""
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "," { escaped.unicodeScalars.append("\\") }
            escaped.unicodeScalars.append(scalar)
        }
        return escaped
    }
}
