import KakapoCore

/// Kea's lease6 table: the columns schema 13.0 (Kea 2.2) and 18.0 (Kea 2.4) both have. The
/// address is text (Kea's canonical form); a comparison with a text parameter also works where
/// a later schema holds it as `inet`. The iaid column is a signed INT: Kea stores the 32-bit
/// IAID's bit pattern. kakapo-dhcp6 serves it (`Dhcp6Server+PostgreSQL.swift`).
public enum PGLease6Table: PGLeaseTable {
    public typealias Family = DHCPv6Family
    public static let prefix = "kk_l6"
    public static let tableName = "lease6"
    static let columns = "address, duid, valid_lifetime, expire, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, state, hwaddr, hwtype, hwaddr_source, user_context"
    public static let select = "SELECT address, duid, valid_lifetime, extract(epoch from expire)::bigint, subnet_id, pref_lifetime, lease_type, iaid, prefix_len, fqdn_fwd, fqdn_rev, hostname, state, hwaddr, hwtype, hwaddr_source, user_context FROM lease6"
    public static let insertSQL = "INSERT INTO lease6 (\(columns)) VALUES ($1, $2, $3, to_timestamp($4), $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (address) DO NOTHING"
    public static let updateSQL = "UPDATE lease6 SET duid = $2, valid_lifetime = $3, expire = to_timestamp($4), subnet_id = $5, pref_lifetime = $6, lease_type = $7, iaid = $8, prefix_len = $9, fqdn_fwd = $10, fqdn_rev = $11, hostname = $12, state = $13, hwaddr = $14, hwtype = $15, hwaddr_source = $16, user_context = $17 WHERE address = $1 AND " + numbered(version, from: 18)
    public static let deleteSQL = "DELETE FROM lease6 WHERE address = $1 AND " + numbered(version, from: 2)
    static let version = "extract(epoch from expire)::bigint = $%d AND state = $%d AND valid_lifetime = $%d AND lease_type = $%d AND prefix_len = $%d AND duid = $%d AND iaid = $%d"

    public static func versionParameters(_ e: Lease6) -> [String?] {
        [String(e.expire.secondsSinceEpoch), String(e.state.rawValue), String(e.validLifetimeSeconds),
         String(e.type.rawValue), String(e.prefixLength), PGText.bytea(e.duid), String(Int32(bitPattern: e.iaid))]
    }

    public static func addressParameter(_ a: IPv6Address) -> String { a.description }

    /// Text addresses have no useful order in SQL: the window is the address itself.
    public static func windowEnd(_ a: IPv6Address) -> IPv6Address { a }

    public static func rowParameters(_ l: Lease6) -> [String?] {
        let hw = l.hardwareAddress.flatMap { $0.bytes.isEmpty ? nil : $0 }
        return [l.address.description,
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
                String(l.state.rawValue),
                hw.map { PGText.bytea($0.bytes) },
                hw.map { String($0.type) },
                hw.map { _ in String(l.hardwareAddressSource.rawValue) },
                l.userContext.isEmpty ? nil : l.userContext]
    }

    public static func lease(from r: [String?]) -> Lease6? {
        guard r.count >= 17, let text = r[0], let a = IPv6Address(text.split(separator: "/").first ?? ""),
              let duid = r[1].flatMap(PGText.bytes(fromBytea:)), let valid = r[2].flatMap({ UInt32($0) }),
              let expire = r[3].flatMap({ Int64($0) }), let subnet = r[4].flatMap({ UInt32($0) }),
              let preferred = r[5].flatMap({ UInt32($0) }), let type = r[6].flatMap({ UInt8($0) }).flatMap(LeaseType6.init(rawValue:)),
              let iaid = r[7].flatMap({ Int32($0) }), let length = r[8].flatMap({ UInt8($0) }) else { return nil }
        var l = Lease6(type: type, address: a, prefixLength: length, duid: duid, iaid: UInt32(bitPattern: iaid),
                       preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                       expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
        l.fqdnForward = PGText.bool(r[9])
        l.fqdnReverse = PGText.bool(r[10])
        l.hostname = r[11] ?? ""
        l.state = r[12].flatMap { UInt32($0) }.flatMap(LeaseState.init(rawValue:)) ?? .assigned
        if let bytes = r[13].flatMap(PGText.bytes(fromBytea:)), !bytes.isEmpty {
            l.hardwareAddress = HardwareAddress(type: r[14].flatMap { UInt8($0) } ?? 1, bytes: bytes)
            l.hardwareAddressSource = HardwareAddressSource(rawValue: r[15].flatMap { UInt32($0) } ?? 0)
        }
        l.userContext = r[16] ?? ""
        return l.isWellFormed ? l : nil
    }
}

extension PGLeaseStore where Table == PGLease6Table {
    /// One prepared SELECT per distinct key (lease6's indexes: address, (iaid, subnet_id, duid)).
    public func rows(for keys: [LeaseKey6]) throws(PGError) -> [Lease6] {
        guard !keys.isEmpty else { return [] }
        let p = Table.prefix
        if !connection.isPrepared("\(p)_by_identity") {
            try connection.prepare("\(p)_by_identity", "\(Table.select) WHERE iaid = $3 AND duid = $2 AND lease_type = $1")
            try connection.prepare("\(p)_by_identity_subnet", "\(Table.select) WHERE iaid = $3 AND subnet_id = $4 AND duid = $2 AND lease_type = $1")
            try connection.prepare("\(p)_by_hwaddr", "\(Table.select) WHERE hwaddr = $1 AND hwtype = $2")
        }
        var seen = Set<[String?]>()
        var statements: [PGStatement] = []
        for k in keys {
            let s: PGStatement
            switch k {
            case .address(let a): s = .prepared("\(p)_by_address", [a.description])
            case .identity(let type, let duid, let iaid):
                s = .prepared("\(p)_by_identity", [String(type.rawValue), PGText.bytea(duid), String(Int32(bitPattern: iaid))])
            case .identityInSubnet(let type, let duid, let iaid, let subnet):
                s = .prepared("\(p)_by_identity_subnet", [String(type.rawValue), PGText.bytea(duid), String(Int32(bitPattern: iaid)), String(subnet)])
            case .hardwareAddress(let h): s = .prepared("\(p)_by_hwaddr", [PGText.bytea(h.bytes), String(h.type)])
            }
            guard case .prepared(let name) = s.body, seen.insert([name] + s.parameters).inserted else { continue }
            statements.append(s)
        }
        var rows = try select(statements)
        var at = Set<IPv6Address>()
        rows.removeAll { !at.insert($0.address).inserted }
        return rows
    }
}
