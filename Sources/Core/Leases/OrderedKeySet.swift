/// A set of keys kept in ascending order, for paging through a lease store without sorting or
/// copying it (the IPv6 counterpart of AddressOrderIndex, whose /24 bitmaps suit only IPv4).
///
/// Keys live in chunks of at most `chunkCountMax`, each sorted, the chunks in order and never
/// empty. Insert and remove cost a binary search over chunks, one within a chunk and a shift
/// of at most `chunkCountMax` keys (a chunk splits in two when full), so loading a million
/// leases never shifts the whole index. `keys(after:limit:)` costs O(log n + limit).
struct OrderedKeySet<Key: Comparable & Sendable>: Sendable {
    static var chunkCountMax: Int { 512 }
    private var chunks: [[Key]] = []
    private(set) var count = 0

    /// The position of the first chunk whose last key is not below `key` (chunks.count: none).
    private func chunkIndex(_ key: Key) -> Int {
        var low = 0, high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if chunks[mid][chunks[mid].count - 1] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private static func lowerBound(_ key: Key, in keys: [Key]) -> Int {
        var low = 0, high = keys.count
        while low < high {
            let mid = (low + high) / 2
            if keys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func contains(_ key: Key) -> Bool {
        let c = chunkIndex(key)
        guard c < chunks.count else { return false }
        let i = Self.lowerBound(key, in: chunks[c])
        return i < chunks[c].count && chunks[c][i] == key
    }

    /// Adds `key` (no-op when present).
    mutating func insert(_ key: Key) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            count = 1
            return
        }
        // A key above every chunk goes at the end of the last one.
        let c = Swift.min(chunkIndex(key), chunks.count - 1)
        let i = Self.lowerBound(key, in: chunks[c])
        if i < chunks[c].count && chunks[c][i] == key { return }
        chunks[c].insert(key, at: i)
        count += 1
        if chunks[c].count > Self.chunkCountMax {
            let upper = Array(chunks[c][(chunks[c].count / 2)...])
            chunks[c].removeLast(upper.count)
            chunks.insert(upper, at: c + 1)
        }
    }

    /// Removes `key` (no-op when absent).
    mutating func remove(_ key: Key) {
        let c = chunkIndex(key)
        guard c < chunks.count else { return }
        let i = Self.lowerBound(key, in: chunks[c])
        guard i < chunks[c].count && chunks[c][i] == key else { return }
        chunks[c].remove(at: i)
        count -= 1
        if chunks[c].isEmpty { chunks.remove(at: c) }
    }

    /// Up to `limit` keys strictly above `after` (from the lowest when nil), ascending.
    func keys(after: Key?, limit: Int) -> [Key] {
        guard limit > 0, !chunks.isEmpty else { return [] }
        var out: [Key] = []
        out.reserveCapacity(Swift.min(limit, count))
        var c = 0, i = 0
        if let after {
            c = chunkIndex(after)
            guard c < chunks.count else { return [] }
            i = Self.lowerBound(after, in: chunks[c])
            if i < chunks[c].count && chunks[c][i] == after { i += 1 }
        }
        // Each pass takes at least one key or moves to the next chunk: bounded by limit + chunks.
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
}
