import KakapoCore
import KakapoLinuxIO

/// Rows of Kea's lease4 / lease6 tables as Core's leases and back: the SQL that reads and
/// writes them, and the mapping between libpq's text values and `Lease4` / `Lease6`. Pure.
///
/// A 13.0 database (Kea 2.2) has no `pool_id` column: reading gives pool 0 and writing leaves
/// it out. lease6's address is VARCHAR before 18.0 and INET from 18.0: reading goes through
/// `host(address::inet)`, which prints both the same.
enum LeaseRows {
    /// Whether the table has `pool_id` (schema 17.0 and later).
    static func hasPoolIDQuery(table: String) -> String {
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema() "
            + "AND table_name = '\(table)' AND column_name = 'pool_id'"
    }

    // MARK: DHCPv4

    static func select4(hasPoolID: Bool) -> String {
        "SELECT address, encode(hwaddr, 'hex'), encode(client_id, 'hex'), valid_lifetime, "
            + "extract(epoch FROM expire)::bigint, subnet_id, fqdn_fwd, fqdn_rev, hostname, state, "
            + "user_context, \(hasPoolID ? "pool_id" : "0") FROM lease4 ORDER BY address"
    }

    /// One `select4` row as a lease; the reason when a column does not fit Kea's lease.
    static func lease4(_ row: [String?]) -> Result<Lease4, RowError> {
        guard row.count == 12 else { return .failure(RowError("expected 12 columns, got \(row.count)")) }
        guard let raw = row[0].flatMap({ UInt32($0) }) else { return .failure(RowError("invalid address \(row[0] ?? "NULL")")) }
        let address = IPv4Address(raw)
        func fail(_ what: String) -> Result<Lease4, RowError> {
            .failure(RowError("lease \(address): invalid \(what)"))
        }
        guard let hw = bytes(row[1]) else { return fail("hwaddr") }
        guard let cid = bytes(row[2]) else { return fail("client_id") }
        guard let valid = row[3].flatMap({ UInt32($0) }) else { return fail("valid_lifetime") }
        guard let expire = row[4].flatMap({ Int64($0) }) else { return fail("expire") }
        guard let subnet = row[5].flatMap({ UInt32($0) }) else { return fail("subnet_id") }
        guard let state = stateValue(row[9]) else { return fail("state") }
        guard let pool = row[11].flatMap({ UInt32($0) }) else { return fail("pool_id") }
        var l = Lease4(address: address, hardwareAddress: hw.isEmpty ? nil : HardwareAddress(type: 1, bytes: hw),
                       clientID: cid.isEmpty ? nil : cid, validLifetimeSeconds: valid,
                       expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
        l.fqdnForward = PGText.bool(row[6])
        l.fqdnReverse = PGText.bool(row[7])
        l.hostname = row[8] ?? ""
        l.state = state
        l.userContext = row[10] ?? ""
        l.poolID = pool
        return .success(l)
    }

    static func insert4(hasPoolID: Bool) -> String {
        "INSERT INTO lease4 (address, hwaddr, client_id, valid_lifetime, expire, subnet_id, fqdn_fwd, "
            + "fqdn_rev, hostname, state, user_context\(hasPoolID ? ", pool_id" : "")) VALUES ($1, $2::bytea, "
            + "$3::bytea, $4, to_timestamp($5), $6, $7, $8, $9, $10, $11\(hasPoolID ? ", $12" : ""))"
    }

    /// `insert4`'s parameters, stored as Kea's server stores them: no hardware address or
    /// client id is NULL, no user context NULL.
    static func parameters4(_ l: Lease4, hasPoolID: Bool) -> [String?] {
        var p: [String?] = [
            String(l.address.value),
            l.hardwareAddress.map { PGText.bytea($0.bytes) },
            l.clientID.map(PGText.bytea),
            String(l.validLifetimeSeconds),
            String(l.expire.secondsSinceEpoch),
            String(l.subnetID),
            l.fqdnForward ? "t" : "f",
            l.fqdnReverse ? "t" : "f",
            l.hostname,
            String(l.state.rawValue),
            l.userContext.isEmpty ? nil : l.userContext,
        ]
        if hasPoolID { p.append(String(l.poolID)) }
        return p
    }

    // MARK: DHCPv6

    static func select6(hasPoolID: Bool) -> String {
        "SELECT host(address::inet), encode(duid, 'hex'), valid_lifetime, extract(epoch FROM expire)::bigint, "
            + "subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, "
            + "encode(hwaddr, 'hex'), state, user_context, hwtype, hwaddr_source, "
            + "\(hasPoolID ? "pool_id" : "0") FROM lease6 ORDER BY address"
    }

    static func lease6(_ row: [String?]) -> Result<Lease6, RowError> {
        guard row.count == 18 else { return .failure(RowError("expected 18 columns, got \(row.count)")) }
        guard let address = row[0].flatMap({ IPv6Address($0) }) else {
            return .failure(RowError("invalid address \(row[0] ?? "NULL")"))
        }
        func fail(_ what: String) -> Result<Lease6, RowError> { .failure(RowError("lease \(address): invalid \(what)")) }
        guard let duid = bytes(row[1]) else { return fail("duid") }
        guard let valid = row[2].flatMap({ UInt32($0) }) else { return fail("valid_lifetime") }
        guard let expire = row[3].flatMap({ Int64($0) }) else { return fail("expire") }
        guard let subnet = row[4].flatMap({ UInt32($0) }) else { return fail("subnet_id") }
        guard let preferred = row[5].flatMap({ UInt32($0) }) else { return fail("pref_lifetime") }
        guard let type = row[6].flatMap({ UInt8($0) }).flatMap(LeaseType6.init(rawValue:)) else { return fail("lease_type") }
        // Kea keeps the 32-bit IAID in a signed INT column: values above 2^31 read negative.
        guard let iaid = row[7].flatMap({ Int32($0) }) else { return fail("iaid") }
        guard let length = row[8].flatMap({ UInt8($0) }), length <= 128 else { return fail("prefix_len") }
        guard let state = stateValue(row[13]) else { return fail("state") }
        guard let hw = bytes(row[12]) else { return fail("hwaddr") }
        guard let pool = row[17].flatMap({ UInt32($0) }) else { return fail("pool_id") }
        var l = Lease6(type: type, address: address, prefixLength: type == .delegatedPrefix ? length : 128,
                       duid: duid.isEmpty ? Lease6.emptyDUID : duid, iaid: UInt32(bitPattern: iaid),
                       preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                       expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
        l.fqdnForward = PGText.bool(row[9])
        l.fqdnReverse = PGText.bool(row[10])
        l.hostname = row[11] ?? ""
        if !hw.isEmpty {
            guard let hwtype = UInt8(row[15] ?? "1") else { return fail("hwtype") }
            guard let source = UInt32(row[16] ?? "0") else { return fail("hwaddr_source") }
            l.hardwareAddress = HardwareAddress(type: hwtype, bytes: hw)
            l.hardwareAddressSource = HardwareAddressSource(rawValue: source)
        }
        l.state = state
        l.userContext = row[14] ?? ""
        l.poolID = pool
        return .success(l)
    }

    static func insert6(hasPoolID: Bool) -> String {
        "INSERT INTO lease6 (address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, "
            + "prefix_len, fqdn_fwd, fqdn_rev, hostname, hwaddr, state, user_context, hwtype, hwaddr_source"
            + "\(hasPoolID ? ", pool_id" : "")) VALUES ($1, $2::bytea, $3, to_timestamp($4), $5, $6, $7, $8, $9, "
            + "$10, $11, $12, $13::bytea, $14, $15, $16, $17\(hasPoolID ? ", $18" : ""))"
    }

    /// `insert6`'s parameters: hwtype and hwaddr_source only beside a hardware address, the
    /// IAID as Kea's signed INT.
    static func parameters6(_ l: Lease6, hasPoolID: Bool) -> [String?] {
        var p: [String?] = [
            l.address.description,
            PGText.bytea(l.duid),
            String(l.validLifetimeSeconds),
            String(l.expire.secondsSinceEpoch),
            String(l.subnetID),
            String(l.preferredLifetimeSeconds),
            String(l.type.rawValue),
            String(Int32(bitPattern: l.iaid)),
            String(l.prefixLength),
            l.fqdnForward ? "t" : "f",
            l.fqdnReverse ? "t" : "f",
            l.hostname,
            l.hardwareAddress.map { PGText.bytea($0.bytes) },
            String(l.state.rawValue),
            l.userContext.isEmpty ? nil : l.userContext,
            l.hardwareAddress.map { String($0.type) },
            l.hardwareAddress.map { _ in String(l.hardwareAddressSource.rawValue) },
        ]
        if hasPoolID { p.append(String(l.poolID)) }
        return p
    }

    // MARK: Statistics

    /// stats-recount: every counter the triggers keep, rebuilt from the lease rows in one
    /// transaction (per subnet as Kea's kea-admin does; per pool and per client class too,
    /// where the schema has those tables).
    static func recount(family: Int, hasPoolStats: Bool, hasClassStats: Bool) -> String {
        var sql = "START TRANSACTION;\n"
        if family == 4 {
            sql += """
                DELETE FROM lease4_stat;
                INSERT INTO lease4_stat (subnet_id, state, leases)
                    SELECT subnet_id, state, count(*) FROM lease4 WHERE state IN (0, 1) GROUP BY subnet_id, state;

                """
            if hasPoolStats {
                sql += """
                    DELETE FROM lease4_pool_stat;
                    INSERT INTO lease4_pool_stat (subnet_id, pool_id, state, leases)
                        SELECT subnet_id, pool_id, state, count(*) FROM lease4 WHERE state IN (0, 1)
                        GROUP BY subnet_id, pool_id, state;

                    """
            }
            if hasClassStats {
                sql += """
                    DELETE FROM lease4_stat_by_client_class;
                    INSERT INTO lease4_stat_by_client_class (client_class, leases)
                        SELECT TRIM('"' FROM c::text), count(*) FROM lease4,
                            JSON_ARRAY_ELEMENTS(COALESCE(json_cast(user_context)->'ISC'->'client-classes', '[]'::json)) AS c
                        WHERE state = 0 GROUP BY 1;

                    """
            }
        } else {
            sql += """
                DELETE FROM lease6_stat;
                INSERT INTO lease6_stat (subnet_id, lease_type, state, leases)
                    SELECT subnet_id, lease_type, state, count(*) FROM lease6 WHERE state IN (0, 1)
                    GROUP BY subnet_id, lease_type, state;

                """
            if hasPoolStats {
                sql += """
                    DELETE FROM lease6_pool_stat;
                    INSERT INTO lease6_pool_stat (subnet_id, pool_id, lease_type, state, leases)
                        SELECT subnet_id, pool_id, lease_type, state, count(*) FROM lease6 WHERE state IN (0, 1)
                        GROUP BY subnet_id, pool_id, lease_type, state;

                    """
            }
            if hasClassStats {
                sql += """
                    DELETE FROM lease6_stat_by_client_class;
                    INSERT INTO lease6_stat_by_client_class (client_class, lease_type, leases)
                        SELECT TRIM('"' FROM c::text), lease_type, count(*) FROM lease6,
                            JSON_ARRAY_ELEMENTS(COALESCE(json_cast(user_context)->'ISC'->'client-classes', '[]'::json)) AS c
                        WHERE state = 0 GROUP BY 1, 2;

                    """
            }
        }
        return sql + "COMMIT;"
    }

    // MARK: Helpers

    struct RowError: Error, Equatable, CustomStringConvertible {
        var description: String
        init(_ d: String) { description = d }
    }

    /// A hex column from `encode(..., 'hex')`: NULL and '' are no bytes; nil when not hex.
    static func bytes(_ text: String?) -> [UInt8]? {
        guard let t = text, !t.isEmpty else { return [] }
        return HexText.decode(t)
    }

    /// The state column (NULL is Kea's default, 0).
    static func stateValue(_ text: String?) -> LeaseState? {
        guard let t = text else { return .assigned }
        return UInt32(t).flatMap(LeaseState.init(rawValue:))
    }
}
