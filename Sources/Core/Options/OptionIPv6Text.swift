/// IPv6 address text (RFC 4291 parsing, RFC 5952 formatting), for `IPv6Address` and for the
/// DHCPv4 options that carry an IPv6 address (option-6rd).
enum OptionIPv6Text {
    /// The sixteen octets of an RFC 4291 address ("2001:db8::1", "::ffff:192.0.2.1"), or nil.
    static func parse(_ text: String) -> [UInt8]? {
        let bytes = Array(text.utf8)
        var groups: [UInt16]
        if let gap = doubleColon(in: bytes) {
            guard let head = parseGroups(bytes[..<gap], allowsIPv4: false),
                  let tail = parseGroups(bytes[(gap + 2)...], allowsIPv4: true),
                  head.count + tail.count <= 7 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parseGroups(bytes[...], allowsIPv4: true), all.count == 8 else {
                return nil
            }
            groups = all
        }
        var address: [UInt8] = []
        for group in groups { address.appendOptionInteger(UInt32(group), octets: 2) }
        return address
    }

    private static func doubleColon(in bytes: [UInt8]) -> Int? {
        let colon = UInt8(ascii: ":")
        return bytes.indices.dropLast().first { bytes[$0] == colon && bytes[$0 + 1] == colon }
    }

    /// Colon-separated groups of one to four hex digits; the last may be a dotted quad.
    private static func parseGroups(_ text: ArraySlice<UInt8>, allowsIPv4: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let tokens = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (position, token) in tokens.enumerated() {
            let isLast = position == tokens.count - 1
            if isLast, allowsIPv4, token.contains(UInt8(ascii: ".")) {
                guard let v4 = IPv4Address(String(decoding: token, as: UTF8.self)) else { return nil }
                groups.append(UInt16(v4.value >> 16))
                groups.append(UInt16(truncatingIfNeeded: v4.value))
                continue
            }
            guard (1...4).contains(token.count) else { return nil }
            var value: UInt16 = 0
            for byte in token {
                guard let nibble = OptionDataText.hexValue(Character(UnicodeScalar(byte))) else {
                    return nil
                }
                value = value << 4 | UInt16(nibble)
            }
            groups.append(value)
        }
        return groups
    }

    /// RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups
    /// (the first, on a tie) written as "::" (`IPv6Address.writeText`).
    static func format(_ address: some Collection<UInt8>) -> String {
        IPv6Address(bytes: address).description
    }
}
