import XCTest
@testable import KakapoCore


/// The address-order index against a brute-force model (a sorted set): random inserts and
/// deletes, then pages from random cursors with random limits must match the model exactly.
final class AddressOrderIndexTests: XCTestCase {
    /// The model's answer: the `limit` smallest members above `after`.
    private func expected(_ model: Set<UInt32>, after: UInt32?, limit: Int) -> [UInt32] {
        Array(model.filter { after == nil || $0 > after! }.sorted().prefix(limit))
    }

    /// Addresses clustered so that blocks fill, empty and refill: a few /24s, their edges
    /// (.0 and .255), and the extremes of the address space.
    private func address(_ rng: inout SplitMix64) -> UInt32 {
        switch rng.next() % 8 {
        case 0: return [0, 1, 255, 256, UInt32.max, UInt32.max - 1][Int(rng.next() % 6)]
        case 1: return 0xC000_0200 | UInt32(rng.next() % 2) * 255   // 192.0.2.0 / 192.0.2.255
        case 2: return UInt32.random(in: 0...UInt32.max, using: &rng)
        default: return 0xC000_0000 | UInt32(rng.next() % 4) << 8 | UInt32(rng.next() % 256)
        }
    }

    func testMatchesBruteForceUnderRandomInsertsAndDeletes() {
        for seed in UInt64(1)...20 {
            var rng = SplitMix64(seed: seed)
            var index = AddressOrderIndex()
            var model = Set<UInt32>()
            for step in 0..<600 {
                let a = address(&rng)
                if rng.next() % 3 == 0 {
                    index.remove(a)
                    model.remove(a)
                } else {
                    index.insert(a)
                    model.insert(a)
                }
                XCTAssertEqual(index.count, model.count, "seed \(seed) step \(step)")
                if step % 25 == 0 {
                    let all = index.addresses(after: nil, limit: Int.max)
                    XCTAssertEqual(all, model.sorted(), "seed \(seed) step \(step): full walk")
                }
                let after: UInt32? = rng.next() % 4 == 0 ? nil : address(&rng)
                let limit = Int(rng.next() % 40)
                XCTAssertEqual(index.addresses(after: after, limit: limit), expected(model, after: after, limit: limit),
                               "seed \(seed) step \(step): after \(after.map(String.init) ?? "start") limit \(limit)")
                XCTAssertEqual(index.contains(a), model.contains(a))
            }
        }
    }

    /// Paging with the last address of each page as the next cursor visits everything once.
    func testPagingVisitsEveryAddressOnce() {
        var rng = SplitMix64(seed: 99)
        var index = AddressOrderIndex()
        var model = Set<UInt32>()
        for _ in 0..<3000 {
            let a = address(&rng)
            index.insert(a)
            model.insert(a)
        }
        for pageSize in [1, 7, 256, 1000] {
            var seen: [UInt32] = []
            var cursor: UInt32? = nil
            while true {
                let page = index.addresses(after: cursor, limit: pageSize)
                seen += page
                guard page.count == pageSize, let last = page.last else { break }
                cursor = last
            }
            XCTAssertEqual(seen, model.sorted(), "page size \(pageSize)")
        }
    }

    func testEdges() {
        var index = AddressOrderIndex()
        XCTAssertEqual(index.addresses(after: nil, limit: 10), [])
        index.insert(UInt32.max)
        index.insert(0)
        index.insert(0)
        XCTAssertEqual(index.count, 2, "inserting twice counts once")
        XCTAssertEqual(index.addresses(after: nil, limit: 10), [0, UInt32.max])
        XCTAssertEqual(index.addresses(after: 0, limit: 10), [UInt32.max])
        XCTAssertEqual(index.addresses(after: UInt32.max, limit: 10), [])
        XCTAssertEqual(index.addresses(after: nil, limit: 0), [])
        index.remove(7)
        XCTAssertEqual(index.count, 2, "removing an absent address changes nothing")
        index.remove(0)
        index.remove(UInt32.max)
        XCTAssertEqual(index, AddressOrderIndex(), "empty blocks are dropped")
    }

    /// The store keeps the index in step with its leases through upserts, owner changes and
    /// deletions, and answers pages in address order.
    func testMemoryStorePagesFollowTheStore() {
        var rng = SplitMix64(seed: 5)
        var store = MemoryLeaseStore4()
        var model: [UInt32: Lease4] = [:]
        for step in 0..<2000 {
            let a = IPv4Address(0xC000_0200 | UInt32(rng.next() % 3) << 8 | UInt32(rng.next() % 256))
            if rng.next() % 4 == 0, let old = model[a.value] {
                store.apply(.delete(old))
                model[a.value] = nil
            } else {
                let owner = UInt8(rng.next() % 5)
                let lease = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, owner]), clientID: nil,
                                   validLifetimeSeconds: 3600, expire: WallTime(secondsSinceEpoch: 1_800_000_000 + Int64(step)),
                                   subnetID: 1)
                store.apply(.upsert(lease))
                model[a.value] = lease
            }
        }
        let sorted = model.keys.sorted()
        XCTAssertEqual(store.leases(after: nil, limit: .max).map(\.address.value), sorted)
        XCTAssertEqual(store.leases(after: nil, limit: .max), store.all(), "the same leases as all(), in the same order")
        let cursor = IPv4Address(sorted[sorted.count / 2])
        XCTAssertEqual(store.leases(after: cursor, limit: 5).map(\.address.value), Array(sorted.filter { $0 > cursor.value }.prefix(5)))
        var walked: [Lease4] = []
        store.forEachLease { walked.append($0) }
        XCTAssertEqual(walked, store.all())
    }
}
