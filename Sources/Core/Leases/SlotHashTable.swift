/// An open-addressing hash table of record slot numbers whose keys live in the records
/// themselves: the caller hashes a key and says, through `matches`, whether a slot's record
/// holds it, so no copy of any key is stored. Each cell is 8 bytes: the slot and the low 32
/// bits of its key's hash, so a probe that meets another key rejects it without reading that
/// record (a miss, the common case when loading, reads no record at all), and the table grows
/// and shifts entries back on deletion from the stored bits alone. Linear probing, at most
/// 3/4 full, backward-shift deletion (no tombstones); at most 2^32 cells.
struct SlotHashTable: Sendable {
    static let empty = UInt64.max
    private(set) var cells: [UInt64] = []
    private(set) var count = 0

    @inline(__always)
    private static func cell(_ slot: UInt32, _ hash: UInt64) -> UInt64 { UInt64(UInt32(truncatingIfNeeded: hash)) << 32 | UInt64(slot) }

    /// The cell position holding the slot `matches` accepts among those hashed to `hash`.
    @inline(__always)
    func position(hash: UInt64, matches: (UInt32) -> Bool) -> Int? {
        guard !cells.isEmpty else { return nil }
        let m = cells.count - 1
        let tag = UInt32(truncatingIfNeeded: hash)
        var i = Int(tag) & m
        return cells.withUnsafeBufferPointer { c in
            while true {
                let v = c[i]
                if v == Self.empty { return nil }
                if UInt32(truncatingIfNeeded: v >> 32) == tag && matches(UInt32(truncatingIfNeeded: v)) { return i }
                i = (i + 1) & m
            }
        }
    }

    /// The slot `matches` accepts among those hashed to `hash`.
    @inline(__always)
    func find(hash: UInt64, matches: (UInt32) -> Bool) -> UInt32? {
        position(hash: hash, matches: matches).map { slot(at: $0) }
    }

    /// The slot at a position `position(hash:matches:)` returned.
    func slot(at position: Int) -> UInt32 { UInt32(truncatingIfNeeded: cells[position]) }

    /// Puts `slot` in place of the one at `position` (same key, so the same hash).
    mutating func replace(at position: Int, with slot: UInt32) {
        cells[position] = cells[position] & 0xFFFF_FFFF_0000_0000 | UInt64(slot)
    }

    /// Adds `slot` under `hash` (the caller has checked that its key is absent).
    mutating func insert(_ slot: UInt32, hash: UInt64) {
        precondition(slot != UInt32.max, "slot number too large")
        if (count + 1) * 4 > cells.count * 3 { grow() }
        place(Self.cell(slot, hash))
        count += 1
    }

    private mutating func place(_ cell: UInt64) {
        let m = cells.count - 1
        var i = Int(cell >> 32) & m
        while cells[i] != Self.empty { i = (i + 1) & m }
        cells[i] = cell
    }

    private mutating func grow() {
        let old = cells
        precondition(old.count < 1 << 32, "slot hash table over 2^32 cells")
        cells = [UInt64](repeating: Self.empty, count: Swift.max(16, old.count * 2))
        for c in old where c != Self.empty { place(c) }
    }

    /// Removes the slot at `position`, shifting back the entries of its probe run.
    mutating func remove(at position: Int) {
        let m = cells.count - 1
        var hole = position
        var j = (position + 1) & m
        while cells[j] != Self.empty {
            let home = Int(cells[j] >> 32) & m
            // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if !stays {
                cells[hole] = cells[j]
                hole = j
            }
            j = (j + 1) & m
        }
        cells[hole] = Self.empty
        count -= 1
    }

    /// Bytes held (for the memory figures).
    var byteCount: Int { cells.count * 8 }
}

/// Deterministic hashing of keys read from records (the process-seeded `Hasher` would do, but
/// this is cheaper for 16 bytes and the same in every run).
enum SlotHash {
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func address(_ a: IPv6Address) -> UInt64 { mix(a.high ^ mix(a.low)) }

    /// Bytes, eight at a time, after `seed`.
    static func bytes(_ p: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
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
