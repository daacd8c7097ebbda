/// Leases by expiry, one min-heap per lease state, for any protocol's lease key (an IPv4
/// address, an IPv6 address or prefix). Lazy deletion: an entry is stale when the store's
/// lease for that key no longer has that expiry and state; the store says which are live.
public struct ExpiryIndex<Key: Comparable & Hashable & Sendable>: Sendable {
    @usableFromInline
    struct Entry: Comparable, Sendable {
        @usableFromInline var expire: Int64
        @usableFromInline var key: Key
        @usableFromInline init(expire: Int64, key: Key) {
            self.expire = expire
            self.key = key
        }
        @usableFromInline static func < (a: Entry, b: Entry) -> Bool { (a.expire, a.key) < (b.expire, b.key) }
    }

    @usableFromInline var heaps = [MinHeap<Entry>](repeating: MinHeap(), count: 3)

    public init() {}

    /// Makes room for `count` entries in `state`.
    public mutating func reserveCapacity(_ count: Int, state: LeaseState) {
        heaps[Int(state.rawValue)].items.reserveCapacity(count)
    }

    /// Entries held for `state`, stale ones included.
    public func entryCount(_ state: LeaseState) -> Int { heaps[Int(state.rawValue)].count }

    /// Records that the lease at `key` is in `state` until `expire`.
    @inlinable
    public mutating func insert(_ key: Key, expire: WallTime, state: LeaseState) {
        heaps[Int(state.rawValue)].push(Entry(expire: expire.secondsSinceEpoch, key: key))
    }

    /// Rebuilds from the live leases (when stale entries dominate).
    public mutating func rebuild(from live: some Sequence<(key: Key, expire: WallTime, state: LeaseState)>) {
        var entries = [[Entry]](repeating: [], count: 3)
        for l in live { entries[Int(l.state.rawValue)].append(Entry(expire: l.expire.secondsSinceEpoch, key: l.key)) }
        heaps = entries.map { MinHeap($0) }
    }

    /// Up to `limit` keys in `state` whose expiry is at or before `cutoff`, oldest first, that
    /// `isLive(key, expireSeconds)` confirms. Stale entries met on the way are dropped for
    /// good; the live ones returned stay indexed (they are live until the caller changes them).
    /// Bounded by the heap's size.
    public mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int,
                                 isLive: (Key, Int64) -> Bool) -> [Key] {
        let h = Int(state.rawValue)
        var out: [Key] = []
        var seen = Set<Key>()
        var live: [Entry] = []
        while out.count < limit, let top = heaps[h].peek(), top.expire <= cutoff.secondsSinceEpoch {
            _ = heaps[h].pop()
            guard isLive(top.key, top.expire), seen.insert(top.key).inserted else { continue }
            out.append(top.key)
            live.append(top)
        }
        for e in live { heaps[h].push(e) }
        return out
    }
}
