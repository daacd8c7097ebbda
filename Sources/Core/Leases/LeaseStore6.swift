/// How to look DHCPv6 leases up: one entry point instead of Kea's getLease6/getLeases6
/// overloads.
public enum LeaseKey6: Sendable, Equatable {
    /// The lease at an address or delegated prefix, whatever its type.
    case address(IPv6Address)
    /// A client's leases of one type in one IA (Kea's getLeases6(type, duid, iaid)).
    case identity(type: LeaseType6, duid: [UInt8], iaid: UInt32)
    /// The same, within one subnet (Kea's getLeases6(type, duid, iaid, subnet_id)).
    case identityInSubnet(type: LeaseType6, duid: [UInt8], iaid: UInt32, subnetID: UInt32)
    /// Leases recorded with this hardware address (type included).
    case hardwareAddress(HardwareAddress)
}

/// The small synchronous DHCPv6 lease store protocol, the counterpart of `LeaseStore4`.
/// Leases are keyed by address alone, as in Kea's memfile (an address lease and a prefix lease
/// cannot share an address); lookups by type check the type.
public protocol LeaseStore6 {
    /// The lease of `type` at `address` (for a prefix, its network address).
    func lease(_ type: LeaseType6, at address: IPv6Address) -> Lease6?
    func leases(for key: LeaseKey6) -> [Lease6]
    /// The first lease for `key` that satisfies `predicate` (no array is built).
    func firstLease(for key: LeaseKey6, where predicate: (Lease6) -> Bool) -> Lease6?
    mutating func apply(_ change: LeaseChange6)
    /// Up to `limit` leases in `state` whose expiry is at or before `cutoff`, oldest first.
    mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease6]
    var count: Int { get }
    /// How many leases of `type` in `state` the subnet holds (statistics without a recount).
    func count(subnetID: UInt32, type: LeaseType6, state: LeaseState) -> Int
    func all() -> [Lease6]
    /// Up to `limit` leases with addresses strictly above `after` (from the lowest when nil),
    /// in address order.
    func leases(after: IPv6Address?, limit: Int) -> [Lease6]
    /// How many leases per (subnet, type, state), one call each (see the default below).
    func forEachTally(_ body: (_ subnetID: UInt32, _ type: LeaseType6, _ state: LeaseState, _ count: Int) -> Void)
    /// Room for about `count` leases before a load, so that its indexes need not grow (and
    /// re-hash what they hold) on the way; a hint, not a limit.
    mutating func reserveCapacity(_ count: Int)
    /// Around the replay of lease files (`LeaseFile6.load`, the memfile's start-up load): a
    /// store may defer work until `endLoad` (MemoryLeaseStore6 builds its per-client indexes
    /// once, at the end). In between, only `apply`, `count` and `reserveCapacity` are used.
    mutating func beginLoad()
    mutating func endLoad()
    /// `apply` of each change in order (a load hands its rows over in small batches, so that a
    /// store can fetch what they will touch ahead of the first).
    mutating func apply(batch changes: [LeaseChange6])
}

extension LeaseStore6 {
    public mutating func reserveCapacity(_ count: Int) {}
    public mutating func beginLoad() {}
    public mutating func endLoad() {}
    public mutating func apply(batch changes: [LeaseChange6]) {
        for c in changes { apply(c) }
    }

    /// A load: `beginLoad`, room for `count` leases, `body` (which applies the rows), then
    /// `endLoad`, also when `body` throws. Every replay of stored leases goes through here.
    public mutating func load<E: Error>(reserving count: Int, _ body: (inout Self) throws(E) -> Void) throws(E) {
        beginLoad()
        defer { endLoad() }
        reserveCapacity(count)
        try body(&self)
    }

    /// Leases per page when a command or a recount walks the whole store.
    public static var walkPageSize: Int { 1024 }

    /// Calls `body` with every lease in address order, one page at a time, so that no copy of
    /// the whole store is made. The store must not change during the walk.
    public func forEachLease(_ body: (Lease6) -> Void) {
        LeasePaging.forEach(pageSize: Self.walkPageSize, page: { leases(after: $0, limit: Self.walkPageSize) }, body)
    }

    /// Calls `body` once per (subnet, type, state) the store holds leases in, with how many
    /// (a statistics recount). This default walks every lease; a store that keeps the counts
    /// answers from them, without building a lease.
    public func forEachTally(_ body: (_ subnetID: UInt32, _ type: LeaseType6, _ state: LeaseState, _ count: Int) -> Void) {
        var counts: [LeaseTally6: Int] = [:]
        forEachLease { counts[LeaseTally6(subnetID: $0.subnetID, type: $0.type, state: $0.state), default: 0] += 1 }
        for (k, n) in counts { body(k.subnetID, k.type, k.state, n) }
    }
}

/// What the leases of a DHCPv6 store are counted by for statistics.
struct LeaseTally6: Hashable, Sendable {
    var subnetID: UInt32
    var type: LeaseType6
    var state: LeaseState
}

// MemoryLeaseStore6 is in LeaseStore6+Memory.swift (compact records, packed identifiers).

extension LeaseChange {
    var isDeletion: Bool {
        if case .delete = self { return true }
        return false
    }
}
