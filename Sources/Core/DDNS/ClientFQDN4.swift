/// The DHCPv4 Client FQDN option (81, RFC 4702): flags, RCODE1, RCODE2, then the domain name,
/// in canonical wire form when the E flag is set, else in the deprecated ASCII form. Read and
/// written as Kea's Option4ClientFqdn: a name without the root label (wire) or without the
/// trailing dot (ASCII) is partial; a name that is only the root label is empty.
public struct ClientFQDN4: Sendable, Equatable {
    public static let flagS: UInt8 = 0x01
    public static let flagO: UInt8 = 0x02
    public static let flagE: UInt8 = 0x04
    public static let flagN: UInt8 = 0x08

    public var flags: UInt8
    public var rcode1: UInt8
    public var rcode2: UInt8
    /// Dotted labels without the trailing dot; empty for no name.
    public var name: String
    /// Whether the name is fully qualified.
    public var full: Bool

    public init(flags: UInt8, rcode1: UInt8 = 0, rcode2: UInt8 = 0, name: String, full: Bool) {
        self.flags = flags
        self.rcode1 = rcode1
        self.rcode2 = rcode2
        self.name = name
        self.full = full
    }

    public var s: Bool { flags & Self.flagS != 0 }
    public var n: Bool { flags & Self.flagN != 0 }
    public var e: Bool { flags & Self.flagE != 0 }

    /// Reads option 81's data. Nil when shorter than three octets, when N and S are both set
    /// (RFC 4702 §2.1), or when the name is malformed. Kea ignores the MBZ bits.
    public init?(data: [UInt8]) {
        guard data.count >= 3, data[0] & (Self.flagN | Self.flagS) != (Self.flagN | Self.flagS) else { return nil }
        flags = data[0] & (Self.flagS | Self.flagO | Self.flagE | Self.flagN)
        rcode1 = data[1]
        rcode2 = data[2]
        let body = Array(data[3...])
        if flags & Self.flagE != 0 {
            var labels: [String] = []
            var i = 0
            var rooted = false
            while i < body.count {
                let n = Int(body[i])
                if n == 0 { rooted = true; break }
                guard n < 64, i + 1 + n <= body.count else { return nil }
                labels.append(String(decoding: body[(i + 1)..<(i + 1 + n)], as: UTF8.self))
                i += 1 + n
            }
            name = labels.joined(separator: ".")
            full = rooted && !labels.isEmpty
        } else {
            var text = String(decoding: body, as: UTF8.self)
            // Kea's OptionString-like reading drops trailing NULs.
            while text.hasSuffix("\u{0}") { text.removeLast() }
            full = text.hasSuffix(".")
            if full { text.removeLast() }
            if !text.isEmpty { guard (try? DNSName(text)) != nil else { return nil } }
            name = text
            if name.isEmpty { full = false }
        }
    }

    /// The option's data, the name encoded as the E flag says.
    public var data: [UInt8] {
        var out: [UInt8] = [flags, rcode1, rcode2]
        if name.isEmpty { return out }
        if e {
            for label in name.split(separator: ".", omittingEmptySubsequences: true) {
                let bytes = Array(label.utf8.prefix(63))
                out.append(UInt8(bytes.count))
                out += bytes
            }
            if full { out.append(0) }
        } else {
            out += Array(name.utf8)
            if full { out.append(UInt8(ascii: ".")) }
        }
        return out
    }

    /// The name as Kea's getDomainName gives it: a trailing dot when fully qualified.
    public var domainName: String { name.isEmpty ? "" : (full ? name + "." : name) }
}
