import Glibc
import Testing
import KakapoCore
@testable import KakapoLinuxIO

/// The PostgreSQL lease store against the private server `scripts/with-pg.sh` starts: Kea's
/// lease4 columns (schema 13.0's; 18.0 only adds columns with defaults), conditional writes,
/// group commit, conflicts made by a second connection writing first.
@Suite(.serialized) struct PGLeaseStoreTests {
    static let enabled = PGConnectionTests.settings != nil
    static let reason: Comment = "no private PostgreSQL server (run under scripts/with-pg.sh)"

    /// A fresh database with Kea's lease4 table and schema_version at `version`.
    static func database(_ name: String, version: (Int, Int) = (13, 0)) throws -> String {
        let admin = try PGConnection(conninfo: PGConnection.conninfo(PGConnectionTests.settings!))
        try admin.exec("DROP DATABASE IF EXISTS \(name)")
        try admin.exec("CREATE DATABASE \(name)")
        var s = PGConnectionTests.settings!
        s.name = name
        let info = PGConnection.conninfo(s)
        let c = try PGConnection(conninfo: info)
        try c.exec("""
            CREATE TABLE lease4 (address BIGINT PRIMARY KEY NOT NULL, hwaddr BYTEA, client_id BYTEA,
              valid_lifetime BIGINT, expire TIMESTAMP WITH TIME ZONE, subnet_id BIGINT, fqdn_fwd BOOLEAN,
              fqdn_rev BOOLEAN, hostname VARCHAR(255), state INT8 DEFAULT 0, user_context TEXT)
            """)
        try c.exec("CREATE INDEX lease4_by_hwaddr_subnet_id ON lease4 (hwaddr, subnet_id)")
        try c.exec("CREATE TABLE schema_version (version INT PRIMARY KEY NOT NULL, minor INT)")
        try c.exec("INSERT INTO schema_version VALUES ($1, $2)", [String(version.0), String(version.1)])
        return info
    }

    static func lease(_ last: UInt8, mac: UInt8, expire: Int64 = 1_800_003_600) -> Lease4 {
        var l = Lease4(address: IPv4Address(192, 0, 2, last), hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, mac]),
                       clientID: [1, 2, mac], validLifetimeSeconds: 3600, expire: WallTime(secondsSinceEpoch: expire), subnetID: 1)
        l.hostname = "host-\(mac)"
        l.userContext = "{ \"a\": 1 }"
        return l
    }

    static func tx(_ id: UInt64, _ writes: [LeaseWrite4]) -> Effects4 {
        var e = Effects4()
        e.writes = writes
        e.transaction = TransactionID(id)
        return e
    }

    static func insert(_ l: Lease4) -> LeaseWrite4 { LeaseWrite4(change: .upsert(l), expected: nil) }

    @Test(.enabled(if: enabled, reason))
    func schemaVersionsAreCheckedAsKeaDoes() throws {
        _ = try PGLeaseStore<PGLease4Table>(conninfo: try Self.database("kk_pgstore_v13"))
        _ = try PGLeaseStore<PGLease4Table>(conninfo: try Self.database("kk_pgstore_v18", version: (18, 0)))
        let info = try Self.database("kk_pgstore_v99", version: (99, 0))
        #expect(throws: PGError(message: "PostgreSQL schema version mismatch: need version: 13.0 or 18.0 found version: 99.0")) {
            try PGLeaseStore<PGLease4Table>(conninfo: info)
        }
    }

    /// Rows round-trip through the columns both schemas have, and are found by each key.
    @Test(.enabled(if: enabled, reason))
    func rowsRoundTripAndAreFoundByEveryKey() throws {
        let store = try PGLeaseStore<PGLease4Table>(conninfo: try Self.database("kk_pgstore_rows"))
        var l = Self.lease(10, mac: 1)
        l.fqdnForward = true
        l.state = .declined
        let r = store.write([Self.tx(1, [Self.insert(l), Self.insert(Self.lease(11, mac: 2))])])
        #expect(r.outcomes == [.durable])
        #expect(try store.all() == [l, Self.lease(11, mac: 2)])
        #expect(try store.rows(for: [.hardwareAddress(HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]))]) == [l])
        #expect(try store.rows(for: [.clientID([1, 2, 2])]) == [Self.lease(11, mac: 2)])
        #expect(try store.rows(for: [.address(IPv4Address(192, 0, 2, 11)), .clientID([1, 2, 2]), .address(IPv4Address(192, 0, 2, 12))])
                == [Self.lease(11, mac: 2)], "a row found by two keys comes once")
        let expire = try store.connection.exec("SELECT extract(epoch from expire)::bigint FROM lease4 WHERE address = $1",
                                               [String(IPv4Address(192, 0, 2, 10).value)]).rows
        #expect(expire == [["1800003600"]])
    }

    /// INSERT over no row, UPDATE and DELETE conditional on the old expiry: a write that finds
    /// another row is a conflict carrying the row that is there.
    @Test(.enabled(if: enabled, reason))
    func conditionalWritesAndConflictsFromASecondConnection() throws {
        let info = try Self.database("kk_pgstore_cond")
        let store = try PGLeaseStore<PGLease4Table>(conninfo: info)
        let other = try PGConnection(conninfo: info)
        let mine = Self.lease(20, mac: 1)
        #expect(store.write([Self.tx(1, [Self.insert(mine)])]).outcomes == [.durable])

        // Another server renews the lease first (its own row, a later expiry).
        try other.exec("UPDATE lease4 SET expire = to_timestamp(1800007200) WHERE address = $1", [String(mine.address.value)])
        // And takes .25 and .30 (a row in the window after a conflict at .25).
        let theirs = Self.lease(25, mac: 9)
        try other.exec(PGLease4Table.insertSQL, PGLease4Table.rowParameters(theirs))
        try other.exec(PGLease4Table.insertSQL, PGLease4Table.rowParameters(Self.lease(30, mac: 8)))

        var renewed = mine
        renewed.expire = WallTime(secondsSinceEpoch: 1_800_010_000)
        var current = mine
        current.expire = WallTime(secondsSinceEpoch: 1_800_007_200)
        let r = store.write([
            Self.tx(2, [LeaseWrite4(change: .upsert(renewed), expected: mine)]),  // stale: conflict
            Self.tx(3, [Self.insert(Self.lease(25, mac: 3))]),                     // taken: conflict
            Self.tx(4, [Self.insert(Self.lease(26, mac: 4))]),                     // free: durable
            Self.tx(5, [LeaseWrite4(change: .delete(mine), expected: mine)]),      // stale: conflict
        ])
        #expect(r.outcomes == [.conflict(address: mine.address, current: current),
                               .conflict(address: theirs.address, current: theirs),
                               .durable,
                               .conflict(address: mine.address, current: current)])
        #expect(r.lost == nil)
        #expect(r.shown.contains(Self.lease(30, mac: 8)), "the window after a conflict shows other servers' rows")
        #expect(try store.rows(for: [.address(IPv4Address(192, 0, 2, 26))]) == [Self.lease(26, mac: 4)])

        // Decided again on the current row: the update and the delete apply.
        #expect(store.write([Self.tx(6, [LeaseWrite4(change: .upsert(renewed), expected: current)])]).outcomes == [.durable])
        #expect(store.write([Self.tx(7, [LeaseWrite4(change: .delete(renewed), expected: renewed)])]).outcomes == [.durable])
        #expect(try store.rows(for: [.address(mine.address)]).isEmpty)
    }

    /// Another server gave the address to another client with the very same expiry (the same
    /// second, the same lifetime): Kea's expiry-only condition would let this server's renewal
    /// overwrite that client's lease; the owner is part of the condition, so it is a conflict.
    /// A declined row whose hwaddr is an empty bytea (Kea writes them) matches a lease without one.
    @Test(.enabled(if: enabled, reason))
    func anOwnerChangeWithTheSameExpiryIsAConflict() throws {
        let info = try Self.database("kk_pgstore_owner")
        let store = try PGLeaseStore<PGLease4Table>(conninfo: info)
        let other = try PGConnection(conninfo: info)
        let mine = Self.lease(50, mac: 1)
        #expect(store.write([Self.tx(1, [Self.insert(mine)])]).outcomes == [.durable])
        try other.exec("UPDATE lease4 SET hwaddr = $2, client_id = $3 WHERE address = $1",
                       [String(mine.address.value), PGText.bytea([2, 0, 0, 0, 0, 7]), PGText.bytea([1, 2, 7])])
        var renewed = mine
        renewed.expire = WallTime(secondsSinceEpoch: mine.expire.secondsSinceEpoch + 600)
        var theirs = Self.lease(50, mac: 7)
        theirs.hostname = mine.hostname
        #expect(store.write([Self.tx(2, [LeaseWrite4(change: .upsert(renewed), expected: mine)])]).outcomes
                == [.conflict(address: mine.address, current: theirs)])
        #expect(store.write([Self.tx(3, [LeaseWrite4(change: .delete(mine), expected: mine)])]).outcomes
                == [.conflict(address: mine.address, current: theirs)])

        var bare = Self.lease(51, mac: 2)
        bare.hardwareAddress = nil
        bare.clientID = nil
        bare.state = .declined  // Kea clears a declined lease's identifiers
        try other.exec(PGLease4Table.insertSQL, PGLease4Table.rowParameters(bare))
        try other.exec("UPDATE lease4 SET hwaddr = '\\x'::bytea, client_id = '\\x'::bytea WHERE address = $1", [String(bare.address.value)])
        #expect(try store.rows(for: [.address(bare.address)]) == [bare])
        #expect(store.write([Self.tx(4, [LeaseWrite4(change: .delete(bare), expected: bare)])]).outcomes == [.durable])
    }

    /// A transaction of several writes is all or nothing.
    @Test(.enabled(if: enabled, reason))
    func aTransactionOfSeveralWritesIsAtomic() throws {
        let info = try Self.database("kk_pgstore_multi")
        let store = try PGLeaseStore<PGLease4Table>(conninfo: info)
        let other = try PGConnection(conninfo: info)
        try other.exec(PGLease4Table.insertSQL, PGLease4Table.rowParameters(Self.lease(41, mac: 9)))
        let r = store.write([Self.tx(1, [Self.insert(Self.lease(40, mac: 1)), Self.insert(Self.lease(41, mac: 1))]),
                             Self.tx(2, [Self.insert(Self.lease(42, mac: 2)), Self.insert(Self.lease(43, mac: 2))])])
        #expect(r.outcomes == [.conflict(address: IPv4Address(192, 0, 2, 41), current: Self.lease(41, mac: 9)), .durable])
        #expect(try store.all().map(\.address.description) == ["192.0.2.41", "192.0.2.42", "192.0.2.43"],
                "the first write of the refused transaction was rolled back")
        // The connection is usable afterwards (no transaction left open).
        #expect(store.write([Self.tx(3, [Self.insert(Self.lease(40, mac: 1))])]).outcomes == [.durable])
    }

    /// A statement the database refuses (not a conflict) fails its whole group: nothing of the
    /// group is acknowledged, and the connection stays usable.
    @Test(.enabled(if: enabled, reason))
    func aRefusedStatementFailsItsGroup() throws {
        let store = try PGLeaseStore<PGLease4Table>(conninfo: try Self.database("kk_pgstore_fail"))
        var bad = Self.lease(50, mac: 1)
        bad.hostname = String(repeating: "x", count: 300)  // hostname is VARCHAR(255)
        let r = store.write([Self.tx(1, [Self.insert(Self.lease(51, mac: 2))]), Self.tx(2, [Self.insert(bad)])])
        #expect(r.outcomes.allSatisfy { if case .failed? = $0 { true } else { false } }, "\(r.outcomes)")
        #expect(try store.all().isEmpty)
        #expect(store.write([Self.tx(3, [Self.insert(Self.lease(51, mac: 2))])]).outcomes == [.durable])
    }

    /// lease6 rows round-trip through the columns both schemas have, are found by each key,
    /// and take the same conditional writes.
    @Test(.enabled(if: enabled, reason))
    func lease6RowsRoundTripWithConditionalWrites() throws {
        let info = try Self.database("kk_pgstore_v6")
        let c = try PGConnection(conninfo: info)
        try c.exec("""
            CREATE TABLE lease6 (address VARCHAR(39) PRIMARY KEY NOT NULL, duid BYTEA, valid_lifetime BIGINT,
              expire TIMESTAMP WITH TIME ZONE, subnet_id BIGINT, pref_lifetime BIGINT, lease_type SMALLINT, iaid INT,
              prefix_len SMALLINT, fqdn_fwd BOOLEAN, fqdn_rev BOOLEAN, hostname VARCHAR(255), state INT8 DEFAULT 0,
              hwaddr BYTEA DEFAULT NULL, hwtype SMALLINT DEFAULT NULL, hwaddr_source SMALLINT DEFAULT NULL, user_context TEXT)
            """)
        let store = try PGLeaseStore<PGLease6Table>(conninfo: info)
        var na = Lease6(type: .nonTemporaryAddress, address: IPv6Address("2001:db8::10")!, duid: [0, 1, 2, 3], iaid: 0xFFFF_FFF0,
                        preferredLifetimeSeconds: 1800, validLifetimeSeconds: 3600, expire: WallTime(secondsSinceEpoch: 1_800_003_600), subnetID: 1)
        na.hardwareAddress = HardwareAddress(type: 1, bytes: [2, 0, 0, 0, 0, 1])
        na.hardwareAddressSource = .duid
        na.hostname = "h6"
        let pd = Lease6(type: .delegatedPrefix, address: IPv6Address("2001:db8:1:100::")!, prefixLength: 56, duid: [0, 1, 2, 3], iaid: 7,
                        preferredLifetimeSeconds: 1800, validLifetimeSeconds: 3600, expire: WallTime(secondsSinceEpoch: 1_800_003_600), subnetID: 1)
        var e = Effects6()
        e.writes = [LeaseWrite6(change: .upsert(na), expected: nil), LeaseWrite6(change: .upsert(pd), expected: nil)]
        e.transaction = TransactionID(1)
        #expect(store.write([e]).outcomes == [.durable])
        #expect(Set(try store.all().map(\.address)) == [na.address, pd.address])
        #expect(try store.all().first { $0.type == .nonTemporaryAddress } == na)
        #expect(try store.all().first { $0.type == .delegatedPrefix } == pd)
        #expect(try c.exec("SELECT iaid FROM lease6 WHERE address = '2001:db8::10'").rows == [["-16"]], "Kea's signed iaid")
        #expect(try store.rows(for: [.identity(type: .nonTemporaryAddress, duid: [0, 1, 2, 3], iaid: 0xFFFF_FFF0)]) == [na])
        #expect(try store.rows(for: [.identityInSubnet(type: .delegatedPrefix, duid: [0, 1, 2, 3], iaid: 7, subnetID: 1),
                                     .address(pd.address)]) == [pd])
        #expect(try store.rows(for: [.identity(type: .delegatedPrefix, duid: [0, 1, 2, 3], iaid: 0xFFFF_FFF0)]).isEmpty)
        #expect(try store.rows(for: [.hardwareAddress(HardwareAddress(type: 1, bytes: [2, 0, 0, 0, 0, 1]))]) == [na])
        // A second writer renews first: a stale renewal conflicts and carries the current row.
        try c.exec("UPDATE lease6 SET expire = to_timestamp(1800009000) WHERE address = '2001:db8::10'")
        var renewed = na
        renewed.expire = WallTime(secondsSinceEpoch: 1_800_010_000)
        var current = na
        current.expire = WallTime(secondsSinceEpoch: 1_800_009_000)
        var r = Effects6()
        r.writes = [LeaseWrite6(change: .upsert(renewed), expected: na)]
        r.transaction = TransactionID(2)
        #expect(store.write([r]).outcomes == [.conflict(address: na.address, current: current)])
    }

    /// Schema 18.0 as Kakapo's own script makes it (share/pgsql/dhcpdb_create.pgsql, Kea 2.4's
    /// schema: lease6.address is `inet` there, lease4 has more columns with defaults): both
    /// tables read and write the same.
    @Test(.enabled(if: enabled, reason))
    func schema18FromKakaposScriptServesBothFamilies() throws {
        let script = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let path = "/" + script + "/share/pgsql/dhcpdb_create.pgsql"
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0, "no schema script at \(path)")
        var text: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            text.append(contentsOf: buf[0..<n])
        }
        close(fd)
        let admin = try PGConnection(conninfo: PGConnection.conninfo(PGConnectionTests.settings!))
        try admin.exec("DROP DATABASE IF EXISTS kk_pgstore_s18")
        try admin.exec("CREATE DATABASE kk_pgstore_s18")
        var settings = PGConnectionTests.settings!
        settings.name = "kk_pgstore_s18"
        let info = PGConnection.conninfo(settings)
        try PGConnection(conninfo: info).execScript(String(decoding: text, as: UTF8.self))

        let v4 = try PGLeaseStore<PGLease4Table>(conninfo: info)
        let l4 = Self.lease(60, mac: 6)
        #expect(v4.write([Self.tx(1, [Self.insert(l4)])]).outcomes == [.durable])
        #expect(try v4.all() == [l4])
        #expect(v4.write([Self.tx(2, [Self.insert(l4)])]).outcomes == [.conflict(address: l4.address, current: l4)])

        let v6 = try PGLeaseStore<PGLease6Table>(conninfo: info)
        let l6 = Lease6(type: .nonTemporaryAddress, address: IPv6Address("2001:db8::60")!, duid: [0, 1, 6], iaid: 6,
                        preferredLifetimeSeconds: 1800, validLifetimeSeconds: 3600, expire: WallTime(secondsSinceEpoch: 1_800_003_600), subnetID: 1)
        var e = Effects6()
        e.writes = [LeaseWrite6(change: .upsert(l6), expected: nil)]
        e.transaction = TransactionID(3)
        #expect(v6.write([e]).outcomes == [.durable])
        #expect(try v6.all() == [l6])
        #expect(try v6.rows(for: [.address(l6.address), .identity(type: .nonTemporaryAddress, duid: [0, 1, 6], iaid: 6)]) == [l6])
        var renewed = l6
        renewed.expire = WallTime(secondsSinceEpoch: 1_800_005_000)
        var r = Effects6()
        r.writes = [LeaseWrite6(change: .upsert(renewed), expected: l6)]
        r.transaction = TransactionID(4)
        #expect(v6.write([r]).outcomes == [.durable])
        #expect(try v6.all() == [renewed])
    }
}
