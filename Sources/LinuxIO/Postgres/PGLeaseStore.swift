import KakapoCore

/// One of Kea's lease tables as rows: its SQL and the mapping between a row and a lease. Only
/// the columns both schema 13.0 (Kea 2.2) and 18.0 (Kea 2.4) have are read or written, so the
/// later columns keep their defaults. DHCPv4 is `PGLease4Table`; lease6 would be another.
public protocol PGLeaseTable {
    associatedtype Family: ProtocolFamily
    /// Prepared statement names start with it ("kk_l4").
    static var prefix: String { get }
    /// The table's name ("lease4").
    static var tableName: String { get }
    /// `SELECT <columns> FROM <table>` (a WHERE clause is appended).
    static var select: String { get }
    /// Parameters: `rowParameters` ($1 the address, $5 the expiry in seconds since the epoch).
    static var insertSQL: String { get }
    /// `rowParameters`, then `versionParameters` of the expected row.
    static var updateSQL: String { get }
    /// The address, then `versionParameters` of the expected row.
    static var deleteSQL: String { get }
    /// What a conditional write compares with the row it replaces, the fields of
    /// `LeaseWrite.isApplicable` (`sameVersion`): the expiry in whole seconds first, then owner,
    /// state and lifetime, so the database decides a race exactly as the simulator's shared
    /// database does. (Kea's own condition is the expiry alone; two servers can write the same
    /// expiry for different clients in one second, and the owner check refuses that too.)
    static func versionParameters(_ expected: Family.Lease) -> [String?]
    static func addressParameter(_ a: Family.Lease.Address) -> String
    static func rowParameters(_ l: Family.Lease) -> [String?]
    /// nil for a row that is not a well-formed lease (skipped).
    static func lease(from row: [String?]) -> Family.Lease?
    /// The addresses from `a` that a conflict there also fetches (other servers' nearby
    /// allocations, learnt in the same round trip): the last one of the window.
    static func windowEnd(_ a: Family.Lease.Address) -> Family.Lease.Address
}

/// What a loop turn's writes came to, one entry per transaction of the batch.
public struct PGTurnResult<Lease: LeaseRecord> {
    /// Index-aligned with the batch; nil for an entry without writes.
    public var outcomes: [WriteOutcome<Lease>?]
    /// The rows around each conflict (the window from the conflicting address).
    public var shown: [Lease] = []
    public var windows: [(Lease.Address, Lease.Address)] = []
    /// The connection was lost: the entries not known to be committed are `.failed`.
    public var lost: PGError?
}

/// A shared lease database in PostgreSQL: Kea's table, written with conditional statements (an
/// UPDATE or DELETE applies only over the row version it was decided on, an INSERT fails on the
/// primary key), so that concurrent servers decide races in the database. The expiry is
/// compared in whole seconds, as it is read (a row written by hand with `now()` has a
/// fraction that would otherwise never match); an empty bytea and NULL compare equal, as the
/// row mapping reads both as no value.
public final class PGLeaseStore<Table: PGLeaseTable> {
    public typealias Lease = Table.Family.Lease
    public let connection: PGConnection
    /// Schema versions whose lease columns this store reads and writes (major, minor).
    public static var supportedVersions: [(Int, Int)] { [(13, 0), (18, 0)] }

    /// Connects, checks the schema version and prepares the statements.
    public init(conninfo: String) throws(PGError) {
        connection = try PGConnection(conninfo: conninfo)
        try checkSchemaVersion()
        try prepare()
    }

    /// Kea's check: a database made by a schema this server does not know is refused.
    func checkSchemaVersion() throws(PGError) {
        let r = try connection.exec("SELECT version, minor FROM schema_version")
        guard let row = r.rows.first, let major = row[0].flatMap({ Int($0) }), let minor = row[1].flatMap({ Int($0) }) else {
            throw PGError(message: "PostgreSQL schema version mismatch: the schema_version table is empty")
        }
        guard Self.supportedVersions.contains(where: { $0 == (major, minor) }) else {
            let need = Self.supportedVersions.map { "\($0.0).\($0.1)" }.joined(separator: " or ")
            throw PGError(message: "PostgreSQL schema version mismatch: need version: \(need) found version: \(major).\(minor)")
        }
    }

    func prepare() throws(PGError) {
        let p = Table.prefix
        try connection.prepare("\(p)_insert", Table.insertSQL)
        try connection.prepare("\(p)_update", Table.updateSQL)
        try connection.prepare("\(p)_delete", Table.deleteSQL)
        try connection.prepare("\(p)_delete_any", "DELETE FROM \(Table.tableName) WHERE address = $1")
        try connection.prepare("\(p)_by_address", "\(Table.select) WHERE address = $1")
        try connection.prepare("\(p)_range", "\(Table.select) WHERE address BETWEEN $1 AND $2 ORDER BY address")
    }

    /// Every row of the table (start-up, lease commands, after a reconnect).
    public func all() throws(PGError) -> [Lease] {
        try connection.exec(Table.select).rows.compactMap(Table.lease(from:))
    }

    /// The rows the statements select, all in one round trip.
    public func select(_ statements: [PGStatement]) throws(PGError) -> [Lease] {
        var out: [Lease] = []
        for r in try connection.pipeline(statements) {
            switch r {
            case .success(let res): out.append(contentsOf: res.rows.compactMap(Table.lease(from:)))
            case .failure(let e): throw e
            }
        }
        return out
    }

    /// The statement for one write, and whether 0 affected rows is a conflict.
    func statement(_ w: LeaseWrite<Lease>) -> (PGStatement, conditional: Bool) {
        let p = Table.prefix
        switch (w.change, w.expected) {
        case (.upsert(let l), nil):
            return (.prepared("\(p)_insert", Table.rowParameters(l)), true)
        case (.upsert(let l), let e?):
            return (.prepared("\(p)_update", Table.rowParameters(l) + Table.versionParameters(e)), true)
        case (.delete(let l), let e?):
            return (.prepared("\(p)_delete", [Table.addressParameter(l.address)] + Table.versionParameters(e)), true)
        case (.delete(let l), nil):
            return (.prepared("\(p)_delete_any", [Table.addressParameter(l.address)]), false)
        }
    }

    /// Writes a loop turn: every single-write transaction in one `BEGIN ... COMMIT` pipeline
    /// (one round trip, one commit), each transaction of several writes in its own, committed
    /// only if every write applied. A write that finds another row than it expected is a
    /// conflict; the current row and the rows of a window from it come back with the outcome.
    public func write(_ batch: [Effects<Table.Family>]) -> PGTurnResult<Lease> {
        var result = PGTurnResult<Lease>(outcomes: batch.map { $0.writes.isEmpty ? nil : .durable })
        var conflicts: [(index: Int, address: Lease.Address)] = []
        func failAll(_ indexes: some Sequence<Int>, _ reason: String) {
            for i in indexes where result.outcomes[i] != nil { result.outcomes[i] = .failed(reason: reason) }
        }
        let single = batch.indices.filter { batch[$0].writes.count == 1 }
        let multi = batch.indices.filter { batch[$0].writes.count > 1 }
        do throws(PGError) {
            if !single.isEmpty {
                var statements: [PGStatement] = [.sql("BEGIN")]
                var conditional: [Bool] = []
                for i in single {
                    let (s, c) = statement(batch[i].writes[0])
                    statements.append(s)
                    conditional.append(c)
                }
                statements.append(.sql("COMMIT"))
                let r = try connection.pipeline(statements)
                if case .failure(let e) = r[r.count - 1] {
                    // A statement failed: the transaction is rolled back, nothing is durable.
                    let reason = r.compactMap { if case .failure(let f) = $0, f.sqlState != nil { f.message } else { nil } }.first ?? e.message
                    _ = try? connection.exec("ROLLBACK")
                    failAll(single, reason)
                } else {
                    for (k, i) in single.enumerated() {
                        if case .success(let res) = r[k + 1], res.affected == 0, conditional[k] {
                            conflicts.append((i, batch[i].writes[0].change.lease.address))
                        }
                    }
                }
            }
            for i in multi {
                var statements: [PGStatement] = [.sql("BEGIN")]
                var conditional: [Bool] = []
                for w in batch[i].writes {
                    let (s, c) = statement(w)
                    statements.append(s)
                    conditional.append(c)
                }
                let r = try connection.pipeline(statements)
                var refused: String?
                var conflictAt: Lease.Address?
                for (k, w) in batch[i].writes.enumerated() {
                    switch r[k + 1] {
                    case .failure(let e): refused = refused ?? e.message
                    case .success(let res):
                        if res.affected == 0 && conditional[k] && conflictAt == nil { conflictAt = w.change.lease.address }
                    }
                }
                if refused != nil || conflictAt != nil {
                    try connection.exec("ROLLBACK")
                    if let reason = refused { failAll([i], reason) } else { conflicts.append((i, conflictAt!)) }
                } else {
                    try connection.exec("COMMIT")
                }
            }
            if !conflicts.isEmpty {
                var statements: [PGStatement] = []
                for c in conflicts {
                    statements.append(.prepared("\(Table.prefix)_range", [Table.addressParameter(c.address), Table.addressParameter(Table.windowEnd(c.address))]))
                }
                let r = try connection.pipeline(statements)
                for (k, c) in conflicts.enumerated() {
                    guard case .success(let res) = r[k] else {
                        failAll([c.index], "could not read the row that won at \(c.address)")
                        continue
                    }
                    let rows = res.rows.compactMap(Table.lease(from:))
                    result.outcomes[c.index] = .conflict(address: c.address, current: rows.first { $0.address == c.address })
                    result.shown.append(contentsOf: rows)
                    result.windows.append((c.address, Table.windowEnd(c.address)))
                }
            }
        } catch {
            // Whatever was not reported yet is not known to be committed.
            result.lost = error
            for i in batch.indices {
                if case .durable? = result.outcomes[i] { result.outcomes[i] = .failed(reason: error.message) }
            }
            // Conflicts already found stay conflicts only if their window was read.
            for c in conflicts {
                if case .durable? = result.outcomes[c.index] { result.outcomes[c.index] = .failed(reason: error.message) }
            }
        }
        return result
    }
}

/// Replaces each "$%d" of `template` with $from, $from+1, ...
func numbered(_ template: String, from: Int) -> String {
    template.split(separator: "$%d", omittingEmptySubsequences: false).enumerated()
        .map { $0.offset == 0 ? String($0.element) : "$\(from + $0.offset - 1)" + $0.element }.joined()
}

/// Kea's lease4 table (schema 13.0 and 18.0 columns).
public enum PGLease4Table: PGLeaseTable {
    public typealias Family = DHCPv4Family
    public static let prefix = "kk_l4"
    public static let tableName = "lease4"
    static let columns = "address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context"
    public static let select = "SELECT address, hwaddr, client_id, valid_lifetime, extract(epoch from expire)::bigint, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context FROM lease4"
    public static let insertSQL = "INSERT INTO lease4 (\(columns)) VALUES ($1, $2, $3, $4, to_timestamp($5), $6, $7, $8, $9, $10, $11) ON CONFLICT (address) DO NOTHING"
    static let version = "extract(epoch from expire)::bigint = $%d AND state = $%d AND valid_lifetime = $%d AND COALESCE(hwaddr, ''::bytea) = COALESCE($%d::bytea, ''::bytea) AND COALESCE(client_id, ''::bytea) = COALESCE($%d::bytea, ''::bytea)"
    public static let updateSQL = "UPDATE lease4 SET hwaddr = $2, client_id = $3, valid_lifetime = $4, expire = to_timestamp($5), subnet_id = $6, fqdn_fwd = $7, fqdn_rev = $8, hostname = $9, state = $10, user_context = $11 WHERE address = $1 AND " + numbered(version, from: 12)
    public static let deleteSQL = "DELETE FROM lease4 WHERE address = $1 AND " + numbered(version, from: 2)

    public static func versionParameters(_ e: Lease4) -> [String?] {
        [String(e.expire.secondsSinceEpoch), String(e.state.rawValue), String(e.validLifetimeSeconds),
         e.hardwareAddress.flatMap { $0.bytes.isEmpty ? nil : PGText.bytea($0.bytes) },
         e.clientID.flatMap { $0.isEmpty ? nil : PGText.bytea($0) }]
    }

    public static func addressParameter(_ a: IPv4Address) -> String { String(a.value) }

    public static func windowEnd(_ a: IPv4Address) -> IPv4Address {
        IPv4Address(a.value > UInt32.max - 255 ? UInt32.max : a.value + 255)
    }

    public static func rowParameters(_ l: Lease4) -> [String?] {
        [String(l.address.value),
         l.hardwareAddress.flatMap { $0.bytes.isEmpty ? nil : PGText.bytea($0.bytes) },
         l.clientID.flatMap { $0.isEmpty ? nil : PGText.bytea($0) },
         String(l.validLifetimeSeconds),
         String(l.expire.secondsSinceEpoch),
         String(l.subnetID),
         l.fqdnForward ? "t" : "f",
         l.fqdnReverse ? "t" : "f",
         l.hostname,
         String(l.state.rawValue),
         l.userContext.isEmpty ? nil : l.userContext]
    }

    public static func lease(from r: [String?]) -> Lease4? {
        guard r.count >= 11, let a = r[0].flatMap({ UInt32($0) }), let valid = r[3].flatMap({ UInt32($0) }),
              let expire = r[4].flatMap({ Int64($0) }), let subnet = r[5].flatMap({ UInt32($0) }) else { return nil }
        let hw = r[1].flatMap(PGText.bytes(fromBytea:)).flatMap { $0.isEmpty ? nil : HardwareAddress(bytes: $0) }
        let cid = r[2].flatMap(PGText.bytes(fromBytea:)).flatMap { $0.isEmpty ? nil : $0 }
        var l = Lease4(address: IPv4Address(a), hardwareAddress: hw, clientID: cid, validLifetimeSeconds: valid,
                       expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
        l.fqdnForward = PGText.bool(r[6])
        l.fqdnReverse = PGText.bool(r[7])
        l.hostname = r[8] ?? ""
        l.state = r[9].flatMap { UInt32($0) }.flatMap(LeaseState.init(rawValue:)) ?? .assigned
        l.userContext = r[10] ?? ""
        return l.isWellFormed ? l : nil
    }
}

extension PGLeaseStore where Table == PGLease4Table {
    /// One prepared SELECT per distinct key (the table's indexes: address, hwaddr, client_id).
    public func rows(for keys: [LeaseKey4]) throws(PGError) -> [Lease4] {
        guard !keys.isEmpty else { return [] }
        let p = Table.prefix
        if !connection.isPrepared("\(p)_by_hwaddr") {
            try connection.prepare("\(p)_by_hwaddr", "\(Table.select) WHERE hwaddr = $1")
            try connection.prepare("\(p)_by_client_id", "\(Table.select) WHERE client_id = $1")
        }
        var seen = Set<String>()
        var statements: [PGStatement] = []
        for k in keys {
            let s: PGStatement
            switch k {
            case .address(let a): s = .prepared("\(p)_by_address", [String(a.value)])
            case .hardwareAddress(let h): s = .prepared("\(p)_by_hwaddr", [PGText.bytea(h.bytes)])
            case .clientID(let c): s = .prepared("\(p)_by_client_id", [PGText.bytea(c)])
            }
            guard case .prepared(let name) = s.body, seen.insert(name + (s.parameters[0] ?? "")).inserted else { continue }
            statements.append(s)
        }
        var rows = try select(statements)
        // A row found by two keys once.
        var at = Set<UInt32>()
        rows.removeAll { !at.insert($0.address.value).inserted }
        return rows
    }
}
