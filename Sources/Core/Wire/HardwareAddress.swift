/// A client's link-layer address as DHCP carries it: a hardware type (1 = Ethernet) and bytes.
public struct HardwareAddress: Hashable, Sendable, CustomStringConvertible {
    public var type: UInt8
    public var bytes: [UInt8]

    public init(type: UInt8 = 1, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }

    /// Parses "aa:bb:cc:dd:ee:ff" (also '-' separated, or bare hex). Kea's lease files use ':'.
    public init?(text: some StringProtocol, type: UInt8 = 1) {
        guard let parsed = HexText.decode(text) else { return nil }
        self.init(type: type, bytes: parsed)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// Colon-separated lowercase hex, as Kea prints it ("08:00:27:aa:bb:cc").
    public var description: String { HexText.colonSeparated(bytes) }
}

/// Hex text helpers shared by the config decoder, lease files and commands.
public enum HexText {
    /// The lowercase ASCII hex digit of a nibble (0...15).
    @inline(__always)
    static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// "01:02:0a" style, lowercase. Written as UTF-8 bytes into the string's own storage
    /// (lease rows and log lines format every DUID and hardware address this way).
    public static func colonSeparated(_ bytes: some Collection<UInt8>) -> String {
        let n = bytes.count
        guard n > 0 else { return "" }
        return String(unsafeUninitializedCapacity: n * 3 - 1) { out in
            var i = 0
            for b in bytes {
                if i > 0 { out[i] = UInt8(ascii: ":"); i += 1 }
                out[i] = digit(b >> 4)
                out[i + 1] = digit(b & 0xF)
                i += 2
            }
            return i
        }
    }

    /// Contiguous lowercase hex ("01020a").
    public static func plain(_ bytes: some Collection<UInt8>) -> String {
        let n = bytes.count
        guard n > 0 else { return "" }
        return String(unsafeUninitializedCapacity: n * 2) { out in
            var i = 0
            for b in bytes {
                out[i] = digit(b >> 4)
                out[i + 1] = digit(b & 0xF)
                i += 2
            }
            return i
        }
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Decodes hex with optional ':' '-' ' ' separators and an optional "0x" prefix.
    /// With separators, a one-digit group means a leading zero ("1:2" = 01 02), as Kea accepts.
    /// Returns nil for anything that is not hex.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") {
            utf8.removeFirst(2)
        }
        let separators: Set<UInt8> = [UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: " ")]
        if utf8.contains(where: { separators.contains($0) }) {
            var out: [UInt8] = []
            var group: [UInt8] = []
            func flush() -> Bool {
                switch group.count {
                case 1: out.append(group[0])
                case 2: out.append(group[0] << 4 | group[1])
                default: return false
                }
                group.removeAll(keepingCapacity: true)
                return true
            }
            for c in utf8 {
                if separators.contains(c) {
                    guard flush() else { return nil }
                } else {
                    guard let n = nibble(c) else { return nil }
                    group.append(n)
                }
            }
            guard flush() else { return nil }
            return out
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2 + 1)
        var i = 0
        if utf8.count % 2 == 1 {
            guard let n = nibble(utf8[0]) else { return nil }
            out.append(n)
            i = 1
        }
        while i < utf8.count {
            guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
