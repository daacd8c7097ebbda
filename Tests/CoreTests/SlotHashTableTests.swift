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
            let keys = keys, hash = hash
            if memoryOrder {
                let held = model
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
            do {
                let keys = keys, hash = hash
                if byPosition {
                    let p = position(k)!
                    table.remove(at: p, rehash: { hash(keys[Int($0)]!) })
                } else {
                    table.remove(s, hash: hash(k), rehash: { hash(keys[Int($0)]!) })
                }
            }
            // The freed slot keeps its key until reused (as the v4 store's freed records keep
            // their address): a stale cell naming it would still match.
            freeSlots.append(s)
        }

        /// Moves `k` to a new slot, replacing the cell's slot in place.
        mutating func move(_ k: UInt64) {
            let p = position(k)!
            let old = model[k]!
            XCTAssertEqual(table.slot(at: p), old)
            let s = newSlot(k)
            table.replace(at: p, with: s)
            freeSlots.append(old)
            model[k] = s
        }

        /// A key held whose lookup (or position) disagrees with the model, or an absent key that
        /// is found; nil when all agree (cheaper than `check` for a check after every step).
        func disagreement(absent: [UInt64]) -> UInt64? {
            for (k, s) in model {
                guard let p = position(k), table.slot(at: p) == s else { return k }
            }
            return absent.first { model[$0] == nil && find($0) != nil }
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

    // MARK: incremental growth

    /// Inserts (mostly the serving path's incremental growth), removals, in-place moves and
    /// lookups, many of them in the middle of a migration, checked against the model after every
    /// step (every key held, a few absent ones, the count).
    private func migrationRun(hash: @escaping (UInt64) -> UInt64, keySpace: UInt64, steps: Int, seed: UInt64) {
        var rng = SplitMix(seed: seed)
        var h = Harness(hash: hash)
        var stepsMigrating = 0, migrations = 0, removalsInOld = 0, movesInOld = 0
        for step in 0..<steps {
            let k = rng.next() % keySpace
            let roll = rng.next() % 100
            let wasMigrating = h.table.isMigrating
            // Grow for the first 3/5 (inserts outnumber removals), then shrink.
            let insertShare: UInt64 = step < steps * 3 / 5 ? 65 : 35
            if h.model[k] == nil {
                // Now and then the bulk path, which ends a migration at once.
                if roll < insertShare { h.insert(k, memoryOrder: rng.next() % 64 == 0) }
                else { XCTAssertNil(h.find(k)); XCTAssertNil(h.position(k)) }
            } else if roll < 100 - insertShare {
                if let p = h.position(k), p >= h.table.capacity { removalsInOld += 1 }
                h.remove(k, byPosition: rng.next() & 1 == 0)
            } else if roll < 100 - insertShare / 2 {
                if let p = h.position(k), p >= h.table.capacity { movesInOld += 1 }
                h.move(k)
            } else {
                XCTAssertEqual(h.find(k), h.model[k])
            }
            if h.table.isMigrating { stepsMigrating += 1 }
            if h.table.isMigrating && !wasMigrating { migrations += 1 }
            XCTAssertLessThanOrEqual(h.table.lastMigrated, SlotHashTable.migrationStep)
            XCTAssertLessThanOrEqual(h.table.count * 4, h.table.capacity * 3)
            if let k = h.disagreement(absent: (0..<4).map { _ in rng.next() % keySpace }) {
                return XCTFail("key \(k) disagrees with the model at step \(step)")
            }
            if h.table.count != h.model.count { return XCTFail("count differs at step \(step)") }
        }
        XCTAssertGreaterThan(migrations, 5, "the run grew the table several times")
        XCTAssertGreaterThan(stepsMigrating, 200, "many operations ran during migrations")
        XCTAssertGreaterThan(removalsInOld, 10, "removals of entries not yet migrated")
        XCTAssertGreaterThan(movesInOld, 10, "replacements in the old cells")
        for k in Array(h.model.keys) { h.remove(k, byPosition: rng.next() & 1 == 0) }
        h.check(absent: Array(0..<min(keySpace, 4096)))
        XCTAssertEqual(h.table.count, 0)
    }

    func testOperationsDuringMigrationsAgreeWithADictionary() {
        migrationRun(hash: { SlotHash.integer($0) }, keySpace: 4000, steps: 7000, seed: 11)
    }

    func testOperationsDuringMigrationsWithFewDistinctHashes() {
        // Long runs of equal homes, wrapping round both arrays' ends, through migrated cells.
        migrationRun(hash: { SlotHash.integer($0 % 97) }, keySpace: 3000, steps: 8000, seed: 12)
    }

    func testOperationsDuringMigrationsWithEqualTags() {
        migrationRun(hash: { SlotHash.integer($0) & ~0xFF | 0xA5 }, keySpace: 3000, steps: 8000, seed: 13)
    }

    /// No insert or removal moves more than `migrationStep` old cells while the table grows from
    /// about a thousand entries to 200,000 (eight doublings), with removals between the inserts;
    /// every migration ends before the next growth, and the old array is freed.
    func testNoCallMigratesMoreThanAStep() {
        var h = Harness(hash: { SlotHash.integer($0) })
        for k in 0..<1000 as Range<UInt64> { h.insert(k, memoryOrder: true) }
        var rng = SplitMix(seed: 5)
        var worst = 0, moved = 0, growths = 0, next: UInt64 = 1000
        var largestBytes = h.table.byteCount
        while h.model.count < 200_000 {
            let capacity = h.table.capacity
            if rng.next() % 8 == 0 {
                // Some key held (every 8th call removes one).
                var k = rng.next() % next
                while h.model[k] == nil { k = rng.next() % next }
                h.remove(k, byPosition: rng.next() & 1 == 0)
            } else {
                h.insert(next, memoryOrder: false)
                next += 1
            }
            if h.table.capacity != capacity {
                growths += 1
                XCTAssertEqual(h.table.capacity, capacity * 2)
            }
            worst = max(worst, h.table.lastMigrated)
            moved += h.table.lastMigrated
            largestBytes = max(largestBytes, h.table.byteCount)
        }
        XCTAssertLessThanOrEqual(worst, SlotHashTable.migrationStep)
        XCTAssertEqual(worst, SlotHashTable.migrationStep, "migrations ran in full steps")
        XCTAssertGreaterThanOrEqual(growths, 8)
        // Every old cell of every growth moved exactly once (1024 + 2048 + ... old cells).
        let oldCells = (0..<growths).reduce(0) { sum, g in sum + (2048 << g) }
        XCTAssertEqual(moved + (h.table.isMigrating ? h.table.oldCapacity - h.table.cursor : 0), oldCells)
        // Old and new cells together, at the largest: 1.5 times the final table.
        XCTAssertEqual(largestBytes, h.table.capacity * 5 + 3 + h.table.capacity / 2 * 5 + 3)
        h.check(absent: Array(1_000_000..<1_000_100))
    }

    /// A table sized for a load (`reserveCapacity`) never migrates while it is filled.
    func testReservedTableDoesNotMigrate() {
        var h = Harness(hash: { SlotHash.integer($0) })
        h.table.reserveCapacity(30_000)
        let capacity = h.table.capacity
        XCTAssertEqual(capacity, 65_536)
        for k in 0..<30_000 as Range<UInt64> {
            XCTAssertTrue(h.table.hasRoom)
            h.insert(k, memoryOrder: false)
            XCTAssertFalse(h.table.isMigrating)
            XCTAssertEqual(h.table.lastMigrated, 0)
        }
        XCTAssertEqual(h.table.capacity, capacity)
        h.check(absent: Array(30_000..<31_000))
        // The next growth is incremental, the old array freed at its end.
        var k: UInt64 = 30_000
        while h.table.capacity == capacity || h.table.isMigrating {
            h.insert(k, memoryOrder: false)
            k += 1
        }
        XCTAssertEqual(h.table.byteCount, h.table.capacity * 5 + 3)
        h.check(absent: Array(100_000..<101_000))
    }

    /// A table emptied during a migration, then rebuilt by `growIfNeeded`/`reserveCapacity`
    /// (which end a migration at once), keeps nothing stale.
    func testBulkGrowthEndsAMigration() {
        var h = Harness(hash: { SlotHash.integer($0) })
        for k in 0..<3073 as Range<UInt64> { h.insert(k, memoryOrder: false) }
        XCTAssertTrue(h.table.isMigrating, "3073 entries passed 3/4 of 4096 cells")
        XCTAssertEqual(h.table.byteCount, 8192 * 5 + 3 + 4096 * 5 + 3)
        let keys = h.keys, hash = h.hash, held = h.model
        h.table.growIfNeeded { place in
            for (i, key) in keys.enumerated() { if let key, held[key] == UInt32(i) { place(UInt32(i), hash(key)) } }
        }
        XCTAssertFalse(h.table.isMigrating)
        XCTAssertEqual(h.table.capacity, 8192)
        h.check(absent: Array(3073..<4000))
        // Emptied while migrating.
        for k in 3073..<6200 as Range<UInt64> { h.insert(k, memoryOrder: false) }
        XCTAssertTrue(h.table.isMigrating)
        for k in Array(h.model.keys) { h.remove(k, byPosition: false) }
        XCTAssertEqual(h.table.count, 0)
        h.table.reserveCapacity(100)
        XCTAssertFalse(h.table.isMigrating)
        h.check(absent: Array(0..<7000))
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
