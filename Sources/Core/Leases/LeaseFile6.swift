/// Kea's memfile CSV format for DHCPv6 leases. Kea 2.4 writes schema 5.0; older files are read
/// by column name with defaults for what they lack (Kea's leases6 history: 1.0 up to hostname,
/// 2.0 hwaddr, 3.0 state, 3.1 user_context in Kea 1.4, 4.0 hwtype and hwaddr_source in Kea 2.1.2,
/// 5.0 pool_id in Kea 2.3.8). Pure text in, text out: the shell does the file I/O. The generic
/// parts (layout, escaping, replay) are in LeaseCSV.swift.
public enum LeaseFile6 {
    /// Kea 2.4's header (schema 5.0), written at the top of every file Kakapo creates.
    public static let header =
        "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id"

    /// Kea's minimum: every column up to hostname (schema 1.0).
    static let requiredColumns = ["address", "duid", "valid_lifetime", "expire", "subnet_id", "pref_lifetime",
                                  "lease_type", "iaid", "prefix_len", "fqdn_fwd", "fqdn_rev", "hostname"]

    /// Kea's DUID length limit: a 2-byte type and at most 128 bytes of value.
    static let duidLengthMax = 130

    public typealias RowError = LeaseCSV.RowError
    public typealias Layout = LeaseCSV.Layout
    public typealias LoadReport = LeaseCSV.LoadReport

    /// The layout of a leases6 file with this header; nil when a required column is missing.
    public static func layout(header: Substring) -> Layout? { Layout(header: header, required: requiredColumns) }

    /// A whole lease file holding `leases`: the header, then one row each.
    public static func text(of leases: [Lease6]) -> String {
        LeaseCSV.fileText(header: header, leases, bytesPerRow: 128, row: row)
    }

    /// One row as Kea 2.4 writes it: hwtype and hwaddr_source only beside a hardware address,
    /// user_context and hostname escaped.
    public static func row(_ l: Lease6) -> String {
        var r = LeaseCSV.RowBuilder(capacity: 192)
        r.text(l.address.description)
        r.comma(); r.text(HexText.colonSeparated(l.duid))
        r.comma(); r.number(l.validLifetimeSeconds)
        r.comma(); r.number(l.expire.secondsSinceEpoch)
        r.comma(); r.number(l.subnetID)
        r.comma(); r.number(l.preferredLifetimeSeconds)
        r.comma(); r.number(l.type.rawValue)
        r.comma(); r.number(l.iaid)
        r.comma(); r.number(l.prefixLength)
        r.comma(); r.number(l.fqdnForward ? 1 : 0)
        r.comma(); r.number(l.fqdnReverse ? 1 : 0)
        r.comma(); r.text(LeaseCSV.escape(l.hostname))
        r.comma(); if let hw = l.hardwareAddress { r.text(HexText.colonSeparated(hw.bytes)) }
        r.comma(); r.number(l.state.rawValue)
        r.comma(); r.text(LeaseCSV.escape(l.userContext))
        r.comma(); if let hw = l.hardwareAddress { r.number(hw.type) }
        r.comma(); if l.hardwareAddress != nil { r.number(l.hardwareAddressSource.rawValue) }
        r.comma(); r.number(l.poolID)
        return r.string
    }

    /// The row that records a deletion: Kea appends the lease with valid_lifetime 0.
    public static func deletionRow(_ l: Lease6) -> String {
        var copy = l
        copy.expire = l.cltt
        copy.validLifetimeSeconds = 0
        return row(copy)
    }

    /// Parses one data row. A row with valid_lifetime 0 is returned with that lifetime: the
    /// loader treats it as a deletion. A hardware address that does not parse is dropped with
    /// a warning and the row kept, as Kea does.
    public static func parse(row: Substring, layout: Layout, line: Int) -> (lease: Result<Lease6, RowError>, warning: RowError?) {
        let f = LeaseCSV.fields(of: row)
        func col(_ name: String) -> Substring? { layout.field(name, of: f) }
        func fail(_ r: String) -> (lease: Result<Lease6, RowError>, warning: RowError?) {
            (.failure(RowError(line: line, reason: r)), nil)
        }
        guard f.count >= requiredColumns.count else { return fail("too few columns (\(f.count))") }
        guard var lease = parseRequired(col) else { return fail(requiredFailure(col)) }
        guard lease.hasValidPrefixLength else { return fail("invalid prefix_len") }
        lease.fqdnForward = col("fqdn_fwd").map(LeaseCSV.parseBool) ?? false
        lease.fqdnReverse = col("fqdn_rev").map(LeaseCSV.parseBool) ?? false
        lease.hostname = LeaseCSV.unescape(col("hostname") ?? "")
        if let st = col("state"), !st.isEmpty {
            guard let v = UInt32(st), let state = LeaseState(rawValue: v) else { return fail("invalid state") }
            lease.state = state
        }
        lease.userContext = LeaseCSV.unescape(col("user_context") ?? "")
        if let p = col("pool_id"), !p.isEmpty {
            guard let v = UInt32(p) else { return fail("invalid pool_id") }
            lease.poolID = v
        }
        var warning: RowError? = nil
        switch parseHardware(col) {
        case .success(let hw):
            lease.hardwareAddress = hw?.address
            lease.hardwareAddressSource = hw?.source ?? .unknown
        case .failure(let w):
            warning = RowError(line: line, reason: w.reason + " (hwaddr dropped)")
        }
        if lease.validLifetimeSeconds != 0 && !lease.isWellFormed {
            return fail("lease has no DUID and is not declined")
        }
        return (.success(lease), warning)
    }

    /// The schema 1.0 columns; nil when one is missing or invalid (`requiredFailure` says which).
    /// An address lease's prefix_len is taken as 128 whatever the row says, as Kea's Lease6 does.
    private static func parseRequired(_ col: (String) -> Substring?) -> Lease6? {
        guard let address = col("address").flatMap({ IPv6Address($0) }),
              let duid = col("duid").flatMap(parseDUID),
              let valid = col("valid_lifetime").flatMap({ UInt32($0) }),
              let expire = col("expire").flatMap({ Int64($0) }),
              let subnet = col("subnet_id").flatMap({ UInt32($0) }),
              let preferred = col("pref_lifetime").flatMap({ UInt32($0) }),
              let type = col("lease_type").flatMap({ UInt8($0) }).flatMap(LeaseType6.init(rawValue:)),
              let iaid = col("iaid").flatMap({ UInt32($0) }),
              let length = col("prefix_len").flatMap({ UInt8($0) }), length <= 128
        else { return nil }
        return Lease6(type: type, address: address, prefixLength: type == .delegatedPrefix ? length : 128,
                      duid: duid, iaid: iaid, preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                      expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
    }

    /// Names the first invalid schema 1.0 column (only called when `parseRequired` failed).
    private static func requiredFailure(_ col: (String) -> Substring?) -> String {
        let checks: [(String, (Substring) -> Bool)] = [
            ("address", { IPv6Address($0) != nil }),
            ("duid", { parseDUID($0) != nil }),
            ("valid_lifetime", { UInt32($0) != nil }),
            ("expire", { Int64($0) != nil }),
            ("subnet_id", { UInt32($0) != nil }),
            ("pref_lifetime", { UInt32($0) != nil }),
            ("lease_type", { UInt8($0).flatMap(LeaseType6.init(rawValue:)) != nil }),
            ("iaid", { UInt32($0) != nil }),
            ("prefix_len", { UInt8($0).map { $0 <= 128 } ?? false }),
        ]
        for (name, isValid) in checks where !(col(name).map(isValid) ?? false) { return "invalid \(name)" }
        preconditionFailure("parseRequired failed on a row whose required columns all parse")
    }

    /// A DUID as Kea reads it: hex, 1 to 130 bytes ("0" is the empty DUID of a declined lease).
    static func parseDUID(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, let bytes = HexText.decode(text), (1...duidLengthMax).contains(bytes.count) else { return nil }
        return bytes
    }

    /// The hwaddr, hwtype and hwaddr_source columns: nil when hwaddr is empty; hwtype defaults
    /// to 1 (Ethernet) and hwaddr_source to unknown when absent (files before schema 4.0).
    private static func parseHardware(_ col: (String) -> Substring?)
        -> Result<(address: HardwareAddress, source: HardwareAddressSource)?, RowError> {
        let text = col("hwaddr") ?? ""
        if text.isEmpty { return .success(nil) }
        var type: UInt8 = 1
        if let t = col("hwtype"), !t.isEmpty {
            guard let v = UInt8(t) else { return .failure(RowError(line: 0, reason: "invalid hwtype")) }
            type = v
        }
        var source = HardwareAddressSource.unknown
        if let s = col("hwaddr_source"), !s.isEmpty {
            guard let v = UInt32(s) else { return .failure(RowError(line: 0, reason: "invalid hwaddr_source")) }
            source = HardwareAddressSource(rawValue: v)
        }
        guard let hw = HardwareAddress(text: text, type: type) else {
            return .failure(RowError(line: 0, reason: "invalid hwaddr"))
        }
        if hw.isEmpty { return .success(nil) }
        return .success((hw, source))
    }
}

// Loading (LeaseFile6.load(text:into:) and the chunked LeaseFile6.Loader) is in LeaseFile6Loader.swift.
