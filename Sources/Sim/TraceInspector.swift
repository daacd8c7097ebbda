import KakapoCore

/// Reads a simulation trace (JSON Lines, see `TraceRecord`) and writes what a person wants to
/// know about it: the records as a timeline, one client's exchanges, who held an address when,
/// or a summary. Pure: lines in, text out; the `kakapo-sim trace` command does the file I/O.
///
/// Records are read one at a time, so a trace of millions of lines needs memory only for what
/// the view keeps (the per-client and per-address views keep only their records; the summary
/// keeps counters and one entry per client).
public enum TraceInspector {
    /// What to show. `client` and `address` select records (both may be given); the time window
    /// is inclusive at both ends; `summary` counts instead of listing.
    public struct Query: Sendable, Equatable {
        public var client: String?
        public var address: String?
        public var fromMilliseconds: Int64?
        public var toMilliseconds: Int64?
        public var summary: Bool

        public init(client: String? = nil, address: String? = nil, fromMilliseconds: Int64? = nil,
                    toMilliseconds: Int64? = nil, summary: Bool = false) {
            self.client = client
            self.address = address
            self.fromMilliseconds = fromMilliseconds
            self.toMilliseconds = toMilliseconds
            self.summary = summary
        }
    }

    /// The result of an inspection, with the malformed lines kept apart so that a command can
    /// print them on stderr.
    public struct Report: Sendable {
        /// The view (timeline, client view, address view or summary), ending in a newline.
        public var text: String
        /// `line N: ...` for the first malformed lines (at most `diagnosticLimit`).
        public var diagnostics: [String]
        /// How many lines were malformed (blank lines are skipped, not counted).
        public var malformedLines: Int
        /// How many records were read, and how many the query selected.
        public var records: Int
        public var selected: Int
    }

    /// At most this many malformed-line messages are kept.
    public static let diagnosticLimit = 1000
    /// At most this many are written out by `run`.
    static let diagnosticsShown = 20

    /// Inspects a trace and returns the view followed, when some lines were malformed, by the
    /// first of their `line N: ...` messages. Fails on a bad query or when no line is a record.
    public static func run(lines: some Sequence<Substring>, query: Query) -> Result<String, TraceInspectorError> {
        inspect(lines: lines, query: query).map { report in
            guard report.malformedLines > 0, !query.summary else { return report.text }
            return report.text + "\n" + malformedSection(report)
        }
    }

    /// `run` on a whole text (lines split on "\n", see `lines(of:)`).
    public static func run(text: String, query: Query) -> Result<String, TraceInspectorError> {
        run(lines: lines(of: text), query: query)
    }

    /// The lines of a text, split on "\n" byte by byte (much faster than splitting on
    /// Characters), keeping empty lines so that line numbers stay right. A trailing "\r" is
    /// left on its line; the parser treats it as white space.
    public static func lines(of text: String) -> TraceLines { TraceLines(text: text) }

    /// Inspects a trace; the malformed lines are in the report, not in its text (except in the
    /// summary, which counts and lists them).
    public static func inspect(lines: some Sequence<Substring>, query: Query) -> Result<Report, TraceInspectorError> {
        let filter: Filter
        switch Filter.make(query) {
        case .success(let f): filter = f
        case .failure(let e): return .failure(e)
        }
        var view: any TraceView
        if query.summary {
            view = SummaryView(filter: filter)
        } else if filter.mac != nil {
            view = ClientView(filter: filter)
        } else if filter.address != nil {
            view = AddressView(filter: filter)
        } else {
            view = PlainView(filter: filter)
        }
        var diagnostics: [String] = []
        var malformed = 0
        var records = 0
        var number = 0
        for line in lines {
            number += 1
            switch TraceLineParser.parse(line, number: number) {
            case .blank:
                continue
            case .malformed(let message):
                malformed += 1
                if diagnostics.count < diagnosticLimit { diagnostics.append(message) }
                view.malformed(message)
            case .record(let record):
                records += 1
                view.consume(record)
            }
        }
        guard records > 0 else {
            return .failure(.noRecords(lines: number, malformedLines: malformed, diagnostics: diagnostics))
        }
        let text = view.finish(malformedLines: malformed, diagnostics: diagnostics)
        return .success(Report(text: text, diagnostics: diagnostics, malformedLines: malformed,
                               records: records, selected: view.selected))
    }

    static func malformedSection(_ report: Report) -> String {
        var s = "\(report.malformedLines) malformed line\(report.malformedLines == 1 ? "" : "s"):\n"
        for message in report.diagnostics.prefix(diagnosticsShown) { s += "  \(message)\n" }
        if report.malformedLines > diagnosticsShown {
            s += "  ... and \(report.malformedLines - diagnosticsShown) more\n"
        }
        return s
    }

    // MARK: time on the command line

    /// Parses a time given on the command line into milliseconds: `1500` (plain milliseconds),
    /// `1500ms`, `90s`, `2.5s`, `5m`, `1h30m`, `1d2h`, `1m30s500ms`, or a clock reading as the
    /// timeline prints it (`12:34.5`, `1:02:03.456`). Units go from larger to smaller, each at
    /// most once; a fraction is allowed on a number with a unit. Nil for anything else.
    public static func parseTime(_ text: some StringProtocol) -> Int64? {
        let s = text.utf8.filter { $0 != 0x20 && $0 != 0x09 }
        guard !s.isEmpty else { return nil }
        if s.contains(UInt8(ascii: ":")) { return parseClock(s) }
        if s.allSatisfy(isDigit) { return decimal(s[...], fraction: [][...], unit: 1) }
        var i = 0
        var total: Int64 = 0
        var lastUnit = Int64.max
        while i < s.count {
            let start = i
            while i < s.count, isDigit(s[i]) { i += 1 }
            let whole = s[start..<i]
            var fraction: ArraySlice<UInt8> = [][...]
            if i < s.count, s[i] == UInt8(ascii: ".") {
                i += 1
                let f = i
                while i < s.count, isDigit(s[i]) { i += 1 }
                fraction = s[f..<i]
                guard !fraction.isEmpty else { return nil }
            }
            guard !whole.isEmpty else { return nil }
            let u = i
            while i < s.count, !isDigit(s[i]), s[i] != UInt8(ascii: ".") { i += 1 }
            let unit: Int64
            switch String(decoding: s[u..<i], as: UTF8.self).lowercased() {
            case "ms": unit = 1
            case "s", "sec": unit = 1000
            case "m", "min": unit = 60_000
            case "h": unit = 3_600_000
            case "d": unit = 86_400_000
            default: return nil
            }
            guard unit < lastUnit else { return nil }
            lastUnit = unit
            guard let part = decimal(whole, fraction: fraction, unit: unit) else { return nil }
            let (sum, overflow) = total.addingReportingOverflow(part)
            guard !overflow else { return nil }
            total = sum
        }
        return total
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }

    /// whole.fraction × unit, in whole milliseconds (a finer fraction is cut off).
    private static func decimal(_ whole: ArraySlice<UInt8>, fraction: ArraySlice<UInt8>, unit: Int64) -> Int64? {
        var value: Int64 = 0
        for b in whole {
            let (t, o1) = value.multipliedReportingOverflow(by: 10)
            let (p, o2) = t.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            value = p
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: unit)
        guard !overflow else { return nil }
        // Nine fraction digits at most: fraction × unit then stays far below Int64.max.
        var extra: Int64 = 0
        var divisor: Int64 = 1
        for b in fraction.prefix(9) {
            extra = extra * 10 + Int64(b - UInt8(ascii: "0"))
            divisor *= 10
        }
        let (sum, o4) = scaled.addingReportingOverflow(extra * unit / divisor)
        return o4 ? nil : sum
    }

    /// `m:ss`, `h:mm:ss`, each optionally with `.fff` seconds.
    private static func parseClock(_ s: [UInt8]) -> Int64? {
        let parts = s.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        var total: Int64 = 0
        for (k, part) in parts.enumerated() {
            let last = k == parts.count - 1
            var whole = part
            var fraction: ArraySlice<UInt8> = [][...]
            if last, let dot = part.firstIndex(of: UInt8(ascii: ".")) {
                whole = part[..<dot]
                fraction = part[(dot + 1)...]
                guard !fraction.isEmpty, fraction.allSatisfy(isDigit) else { return nil }
            }
            guard !whole.isEmpty, whole.allSatisfy(isDigit) else { return nil }
            if k > 0 { guard whole.count == 2, let v = Int(String(decoding: whole, as: UTF8.self)), v < 60 else { return nil } }
            let unit: Int64 = last ? 1000 : (parts.count - k == 3 ? 3_600_000 : 60_000)
            guard let v = decimal(whole, fraction: fraction, unit: unit) else { return nil }
            let (sum, o) = total.addingReportingOverflow(v)
            guard !o else { return nil }
            total = sum
        }
        return total
    }

    // MARK: matching

    /// A MAC address in the trace's spelling (lowercase, colon-separated), from `02:00:00:00:00:07`,
    /// `02-00-00-00-00-07`, `0200.0000.0007` or `020000000007`, any case. Nil when not hex bytes.
    public static func normalizeMAC(_ text: some StringProtocol) -> String? {
        var digits: [UInt8] = []
        var groups: [[UInt8]] = [[]]
        var separator: UInt8?
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"):
                digits.append(b); groups[groups.count - 1].append(b)
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                digits.append(b + 32); groups[groups.count - 1].append(b + 32)
            case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "."):
                if separator == nil { separator = b }
                guard separator == b else { return nil }
                groups.append([])
            default:
                return nil
            }
        }
        guard !digits.isEmpty, digits.count <= 40 else { return nil }
        if separator == UInt8(ascii: ":") || separator == UInt8(ascii: "-") {
            // Each group one or two digits ("2:0:0:0:0:7" is accepted too).
            var bytes: [String] = []
            for g in groups {
                guard g.count == 1 || g.count == 2 else { return nil }
                bytes.append((g.count == 1 ? "0" : "") + String(decoding: g, as: UTF8.self))
            }
            return bytes.joined(separator: ":")
        }
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [String] = []
        var i = 0
        while i < digits.count {
            bytes.append(String(decoding: digits[i..<(i + 2)], as: UTF8.self))
            i += 2
        }
        return bytes.joined(separator: ":")
    }

    /// Whether `needle` occurs in `haystack` as a whole token: not inside a longer address or
    /// number (`192.0.2.1` is not in `192.0.2.10`).
    static func containsToken(_ haystack: String, _ needle: String) -> Bool {
        let h = Array(haystack.utf8), n = Array(needle.utf8)
        guard !n.isEmpty, h.count >= n.count else { return false }
        func word(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
                || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
        }
        func joiner(_ b: UInt8) -> Bool { b == UInt8(ascii: ".") || b == UInt8(ascii: ":") }
        var i = 0
        while i + n.count <= h.count {
            var match = true
            for k in 0..<n.count {
                var a = h[i + k]
                if a >= UInt8(ascii: "A") && a <= UInt8(ascii: "Z") { a += 32 }
                var b = n[k]
                if b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z") { b += 32 }
                if a != b { match = false; break }
            }
            if match {
                let before = i > 0 ? h[i - 1] : 0x20
                let afterIndex = i + n.count
                var boundary = !word(before) && !(joiner(before) && i > 1 && word(h[i - 2]))
                if afterIndex < h.count {
                    let after = h[afterIndex]
                    if word(after) { boundary = false }
                    if joiner(after), afterIndex + 1 < h.count, word(h[afterIndex + 1]) { boundary = false }
                }
                if boundary { return true }
            }
            i += 1
        }
        return false
    }
}

/// The lines of a text (see `TraceInspector.lines(of:)`).
public struct TraceLines: Sequence {
    let text: String

    public struct Iterator: IteratorProtocol {
        let text: String
        var position: String.Index
        var done = false

        public mutating func next() -> Substring? {
            guard !done else { return nil }
            let utf8 = text.utf8
            if let newline = utf8[position...].firstIndex(of: 0x0A) {
                defer { position = utf8.index(after: newline) }
                return text[position..<newline]
            }
            done = true
            // No line after a final newline.
            return position == text.endIndex ? nil : text[position...]
        }
    }

    public func makeIterator() -> Iterator { Iterator(text: text, position: text.startIndex) }
}

/// Why an inspection produced nothing.
public enum TraceInspectorError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The query cannot be used (a MAC that is not one, an empty window...).
    case invalidQuery(String)
    /// Not one line of the input is a trace record.
    case noRecords(lines: Int, malformedLines: Int, diagnostics: [String])

    public var description: String {
        switch self {
        case .invalidQuery(let message):
            return message
        case .noRecords(let lines, let malformed, let diagnostics):
            if lines == 0 || malformed == 0 { return "no trace records in the input (\(lines) lines, all blank)" }
            var s = "no valid trace records in the input (\(malformed) malformed line\(malformed == 1 ? "" : "s"))"
            for d in diagnostics.prefix(TraceInspector.diagnosticsShown) { s += "\n  \(d)" }
            if malformed > TraceInspector.diagnosticsShown {
                s += "\n  ... and \(malformed - TraceInspector.diagnosticsShown) more"
            }
            return s
        }
    }
}

/// The query, prepared for matching records.
struct Filter {
    var mac: String?
    var address: String?
    var from: Int64
    var to: Int64

    static func make(_ query: TraceInspector.Query) -> Result<Filter, TraceInspectorError> {
        var filter = Filter(mac: nil, address: nil, from: query.fromMilliseconds ?? Int64.min,
                            to: query.toMilliseconds ?? Int64.max)
        if let client = query.client {
            guard let mac = TraceInspector.normalizeMAC(client.trimmingSpaces) else {
                return .failure(.invalidQuery("--client: \"\(client)\" is not a MAC address (e.g. 02:00:00:00:00:07)"))
            }
            filter.mac = mac
        }
        if let address = query.address {
            let a = address.trimmingSpaces
            guard !a.isEmpty, !a.contains(" ") else {
                return .failure(.invalidQuery("--address: \"\(address)\" is not an address"))
            }
            if let v4 = IPv4Address(a) {
                filter.address = v4.description
            } else if a.contains(":"), a.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) {
                filter.address = a.lowercased()
            } else {
                return .failure(.invalidQuery("--address: \"\(address)\" is not an IP address"))
            }
        }
        if filter.from > filter.to {
            return .failure(.invalidQuery(
                "--from \(TraceInspector.formatTime(filter.from)) is after --to \(TraceInspector.formatTime(filter.to))"))
        }
        return .success(filter)
    }

    func inWindow(_ r: InspectedRecord) -> Bool { r.time >= from && r.time <= to }

    /// Whether a record concerns the client with `mac`: datagrams from, to or about it, and
    /// decisions, lease changes and state changes with its MAC; invariant lines naming it.
    static func concerns(_ r: InspectedRecord, mac: String) -> Bool {
        func same(_ key: String) -> Bool {
            guard let v = r[key]?.stringValue else { return false }
            if v == mac { return true }
            // The simulator writes lowercase with colons; only other spellings need normalizing.
            let plain = v.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x3A) || ($0 >= 0x61 && $0 <= 0x66) }
            return !plain && TraceInspector.normalizeMAC(v) == mac
        }
        switch r.kind {
        case "datagram":
            let node = "client:" + mac
            for key in ["from", "to"] {
                guard let v = r[key]?.stringValue, v.utf8.count == node.utf8.count else { continue }
                if v == node || v.lowercased() == node { return true }
            }
            return same("mac")
        case "decision", "lease", "client":
            return same("mac")
        case "invariant", "fault":
            if same("mac") { return true }
            for key in ["detail", "target", "invariant"] {
                if let v = r[key]?.stringValue, TraceInspector.containsToken(v, mac) { return true }
            }
            return false
        default:
            if same("mac") { return true }
            for (_, value) in r.fields {
                if let v = value.stringValue, TraceInspector.containsToken(v, mac) { return true }
            }
            return false
        }
    }

    static let addressKeys = ["yiaddr", "ciaddr", "requested", "address"]

    /// Whether a record mentions `address`: yiaddr, ciaddr, requested, the lease, decision or
    /// client address; an invariant or fault detail naming it.
    static func mentions(_ r: InspectedRecord, address: String) -> Bool {
        for key in addressKeys {
            if let v = r[key]?.stringValue, v == address || v.lowercased() == address { return true }
        }
        switch r.kind {
        case "datagram", "decision", "lease", "client":
            return false
        default:
            for (_, value) in r.fields {
                if let v = value.stringValue, TraceInspector.containsToken(v, address) { return true }
            }
            return false
        }
    }

    /// The time window and both selectors.
    func selects(_ r: InspectedRecord) -> Bool {
        guard inWindow(r) else { return false }
        if let mac, !Filter.concerns(r, mac: mac) { return false }
        if let address, !Filter.mentions(r, address: address) { return false }
        return true
    }

    /// A line describing the query, for the top of a view ("" when there is no window).
    var windowText: String {
        switch (from == Int64.min, to == Int64.max) {
        case (true, true): return ""
        case (false, true): return "from \(TraceInspector.formatTime(from))"
        case (true, false): return "up to \(TraceInspector.formatTime(to))"
        case (false, false): return "from \(TraceInspector.formatTime(from)) to \(TraceInspector.formatTime(to))"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

/// One way of presenting the records.
protocol TraceView {
    mutating func consume(_ record: InspectedRecord)
    mutating func malformed(_ message: String)
    mutating func finish(malformedLines: Int, diagnostics: [String]) -> String
    var selected: Int { get }
}

extension TraceView {
    mutating func malformed(_ message: String) {}
}

/// Every selected record, one line each.
struct PlainView: TraceView {
    let filter: Filter
    var out = ""
    var selected = 0

    init(filter: Filter) { self.filter = filter }

    mutating func consume(_ record: InspectedRecord) {
        guard filter.selects(record) else { return }
        selected += 1
        out += TraceInspector.timelineLine(record)
        out += "\n"
    }

    mutating func finish(malformedLines: Int, diagnostics: [String]) -> String {
        if selected == 0 {
            let window = filter.windowText
            return "no records" + (window.isEmpty ? "" : " " + window) + "\n"
        }
        return out
    }
}
