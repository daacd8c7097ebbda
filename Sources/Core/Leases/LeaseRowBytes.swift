/// The byte-level pieces of Kea's lease rows (leases4 and leases6), written straight into the
/// memfile's output buffer: a turn's rows become one byte array and one write(2), with no
/// String per row or per field.
enum LeaseRowBytes {
    /// Appends at most `count` bytes that `write` puts at the pointer, returning how many.
    @inline(__always)
    static func raw(into b: inout [UInt8], atMost count: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = b.count
        b.append(contentsOf: repeatElement(0, count: count))
        let written = b.withUnsafeMutableBufferPointer { write($0.baseAddress! + start) }
        precondition(written <= count, "lease row overran its estimate")
        b.removeLast(count - written)
    }

    /// Writes `v` in decimal at `p` (20 bytes at most), returning how many bytes.
    @inline(__always)
    static func decimal(_ v: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1, x = v
        while x >= 10 { x /= 10; digits += 1 }
        x = v
        for k in stride(from: digits - 1, through: 0, by: -1) { p[k] = 0x30 + UInt8(x % 10); x /= 10 }
        return digits
    }

    /// Writes `v` in decimal at `p`, a minus sign first when negative (21 bytes at most).
    @inline(__always)
    static func signed(_ v: Int64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        guard v < 0 else { return decimal(UInt64(v), at: p) }
        p[0] = UInt8(ascii: "-")
        return 1 + decimal(v.magnitude, at: p + 1)
    }

    /// Writes `bytes` as colon-separated lowercase hex ("01:0a:ff") at `p` (3 per byte at
    /// most), returning how many bytes.
    @inline(__always)
    static func hex(_ bytes: [UInt8], at p: UnsafeMutablePointer<UInt8>) -> Int {
        var i = 0
        for (k, x) in bytes.enumerated() {
            if k > 0 { p[i] = UInt8(ascii: ":"); i += 1 }
            p[i] = HexText.digit(x >> 4)
            p[i + 1] = HexText.digit(x & 0xF)
            i += 2
        }
        return i
    }

    /// Kea's CSV escaping (`LeaseCSV.escape`); most texts need none and are copied as they are.
    @inline(__always)
    static func escaped(_ s: String, into b: inout [UInt8]) {
        guard !s.isEmpty else { return }
        b.append(contentsOf: LeaseCSV.escape(s).utf8)
    }
}

extension IPv6Address {
    /// Writes the RFC 5952 text (lowercase, no leading zeros, the longest run of two or more
    /// zero groups, the first on a tie, as "::") at `p`: 39 bytes at most. Returns how many.
    @inline(__always)
    func writeText(at p: UnsafeMutablePointer<UInt8>) -> Int {
        @inline(__always) func group(_ i: Int) -> UInt16 {
            UInt16(truncatingIfNeeded: (i < 4 ? high : low) >> UInt64(48 - 16 * (i & 3)))
        }
        var bestStart = -1, bestCount = 0, start = -1
        for i in 0...8 {
            if i < 8 && group(i) == 0 {
                if start < 0 { start = i }
            } else if start >= 0 {
                let count = i - start
                if count >= 2 && count > bestCount { bestStart = start; bestCount = count }
                start = -1
            }
        }
        var n = 0
        var i = 0
        while i < 8 {
            if i == bestStart {
                p[n] = UInt8(ascii: ":"); p[n + 1] = UInt8(ascii: ":"); n += 2
                i += bestCount
                continue
            }
            if i > 0 && i != bestStart + bestCount { p[n] = UInt8(ascii: ":"); n += 1 }
            let g = group(i)
            var shift = 12
            while shift > 0 && (g >> UInt16(shift)) == 0 { shift -= 4 }
            while shift >= 0 {
                p[n] = HexText.digit(UInt8(truncatingIfNeeded: g >> UInt16(shift)) & 0xF)
                n += 1
                shift -= 4
            }
            i += 1
        }
        return n
    }
}
