import XCTest
@testable import KakapoCore

/// SlotHashTable, the one index type of the lease stores, against a Dictionary: random
/// inserts (both growth paths), removals (by position and by slot, with backward shift), in-place
/// replacements and lookups, with hashes that collide often (long runs, equal tags, runs that
/// wrap round the end of the table).
final class SlotHashTableTests: XCTestCase {
    /// The caller's side: keys live in `keys`, indexed by slot; the table holds slots only.
    private struct Harness {
        var table = SlotHashTable()
        var keys: [UInt64?] = []
        var freeSlots: [UInt32] = []
        /// The model: key -> slot.
        var model: [UInt64: UInt32] = [:]
        let hash: (UInt64) -> UInt64

        func position(_ k: UInt64) -> Int? {
            let keys = keys
            return table.position(hash: hash(k)) { keys[Int($0)] == k }
        }

        func find(_ k: UInt64) -> UInt32? {
            let keys = keys
            return table.find(hash: hash(k)) { keys[Int($0)] == k }
        }

        mutating func newSlot(_ k: UInt64) -> UInt32 {
            if let s = freeSlots.popLast() {
                keys[Int(s)] = k
                return s
            }
            keys.append(k)
            return UInt32(keys.count - 1)
        }

        mutating func insert(_ k: UInt64, memoryOrder: Bool) {
            let s = newSlot(k)
            let keys = keys, hash = hash, held = model
            if memoryOrder {
                table.growIfNeeded { place in
                    // Every key held, in slot order (as the stores list their records).
                    for (i, key) in keys.enumerated() {
                        if let key, held[key] == UInt32(i) { place(UInt32(i), hash(key)) }
                    }
                }
                table.insertWithoutGrowing(s, hash: hash(k))
            } else {
                table.insert(s, hash: hash(k), rehash: { hash(keys[Int($0)]!) })
            }
            model[k] = s
        }

        mutating func remove(_ k: UInt64, byPosition: Bool) {
            let s = model.removeValue(forKey: k)!
            let keys = keys, hash = hash
            if byPosition {
                let p = position(k)!
                table.remove(at: p, rehash: { hash(keys[Int($0)]!) })
            } else {
                table.remove(s, hash: hash(k), rehash: { hash(keys[Int($0)]!) })
            }
            self.keys[Int(s)] = nil
            freeSlots.append(s)
        }

        /// Moves `k` to a new slot, replacing the cell's slot in place.
        mutating func move(_ k: UInt64) {
            let p = position(k)!
            let old = model[k]!
            XCTAssertEqual(table.slot(at: p), old)
            let s = newSlot(k)
            table.replace(at: p, with: s)
            keys[Int(old)] = nil
            freeSlots.append(old)
            model[k] = s
        }

        func check(absent: [UInt64], file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(table.count, model.count, file: file, line: line)
            for (k, s) in model { XCTAssertEqual(find(k), s, "key \(k)", file: file, line: line) }
            for k in absent where model[k] == nil { XCTAssertNil(find(k), "key \(k)", file: file, line: line) }
        }
    }

    private func randomRun(hash: @escaping (UInt64) -> UInt64, keySpace: UInt64, steps: Int, seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var h = Harness(hash: hash)
        var largest = 0
        for step in 0..<steps {
            let k = rng.next() % keySpace
            let roll = rng.next() % 100
            // Grow for the first half (inserts outnumber removals), then shrink.
            let insertShare: UInt64 = step < steps / 2 ? 65 : 35
            if h.model[k] == nil {
                if roll < insertShare { h.insert(k, memoryOrder: rng.next() & 1 == 0) }
                else { XCTAssertNil(h.find(k)); XCTAssertNil(h.position(k)) }
            } else if roll < 100 - insertShare {
                h.remove(k, byPosition: rng.next() & 1 == 0)
            } else if roll < 100 - insertShare / 2 {
                h.move(k)
            } else {
                XCTAssertEqual(h.find(k), h.model[k])
            }
            largest = max(largest, h.model.count)
            if step % 997 == 0 { h.check(absent: (0..<32).map { _ in rng.next() % keySpace }) }
        }
        h.check(absent: Array(0..<min(keySpace, 4096)))
        XCTAssertGreaterThan(largest, 200, "the run grew the table several times")
        // At most 3/4 full, whatever the history.
        XCTAssertLessThanOrEqual(h.table.count * 4, h.table.capacity * 3)
        // Empty it: every key goes, nothing is left behind.
        for k in Array(h.model.keys) { h.remove(k, byPosition: rng.next() & 1 == 0) }
        h.check(absent: Array(0..<min(keySpace, 4096)))
        XCTAssertEqual(h.table.count, 0)
    }

    func testRandomOperationsAgreeWithADictionary() {
        randomRun(hash: { SlotHash.integer($0) }, keySpace: 3000, steps: 30000, seed: 1)
    }

    func testRandomOperationsWithFewDistinctHashes() {
        // 61 distinct hashes: long runs of equal homes and tags, runs wrapping round the table.
        randomRun(hash: { SlotHash.integer($0 % 61) }, keySpace: 2000, steps: 20000, seed: 2)
    }

    func testRandomOperationsWithEqualTagsDifferentHomes() {
        // The low byte (the tag) is the same for all keys: every probe compares through the keys.
        randomRun(hash: { SlotHash.integer($0) & ~0xFF | 0x5A }, keySpace: 2000, steps: 20000, seed: 3)
    }

    func testGrowthDoublesAndKeepsEverything() {
        var h = Harness(hash: { SlotHash.integer($0) })
        XCTAssertEqual(h.table.capacity, 16)
        XCTAssertEqual(h.table.byteCount, 16 * 5 + 3, "5 bytes a cell")
        for k in 0..<12 as Range<UInt64> { h.insert(k, memoryOrder: false) }
        XCTAssertEqual(h.table.capacity, 16, "12 of 16 cells: still 3/4 full at most")
        XCTAssertTrue(h.table.needsGrowth())
        h.insert(12, memoryOrder: false)
        XCTAssertEqual(h.table.capacity, 32)
        for k in 13..<24 as Range<UInt64> { h.insert(k, memoryOrder: true) }
        XCTAssertEqual(h.table.capacity, 32)
        h.insert(24, memoryOrder: true)
        XCTAssertEqual(h.table.capacity, 64)
        h.check(absent: Array(0..<100))
        // growIfNeeded for several at once grows straight to a size that holds them all.
        let keys = h.keys, hash = h.hash
        h.table.growIfNeeded(forInserting: 200) { place in
            for (i, k) in keys.enumerated() { if let k { place(UInt32(i), hash(k)) } }
        }
        XCTAssertEqual(h.table.capacity, 512)
        h.check(absent: Array(0..<100))
    }

    func testRemovingAnAbsentSlotIsANoOp() {
        var h = Harness(hash: { SlotHash.integer($0 % 7) })
        for k in 0..<40 as Range<UInt64> { h.insert(k, memoryOrder: false) }
        let keys = h.keys, hash = h.hash
        // Slot 99 was never stored: its removal, under a hash whose run is full of others, finds no cell.
        h.table.remove(99, hash: hash(3), rehash: { hash(keys[Int($0)]!) })
        // Nor is slot 3 stored under another key's hash (7 apart: same hash, so try one not).
        h.table.remove(3, hash: SlotHash.integer(1000), rehash: { hash(keys[Int($0)]!) })
        h.check(absent: Array(40..<80))
    }

    /// A small deterministic generator (splitmix64), so a failure replays.
    private struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 1
            return SlotHash.mix(state)
        }
    }
}
