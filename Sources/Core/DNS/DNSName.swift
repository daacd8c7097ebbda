/// A domain name as DNS carries it (RFC 1035 §3.1): labels of 1 to 63 octets, at most 255
/// octets on the wire with the root label. Comparison ignores ASCII case, as DNS does; the case
/// written is kept for output.
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// The labels from the leftmost, without the root label.
    public private(set) var labels: [[UInt8]]

    public static let labelOctetsMax = 63
    public static let wireOctetsMax = 255
    public static let root = DNSName(uncheckedLabels: [])

    init(uncheckedLabels: [[UInt8]]) { labels = uncheckedLabels }

    /// Checks the RFC 1035 limits.
    public init(labels: [[UInt8]]) throws(DNSError) {
        for l in labels {
            guard !l.isEmpty else { throw DNSError.badName("empty label") }
            guard l.count <= Self.labelOctetsMax else { throw DNSError.badName("label longer than 63 octets") }
        }
        self.labels = labels
        guard wireLength <= Self.wireOctetsMax else { throw DNSError.badName("name longer than 255 octets") }
    }

    /// A name in master-file text: labels split on '.', "\." and "\DDD" escapes, the trailing dot
    /// optional ("." alone is the root).
    public init(_ text: String) throws(DNSError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw DNSError.badName("empty name") }
        if bytes == [UInt8(ascii: ".")] { self.init(uncheckedLabels: []); return }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: ".") {
                guard !label.isEmpty else { throw DNSError.badName("empty label in '\(text)'") }
                labels.append(label)
                label = []
            } else if b == UInt8(ascii: "\\") {
                guard i < bytes.count else { throw DNSError.badName("incomplete escape in '\(text)'") }
                let digits = bytes[i...].prefix(3)
                if digits.count == 3, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                    let v = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
                    guard v <= 255 else { throw DNSError.badName("escape \\\(v) out of range in '\(text)'") }
                    label.append(UInt8(v))
                    i += 3
                } else {
                    label.append(bytes[i])
                    i += 1
                }
            } else {
                label.append(b)
            }
        }
        if !label.isEmpty { labels.append(label) }
        try self.init(labels: labels)
    }

    /// Octets on the wire, uncompressed, root label included.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    public var isRoot: Bool { labels.isEmpty }

    /// The name with every ASCII letter in lower case (RFC 4034 §6.2 canonical form, used for
    /// TSIG and DHCID digests and for comparison).
    public var lowercased: DNSName {
        DNSName(uncheckedLabels: labels.map { $0.map { ($0 >= 65 && $0 <= 90) ? $0 | 0x20 : $0 } })
    }

    /// The uncompressed wire form (canonical when called on `lowercased`).
    public var wire: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(wireLength)
        for l in labels { out.append(UInt8(l.count)); out.append(contentsOf: l) }
        out.append(0)
        return out
    }

    /// Whether this name is `zone` or below it.
    public func isSubdomain(of zone: DNSName) -> Bool {
        guard zone.labels.count <= labels.count else { return false }
        return DNSName(uncheckedLabels: Array(labels.suffix(zone.labels.count))) == zone
    }

    /// This name with `other`'s labels appended ("host" + "example.org").
    public func appending(_ other: DNSName) throws(DNSError) -> DNSName {
        try DNSName(labels: labels + other.labels)
    }

    /// Master-file text with the trailing dot; '.', '\\' and non-printable octets escaped.
    public var description: String {
        if labels.isEmpty { return "." }
        var out = ""
        for l in labels {
            for b in l {
                switch b {
                case UInt8(ascii: "."), UInt8(ascii: "\\"): out.append("\\"); out.append(Character(Unicode.Scalar(b)))
                case 0x21...0x7E: out.append(Character(Unicode.Scalar(b)))
                default:
                    let d = String(b)
                    out.append("\\" + String(repeating: "0", count: 3 - d.count) + d)
                }
            }
            out.append(".")
        }
        return out
    }

    public static func == (a: DNSName, b: DNSName) -> Bool {
        guard a.labels.count == b.labels.count else { return false }
        for (x, y) in zip(a.labels, b.labels) {
            guard x.count == y.count else { return false }
            for (p, q) in zip(x, y) where p != q {
                let lp = (p >= 65 && p <= 90) ? p | 0x20 : p
                let lq = (q >= 65 && q <= 90) ? q | 0x20 : q
                if lp != lq { return false }
            }
        }
        return true
    }

    public func hash(into h: inout Hasher) {
        for l in lowercased.labels { h.combine(l.count); h.combine(l) }
    }

    /// The reverse-mapping name of an IPv4 address ("4.3.2.1.in-addr.arpa.").
    public static func reverse(_ a: IPv4Address) -> DNSName {
        let o = [a.value >> 24, a.value >> 16 & 0xFF, a.value >> 8 & 0xFF, a.value & 0xFF]
        return DNSName(uncheckedLabels: o.reversed().map { Array(String($0).utf8) } + [Array("in-addr".utf8), Array("arpa".utf8)])
    }

    /// The reverse-mapping name of an IPv6 address (nibbles, then "ip6.arpa.").
    public static func reverse(_ a: IPv6Address) -> DNSName {
        let hex = Array("0123456789abcdef".utf8)
        var labels: [[UInt8]] = []
        for b in a.bytes.reversed() {
            labels.append([hex[Int(b & 15)]])
            labels.append([hex[Int(b >> 4)]])
        }
        return DNSName(uncheckedLabels: labels + [Array("ip6".utf8), Array("arpa".utf8)])
    }
}

/// Why a DNS name or message was refused.
public enum DNSError: Error, Sendable, Equatable, CustomStringConvertible {
    case badName(String)
    case truncated(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .badName(let s): return "bad domain name: \(s)"
        case .truncated(let s): return "truncated DNS message: \(s)"
        case .malformed(let s): return "malformed DNS message: \(s)"
        }
    }
}
