/// A bounds-checked reader over one option payload. Every read returns nil instead of trapping,
/// so decoding any byte string is total.
struct OptionPayloadReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }
    var isAtEnd: Bool { offset >= bytes.count }

    mutating func u8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        offset += 1
        return bytes[offset - 1]
    }

    /// A big-endian unsigned integer of `count` octets (1, 2 or 4).
    mutating func unsigned(octets count: Int) -> UInt32? {
        guard let slice = take(count) else { return nil }
        return slice.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func take(_ count: Int) -> ArraySlice<UInt8>? {
        guard count >= 0, remaining >= count else { return nil }
        offset += count
        return bytes[(offset - count)..<offset]
    }

    /// Everything not read yet.
    mutating func takeRest() -> [UInt8] {
        Array(take(remaining) ?? [])
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` big-endian in its low `octets` octets.
    mutating func appendOptionInteger(_ value: UInt32, octets: Int) {
        for shift in stride(from: (octets - 1) * 8, through: 0, by: -8) {
            append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }
}
