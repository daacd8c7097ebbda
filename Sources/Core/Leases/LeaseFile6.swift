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
}

// Loading (LeaseFile6.load(text:into:) and the chunked LeaseFile6.Loader) is in LeaseFile6Loader.swift.
