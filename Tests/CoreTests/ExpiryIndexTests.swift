import XCTest
@testable import KakapoCore

/// The indexed expiry heap (ExpiryIndex) and both memory stores' use of it, against a reference
/// that sorts the live leases by (expire, address): reclamation order must be exactly that.
final class ExpiryIndexTests: XCTestCase {
    // MARK: - The index alone

    /// Goal: after any sequence of sets (new slot, new expiry, new state), removals and slot
    /// reuse with a new key, every heap is ordered, each slot has at most one entry, and
    /// `expired` answers the live entries of a state sorted by (expire, key) up to the limit.
    /// Method: 64 slots, keys drawn from 100 IPv6 addresses sharing their top 32 bits (the
    /// hint ties, so the keys decide) and a few that do not, expiries over 20 seconds (many
    /// ties); the structure and the answers checked after every step.
    func testIndexAgreesWithSortedReference() {
        for seed in UInt64(1)...6 {
            var g = SplitMix64(seed: seed)
            var index = ExpiryIndex<IPv6Address>()
            var keys = [IPv6Address](repeating: .unspecified, count: 64)
            var live: [UInt32: (expire: Int64, state: LeaseState)] = [:]
            func hint(_ a: IPv6Address) -> UInt32 { UInt32(truncatingIfNeeded: a.high >> 32) }
            for step in 0..<2500 {
                let slot = UInt32(g.next() % 64)
                let ctx = "seed \(seed) step \(step)"
                if g.next() % 5 == 0 {
                    index.remove(slot) { keys[Int($0)] }
                    live[slot] = nil
                } else {
                    if live[slot] == nil {
                        // A new lease in this slot (maybe reused): a key no live slot has.
                        var k: IPv6Address
                        repeat {
                            let n = g.next() % 110
                            k = n < 100 ? IPv6Address(high: 0x2001_0db8_0000_0001, low: n)
                                        : IPv6Address(high: 0x2001_0db7_0000_0000 | n << 40, low: 0)
                        } while live.keys.contains { keys[Int($0)] == k }
                        keys[Int(slot)] = k
                    }
                    let e = 1000 + Int64(g.next() % 20)
                    let state = LeaseState(rawValue: UInt32(g.next() % 3))!
                    index.set(slot, expire: WallTime(secondsSinceEpoch: e), hint: hint(keys[Int(slot)]), state: state) { keys[Int($0)] }
                    live[slot] = (e, state)
                }
                XCTAssertTrue(index.isConsistent { keys[Int($0)] }, ctx)
                for state in [LeaseState.assigned, .declined, .expiredReclaimed] {
                    XCTAssertEqual(index.entryCount(state), live.values.filter { $0.state == state }.count, ctx)
                }
                let state = LeaseState(rawValue: UInt32(g.next() % 3))!
                let cutoff = 998 + Int64(g.next() % 25)
                let limit = Int(g.next() % 70)
                let expected = live.filter { $0.value.state == state && $0.value.expire <= cutoff }
                    .sorted { ($0.value.expire, keys[Int($0.key)]) < ($1.value.expire, keys[Int($1.key)]) }
                    .prefix(limit).map(\.key)
                XCTAssertEqual(index.expired(state: state, before: WallTime(secondsSinceEpoch: cutoff), limit: limit) { keys[Int($0)] },
                               Array(expected), ctx)
            }
        }
    }

    // MARK: - The stores

    /// Each state's `expired` answer for a random and two fixed (cutoff, limit) pairs against
    /// the live leases sorted by (expire, address).
    private static func assertExpiredAgrees<L: Equatable, A: Comparable>(
        _ leases: [L], _ g: inout SplitMix64, _ ctx: String,
        state: (L) -> LeaseState, expire: (L) -> WallTime, address: (L) -> A,
        expired: (LeaseState, WallTime, Int) -> [L]
    ) {
        for s in [LeaseState.assigned, .declined, .expiredReclaimed] {
            for (cutoff, limit) in [(1000 + Int64(g.next() % 32), 1 + Int(g.next() % 10)), (2000, 1000), (999, 5)] {
                let expected = leases.filter { state($0) == s && expire($0).secondsSinceEpoch <= cutoff }
                    .sorted { (expire($0).secondsSinceEpoch, address($0)) < (expire($1).secondsSinceEpoch, address($1)) }
                XCTAssertEqual(expired(s, WallTime(secondsSinceEpoch: cutoff), limit), Array(expected.prefix(limit)),
                               "\(ctx) \(s) \(cutoff) \(limit)")
            }
        }
    }

    /// Goal: MemoryLeaseStore4's `expired` returns the live leases of a state by (expire,
    /// address) through renewals that move the expiry both ways, state changes in place,
    /// owner changes, deletions and slot reuse, with exactly one index entry per lease.
    /// Method: random changes over 50 addresses and 30 seconds of expiries; after every change
    /// the index's structure, and every few changes each state's answer for several cutoffs
    /// and limits, against the reference.
    func testStore4ExpiryAgreesWithSortedReference() {
        for seed in UInt64(1)...6 {
            var g = SplitMix64(seed: seed)
            var store = MemoryLeaseStore4()
            var model: [UInt32: Lease4] = [:]
            for step in 0..<2000 {
                let address = 0xC000_0200 | UInt32(g.next() % 50)
                var l = model[address] ?? Lease4(address: IPv4Address(address), hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, UInt8(g.next() % 4)]),
                                                 clientID: nil, validLifetimeSeconds: 60, expire: WallTime(secondsSinceEpoch: 0), subnetID: 1)
                switch g.next() % 6 {
                case 0:
                    // An owner change: removed and added again (the slot may change).
                    l.hardwareAddress = HardwareAddress(bytes: [2, 0, 0, 0, 1, UInt8(g.next() % 4)])
                case 1:
                    store.apply(.delete(l))
                    model[address] = nil
                    XCTAssertTrue(store.expiryIsConsistent, "seed \(seed) step \(step)")
                    continue
                default: break
                }
                l.expire = WallTime(secondsSinceEpoch: 1000 + Int64(g.next() % 30))
                if g.next() % 3 == 0 { l.state = LeaseState(rawValue: UInt32(g.next() % 3))! }
                store.apply(.upsert(l))
                model[address] = l
                let ctx = "seed \(seed) step \(step)"
                XCTAssertTrue(store.expiryIsConsistent, ctx)
                guard step % 10 == 0 else { continue }
                Self.assertExpiredAgrees(Array(model.values), &g, ctx, state: \.state, expire: \.expire, address: \.address) {
                    store.expired(state: $0, before: $1, limit: $2)
                }
            }
        }
    }

    /// Goal: the same for MemoryLeaseStore6, whose addresses share their top 32 bits (ties
    /// in expiry are settled by the records' addresses), NA and PD mixed, state changes
    /// (removed and added again there), renewals both ways, deletions and slot reuse.
    func testStore6ExpiryAgreesWithSortedReference() {
        for seed in UInt64(1)...6 {
            var g = SplitMix64(seed: seed)
            var store = MemoryLeaseStore6()
            var model: [IPv6Address: Lease6] = [:]
            for step in 0..<2000 {
                let n = g.next() % 60
                let pd = n >= 45
                let address = pd ? IPv6Address(high: 0x2001_0db8_0000_0100 | n << 8, low: 0)
                                 : IPv6Address(high: 0x2001_0db8_0000_0001, low: n)
                var l = model[address] ?? Lease6(type: pd ? .delegatedPrefix : .nonTemporaryAddress, address: address,
                                                 prefixLength: pd ? 56 : 128, duid: [0, 3, 0, 1, 2, 0, 0, UInt8(g.next() % 4)],
                                                 iaid: 1, preferredLifetimeSeconds: 30, validLifetimeSeconds: 60,
                                                 expire: WallTime(secondsSinceEpoch: 0), subnetID: 1)
                switch g.next() % 6 {
                case 0:
                    l.iaid = UInt32(g.next() % 3)
                case 1:
                    store.apply(.delete(l))
                    model[address] = nil
                    XCTAssertTrue(store.expiryIsConsistent, "seed \(seed) step \(step)")
                    continue
                default: break
                }
                l.expire = WallTime(secondsSinceEpoch: 1000 + Int64(g.next() % 30))
                if g.next() % 3 == 0 { l.state = LeaseState(rawValue: UInt32(g.next() % 3))! }
                store.apply(.upsert(l))
                model[address] = l
                let ctx = "seed \(seed) step \(step)"
                XCTAssertTrue(store.expiryIsConsistent, ctx)
                guard step % 10 == 0 else { continue }
                Self.assertExpiredAgrees(Array(model.values), &g, ctx, state: \.state, expire: \.expire, address: \.address) {
                    store.expired(state: $0, before: $1, limit: $2)
                }
            }
        }
    }

    /// Goal: heavy renewal leaves one entry per lease (the lazy index grew by one per renewal
    /// and was rebuilt in one O(n) step once stale entries passed 4× the leases).
    func testRenewalsLeaveOneEntryPerLease() {
        var store4 = MemoryLeaseStore4()
        var store6 = MemoryLeaseStore6()
        for round in 0..<50 {
            for i in 0..<100 {
                store4.apply(.upsert(Lease4(address: IPv4Address(0x0A00_0000 | UInt32(i)), hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, UInt8(i)]),
                                            clientID: nil, validLifetimeSeconds: 60,
                                            expire: WallTime(secondsSinceEpoch: Int64(1000 + round * 7 + i % 13)), subnetID: 1)))
                store6.apply(.upsert(Lease6(type: .nonTemporaryAddress, address: IPv6Address(high: 0x2001_0db8_0000_0001, low: UInt64(i)),
                                            duid: [0, 3, 0, 1, 2, 0, 0, UInt8(i)], iaid: 1, preferredLifetimeSeconds: 30,
                                            validLifetimeSeconds: 60, expire: WallTime(secondsSinceEpoch: Int64(1000 + round * 7 + i % 13)),
                                            subnetID: 1)))
            }
        }
        XCTAssertEqual(store4.expiryEntryCount, 100)
        XCTAssertEqual(store6.expiryEntryCount, 100)
        XCTAssertTrue(store4.expiryIsConsistent)
        XCTAssertTrue(store6.expiryIsConsistent)
    }
}
