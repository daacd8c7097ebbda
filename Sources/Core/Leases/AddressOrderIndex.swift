/// The occupied IPv4 addresses in address order, for paging through a lease store without
/// sorting or copying it (lease4-get-page, lease4-get-all, lease4-wipe, statistics recounts).
///
/// Addresses are grouped in blocks of 256 (a /24): a sorted array of the occupied block numbers,
/// found by binary search, and beside it a 256-bit occupancy bitmap per block. Insert and
/// remove cost one binary search and a bit flip, plus an array shift when a block appears or
/// empties (rare: blocks are few next to leases). `addresses(after:limit:)` costs
/// O(log blocks + limit + blocks visited).
struct AddressOrderIndex: Sendable, Equatable {
    /// The occupied block numbers (address >> 8), ascending.
    private var blocks: [UInt32] = []
    /// `bitmaps[i]` marks the occupied addresses of block `blocks[i]`; never all zero.
    private var bitmaps: [Bitmap256] = []
    /// How many addresses are marked.
    private(set) var count = 0

    /// 256 bits, one per address of a block; bit `n` of `words[n >> 6]` is address `n`.
    struct Bitmap256: Sendable, Equatable {
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

        static func == (a: Bitmap256, b: Bitmap256) -> Bool { a.words == b.words }

        subscript(word: Int) -> UInt64 {
            get {
                switch word {
                case 0: words.0
                case 1: words.1
                case 2: words.2
                default: words.3
                }
            }
            set {
                switch word {
                case 0: words.0 = newValue
                case 1: words.1 = newValue
                case 2: words.2 = newValue
                default: words.3 = newValue
                }
            }
        }

        var isEmpty: Bool { words.0 | words.1 | words.2 | words.3 == 0 }

        func contains(_ offset: UInt32) -> Bool { self[Int(offset >> 6)] & (1 << UInt64(offset & 63)) != 0 }

        /// Sets the bit; false when it was already set.
        mutating func insert(_ offset: UInt32) -> Bool {
            let mask: UInt64 = 1 << UInt64(offset & 63)
            let word = Int(offset >> 6)
            guard self[word] & mask == 0 else { return false }
            self[word] |= mask
            return true
        }

        /// Clears the bit; false when it was not set.
        mutating func remove(_ offset: UInt32) -> Bool {
            let mask: UInt64 = 1 << UInt64(offset & 63)
            let word = Int(offset >> 6)
            guard self[word] & mask != 0 else { return false }
            self[word] &= ~mask
            return true
        }

        /// Appends the set offsets at or above `start` to `out` (as full addresses of `block`),
        /// stopping when `out` holds `limit`. At most 4 words and `limit` bits are visited.
        func collect(from start: UInt32, block: UInt32, into out: inout [UInt32], limit: Int) {
            var word = Int(start >> 6)
            // Bits below `start` in its first word are masked off.
            var bits = self[word] & (~UInt64(0) << UInt64(start & 63))
            while out.count < limit {
                if bits == 0 {
                    word += 1
                    guard word < 4 else { return }
                    bits = self[word]
                    continue
                }
                let bit = UInt32(bits.trailingZeroBitCount)
                out.append(block << 8 | UInt32(word) << 6 | bit)
                bits &= bits - 1
            }
        }
    }

    /// The position of the first block number not below `block`.
    private func lowerBound(_ block: UInt32) -> Int {
        var low = 0, high = blocks.count
        while low < high {
            let mid = (low + high) / 2
            if blocks[mid] < block { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func contains(_ address: UInt32) -> Bool {
        let i = lowerBound(address >> 8)
        return i < blocks.count && blocks[i] == address >> 8 && bitmaps[i].contains(address & 0xFF)
    }

    /// Marks `address` occupied (no-op when it already is).
    mutating func insert(_ address: UInt32) {
        let block = address >> 8
        let i = lowerBound(block)
        if i < blocks.count && blocks[i] == block {
            if bitmaps[i].insert(address & 0xFF) { count += 1 }
            return
        }
        var bitmap = Bitmap256()
        _ = bitmap.insert(address & 0xFF)
        blocks.insert(block, at: i)
        bitmaps.insert(bitmap, at: i)
        count += 1
    }

    /// Marks `address` free (no-op when it already is).
    mutating func remove(_ address: UInt32) {
        let block = address >> 8
        let i = lowerBound(block)
        guard i < blocks.count && blocks[i] == block, bitmaps[i].remove(address & 0xFF) else { return }
        count -= 1
        if bitmaps[i].isEmpty {
            blocks.remove(at: i)
            bitmaps.remove(at: i)
        }
    }

    /// Up to `limit` occupied addresses strictly above `after` (from the lowest when nil),
    /// ascending.
    func addresses(after: UInt32?, limit: Int) -> [UInt32] {
        guard limit > 0 else { return [] }
        var out: [UInt32] = []
        out.reserveCapacity(Swift.min(limit, count))
        var i: Int
        if let after {
            guard after < UInt32.max else { return [] }
            let first = after + 1
            i = lowerBound(first >> 8)
            if i < blocks.count && blocks[i] == first >> 8 {
                bitmaps[i].collect(from: first & 0xFF, block: blocks[i], into: &out, limit: limit)
                i += 1
            }
        } else {
            i = 0
        }
        // Every block visited from here on adds at least one address (bitmaps are never empty).
        while out.count < limit && i < blocks.count {
            bitmaps[i].collect(from: 0, block: blocks[i], into: &out, limit: limit)
            i += 1
        }
        return out
    }
}

extension MemoryLeaseStore4 {
    /// Up to `limit` leases with addresses strictly above `after` (from the lowest when nil),
    /// in address order, read through the address-order index: no scan, no sort.
    public func leases(after: IPv4Address?, limit: Int) -> [Lease4] {
        addressOrder.addresses(after: after?.value, limit: limit).map { address in
            guard let lease = lease(at: IPv4Address(address)) else {
                preconditionFailure("address-order index holds \(IPv4Address(address)) but the store has no lease there")
            }
            return lease
        }
    }
}

extension LeaseStore4 {
    /// Leases per page when a command or a recount walks the whole store.
    public static var walkPageSize: Int { 1024 }

    /// Calls `body` with every lease in address order, one page at a time, so that no copy of
    /// the whole store is made. The store must not change during the walk (to change it, page
    /// by hand with `leases(after:limit:)` and restart after the last address seen).
    public func forEachLease(_ body: (Lease4) -> Void) {
        LeasePaging.forEach(pageSize: Self.walkPageSize, page: { leases(after: $0, limit: Self.walkPageSize) }, body)
    }
}
