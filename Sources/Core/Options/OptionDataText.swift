/// The two textual forms of `option-data` `data`: Kea's comma-separated values (csv-format true)
/// and its hexadecimal form (csv-format false). Both follow Kea 2.4's `util/strutil.cc`.
enum OptionDataText {
    /// Kea trims these around each value (`isc::util::str::trim`).
    static let whitespace: Set<Unicode.Scalar> = [" ", "\t", "\n", "\r", "\u{08}", "\u{0C}"]

    /// Splits on commas exactly as Kea's `str::tokens(data, ",", true)`: a backslash escapes a
    /// comma or another backslash (a backslash before anything else is kept), runs of commas count
    /// as one, and empty values are dropped. Values are not trimmed here.
    static func splitValues(_ text: String) -> [String] {
        var values: [String] = []
        var token = String.UnicodeScalarView()
        var inToken = false
        var escaped = false
        for scalar in text.unicodeScalars {
            if scalar == "," {
                if !inToken {
                    continue
                } else if escaped {
                    escaped = false
                    token.append(scalar)
                } else {
                    if !token.isEmpty { values.append(String(token)) }
                    inToken = false
                    token = String.UnicodeScalarView()
                }
            } else if scalar == "\\" {
                inToken = true
                if escaped {
                    escaped = false
                    token.append(scalar)
                } else {
                    escaped = true
                }
            } else {
                inToken = true
                if escaped {
                    escaped = false
                    token.append("\\")
                }
                token.append(scalar)
            }
        }
        if escaped { token.append("\\") }
        if !token.isEmpty { values.append(String(token)) }
        return values
    }

    /// Removes Kea's whitespace from both ends (scalar by scalar, so "\r\n" counts too).
    static func trim(_ text: some StringProtocol) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, whitespace.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, whitespace.contains(last) { scalars.removeLast() }
        return String(Substring(scalars))
    }

    /// The bytes of csv-format false data, or nil when it is not valid. As Kea: a value in single
    /// quotes is taken as text; otherwise hex digits, either in octets separated by ':' or by ' '
    /// (one or two digits each), or contiguous with an optional "0x" and an implied leading zero
    /// when the count is odd. Kakapo also forgives whitespace around the whole value.
    static func decodeHex(_ text: String) -> [UInt8]? {
        let trimmed = trim(text)
        if trimmed.count >= 2, trimmed.first == "'", trimmed.last == "'" {
            let inner = trim(trimmed.dropFirst().dropLast())
            if !inner.isEmpty { return Array(inner.utf8) }
        }
        if trimmed.contains(":") { return decodeSeparatedHex(trimmed, separator: ":") }
        if trimmed.contains(" ") { return decodeSeparatedHex(trimmed, separator: " ") }
        var digits = Substring(trimmed)
        if digits.count > 2, digits.hasPrefix("0x") { digits = digits.dropFirst(2) }
        var nibbles: [UInt8] = digits.count % 2 == 1 ? [0] : []
        for character in digits {
            guard let nibble = hexValue(character) else { return nil }
            nibbles.append(nibble)
        }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// Kea's `decodeSeparatedHexString`: octets of one or two digits; two separators in a row are
    /// an error.
    private static func decodeSeparatedHex(_ text: String, separator: Character) -> [UInt8]? {
        let groups = text.split(separator: separator, omittingEmptySubsequences: false)
        var bytes: [UInt8] = []
        for group in groups {
            guard !group.isEmpty, group.count <= 2 else { return nil }
            var value: UInt8 = 0
            for character in group {
                guard let nibble = hexValue(character) else { return nil }
                value = value << 4 | nibble
            }
            bytes.append(value)
        }
        return bytes
    }

    static func hexValue(_ character: Character) -> UInt8? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return ascii - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return ascii - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return ascii - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Lowercase, colon-separated hex ("0a:0b"): how Kakapo renders opaque bytes. The encoder reads
    /// it back both as csv-format false data and as a binary field.
    static func colonHex(_ bytes: some Collection<UInt8>) -> String {
        HexText.colonSeparated(bytes)
    }
}
