/// An IPv6 address as two host-order halves, so hashing, comparing and prefix arithmetic are
/// integer operations.
public struct IPv6Address: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Reads sixteen network-order bytes. Inlinable: the sockets read every datagram's
    /// addresses from raw buffers, and an unspecialized generic loop looked up type metadata
    /// per byte.
    @inlinable
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "IPv6Address needs exactly 16 bytes")
        var h: UInt64 = 0, l: UInt64 = 0, i = 0
        for b in bytes {
            if i < 8 { h = h << 8 | UInt64(b) } else { l = l << 8 | UInt64(b) }
            i += 1
        }
        high = h
        low = l
    }

    /// Parses RFC 4291 text ("2001:db8::1", "::ffff:192.0.2.1"); nil for anything else.
    public init?(_ text: some StringProtocol) {
        guard let bytes = OptionIPv6Text.parse(String(text)) else { return nil }
        self.init(bytes: bytes)
    }

    public static let unspecified = IPv6Address(high: 0, low: 0)

    /// Network-order bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16)
        append(to: &out)
        return out
    }

    /// Appends the sixteen network-order bytes (no intermediate array: the encoders write an
    /// address or two into every DHCPv6 reply).
    public func append(to out: inout [UInt8]) {
        withUnsafeBytes(of: high.bigEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { out.append(contentsOf: $0) }
    }

    public var isMulticast: Bool { high >> 56 == 0xFF }
    public var isLinkLocal: Bool { high >> 54 == 0x3FA }

    /// RFC 5952 text.
    public var description: String {
        // At most 39 characters, written as ASCII into the string's storage: log lines and
        // control answers format addresses this way.
        String(unsafeUninitializedCapacity: 39) { writeText(at: $0.baseAddress!) }
    }

    public static func < (a: IPv6Address, b: IPv6Address) -> Bool { (a.high, a.low) < (b.high, b.low) }
}

/// An IPv6 prefix: the network's address with the host bits cleared, and its length.
public struct IPv6Prefix: Hashable, Sendable, CustomStringConvertible {
    public var network: IPv6Address
    public var length: Int

    public init(network: IPv6Address, length: Int) {
        precondition((0...128).contains(length), "an IPv6 prefix length is 0...128")
        self.length = length
        self.network = IPv6Prefix.mask(network, length)
    }

    /// "2001:db8:1::/48"; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPv6Address(parts[0]), let n = Int(parts[1]), (0...128).contains(n) else { return nil }
        self.init(network: a, length: n)
    }

    static func mask(_ a: IPv6Address, _ length: Int) -> IPv6Address {
        let highMask: UInt64 = length >= 64 ? ~0 : (length == 0 ? 0 : ~0 << UInt64(64 - length))
        let lowMask: UInt64 = length <= 64 ? 0 : (length == 128 ? ~0 : ~0 << UInt64(128 - length))
        return IPv6Address(high: a.high & highMask, low: a.low & lowMask)
    }

    public func contains(_ a: IPv6Address) -> Bool { IPv6Prefix.mask(a, length) == network }

    public var first: IPv6Address { network }
    /// The prefix's highest address (all host bits set).
    public var last: IPv6Address {
        let hostBits = IPv6Prefix.mask(IPv6Address(high: ~0, low: ~0), length)
        return IPv6Address(high: network.high | ~hostBits.high, low: network.low | ~hostBits.low)
    }

    public var description: String { "\(network)/\(length)" }
}

/// An address of either family: what datagrams, interfaces and shells carry, so that one
/// vocabulary serves DHCPv4 and DHCPv6.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses either family's text form.
    public init?(_ text: some StringProtocol) {
        if let a = IPv4Address(text) { self = .v4(a) } else if let a = IPv6Address(text) { self = .v6(a) } else { return nil }
    }

    /// The IPv4 address, or nil for an IPv6 one.
    @inline(__always)
    public var v4: IPv4Address? {
        if case .v4(let a) = self { return a }
        return nil
    }

    /// The IPv6 address, or nil for an IPv4 one.
    @inline(__always)
    public var v6: IPv6Address? {
        if case .v6(let a) = self { return a }
        return nil
    }

    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }
}
