/// An open-addressing (linear probing) hash table of `UInt32` record slot numbers whose keys
/// live in the caller's records, the one index type of the lease stores (`MemoryLeaseStore4`'s
/// addresses, `MemoryLeaseStore6`'s addresses, identities and hardware addresses, and
/// `IdentifierTable`). No key is stored: the caller hashes a key and says, through `matches`,
/// whether a slot's record holds it; when entries move (growth, backward shift on removal) the
/// table asks the caller for a stored slot's hash (`rehash`), or, to grow, lets the caller list
/// its slots in memory order (`growIfNeeded`).
///
/// 5 bytes per cell: the slot, and beside it (in a separate array probed first) an 8-bit tag
/// from the hash, so a probe that meets another key nearly always rejects it without reading
/// that key's record (a miss, the common case when loading, rarely reads a record at all).
/// At most 3/4 full; deletion shifts the later entries of the run back (no tombstones).
/// Positions (`position(hash:matches:)`) name cells: the slot there can be read and replaced
/// in place (same key, same hash) until the table next changes shape (insert or remove).
public struct SlotHashTable: Sendable {
    /// The slot in each cell (meaningless where the tag is 0).
    @usableFromInline var slots: [UInt32]
    /// The 8-bit tag of each stored slot's hash (never 0); 0 marks an empty cell.
    @usableFromInline var tags: [UInt8]
    /// 64 minus log2 of the cell count: the home cell is the top bits of the mixed hash.
    @usableFromInline var shift: Int
    public private(set) var count = 0

    public init() {
        slots = [UInt32](repeating: 0, count: 16)
        tags = [UInt8](repeating: 0, count: 16)
        shift = 64 - 4
    }

    @inlinable
    func home(_ hash: UInt64) -> Int { Self.home(hash, shift: shift) }

    @inlinable
    static func home(_ hash: UInt64, shift: Int) -> Int { Int(truncatingIfNeeded: (hash &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift)) }

    @inlinable
    static func tag(_ hash: UInt64) -> UInt8 {
        let t = UInt8(truncatingIfNeeded: hash)
        return t == 0 ? 1 : t
    }

    // MARK: reading

    /// The cell holding the slot `matches` accepts among those stored under `hash`; nil if none.
    @inlinable
    public func position(hash: UInt64, matches: (UInt32) -> Bool) -> Int? {
        let mask = slots.count - 1
        var i = home(hash)
        let t = Self.tag(hash)
        return slots.withUnsafeBufferPointer { s in
            tags.withUnsafeBufferPointer { tg in
                while true {
                    let tag = tg[i]
                    if tag == 0 { return nil }
                    if tag == t && matches(s[i]) { return i }
                    i = (i + 1) & mask
                }
            }
        }
    }

    /// The slot `matches` accepts among those stored under `hash`; nil if none.
    @inlinable
    public func find(hash: UInt64, matches: (UInt32) -> Bool) -> UInt32? {
        position(hash: hash, matches: matches).map { slots[$0] }
    }

    /// The slot in the cell at `position` (from `position(hash:matches:)`).
    @inlinable
    public func slot(at position: Int) -> UInt32 { slots[position] }

    /// Puts `slot` in the cell at `position` in place of the one there; its key must be the same
    /// (so must its hash).
    public mutating func replace(at position: Int, with slot: UInt32) {
        precondition(tags[position] != 0, "replacing an empty cell")
        slots[position] = slot
    }

    /// Bytes held by the table.
    public var byteCount: Int { slots.count * 5 }

    // MARK: inserting

    /// Stores `slot` under `hash` (the caller has checked its key is not already there). When
    /// the table must grow, `rehash` gives each stored slot's hash, read in cell order (see
    /// `growIfNeeded` for a cheaper way when the caller can list its slots in memory order).
    public mutating func insert(_ slot: UInt32, hash: UInt64, rehash: (UInt32) -> UInt64) {
        if needsGrowth() { grow(to: Self.size(for: count + 1, from: slots.count), rehash: rehash) }
        insertWithoutGrowing(slot, hash: hash)
    }

    /// Whether inserting `n` more entries would grow the table.
    @inlinable
    public func needsGrowth(forInserting n: Int = 1) -> Bool { (count + n) * 4 > slots.count * 3 }

    /// Stores `slot` under `hash` when the table has room (after `growIfNeeded`); the caller
    /// has checked its key is not already there.
    public mutating func insertWithoutGrowing(_ slot: UInt32, hash: UInt64) {
        precondition(!needsGrowth(), "insertWithoutGrowing on a full table: call growIfNeeded first")
        place(slot, hash: hash)
        count += 1
    }

    /// Before inserting `n` more entries: if the table must grow, makes it bigger and calls
    /// `rebuild` with a function to store each slot the table holds, with its hash. Callers
    /// whose keys sit in an array list them in memory order, which is much cheaper on a large
    /// table than the cell-order `rehash` of `insert`.
    public mutating func growIfNeeded(forInserting n: Int = 1, rebuild: ((UInt32, UInt64) -> Void) -> Void) {
        guard needsGrowth(forInserting: n) else { return }
        let size = Self.size(for: count + n, from: slots.count)
        precondition(size <= 1 << 32, "slot hash table over 2^32 cells")
        let expected = count
        // Release the old arrays before allocating the new ones (they are not read again).
        slots = []
        tags = []
        slots = [UInt32](repeating: 0, count: size)
        tags = [UInt8](repeating: 0, count: size)
        shift = 64 - size.trailingZeroBitCount
        var placed = 0
        let shift = shift, mask = size - 1
        slots.withUnsafeMutableBufferPointer { s in
            tags.withUnsafeMutableBufferPointer { tg in
                rebuild { slot, hash in
                    var i = Self.home(hash, shift: shift)
                    while tg[i] != 0 { i = (i + 1) & mask }
                    tg[i] = Self.tag(hash)
                    s[i] = slot
                    placed += 1
                }
            }
        }
        precondition(placed == expected, "rebuild listed \(placed) slots, the table held \(expected)")
    }

    @usableFromInline
    mutating func place(_ slot: UInt32, hash: UInt64) {
        let mask = slots.count - 1
        var i = home(hash)
        tags.withUnsafeMutableBufferPointer { tg in
            while tg[i] != 0 { i = (i + 1) & mask }
            tg[i] = Self.tag(hash)
        }
        slots[i] = slot
    }

    private static func size(for n: Int, from current: Int) -> Int {
        var size = current
        while n * 4 > size * 3 { size *= 2 }
        return size
    }

    private mutating func grow(to size: Int, rehash: (UInt32) -> UInt64) {
        precondition(size <= 1 << 32, "slot hash table over 2^32 cells")
        let oldSlots = slots, oldTags = tags
        slots = [UInt32](repeating: 0, count: size)
        tags = [UInt8](repeating: 0, count: size)
        shift = 64 - size.trailingZeroBitCount
        for i in oldTags.indices where oldTags[i] != 0 { place(oldSlots[i], hash: rehash(oldSlots[i])) }
    }

    // MARK: removing

    /// Removes the slot at `position` (from `position(hash:matches:)`); the later entries of its
    /// run move back, `rehash` giving the hash of any stored slot.
    public mutating func remove(at position: Int, rehash: (UInt32) -> UInt64) {
        precondition(tags[position] != 0, "removing from an empty cell")
        let mask = slots.count - 1
        // Backward-shift deletion: move each later entry of the run into the hole unless its
        // home lies cyclically in (hole, its position].
        var hole = position
        var j = (position + 1) & mask
        while tags[j] != 0 {
            let h = home(rehash(slots[j]))
            let stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j)
            if !stays {
                slots[hole] = slots[j]
                tags[hole] = tags[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        tags[hole] = 0
        slots[hole] = 0
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
