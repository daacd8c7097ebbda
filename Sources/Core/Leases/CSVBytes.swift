/// Byte-level building blocks for reading Kea's memfile CSV files (leases4 and leases6) without
/// building a String or Substring per line or field: chunked line splitting with carry-over,
/// a field cursor over one line, and decoders (decimal, hex and colon-hex, Kea's "&#xHH"
/// unescape, dotted-quad IPv4) that read a field's bytes and write into caller-owned storage.
///
/// The views handed out (`UnsafeBufferPointer<UInt8>`) are valid only inside the closure that
/// receives them; copy what must outlive it.
public enum CSVBytes {
    /// A field or a line: a borrowed run of bytes.
    public typealias Bytes = UnsafeBufferPointer<UInt8>

    /// Splits a stream read in chunks into complete lines. Each `next` reads one chunk after the
    /// partial line carried over from the previous one, and hands every complete line (up to and
    /// including the last '\n') to `lines` in one buffer; at the end of the input (a read of 0)
    /// the carried-over rest, if any, is handed over as the last buffer. A line longer than the
    /// chunk size grows the buffer, so any line length works. Memory: about one chunk plus the
    /// longest line.
    public struct LineChunker {
        private var storage: [UInt8]
        /// Bytes at the start of `storage` carried over (a partial line).
        private var kept = 0
        private let chunkSize: Int
        /// True once a read returned 0 (the rest has been handed over).
        public private(set) var isFinished = false

        /// `chunkSize`: bytes asked of each read (4 MiB by default).
        public init(chunkSize: Int = 4 << 20) {
            precondition(chunkSize > 0, "chunk size must be positive")
            self.chunkSize = chunkSize
            storage = []
        }

        /// Reads one chunk with `read` (given the free space, it returns the bytes it stored, 0 at
        /// end of input, or a negative value on error), then hands the complete lines to `lines`.
        /// Returns what `read` returned; on an error nothing is handed over and `next` may be
        /// called again (after EINTR, say).
        public mutating func next(read: (UnsafeMutableRawBufferPointer) -> Int, lines: (Bytes) -> Void) -> Int {
            precondition(!isFinished, "LineChunker.next after the end of input")
            let kept = self.kept, size = chunkSize
            if storage.count < kept + size { storage.append(contentsOf: repeatElement(0, count: kept + size - storage.count)) }
            let n = storage.withUnsafeMutableBytes { read(UnsafeMutableRawBufferPointer(rebasing: $0[kept..<(kept + size)])) }
            if n < 0 { return n }
            precondition(n <= size, "read returned more than it was given")
            if n == 0 {
                isFinished = true
                if kept > 0 { storage.withUnsafeBufferPointer { lines(Bytes(rebasing: $0[0..<kept])) } }
                self.kept = 0
                storage = []
                return 0
            }
            let end = kept + n
            self.kept = storage.withUnsafeMutableBufferPointer { buf -> Int in
                // The last '\n' of the new bytes ends the complete part.
                var cut = end
                while cut > kept && buf[cut - 1] != UInt8(ascii: "\n") { cut -= 1 }
                // No line ends in this chunk: everything is carried over.
                if cut == kept { return end }
                lines(Bytes(rebasing: buf[0..<cut]))
                let rest = end - cut
                if rest > 0 {
                    UnsafeMutableRawPointer(buf.baseAddress!).copyMemory(from: buf.baseAddress! + cut, byteCount: rest)
                }
                return rest
            }
            return n
        }
    }

    /// Calls `body` with each line of `buffer`, without its '\n' and without a '\r' before it;
    /// a last line without '\n' is passed too when it is not empty. Empty lines are passed (the
    /// caller counts lines). Bounded by the buffer's length.
    @inlinable
    public static func forEachLine(in buffer: Bytes, _ body: (Bytes) -> Void) {
        guard let base = buffer.baseAddress else { return }
        var start = 0
        let n = buffer.count
        while start < n {
            var end = start
            while end < n && base[end] != UInt8(ascii: "\n") { end += 1 }
            var lineEnd = end
            if lineEnd > start && base[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            body(Bytes(start: base + start, count: lineEnd - start))
            start = end + 1
        }
    }

    /// The fields of one line, separated by ','  (Kea's CSV has no quoting). `split` records the
    /// boundaries in storage kept between rows, so a reused `Fields` allocates nothing per row.
    public struct Fields {
        @usableFromInline var line: Bytes = Bytes(start: nil, count: 0)
        /// Field `i` is `line[bounds[2i] ..< bounds[2i+1]]`.
        @usableFromInline var bounds: [Int32] = []

        public init() {}

        /// Splits `line` (which must stay valid while fields are read).
        @inlinable
        public mutating func split(_ line: Bytes) {
            self.line = line
            bounds.removeAll(keepingCapacity: true)
            guard let base = line.baseAddress else {
                bounds.append(0)
                bounds.append(0)
                return
            }
            var start = 0
            for i in 0..<line.count where base[i] == UInt8(ascii: ",") {
                bounds.append(Int32(start))
                bounds.append(Int32(i))
                start = i + 1
            }
            bounds.append(Int32(start))
            bounds.append(Int32(line.count))
        }

        /// How many fields the line has (an empty line has one, empty).
        @inlinable
        public var count: Int { bounds.count / 2 }

        /// Field `i` (0-based); must be below `count`.
        @inlinable
        public subscript(i: Int) -> Bytes {
            let a = Int(bounds[2 * i]), b = Int(bounds[2 * i + 1])
            guard let base = line.baseAddress else { return line }
            return Bytes(start: base + a, count: b - a)
        }

        /// Field `i`, or nil when `i` is nil or the line has fewer fields.
        @inlinable
        public func field(_ i: Int?) -> Bytes? {
            guard let i, i < count else { return nil }
            return self[i]
        }
    }

    /// Whether `field` holds exactly the ASCII text `literal`.
    @inlinable
    public static func equals(_ field: Bytes, _ literal: StaticString) -> Bool {
        guard field.count == literal.utf8CodeUnitCount else { return false }
        let l = literal.utf8Start
        for i in 0..<field.count where field[i] != l[i] { return false }
        return true
    }

    /// Decimal text as Swift's `T(String)` reads it: an optional '+' or '-' then at least one
    /// digit, nothing else; nil when empty, not decimal, or out of `T`'s range.
    @inlinable
    public static func decimal<T: FixedWidthInteger>(_ field: Bytes, as: T.Type = T.self) -> T? {
        var i = 0
        var negative = false
        guard !field.isEmpty else { return nil }
        if field[0] == UInt8(ascii: "+") || field[0] == UInt8(ascii: "-") {
            negative = field[0] == UInt8(ascii: "-")
            i = 1
        }
        guard i < field.count else { return nil }
        var v: T = 0
        while i < field.count {
            let d = field[i] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(T(d)) : m.addingReportingOverflow(T(d))
            guard !o1 && !o2 else { return nil }
            v = s
            i += 1
        }
        return v
    }

    /// The value of an ASCII hex digit, or nil.
    @inlinable
    public static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
        default: return nil
        }
    }

    /// Decodes hex as `HexText.decode` does (optional "0x", separators ':' '-' ' ' with one- or
    /// two-digit groups, or bare hex where an odd length means a leading zero nibble), appending
    /// the bytes to `out` (which is not cleared). False, with `out` in an unspecified state past
    /// its previous length, when the text is not hex.
    @inlinable
    public static func hex(_ field: Bytes, into out: inout [UInt8]) -> Bool {
        var start = 0
        let n = field.count
        if n >= 2 && field[0] == UInt8(ascii: "0") && field[1] | 0x20 == UInt8(ascii: "x") { start = 2 }
        var separated = false
        for i in start..<n {
            let c = field[i]
            if c == UInt8(ascii: ":") || c == UInt8(ascii: "-") || c == UInt8(ascii: " ") { separated = true; break }
        }
        if separated {
            var group = 0
            var value: UInt8 = 0
            for i in start..<n {
                let c = field[i]
                if c == UInt8(ascii: ":") || c == UInt8(ascii: "-") || c == UInt8(ascii: " ") {
                    guard group > 0 else { return false }
                    out.append(value)
                    group = 0
                    value = 0
                } else {
                    guard let d = nibble(c), group < 2 else { return false }
                    value = value << 4 | d
                    group += 1
                }
            }
            guard group > 0 else { return false }
            out.append(value)
            return true
        }
        var i = start
        if (n - start) % 2 == 1 {
            guard let d = nibble(field[i]) else { return false }
            out.append(d)
            i += 1
        }
        while i < n {
            guard let hi = nibble(field[i]), let lo = nibble(field[i + 1]) else { return false }
            out.append(hi << 4 | lo)
            i += 2
        }
        return true
    }

    /// Appends `field` to `out` with Kea's CSV escapes undone: any "&#xHH" (two hex digits)
    /// becomes the byte HH, as Kea's readAtEscaped does; everything else is copied.
    @inlinable
    public static func unescape(_ field: Bytes, into out: inout [UInt8]) {
        let n = field.count
        var i = 0
        while i < n {
            let c = field[i]
            if c == UInt8(ascii: "&"), i + 4 < n, field[i + 1] == UInt8(ascii: "#"), field[i + 2] == UInt8(ascii: "x"),
               let hi = nibble(field[i + 3]), let lo = nibble(field[i + 4]) {
                out.append(hi << 4 | lo)
                i += 5
            } else {
                out.append(c)
                i += 1
            }
        }
    }

    /// Whether `field` holds a "&#x" that `unescape` would have to look at.
    @inlinable
    public static func mayHaveEscapes(_ field: Bytes) -> Bool {
        for c in field where c == UInt8(ascii: "&") { return true }
        return false
    }

    /// Dotted-quad IPv4 text ("192.0.2.1") as `IPv4Address(String)` reads it: four groups of one
    /// to three digits, each at most 255, nothing else. Host-order value, or nil.
    @inlinable
    public static func ipv4(_ field: Bytes) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var current: UInt32 = 0
        var digits = 0
        for c in field {
            if c == UInt8(ascii: ".") {
                guard digits > 0, parts < 3 else { return nil }
                value = value << 8 | current
                parts += 1
                current = 0
                digits = 0
            } else {
                let d = c &- UInt8(ascii: "0")
                guard d < 10, digits < 3 else { return nil }
                current = current * 10 + UInt32(d)
                digits += 1
                guard current <= 255 else { return nil }
            }
        }
        guard digits > 0, parts == 3 else { return nil }
        return value << 8 | current
    }

    /// Whether every byte is ASCII (then the bytes are valid UTF-8 as they are).
    @inlinable
    public static func isASCII(_ field: Bytes) -> Bool {
        for c in field where c >= 0x80 { return false }
        return true
    }
}
