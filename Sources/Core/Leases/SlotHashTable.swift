/// An open-addressing hash table of record slot numbers (UInt32) whose keys live in the
/// records themselves: the caller hashes a key and says, through `matches`, whether a slot's
/// record holds it, so the table stores 4 bytes per entry and no copy of any key. Linear
/// probing, at most 3/4 full, backward-shift deletion (no tombstones). Growing and deleting
/// need every moved slot's hash again: the caller passes `hashOf`.
struct SlotHashTable: Sendable {
    static let empty = UInt32.max
    private(set) var cells: [UInt32] = []
    private(set) var count = 0

    private var mask: Int { cells.count - 1 }

    /// The cell position holding the slot `matches` accepts among those hashed to `hash`.
    @inline(__always)
    func position(hash: UInt64, matches: (UInt32) -> Bool) -> Int? {
        guard !cells.isEmpty else { return nil }
        let m = mask
        var i = Int(truncatingIfNeeded: hash) & m
        while true {
            let s = cells[i]
            if s == Self.empty { return nil }
            if matches(s) { return i }
            i = (i + 1) & m
        }
    }

    /// The slot `matches` accepts among those hashed to `hash`.
    @inline(__always)
    func find(hash: UInt64, matches: (UInt32) -> Bool) -> UInt32? {
        position(hash: hash, matches: matches).map { cells[$0] }
    }

    /// The slot at a position `position(hash:matches:)` returned.
    func slot(at position: Int) -> UInt32 { cells[position] }

    /// Puts `slot` in place of the one at `position` (same key).
    mutating func replace(at position: Int, with slot: UInt32) { cells[position] = slot }

    /// Adds `slot` under `hash` (the caller has checked that its key is absent).
    mutating func insert(_ slot: UInt32, hash: UInt64, hashOf: (UInt32) -> UInt64) {
        if (count + 1) * 4 > cells.count * 3 { grow(hashOf) }
        place(slot, hash: hash)
        count += 1
    }

    private mutating func place(_ slot: UInt32, hash: UInt64) {
        let m = mask
        var i = Int(truncatingIfNeeded: hash) & m
        while cells[i] != Self.empty { i = (i + 1) & m }
        cells[i] = slot
    }

    private mutating func grow(_ hashOf: (UInt32) -> UInt64) {
        let old = cells
        cells = [UInt32](repeating: Self.empty, count: Swift.max(16, old.count * 2))
        for s in old where s != Self.empty { place(s, hash: hashOf(s)) }
    }

    /// Removes the slot at `position`, shifting back the entries of its probe run.
    mutating func remove(at position: Int, hashOf: (UInt32) -> UInt64) {
        let m = mask
        var hole = position
        var j = (position + 1) & m
        while cells[j] != Self.empty {
            let home = Int(truncatingIfNeeded: hashOf(cells[j])) & m
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
    var byteCount: Int { cells.count * 4 }
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
