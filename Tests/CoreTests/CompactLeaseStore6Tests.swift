import XCTest
@testable import KakapoCore

/// The compact DHCPv6 store (records, packed fields, slot indexes) against a plain reference
/// model with the semantics of the store it replaced (dictionaries of Lease6 values, identity
/// lists in insertion order).
final class CompactLeaseStore6Tests: XCTestCase {
    // MARK: - Reference model

    /// The previous MemoryLeaseStore6, reduced to its observable behaviour.
    struct Model {
        struct Identity: Hashable { var type: LeaseType6; var duid: [UInt8]; var iaid: UInt32 }
        var byAddress: [IPv6Address: Lease6] = [:]
        var byIdentity: [Identity: [IPv6Address]] = [:]
        var byHardware: [HardwareAddress: [IPv6Address]] = [:]

        static func identity(_ l: Lease6) -> Identity { Identity(type: l.type, duid: l.duid, iaid: l.iaid) }

        mutating func apply(_ change: LeaseChange6) {
            let l = change.lease
            if case .upsert = change, let old = byAddress[l.address], Self.identity(old) == Self.identity(l),
               old.hardwareAddress == l.hardwareAddress, old.subnetID == l.subnetID, old.state == l.state {
                byAddress[l.address] = l
                return
            }
            if let old = byAddress.removeValue(forKey: l.address) {
                byIdentity[Self.identity(old)]?.removeAll { $0 == old.address }
                if byIdentity[Self.identity(old)]?.isEmpty == true { byIdentity[Self.identity(old)] = nil }
                if let h = old.hardwareAddress, !h.isEmpty {
                    byHardware[h]?.removeAll { $0 == old.address }
                    if byHardware[h]?.isEmpty == true { byHardware[h] = nil }
                }
            }
            if case .upsert = change {
                byAddress[l.address] = l
                byIdentity[Self.identity(l), default: []].append(l.address)
                if let h = l.hardwareAddress, !h.isEmpty { byHardware[h, default: []].append(l.address) }
            }
        }
    }

    /// A deterministic generator (64-bit LCG, high bits).
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let duids: [[UInt8]] = [[0, 3, 0, 1, 1, 2, 3, 4, 5, 6], [0, 1, 0, 1, 9, 9, 9, 9, 8, 0, 0x27, 1, 2, 3],
                                   [0, 2, 0, 0, 9, 0xbf, 1], Lease6.emptyDUID, Array(repeating: 0xab, count: 130)]
    static let hardware: [HardwareAddress?] = [nil, HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]),
                                               HardwareAddress(type: 6, bytes: [2, 0, 0, 0, 0, 1]),
                                               HardwareAddress(bytes: []), HardwareAddress(bytes: [1, 2, 3, 4, 5, 6, 7, 8])]
    static let hostnames = ["", "a.example.org", "a-much-longer-host-name-than-fifteen.example.org", "é,&x"]
    static let contexts = ["", "{ \"a\": 1 }", String(repeating: "x", count: 300)]

    /// With `identities` > 0, half the leases have one of that many generated DUIDs and
    /// hardware addresses (so the identity and hardware tables grow too).
    static func randomLease(_ g: inout Generator, addresses: Int, identities: Int = 0) -> Lease6 {
        let pd = g.next(4) == 0
        let address = IPv6Address(high: 0x2001_0db8_0000_0000 | UInt64(g.next(3)), low: UInt64(g.next(addresses)) << (pd ? 8 : 0))
        var state = [LeaseState.assigned, .assigned, .declined, .expiredReclaimed][g.next(4)]
        let duid = duids[g.next(duids.count)]
        if duid == Lease6.emptyDUID { state = .declined }
        var l = Lease6(type: pd ? .delegatedPrefix : [.nonTemporaryAddress, .temporaryAddress][g.next(2)],
                       address: address, prefixLength: pd ? UInt8(48 + g.next(17)) : 128, duid: duid,
                       iaid: UInt32(g.next(3)), preferredLifetimeSeconds: UInt32(g.next(5000)),
                       validLifetimeSeconds: UInt32(1 + g.next(5000)),
                       expire: WallTime(secondsSinceEpoch: 1_800_000_000 + Int64(g.next(50))), subnetID: UInt32(1 + g.next(2)))
        l.state = state
        l.hardwareAddress = hardware[g.next(hardware.count)]
        if identities > 0 && g.next(2) == 0 {
            let k = g.next(identities)
            l.duid = [0, 3, 0, 1, 2, 0, UInt8(k >> 8 & 255), UInt8(k & 255)]
            l.hardwareAddress = HardwareAddress(type: 1, bytes: [2, 0, 0, 0, UInt8(k >> 8 & 255), UInt8(k & 255)])
        }
        l.hardwareAddressSource = HardwareAddressSource(rawValue: UInt32(g.next(3)))
        l.hostname = hostnames[g.next(hostnames.count)]
        l.userContext = contexts[g.next(contexts.count)]
        l.fqdnForward = g.next(2) == 0
        l.fqdnReverse = g.next(2) == 0
        l.poolID = UInt32(g.next(2))
        return l
    }

    /// Goal: every read of the compact store answers what the previous store answered,
    /// through upserts that change identity, hardware address, subnet or state, renewals, and
    /// deletions (slots and arena bytes reused, arena compaction). Method: 4,000 random changes
    /// over 60 addresses per prefix, compared with the reference model after each batch: every
    /// lease by address and type, leases per identity and per hardware address in insertion
    /// order, paging in address order, counts.
    func testAgreesWithReferenceModel() {
        agreesWithReferenceModel(seed: 42, addresses: 60, identities: 0, steps: 4000, atLeast: 50)
    }

    /// A larger store: the three hash tables grow several times while leases come and go (their
    /// growth lists the slots they hold from the records' flags).
    func testAgreesWithReferenceModelWhileGrowing() {
        agreesWithReferenceModel(seed: 7, addresses: 4000, identities: 3000, steps: 8000, atLeast: 2000)
    }

    /// The same with the indexes sized up front, as a memfile load does (`reserveCapacity`):
    /// tables that start large, then a second reservation once they hold slots (ignored).
    func testAgreesWithReferenceModelAfterReserving() {
        agreesWithReferenceModel(seed: 11, addresses: 4000, identities: 3000, steps: 8000, atLeast: 2000, reserve: 5000)
    }

    private func agreesWithReferenceModel(seed: UInt64, addresses: Int, identities: Int, steps: Int, atLeast: Int,
                                          reserve: Int = 0) {
        var g = Generator(state: seed)
        var store = MemoryLeaseStore6()
        if reserve > 0 {
            store.reserveCapacity(reserve)
            XCTAssertGreaterThanOrEqual(store.approximateByteCount, reserve * 3 * 5, "three tables sized for \(reserve) entries")
        }
        var model = Model()
        for step in 1...steps {
            var l = Self.randomLease(&g, addresses: addresses, identities: identities)
            if g.next(5) == 0, let existing = model.byAddress[l.address] {
                // A renewal: same owner, new expiry and fields that do not index.
                l = existing
                l.expire = l.expire + Seconds(Int64(1 + g.next(100)))
                l.hostname = Self.hostnames[g.next(Self.hostnames.count)]
                l.userContext = Self.contexts[g.next(Self.contexts.count)]
            }
            let change: LeaseChange6 = g.next(6) == 0 ? .delete(l) : .upsert(l)
            store.apply(change)
            model.apply(change)
            if reserve > 0 && step == steps / 2 { store.reserveCapacity(reserve * 4) }
            if step % 200 == 0 {
                assertSame(store, model, "after \(step) changes")
                XCTAssertTrue(store.indexFlagsAgree, "after \(step) changes")
            }
        }
        XCTAssertGreaterThan(model.byAddress.count, atLeast, "the run must keep a sizeable store")
    }

    func assertSame(_ store: MemoryLeaseStore6, _ model: Model, _ when: String, file: StaticString = #filePath, line: UInt = #line) {
        let sorted = model.byAddress.values.sorted { $0.address < $1.address }
        XCTAssertEqual(store.count, sorted.count, when, file: file, line: line)
        XCTAssertEqual(store.all(), sorted, when, file: file, line: line)
        for l in sorted {
            XCTAssertEqual(store.lease(l.type, at: l.address), l, when, file: file, line: line)
            let other: LeaseType6 = l.type == .delegatedPrefix ? .nonTemporaryAddress : .delegatedPrefix
            XCTAssertNil(store.lease(other, at: l.address), when, file: file, line: line)
        }
        for (identity, addresses) in model.byIdentity {
            let key = LeaseKey6.identity(type: identity.type, duid: identity.duid, iaid: identity.iaid)
            XCTAssertEqual(store.leases(for: key).map(\.address), addresses, "\(when): \(identity)", file: file, line: line)
            for subnet: UInt32 in 1...2 {
                let inSubnet = LeaseKey6.identityInSubnet(type: identity.type, duid: identity.duid, iaid: identity.iaid, subnetID: subnet)
                XCTAssertEqual(store.leases(for: inSubnet).map(\.address),
                               addresses.filter { model.byAddress[$0]!.subnetID == subnet }, when, file: file, line: line)
            }
            XCTAssertEqual(store.firstLease(for: key) { $0.address == addresses.last }?.address, addresses.last,
                           when, file: file, line: line)
        }
        for (h, addresses) in model.byHardware {
            XCTAssertEqual(store.leases(for: .hardwareAddress(h)).map(\.address), addresses, "\(when): \(h)", file: file, line: line)
        }
        XCTAssertEqual(store.leases(for: .hardwareAddress(HardwareAddress(bytes: []))), [], when, file: file, line: line)
        // Paging by 7 walks the same leases in the same order.
        var paged: [Lease6] = []
        var after: IPv6Address? = nil
        while true {
            let page = store.leases(after: after, limit: 7)
            paged += page
            guard let last = page.last, page.count == 7 else { break }
            after = last.address
        }
        XCTAssertEqual(paged, sorted, when, file: file, line: line)
        // The statistics recount's tally, from the kept counts, against the leases.
        var tally: [LeaseTally6: Int] = [:]
        store.forEachTally { tally[LeaseTally6(subnetID: $0, type: $1, state: $2), default: 0] += $3 }
        var expected: [LeaseTally6: Int] = [:]
        for l in sorted { expected[LeaseTally6(subnetID: l.subnetID, type: l.type, state: l.state), default: 0] += 1 }
        XCTAssertEqual(tally, expected, when, file: file, line: line)
        for subnet: UInt32 in 1...3 {
            for type in [LeaseType6.nonTemporaryAddress, .temporaryAddress, .delegatedPrefix] {
                for state in [LeaseState.assigned, .declined, .expiredReclaimed] {
                    XCTAssertEqual(store.count(subnetID: subnet, type: type, state: state),
                                   sorted.filter { $0.subnetID == subnet && $0.type == type && $0.state == state }.count,
                                   when, file: file, line: line)
                }
            }
        }
    }

    /// Goal: expiry answers from the compact records: oldest first, only live leases (a
    /// renewed or deleted lease's old expiry is not reported), per state, up to the limit.
    /// Method: random changes, then for each state every lease expired by a cutoff, compared
    /// with the model's leases sorted by (expiry, address).
    func testExpiredAgreesWithModel() {
        var g = Generator(state: 7)
        var store = MemoryLeaseStore6()
        var model = Model()
        for _ in 0..<3000 {
            var l = Self.randomLease(&g, addresses: 80)
            if g.next(3) == 0, let existing = model.byAddress[l.address] {
                l = existing
                l.expire = l.expire + Seconds(Int64(g.next(30)))
            }
            let change: LeaseChange6 = g.next(8) == 0 ? .delete(l) : .upsert(l)
            store.apply(change)
            model.apply(change)
        }
        let cutoff = WallTime(secondsSinceEpoch: 1_800_000_030)
        for state in [LeaseState.assigned, .declined, .expiredReclaimed] {
            let expected = model.byAddress.values.filter { $0.state == state && $0.expire <= cutoff }
                .sorted { ($0.expire.secondsSinceEpoch, $0.address) < ($1.expire.secondsSinceEpoch, $1.address) }
            XCTAssertFalse(expected.isEmpty, "state \(state) must have expired leases")
            XCTAssertEqual(store.expired(state: state, before: cutoff, limit: 5), Array(expected.prefix(5)), "\(state)")
            XCTAssertEqual(store.expired(state: state, before: cutoff, limit: 100_000), expected, "\(state)")
        }
    }

    /// Goal: several leases per DUID and IAID, IA_NA and IA_PD apart: the identity chains hold
    /// each lease once, in the order added, and survive the removal of the first, middle and
    /// last. Method: five NA addresses and two PD prefixes of one DUID/IAID; deletions in the
    /// chain's head, middle and tail.
    func testChainsOfSeveralLeasesPerIdentity() {
        let duid: [UInt8] = [0, 3, 0, 1, 2, 0, 0, 0, 0, 9]
        var store = MemoryLeaseStore6()
        func na(_ i: UInt64) -> Lease6 {
            Lease6(type: .nonTemporaryAddress, address: IPv6Address(high: 0x2001_0db8_0001_0000, low: i), duid: duid, iaid: 5,
                   preferredLifetimeSeconds: 1, validLifetimeSeconds: 2, expire: WallTime(secondsSinceEpoch: 100), subnetID: 1)
        }
        func pd(_ i: UInt64) -> Lease6 {
            Lease6(type: .delegatedPrefix, address: IPv6Address(high: 0x2001_0db8_0200_0000 | i << 8, low: 0), prefixLength: 56,
                   duid: duid, iaid: 5, preferredLifetimeSeconds: 1, validLifetimeSeconds: 2,
                   expire: WallTime(secondsSinceEpoch: 100), subnetID: 1)
        }
        for i: UInt64 in [5, 3, 9, 1, 7] { store.apply(.upsert(na(i))) }
        for i: UInt64 in [2, 1] { store.apply(.upsert(pd(i))) }
        let naKey = LeaseKey6.identity(type: .nonTemporaryAddress, duid: duid, iaid: 5)
        let pdKey = LeaseKey6.identity(type: .delegatedPrefix, duid: duid, iaid: 5)
        XCTAssertEqual(store.leases(for: naKey).map(\.address.low), [5, 3, 9, 1, 7])
        XCTAssertEqual(store.leases(for: pdKey).map(\.address.high), [0x2001_0db8_0200_0200, 0x2001_0db8_0200_0100])
        store.apply(.delete(na(5)))
        XCTAssertEqual(store.leases(for: naKey).map(\.address.low), [3, 9, 1, 7])
        store.apply(.delete(na(9)))
        XCTAssertEqual(store.leases(for: naKey).map(\.address.low), [3, 1, 7])
        store.apply(.delete(na(7)))
        XCTAssertEqual(store.leases(for: naKey).map(\.address.low), [3, 1])
        store.apply(.upsert(na(8)))
        XCTAssertEqual(store.leases(for: naKey).map(\.address.low), [3, 1, 8])
        XCTAssertEqual(store.firstLease(for: naKey) { $0.address.low == 1 }?.address.low, 1)
        XCTAssertEqual(store.leases(for: .identity(type: .nonTemporaryAddress, duid: duid, iaid: 6)), [])
        XCTAssertEqual(store.leases(for: .identity(type: .temporaryAddress, duid: duid, iaid: 5)), [])
        XCTAssertEqual(store.count, 5)
    }

    /// Goal: an upsert that changes the owner moves the lease between identity chains, and
    /// one that keeps it (a renewal) keeps the lease's place in its chain. Method: a lease
    /// taken over by another DUID, and a renewal in the middle of a chain.
    func testIdentityChangesOnUpsert() {
        var store = MemoryLeaseStore6()
        let a = Lease6Tests.na("2001:db8::1"), b = Lease6Tests.na("2001:db8::2"), c = Lease6Tests.na("2001:db8::3")
        for l in [a, b, c] { store.apply(.upsert(l)) }
        var renewed = b
        renewed.expire = b.expire + Seconds(60)
        renewed.hostname = "renewed.example.org"
        store.apply(.upsert(renewed))
        let keyA = LeaseKey6.identity(type: .nonTemporaryAddress, duid: Lease6Tests.duidA, iaid: 1)
        XCTAssertEqual(store.leases(for: keyA), [a, renewed, c])
        var taken = b
        taken.duid = Lease6Tests.duidB
        store.apply(.upsert(taken))
        XCTAssertEqual(store.leases(for: keyA), [a, c])
        XCTAssertEqual(store.leases(for: .identity(type: .nonTemporaryAddress, duid: Lease6Tests.duidB, iaid: 1)), [taken])
        XCTAssertEqual(store.lease(.nonTemporaryAddress, at: b.address), taken)
    }

    /// Goal: the layout is as compact as claimed. Method: the record's stride, and the bytes
    /// the store holds for 20,000 leases like the benchmark's, per lease.
    func testBytesPerLease() {
        XCTAssertEqual(MemoryLayout<MemoryLeaseStore6.Record>.stride, 72)
        var store = MemoryLeaseStore6()
        let n = 20_000
        for i in 0..<n {
            var l = Lease6(type: .nonTemporaryAddress, address: IPv6Address(high: 0x2001_0db8_0001_0000, low: UInt64(i)),
                           duid: [0, 3, 0, 1, 2, 0, 0, 0, UInt8(i >> 8 & 255), UInt8(i & 255)], iaid: UInt32(i),
                           preferredLifetimeSeconds: 43200, validLifetimeSeconds: 86400,
                           expire: WallTime(secondsSinceEpoch: 1_800_000_000), subnetID: 1)
            l.hostname = "host-\(i).example.org"
            l.hardwareAddress = HardwareAddress(bytes: [2, 0, 0, 0, UInt8(i >> 8 & 255), UInt8(i & 255)])
            store.apply(.upsert(l))
        }
        let perLease = store.approximateByteCount / n
        XCTAssertLessThan(perLease, 250, "bytes per lease: \(perLease)")
    }
}
