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
}

extension LeaseStore6 {
    /// Leases per page when a command or a recount walks the whole store.
    public static var walkPageSize: Int { 1024 }

    /// Calls `body` with every lease in address order, one page at a time, so that no copy of
    /// the whole store is made. The store must not change during the walk.
    public func forEachLease(_ body: (Lease6) -> Void) {
        LeasePaging.forEach(pageSize: Self.walkPageSize, page: { leases(after: $0, limit: Self.walkPageSize) }, body)
    }
}

/// In-memory DHCPv6 store indexed by address, by (type, DUID, IAID), by hardware address and
/// by expiry, with per-subnet counts kept as leases change.
public struct MemoryLeaseStore6: LeaseStore6, Sendable {
    /// What identifies one IA's leases of one type.
    struct Identity: Hashable, Sendable {
        var type: LeaseType6
        var duid: [UInt8]
        var iaid: UInt32
    }

    /// What the per-subnet counts are kept by.
    struct CountKey: Hashable, Sendable {
        var subnetID: UInt32
        var type: LeaseType6
        var state: LeaseState
    }

    private var byAddress: [IPv6Address: Lease6] = [:]
    private var byIdentity: [Identity: AddressList<IPv6Address>] = [:]
    private var byHardware: [HardwareAddress: AddressList<IPv6Address>] = [:]
    private var counts: [CountKey: Int] = [:]
    /// Expiry index by address, with lazy deletion (see ExpiryIndex).
    private var expiry = ExpiryIndex<IPv6Address>()
    /// Occupied addresses in order, for paging.
    private var addressOrder = OrderedKeySet<IPv6Address>()

    public init() {}

    public var count: Int { byAddress.count }

    public func lease(_ type: LeaseType6, at address: IPv6Address) -> Lease6? {
        byAddress[address].flatMap { $0.type == type ? $0 : nil }
    }

    public func count(subnetID: UInt32, type: LeaseType6, state: LeaseState) -> Int {
        counts[CountKey(subnetID: subnetID, type: type, state: state)] ?? 0
    }

    public func all() -> [Lease6] { byAddress.values.sorted { $0.address < $1.address } }

    public func leases(after: IPv6Address?, limit: Int) -> [Lease6] {
        addressOrder.keys(after: after, limit: limit).map { address in
            guard let lease = byAddress[address] else {
                preconditionFailure("address-order index holds \(address) but the store has no lease there")
            }
            return lease
        }
    }

    /// The addresses `key` names, before any subnet filter.
    private func candidates(_ key: LeaseKey6) -> [IPv6Address] {
        switch key {
        case .address(let a): [a]
        case .identity(let type, let duid, let iaid), .identityInSubnet(let type, let duid, let iaid, _):
            byIdentity[Identity(type: type, duid: duid, iaid: iaid)]?.addresses ?? []
        case .hardwareAddress(let h): byHardware[h]?.addresses ?? []
        }
    }

    private static func matches(_ key: LeaseKey6, _ l: Lease6) -> Bool {
        if case .identityInSubnet(_, _, _, let subnetID) = key { return l.subnetID == subnetID }
        return true
    }

    public func leases(for key: LeaseKey6) -> [Lease6] {
        candidates(key).compactMap { byAddress[$0] }.filter { Self.matches(key, $0) }
    }

    public func firstLease(for key: LeaseKey6, where predicate: (Lease6) -> Bool) -> Lease6? {
        for a in candidates(key) {
            if let l = byAddress[a], Self.matches(key, l), predicate(l) { return l }
        }
        return nil
    }

    public mutating func apply(_ change: LeaseChange6) {
        let lease = change.lease
        precondition(change.isDeletion || lease.isWellFormed, "writing a malformed lease at \(lease.address)")
        if case .upsert = change, let old = byAddress[lease.address], Self.sameIndexing(old, lease) {
            // Same owner, subnet and state (a renewal): only the expiry index changes.
            byAddress[lease.address] = lease
            pushExpiry(lease)
            return
        }
        if let old = byAddress.removeValue(forKey: lease.address) { unindex(old) }
        if case .upsert = change {
            byAddress[lease.address] = lease
            index(lease)
        }
    }

    /// Whether replacing `old` by `new` leaves every index but expiry as it is.
    private static func sameIndexing(_ old: Lease6, _ new: Lease6) -> Bool {
        old.type == new.type && old.duid == new.duid && old.iaid == new.iaid
            && old.hardwareAddress == new.hardwareAddress && old.subnetID == new.subnetID && old.state == new.state
    }

    private mutating func index(_ l: Lease6) {
        addressOrder.insert(l.address)
        AddressList.insert(l.address, into: &byIdentity, key: Identity(type: l.type, duid: l.duid, iaid: l.iaid))
        if let h = l.hardwareAddress, !h.isEmpty { AddressList.insert(l.address, into: &byHardware, key: h) }
        counts[CountKey(subnetID: l.subnetID, type: l.type, state: l.state), default: 0] += 1
        pushExpiry(l)
    }

    private mutating func unindex(_ l: Lease6) {
        addressOrder.remove(l.address)
        AddressList.remove(l.address, from: &byIdentity, key: Identity(type: l.type, duid: l.duid, iaid: l.iaid))
        if let h = l.hardwareAddress, !h.isEmpty { AddressList.remove(l.address, from: &byHardware, key: h) }
        let key = CountKey(subnetID: l.subnetID, type: l.type, state: l.state)
        let remaining = (counts[key] ?? 0) - 1
        precondition(remaining >= 0, "lease count for subnet \(l.subnetID) went below zero")
        counts[key] = remaining == 0 ? nil : remaining
    }

    private mutating func pushExpiry(_ l: Lease6) {
        expiry.insert(l.address, expire: l.expire, state: l.state)
        // Lazy deletion lets stale entries pile up under heavy renewal; rebuild when they dominate.
        if expiry.entryCount(l.state) > 4 * byAddress.count + 1024 {
            expiry.rebuild(from: byAddress.values.lazy.map { (key: $0.address, expire: $0.expire, state: $0.state) })
        }
    }

    public mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease6] {
        let rows = byAddress
        return expiry.expired(state: state, before: cutoff, limit: limit) { a, expire in
            guard let l = rows[a] else { return false }
            return l.expire.secondsSinceEpoch == expire && l.state == state
        }.compactMap { rows[$0] }
    }
}

extension LeaseChange {
    var isDeletion: Bool {
        if case .delete = self { return true }
        return false
    }
}
