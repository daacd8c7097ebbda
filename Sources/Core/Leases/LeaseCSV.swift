/// What Kea's two memfile CSV formats (leases4 and leases6) share: the header-driven column
/// layout, Kea's CSVRow escaping, row errors with line numbers and the load report. `LeaseFile4`
/// and `LeaseFile6` hold only their own columns and byte-level loaders (each row an upsert, a
/// row with valid_lifetime 0 a deletion, last row wins).
public enum LeaseCSV {
    /// A row that could not be read, by its line number in the file (1 is the header).
    public struct RowError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
        public var description: String { "line \(line): \(reason)" }
    }

    /// The column layout of one file, taken from its header line: Kea reads columns by name,
    /// so a file from an older schema (fewer trailing columns) is read with defaults.
    public struct Layout: Sendable {
        var index: [String: Int]
        var count: Int

        /// Accepts any header whose columns include `required`.
        public init?(header: Substring, required: [String]) {
            let names = header.split(separator: ",", omittingEmptySubsequences: false)
                .map { String($0).trimmedASCII }
            var index: [String: Int] = [:]
            for (i, n) in names.enumerated() { index[n] = i }
            guard required.allSatisfy({ index[$0] != nil }) else { return nil }
            self.index = index
            count = names.count
        }
    }

    /// What loading one file's text did.
    public struct LoadReport: Sendable, Equatable {
        public var rowsRead = 0
        public var leasesAdded = 0
        public var leasesDeleted = 0
        /// Rows skipped.
        public var errors: [RowError] = []
        /// Rows read with a field dropped, as Kea does (a leases6 hwaddr it cannot parse).
        public var warnings: [RowError] = []
        public var headerMissing = false
        public init() {}
    }

    /// A whole lease file: the header, then one row per lease (what lease*-write and the
    /// lease file cleanup produce).
    static func fileText<Lease>(header: String, _ leases: [Lease], bytesPerRow: Int, row: (Lease) -> String) -> String {
        var text = header + "\n"
        text.reserveCapacity((leases.count + 1) * bytesPerRow)
        for l in leases { text += row(l) + "\n" }
        return text
    }

    /// Kea's CSVFile escaping: ',' and '&' become "&#xHH".
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "&") }) else { return s }
        var out = ""
        for ch in s {
            if ch == "," { out += "&#x2c" } else if ch == "&" { out += "&#x26" } else { out.append(ch) }
        }
        return out
    }

    /// Undoes `escape` (any "&#xHH" becomes byte HH, as Kea's readAtEscaped does).
    public static func unescape(_ s: Substring) -> String {
        guard s.contains("&#x") else { return String(s) }
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if i + 4 < u.count, u[i] == UInt8(ascii: "&"), u[i + 1] == UInt8(ascii: "#"), u[i + 2] == UInt8(ascii: "x"),
               let hi = HexText.nibble(u[i + 3]), let lo = HexText.nibble(u[i + 4]) {
                bytes.append(hi << 4 | lo)
                i += 5
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Trims ASCII spaces, tabs and line ends (Foundation-free).
    public var trimmedASCII: String {
        let ws: Set<UInt8> = [32, 9, 10, 13]
        let u = Array(utf8)
        var a = 0, b = u.count
        while a < b, ws.contains(u[a]) { a += 1 }
        while b > a, ws.contains(u[b - 1]) { b -= 1 }
        return String(decoding: u[a..<b], as: UTF8.self)
    }
}
