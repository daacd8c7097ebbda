/// An open-addressing (linear probing) hash table of `UInt32` record slot numbers whose keys
/// live in the caller's records, the one index type of the lease stores (`MemoryLeaseStore4`'s
/// addresses, `MemoryLeaseStore6`'s addresses, identities and hardware addresses, and
/// `IdentifierTable`). No key is stored: the caller hashes a key and says, through `matches`,
/// whether a slot's record holds it; when entries move (growth, backward shift on removal) the
/// table asks the caller for a stored slot's hash (`rehash`), or, to grow all at once, lets the
/// caller list its slots in memory order (`growIfNeeded`).
///
/// 5 bytes per cell, packed end to end: an 8-bit tag from the hash (0: empty) and the slot, so a
/// probe that meets another key nearly always rejects it without reading that key's record (a
/// miss, the common case when loading, rarely reads a record at all), and a probe or an insert
/// touches one cache line, seldom two.
/// At most 3/4 full; deletion shifts the later entries of the run back (no tombstones, but see
/// growth).
///
/// Growth is incremental on the serving path (`insert(_:hash:rehash:)`): the table allocates
/// cells of twice the size and from then on every insert and removal moves at most
/// `migrationStep` cells of the old array into the new one (a cursor walks the old array from
/// its start), so no single call re-hashes the whole table (at a million entries that was tens
/// of milliseconds in one packet's handling). Meanwhile a lookup probes the new cells, then the
/// old ones at or after the cursor. Migrated old cells are left as they were (clearing them
/// would cut other keys' probe runs) and a removal in the old array leaves a tombstone (a
/// backward shift could carry an entry across the cursor); the old array goes when the cursor
/// reaches its end. A bulk load that sizes the table first (`reserveCapacity`, `growIfNeeded`)
/// migrates nothing.
///
/// Positions (`position(hash:matches:)`) name cells, of either array: the slot there can be
/// read and replaced in place (same key, same hash) until the table next changes (insert or
/// remove).
public struct SlotHashTable: Sendable {
    /// The cells, 5 bytes each (tag, then the slot, little-endian), and 3 bytes of padding so
    /// that any cell can be read as 8 bytes. During a migration, the new (larger) array.
    @usableFromInline var cells: [UInt8]
    /// How many cells (a power of two).
    @usableFromInline var capacity: Int
    /// 64 minus log2 of `capacity`: the home cell is the top bits of the mixed hash.
    @usableFromInline var shift: Int
    /// Entries held, in both arrays.
    public private(set) var count = 0

    /// During a migration, the old cells (empty otherwise); those before `cursor` have been
    /// moved to `cells` (or were tombstones or empty), those at or after it still count.
    @usableFromInline var oldCells: [UInt8] = []
    /// How many old cells (0: no migration).
    @usableFromInline var oldCapacity = 0
    @usableFromInline var oldShift = 64
    @usableFromInline var cursor = 0
    /// Old cells moved by the last insert or removal (for the tests).
    var lastMigrated = 0

    /// Old cells each insert and removal moves during a migration. A growth starts when the
    /// table holds 3/4 of its `c` cells, into `2c` cells that are 3/4 full only after `3c/4`
    /// more inserts; the old array is gone after `c / migrationStep` mutating calls, far fewer
    /// (any step of 2 or more would do), so a migration always ends before the next growth.
    public static let migrationStep = 16

    /// The slot of a removed entry still in the old array (its tag stays, so probe runs do).
    @usableFromInline static let tombstone = UInt32.max

    public init() {
        capacity = 16
        cells = Self.emptyCells(16)
        shift = 64 - 4
    }

    static func emptyCells(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n * 5 + 3) }

    /// Whether a growth is under way (old cells still to move).
    @inlinable
    public var isMigrating: Bool { oldCapacity != 0 }

    @inlinable
    func home(_ hash: UInt64) -> Int { Self.home(hash, shift: shift) }

    @inlinable
    static func home(_ hash: UInt64, shift: Int) -> Int { Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift)) }

    @inlinable
    static func tag(_ hash: UInt64) -> UInt8 {
        let t = UInt8(truncatingIfNeeded: hash)
        return t == 0 ? 1 : t
    }

    /// Cell `i` as tag | slot << 8.
    @inlinable
    static func load(_ c: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: c.loadUnaligned(fromByteOffset: i &* 5, as: UInt64.self)) & 0xFF_FFFF_FFFF
    }

    @inlinable
    static func store(_ c: UnsafeMutableRawBufferPointer, _ i: Int, tag: UInt8, slot: UInt32) {
        c[i &* 5] = tag
        c.storeBytes(of: slot.littleEndian, toByteOffset: i &* 5 &+ 1, as: UInt32.self)
    }

    // MARK: reading

    /// The cell holding the slot `matches` accepts among those stored under `hash`; nil if none.
    /// A position below `capacity` names a cell of `cells`, one at or above names the old cell
    /// `position - capacity` (during a migration).
    @inlinable
    public func position(hash: UInt64, matches: (UInt32) -> Bool) -> Int? {
        let mask = capacity - 1
        var i = home(hash)
        let t = UInt64(Self.tag(hash))
        let found: Int? = cells.withUnsafeBytes { c in
            while true {
                let v = Self.load(c, i)
                let tag = v & 0xFF
                if tag == 0 { return nil }
                if tag == t && matches(UInt32(truncatingIfNeeded: v >> 8)) { return i }
                i = (i + 1) & mask
            }
        }
        if _slowPath(oldCapacity != 0) && found == nil { return oldPosition(hash: hash, matches: matches) }
        return found
    }

    /// The old-array half of `position`: cells at or after the cursor, tombstones skipped.
    @usableFromInline @inline(never)
    func oldPosition(hash: UInt64, matches: (UInt32) -> Bool) -> Int? {
        let mask = oldCapacity - 1, cursor = cursor, base = capacity
        var i = Self.home(hash, shift: oldShift)
        let t = UInt64(Self.tag(hash))
        return oldCells.withUnsafeBytes { c in
            while true {
                let v = Self.load(c, i)
                let tag = v & 0xFF
                if tag == 0 { return nil }
                if tag == t && i >= cursor {
                    let slot = UInt32(truncatingIfNeeded: v >> 8)
                    if slot != Self.tombstone && matches(slot) { return base + i }
                }
                i = (i + 1) & mask
            }
        }
    }

    /// The slot `matches` accepts among those stored under `hash`; nil if none.
    @inlinable
    public func find(hash: UInt64, matches: (UInt32) -> Bool) -> UInt32? {
        position(hash: hash, matches: matches).map { slot(at: $0) }
    }

    /// Reads the home cells of `hashes` and returns their sum, for nothing but to bring them
    /// into cache: a caller about to look up several keys touches all their cells first, so
    /// that the cache misses overlap instead of coming one after another (nothing in the loop
    /// waits for a load: no retain, no branch on what was read).
    @inlinable
    public func touch(hashes: [UInt64]) -> UInt64 {
        let shift = shift
        return cells.withUnsafeBytes { c in
            hashes.withUnsafeBufferPointer { h in
                var sum: UInt64 = 0
                for x in h { sum &+= Self.load(c, Self.home(x, shift: shift)) }
                return sum
            }
        }
    }

    /// The slot in the cell at `position` (from `position(hash:matches:)`).
    @inlinable
    public func slot(at position: Int) -> UInt32 {
        if position < capacity {
            precondition(position >= 0, "cell out of range")
            return cells.withUnsafeBytes { UInt32(truncatingIfNeeded: Self.load($0, position) >> 8) }
        }
        let i = position - capacity
        precondition(i < oldCapacity && i >= cursor, "cell out of range")
        return oldCells.withUnsafeBytes { UInt32(truncatingIfNeeded: Self.load($0, i) >> 8) }
    }

    /// Puts `slot` in the cell at `position` in place of the one there; its key must be the same
    /// (so must its hash).
    public mutating func replace(at position: Int, with slot: UInt32) {
        precondition(slot != Self.tombstone, "slot \(slot) is reserved")
        if position < capacity {
            precondition(position >= 0, "cell out of range")
            cells.withUnsafeMutableBytes { c in
                precondition(c[position * 5] != 0, "replacing an empty cell")
                Self.store(c, position, tag: c[position * 5], slot: slot)
            }
        } else {
            let i = position - capacity
            precondition(i < oldCapacity && i >= cursor, "cell out of range")
            oldCells.withUnsafeMutableBytes { c in
                precondition(c[i * 5] != 0 && Self.load(UnsafeRawBufferPointer(c), i) >> 8 != Self.tombstone,
                             "replacing an empty cell")
                Self.store(c, i, tag: c[i * 5], slot: slot)
            }
        }
    }

    /// Bytes held by the table (both arrays during a migration).
    public var byteCount: Int { cells.count + oldCells.count }

    // MARK: inserting

    /// Stores `slot` under `hash` (the caller has checked its key is not already there). When
    /// the table must grow it starts a migration (see the type); during one, each call moves
    /// at most `migrationStep` old cells, `rehash` giving their slots' hashes.
    public mutating func insert(_ slot: UInt32, hash: UInt64, rehash: (UInt32) -> UInt64) {
        if needsGrowth() { startMigration() }
        place(slot, hash: hash)
        if oldCapacity != 0 { migrate(rehash) } else { lastMigrated = 0 }
    }

    /// Whether an insert would neither start nor continue a migration, so that
    /// `insertWithoutGrowing` may store it (callers whose `rehash` costs something to set up
    /// test this first).
    @inlinable
    public var hasRoom: Bool { oldCapacity == 0 && !needsGrowth() }

    /// Whether inserting `n` more entries would grow the table.
    @inlinable
    public func needsGrowth(forInserting n: Int = 1) -> Bool { (count + n) * 4 > capacity * 3 }

    /// Stores `slot` under `hash` when the table has room (after `growIfNeeded`, which also
    /// ends a migration); the caller has checked its key is not already there.
    public mutating func insertWithoutGrowing(_ slot: UInt32, hash: UInt64) {
        precondition(!needsGrowth(), "insertWithoutGrowing on a full table: call growIfNeeded first")
        precondition(oldCapacity == 0, "insertWithoutGrowing during a migration: call growIfNeeded first")
        place(slot, hash: hash)
    }

    /// Stores `slot` in `cells`.
    @inline(__always)
    mutating func place(_ slot: UInt32, hash: UInt64) {
        precondition(slot != Self.tombstone, "slot \(slot) is reserved")
        let mask = capacity - 1
        var i = home(hash)
        cells.withUnsafeMutableBytes { c in
            while c[i &* 5] != 0 { i = (i + 1) & mask }
            Self.store(c, i, tag: Self.tag(hash), slot: slot)
        }
        count += 1
    }

    /// Makes the current cells the old ones and allocates twice as many.
    @inline(never)
    mutating func startMigration() {
        precondition(oldCapacity == 0, "growth during a migration (a migration step too small)")
        precondition(capacity * 2 <= 1 << 32, "slot hash table over 2^32 cells")
        oldCells = []
        swap(&oldCells, &cells)
        oldCapacity = capacity
        oldShift = shift
        cursor = 0
        capacity *= 2
        shift -= 1
        cells = Self.emptyCells(capacity)
    }

    /// Moves the next `migrationStep` old cells (fewer at the end), and frees the old array
    /// when the cursor reaches its end.
    mutating func migrate(_ rehash: (UInt32) -> UInt64) {
        let end = Swift.min(cursor + Self.migrationStep, oldCapacity)
        let mask = capacity - 1, shift = shift
        lastMigrated = end - cursor
        oldCells.withUnsafeBytes { o in
            cells.withUnsafeMutableBytes { c in
                for j in cursor..<end {
                    let v = Self.load(o, j)
                    let slot = UInt32(truncatingIfNeeded: v >> 8)
                    if v & 0xFF == 0 || slot == Self.tombstone { continue }
                    var i = Self.home(rehash(slot), shift: shift)
                    while c[i &* 5] != 0 { i = (i + 1) & mask }
                    Self.store(c, i, tag: UInt8(truncatingIfNeeded: v), slot: slot)
                }
            }
        }
        cursor = end
        if cursor == oldCapacity {
            oldCells = []
            oldCapacity = 0
            oldShift = 64
            cursor = 0
        }
    }

    /// Sizes an empty table for `n` entries, so that inserting them moves nothing (before a load).
    public mutating func reserveCapacity(_ n: Int) {
        precondition(count == 0, "reserveCapacity on a table that holds entries: use growIfNeeded")
        growIfNeeded(forInserting: n) { _ in }
    }

    /// Before inserting `n` more entries: if the table must grow (or is migrating), rebuilds it
    /// all at once, big enough, calling `rebuild` with a function to store each slot the table
    /// holds, with its hash. Callers whose keys sit in an array list them in memory order, which
    /// is much cheaper on a large table than the cell-order `rehash` of `insert`. For bulk use
    /// (a load): the whole table is built in one call.
    public mutating func growIfNeeded(forInserting n: Int = 1, rebuild: ((UInt32, UInt64) -> Void) -> Void) {
        guard needsGrowth(forInserting: n) || oldCapacity != 0 else { return }
        var size = capacity
        while (count + n) * 4 > size * 3 { size *= 2 }
        precondition(size <= 1 << 32, "slot hash table over 2^32 cells")
        let expected = count
        // Release the old cells before allocating the new ones (the caller lists the slots).
        cells = []
        oldCells = []
        oldCapacity = 0
        oldShift = 64
        cursor = 0
        cells = Self.emptyCells(size)
        capacity = size
        shift = 64 - size.trailingZeroBitCount
        var placed = 0
        let shift = shift, mask = size - 1
        cells.withUnsafeMutableBytes { c in
            rebuild { slot, hash in
                precondition(slot != Self.tombstone, "slot \(slot) is reserved")
                var i = Self.home(hash, shift: shift)
                while c[i &* 5] != 0 { i = (i + 1) & mask }
                Self.store(c, i, tag: Self.tag(hash), slot: slot)
                placed += 1
            }
        }
        precondition(placed == expected, "rebuild listed \(placed) slots, the table held \(expected)")
    }

    // MARK: removing

    /// Removes the slot at `position` (from `position(hash:matches:)`): in the new cells the
    /// later entries of its run move back, `rehash` giving the hash of any stored slot; in the
    /// old ones it leaves a tombstone. During a migration it then moves a step.
    public mutating func remove(at position: Int, rehash: (UInt32) -> UInt64) {
        if position >= capacity {
            let i = position - capacity
            precondition(i < oldCapacity && i >= cursor, "cell out of range")
            oldCells.withUnsafeMutableBytes { c in
                let v = Self.load(UnsafeRawBufferPointer(c), i)
                precondition(v & 0xFF != 0 && v >> 8 != UInt64(Self.tombstone), "removing from an empty cell")
                Self.store(c, i, tag: UInt8(truncatingIfNeeded: v), slot: Self.tombstone)
            }
            count -= 1
            migrate(rehash)
            return
        }
        precondition(position >= 0, "cell out of range")
        let mask = capacity - 1, shift = shift
        cells.withUnsafeMutableBytes { c in
            precondition(c[position * 5] != 0, "removing from an empty cell")
            // Backward-shift deletion: move each later entry of the run into the hole unless
            // its home lies cyclically in (hole, its position].
            var hole = position
            var j = (position + 1) & mask
            while true {
                let v = Self.load(UnsafeRawBufferPointer(c), j)
                if v & 0xFF == 0 { break }
                let slot = UInt32(truncatingIfNeeded: v >> 8)
                let h = Self.home(rehash(slot), shift: shift)
                let stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
                if !stays {
                    Self.store(c, hole, tag: UInt8(truncatingIfNeeded: v), slot: slot)
                    hole = j
                }
                j = (j + 1) & mask
            }
            Self.store(c, hole, tag: 0, slot: 0)
        }
        count -= 1
        if oldCapacity != 0 { migrate(rehash) } else { lastMigrated = 0 }
    }

    /// Removes `slot`, stored under `hash` (see `remove(at:rehash:)`). No-op when it is not there.
    public mutating func remove(_ slot: UInt32, hash: UInt64, rehash: (UInt32) -> UInt64) {
        if let p = position(hash: hash, matches: { $0 == slot }) { remove(at: p, rehash: rehash) }
        else { lastMigrated = 0 }
    }
}

/// Deterministic hashes of the keys the stores read from their records (the process-seeded
/// `Hasher` would do, but these are cheaper for short keys and the same in every run).
public enum SlotHash {
    /// A 64-bit mix (splitmix64's finaliser).
    @inlinable
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A 64-bit mix (a multiply-xorshift finaliser) of an integer key.
    @inlinable
    public static func integer(_ v: UInt64) -> UInt64 {
        var x = v &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 32
        x = x &* 0xD6E8_FEB8_6659_FD93
        x ^= x >> 29
        return x
    }

    /// A 64-bit hash of bytes (FNV-1a, then mixed).
    @inlinable
    public static func fnv(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return integer(h)
    }

    @inlinable
    public static func address(_ a: IPv6Address) -> UInt64 { mix(a.high ^ mix(a.low)) }

    /// Bytes, eight at a time, after `seed`.
    @inlinable
    public static func bytes(_ p: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var h = mix(seed ^ UInt64(p.count))
        var i = 0
        while i + 8 <= p.count {
            var w: UInt64 = 0
            for k in 0..<8 { w |= UInt64(p[i + k]) << (8 * UInt64(k)) }
            h = mix(h ^ w)
            i += 8
        }
        var w: UInt64 = 0, shift: UInt64 = 0
        while i < p.count {
            w |= UInt64(p[i]) << shift
            shift += 8
            i += 1
        }
        return mix(h ^ w)
    }
}
