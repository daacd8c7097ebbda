/// Compact storage for many small variable-length byte strings (identifiers, host names),
/// shared by the lease stores. The point is memory: no heap object per string, no key copied
/// into an index (the index is a `SlotHashTable`, SlotHashTable.swift).
///
/// - `ByteArena`: byte strings packed end to end in one array, each with its owner's number,
///   freed lazily and compacted when garbage dominates.
/// - `IdentifierTable`: interned identifiers (hardware addresses, client ids, DUIDs) with a
///   reference count and one caller word each (say, the head of a chain of leases).

/// Byte strings packed end to end. Each blob is a 4-byte length, a 4-byte owner and the bytes;
/// a blob is named by its offset. `free` only marks a blob dead; `compact` (when `shouldCompact`)
/// moves the live blobs down and tells each owner its new offset.
public struct ByteArena: Sendable {
    /// The blobs, back to back.
    @usableFromInline var storage: [UInt8] = []
    /// Bytes held by dead blobs (headers included).
    public private(set) var garbage = 0
    /// The owner value of a dead blob.
    public static let deadOwner = UInt32.max
    @usableFromInline static let headerSize = 8

    public init() {}

    /// Bytes in use, dead blobs included.
    public var byteCount: Int { storage.count }

    /// Makes room for `blobs` blobs of `bytes` bytes in all (memory reserved but not written is
    /// not resident, so a generous estimate costs address space only).
    public mutating func reserveCapacity(blobs: Int, bytes: Int) {
        storage.reserveCapacity(storage.count + blobs * Self.headerSize + bytes)
    }

    /// Appends `bytes` as a blob of `owner` (any value but `deadOwner`); returns its offset.
    @discardableResult
    public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, owner: UInt32) -> UInt32 {
        precondition(owner != Self.deadOwner, "the dead-owner value cannot own a blob")
        let offset = storage.count
        precondition(offset + Self.headerSize + bytes.count <= Int(UInt32.max), "byte arena full")
        Self.appendWord(UInt32(bytes.count), to: &storage)
        Self.appendWord(owner, to: &storage)
        storage.append(contentsOf: bytes)
        return UInt32(offset)
    }

    /// Appends the bytes of a collection (convenience for tests and cold paths).
    @discardableResult
    public mutating func append(_ bytes: [UInt8], owner: UInt32) -> UInt32 {
        bytes.withUnsafeBufferPointer { append($0, owner: owner) }
    }

    @inlinable
    static func appendWord(_ w: UInt32, to a: inout [UInt8]) {
        a.append(UInt8(truncatingIfNeeded: w))
        a.append(UInt8(truncatingIfNeeded: w >> 8))
        a.append(UInt8(truncatingIfNeeded: w >> 16))
        a.append(UInt8(truncatingIfNeeded: w >> 24))
    }

    @inlinable
    func word(at offset: Int) -> UInt32 {
        storage.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }.littleEndian
    }

    /// The length of the blob at `offset`.
    @inlinable
    public func length(at offset: UInt32) -> Int { Int(word(at: Int(offset))) }

    /// The owner of the blob at `offset` (`deadOwner` once freed).
    public func owner(at offset: UInt32) -> UInt32 { word(at: Int(offset) + 4) }

    /// Calls `body` with the bytes of the blob at `offset` (valid only inside `body`).
    @inlinable
    public func withBytes<R>(at offset: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = Int(offset) + Self.headerSize
        let n = length(at: offset)
        return storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<(start + n)])) }
    }

    /// A copy of the blob at `offset`.
    public func bytes(at offset: UInt32) -> [UInt8] { withBytes(at: offset) { Array($0) } }

    /// The blob at `offset` as UTF-8 text (invalid sequences repaired).
    public func string(at offset: UInt32) -> String { withBytes(at: offset) { String(decoding: $0, as: UTF8.self) } }

    /// Whether the blob at `offset` holds exactly `bytes`.
    @inlinable
    public func equals(at offset: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        withBytes(at: offset) { mine in
            guard mine.count == bytes.count else { return false }
            guard let a = mine.baseAddress, let b = bytes.baseAddress else { return true }
            for i in 0..<mine.count where a[i] != b[i] { return false }
            return true
        }
    }

    /// Marks the blob at `offset` dead; its bytes are reclaimed by the next `compact`.
    public mutating func free(at offset: UInt32) {
        let o = Int(offset) + 4
        precondition(word(at: o) != Self.deadOwner, "blob freed twice")
        garbage += Self.headerSize + length(at: offset)
        storage.withUnsafeMutableBytes { $0.storeBytes(of: Self.deadOwner.littleEndian, toByteOffset: o, as: UInt32.self) }
    }

    /// Dead bytes are more than half the arena (and worth the move).
    public var shouldCompact: Bool { garbage > 4096 && garbage * 2 > storage.count }

    /// Moves the live blobs down over the dead ones, in order, calling `relocate(owner, offset)`
    /// for each live blob with its new offset. Bounded by the arena's size.
    public mutating func compact(relocate: (UInt32, UInt32) -> Void) {
        var read = 0, write = 0
        let end = storage.count
        storage.withUnsafeMutableBytes { raw in
            while read < end {
                let n = Int(raw.loadUnaligned(fromByteOffset: read, as: UInt32.self).littleEndian)
                let owner = raw.loadUnaligned(fromByteOffset: read + 4, as: UInt32.self).littleEndian
                let size = Self.headerSize + n
                if owner != Self.deadOwner {
                    if write != read {
                        (raw.baseAddress! + write).copyMemory(from: raw.baseAddress! + read, byteCount: size)
                    }
                    relocate(owner, UInt32(write))
                    write += size
                }
                read += size
            }
        }
        storage.removeLast(end - write)
        if storage.capacity > 2 * storage.count + 4096 {
            // Give the memory back: a copy of just the live part.
            var fresh: [UInt8] = []
            fresh.reserveCapacity(storage.count)
            fresh.append(contentsOf: storage)
            storage = fresh
        }
        garbage = 0
    }
}

/// Interned identifiers (a hardware address, a client id, a DUID…): each distinct byte string is
/// stored once, in a `ByteArena`, under a small number (`ID`), with a reference count and one
/// caller word (`value`, say the first lease holding it). Found by content through a
/// `SlotHashTable` that compares against the arena. A record holding an identifier keeps its
/// 4-byte ID instead of an array.
public struct IdentifierTable: Sendable {
    public typealias ID = UInt32

    @usableFromInline
    struct Entry: Sendable {
        /// The blob in `arena`; `ByteArena.deadOwner` when the ID is free.
        @usableFromInline var offset: UInt32
        @usableFromInline var references: UInt32
        @usableFromInline var value: UInt32
    }

    @usableFromInline var entries: [Entry] = []
    private var freeIDs: [ID] = []
    @usableFromInline var arena = ByteArena()
    @usableFromInline var index = SlotHashTable()

    public init() {}

    /// Distinct identifiers held.
    public var count: Int { index.count }

    /// Makes room for about `count` identifiers of `bytes` bytes in all (see
    /// `ByteArena.reserveCapacity`), and, while it is empty, sizes the hash index for them, so
    /// that a load does not grow it step by step (each growth re-hashing every identifier held);
    /// `indexed`, when given, is the number of identifiers the index is sized for instead.
    public mutating func reserveCapacity(_ count: Int, bytes: Int, indexed: Int? = nil) {
        entries.reserveCapacity(count)
        arena.reserveCapacity(blobs: count, bytes: bytes)
        if index.count == 0 { index.reserveCapacity(indexed ?? count) }
    }

    static func hash(of id: ID, _ entries: [Entry], _ arena: ByteArena) -> UInt64 {
        arena.withBytes(at: entries[Int(id)].offset) { SlotHash.fnv($0) }
    }

    /// The ID of `bytes`, if held.
    @inlinable
    public func find(_ bytes: UnsafeBufferPointer<UInt8>) -> ID? {
        find(bytes, hash: SlotHash.fnv(bytes))
    }

    @inlinable
    func find(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> ID? {
        index.find(hash: hash) { arena.equals(at: entries[Int($0)].offset, bytes) }
    }

    /// The ID of `bytes` with its reference count raised by one: a new ID (count 1, value
    /// `initialValue`) when `bytes` was not held. `inserted` says which.
    public mutating func retain(_ bytes: UnsafeBufferPointer<UInt8>, initialValue: UInt32) -> (id: ID, inserted: Bool) {
        let h = SlotHash.fnv(bytes)
        if let id = find(bytes, hash: h) {
            entries[Int(id)].references += 1
            return (id, false)
        }
        let id: ID
        if let free = freeIDs.popLast() {
            id = free
        } else {
            precondition(entries.count < Int(UInt32.max - 1), "identifier table full")
            id = ID(entries.count)
            entries.append(Entry(offset: ByteArena.deadOwner, references: 0, value: 0))
        }
        let offset = arena.append(bytes, owner: id)
        entries[Int(id)] = Entry(offset: offset, references: 1, value: initialValue)
        if index.hasRoom {
            index.insertWithoutGrowing(id, hash: h)
        } else {
            // Growing, or moving a step of a growth (SlotHashTable): a few cells, never the table.
            // Copies of the buffers (no mutation while they live, so no copy is made).
            let e = entries, a = arena
            index.insert(id, hash: h, rehash: { Self.hash(of: $0, e, a) })
        }
        return (id, true)
    }

    /// Convenience `retain` for an array.
    public mutating func retain(_ bytes: [UInt8], initialValue: UInt32) -> (id: ID, inserted: Bool) {
        bytes.withUnsafeBufferPointer { retain($0, initialValue: initialValue) }
    }

    /// Lowers the reference count of `id`; at zero the identifier is dropped and the ID reused.
    /// Returns true when it was dropped.
    @discardableResult
    public mutating func release(_ id: ID) -> Bool {
        precondition(entries[Int(id)].references > 0, "identifier released more than retained")
        entries[Int(id)].references -= 1
        guard entries[Int(id)].references == 0 else { return false }
        do {
            let e = entries, a = arena
            index.remove(id, hash: Self.hash(of: id, e, a), rehash: { Self.hash(of: $0, e, a) })
        }
        arena.free(at: entries[Int(id)].offset)
        entries[Int(id)].offset = ByteArena.deadOwner
        freeIDs.append(id)
        if arena.shouldCompact {
            var moved = entries
            entries = []
            arena.compact { owner, offset in moved[Int(owner)].offset = offset }
            entries = moved
        }
        return true
    }

    /// References held on `id`.
    public func references(_ id: ID) -> UInt32 { entries[Int(id)].references }

    /// The caller's word for `id`.
    @inlinable
    public func value(_ id: ID) -> UInt32 { entries[Int(id)].value }

    /// Sets the caller's word for `id`.
    @inlinable
    public mutating func setValue(_ id: ID, _ v: UInt32) { entries[Int(id)].value = v }

    /// Calls `body` with the bytes of `id`.
    @inlinable
    public func withBytes<R>(_ id: ID, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        arena.withBytes(at: entries[Int(id)].offset, body)
    }

    /// A copy of the bytes of `id`.
    public func bytes(_ id: ID) -> [UInt8] { arena.bytes(at: entries[Int(id)].offset) }

    /// Whether `id` holds exactly `bytes`.
    @inlinable
    public func equals(_ id: ID, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool { arena.equals(at: entries[Int(id)].offset, bytes) }

    /// Bytes held (entries, arena and index), for memory accounting.
    public var byteCount: Int { entries.capacity * MemoryLayout<Entry>.stride + arena.byteCount + index.byteCount }
}
