/// Leases by expiry, one min-heap per lease state, for any protocol's lease key (an IPv4
/// address, an IPv6 address or prefix), each entry naming the store's record slot.
///
/// An indexed heap: each slot has at most one entry, in the heap of its lease's state, and
/// `positions` (4 bytes per slot) says which heap and where, so a renewal or a change of state
/// moves the entry in O(log n) and a removal takes it out in O(log n). There are no stale
/// entries and nothing is ever rebuilt.
///
/// Entries are ordered by (expire, key), the key being the lease's address: a `hint` in the
/// entry (a 32-bit prefix of the key that orders as the key does: the whole IPv4 address, the
/// top 32 bits of an IPv6 address) settles most ties without the record; only equal hints ask
/// the store for the keys (`keyOf`). An entry is 16 bytes.
public struct ExpiryIndex<Key: Comparable & Sendable>: Sendable {
    @usableFromInline
    struct Entry: Sendable {
        @usableFromInline var expire: Int64
        @usableFromInline var slot: UInt32
        @usableFromInline var hint: UInt32
        @usableFromInline init(expire: Int64, slot: UInt32, hint: UInt32) {
            self.expire = expire
            self.slot = slot
            self.hint = hint
        }
    }

    /// A position of a heap, ordered as its entry (for `expired`'s walk).
    struct Due: Comparable, Sendable {
        var expire: Int64
        var hint: UInt32
        var key: Key
        var position: Int
        static func < (a: Due, b: Due) -> Bool { (a.expire, a.hint, a.key) < (b.expire, b.hint, b.key) }
    }

    /// One heap per `LeaseState` raw value.
    @usableFromInline var heaps = [[Entry]](repeating: [], count: 3)
    /// By slot: the heap (top two bits) and the position in it (the rest); `absent` when the
    /// slot has no entry.
    @usableFromInline var positions: [UInt32] = []

    @usableFromInline static var absent: UInt32 { UInt32.max }
    @usableFromInline static var positionMask: UInt32 { (1 << 30) - 1 }

    public init() {}

    /// Makes room for `count` entries in `state` and `count` slots.
    public mutating func reserveCapacity(_ count: Int, state: LeaseState) {
        heaps[Int(state.rawValue)].reserveCapacity(count)
        positions.reserveCapacity(count)
    }

    /// Entries held for `state` (one per live lease in that state).
    public func entryCount(_ state: LeaseState) -> Int { heaps[Int(state.rawValue)].count }

    /// Bytes the heaps and the positions hold (capacity).
    public var byteCount: Int {
        heaps.reduce(0) { $0 + $1.capacity * MemoryLayout<Entry>.stride } + positions.capacity * 4
    }

    /// Whether `slot` has an entry.
    public func contains(slot: UInt32) -> Bool {
        Int(slot) < positions.count && positions[Int(slot)] != Self.absent
    }

    @inline(__always) @usableFromInline
    static func less(_ a: Entry, _ b: Entry, _ keyOf: (UInt32) -> Key) -> Bool {
        if a.expire != b.expire { return a.expire < b.expire }
        if a.hint != b.hint { return a.hint < b.hint }
        return keyOf(a.slot) < keyOf(b.slot)
    }

    /// Records that the lease in `slot` (whose key begins with `hint`, see above) is in
    /// `state` until `expire`, moving or replacing its entry if it has one. O(log n).
    public mutating func set(_ slot: UInt32, expire: WallTime, hint: UInt32, state: LeaseState,
                             keyOf: (UInt32) -> Key) {
        let s = Int(slot)
        if s >= positions.count {
            positions.append(contentsOf: repeatElement(Self.absent, count: s + 1 - positions.count))
        }
        let e = Entry(expire: expire.secondsSinceEpoch, slot: slot, hint: hint)
        let h = Int(state.rawValue)
        let p = positions[s]
        if p != Self.absent {
            let oldHeap = Int(p >> 30), i = Int(p & Self.positionMask)
            if oldHeap == h {
                let old = heaps[h][i]
                heaps[h][i] = e
                if Self.less(e, old, keyOf) {
                    Self.siftUp(&heaps[h], &positions, from: i, heap: h, keyOf)
                } else {
                    Self.siftDown(&heaps[h], &positions, from: i, heap: h, keyOf)
                }
                return
            }
            Self.remove(at: i, from: &heaps[oldHeap], &positions, heap: oldHeap, keyOf)
        }
        precondition(heaps[h].count < Int(Self.positionMask), "expiry heap full")
        heaps[h].append(e)
        Self.siftUp(&heaps[h], &positions, from: heaps[h].count - 1, heap: h, keyOf)
    }

    /// Takes the entry of `slot` out, if it has one (its slot is freed). O(log n).
    public mutating func remove(_ slot: UInt32, keyOf: (UInt32) -> Key) {
        guard contains(slot: slot) else { return }
        let p = positions[Int(slot)]
        let h = Int(p >> 30)
        Self.remove(at: Int(p & Self.positionMask), from: &heaps[h], &positions, heap: h, keyOf)
    }

    /// Up to `limit` slots in `state` whose expiry is at or before `cutoff`, in (expire, key)
    /// order. Nothing moves: a best-first walk of the heap from its root, with a frontier of at
    /// most `limit` + 1 positions, so O(limit log limit) whatever the heap's size.
    public func expired(state: LeaseState, before cutoff: WallTime, limit: Int, keyOf: (UInt32) -> Key) -> [UInt32] {
        let heap = heaps[Int(state.rawValue)]
        let c = cutoff.secondsSinceEpoch
        guard limit > 0, let root = heap.first, root.expire <= c else { return [] }
        var out: [UInt32] = []
        out.reserveCapacity(Swift.min(limit, heap.count))
        // The frontier: due positions of `heap` whose parents were taken, by their entries'
        // order (each carries its key, read once when it joins).
        var frontier = MinHeap<Due>()
        func due(_ i: Int) -> Due { Due(expire: heap[i].expire, hint: heap[i].hint, key: keyOf(heap[i].slot), position: i) }
        frontier.push(due(0))
        while out.count < limit, let top = frontier.pop() {
            out.append(heap[top.position].slot)
            for child in (2 * top.position + 1)...(2 * top.position + 2) where child < heap.count && heap[child].expire <= c {
                frontier.push(due(child))
            }
        }
        return out
    }

    /// The expiry and state `slot`'s entry holds, if it has one (for the tests).
    func entry(slot: UInt32) -> (expire: Int64, state: LeaseState)? {
        guard contains(slot: slot) else { return nil }
        let p = positions[Int(slot)]
        return (heaps[Int(p >> 30)][Int(p & Self.positionMask)].expire, LeaseState(rawValue: p >> 30)!)
    }

    /// Whether every heap is ordered, every entry's position is recorded and nothing else is
    /// (for the tests).
    func isConsistent(keyOf: (UInt32) -> Key) -> Bool {
        var entries = 0
        for (h, heap) in heaps.enumerated() {
            for (i, e) in heap.enumerated() {
                guard positions[Int(e.slot)] == UInt32(h) << 30 | UInt32(i) else { return false }
                if i > 0 && Self.less(e, heap[(i - 1) / 2], keyOf) { return false }
            }
            entries += heap.count
        }
        return positions.filter { $0 != Self.absent }.count == entries
    }

    // MARK: Heap moves (each one records the moved entries' positions)

    @usableFromInline
    static func siftUp(_ heap: inout [Entry], _ positions: inout [UInt32], from start: Int, heap h: Int,
                       _ keyOf: (UInt32) -> Key) {
        let tag = UInt32(h) << 30
        let e = heap[start]
        var i = start
        while i > 0 {
            let p = (i - 1) / 2
            guard less(e, heap[p], keyOf) else { break }
            heap[i] = heap[p]
            positions[Int(heap[i].slot)] = tag | UInt32(i)
            i = p
        }
        heap[i] = e
        positions[Int(e.slot)] = tag | UInt32(i)
    }

    @usableFromInline
    static func siftDown(_ heap: inout [Entry], _ positions: inout [UInt32], from start: Int, heap h: Int,
                         _ keyOf: (UInt32) -> Key) {
        let tag = UInt32(h) << 30
        let e = heap[start]
        let n = heap.count
        var i = start
        while true {
            let l = 2 * i + 1
            guard l < n else { break }
            let r = l + 1
            let m = r < n && less(heap[r], heap[l], keyOf) ? r : l
            guard less(heap[m], e, keyOf) else { break }
            heap[i] = heap[m]
            positions[Int(heap[i].slot)] = tag | UInt32(i)
            i = m
        }
        heap[i] = e
        positions[Int(e.slot)] = tag | UInt32(i)
    }

    @usableFromInline
    static func remove(at i: Int, from heap: inout [Entry], _ positions: inout [UInt32], heap h: Int,
                       _ keyOf: (UInt32) -> Key) {
        let removed = heap[i]
        positions[Int(removed.slot)] = absent
        let last = heap.removeLast()
        guard i < heap.count else { return }
        heap[i] = last
        if less(last, removed, keyOf) {
            siftUp(&heap, &positions, from: i, heap: h, keyOf)
        } else {
            siftDown(&heap, &positions, from: i, heap: h, keyOf)
        }
    }
}
