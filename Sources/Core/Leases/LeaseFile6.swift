/// Kea's memfile CSV format for DHCPv6 leases. Kea 2.4 writes schema 5.0; older files are read
/// by column name with defaults for what they lack (Kea's leases6 history: 1.0 up to hostname,
/// 2.0 hwaddr, 3.0 state, 3.1 user_context in Kea 1.4, 4.0 hwtype and hwaddr_source in Kea 2.1.2,
/// 5.0 pool_id in Kea 2.3.8). Pure text in, text out: the shell does the file I/O. The generic
/// parts (layout, escaping) are in LeaseCSV.swift.
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

    /// One row as Kea 2.4 writes it (`appendRow`).
    public static func row(_ l: Lease6) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(192)
        appendRow(l, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// The row that records a deletion: Kea appends the lease with valid_lifetime 0.
    public static func deletionRow(_ l: Lease6) -> String {
        var b: [UInt8] = []
        b.reserveCapacity(192)
        appendRow(l, deletion: true, to: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Appends one row as Kea 2.4 writes it (without its newline), straight into `b`: address,
    /// duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len,
    /// fqdn_fwd, fqdn_rev, hostname, hwaddr, state, user_context, hwtype, hwaddr_source,
    /// pool_id; hwtype and hwaddr_source only beside a hardware address, hostname and
    /// user_context escaped. A deletion row (`deletion`) is the lease with valid_lifetime 0
    /// expiring at its cltt, as Kea appends it.
    public static func appendRow(_ l: Lease6, deletion: Bool = false, to b: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        // Address to fqdn_rev: 39 + 3 per DUID octet + 10 + 20 (sign included) + 10 + 10 + 3 + 10 + 3 + 1 + 1 + 11 commas.
        LeaseRowBytes.raw(into: &b, atMost: 118 + 3 * l.duid.count) { p in
            var i = l.address.writeText(at: p)
            @inline(__always) func put(_ c: UInt8) { p[i] = c; i += 1 }
            @inline(__always) func decimal(_ v: UInt64) { i += LeaseRowBytes.decimal(v, at: p + i) }
            put(comma)
            i += LeaseRowBytes.hex(l.duid, at: p + i); put(comma)
            decimal(deletion ? 0 : UInt64(l.validLifetimeSeconds)); put(comma)
            i += LeaseRowBytes.signed(deletion ? l.cltt.secondsSinceEpoch : l.expire.secondsSinceEpoch, at: p + i)
            put(comma)
            decimal(UInt64(l.subnetID)); put(comma)
            decimal(UInt64(l.preferredLifetimeSeconds)); put(comma)
            decimal(UInt64(l.type.rawValue)); put(comma)
            decimal(UInt64(l.iaid)); put(comma)
            decimal(UInt64(l.prefixLength)); put(comma)
            put(l.fqdnForward ? UInt8(ascii: "1") : UInt8(ascii: "0")); put(comma)
            put(l.fqdnReverse ? UInt8(ascii: "1") : UInt8(ascii: "0")); put(comma)
            return i
        }
        LeaseRowBytes.escaped(l.hostname, into: &b)
        let hw = l.hardwareAddress
        // hwaddr, state: 3 per hardware octet + 10 + 3 commas.
        LeaseRowBytes.raw(into: &b, atMost: 13 + 3 * (hw?.bytes.count ?? 0)) { p in
            var i = 0
            p[i] = comma; i += 1
            if let hw { i += LeaseRowBytes.hex(hw.bytes, at: p + i) }
            p[i] = comma; i += 1
            i += LeaseRowBytes.decimal(UInt64(l.state.rawValue), at: p + i)
            p[i] = comma; i += 1
            return i
        }
        LeaseRowBytes.escaped(l.userContext, into: &b)
        // hwtype, hwaddr_source, pool_id: 20 + 10 + 10 + 3 commas.
        LeaseRowBytes.raw(into: &b, atMost: 43) { p in
            var i = 0
            p[i] = comma; i += 1
            if let hw { i += LeaseRowBytes.decimal(UInt64(hw.type), at: p + i) }
            p[i] = comma; i += 1
            if hw != nil { i += LeaseRowBytes.decimal(UInt64(l.hardwareAddressSource.rawValue), at: p + i) }
            p[i] = comma; i += 1
            i += LeaseRowBytes.decimal(UInt64(l.poolID), at: p + i)
            return i
        }
    }
}

// Loading (LeaseFile6.load(text:into:) and the chunked LeaseFile6.Loader) is in LeaseFile6Loader.swift.
