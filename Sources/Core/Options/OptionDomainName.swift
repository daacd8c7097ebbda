/// Domain names as options carry them: RFC 1035 labels ending in the root label, never compressed
/// (Kea's `OptionDataTypeUtil::writeFqdn`/`readFqdn`). Text follows DNS master-file rules: labels
/// split on '.', "\." and "\DDD" escapes, the trailing dot optional on input and printed on output.
enum OptionDomainName {
    /// RFC 1035 limits.
    static let labelOctetsMax = 63
    static let nameOctetsMax = 255

    /// The wire form of a name written in text, case kept as written.
    static func wire(fromText text: String) throws(OptionValueError) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw OptionValueError("empty domain name") }
        if bytes == [UInt8(ascii: ".")] { return [0] }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var position = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ".") {
                guard !label.isEmpty else {
                    throw OptionValueError("empty label in domain name '\(text)'")
                }
                labels.append(label)
                label = []
            } else if byte == UInt8(ascii: "\\") {
                label.append(try unescape(bytes, at: &position, in: text))
            } else {
                label.append(byte)
            }
        }
        if !label.isEmpty { labels.append(label) }
        return try encode(labels, text: text)
    }

    /// One escaped octet after a backslash: "\DDD" (decimal, at most 255) or the next octet as is.
    private static func unescape(_ bytes: [UInt8], at position: inout Int,
                                 in text: String) throws(OptionValueError) -> UInt8 {
        guard position < bytes.count else {
            throw OptionValueError("incomplete escape at the end of domain name '\(text)'")
        }
        let digits = bytes[position...].prefix(3)
        guard digits.count == 3, digits.allSatisfy(isDigit) else {
            position += 1
            return bytes[position - 1]
        }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard value <= 255 else {
            throw OptionValueError("escaped octet \\\(value) out of range in domain name '\(text)'")
        }
        position += 3
        return UInt8(value)
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func encode(_ labels: [[UInt8]], text: String) throws(OptionValueError) -> [UInt8] {
        var wire: [UInt8] = []
        for label in labels {
            guard label.count <= labelOctetsMax else {
                throw OptionValueError("label longer than \(labelOctetsMax) octets in domain name '\(text)'")
            }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= nameOctetsMax else {
            throw OptionValueError("domain name '\(text)' is longer than \(nameOctetsMax) octets")
        }
        return wire
    }

    /// Reads one uncompressed name from the reader, or nil when the bytes are not one (a length
    /// octet of 64 or more, a missing root label, more than 255 octets).
    static func read(_ reader: inout OptionPayloadReader) -> [[UInt8]]? {
        var labels: [[UInt8]] = []
        var octets = 0
        // Bounded: each pass consumes at least one octet and the total is capped at 255.
        while true {
            guard let length = reader.u8(), length <= labelOctetsMax else { return nil }
            octets += 1 + Int(length)
            guard octets <= nameOctetsMax else { return nil }
            if length == 0 { return labels }
            guard let label = reader.take(Int(length)) else { return nil }
            labels.append(Array(label))
        }
    }

    /// Text for decoded labels with the trailing dot, as Kea prints names ("example.com.").
    /// Octets that would not survive the CSV splitter or DNS text rules are written as "\DDD".
    static func text(labels: [[UInt8]]) -> String {
        guard !labels.isEmpty else { return "." }
        var text = ""
        for label in labels {
            for byte in label { text += escaped(byte) }
            text += "."
        }
        return text
    }

    private static func escaped(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "+"), UInt8(ascii: "="):
            return String(UnicodeScalar(byte))
        case UInt8(ascii: "."):
            return "\\."
        default:
            let digits = String(byte)
            return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
        }
    }
}
