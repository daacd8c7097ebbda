/// An open-addressing (linear probing) hash table of `UInt32` record slot numbers whose keys
/// live in the caller's records, the one index type of the lease stores (`MemoryLeaseStore4`'s
/// addresses, `MemoryLeaseStore6`'s addresses, identities and hardware addresses, and
/// `IdentifierTable`). No key is stored: the caller hashes a key and says, through `matches`,
/// whether a slot's record holds it; when entries move (growth, backward shift on removal) the
/// table asks the caller for a stored slot's hash (`rehash`), or, to grow, lets the caller list
/// its slots in memory order (`growIfNeeded`).
///
/// 5 bytes per cell, packed end to end: an 8-bit tag from the hash (0: empty) and the slot, so a
/// probe that meets another key nearly always rejects it without reading that key's record (a
/// miss, the common case when loading, rarely reads a record at all), and a probe or an insert
/// touches one cache line, seldom two.
/// At most 3/4 full; deletion shifts the later entries of the run back (no tombstones).
/// Positions (`position(hash:matches:)`) name cells: the slot there can be read and replaced
/// in place (same key, same hash) until the table next changes shape (insert or remove).
public struct SlotHashTable: Sendable {
    /// The cells, 5 bytes each (tag, then the slot, little-endian), and 3 bytes of padding so
    /// that any cell can be read as 8 bytes.
    @usableFromInline var cells: [UInt8]
    /// How many cells (a power of two).
    @usableFromInline var capacity: Int
    /// 64 minus log2 of `capacity`: the home cell is the top bits of the mixed hash.
    @usableFromInline var shift: Int
    public private(set) var count = 0

    public init() {
        capacity = 16
        cells = Self.emptyCells(16)
        shift = 64 - 4
    }

    static func emptyCells(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n * 5 + 3) }

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
    @inlinable
    public func position(hash: UInt64, matches: (UInt32) -> Bool) -> Int? {
        let mask = capacity - 1
        var i = home(hash)
        let t = UInt64(Self.tag(hash))
        return cells.withUnsafeBytes { c in
            while true {
                let v = Self.load(c, i)
                let tag = v & 0xFF
                if tag == 0 { return nil }
                if tag == t && matches(UInt32(truncatingIfNeeded: v >> 8)) { return i }
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
        precondition(position >= 0 && position < capacity, "cell out of range")
        return cells.withUnsafeBytes { UInt32(truncatingIfNeeded: Self.load($0, position) >> 8) }
    }

    /// Puts `slot` in the cell at `position` in place of the one there; its key must be the same
    /// (so must its hash).
    public mutating func replace(at position: Int, with slot: UInt32) {
        precondition(position >= 0 && position < capacity, "cell out of range")
        cells.withUnsafeMutableBytes { c in
            precondition(c[position * 5] != 0, "replacing an empty cell")
            Self.store(c, position, tag: c[position * 5], slot: slot)
        }
    }

    /// Bytes held by the table.
    public var byteCount: Int { cells.count }

    // MARK: inserting

    /// Stores `slot` under `hash` (the caller has checked its key is not already there). When
    /// the table must grow, `rehash` gives each stored slot's hash, read in cell order (see
    /// `growIfNeeded` for a cheaper way when the caller can list its slots in memory order).
    public mutating func insert(_ slot: UInt32, hash: UInt64, rehash: (UInt32) -> UInt64) {
        if needsGrowth() {
            let old = self
            growIfNeeded { place in
                old.cells.withUnsafeBytes { c in
                    for i in 0..<old.capacity {
                        let v = Self.load(c, i)
                        if v & 0xFF != 0 { place(UInt32(truncatingIfNeeded: v >> 8), rehash(UInt32(truncatingIfNeeded: v >> 8))) }
                    }
                }
            }
        }
        insertWithoutGrowing(slot, hash: hash)
    }

    /// Whether inserting `n` more entries would grow the table.
    @inlinable
    public func needsGrowth(forInserting n: Int = 1) -> Bool { (count + n) * 4 > capacity * 3 }

    /// Stores `slot` under `hash` when the table has room (after `growIfNeeded`); the caller
    /// has checked its key is not already there.
    public mutating func insertWithoutGrowing(_ slot: UInt32, hash: UInt64) {
        precondition(!needsGrowth(), "insertWithoutGrowing on a full table: call growIfNeeded first")
        let mask = capacity - 1
        var i = home(hash)
        cells.withUnsafeMutableBytes { c in
            while c[i &* 5] != 0 { i = (i + 1) & mask }
            Self.store(c, i, tag: Self.tag(hash), slot: slot)
        }
        count += 1
    }

    /// Before inserting `n` more entries: if the table must grow, makes it bigger and calls
    /// `rebuild` with a function to store each slot the table holds, with its hash. Callers
    /// whose keys sit in an array list them in memory order, which is much cheaper on a large
    /// table than the cell-order `rehash` of `insert`.
    public mutating func growIfNeeded(forInserting n: Int = 1, rebuild: ((UInt32, UInt64) -> Void) -> Void) {
        guard needsGrowth(forInserting: n) else { return }
        var size = capacity
        while (count + n) * 4 > size * 3 { size *= 2 }
        precondition(size <= 1 << 32, "slot hash table over 2^32 cells")
        let expected = count
        // Release the old cells before allocating the new ones (the caller lists the slots).
        cells = []
        cells = Self.emptyCells(size)
        capacity = size
        shift = 64 - size.trailingZeroBitCount
        var placed = 0
        let shift = shift, mask = size - 1
        cells.withUnsafeMutableBytes { c in
            rebuild { slot, hash in
                var i = Self.home(hash, shift: shift)
                while c[i &* 5] != 0 { i = (i + 1) & mask }
                Self.store(c, i, tag: Self.tag(hash), slot: slot)
                placed += 1
            }
        }
        precondition(placed == expected, "rebuild listed \(placed) slots, the table held \(expected)")
    }

    // MARK: removing

    /// Removes the slot at `position` (from `position(hash:matches:)`); the later entries of its
    /// run move back, `rehash` giving the hash of any stored slot.
    public mutating func remove(at position: Int, rehash: (UInt32) -> UInt64) {
        precondition(position >= 0 && position < capacity, "cell out of range")
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
    }

    /// Removes `slot`, stored under `hash` (see `remove(at:rehash:)`). No-op when it is not there.
    public mutating func remove(_ slot: UInt32, hash: UInt64, rehash: (UInt32) -> UInt64) {
        if let p = position(hash: hash, matches: { $0 == slot }) { remove(at: p, rehash: rehash) }
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
