/// An IPv4 address held as a host-order integer, so that pools and ranges are plain arithmetic.
public struct IPv4Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) {
        value = UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d)
    }

    /// Parses dotted-quad text ("192.0.2.1"); nil for anything else (no leading/trailing junk).
    public init?(_ text: some StringProtocol) {
        var parts: [UInt32] = []
        var current: UInt32 = 0
        var digits = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, parts.count < 3 else { return nil }
                parts.append(current)
                current = 0
                digits = 0
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                guard digits < 3 else { return nil }
                current = current * 10 + UInt32(byte - UInt8(ascii: "0"))
                digits += 1
                guard current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0, parts.count == 3 else { return nil }
        parts.append(current)
        value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    /// Reads four network-order bytes.
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 4, "IPv4Address needs exactly 4 bytes")
        var v: UInt32 = 0
        for b in bytes { v = v << 8 | UInt32(b) }
        value = v
    }

    public static let zero = IPv4Address(0)
    public static let broadcast = IPv4Address(0xFFFF_FFFF)

    public var isZero: Bool { value == 0 }

    /// Network-order bytes.
    public var bytes: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
    }

    public var description: String {
        "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
    }

    public static func < (lhs: IPv4Address, rhs: IPv4Address) -> Bool { lhs.value < rhs.value }
}

/// An IPv4 prefix such as 192.0.2.0/24.
public struct IPv4Prefix: Hashable, Sendable, CustomStringConvertible {
    public var network: IPv4Address
    public var length: Int

    public init(network: IPv4Address, length: Int) {
        precondition((0...32).contains(length), "prefix length out of range")
        self.length = length
        self.network = IPv4Address(network.value & IPv4Prefix.mask(length))
    }

    /// Parses "a.b.c.d/len"; nil when malformed.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let address = IPv4Address(parts[0]),
              let len = Int(parts[1]), (0...32).contains(len) else { return nil }
        self.init(network: address, length: len)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : UInt32.max << UInt32(32 - length) }

    public var mask: IPv4Address { IPv4Address(IPv4Prefix.mask(length)) }
    public var broadcast: IPv4Address { IPv4Address(network.value | ~IPv4Prefix.mask(length)) }
    public var first: IPv4Address { network }
    public var last: IPv4Address { broadcast }

    public func contains(_ address: IPv4Address) -> Bool {
        address.value & IPv4Prefix.mask(length) == network.value
    }

    public var description: String { "\(network)/\(length)" }
}
