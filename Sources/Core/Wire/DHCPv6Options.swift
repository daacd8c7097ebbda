/// The options of one DHCPv6 message or container option, in wire order. Unlike DHCPv4, a code
/// may repeat (several IA_NA, one IAADDR per address) and instances are never joined, so this is
/// a list rather than a map. Small (tens of entries): lookups are linear scans.
public struct DHCPv6Options: Sendable, Equatable, Sequence {
    /// The four-octet header before each option's data: option-code, option-len.
    public static let optionHeaderLength = 4
    /// The most data one option can carry (its length field is 16 bits).
    public static let optionDataLengthMax = Int(UInt16.max)

    public struct Entry: Sendable, Equatable {
        public var code: UInt16
        public var data: [UInt8]

        public init(code: UInt16, data: [UInt8]) {
            precondition(data.count <= DHCPv6Options.optionDataLengthMax, "option \(code) data exceeds 65535 bytes")
            self.code = code
            self.data = data
        }
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    public init(_ entries: [Entry]) { self.entries = entries }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    /// The data of the first instance of `code`, or nil.
    public subscript(code: UInt16) -> [UInt8]? {
        for e in entries where e.code == code { return e.data }
        return nil
    }

    /// The data of every instance of `code`, in wire order.
    public func all(_ code: UInt16) -> [[UInt8]] { entries.filter { $0.code == code }.map(\.data) }

    public func contains(_ code: UInt16) -> Bool { entries.contains { $0.code == code } }

    /// How many instances of `code` there are (without copying their data).
    public func instances(of code: UInt16) -> Int {
        var n = 0
        for e in entries where e.code == code { n += 1 }
        return n
    }

    /// Adds an instance after the others (repeats allowed).
    public mutating func append(_ code: UInt16, _ data: [UInt8]) {
        // A reply is built option by option: room for a typical one at once, not 1, 2, 4, 8.
        if entries.capacity == 0 { entries.reserveCapacity(8) }
        entries.append(Entry(code: code, data: data))
    }

    /// Removes every instance of `code`.
    public mutating func removeAll(_ code: UInt16) { entries.removeAll { $0.code == code } }

    /// Wire size: a header per option plus the data.
    public var encodedSize: Int { entries.reduce(0) { $0 + Self.optionHeaderLength + $1.data.count } }

    /// Appends every option as code, length, data.
    func write(into out: inout [UInt8]) {
        for e in entries { Self.writeOption(e.code, e.data, into: &out) }
    }

    /// The encoded options.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedSize)
        write(into: &out)
        return out
    }

    static func writeOption(_ code: UInt16, _ data: some Collection<UInt8>, into out: inout [UInt8]) {
        precondition(data.count <= optionDataLengthMax, "option \(code) data exceeds 65535 bytes")
        out.appendU16(code)
        out.appendU16(UInt16(data.count))
        out.append(contentsOf: data)
    }
}

/// The `dhcp6` options the codec and protocol logic read by themselves, as typed keys.
///
/// Not a second table: each case is named after its definition in `OptionTable.dhcp6` (Kea's
/// name in lower camel case: `ia-na` is `iaNa`), its raw value is that definition's code, and a
/// test fails if either disagrees with the table.
public enum DHCPv6Option: UInt16, CaseIterable, Sendable {
    case clientid = 1
    case serverid = 2
    case iaNa = 3
    case iaTa = 4
    case iaaddr = 5
    case oro = 6
    case preference = 7
    case elapsedTime = 8
    case relayMsg = 9
    case unicast = 12
    case statusCode = 13
    case rapidCommit = 14
    case userClass = 15
    case vendorClass = 16
    case vendorOpts = 17
    case interfaceId = 18
    case reconfMsg = 19
    case reconfAccept = 20
    case iaPd = 25
    case iaprefix = 26
    case clientFqdn = 39

    @inlinable public var code: UInt16 { rawValue }

    /// The option's key in the table.
    public var key: OptionKey { .dhcp6(rawValue) }
}

extension DHCPv6Options {
    public subscript(option: DHCPv6Option) -> [UInt8]? { self[option.code] }
    public func contains(_ option: DHCPv6Option) -> Bool { contains(option.code) }
    public func all(_ option: DHCPv6Option) -> [[UInt8]] { all(option.code) }
    public mutating func append(_ option: DHCPv6Option, _ data: [UInt8]) { append(option.code, data) }
}
