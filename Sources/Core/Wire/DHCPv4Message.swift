/// DHCP message types (option 53), RFC 2132 §9.6.
public enum DHCPv4MessageType: UInt8, Sendable, CaseIterable {
    case discover = 1, offer, request, decline, ack, nak, release, inform
    case forceRenew = 9, leaseQuery, leaseUnassigned, leaseUnknown, leaseActive

    /// Kea's spelling in logs and statistics ("DHCPDISCOVER").
    public var keaName: String {
        switch self {
        case .discover: "DHCPDISCOVER"
        case .offer: "DHCPOFFER"
        case .request: "DHCPREQUEST"
        case .decline: "DHCPDECLINE"
        case .ack: "DHCPACK"
        case .nak: "DHCPNAK"
        case .release: "DHCPRELEASE"
        case .inform: "DHCPINFORM"
        case .forceRenew: "DHCPFORCERENEW"
        case .leaseQuery: "DHCPLEASEQUERY"
        case .leaseUnassigned: "DHCPLEASEUNASSIGNED"
        case .leaseUnknown: "DHCPLEASEUNKNOWN"
        case .leaseActive: "DHCPLEASEACTIVE"
        }
    }
}

/// A decoded DHCPv4 (BOOTP) message. `options` holds each option once, in first-seen order, with
/// repeated instances already joined (RFC 3396) and overloaded sname/file options merged in.
public struct DHCPv4Message: Sendable, Equatable {
    public static let bootRequest: UInt8 = 1
    public static let bootReply: UInt8 = 2
    public static let magicCookie: UInt32 = 0x6382_5363
    /// Fixed BOOTP header length before the magic cookie.
    public static let headerLength = 236
    /// RFC 1542: replies are padded to at least the BOOTP message size.
    public static let minimumLength = 300
    /// RFC 2131: every client must accept 576-byte IP datagrams (548 bytes of DHCP).
    public static let defaultMaxMessageSize = 576

    public var op: UInt8 = bootRequest
    public var htype: UInt8 = 1
    public var hlen: UInt8 = 6
    public var hops: UInt8 = 0
    public var xid: UInt32 = 0
    public var secs: UInt16 = 0
    public var flags: UInt16 = 0
    public var ciaddr: IPv4Address = .zero
    public var yiaddr: IPv4Address = .zero
    public var siaddr: IPv4Address = .zero
    public var giaddr: IPv4Address = .zero
    /// The chaddr field: 16 bytes as decoded; shorter values are zero-padded when encoded
    /// (a new message starts empty rather than allocating 16 zeros).
    public var chaddr: [UInt8] = []
    /// sname and file, without trailing NULs; empty when they carried options (overload).
    public var sname: [UInt8] = []
    public var file: [UInt8] = []
    public var options: DHCPv4Options = DHCPv4Options()

    public init() {}

    public var broadcastFlag: Bool {
        get { flags & 0x8000 != 0 }
        set { flags = newValue ? flags | 0x8000 : flags & 0x7FFF }
    }

    /// The client's hardware address: htype plus the first hlen bytes of chaddr (hlen capped at 16).
    public var hardwareAddress: HardwareAddress {
        HardwareAddress(type: htype, bytes: Array(chaddr.prefix(Int(min(hlen, 16)))))
    }

    public var messageType: DHCPv4MessageType? {
        options.u8(DHCPv4Option.dhcpMessageType).flatMap { DHCPv4MessageType(rawValue: $0) }
    }

    /// Option 50 when it is exactly four bytes.
    public var requestedAddress: IPv4Address? { options.address(DHCPv4Option.dhcpRequestedAddress) }
    /// Option 54 when it is exactly four bytes.
    public var serverIdentifier: IPv4Address? { options.address(DHCPv4Option.dhcpServerIdentifier) }
    /// Option 61, when present and non-empty.
    public var clientIdentifier: [UInt8]? {
        guard let v = options[DHCPv4Option.dhcpClientIdentifier], !v.isEmpty else { return nil }
        return v
    }
}

/// An ordered option list keyed by code. Option data lives in one byte buffer with a small
/// index of (code, start, length): decoding shares the datagram's buffer instead of copying
/// each option, and the protocol's common reads (`u8`, `address`, `u32`) allocate nothing.
/// Small (tens of entries), so a linear scan beats hashing. Indexed by the one-octet wire code;
/// the protocol logic names its options with `DHCPv4Option` keys (see `DHCPv4Options+Keys`).
public struct DHCPv4Options: Sendable, Sequence {
    /// The PAD octet between options (RFC 2132 §3.1): a wire delimiter, not an option, so it has
    /// no definition in `OptionTable.dhcp4` (Kea has none either).
    public static let padCode: UInt8 = 0
    /// The END octet after the last option (RFC 2132 §3.2); a delimiter too.
    public static let endCode: UInt8 = 255

    public struct Entry: Sendable, Equatable {
        public var code: UInt8
        public var data: [UInt8]
    }

    @usableFromInline struct Slot: Sendable {
        var code: UInt8
        var start: Int32
        var count: Int32
    }

    @usableFromInline var storage: [UInt8] = []
    @usableFromInline var slots: [Slot] = []

    public init() {}

    /// Options over a shared buffer (the decoder passes the datagram itself).
    init(sharing buffer: [UInt8]) {
        storage = buffer
        slots.reserveCapacity(16)   // one allocation for a typical packet's options, not four
    }

    @inline(__always) func slotIndex(_ code: UInt8) -> Int? {
        for i in slots.indices where slots[i].code == code { return i }
        return nil
    }

    public subscript(code: UInt8) -> [UInt8]? {
        get {
            guard let i = slotIndex(code) else { return nil }
            let s = slots[i]
            return Array(storage[Int(s.start)..<Int(s.start + s.count)])
        }
        set {
            if let v = newValue {
                let start = Int32(storage.count)
                storage.append(contentsOf: v)
                let slot = Slot(code: code, start: start, count: Int32(v.count))
                if let i = slotIndex(code) { slots[i] = slot } else { slots.append(slot) }
            } else if let i = slotIndex(code) {
                slots.remove(at: i)
            }
        }
    }

    /// Sets an option to `count` bytes that `write` appends to the buffer: what the setter
    /// does, without an array for the value.
    @inline(__always) mutating func place(_ code: UInt8, count: Int, _ write: (inout [UInt8]) -> Void) {
        let start = Int32(storage.count)
        write(&storage)
        let slot = Slot(code: code, start: start, count: Int32(count))
        if let i = slotIndex(code) { slots[i] = slot } else { slots.append(slot) }
    }

    /// Sets a one-octet option (as `self[code] = [v]`, without the array).
    public mutating func set(_ code: UInt8, u8 v: UInt8) { place(code, count: 1) { $0.append(v) } }

    /// Sets a four-octet option, network byte order (as `self[code] = bytes`, without the array).
    public mutating func set(_ code: UInt8, u32 v: UInt32) {
        place(code, count: 4) {
            $0.append(UInt8(v >> 24))
            $0.append(UInt8(truncatingIfNeeded: v >> 16))
            $0.append(UInt8(truncatingIfNeeded: v >> 8))
            $0.append(UInt8(truncatingIfNeeded: v))
        }
    }

    /// Adds option data found in a datagram, joining split instances as RFC 3396 requires.
    mutating func join(code: UInt8, start: Int, count: Int) {
        guard let i = slotIndex(code) else {
            slots.append(Slot(code: code, start: Int32(start), count: Int32(count)))
            return
        }
        // A repeated option: its parts are copied together at the end of the buffer.
        let old = slots[i]
        let joined = Array(storage[Int(old.start)..<Int(old.start + old.count)]) + Array(storage[start..<start + count])
        let newStart = Int32(storage.count)
        storage.append(contentsOf: joined)
        slots[i] = Slot(code: code, start: newStart, count: Int32(joined.count))
    }

    public func contains(_ code: UInt8) -> Bool { slotIndex(code) != nil }

    /// An option's data in place (no copy), nil when absent.
    public func data(_ code: UInt8) -> ArraySlice<UInt8>? {
        guard let i = slotIndex(code) else { return nil }
        let s = slots[i]
        return storage[Int(s.start)..<Int(s.start + s.count)]
    }

    /// Room for `bytes` of option data and `options` entries, so building a message does not
    /// reallocate as options are added.
    public mutating func reserveCapacity(bytes: Int, options: Int) {
        storage.reserveCapacity(bytes)
        slots.reserveCapacity(options)
    }

    /// Length of an option's data, nil when absent.
    public func length(_ code: UInt8) -> Int? { slotIndex(code).map { Int(slots[$0].count) } }

    /// A one-byte option's value.
    public func u8(_ code: UInt8) -> UInt8? {
        guard let i = slotIndex(code), slots[i].count == 1 else { return nil }
        return storage[Int(slots[i].start)]
    }

    public func address(_ code: UInt8) -> IPv4Address? { u32(code).map { IPv4Address($0) } }

    public func u32(_ code: UInt8) -> UInt32? {
        guard let i = slotIndex(code), slots[i].count == 4 else { return nil }
        let o = Int(slots[i].start)
        return UInt32(storage[o]) << 24 | UInt32(storage[o + 1]) << 16 | UInt32(storage[o + 2]) << 8 | UInt32(storage[o + 3])
    }

    public func u16(_ code: UInt8) -> UInt16? {
        guard let i = slotIndex(code), slots[i].count == 2 else { return nil }
        let o = Int(slots[i].start)
        return UInt16(storage[o]) << 8 | UInt16(storage[o + 1])
    }

    /// Whether the option's data is exactly `bytes`.
    public func has(_ code: UInt8, equalTo bytes: [UInt8]) -> Bool {
        guard let i = slotIndex(code), Int(slots[i].count) == bytes.count else { return false }
        let o = Int(slots[i].start)
        for k in 0..<bytes.count where storage[o + k] != bytes[k] { return false }
        return true
    }

    /// Appends each option as code, length, data (options longer than 255 bytes excepted).
    func writeShort(into out: inout [UInt8]) {
        for s in slots {
            out.append(s.code)
            out.append(UInt8(truncatingIfNeeded: s.count))
            out.append(contentsOf: storage[Int(s.start)..<Int(s.start + s.count)])
        }
    }

    /// Total encoded size if every option is at most 255 bytes, else nil.
    var shortEncodedSize: Int? {
        var n = 0
        for s in slots {
            guard s.count <= 255 else { return nil }
            n += 2 + Int(s.count)
        }
        return n
    }

    /// The options in order, with their data copied out.
    public var entries: [Entry] {
        slots.map { Entry(code: $0.code, data: Array(storage[Int($0.start)..<Int($0.start + $0.count)])) }
    }

    public var count: Int { slots.count }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

extension DHCPv4Options: Equatable {
    /// Equal when they hold the same options with the same data in the same order.
    public static func == (a: DHCPv4Options, b: DHCPv4Options) -> Bool {
        guard a.slots.count == b.slots.count else { return false }
        for (x, y) in zip(a.slots, b.slots) {
            guard x.code == y.code, x.count == y.count,
                  a.storage[Int(x.start)..<Int(x.start + x.count)].elementsEqual(b.storage[Int(y.start)..<Int(y.start + y.count)])
            else { return false }
        }
        return true
    }
}
