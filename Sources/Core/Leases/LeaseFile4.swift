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
        let f = LeaseCSV.fields(of: row)
        func col(_ name: String) -> Substring? { layout.field(name, of: f) }
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
        lease.fqdnForward = col("fqdn_fwd").map(LeaseCSV.parseBool) ?? false
        lease.fqdnReverse = col("fqdn_rev").map(LeaseCSV.parseBool) ?? false
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

    /// Kea's CSVFile escaping (shared with leases6, see LeaseCSV).
    public static func escape(_ s: String) -> String { LeaseCSV.escape(s) }

    public static func unescape(_ s: Substring) -> String { LeaseCSV.unescape(s) }
}

extension LeaseFile4 {
    /// Replays a lease file into a store: each row is an upsert, a row with valid_lifetime 0 a
    /// deletion (last row wins, as in Kea). Bad rows are reported and skipped.
    public static func load<S: LeaseStore4>(text: String, into store: inout S) -> LoadReport {
        LeaseCSV.replay(text: text, required: requiredColumns,
                        parse: { LeaseCSV.ParsedRow(result: parse(row: $0, layout: $1, line: $2)) },
                        isDeletion: { $0.validLifetimeSeconds == 0 },
                        apply: { store.apply($0) })
    }
}
