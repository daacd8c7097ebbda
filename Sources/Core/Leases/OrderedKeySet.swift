/// Record slots kept in ascending order of a key the caller reads from its records (the v6
/// store's addresses), for paging through a lease store without sorting or copying it. Only
/// the 4-byte slot numbers are held: keys are compared through the `key` closure, so the
/// index does not duplicate them.
///
/// Slots live in chunks of at most `chunkCountMax`, each sorted, the chunks in order and never
/// empty. Insert and remove cost a binary search over chunks, one within a chunk and a shift
/// of at most `chunkCountMax` slots (a chunk splits in two when full, except that a key above
/// every other starts a new chunk, so a file loaded in address order fills chunks completely).
/// `slots(after:limit:)` costs O(log n + limit).
struct OrderedSlotSet: Sendable {
    static var chunkCountMax: Int { 512 }
    private var chunks: [[UInt32]] = []
    private(set) var count = 0

    /// The position of the first chunk whose last key is not below `key` (chunks.count: none).
    private func chunkIndex<Key: Comparable>(_ key: Key, _ keyOf: (UInt32) -> Key) -> Int {
        var low = 0, high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if keyOf(chunks[mid][chunks[mid].count - 1]) < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func lowerBound<Key: Comparable>(_ key: Key, in slots: [UInt32], _ keyOf: (UInt32) -> Key) -> Int {
        var low = 0, high = slots.count
        while low < high {
            let mid = (low + high) / 2
            if keyOf(slots[mid]) < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Whether a slot with `key` is held.
    func contains<Key: Comparable>(_ key: Key, keyOf: (UInt32) -> Key) -> Bool {
        let c = chunkIndex(key, keyOf)
        guard c < chunks.count else { return false }
        let i = Self.lowerBound(key, in: chunks[c], keyOf)
        return i < chunks[c].count && keyOf(chunks[c][i]) == key
    }

    /// Adds `slot`, whose key is `key` (no-op when a slot with that key is present).
    mutating func insert<Key: Comparable>(_ slot: UInt32, key: Key, keyOf: (UInt32) -> Key) {
        guard !chunks.isEmpty else {
            chunks = [[slot]]
            count = 1
            return
        }
        let last = chunks.count - 1
        if keyOf(chunks[last][chunks[last].count - 1]) < key {
            // Above every key: append, or open a new chunk rather than split a full one.
            if chunks[last].count >= Self.chunkCountMax { chunks.append([slot]) } else { chunks[last].append(slot) }
            count += 1
            return
        }
        let c = chunkIndex(key, keyOf)
        let i = Self.lowerBound(key, in: chunks[c], keyOf)
        if i < chunks[c].count && keyOf(chunks[c][i]) == key { return }
        chunks[c].insert(slot, at: i)
        count += 1
        if chunks[c].count > Self.chunkCountMax {
            let upper = Array(chunks[c][(chunks[c].count / 2)...])
            chunks[c].removeLast(upper.count)
            chunks.insert(upper, at: c + 1)
        }
    }

    /// Removes the slot with `key` (no-op when absent).
    mutating func remove<Key: Comparable>(_ key: Key, keyOf: (UInt32) -> Key) {
        let c = chunkIndex(key, keyOf)
        guard c < chunks.count else { return }
        let i = Self.lowerBound(key, in: chunks[c], keyOf)
        guard i < chunks[c].count && keyOf(chunks[c][i]) == key else { return }
        chunks[c].remove(at: i)
        count -= 1
        if chunks[c].isEmpty { chunks.remove(at: c) }
    }

    /// Up to `limit` slots whose keys are strictly above `after` (from the lowest when nil),
    /// ascending.
    func slots<Key: Comparable>(after: Key?, limit: Int, keyOf: (UInt32) -> Key) -> [UInt32] {
        guard limit > 0, !chunks.isEmpty else { return [] }
        var out: [UInt32] = []
        out.reserveCapacity(Swift.min(limit, count))
        var c = 0, i = 0
        if let after {
            c = chunkIndex(after, keyOf)
            guard c < chunks.count else { return [] }
            i = Self.lowerBound(after, in: chunks[c], keyOf)
            if i < chunks[c].count && keyOf(chunks[c][i]) == after { i += 1 }
        }
        // Each pass takes at least one slot or moves to the next chunk: bounded by limit + chunks.
        while out.count < limit && c < chunks.count {
            if i >= chunks[c].count {
                c += 1
                i = 0
                continue
            }
            out.append(chunks[c][i])
            i += 1
        }
        return out
    }

    /// Every slot in key order, chunk by chunk (bounded by the count).
    func forEach(_ body: (UInt32) -> Void) {
        for chunk in chunks { for s in chunk { body(s) } }
    }
}
