/// The typed payloads of the DHCPv6 options the server reads and writes (RFC 8415 §21). Each
/// parses from an option's data with a typed error and writes its data back; parsing then
/// writing gives the same bytes for any data that parses.

/// An IA_NA (3) or IA_PD (25): IAID, T1, T2 and the IA's own options (IAADDR or IAPREFIX,
/// status code). The two share a layout (RFC 8415 §21.4, §21.21).
public struct DHCPv6IA: Sendable, Equatable {
    /// IAID, T1, T2.
    public static let fixedLength = 12

    public var iaid: UInt32
    public var t1Seconds: UInt32
    public var t2Seconds: UInt32
    public var options: DHCPv6Options

    public init(iaid: UInt32, t1Seconds: UInt32 = 0, t2Seconds: UInt32 = 0, options: DHCPv6Options = DHCPv6Options()) {
        self.iaid = iaid
        self.t1Seconds = t1Seconds
        self.t2Seconds = t2Seconds
        self.options = options
    }

    /// Parses an IA_NA or IA_PD payload (`code` names which, for errors).
    public static func parse(_ data: some Collection<UInt8>, code: UInt16) throws(DHCPv6DecodeError) -> DHCPv6IA {
        let bytes = Array(data)
        guard bytes.count >= fixedLength else { throw .badOptionLength(code: code, length: bytes.count) }
        var c = ByteCursor(bytes)
        let iaid = c.u32()!, t1 = c.u32()!, t2 = c.u32()!  // length checked above
        let options = try DHCPv6Message.parseOptions(bytes, from: fixedLength, to: bytes.count).get()
        return DHCPv6IA(iaid: iaid, t1Seconds: t1, t2Seconds: t2, options: options)
    }

    public var data: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.fixedLength + options.encodedSize)
        out.appendU32(iaid)
        out.appendU32(t1Seconds)
        out.appendU32(t2Seconds)
        options.write(into: &out)
        return out
    }

    /// The IAADDR options of an IA_NA.
    public func addresses() throws(DHCPv6DecodeError) -> [DHCPv6IAAddress] {
        try options.all(.iaaddr).map { (d) throws(DHCPv6DecodeError) in try DHCPv6IAAddress.parse(d) }
    }

    /// The IAPREFIX options of an IA_PD.
    public func prefixes() throws(DHCPv6DecodeError) -> [DHCPv6IAPrefix] {
        try options.all(.iaprefix).map { (d) throws(DHCPv6DecodeError) in try DHCPv6IAPrefix.parse(d) }
    }

    /// The IA's status code option, if any.
    public func status() throws(DHCPv6DecodeError) -> DHCPv6Status? {
        try options[.statusCode].map { (d) throws(DHCPv6DecodeError) in try DHCPv6Status.parse(d) }
    }
}

/// An IA_TA (4): IAID and options, no T1/T2 (RFC 8415 §21.5; deprecated, Kea does not serve it).
public struct DHCPv6TemporaryIA: Sendable, Equatable {
    public static let fixedLength = 4

    public var iaid: UInt32
    public var options: DHCPv6Options

    public init(iaid: UInt32, options: DHCPv6Options = DHCPv6Options()) {
        self.iaid = iaid
        self.options = options
    }

    public static func parse(_ data: some Collection<UInt8>) throws(DHCPv6DecodeError) -> DHCPv6TemporaryIA {
        let bytes = Array(data)
        guard bytes.count >= fixedLength else { throw .badOptionLength(code: DHCPv6Option.iaTa.code, length: bytes.count) }
        var c = ByteCursor(bytes)
        let iaid = c.u32()!  // length checked above
        return DHCPv6TemporaryIA(iaid: iaid, options: try DHCPv6Message.parseOptions(bytes, from: fixedLength, to: bytes.count).get())
    }

    public var data: [UInt8] {
        var out: [UInt8] = []
        out.appendU32(iaid)
        options.write(into: &out)
        return out
    }
}

/// An IAADDR (5): an address, its preferred and valid lifetimes, and its options.
public struct DHCPv6IAAddress: Sendable, Equatable {
    public static let fixedLength = 24

    public var address: IPv6Address
    public var preferredLifetimeSeconds: UInt32
    public var validLifetimeSeconds: UInt32
    public var options: DHCPv6Options

    public init(address: IPv6Address, preferredLifetimeSeconds: UInt32, validLifetimeSeconds: UInt32,
                options: DHCPv6Options = DHCPv6Options()) {
        self.address = address
        self.preferredLifetimeSeconds = preferredLifetimeSeconds
        self.validLifetimeSeconds = validLifetimeSeconds
        self.options = options
    }

    public static func parse(_ data: some Collection<UInt8>) throws(DHCPv6DecodeError) -> DHCPv6IAAddress {
        let bytes = Array(data)
        guard bytes.count >= fixedLength else { throw .badOptionLength(code: DHCPv6Option.iaaddr.code, length: bytes.count) }
        var c = ByteCursor(bytes)
        let address = IPv6Address(bytes: c.take(16)!)  // length checked above
        let preferred = c.u32()!, valid = c.u32()!
        let options = try DHCPv6Message.parseOptions(bytes, from: fixedLength, to: bytes.count).get()
        return DHCPv6IAAddress(address: address, preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid, options: options)
    }

    public var data: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        address.append(to: &out)
        out.appendU32(preferredLifetimeSeconds)
        out.appendU32(validLifetimeSeconds)
        options.write(into: &out)
        return out
    }
}

/// An IAPREFIX (26): lifetimes, prefix length, the prefix's 16 octets, and its options.
///
/// The 16 octets are kept as sent (`prefixAddress`), host bits included, so that parsing then
/// writing gives back the same bytes; `prefix` masks them.
public struct DHCPv6IAPrefix: Sendable, Equatable {
    public static let fixedLength = 25

    public var preferredLifetimeSeconds: UInt32
    public var validLifetimeSeconds: UInt32
    /// 0...128.
    public var prefixLength: UInt8
    public var prefixAddress: IPv6Address
    public var options: DHCPv6Options

    public init(prefix: IPv6Prefix, preferredLifetimeSeconds: UInt32, validLifetimeSeconds: UInt32,
                options: DHCPv6Options = DHCPv6Options()) {
        self.preferredLifetimeSeconds = preferredLifetimeSeconds
        self.validLifetimeSeconds = validLifetimeSeconds
        self.prefixLength = UInt8(prefix.length)
        self.prefixAddress = prefix.network
        self.options = options
    }

    public var prefix: IPv6Prefix { IPv6Prefix(network: prefixAddress, length: Int(prefixLength)) }

    public static func parse(_ data: some Collection<UInt8>) throws(DHCPv6DecodeError) -> DHCPv6IAPrefix {
        let bytes = Array(data)
        guard bytes.count >= fixedLength else { throw .badOptionLength(code: DHCPv6Option.iaprefix.code, length: bytes.count) }
        var c = ByteCursor(bytes)
        let preferred = c.u32()!, valid = c.u32()!, length = c.u8()!  // length checked above
        guard length <= 128 else { throw .badPrefixLength(length) }
        let address = IPv6Address(bytes: c.take(16)!)
        var value = DHCPv6IAPrefix(prefix: IPv6Prefix(network: address, length: Int(length)),
                                   preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                                   options: try DHCPv6Message.parseOptions(bytes, from: fixedLength, to: bytes.count).get())
        value.prefixAddress = address
        return value
    }

    public var data: [UInt8] {
        var out: [UInt8] = []
        out.appendU32(preferredLifetimeSeconds)
        out.appendU32(validLifetimeSeconds)
        out.append(prefixLength)
        prefixAddress.append(to: &out)
        options.write(into: &out)
        return out
    }
}

/// Status codes (RFC 8415 §21.13, RFC 5007, RFC 5460), as Kea 2.4's `DHCPv6StatusCode` lists
/// them; others are kept by number.
public enum DHCPv6StatusCode: Hashable, Sendable {
    case success, unspecFail, noAddrsAvail, noBinding, notOnLink, useMulticast, noPrefixAvail
    case unknownQueryType, malformedQuery, notConfigured, notAllowed, queryTerminated
    case other(UInt16)

    public init(code: UInt16) {
        switch code {
        case 0: self = .success
        case 1: self = .unspecFail
        case 2: self = .noAddrsAvail
        case 3: self = .noBinding
        case 4: self = .notOnLink
        case 5: self = .useMulticast
        case 6: self = .noPrefixAvail
        case 7: self = .unknownQueryType
        case 8: self = .malformedQuery
        case 9: self = .notConfigured
        case 10: self = .notAllowed
        case 11: self = .queryTerminated
        default: self = .other(code)
        }
    }

    public var code: UInt16 {
        switch self {
        case .success: 0
        case .unspecFail: 1
        case .noAddrsAvail: 2
        case .noBinding: 3
        case .notOnLink: 4
        case .useMulticast: 5
        case .noPrefixAvail: 6
        case .unknownQueryType: 7
        case .malformedQuery: 8
        case .notConfigured: 9
        case .notAllowed: 10
        case .queryTerminated: 11
        case .other(let code): code
        }
    }
}

/// A Status Code option (13): a code and a UTF-8 message for people (RFC 8415 §21.13).
/// The message is kept as bytes so that a peer's invalid UTF-8 survives a round trip.
public struct DHCPv6Status: Sendable, Equatable {
    public static let fixedLength = 2

    public var code: DHCPv6StatusCode
    public var messageBytes: [UInt8]

    public init(_ code: DHCPv6StatusCode, message: String = "") {
        self.code = code
        self.messageBytes = Array(message.utf8)
    }

    /// The message text; invalid UTF-8 becomes U+FFFD.
    public var message: String { String(decoding: messageBytes, as: UTF8.self) }

    public static func parse(_ data: some Collection<UInt8>) throws(DHCPv6DecodeError) -> DHCPv6Status {
        let bytes = Array(data)
        guard bytes.count >= fixedLength else { throw .badOptionLength(code: DHCPv6Option.statusCode.code, length: bytes.count) }
        var status = DHCPv6Status(DHCPv6StatusCode(code: UInt16(bytes[0]) << 8 | UInt16(bytes[1])))
        status.messageBytes = Array(bytes[2...])
        return status
    }

    public var data: [UInt8] {
        var out: [UInt8] = []
        out.appendU16(code.code)
        out.append(contentsOf: messageBytes)
        return out
    }
}

/// A Vendor Class (16) or Vendor-specific Information (17) option: an enterprise number and
/// what follows it (opaque-data items for 16, the vendor's options for 17), kept raw.
public struct DHCPv6VendorData: Sendable, Equatable {
    public static let fixedLength = 4

    public var enterpriseNumber: UInt32
    public var payload: [UInt8]

    public init(enterpriseNumber: UInt32, payload: [UInt8] = []) {
        self.enterpriseNumber = enterpriseNumber
        self.payload = payload
    }

    public static func parse(_ data: some Collection<UInt8>, code: UInt16) throws(DHCPv6DecodeError) -> DHCPv6VendorData {
        let bytes = Array(data)
        guard bytes.count >= fixedLength else { throw .badOptionLength(code: code, length: bytes.count) }
        var c = ByteCursor(bytes)
        return DHCPv6VendorData(enterpriseNumber: c.u32()!, payload: Array(bytes[fixedLength...]))
    }

    public var data: [UInt8] {
        var out: [UInt8] = []
        out.appendU32(enterpriseNumber)
        out.append(contentsOf: payload)
        return out
    }

    /// The opaque-data items of a Vendor Class payload (each a two-octet length and data).
    public func opaqueItems() throws(DHCPv6DecodeError) -> [[UInt8]] {
        try DHCPv6OpaqueData.items(payload, code: DHCPv6Option.vendorClass.code)
    }

    /// The vendor's options in a Vendor-specific Information payload.
    public func vendorOptions() throws(DHCPv6DecodeError) -> DHCPv6Options {
        try DHCPv6Message.parseOptions(payload, from: 0, to: payload.count).get()
    }
}

/// Lists of opaque-data items, each a two-octet length then that many octets: User Class (15)
/// and the payload of Vendor Class (16).
public enum DHCPv6OpaqueData {
    public static func items(_ data: some Collection<UInt8>, code: UInt16) throws(DHCPv6DecodeError) -> [[UInt8]] {
        var c = ByteCursor(Array(data))
        var out: [[UInt8]] = []
        // Bounded: every item consumes at least its two length octets.
        while !c.isAtEnd {
            guard let length = c.u16(), let item = c.take(Int(length)) else {
                throw .malformedOpaqueData(code: code)
            }
            out.append(Array(item))
        }
        return out
    }

    public static func encode(_ items: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for item in items {
            precondition(item.count <= Int(UInt16.max), "an opaque-data item holds at most 65535 bytes")
            out.appendU16(UInt16(item.count))
            out.append(contentsOf: item)
        }
        return out
    }
}
