/// Kea's memfile CSV format for DHCPv4 leases (schema 3.0 in Kea 2.4; 2.0 and 2.1 files from
/// older Kea lack trailing columns and are read with defaults). Pure text in, text out: the
/// shell does the file I/O.
public enum LeaseFile4 {
    /// Kea 2.4's header, written at the top of every file Kakapo creates.
    public static let header =
        "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id"

    static let requiredColumns = ["address", "hwaddr", "client_id", "valid_lifetime", "expire",
                                  "subnet_id", "fqdn_fwd", "fqdn_rev", "hostname"]

    public typealias RowError = LeaseCSV.RowError
    public typealias Layout = LeaseCSV.Layout
    public typealias LoadReport = LeaseCSV.LoadReport

    /// The layout of a leases4 file with this header; nil when a required column is missing.
    public static func layout(header: Substring) -> Layout? { Layout(header: header, required: requiredColumns) }

    /// A whole lease file holding `leases`: the header, then one row each (what Kea's
    /// lease4-write and lease file cleanup produce).
    public static func text(of leases: [Lease4]) -> String {
        LeaseCSV.fileText(header: header, leases, bytesPerRow: 96, row: row)
    }

    /// One row as Kea writes it (`appendRow`).
    public static func row(_ l: Lease4) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(128)
        appendRow(l, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// The row that records a deletion: Kea appends the lease with valid_lifetime 0.
    public static func deletionRow(_ l: Lease4) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(128)
        appendRow(l, deletion: true, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Appends one row as Kea writes it (without its newline), straight into `b`: address,
    /// hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname,
    /// state, user_context, pool_id. A deletion row (`deletion`) is the lease with
    /// valid_lifetime 0 expiring at its cltt, as Kea appends it.
    public static func appendRow(_ l: Lease4, deletion: Bool = false, to b: inout [UInt8]) {
        let hw = l.hardwareAddress?.bytes ?? []
        let cid = l.clientID ?? []
        // Address to fqdn_rev: at most 15 + 3 per identifier octet + 10 + 20 (sign included) + 10 + 2 + 8 commas.
        LeaseRowBytes.raw(into: &b, atMost: 66 + 3 * (hw.count + cid.count)) { p in
            var i = 0
            @inline(__always) func put(_ c: UInt8) { p[i] = c; i += 1 }
            @inline(__always) func decimal(_ v: UInt64) { i += LeaseRowBytes.decimal(v, at: p + i) }
            let comma = UInt8(ascii: ",")
            let a = l.address.value
            decimal(UInt64(a >> 24)); put(UInt8(ascii: "."))
            decimal(UInt64(a >> 16 & 0xFF)); put(UInt8(ascii: "."))
            decimal(UInt64(a >> 8 & 0xFF)); put(UInt8(ascii: "."))
            decimal(UInt64(a & 0xFF)); put(comma)
            i += LeaseRowBytes.hex(hw, at: p + i); put(comma)
            i += LeaseRowBytes.hex(cid, at: p + i); put(comma)
            decimal(deletion ? 0 : UInt64(l.validLifetimeSeconds)); put(comma)
            i += LeaseRowBytes.signed(deletion ? l.cltt.secondsSinceEpoch : l.expire.secondsSinceEpoch, at: p + i)
            put(comma)
            decimal(UInt64(l.subnetID)); put(comma)
            put(l.fqdnForward ? UInt8(ascii: "1") : UInt8(ascii: "0")); put(comma)
            put(l.fqdnReverse ? UInt8(ascii: "1") : UInt8(ascii: "0")); put(comma)
            return i
        }
        LeaseRowBytes.escaped(l.hostname, into: &b)
        LeaseRowBytes.raw(into: &b, atMost: 22) { p in
            p[0] = UInt8(ascii: ",")
            let n = 1 + LeaseRowBytes.decimal(UInt64(l.state.rawValue), at: p + 1)
            p[n] = UInt8(ascii: ",")
            return n + 1
        }
        LeaseRowBytes.escaped(l.userContext, into: &b)
        LeaseRowBytes.raw(into: &b, atMost: 11) { p in
            p[0] = UInt8(ascii: ",")
            return 1 + LeaseRowBytes.decimal(UInt64(l.poolID), at: p + 1)
        }
    }

    /// Parses one data row. A row with valid_lifetime 0 is returned with that lifetime: the
    /// loader treats it as a deletion. (The loader reads rows as bytes with `RowParser`; this
    /// is the same parser, for one row of text.)
    public static func parse(row: Substring, layout: Layout, line: Int) -> Result<Lease4, RowError> {
        var parser = RowParser(layout: layout)
        var text = String(row)
        return text.withUTF8 { bytes in parser.parse(bytes, line: line) { $0.lease } }
    }

    /// Kea's CSVFile escaping (shared with leases6, see LeaseCSV).
    public static func escape(_ s: String) -> String { LeaseCSV.escape(s) }

    public static func unescape(_ s: Substring) -> String { LeaseCSV.unescape(s) }
}

extension LeaseFile4 {
    /// The column numbers of one file's layout, resolved once (nil when the file has no such
    /// column: an older schema).
    struct Columns {
        var address, hwaddr, clientID, validLifetime, expire, subnetID: Int?
        var fqdnForward, fqdnReverse, hostname, state, userContext, poolID: Int?

        init(_ layout: Layout) {
            address = layout.index["address"]
            hwaddr = layout.index["hwaddr"]
            clientID = layout.index["client_id"]
            validLifetime = layout.index["valid_lifetime"]
            expire = layout.index["expire"]
            subnetID = layout.index["subnet_id"]
            fqdnForward = layout.index["fqdn_fwd"]
            fqdnReverse = layout.index["fqdn_rev"]
            hostname = layout.index["hostname"]
            state = layout.index["state"]
            userContext = layout.index["user_context"]
            poolID = layout.index["pool_id"]
        }
    }

    /// Parses data rows from bytes with no allocation per row once warm: fields are read in
    /// place, and decoded identifiers and unescaped texts go to scratch storage reused from row
    /// to row. The row handed to `body` borrows that storage and the line.
    public struct RowParser {
        let columns: Columns
        var fields = CSVBytes.Fields()
        /// Decoded parts of the current row, back to back (hwaddr key, client id, texts).
        var scratch: [UInt8] = []

        public init(layout: Layout) { columns = Columns(layout) }

        /// Parses `line` (row number `line` of its file) and calls `body` with the row; the
        /// error says why a bad row is skipped, with Kea's reasons.
        public mutating func parse<R>(_ bytes: CSVBytes.Bytes, line: Int, _ body: (LeaseRow4) -> R) -> Result<R, RowError> {
            func fail(_ r: String) -> Result<R, RowError> { .failure(RowError(line: line, reason: r)) }
            fields.split(bytes)
            let c = columns
            let f = fields
            guard f.count >= LeaseFile4.requiredColumns.count else { return fail("too few columns (\(f.count))") }
            guard let address = f.field(c.address).flatMap(CSVBytes.ipv4) else { return fail("invalid address") }
            scratch.removeAll(keepingCapacity: true)
            // Ranges in `scratch`; a nil identifier is an empty column.
            var hw: Range<Int>? = nil
            if let text = f.field(c.hwaddr), !text.isEmpty {
                scratch.append(1)       // hardware type: Ethernet, as Kea's leases4 file implies
                guard CSVBytes.hex(text, into: &scratch) else { return fail("invalid hwaddr") }
                hw = 0..<scratch.count
            }
            var cid: Range<Int>? = nil
            if let text = f.field(c.clientID), !text.isEmpty {
                let start = scratch.count
                guard CSVBytes.hex(text, into: &scratch) else { return fail("invalid client_id") }
                cid = start..<scratch.count
            }
            guard let valid = f.field(c.validLifetime).flatMap({ CSVBytes.decimal($0, as: UInt32.self) }) else {
                return fail("invalid valid_lifetime")
            }
            guard let expire = f.field(c.expire).flatMap({ CSVBytes.decimal($0, as: Int64.self) }) else {
                return fail("invalid expire")
            }
            guard let subnet = f.field(c.subnetID).flatMap({ CSVBytes.decimal($0, as: UInt32.self) }) else {
                return fail("invalid subnet_id")
            }
            let fwd = f.field(c.fqdnForward).map(Self.parseBool) ?? false
            let rev = f.field(c.fqdnReverse).map(Self.parseBool) ?? false
            var state = LeaseState.assigned
            if let st = f.field(c.state), !st.isEmpty {
                guard let v = CSVBytes.decimal(st, as: UInt32.self), let s = LeaseState(rawValue: v) else {
                    return fail("invalid state")
                }
                state = s
            }
            var pool: UInt32 = 0
            if let p = f.field(c.poolID), !p.isEmpty {
                guard let v = CSVBytes.decimal(p, as: UInt32.self) else { return fail("invalid pool_id") }
                pool = v
            }
            let hasIdentity = (hw.map { $0.count > 1 } ?? false) || (cid.map { !$0.isEmpty } ?? false)
            if valid != 0 && state != .declined && !hasIdentity { return fail("lease has neither hwaddr nor client_id") }
            let host = Self.text(f.field(c.hostname), into: &scratch)
            let context = Self.text(f.field(c.userContext), into: &scratch)
            return .success(scratch.withUnsafeBufferPointer { s in
                func view(_ r: Range<Int>) -> CSVBytes.Bytes { CSVBytes.Bytes(rebasing: s[r]) }
                func resolve(_ t: TextField) -> CSVBytes.Bytes {
                    switch t {
                    case .inPlace(let b): b
                    case .scratch(let r): view(r)
                    }
                }
                return body(LeaseRow4(address: address, hardwareKey: hw.map(view), clientID: cid.map(view),
                                      validLifetimeSeconds: valid, expire: expire, subnetID: subnet,
                                      fqdnForward: fwd, fqdnReverse: rev, hostname: resolve(host), state: state,
                                      userContext: resolve(context), poolID: pool))
            })
        }

        enum TextField {
            case inPlace(CSVBytes.Bytes)
            case scratch(Range<Int>)
        }

        /// A text column: read in place when plain ASCII without escapes, else unescaped (and
        /// invalid UTF-8 repaired, as decoding the file as text did) into `scratch`.
        static func text(_ field: CSVBytes.Bytes?, into scratch: inout [UInt8]) -> TextField {
            guard let field, !field.isEmpty else { return .inPlace(CSVBytes.Bytes(start: nil, count: 0)) }
            if !CSVBytes.mayHaveEscapes(field) && CSVBytes.isASCII(field) { return .inPlace(field) }
            let start = scratch.count
            if CSVBytes.isASCII(field) {
                CSVBytes.unescape(field, into: &scratch)
            } else {
                // Invalid UTF-8 in the file became U+FFFD when the file was read as text: the same
                // here, before the escapes are undone.
                var repaired = String(decoding: field, as: UTF8.self)
                repaired.withUTF8 { CSVBytes.unescape($0, into: &scratch) }
            }
            return .scratch(start..<scratch.count)
        }

        static func parseBool(_ b: CSVBytes.Bytes) -> Bool { CSVBytes.equals(b, "1") || CSVBytes.equals(b, "true") }
    }

    /// Replays a lease file fed as buffers of complete lines (`CSVBytes.LineChunker` makes
    /// them), so the whole file is never held: the first non-empty line is the header (a file
    /// without one yields `headerMissing` and nothing else), then each row is an upsert, or a
    /// deletion when its valid_lifetime is 0 (last row wins, as in Kea). Bad rows are reported
    /// by line number and skipped. Lines end in '\n' or "\r\n".
    public struct Loader {
        public private(set) var report = LoadReport()
        private var lineNumber = 0
        private var parser: RowParser?

        public init() {}

        /// Feeds complete lines (a last line without '\n' is taken as complete).
        public mutating func feed<S: LeaseStore4>(lines: CSVBytes.Bytes, into store: inout S) {
            guard !report.headerMissing else { return }
            CSVBytes.forEachLine(in: lines) { line in
                guard !report.headerMissing else { return }
                lineNumber += 1
                if line.isEmpty { return }
                guard parser != nil else {
                    let header = String(decoding: line, as: UTF8.self)
                    guard let layout = LeaseFile4.layout(header: Substring(header)) else {
                        report.headerMissing = true
                        return
                    }
                    parser = RowParser(layout: layout)
                    return
                }
                report.rowsRead += 1
                let number = lineNumber
                let result = parser!.parse(line, line: number) { row -> Bool in
                    let delete = row.validLifetimeSeconds == 0
                    store.apply(row: row, delete: delete)
                    return delete
                }
                switch result {
                case .failure(let e): report.errors.append(e)
                case .success(true): report.leasesDeleted += 1
                case .success(false): report.leasesAdded += 1
                }
            }
        }
    }

    /// Replays a lease file's whole text into a store (see `Loader`; the daemon streams the
    /// file instead).
    public static func load<S: LeaseStore4>(text: String, into store: inout S) -> LoadReport {
        var loader = Loader()
        var t = text
        t.withUTF8 { loader.feed(lines: $0, into: &store) }
        return loader.report
    }
}
