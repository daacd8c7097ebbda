/// How to look a lease up. One lookup entry point instead of Kea's many getLease4 overloads.
public enum LeaseKey4: Sendable {
    case address(IPv4Address)
    case hardwareAddress(HardwareAddress)
    case clientID([UInt8])
}

/// The small synchronous lease store protocol. Memfile mode and the simulator use the in-memory
/// store; a database store implements the same calls.
public protocol LeaseStore4 {
    func lease(at address: IPv4Address) -> Lease4?
    func leases(for key: LeaseKey4) -> [Lease4]
    /// The first lease for `key` that satisfies `predicate` (no array is built).
    func firstLease(for key: LeaseKey4, where predicate: (Lease4) -> Bool) -> Lease4?
    mutating func apply(_ change: LeaseChange4)
    /// Up to `limit` leases in `state` whose expiry is at or before `cutoff`, oldest first.
    mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease4]
    var count: Int { get }
    func all() -> [Lease4]
    func leases(after: IPv4Address?, limit: Int) -> [Lease4] // paging in address order, see AddressOrderIndex.swift
    /// Applies one row read from a lease file (an upsert, or a deletion when `delete`), without
    /// building a `Lease4` where the store need not (the memfile load path).
    mutating func apply(row: LeaseRow4, delete: Bool)
    /// About `count` leases are about to be loaded (a hint).
    mutating func reserveCapacity(_ count: Int)
    /// How many leases per (subnet, state), one call each (see the default below).
    func forEachTally(_ body: (_ subnetID: UInt32, _ state: LeaseState, _ count: Int) -> Void)
}

extension LeaseStore4 {
    public mutating func apply(row: LeaseRow4, delete: Bool) {
        let lease = row.lease
        apply(delete ? .delete(lease) : .upsert(lease))
    }

    public mutating func reserveCapacity(_ count: Int) {}

    /// Calls `body` once per (subnet, state) the store holds leases in, with how many (a
    /// statistics recount). This default walks every lease; the memory store reads its records
    /// without building a lease.
    public func forEachTally(_ body: (_ subnetID: UInt32, _ state: LeaseState, _ count: Int) -> Void) {
        var counts: [LeaseTally4: Int] = [:]
        forEachLease { counts[LeaseTally4(subnetID: $0.subnetID, state: $0.state), default: 0] += 1 }
        for (k, n) in counts { body(k.subnetID, k.state, n) }
    }
}

/// What the leases of a DHCPv4 store are counted by for statistics.
struct LeaseTally4: Hashable, Sendable {
    var subnetID: UInt32
    var state: LeaseState
}

/// One leases4 row as the file parser reads it: fixed fields by value, variable ones as borrowed
/// bytes (valid only during the `apply(row:delete:)` call that receives the row).
public struct LeaseRow4 {
    public var address: UInt32
    /// The hardware type byte followed by the address bytes; nil when the row has none.
    public var hardwareKey: UnsafeBufferPointer<UInt8>?
    public var clientID: UnsafeBufferPointer<UInt8>?
    public var validLifetimeSeconds: UInt32
    public var expire: Int64
    public var subnetID: UInt32
    public var fqdnForward: Bool
    public var fqdnReverse: Bool
    /// UTF-8, unescaped.
    public var hostname: UnsafeBufferPointer<UInt8>
    public var state: LeaseState
    /// UTF-8, unescaped.
    public var userContext: UnsafeBufferPointer<UInt8>
    public var poolID: UInt32

    public init(address: UInt32, hardwareKey: UnsafeBufferPointer<UInt8>?, clientID: UnsafeBufferPointer<UInt8>?,
                validLifetimeSeconds: UInt32, expire: Int64, subnetID: UInt32, fqdnForward: Bool, fqdnReverse: Bool,
                hostname: UnsafeBufferPointer<UInt8>, state: LeaseState, userContext: UnsafeBufferPointer<UInt8>,
                poolID: UInt32) {
        self.address = address
        self.hardwareKey = hardwareKey
        self.clientID = clientID
        self.validLifetimeSeconds = validLifetimeSeconds
        self.expire = expire
        self.subnetID = subnetID
        self.fqdnForward = fqdnForward
        self.fqdnReverse = fqdnReverse
        self.hostname = hostname
        self.state = state
        self.userContext = userContext
        self.poolID = poolID
    }

    /// The row as a `Lease4` value (allocates its arrays and strings).
    public var lease: Lease4 {
        let hw = hardwareKey.map { HardwareAddress(type: $0.first ?? 1, bytes: Array($0.dropFirst())) }
        var l = Lease4(address: IPv4Address(address), hardwareAddress: hw, clientID: clientID.map { Array($0) },
                       validLifetimeSeconds: validLifetimeSeconds, expire: WallTime(secondsSinceEpoch: expire),
                       subnetID: subnetID)
        l.fqdnForward = fqdnForward
        l.fqdnReverse = fqdnReverse
        l.hostname = String(decoding: hostname, as: UTF8.self)
        l.state = state
        l.userContext = String(decoding: userContext, as: UTF8.self)
        l.poolID = poolID
        return l
    }

    /// Whether the row has a non-empty hardware address or client id (Kea's identity rule).
    public var hasIdentity: Bool { (hardwareKey.map { $0.count > 1 } ?? false) || (clientID.map { !$0.isEmpty } ?? false) }
}

/// In-memory store indexed by address, hardware address, client id and expiry, kept compact:
/// a million leases in well under 200 bytes each.
///
/// Layout: one fixed-size `Record` per lease in `records` (slots, reused after deletions);
/// hardware addresses (type byte, then the bytes) and client ids interned once each in an
/// `IdentifierTable` and named by a 4-byte ID; host names and user contexts in one `ByteArena`.
/// The address index is a `SlotHashTable` of slot numbers compared through the records; the
/// leases of one hardware address (or client id) form a circular chain through the records
/// (`nextByHW`/`nextByCID`), the identifier's table word naming the chain's tail, so the first
/// inserted is the first found, as before. Nothing per lease is a heap object; a `Lease4` value
/// is built on read.
public struct MemoryLeaseStore4: LeaseStore4, Sendable {
    @usableFromInline static let none = UInt32.max

    @usableFromInline
    struct Record: Sendable {
        var address: UInt32
        var validLifetime: UInt32
        var expire: Int64
        var subnetID: UInt32
        var poolID: UInt32
        /// IDs in `hardware` / `clientIDs`; `none` when the lease has none.
        var hw: UInt32
        var cid: UInt32
        /// Next slot in the circular chain of the same identifier (`none` when not chained).
        var nextByHW: UInt32
        var nextByCID: UInt32
        /// Blob offsets in `text`; `none` when empty.
        var hostname: UInt32
        var userContext: UInt32
        /// Bits 0-1 state, bit 2 fqdn_fwd, bit 3 fqdn_rev, bit 7 free slot.
        var flags: UInt8

        var state: LeaseState { LeaseState(rawValue: UInt32(flags & 3)) ?? .assigned }
        var isFree: Bool { flags & 0x80 != 0 }
    }

    private var records: [Record] = []
    private var freeSlots: [UInt32] = []
    private var byAddress = SlotHashTable()
    private var hardware = IdentifierTable()
    private var clientIDs = IdentifierTable()
    /// Host names (owner slot << 1) and user contexts (slot << 1 | 1).
    private var text = ByteArena()
    private var live = 0
    /// Expiry index: one entry per record slot, in the heap of its state (see ExpiryIndex).
    private var expiry = ExpiryIndex<UInt32>()
    /// Occupied addresses in order, for paging (AddressOrderIndex.swift).
    private(set) var addressOrder = AddressOrderIndex()

    public init() {}

    public var count: Int { live }

    /// From the records: no lease is built (a million-lease start-up's recount).
    public func forEachTally(_ body: (_ subnetID: UInt32, _ state: LeaseState, _ count: Int) -> Void) {
        var counts: [LeaseTally4: Int] = [:]
        for r in records where !r.isFree { counts[LeaseTally4(subnetID: r.subnetID, state: r.state), default: 0] += 1 }
        for (k, n) in counts { body(k.subnetID, k.state, n) }
    }

    /// Reserves the arrays' memory for `count` leases, and sizes the hash indexes for them
    /// while they are empty (a table that grows while the store serves moves a few cells per
    /// insert, which a load must not pay for every row; see SlotHashTable). Reserved array
    /// memory not written to is not resident, so an overestimate costs address space only (the
    /// indexes' cells are written: 5 bytes per cell); it saves the copies of growing a
    /// million-lease store step by step.
    ///
    /// A memfile load passes an upper bound (its files' size over the shortest row's); the
    /// indexes, whose cells are resident, are sized for 5/8 of it (rows of ~77 bytes, shorter
    /// than Kea's usual rows with a client id), so a typical file does not double them; a file
    /// of shorter rows ends its load with a growth, moved a few cells per insert.
    public mutating func reserveCapacity(_ count: Int) {
        records.reserveCapacity(count)
        let indexed = count * 5 / 8
        if byAddress.count == 0 { byAddress.reserveCapacity(indexed) }
        hardware.reserveCapacity(count, bytes: count * 8, indexed: indexed)
        clientIDs.reserveCapacity(count, bytes: count * 8, indexed: indexed)
        text.reserveCapacity(blobs: count, bytes: count * 24)
        expiry.reserveCapacity(count, state: .assigned)
    }

    // MARK: reading

    private func slot(of address: UInt32) -> UInt32? { Self.slot(of: address, records, byAddress) }

    private static func slot(of address: UInt32, _ records: [Record], _ index: SlotHashTable) -> UInt32? {
        records.withUnsafeBufferPointer { r in
            index.find(hash: SlotHash.integer(UInt64(address))) { r[Int($0)].address == address }
        }
    }

    /// The lease in `slot`, as a value.
    private func lease(slot: UInt32) -> Lease4 {
        let r = records[Int(slot)]
        var hw: HardwareAddress? = nil
        if r.hw != Self.none {
            hw = hardware.withBytes(r.hw) { HardwareAddress(type: $0[0], bytes: Array($0[1...])) }
        }
        let cid: [UInt8]? = r.cid == Self.none ? nil : clientIDs.bytes(r.cid)
        var l = Lease4(address: IPv4Address(r.address), hardwareAddress: hw, clientID: cid,
                       validLifetimeSeconds: r.validLifetime, expire: WallTime(secondsSinceEpoch: r.expire),
                       subnetID: r.subnetID)
        l.fqdnForward = r.flags & 4 != 0
        l.fqdnReverse = r.flags & 8 != 0
        if r.hostname != Self.none { l.hostname = text.string(at: r.hostname) }
        l.state = r.state
        if r.userContext != Self.none { l.userContext = text.string(at: r.userContext) }
        l.poolID = r.poolID
        return l
    }

    public func lease(at address: IPv4Address) -> Lease4? { slot(of: address.value).map { lease(slot: $0) } }

    /// Calls `body` with the slots of the chain of `key` (hardware address or client id) in
    /// insertion order until it returns false.
    private func forEachSlot(of key: LeaseKey4, _ body: (UInt32) -> Bool) {
        switch key {
        case .address(let a):
            if let s = slot(of: a.value) { _ = body(s) }
        case .hardwareAddress(let h):
            guard !h.isEmpty, let id = Self.withHardwareKey(h, { hardware.find($0) }) else { return }
            walk(tail: hardware.value(id), byHW: true, body)
        case .clientID(let c):
            guard !c.isEmpty, let id = c.withUnsafeBufferPointer({ clientIDs.find($0) }) else { return }
            walk(tail: clientIDs.value(id), byHW: false, body)
        }
    }

    private func walk(tail: UInt32, byHW: Bool, _ body: (UInt32) -> Bool) {
        guard tail != Self.none else { return }
        var s = next(tail, byHW)
        while true {
            guard body(s), s != tail else { return }
            s = next(s, byHW)
        }
    }

    private func next(_ slot: UInt32, _ byHW: Bool) -> UInt32 {
        byHW ? records[Int(slot)].nextByHW : records[Int(slot)].nextByCID
    }

    public func leases(for key: LeaseKey4) -> [Lease4] {
        var out: [Lease4] = []
        forEachSlot(of: key) { out.append(lease(slot: $0)); return true }
        return out
    }

    public func all() -> [Lease4] { leases(after: nil, limit: live) }

    public func firstLease(for key: LeaseKey4, where predicate: (Lease4) -> Bool) -> Lease4? {
        var found: Lease4? = nil
        forEachSlot(of: key) { s in
            let l = lease(slot: s)
            if predicate(l) { found = l; return false }
            return true
        }
        return found
    }

    public mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease4] {
        let recs = records
        return expiry.expired(state: state, before: cutoff, limit: limit) { recs[Int($0)].address }.map { lease(slot: $0) }
    }

    // MARK: writing

    /// Calls `body` with the interned form of a hardware address: its type byte, then its bytes.
    private static func withHardwareKey<R>(_ h: HardwareAddress, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: h.bytes.count + 1) { buf in
            buf[0] = h.type
            for (i, b) in h.bytes.enumerated() { buf[i + 1] = b }
            return body(UnsafeBufferPointer(buf))
        }
    }

    public mutating func apply(_ change: LeaseChange4) {
        let l = change.lease
        var hostname = l.hostname
        var userContext = l.userContext
        let delete: Bool
        if case .delete = change { delete = true } else { delete = false }
        hostname.withUTF8 { host in
            userContext.withUTF8 { context in
                Self.withOptionalHardwareKey(l.hardwareAddress) { hwKey in
                    Self.withOptional(l.clientID) { cid in
                        apply(row: LeaseRow4(address: l.address.value, hardwareKey: hwKey, clientID: cid,
                                             validLifetimeSeconds: l.validLifetimeSeconds,
                                             expire: l.expire.secondsSinceEpoch, subnetID: l.subnetID,
                                             fqdnForward: l.fqdnForward, fqdnReverse: l.fqdnReverse, hostname: host,
                                             state: l.state, userContext: context, poolID: l.poolID),
                              delete: delete)
                    }
                }
            }
        }
    }

    private static func withOptionalHardwareKey<R>(_ h: HardwareAddress?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let h else { return body(nil) }
        return withHardwareKey(h) { body($0) }
    }

    private static func withOptional<R>(_ a: [UInt8]?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard let a else { return body(nil) }
        return a.withUnsafeBufferPointer { body($0) }
    }

    /// Whether the identifier `id` of a record is `key` (both absent, or the same bytes).
    private static func same(_ id: UInt32, _ key: UnsafeBufferPointer<UInt8>?, in table: IdentifierTable) -> Bool {
        guard let key else { return id == none }
        return id != none && table.equals(id, key)
    }

    public mutating func apply(row: LeaseRow4, delete: Bool) {
        let existing = slot(of: row.address)
        if !delete, let s = existing, Self.same(records[Int(s)].hw, row.hardwareKey, in: hardware),
           Self.same(records[Int(s)].cid, row.clientID, in: clientIDs) {
            // Same owner (a renewal): the identity indexes stay, the other fields change.
            update(slot: s, row)
            setExpiry(s)
            return
        }
        if let s = existing { remove(slot: s) }
        if !delete { insert(row) }
    }

    private static func flags(_ row: LeaseRow4) -> UInt8 {
        UInt8(row.state.rawValue & 3) | (row.fqdnForward ? 4 : 0) | (row.fqdnReverse ? 8 : 0)
    }

    /// Rewrites the non-identity fields of `slot` from `row`.
    private mutating func update(slot s: UInt32, _ row: LeaseRow4) {
        let i = Int(s)
        records[i].validLifetime = row.validLifetimeSeconds
        records[i].expire = row.expire
        records[i].subnetID = row.subnetID
        records[i].poolID = row.poolID
        records[i].flags = Self.flags(row)
        let host = replaceText(records[i].hostname, with: row.hostname, owner: s << 1)
        records[i].hostname = host
        let context = replaceText(records[i].userContext, with: row.userContext, owner: s << 1 | 1)
        records[i].userContext = context
        compactTextIfNeeded()
    }

    /// The blob to hold `bytes` (reusing `old` when equal), freeing `old` otherwise.
    private mutating func replaceText(_ old: UInt32, with bytes: UnsafeBufferPointer<UInt8>, owner: UInt32) -> UInt32 {
        if old != Self.none {
            if text.equals(at: old, bytes) { return old }
            text.free(at: old)
        }
        return bytes.isEmpty ? Self.none : text.append(bytes, owner: owner)
    }

    private mutating func compactTextIfNeeded() {
        guard text.shouldCompact else { return }
        var moved = records
        records = []
        text.compact { owner, offset in
            if owner & 1 == 0 { moved[Int(owner >> 1)].hostname = offset } else { moved[Int(owner >> 1)].userContext = offset }
        }
        records = moved
    }

    private mutating func insert(_ row: LeaseRow4) {
        let s: UInt32
        if let free = freeSlots.popLast() {
            s = free
        } else {
            precondition(records.count < Int(Self.none >> 1), "lease store full")
            s = UInt32(records.count)
            records.append(Record(address: 0, validLifetime: 0, expire: 0, subnetID: 0, poolID: 0, hw: Self.none,
                                  cid: Self.none, nextByHW: Self.none, nextByCID: Self.none, hostname: Self.none,
                                  userContext: Self.none, flags: 0x80))
        }
        var r = Record(address: row.address, validLifetime: row.validLifetimeSeconds, expire: row.expire,
                       subnetID: row.subnetID, poolID: row.poolID, hw: Self.none, cid: Self.none,
                       nextByHW: Self.none, nextByCID: Self.none, hostname: Self.none, userContext: Self.none,
                       flags: Self.flags(row))
        if let key = row.hardwareKey { r.hw = hardware.retain(key, initialValue: Self.none).id }
        if let key = row.clientID { r.cid = clientIDs.retain(key, initialValue: Self.none).id }
        if !row.hostname.isEmpty { r.hostname = text.append(row.hostname, owner: s << 1) }
        if !row.userContext.isEmpty { r.userContext = text.append(row.userContext, owner: s << 1 | 1) }
        records[Int(s)] = r
        // Chained only for a non-empty identifier (an empty one is never looked up).
        if let key = row.hardwareKey, key.count > 1 { chain(slot: s, id: r.hw, byHW: true) }
        if let key = row.clientID, !key.isEmpty { chain(slot: s, id: r.cid, byHW: false) }
        let hash = SlotHash.integer(UInt64(row.address))
        if byAddress.hasRoom {
            byAddress.insertWithoutGrowing(s, hash: hash)
        } else {
            // Growing, or moving a step of a growth (SlotHashTable): a few cells, never the table.
            let recs = records
            byAddress.insert(s, hash: hash, rehash: { SlotHash.integer(UInt64(recs[Int($0)].address)) })
        }
        addressOrder.insert(row.address)
        live += 1
        setExpiry(s)
    }

    private mutating func setNext(_ slot: UInt32, _ byHW: Bool, _ v: UInt32) {
        if byHW { records[Int(slot)].nextByHW = v } else { records[Int(slot)].nextByCID = v }
    }

    /// Appends `slot` at the tail of the chain of `id`.
    private mutating func chain(slot: UInt32, id: UInt32, byHW: Bool) {
        let tail = byHW ? hardware.value(id) : clientIDs.value(id)
        if tail == Self.none {
            setNext(slot, byHW, slot)
        } else {
            setNext(slot, byHW, next(tail, byHW))
            setNext(tail, byHW, slot)
        }
        if byHW { hardware.setValue(id, slot) } else { clientIDs.setValue(id, slot) }
    }

    /// Takes `slot` out of the chain of `id`. Bounded by the chain's length.
    private mutating func unchain(slot: UInt32, id: UInt32, byHW: Bool) {
        let tail = byHW ? hardware.value(id) : clientIDs.value(id)
        let after = next(slot, byHW)
        if after == slot {
            if byHW { hardware.setValue(id, Self.none) } else { clientIDs.setValue(id, Self.none) }
        } else {
            var p = tail
            while next(p, byHW) != slot { p = next(p, byHW) }
            setNext(p, byHW, after)
            if tail == slot {
                if byHW { hardware.setValue(id, p) } else { clientIDs.setValue(id, p) }
            }
        }
        setNext(slot, byHW, Self.none)
    }

    private mutating func remove(slot s: UInt32) {
        let r = records[Int(s)]
        do {
            let recs = records
            expiry.remove(s) { recs[Int($0)].address }
        }
        if r.hw != Self.none {
            if r.nextByHW != Self.none { unchain(slot: s, id: r.hw, byHW: true) }
            hardware.release(r.hw)
        }
        if r.cid != Self.none {
            if r.nextByCID != Self.none { unchain(slot: s, id: r.cid, byHW: false) }
            clientIDs.release(r.cid)
        }
        if r.hostname != Self.none { text.free(at: r.hostname) }
        if r.userContext != Self.none { text.free(at: r.userContext) }
        do {
            let recs = records
            byAddress.remove(s, hash: SlotHash.integer(UInt64(r.address)),
                             rehash: { SlotHash.integer(UInt64(recs[Int($0)].address)) })
        }
        addressOrder.remove(r.address)
        records[Int(s)].flags = 0x80
        records[Int(s)].hostname = Self.none
        records[Int(s)].userContext = Self.none
        freeSlots.append(s)
        live -= 1
        compactTextIfNeeded()
    }

    /// Moves (or adds) the expiry entry of `slot` to its record's expiry and state: O(log n).
    /// The address is the whole hint, so ties in expiry never read the records.
    private mutating func setExpiry(_ s: UInt32) {
        let r = records[Int(s)], recs = records
        expiry.set(s, expire: WallTime(secondsSinceEpoch: r.expire), hint: r.address, state: r.state) { recs[Int($0)].address }
    }

    /// Whether the expiry index holds exactly one entry per lease, in its state's heap, in
    /// order (for the tests).
    var expiryIsConsistent: Bool {
        let recs = records
        guard expiry.isConsistent(keyOf: { recs[Int($0)].address }) else { return false }
        for (i, r) in records.enumerated() {
            let e = expiry.entry(slot: UInt32(i))
            if r.isFree ? e != nil : (e?.expire != r.expire || e?.state != r.state) { return false }
        }
        return expiryEntryCount == live
    }

    /// Entries in the expiry index (for the tests).
    var expiryEntryCount: Int { expiry.entryCount(.assigned) + expiry.entryCount(.declined) + expiry.entryCount(.expiredReclaimed) }

    /// Bytes held by the store's arrays (records, indexes, identifiers, text, expiry heaps),
    /// for tests and memory accounting; the address-order index is not counted.
    public var byteCount: Int {
        records.capacity * MemoryLayout<Record>.stride + freeSlots.capacity * 4 + byAddress.byteCount
            + hardware.byteCount + clientIDs.byteCount + text.byteCount + expiry.byteCount
    }
}
