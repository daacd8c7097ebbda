/// In-memory DHCPv6 store indexed by address, by (type, DUID, IAID), by hardware address and
/// by expiry, with per-subnet counts kept as leases change.
///
/// Layout (a million leases must fit in a few hundred bytes each): each lease is one fixed-size
/// `Record` in `records`, its variable-length fields (DUID, hardware address, host name, user
/// context) packed one after another in a byte arena; `Lease6` values are made on read. The
/// indexes hold 4-byte slot numbers and compare keys through the records: `byAddress`,
/// `byIdentity` and `byHardware` are `SlotHashTable`s (SlotHashTable.swift); the leases of
/// one identity (or hardware address) form a circular chain through the records, the table
/// pointing at the newest, so they come back oldest first, as they were added.
/// Arena bytes of replaced or deleted leases are reclaimed by compaction once they are half
/// the arena.
public struct MemoryLeaseStore6: LeaseStore6, Sendable {
    /// One lease, fixed size (72 bytes).
    struct Record: Sendable {
        var address: IPv6Address
        var expire: Int64
        var validLifetime: UInt32
        var preferredLifetime: UInt32
        var subnetID: UInt32
        var iaid: UInt32
        var poolID: UInt32
        var hardwareSource: UInt32
        /// Where the packed fields start in the arena: DUID, hardware address, host name and
        /// user context, each a LEB128 length and its bytes.
        var packed: UInt32
        /// The next lease of the same (type, DUID, IAID), circular.
        var nextOfIdentity: UInt32
        /// The next lease of the same hardware address, circular (itself when none).
        var nextOfHardware: UInt32
        var type: UInt8
        var prefixLength: UInt8
        /// Bit 0 fqdn_fwd, bit 1 fqdn_rev, bit 2 hardware address present; bits 3 and 4
        /// (`inIdentityIndex`, `inHardwareIndex`): the slot is the one `byIdentity` /
        /// `byHardware` holds for its chain (so a growing table lists its slots in slot order).
        var flags: UInt8
        /// LeaseState's raw value; `Record.free` for an unused slot.
        var state: UInt8
        var hardwareType: UInt8

        static let free: UInt8 = 0xFF
        var hasHardware: Bool { flags & 4 != 0 }
        static let inIdentityIndex: UInt8 = 8
        static let inHardwareIndex: UInt8 = 16
    }

    /// What the per-subnet counts are kept by.
    struct CountKey: Hashable, Sendable {
        var subnetID: UInt32
        var type: LeaseType6
        var state: LeaseState
    }

    private var records: [Record] = []
    private var freeSlots: [UInt32] = []
    private var arena: [UInt8] = []
    /// Arena bytes no record refers to any more.
    private var garbage = 0
    private var byAddress = SlotHashTable()
    private var byIdentity = SlotHashTable()
    private var byHardware = SlotHashTable()
    private var counts: [CountKey: Int] = [:]
    /// Expiry index: one entry per record slot, in the heap of its state (see ExpiryIndex).
    private var expiry = ExpiryIndex<IPv6Address>()
    /// Occupied slots in address order, for paging.
    private var addressOrder = OrderedSlotSet()
    /// Reused to pack a lease's fields before comparing or appending them.
    private var scratch: [UInt8] = []
    /// Between `beginLoad` and `endLoad` on an empty store: the identity and hardware indexes
    /// (and their chains) are left empty, each indexed slot listed in `loadOrder` (its
    /// position there kept in the record's `nextOfIdentity`), and built in one pass at the end.
    private var deferringChains = false
    private var loadOrder: [UInt32] = []
    /// Where `apply(batch:)` leaves what it read ahead (kept, so that the reads are not elided).
    private var touchedSum: UInt64 = 0
    private var batchHashes: [UInt64] = []

    public init() {}

    public private(set) var count = 0

    /// Before a load: the records' room, and the three indexes sized for `count` entries (only
    /// while they are empty: a table that holds slots grows as usual when it must).
    public mutating func reserveCapacity(_ count: Int) {
        guard count > self.count else { return }
        records.reserveCapacity(count)
        expiry.reserveCapacity(count, state: .assigned)
        let nothing: ((UInt32, UInt64) -> Void) -> Void = { _ in }
        if byAddress.count == 0 { byAddress.growIfNeeded(forInserting: count, rebuild: nothing) }
        if deferringChains {
            loadOrder.reserveCapacity(count)
            return   // endLoad sizes the other two for what they will hold
        }
        if byIdentity.count == 0 { byIdentity.growIfNeeded(forInserting: count, rebuild: nothing) }
        if byHardware.count == 0 { byHardware.growIfNeeded(forInserting: count, rebuild: nothing) }
    }

    /// Before replaying lease files: when no lease has an identity or hardware chain (an empty
    /// store), those two indexes are left alone until `endLoad`, which builds them in one pass
    /// (the rows' lookups in them were a third of a million-lease load, nearly all cache misses).
    /// Otherwise every change is indexed as it comes, as outside a load.
    public mutating func beginLoad() {
        guard !deferringChains, byIdentity.count == 0, byHardware.count == 0 else { return }
        deferringChains = true
        // Drop tables sized ahead (reserveCapacity): endLoad sizes them for what they hold.
        byIdentity = SlotHashTable()
        byHardware = SlotHashTable()
        loadOrder = []
    }

    /// After a load (see `beginLoad`): the identity and hardware chains and indexes, exactly as
    /// indexing each change as it came would have left them: each chain lists its leases in the
    /// order they were indexed (a renewal that kept a lease's indexing kept its place).
    public mutating func endLoad() {
        guard deferringChains else { return }
        deferringChains = false
        var live: [UInt32] = []
        live.reserveCapacity(count)
        records.withUnsafeMutableBufferPointer { r in
            for (i, s) in loadOrder.enumerated() {
                let k = Int(s)
                // A later entry for the slot (freed, then reused) makes this one stale.
                guard r[k].state != Record.free && r[k].nextOfIdentity == UInt32(truncatingIfNeeded: i) else { continue }
                r[k].nextOfIdentity = s
                r[k].nextOfHardware = s
                live.append(s)
            }
        }
        loadOrder = []
        precondition(live.count == count, "load order lists \(live.count) leases, the store holds \(count)")
        buildChains(live, .identity)
        buildChains(live, .hardware)
    }

    /// Whether a load is deferring the identity and hardware indexes (for the tests).
    var defersChains: Bool { deferringChains }

    /// One slot and its key's hash, for `buildChains`.
    private struct HashedSlot {
        var hash: UInt64
        var slot: UInt32
    }

    /// Builds `chain`'s index (empty) and circular chains from `live` (every live slot, in the
    /// order they were indexed). The slots are sorted, stably, by home cell (a radix sort), so
    /// that the leases of one key come together in order and the cells are filled front to
    /// back: no random probe of a large table, where linking row by row missed cache each time.
    /// The links and index flags are gathered in small side arrays by slot and written to the
    /// records in one pass in slot order (written in home order, each write missed cache).
    private mutating func buildChains(_ live: [UInt32], _ chain: Chain) {
        var items: [HashedSlot] = []
        items.reserveCapacity(live.count)
        records.withUnsafeBufferPointer { r in
            arena.withUnsafeBufferPointer { a in
                for s in live {
                    let rec = r[Int(s)]
                    var i = Int(rec.packed)
                    var n = Self.readLength(a, &i)
                    if chain == .hardware {
                        guard rec.hasHardware else { continue }
                        i += n
                        n = Self.readLength(a, &i)
                        guard n > 0 else { continue }
                        items.append(HashedSlot(hash: SlotHash.bytes(UnsafeBufferPointer(rebasing: a[i..<(i + n)]),
                                                                     seed: UInt64(rec.hardwareType)), slot: s))
                    } else {
                        items.append(HashedSlot(hash: Self.identityHash(type: rec.type, iaid: rec.iaid,
                                                                        duid: UnsafeBufferPointer(rebasing: a[i..<(i + n)])),
                                                slot: s))
                    }
                }
            }
        }
        var table = chain == .identity ? byIdentity : byHardware
        if chain == .identity { byIdentity = SlotHashTable() } else { byHardware = SlotHashTable() }
        precondition(table.count == 0, "building the \(chain) index over entries")
        table.growIfNeeded(forInserting: items.count, rebuild: { _ in })
        let shift = table.shift
        Self.sortByHome(&items, shift: shift)
        let flag = chain == .identity ? Record.inIdentityIndex : Record.inHardwareIndex
        // Each slot's next in its chain (itself when alone) and whether the index holds it.
        var nextOf = [UInt32](unsafeUninitializedCapacity: records.count) { b, n in
            for i in 0..<b.count { b[i] = UInt32(truncatingIfNeeded: i) }
            n = b.count
        }
        var held = [UInt64](repeating: 0, count: (records.count + 63) / 64)
        // The keys of one home cell: the newest slot of each (and its hash), oldest key first.
        var keys: [HashedSlot] = []
        var start = 0
        while start < items.count {
            let home = SlotHashTable.home(items[start].hash, shift: shift)
            var end = start + 1
            while end < items.count && SlotHashTable.home(items[end].hash, shift: shift) == home { end += 1 }
            keys.removeAll(keepingCapacity: true)
            for item in items[start..<end] {
                let s = item.slot
                let k = keys.firstIndex { key in
                    key.hash == item.hash
                        && (chain == .identity ? sameIdentity(records[Int(key.slot)], records[Int(s)])
                                               : sameHardware(records[Int(key.slot)], records[Int(s)]))
                }
                guard let k else {
                    keys.append(item)    // its chain is itself so far
                    continue
                }
                // As link: after the newest, before the oldest (the newest's next).
                let newest = Int(keys[k].slot)
                nextOf[Int(s)] = nextOf[newest]
                nextOf[newest] = s
                keys[k].slot = s
            }
            for key in keys {
                table.insertWithoutGrowing(key.slot, hash: key.hash)
                held[Int(key.slot) >> 6] |= 1 << UInt64(key.slot & 63)
            }
            start = end
        }
        if chain == .identity { byIdentity = table } else { byHardware = table }
        records.withUnsafeMutableBufferPointer { r in
            for s in live {
                let k = Int(s)
                if chain == .identity { r[k].nextOfIdentity = nextOf[k] } else { r[k].nextOfHardware = nextOf[k] }
                if held[k >> 6] & (1 << UInt64(k & 63)) != 0 { r[k].flags |= flag }
            }
        }
    }

    /// Sorts `items` by home cell (the top `64 - shift` bits of the mixed hash), keeping the
    /// order of those with the same home: a least-significant-digit radix sort, 11 bits a pass.
    private static func sortByHome(_ items: inout [HashedSlot], shift: Int) {
        let bits = 64 - shift
        guard items.count > 1, bits > 0 else { return }
        var other = items
        let digitBits = 11, radix = 1 << digitBits
        var counts = [Int](repeating: 0, count: radix)
        var low = 0
        while low < bits {
            let width = Swift.min(digitBits, bits - low)
            let mask = (1 << width) - 1
            items.withUnsafeBufferPointer { from in
                other.withUnsafeMutableBufferPointer { to in
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in 0..<radix { c[i] = 0 }
                        for x in from { c[(SlotHashTable.home(x.hash, shift: shift) >> low) & mask] += 1 }
                        var sum = 0
                        for i in 0..<radix {
                            let n = c[i]
                            c[i] = sum
                            sum += n
                        }
                        for x in from {
                            let d = (SlotHashTable.home(x.hash, shift: shift) >> low) & mask
                            to[c[d]] = x
                            c[d] += 1
                        }
                    }
                }
            }
            swap(&items, &other)
            low += width
        }
    }

    /// Bytes the store's arrays hold (capacity, not only what is used): for the memory figures.
    public var approximateByteCount: Int {
        records.capacity * MemoryLayout<Record>.stride + arena.capacity + freeSlots.capacity * 4
            + byAddress.byteCount + byIdentity.byteCount + byHardware.byteCount + addressOrder.count * 4
            + expiry.byteCount
    }

    // MARK: Reads

    public func lease(_ type: LeaseType6, at address: IPv6Address) -> Lease6? {
        guard let s = slot(at: address), records[Int(s)].type == type.rawValue else { return nil }
        return materialize(s)
    }

    public func count(subnetID: UInt32, type: LeaseType6, state: LeaseState) -> Int {
        counts[CountKey(subnetID: subnetID, type: type, state: state)] ?? 0
    }

    /// From the kept counts: no lease is built (a million-lease start-up's recount).
    public func forEachTally(_ body: (_ subnetID: UInt32, _ type: LeaseType6, _ state: LeaseState, _ count: Int) -> Void) {
        for (k, n) in counts where n > 0 { body(k.subnetID, k.type, k.state, n) }
    }

    public func all() -> [Lease6] {
        var out: [Lease6] = []
        out.reserveCapacity(count)
        addressOrder.forEach { out.append(materialize($0)) }
        return out
    }

    public func leases(after: IPv6Address?, limit: Int) -> [Lease6] {
        let recs = records
        return addressOrder.slots(after: after, limit: limit, keyOf: { recs[Int($0)].address }).map(materialize)
    }

    public func leases(for key: LeaseKey6) -> [Lease6] {
        var out: [Lease6] = []
        forEachCandidate(key) { s in
            let l = materialize(s)
            if Self.matches(key, l) { out.append(l) }
            return true
        }
        return out
    }

    public func firstLease(for key: LeaseKey6, where predicate: (Lease6) -> Bool) -> Lease6? {
        var found: Lease6? = nil
        forEachCandidate(key) { s in
            let l = materialize(s)
            if Self.matches(key, l), predicate(l) {
                found = l
                return false
            }
            return true
        }
        return found
    }

    private static func matches(_ key: LeaseKey6, _ l: Lease6) -> Bool {
        if case .identityInSubnet(_, _, _, let subnetID) = key { return l.subnetID == subnetID }
        return true
    }

    /// Calls `body` with each slot `key` names, oldest first, until it returns false.
    private func forEachCandidate(_ key: LeaseKey6, _ body: (UInt32) -> Bool) {
        switch key {
        case .address(let a):
            if let s = slot(at: a) { _ = body(s) }
        case .identity(let type, let duid, let iaid), .identityInSubnet(let type, let duid, let iaid, _):
            precondition(!deferringChains, "identity lookup during a load (before endLoad)")
            guard let newest = identitySlot(type: type.rawValue, duid: duid, iaid: iaid) else { return }
            walkChain(from: newest, next: \.nextOfIdentity, body)
        case .hardwareAddress(let h):
            precondition(!deferringChains, "hardware lookup during a load (before endLoad)")
            guard !h.isEmpty, let newest = hardwareSlot(type: h.type, bytes: h.bytes) else { return }
            walkChain(from: newest, next: \.nextOfHardware, body)
        }
    }

    /// Walks a circular chain from the oldest (the one after `newest`) to `newest`.
    private func walkChain(from newest: UInt32, next: KeyPath<Record, UInt32>, _ body: (UInt32) -> Bool) {
        var s = records[Int(newest)][keyPath: next]
        // Bounded by the number of records: each link leads to a distinct record until newest.
        while true {
            let following = records[Int(s)][keyPath: next]
            if !body(s) || s == newest { return }
            s = following
        }
    }

    private func slot(at address: IPv6Address) -> UInt32? {
        byAddress.find(hash: SlotHash.address(address)) { records[Int($0)].address == address }
    }

    private func identitySlot(type: UInt8, duid: [UInt8], iaid: UInt32) -> UInt32? {
        duid.withUnsafeBufferPointer { key in
            byIdentity.find(hash: Self.identityHash(type: type, iaid: iaid, duid: key)) { s in
                let r = records[Int(s)]
                return r.type == type && r.iaid == iaid && equalBytes(Self.duidRange(r, arena), key)
            }
        }
    }

    private func hardwareSlot(type: UInt8, bytes: [UInt8]) -> UInt32? {
        bytes.withUnsafeBufferPointer { key in
            byHardware.find(hash: SlotHash.bytes(key, seed: UInt64(type))) { s in
                let r = records[Int(s)]
                return r.hardwareType == type && equalBytes(Self.hardwareRange(r, arena), key)
            }
        }
    }

    private func equalBytes(_ range: Range<Int>, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        guard range.count == key.count else { return false }
        return arena.withUnsafeBufferPointer { a in
            for i in 0..<key.count where a[range.lowerBound + i] != key[i] { return false }
            return true
        }
    }

    // MARK: Packed fields

    private static func readLength(_ arena: [UInt8], _ i: inout Int) -> Int {
        arena.withUnsafeBufferPointer { readLength($0, &i) }
    }

    private static func readLength(_ arena: UnsafeBufferPointer<UInt8>, _ i: inout Int) -> Int {
        var v = 0, shift = 0
        while true {
            let b = arena[i]
            i += 1
            v |= Int(b & 0x7F) << shift
            if b < 0x80 { return v }
            shift += 7
        }
    }

    private static func appendLength(_ n: Int, to out: inout [UInt8]) {
        var v = n
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// The four packed fields' ranges: DUID, hardware address, host name, user context.
    private static func fieldRanges(_ r: Record, _ arena: [UInt8]) -> [Range<Int>] {
        var i = Int(r.packed)
        var out: [Range<Int>] = []
        out.reserveCapacity(4)
        for _ in 0..<4 {
            let n = readLength(arena, &i)
            out.append(i..<(i + n))
            i += n
        }
        return out
    }

    private static func duidRange(_ r: Record, _ arena: [UInt8]) -> Range<Int> {
        var i = Int(r.packed)
        let n = readLength(arena, &i)
        return i..<(i + n)
    }

    private static func hardwareRange(_ r: Record, _ arena: [UInt8]) -> Range<Int> {
        var i = duidRange(r, arena).upperBound
        let n = readLength(arena, &i)
        return i..<(i + n)
    }

    /// How many arena bytes the record's packed fields take.
    private static func packedLength(_ r: Record, _ arena: [UInt8]) -> Int {
        fieldRanges(r, arena)[3].upperBound - Int(r.packed)
    }

    private static func pack(_ l: Lease6, into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        appendLength(l.duid.count, to: &out)
        out.append(contentsOf: l.duid)
        let hw = l.hardwareAddress?.bytes ?? []
        appendLength(hw.count, to: &out)
        out.append(contentsOf: hw)
        appendLength(l.hostname.utf8.count, to: &out)
        out.append(contentsOf: l.hostname.utf8)
        appendLength(l.userContext.utf8.count, to: &out)
        out.append(contentsOf: l.userContext.utf8)
    }

    private static func identityHash(type: UInt8, iaid: UInt32, duid: UnsafeBufferPointer<UInt8>) -> UInt64 {
        SlotHash.bytes(duid, seed: UInt64(type) << 32 | UInt64(iaid))
    }

    private static func identityHash(_ r: Record, _ arena: [UInt8]) -> UInt64 {
        let range = duidRange(r, arena)
        return arena.withUnsafeBufferPointer { a in
            identityHash(type: r.type, iaid: r.iaid, duid: UnsafeBufferPointer(rebasing: a[range]))
        }
    }

    private static func hardwareHash(_ r: Record, _ arena: [UInt8]) -> UInt64 {
        let range = hardwareRange(r, arena)
        return arena.withUnsafeBufferPointer { a in
            SlotHash.bytes(UnsafeBufferPointer(rebasing: a[range]), seed: UInt64(r.hardwareType))
        }
    }

    /// Whether two records have the same identity (type, DUID, IAID).
    private func sameIdentity(_ a: Record, _ b: Record) -> Bool {
        guard a.type == b.type && a.iaid == b.iaid else { return false }
        let ra = Self.duidRange(a, arena), rb = Self.duidRange(b, arena)
        return arena[ra] == arena[rb]
    }

    private func sameHardware(_ a: Record, _ b: Record) -> Bool {
        guard a.hardwareType == b.hardwareType else { return false }
        return arena[Self.hardwareRange(a, arena)] == arena[Self.hardwareRange(b, arena)]
    }

    /// The Lease6 a slot holds.
    private func materialize(_ s: UInt32) -> Lease6 {
        let r = records[Int(s)]
        let f = Self.fieldRanges(r, arena)
        guard let type = LeaseType6(rawValue: r.type), let state = LeaseState(rawValue: UInt32(r.state)) else {
            preconditionFailure("lease record \(s) holds type \(r.type), state \(r.state)")
        }
        var l = Lease6(type: type, address: r.address, prefixLength: r.prefixLength, duid: Array(arena[f[0]]),
                       iaid: r.iaid, preferredLifetimeSeconds: r.preferredLifetime,
                       validLifetimeSeconds: r.validLifetime, expire: WallTime(secondsSinceEpoch: r.expire),
                       subnetID: r.subnetID)
        l.fqdnForward = r.flags & 1 != 0
        l.fqdnReverse = r.flags & 2 != 0
        if !f[2].isEmpty { l.hostname = String(decoding: arena[f[2]], as: UTF8.self) }
        if r.hasHardware {
            l.hardwareAddress = HardwareAddress(type: r.hardwareType, bytes: Array(arena[f[1]]))
            l.hardwareAddressSource = HardwareAddressSource(rawValue: r.hardwareSource)
        } else {
            l.hardwareAddressSource = HardwareAddressSource(rawValue: r.hardwareSource)
        }
        l.state = state
        if !f[3].isEmpty { l.userContext = String(decoding: arena[f[3]], as: UTF8.self) }
        l.poolID = r.poolID
        return l
    }

    /// The record for `l`, its packed fields at `packed`; chains point at itself.
    private static func record(_ l: Lease6, packed: UInt32, slot: UInt32) -> Record {
        Record(address: l.address, expire: l.expire.secondsSinceEpoch, validLifetime: l.validLifetimeSeconds,
               preferredLifetime: l.preferredLifetimeSeconds, subnetID: l.subnetID, iaid: l.iaid, poolID: l.poolID,
               hardwareSource: l.hardwareAddressSource.rawValue, packed: packed, nextOfIdentity: slot,
               nextOfHardware: slot, type: l.type.rawValue, prefixLength: l.prefixLength,
               flags: (l.fqdnForward ? 1 : 0) | (l.fqdnReverse ? 2 : 0) | (l.hardwareAddress != nil ? 4 : 0),
               state: UInt8(l.state.rawValue), hardwareType: l.hardwareAddress?.type ?? 0)
    }

    // MARK: Writes

    /// Each change in order, the address index cells of all of them read first (a load's rows
    /// come in batches: their lookups, each a cache miss in a large table, then overlap).
    public mutating func apply(batch changes: [LeaseChange6]) {
        batchHashes.removeAll(keepingCapacity: true)
        for c in changes { batchHashes.append(SlotHash.address(c.lease.address)) }
        touchedSum &+= byAddress.touch(hashes: batchHashes)
        for c in changes { apply(c) }
    }

    public mutating func apply(_ change: LeaseChange6) {
        let lease = change.lease
        precondition(change.isDeletion || lease.isWellFormed, "writing a malformed lease at \(lease.address)")
        if let old = slot(at: lease.address) {
            if case .upsert = change, sameIndexing(old, lease) {
                // Same owner, subnet and state (a renewal): only the expiry index changes.
                overwrite(old, with: lease)
                setExpiry(old)
                return
            }
            unindex(old)
            release(old)
        }
        if case .upsert = change {
            let s = allocate(lease)
            index(s)
        }
    }

    /// Whether replacing the lease at `s` by `new` leaves every index but expiry as it is.
    private func sameIndexing(_ s: UInt32, _ new: Lease6) -> Bool {
        let r = records[Int(s)]
        guard r.type == new.type.rawValue && r.iaid == new.iaid && r.subnetID == new.subnetID
              && r.state == UInt8(new.state.rawValue) && r.hasHardware == (new.hardwareAddress != nil) else { return false }
        let same = new.duid.withUnsafeBufferPointer { equalBytes(Self.duidRange(r, arena), $0) }
        guard same, let hw = new.hardwareAddress else { return same }
        return r.hardwareType == hw.type && hw.bytes.withUnsafeBufferPointer { equalBytes(Self.hardwareRange(r, arena), $0) }
    }

    /// Replaces the fields of the lease at `s` (same indexing), keeping its packed fields when
    /// they are unchanged.
    private mutating func overwrite(_ s: UInt32, with l: Lease6) {
        Self.pack(l, into: &scratch)
        var r = records[Int(s)]
        let length = Self.packedLength(r, arena)
        var packed = r.packed
        if length != scratch.count || !scratch.withUnsafeBufferPointer({ equalBytes(Int(r.packed)..<(Int(r.packed) + length), $0) }) {
            packed = appendScratch()
            garbage += length
        }
        let next = (r.nextOfIdentity, r.nextOfHardware)
        let indexed = r.flags & (Record.inIdentityIndex | Record.inHardwareIndex)
        r = Self.record(l, packed: packed, slot: s)
        (r.nextOfIdentity, r.nextOfHardware) = next
        r.flags |= indexed
        records[Int(s)] = r
        compactIfWasteful()
    }

    private mutating func appendScratch() -> UInt32 {
        precondition(arena.count + scratch.count < Int(UInt32.max), "lease arena over 4 GiB")
        let at = UInt32(arena.count)
        if arena.count + scratch.count > arena.capacity {
            // Grow by a quarter, not Array's doubling: the arena is the store's second-largest part.
            arena.reserveCapacity(Swift.max(arena.count + scratch.count, arena.capacity + arena.capacity / 4 + 4096))
        }
        arena.append(contentsOf: scratch)
        return at
    }

    /// A slot holding `l` (not yet indexed).
    private mutating func allocate(_ l: Lease6) -> UInt32 {
        Self.pack(l, into: &scratch)
        let packed = appendScratch()
        let s: UInt32
        if let f = freeSlots.popLast() {
            s = f
            records[Int(s)] = Self.record(l, packed: packed, slot: s)
        } else {
            precondition(records.count < Int(UInt32.max - 1), "over 4 billion leases")
            s = UInt32(records.count)
            records.append(Self.record(l, packed: packed, slot: s))
        }
        count += 1
        return s
    }

    /// Frees the (unindexed) slot `s`.
    private mutating func release(_ s: UInt32) {
        garbage += Self.packedLength(records[Int(s)], arena)
        records[Int(s)].state = Record.free
        freeSlots.append(s)
        count -= 1
        compactIfWasteful()
    }

    /// Rewrites the arena without unused bytes once they are half of it (amortized O(1) per
    /// change: a compaction follows at least as many freed bytes as it copies).
    private mutating func compactIfWasteful() {
        guard garbage > 4096 && garbage * 2 > arena.count else { return }
        var fresh: [UInt8] = []
        fresh.reserveCapacity(arena.count - garbage)
        for i in records.indices where records[i].state != Record.free {
            let start = Int(records[i].packed)
            let length = Self.packedLength(records[i], arena)
            records[i].packed = UInt32(fresh.count)
            fresh.append(contentsOf: arena[start..<(start + length)])
        }
        arena = fresh
        garbage = 0
    }

    private mutating func index(_ s: UInt32) {
        let r = records[Int(s)]
        insertCell(s, hash: SlotHash.address(r.address), into: .address)
        orderInsert(s, r.address)
        if deferringChains {
            precondition(loadOrder.count < Int(UInt32.max), "over 4 billion rows in one load")
            records[Int(s)].nextOfIdentity = UInt32(truncatingIfNeeded: loadOrder.count)
            loadOrder.append(s)
        } else {
            link(s, into: .identity)
            if r.hasHardware && !Self.hardwareRange(r, arena).isEmpty { link(s, into: .hardware) }
        }
        counts[CountKey(subnetID: r.subnetID, type: LeaseType6(rawValue: r.type)!,
                        state: LeaseState(rawValue: UInt32(r.state))!), default: 0] += 1
        setExpiry(s)
    }

    private mutating func unindex(_ s: UInt32) {
        let r = records[Int(s)]
        if let p = byAddress.position(hash: SlotHash.address(r.address), matches: { $0 == s }) {
            removeCell(at: p, from: .address)
        }
        orderRemove(r.address)
        if !deferringChains {
            unlink(s, from: .identity)
            if r.hasHardware && !Self.hardwareRange(r, arena).isEmpty { unlink(s, from: .hardware) }
        }
        let key = CountKey(subnetID: r.subnetID, type: LeaseType6(rawValue: r.type)!,
                           state: LeaseState(rawValue: UInt32(r.state))!)
        let remaining = (counts[key] ?? 0) - 1
        precondition(remaining >= 0, "lease count for subnet \(r.subnetID) went below zero")
        counts[key] = remaining == 0 ? nil : remaining
        let recs = records
        expiry.remove(s) { recs[Int($0)].address }
    }

    /// The three hash indexes.
    private enum Table { case address, identity, hardware }

    /// The flag bit of a record whose slot `table` holds (none for `.address`: every live
    /// record is there).
    private static func indexFlag(_ table: Table) -> UInt8 {
        switch table {
        case .address: 0
        case .identity: Record.inIdentityIndex
        case .hardware: Record.inHardwareIndex
        }
    }

    private mutating func insertCell(_ s: UInt32, hash: UInt64, into table: Table) {
        let flag = Self.indexFlag(table)
        addCell(s, hash: hash, into: table)
        records[Int(s)].flags |= flag
    }

    private mutating func addCell(_ s: UInt32, hash: UInt64, into table: Table) {
        switch table {
        case .address where byAddress.hasRoom: byAddress.insertWithoutGrowing(s, hash: hash)
        case .identity where byIdentity.hasRoom: byIdentity.insertWithoutGrowing(s, hash: hash)
        case .hardware where byHardware.hasRoom: byHardware.insertWithoutGrowing(s, hash: hash)
        default: addCellGrowing(s, hash: hash, into: table)
        }
    }

    /// An insert that starts a growth of `table` or moves a step of one (SlotHashTable): a few
    /// cells re-hashed, never the whole table.
    @inline(never)
    private mutating func addCellGrowing(_ s: UInt32, hash: UInt64, into table: Table) {
        // A copy of `records` and `arena` for the hashes (neither changes while it lives).
        let recs = records, a = arena
        switch table {
        case .address: byAddress.insert(s, hash: hash, rehash: { SlotHash.address(recs[Int($0)].address) })
        case .identity: byIdentity.insert(s, hash: hash, rehash: { Self.identityHash(recs[Int($0)], a) })
        case .hardware: byHardware.insert(s, hash: hash, rehash: { Self.hardwareHash(recs[Int($0)], a) })
        }
    }

    private mutating func removeCell(at position: Int, from table: Table) {
        switch table {
        case .address: break
        case .identity: records[Int(byIdentity.slot(at: position))].flags &= ~Record.inIdentityIndex
        case .hardware: records[Int(byHardware.slot(at: position))].flags &= ~Record.inHardwareIndex
        }
        let recs = records, a = arena
        switch table {
        case .address: byAddress.remove(at: position, rehash: { SlotHash.address(recs[Int($0)].address) })
        case .identity: byIdentity.remove(at: position, rehash: { Self.identityHash(recs[Int($0)], a) })
        case .hardware: byHardware.remove(at: position, rehash: { Self.hardwareHash(recs[Int($0)], a) })
        }
    }

    /// Whether the records flagged as held by `byIdentity` / `byHardware` are exactly the slots
    /// those tables hold (for the tests: growth relies on it).
    var indexFlagsAgree: Bool {
        var flagged = (identity: 0, hardware: 0)
        for (i, r) in records.enumerated() where r.state != Record.free {
            let s = UInt32(i)
            if r.flags & Record.inIdentityIndex != 0 {
                flagged.identity += 1
                if byIdentity.position(hash: Self.identityHash(r, arena), matches: { $0 == s }) == nil { return false }
            }
            if r.flags & Record.inHardwareIndex != 0 {
                flagged.hardware += 1
                if byHardware.position(hash: Self.hardwareHash(r, arena), matches: { $0 == s }) == nil { return false }
            }
        }
        return flagged.identity == byIdentity.count && flagged.hardware == byHardware.count
    }

    // These hold a copy of `records` for the comparisons and return before it changes again
    // (so the copy never forces a copy-on-write).

    private mutating func orderInsert(_ s: UInt32, _ address: IPv6Address) {
        let recs = records
        addressOrder.insert(s, key: address, keyOf: { recs[Int($0)].address })
    }

    private mutating func orderRemove(_ address: IPv6Address) {
        let recs = records
        addressOrder.remove(address, keyOf: { recs[Int($0)].address })
    }

    /// The cell position of the chain `s`'s identity belongs to.
    private func identityCell(of s: UInt32) -> Int? {
        let r = records[Int(s)]
        return byIdentity.position(hash: Self.identityHash(r, arena)) { sameIdentity(records[Int($0)], r) }
    }

    private func hardwareCell(of s: UInt32) -> Int? {
        let r = records[Int(s)]
        return byHardware.position(hash: Self.hardwareHash(r, arena)) { sameHardware(records[Int($0)], r) }
    }

    /// The two chains a lease belongs to: its identity's (type, DUID, IAID) and its hardware
    /// address's. Each chain is circular through the records, its index cell naming the newest.
    private enum Chain { case identity, hardware }

    private func cell(of s: UInt32, in chain: Chain) -> Int? {
        switch chain {
        case .identity: identityCell(of: s)
        case .hardware: hardwareCell(of: s)
        }
    }

    private func next(_ s: UInt32, in chain: Chain) -> UInt32 {
        switch chain {
        case .identity: records[Int(s)].nextOfIdentity
        case .hardware: records[Int(s)].nextOfHardware
        }
    }

    private mutating func setNext(_ s: UInt32, in chain: Chain, to n: UInt32) {
        switch chain {
        case .identity: records[Int(s)].nextOfIdentity = n
        case .hardware: records[Int(s)].nextOfHardware = n
        }
    }

    /// The slot the index cell at `p` names (the chain's newest).
    private func newest(at p: Int, in chain: Chain) -> UInt32 {
        switch chain {
        case .identity: byIdentity.slot(at: p)
        case .hardware: byHardware.slot(at: p)
        }
    }

    private mutating func setNewest(at p: Int, in chain: Chain, to s: UInt32) {
        switch chain {
        case .identity:
            records[Int(byIdentity.slot(at: p))].flags &= ~Record.inIdentityIndex
            records[Int(s)].flags |= Record.inIdentityIndex
            byIdentity.replace(at: p, with: s)
        case .hardware:
            records[Int(byHardware.slot(at: p))].flags &= ~Record.inHardwareIndex
            records[Int(s)].flags |= Record.inHardwareIndex
            byHardware.replace(at: p, with: s)
        }
    }

    /// Appends `s` to its chain (as the newest), or starts the chain.
    private mutating func link(_ s: UInt32, into chain: Chain) {
        guard let p = cell(of: s, in: chain) else {
            setNext(s, in: chain, to: s)
            switch chain {
            case .identity: insertCell(s, hash: Self.identityHash(records[Int(s)], arena), into: .identity)
            case .hardware: insertCell(s, hash: Self.hardwareHash(records[Int(s)], arena), into: .hardware)
            }
            return
        }
        let newest = newest(at: p, in: chain)
        setNext(s, in: chain, to: next(newest, in: chain))
        setNext(newest, in: chain, to: s)
        setNewest(at: p, in: chain, to: s)
    }

    /// Takes `s` out of its chain (a walk round the chain to its predecessor).
    private mutating func unlink(_ s: UInt32, from chain: Chain) {
        guard let p = cell(of: s, in: chain) else { preconditionFailure("lease slot \(s) missing from the \(chain) index") }
        let following = next(s, in: chain)
        if following == s {
            removeCell(at: p, from: chain == .identity ? .identity : .hardware)
            return
        }
        var before = following
        while next(before, in: chain) != s { before = next(before, in: chain) }
        setNext(before, in: chain, to: following)
        setNext(s, in: chain, to: s)
        if newest(at: p, in: chain) == s { setNewest(at: p, in: chain, to: before) }
    }

    /// Moves (or adds) the expiry entry of `slot` to its record's expiry and state: O(log n).
    /// The hint is the address's top 32 bits; equal hints compare the records' addresses.
    private mutating func setExpiry(_ s: UInt32) {
        let r = records[Int(s)], recs = records
        expiry.set(s, expire: WallTime(secondsSinceEpoch: r.expire), hint: UInt32(truncatingIfNeeded: r.address.high >> 32),
                   state: LeaseState(rawValue: UInt32(r.state))!) { recs[Int($0)].address }
    }

    /// Whether the expiry index holds exactly one entry per lease, in its state's heap, in
    /// order (for the tests).
    var expiryIsConsistent: Bool {
        let recs = records
        guard expiry.isConsistent(keyOf: { recs[Int($0)].address }) else { return false }
        for (i, r) in records.enumerated() {
            let e = expiry.entry(slot: UInt32(i))
            if r.state == Record.free ? e != nil : (e?.expire != r.expire || e?.state.rawValue != UInt32(r.state)) { return false }
        }
        return expiryEntryCount == count
    }

    /// Entries in the expiry index (for the tests).
    var expiryEntryCount: Int { expiry.entryCount(.assigned) + expiry.entryCount(.declined) + expiry.entryCount(.expiredReclaimed) }

    public mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease6] {
        let recs = records
        return expiry.expired(state: state, before: cutoff, limit: limit) { recs[Int($0)].address }.map(materialize)
    }
}
