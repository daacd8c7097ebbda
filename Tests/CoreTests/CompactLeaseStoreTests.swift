import XCTest
@testable import KakapoCore

/// MemoryLeaseStore4's compact layout (records, interned identifiers, chains, text arena)
/// against a plain model, and the streaming leases4 loader against the whole-text one.
final class CompactLeaseStoreTests: XCTestCase {
    /// The old store's semantics in the simplest form: leases by address, and for each identity
    /// the order in which leases joined it (a renewal by the same owner keeps its place).
    struct Model {
        var leases: [UInt32: Lease4] = [:]
        var joined: [UInt32: Int] = [:]
        var clock = 0

        mutating func apply(_ change: LeaseChange4) {
            let l = change.lease
            let a = l.address.value
            if case .upsert = change, let old = leases[a], old.hardwareAddress == l.hardwareAddress,
               old.clientID == l.clientID {
                leases[a] = l
                return
            }
            leases[a] = nil
            joined[a] = nil
            if case .upsert = change {
                leases[a] = l
                clock += 1
                joined[a] = clock
            }
        }

        func leases(for key: LeaseKey4) -> [Lease4] {
            let matching: [Lease4]
            switch key {
            case .address(let a): return leases[a.value].map { [$0] } ?? []
            case .hardwareAddress(let h):
                guard !h.isEmpty else { return [] }
                matching = leases.values.filter { $0.hardwareAddress == h }
            case .clientID(let c):
                guard !c.isEmpty else { return [] }
                matching = leases.values.filter { $0.clientID == c }
            }
            return matching.sorted { joined[$0.address.value]! < joined[$1.address.value]! }
        }

        func expired(state: LeaseState, before cutoff: Int64, limit: Int) -> [Lease4] {
            Array(leases.values.filter { $0.state == state && $0.expire.secondsSinceEpoch <= cutoff }
                .sorted { ($0.expire.secondsSinceEpoch, $0.address) < ($1.expire.secondsSinceEpoch, $1.address) }
                .prefix(limit))
        }
    }

    private func randomLease(_ rng: inout SplitMix64) -> Lease4 {
        let address = IPv4Address(0xC000_0200 | UInt32(rng.next() % 40))
        // Few identities, so that several leases share one and identities change on upsert.
        let hw: HardwareAddress? = switch rng.next() % 6 {
        case 0: nil
        case 1: HardwareAddress(bytes: [])
        case 2: HardwareAddress(type: 6, bytes: [2, 0, 0, 0, 0, UInt8(rng.next() % 3)])
        default: HardwareAddress(bytes: [2, 0, 0, 0, 0, UInt8(rng.next() % 5)])
        }
        let cid: [UInt8]? = switch rng.next() % 4 {
        case 0: nil
        case 1: []
        default: [1, 2, 0, 0, 0, 0, UInt8(rng.next() % 4)]
        }
        var l = Lease4(address: address, hardwareAddress: hw, clientID: cid,
                       validLifetimeSeconds: UInt32(rng.next() % 3600), expire: WallTime(secondsSinceEpoch: Int64(rng.next() % 50)),
                       subnetID: UInt32(rng.next() % 3))
        l.state = LeaseState(rawValue: UInt32(rng.next() % 3))!
        l.fqdnForward = rng.next() % 2 == 0
        l.fqdnReverse = rng.next() % 2 == 0
        l.hostname = ["", "a", "host-\(rng.next() % 100).example.org", "é,&x"][Int(rng.next() % 4)]
        l.userContext = rng.next() % 5 == 0 ? "{ \"k\": \(rng.next() % 9) }" : ""
        l.poolID = UInt32(rng.next() % 4)
        return l
    }

    func testMatchesTheModelUnderRandomUpsertsAndDeletes() {
        for seed in UInt64(1)...12 {
            var rng = SplitMix64(seed: seed)
            var store = MemoryLeaseStore4()
            var model = Model()
            for step in 0..<1500 {
                let l = randomLease(&rng)
                let change: LeaseChange4 = rng.next() % 4 == 0 ? .delete(l) : .upsert(l)
                store.apply(change)
                model.apply(change)
                let ctx = "seed \(seed) step \(step)"
                XCTAssertEqual(store.count, model.leases.count, ctx)
                XCTAssertEqual(store.lease(at: l.address), model.leases[l.address.value], ctx)
                if let h = l.hardwareAddress {
                    XCTAssertEqual(store.leases(for: .hardwareAddress(h)), model.leases(for: .hardwareAddress(h)), ctx)
                    XCTAssertEqual(store.firstLease(for: .hardwareAddress(h), where: { $0.subnetID == 1 }),
                                   model.leases(for: .hardwareAddress(h)).first { $0.subnetID == 1 }, ctx)
                }
                if let c = l.clientID {
                    XCTAssertEqual(store.leases(for: .clientID(c)), model.leases(for: .clientID(c)), ctx)
                }
                if step % 100 == 0 {
                    XCTAssertEqual(store.all(), model.leases.values.sorted { $0.address < $1.address }, ctx)
                    let cutoff = Int64(rng.next() % 50)
                    let state = LeaseState(rawValue: UInt32(rng.next() % 3))!
                    XCTAssertEqual(store.expired(state: state, before: WallTime(secondsSinceEpoch: cutoff), limit: 7),
                                   model.expired(state: state, before: cutoff, limit: 7), ctx)
                    let after = IPv4Address(0xC000_0200 | UInt32(rng.next() % 40))
                    XCTAssertEqual(store.leases(after: after, limit: 5),
                                   Array(model.leases.values.filter { $0.address > after }.sorted { $0.address < $1.address }.prefix(5)), ctx)
                    // The statistics recount's tally, read from the records, against the leases.
                    var tally: [LeaseTally4: Int] = [:]
                    store.forEachTally { tally[LeaseTally4(subnetID: $0, state: $1), default: 0] += $2 }
                    var expected: [LeaseTally4: Int] = [:]
                    for l in model.leases.values { expected[LeaseTally4(subnetID: l.subnetID, state: l.state), default: 0] += 1 }
                    XCTAssertEqual(tally, expected, ctx)
                }
            }
        }
    }

    func testSeveralLeasesPerIdentityKeepTheirOrderAndIdentityChangesMoveThem() {
        var store = MemoryLeaseStore4()
        let mac = HardwareAddress(bytes: [8, 0, 0x27, 1, 2, 3])
        func lease(_ last: UInt8, hw: HardwareAddress?, cid: [UInt8]?) -> Lease4 {
            Lease4(address: IPv4Address(192, 0, 2, last), hardwareAddress: hw, clientID: cid, validLifetimeSeconds: 60,
                   expire: WallTime(secondsSinceEpoch: 100), subnetID: 1)
        }
        for a in [UInt8(10), 11, 12] { store.apply(.upsert(lease(a, hw: mac, cid: [1, 2]))) }
        XCTAssertEqual(store.leases(for: .hardwareAddress(mac)).map(\.address.value), [0xC000_020A, 0xC000_020B, 0xC000_020C])
        // A renewal keeps its place; the middle one moves to another identity.
        var renewed = lease(10, hw: mac, cid: [1, 2])
        renewed.expire = WallTime(secondsSinceEpoch: 500)
        store.apply(.upsert(renewed))
        store.apply(.upsert(lease(11, hw: HardwareAddress(bytes: [9]), cid: [1, 2])))
        XCTAssertEqual(store.leases(for: .hardwareAddress(mac)).map(\.address.value), [0xC000_020A, 0xC000_020C])
        // Its identity changed, so it joined the client id's chain anew, at the end.
        XCTAssertEqual(store.leases(for: .clientID([1, 2])).map(\.address.value), [0xC000_020A, 0xC000_020C, 0xC000_020B])
        XCTAssertEqual(store.leases(for: .hardwareAddress(HardwareAddress(bytes: [9]))).count, 1)
        // The same bytes with another hardware type are another identity.
        XCTAssertEqual(store.leases(for: .hardwareAddress(HardwareAddress(type: 6, bytes: mac.bytes))), [])
        store.apply(.delete(lease(10, hw: nil, cid: nil)))
        store.apply(.delete(lease(12, hw: nil, cid: nil)))
        XCTAssertEqual(store.leases(for: .hardwareAddress(mac)), [])
        XCTAssertEqual(store.leases(for: .clientID([1, 2])).map(\.address.value), [0xC000_020B])
        // Nil and empty identities are told apart on read, and empty ones are never found.
        store.apply(.upsert(lease(20, hw: HardwareAddress(bytes: []), cid: [7])))
        XCTAssertEqual(store.lease(at: IPv4Address(192, 0, 2, 20))?.hardwareAddress, HardwareAddress(bytes: []))
        XCTAssertEqual(store.leases(for: .hardwareAddress(HardwareAddress(bytes: []))), [])
        XCTAssertEqual(store.count, 2)
    }

    func testChurnReclaimsTextAndIdentifiers() {
        var store = MemoryLeaseStore4()
        for round in 0..<40 {
            for i in 0..<500 {
                var l = Lease4(address: IPv4Address(0x0A00_0000 | UInt32(i)),
                               hardwareAddress: HardwareAddress(bytes: [2, 0, 0, UInt8(round), UInt8(i >> 8), UInt8(i & 255)]),
                               clientID: [1, UInt8(round), UInt8(i >> 8), UInt8(i & 255)], validLifetimeSeconds: 60,
                               expire: WallTime(secondsSinceEpoch: Int64(round)), subnetID: 1)
                l.hostname = "host-\(round)-\(i).example.org"
                store.apply(.upsert(l))
            }
        }
        XCTAssertEqual(store.count, 500)
        let l = store.lease(at: IPv4Address(0x0A00_0007))
        XCTAssertEqual(l?.hostname, "host-39-7.example.org")
        XCTAssertEqual(l?.clientID, [1, 39, 0, 7])
        XCTAssertLessThan(store.byteCount, 200 * 1024, "40 generations of identities and names are not all kept")
    }

    private let file = """
        address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context,pool_id\r
        192.0.2.10,08:00:27:aa:bb:cc,01:02,3600,1800003600,1,1,0,host&#x2ca,0,{ \"a\": 1 &#x2c \"b\": 2 },2\r
        192.0.2.11,08:00:27:aa:bb:cd,,3600,1800003600,1,0,true,é,0,,0
        \r
        192.0.2.11,08:00:27:aa:bb:cd,,0,1800000000,1,0,0,,0,,0
        192.0.2.12,,,86400,1800086400,1,0,0,,1,,0
        192.0.2.13,08:00:27:aa:bb:cc,,3600,1800003600,1,0,0,,0,,0
        bad,row
        192.0.2.14,zz,,3600,1800003600,1,0,0,,0,,0
        192.0.2.15,,,3600,1800003600,1,0,0,,0,,0
        192.0.2.16,01,,3600,1800003600,1,0,0,,7,,0
        192.0.2.10,08:00:27:aa:bb:cc,01:02,3600,1800007200,1,1,0,renamed,0,,2
        """

    func testLoadReadsEscapesCRLFAndReportsBadRowsByLine() {
        var store = MemoryLeaseStore4()
        let r = LeaseFile4.load(text: file, into: &store)
        XCTAssertEqual(r.rowsRead, 10)
        XCTAssertEqual(r.leasesDeleted, 1)
        XCTAssertEqual(r.leasesAdded, 5)
        XCTAssertEqual(r.errors, [LeaseCSV.RowError(line: 8, reason: "too few columns (2)"),
                                  LeaseCSV.RowError(line: 9, reason: "invalid hwaddr"),
                                  LeaseCSV.RowError(line: 10, reason: "lease has neither hwaddr nor client_id"),
                                  LeaseCSV.RowError(line: 11, reason: "invalid state")])
        let l = store.lease(at: IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(l?.hostname, "renamed")
        XCTAssertEqual(l?.userContext, "")
        XCTAssertEqual(l?.expire.secondsSinceEpoch, 1_800_007_200)
        XCTAssertEqual(l?.clientID, [1, 2])
        XCTAssertEqual(l?.poolID, 2)
        XCTAssertNil(store.lease(at: IPv4Address(192, 0, 2, 11)))
        XCTAssertEqual(store.lease(at: IPv4Address(192, 0, 2, 12))?.state, .declined)
        XCTAssertEqual(store.leases(for: .hardwareAddress(HardwareAddress(bytes: [8, 0, 0x27, 0xaa, 0xbb, 0xcc]))).count, 2)
        // What the loader reads is what the text parser reads, row by row.
        let layout = LeaseFile4.layout(header: Substring(LeaseFile4.header))!
        let row = "192.0.2.10,08:00:27:aa:bb:cc,01:02,3600,1800003600,1,1,0,host&#x2ca,0,{ \"a\": 1 &#x2c \"b\": 2 },2"
        let parsed = try? LeaseFile4.parse(row: Substring(row), layout: layout, line: 2).get()
        XCTAssertEqual(parsed?.hostname, "host,a")
        XCTAssertEqual(parsed?.userContext, "{ \"a\": 1 , \"b\": 2 }")
        XCTAssertEqual(parsed?.fqdnForward, true)
    }

    func testStreamingInAnyChunksGivesTheSameStoreAndReport() {
        var whole = MemoryLeaseStore4()
        let expected = LeaseFile4.load(text: file, into: &whole)
        let bytes = Array(file.utf8)
        for chunk in [1, 2, 3, 7, 13, 64, 100_000] {
            var store = MemoryLeaseStore4()
            var loader = LeaseFile4.Loader()
            var chunker = CSVBytes.LineChunker(chunkSize: chunk)
            var pos = 0
            while !chunker.isFinished {
                _ = chunker.next(read: { space in
                    let n = min(space.count, bytes.count - pos)
                    for i in 0..<n { space[i] = bytes[pos + i] }
                    pos += n
                    return n
                }, lines: { loader.feed(lines: $0, into: &store) })
            }
            XCTAssertEqual(loader.report, expected, "chunk \(chunk)")
            XCTAssertEqual(store.all(), whole.all(), "chunk \(chunk)")
        }
    }

    func testMissingHeaderStopsTheLoad() {
        var store = MemoryLeaseStore4()
        let r = LeaseFile4.load(text: "\n192.0.2.10,08:00:27:aa:bb:cc,,3600,1800003600,1,0,0,,0,,0\n", into: &store)
        XCTAssertTrue(r.headerMissing)
        XCTAssertEqual(r.rowsRead, 0)
        XCTAssertEqual(store.count, 0)
    }

    func testWrittenFileReloadsToTheSameLeases() {
        var rng = SplitMix64(seed: 99)
        var store = MemoryLeaseStore4()
        for _ in 0..<300 { store.apply(.upsert(randomLease(&rng))) }
        var again = MemoryLeaseStore4()
        let r = LeaseFile4.load(text: LeaseFile4.text(of: store.all()), into: &again)
        // Rows without identity (declined ones aside) are refused on load, as Kea does.
        let kept = store.all().filter { $0.validLifetimeSeconds == 0 || $0.isWellFormed }
        XCTAssertEqual(r.errors.count, store.count - kept.count)
        XCTAssertEqual(again.all().map(\.address), kept.filter { $0.validLifetimeSeconds != 0 }.map(\.address))
        for l in again.all() {
            var expected = store.lease(at: l.address)!
            // The leases4 file holds no hardware type: Ethernet on reading.
            expected.hardwareAddress?.type = 1
            // An empty identifier is written as an empty column, read as none.
            if expected.hardwareAddress?.isEmpty == true { expected.hardwareAddress = nil }
            if expected.clientID?.isEmpty == true { expected.clientID = nil }
            XCTAssertEqual(l, expected)
        }
    }
}
