/// Identifies one group of lease writes proposed by an engine, from proposal to outcome.
public struct TransactionID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (a: TransactionID, b: TransactionID) -> Bool { a.value < b.value }
    public var description: String { "tx\(value)" }
}

/// One proposed lease change with the row the engine saw when it decided: a conditional write.
/// A store that is shared with other servers applies it only if its current row at that
/// address is still `expected` (none when `expected` is nil); otherwise it reports a conflict
/// with the row it holds. An exclusive store (memfile) never conflicts.
public struct LeaseWrite<Lease: LeaseRecord>: Sendable, Equatable {
    public var change: LeaseChange<Lease>
    public var expected: Lease?
    public init(change: LeaseChange<Lease>, expected: Lease?) {
        self.change = change
        self.expected = expected
    }

    /// Whether a store whose current row at the address is `current` may apply this write.
    /// Rows are compared on what decides ownership and lifetime, as Kea's conditional updates
    /// compare the address and the old expiry.
    public func isApplicable(over current: Lease?) -> Bool {
        switch (expected, current) {
        case (nil, nil): true
        case (let e?, let c?): e.sameVersion(as: c)
        default: false
        }
    }
}

extension Lease4 {
    /// The same row version: owner, state, expiry and lifetime.
    public func sameVersion(as other: Lease4) -> Bool {
        address == other.address && expire == other.expire && state == other.state
            && validLifetimeSeconds == other.validLifetimeSeconds
            && hardwareAddress == other.hardwareAddress && clientID == other.clientID
    }
}

/// What became of a transaction's writes. Shells report it; the engine decides again on
/// anything but `.durable`.
public enum WriteOutcome<Lease: LeaseRecord>: Sendable, Equatable {
    /// Every write is durable (memfile: written; database: committed).
    case durable
    /// The store could not write (disk, database gone). Nothing of the transaction is durable.
    case failed(reason: String)
    /// Another server changed the row at `address` first; `current` is what the store holds
    /// there now (nil: no row). Nothing of the transaction is durable.
    case conflict(address: Lease.Address, current: Lease?)
}

/// The bookkeeping both engines do around conditional writes, written once over the lease
/// type: what a new write is conditional on, what undoes a write, naming a transaction.
extension LeaseChange {
    /// The row this change leaves at its address (nil for a deletion).
    public var written: Lease? {
        if case .upsert(let l) = self { return l }
        return nil
    }
}

extension LeaseWrite {
    /// The change that puts back the row this write replaced: the expected row, or (when
    /// there was none) a deletion of what it wrote.
    public var undo: LeaseChange<Lease> {
        if let e = expected { return .upsert(e) }
        return .delete(change.lease)
    }
}

extension Effects {
    /// The row a new write at `address` is conditional on: as this input's earlier writes
    /// leave it (a shared store's view does not hold proposals), else what the view shows.
    ///
    /// A few writes (one exchange's) are scanned; past `expectedRowScanMax` they are indexed
    /// by address as they are appended, so a transaction of k writes (a reclamation) costs
    /// O(k), not O(k²). Any change to `writes` but an append drops the index (`writes`' setter
    /// and `_modify`), so the next call indexes them again.
    @inlinable
    public mutating func expectedRow(at address: Family.Lease.Address, view: () -> Family.Lease?) -> Family.Lease? {
        if let earlier = earlierWrite(at: address) { return earlier }
        return view()
    }

    /// What this transaction's last write at `address` left there (`.some(nil)`: a deletion),
    /// or nil when it has not written there: then the view's row is the expected one. The
    /// engines call this rather than `expectedRow(at:view:)` on the packet path: a closure
    /// reading the engine's store from a mutating method copies the whole engine.
    @inlinable
    public mutating func earlierWrite(at address: Family.Lease.Address) -> Family.Lease?? {
        if storedWrites.count <= Self.expectedRowScanMax {
            if let earlier = storedWrites.last(where: { $0.change.lease.address == address }) { return .some(earlier.change.written) }
            return nil
        }
        while indexedWrites < storedWrites.count {
            lastWriteAt[storedWrites[indexedWrites].change.lease.address] = indexedWrites
            indexedWrites += 1
        }
        guard let i = lastWriteAt[address] else { return nil }
        return .some(storedWrites[i].change.written)
    }

    /// How many writes `expectedRow(at:view:)` scans before it indexes them.
    @inlinable
    static var expectedRowScanMax: Int { 32 }

    /// Forgets `expectedRow(at:view:)`'s index (kept capacity, no new allocation).
    @inlinable
    mutating func dropWriteIndex() {
        if indexedWrites == 0 { return }
        lastWriteAt.removeAll(keepingCapacity: true)
        indexedWrites = 0
    }

    /// Names the transaction the writes wait on, from the engine's counter; nil (and no
    /// transaction) when nothing was written.
    public mutating func openTransaction(counter: inout UInt64) -> TransactionID? {
        guard !writes.isEmpty else { return nil }
        let id = TransactionID(counter)
        counter &+= 1
        transaction = id
        return id
    }
}
