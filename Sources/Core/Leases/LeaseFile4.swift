/// Kea's memfile CSV format for DHCPv4 leases (schema 3.0 in Kea 2.4; 2.0 and 2.1 files from
/// older Kea lack trailing columns and are read with defaults). Pure text in, text out: the
/// shell does the file I/O.
public enum LeaseFile4 {
    /// Kea 2.4's header, written at the top of every file Kakapo creates.
    public static let header =
        "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id"

    static let requiredColumns = ["address", "hwaddr", "client_id", "valid_lifetime", "expire",
                                  "subnet_id", "fqdn_fwd", "fqdn_rev", "hostname"]

    public struct RowError: Error, Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    /// The column layout of one file, taken from its header line.
    public struct Layout: Sendable {
        var index: [String: Int]
        var count: Int

        /// Accepts any header whose columns include the required ones (Kea 1.x–2.4 files).
        public init?(header: Substring) {
            let names = header.split(separator: ",", omittingEmptySubsequences: false)
                .map { String($0).trimmedASCII }
            var index: [String: Int] = [:]
            for (i, n) in names.enumerated() { index[n] = i }
            guard LeaseFile4.requiredColumns.allSatisfy({ index[$0] != nil }) else { return nil }
            self.index = index
            count = names.count
        }
    }

    /// A whole lease file holding `leases`: the header, then one row each (what Kea's
    /// lease4-write and lease file cleanup produce).
    public static func text(of leases: [Lease4]) -> String {
        var text = header + "\n"
        text.reserveCapacity((leases.count + 1) * 96)
        for l in leases { text += row(l) + "\n" }
        return text
    }

    /// One row as Kea writes it.
    public static func row(_ l: Lease4) -> String {
        var s = l.address.description
        s += ","
        s += l.hardwareAddress.map { HexText.colonSeparated($0.bytes) } ?? ""
        s += ","
        s += l.clientID.map { HexText.colonSeparated($0) } ?? ""
        s += ",\(l.validLifetimeSeconds),\(l.expire.secondsSinceEpoch),\(l.subnetID)"
        s += l.fqdnForward ? ",1" : ",0"
        s += l.fqdnReverse ? ",1" : ",0"
        s += "," + escape(l.hostname)
        s += ",\(l.state.rawValue)," + escape(l.userContext) + ",\(l.poolID)"
        return s
    }

    /// The row that records a deletion: Kea appends the lease with valid_lifetime 0.
    public static func deletionRow(_ l: Lease4) -> String {
        var copy = l
        copy.expire = l.cltt
        copy.validLifetimeSeconds = 0
        return row(copy)
    }

    /// Parses one data row. A row with valid_lifetime 0 is returned with that lifetime: the
    /// loader treats it as a deletion.
    public static func parse(row: Substring, layout: Layout, line: Int) -> Result<Lease4, RowError> {
        let f = row.split(separator: ",", omittingEmptySubsequences: false)
        func col(_ name: String) -> Substring? {
            guard let i = layout.index[name], i < f.count else { return nil }
            return f[i]
        }
        func fail(_ r: String) -> Result<Lease4, RowError> { .failure(RowError(line: line, reason: r)) }
        guard f.count >= LeaseFile4.requiredColumns.count else { return fail("too few columns (\(f.count))") }
        guard let addr = col("address").flatMap({ IPv4Address($0) }) else { return fail("invalid address") }
        let hwText = col("hwaddr") ?? ""
        var hw: HardwareAddress? = nil
        if !hwText.isEmpty {
            guard let h = HardwareAddress(text: hwText) else { return fail("invalid hwaddr") }
            hw = h
        }
        let cidText = col("client_id") ?? ""
        var cid: [UInt8]? = nil
        if !cidText.isEmpty {
            guard let c = HexText.decode(cidText) else { return fail("invalid client_id") }
            cid = c
        }
        guard let valid = col("valid_lifetime").flatMap({ UInt32($0) }) else { return fail("invalid valid_lifetime") }
        guard let expire = col("expire").flatMap({ Int64($0) }) else { return fail("invalid expire") }
        guard let subnet = col("subnet_id").flatMap({ UInt32($0) }) else { return fail("invalid subnet_id") }
        var lease = Lease4(address: addr, hardwareAddress: hw, clientID: cid, validLifetimeSeconds: valid,
                           expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
        lease.fqdnForward = col("fqdn_fwd").map(parseBool) ?? false
        lease.fqdnReverse = col("fqdn_rev").map(parseBool) ?? false
        lease.hostname = unescape(col("hostname") ?? "")
        if let st = col("state"), !st.isEmpty {
            guard let v = UInt32(st), let state = LeaseState(rawValue: v) else { return fail("invalid state") }
            lease.state = state
        }
        lease.userContext = unescape(col("user_context") ?? "")
        if let p = col("pool_id"), !p.isEmpty {
            guard let v = UInt32(p) else { return fail("invalid pool_id") }
            lease.poolID = v
        }
        if valid != 0 && !lease.isWellFormed { return fail("lease has neither hwaddr nor client_id") }
        return .success(lease)
    }

    static func parseBool(_ s: Substring) -> Bool { s == "1" || s == "true" }

    /// Kea's CSVFile escaping: ',' and '&' become "&#xHH".
    public static func escape(_ s: String) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "&") }) else { return s }
        var out = ""
        for ch in s {
            if ch == "," { out += "&#x2c" } else if ch == "&" { out += "&#x26" } else { out.append(ch) }
        }
        return out
    }

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

extension LeaseFile4 {
    /// What loading one file's text did.
    public struct LoadReport: Sendable, Equatable {
        public var rowsRead = 0
        public var leasesAdded = 0
        public var leasesDeleted = 0
        public var errors: [RowError] = []
        public var headerMissing = false
    }

    /// Replays a lease file into a store: each row is an upsert, a row with valid_lifetime 0 a
    /// deletion (last row wins, as in Kea). Bad rows are reported and skipped.
    public static func load<S: LeaseStore4>(text: String, into store: inout S) -> LoadReport {
        var report = LoadReport()
        var layout: Layout? = nil
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            if line.isEmpty { continue }
            guard let current = layout else {
                guard let l = Layout(header: line) else {
                    report.headerMissing = true
                    return report
                }
                layout = l
                continue
            }
            report.rowsRead += 1
            switch parse(row: line, layout: current, line: lineNumber) {
            case .failure(let e):
                report.errors.append(e)
            case .success(let lease):
                if lease.validLifetimeSeconds == 0 {
                    store.apply(.delete(lease))
                    report.leasesDeleted += 1
                } else {
                    store.apply(.upsert(lease))
                    report.leasesAdded += 1
                }
            }
        }
        return report
    }
}
