import XCTest
@testable import KakapoCore

/// A lease file replayed between `beginLoad` and `endLoad` (MemoryLeaseStore6 builds its
/// identity and hardware indexes and chains once, at the end) against the same file replayed
/// row by row (every change indexed as it comes): the same store, chains in the same order.
final class DeferredLoadStore6Tests: XCTestCase {
    typealias G = CompactLeaseStore6Tests.Generator

    /// A random leases6 file: upserts over few addresses (so later rows replace earlier ones,
    /// often with another owner), renewals that keep a lease's indexing, deletion rows
    /// (valid_lifetime 0, freeing slots that later rows reuse), malformed rows, addresses and
    /// prefixes, several leases per identity and per hardware address, with and without one.
    static func randomFile(seed: UInt64, rows: Int, addresses: Int, identities: Int) -> String {
        var g = G(state: seed)
        var written: [IPv6Address: Lease6] = [:]
        var text = LeaseFile6.header + "\n"
        for _ in 0..<rows {
            var l = CompactLeaseStore6Tests.randomLease(&g, addresses: addresses, identities: identities)
            if g.next(4) == 0, let existing = written[l.address] {
                l = existing
                l.expire = l.expire + Seconds(Int64(1 + g.next(100)))
                l.hostname = CompactLeaseStore6Tests.hostnames[g.next(CompactLeaseStore6Tests.hostnames.count)]
            }
            switch g.next(20) {
            case 0, 1, 2:
                text += LeaseFile6.deletionRow(l) + "\n"
                written[l.address] = nil
            case 3:
                text += "2001:db8::zz," + LeaseFile6.row(l).split(separator: ",", maxSplits: 1)[1] + "\n"
            default:
                text += LeaseFile6.row(l) + "\n"
                written[l.address] = l
            }
        }
        return text
    }

    /// A MemoryLeaseStore6 seen only through `apply` (the protocol's default beginLoad,
    /// endLoad and apply(batch:)): each change indexed as it comes.
    struct OneByOne: LeaseStore6 {
        var inner: MemoryLeaseStore6
        func lease(_ type: LeaseType6, at address: IPv6Address) -> Lease6? { inner.lease(type, at: address) }
        func leases(for key: LeaseKey6) -> [Lease6] { inner.leases(for: key) }
        func firstLease(for key: LeaseKey6, where predicate: (Lease6) -> Bool) -> Lease6? { inner.firstLease(for: key, where: predicate) }
        mutating func apply(_ change: LeaseChange6) { inner.apply(change) }
        mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease6] {
            inner.expired(state: state, before: cutoff, limit: limit)
        }
        var count: Int { inner.count }
        func count(subnetID: UInt32, type: LeaseType6, state: LeaseState) -> Int { inner.count(subnetID: subnetID, type: type, state: state) }
        func all() -> [Lease6] { inner.all() }
        func leases(after: IPv6Address?, limit: Int) -> [Lease6] { inner.leases(after: after, limit: limit) }
    }

    /// The file replayed row by row, every change indexed as it comes.
    static func rowByRow(_ text: String, into store: inout MemoryLeaseStore6) -> LeaseCSV.LoadReport {
        var wrapped = OneByOne(inner: store)
        store = MemoryLeaseStore6()
        let report = LeaseFile6.load(text: text, into: &wrapped)
        store = wrapped.inner
        return report
    }

    /// Every lease in address order, each identity's and each hardware address's leases in
    /// the order the store gives them (which of a client's leases comes first matters to the
    /// engine), the counts, and the index flags the tables' growth relies on.
    func assertSameStore(_ loaded: MemoryLeaseStore6, _ reference: MemoryLeaseStore6, _ when: String,
                         file: StaticString = #filePath, line: UInt = #line) {
        let all = reference.all()
        XCTAssertEqual(loaded.count, reference.count, when, file: file, line: line)
        XCTAssertEqual(loaded.all(), all, when, file: file, line: line)
        var identities = Set<CompactLeaseStore6Tests.Model.Identity>()
        var hardware = Set<HardwareAddress>()
        for l in all {
            identities.insert(CompactLeaseStore6Tests.Model.identity(l))
            if let h = l.hardwareAddress { hardware.insert(h) }
        }
        var chained = 0
        for i in identities {
            let key = LeaseKey6.identity(type: i.type, duid: i.duid, iaid: i.iaid)
            let expected = reference.leases(for: key)
            if expected.count > 1 { chained += 1 }
            XCTAssertEqual(loaded.leases(for: key), expected, "\(when): \(i)", file: file, line: line)
        }
        for h in hardware {
            XCTAssertEqual(loaded.leases(for: .hardwareAddress(h)), reference.leases(for: .hardwareAddress(h)),
                           "\(when): \(h)", file: file, line: line)
        }
        XCTAssertGreaterThan(chained, 0, "\(when): some identity must hold several leases", file: file, line: line)
        var tallies: [[LeaseTally6: Int]] = [[:], [:]]
        for (k, store) in [loaded, reference].enumerated() {
            store.forEachTally { tallies[k][LeaseTally6(subnetID: $0, type: $1, state: $2), default: 0] += $3 }
        }
        XCTAssertEqual(tallies[0], tallies[1], when, file: file, line: line)
        XCTAssertTrue(loaded.indexFlagsAgree, when, file: file, line: line)
    }

    /// Goal: a load that defers the client indexes ends with the store that replaying it row by
    /// row makes, and the store then changes as that one does (its chains and flags are real).
    /// Method: random files (duplicates, renewals, deletions reusing slots, bad rows, several
    /// leases per identity and hardware address), each loaded both ways and compared as a whole;
    /// then the same random changes applied to both and compared again. Sizes from a handful
    /// of rows to tables of 2^14 cells (two radix passes).
    func testDeferredLoadMatchesRowByRow() {
        for (seed, rows, addresses, identities) in [(1 as UInt64, 300, 40, 0), (2, 3000, 300, 200), (3, 20000, 6000, 4000)] {
            let text = Self.randomFile(seed: seed, rows: rows, addresses: addresses, identities: identities)
            var loaded = MemoryLeaseStore6()
            let report = LeaseFile6.load(text: text, into: &loaded)
            var reference = MemoryLeaseStore6()
            let referenceReport = Self.rowByRow(text, into: &reference)
            XCTAssertEqual(report, referenceReport, "seed \(seed)")
            XCTAssertGreaterThan(report.leasesDeleted, rows / 20, "seed \(seed): deletions")
            XCTAssertGreaterThan(report.errors.count, 0, "seed \(seed): bad rows")
            XCTAssertGreaterThan(reference.count, addresses, "seed \(seed): a sizeable store")
            assertSameStore(loaded, reference, "seed \(seed), loaded")
            var g = G(state: seed &+ 100)
            for _ in 0..<rows / 4 {
                let l = CompactLeaseStore6Tests.randomLease(&g, addresses: addresses, identities: identities)
                let change: LeaseChange6 = g.next(3) == 0 ? .delete(l) : .upsert(l)
                loaded.apply(change)
                reference.apply(change)
            }
            assertSameStore(loaded, reference, "seed \(seed), changed after the load")
        }
    }

    /// Goal: a load into a store that already holds leases (a second file, or leases put there
    /// first) indexes row by row, and a reservation made before `beginLoad` does not stop the
    /// deferral. Method: both stores given the same leases first, then the same file.
    func testLoadIntoNonEmptyStoreAndAfterReserving() {
        let first = Self.randomFile(seed: 5, rows: 2000, addresses: 300, identities: 200)
        let second = Self.randomFile(seed: 6, rows: 2000, addresses: 300, identities: 200)
        var loaded = MemoryLeaseStore6()
        loaded.reserveCapacity(5000)
        loaded.beginLoad()
        XCTAssertTrue(loaded.defersChains, "an empty store defers, reserved or not")
        loaded.endLoad()
        _ = LeaseFile6.load(text: first, into: &loaded)
        loaded.beginLoad()
        XCTAssertFalse(loaded.defersChains, "a store with leases indexes row by row")
        loaded.endLoad()
        _ = LeaseFile6.load(text: second, into: &loaded)
        var reference = MemoryLeaseStore6()
        _ = Self.rowByRow(first, into: &reference)
        _ = Self.rowByRow(second, into: &reference)
        assertSameStore(loaded, reference, "two files")
    }
}
