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
}

/// In-memory store indexed by address, hardware address, client id and expiry.
public struct MemoryLeaseStore4: LeaseStore4, Sendable {
    private var byAddress: [UInt32: Lease4] = [:]
    private var byHardware: [HardwareAddress: AddressList<UInt32>] = [:]
    private var byClientID: [[UInt8]: AddressList<UInt32>] = [:]
    /// Expiry index by address, with lazy deletion — an entry is stale when the lease at that
    /// address no longer has that expiry and state.
    private var expiry = ExpiryIndex<UInt32>()
    /// Occupied addresses in order, for paging (AddressOrderIndex.swift).
    private(set) var addressOrder = AddressOrderIndex()

    public init() {}

    public var count: Int { byAddress.count }

    public func lease(at address: IPv4Address) -> Lease4? { byAddress[address.value] }

    public func leases(for key: LeaseKey4) -> [Lease4] {
        switch key {
        case .address(let a): return byAddress[a.value].map { [$0] } ?? []
        case .hardwareAddress(let h): return (byHardware[h]?.addresses ?? []).compactMap { byAddress[$0] }
        case .clientID(let c): return (byClientID[c]?.addresses ?? []).compactMap { byAddress[$0] }
        }
    }

    public func all() -> [Lease4] { byAddress.values.sorted { $0.address < $1.address } }

    public func firstLease(for key: LeaseKey4, where predicate: (Lease4) -> Bool) -> Lease4? {
        let list: AddressList<UInt32>?
        switch key {
        case .address(let a): return byAddress[a.value].flatMap { predicate($0) ? $0 : nil }
        case .hardwareAddress(let h): list = byHardware[h]
        case .clientID(let c): list = byClientID[c]
        }
        switch list {
        case nil: return nil
        case .one(let a)?: return byAddress[a].flatMap { predicate($0) ? $0 : nil }
        case .many(let all)?:
            for a in all { if let l = byAddress[a], predicate(l) { return l } }
            return nil
        }
    }

    public mutating func apply(_ change: LeaseChange4) {
        let lease = change.lease
        if case .upsert = change, let old = byAddress[lease.address.value],
           old.hardwareAddress == lease.hardwareAddress, old.clientID == lease.clientID {
            // Same owner (a renewal): only the expiry index changes.
            byAddress[lease.address.value] = lease
            pushExpiry(lease)
            return
        }
        if let old = byAddress.removeValue(forKey: lease.address.value) { unindex(old) }
        if case .upsert = change {
            byAddress[lease.address.value] = lease
            index(lease)
        }
    }

    private mutating func index(_ l: Lease4) {
        addressOrder.insert(l.address.value)
        if let h = l.hardwareAddress, !h.isEmpty { AddressList.insert(l.address.value, into: &byHardware, key: h) }
        if let c = l.clientID, !c.isEmpty { AddressList.insert(l.address.value, into: &byClientID, key: c) }
        pushExpiry(l)
    }

    private mutating func pushExpiry(_ l: Lease4) {
        expiry.insert(l.address.value, expire: l.expire, state: l.state)
        // Lazy deletion lets stale entries pile up under heavy renewal; rebuild when they dominate.
        if expiry.entryCount(l.state) > 4 * byAddress.count + 1024 {
            expiry.rebuild(from: byAddress.values.lazy.map { (key: $0.address.value, expire: $0.expire, state: $0.state) })
        }
    }

    private mutating func unindex(_ l: Lease4) {
        addressOrder.remove(l.address.value)
        if let h = l.hardwareAddress, !h.isEmpty { AddressList.remove(l.address.value, from: &byHardware, key: h) }
        if let c = l.clientID, !c.isEmpty { AddressList.remove(l.address.value, from: &byClientID, key: c) }
    }

    public mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease4] {
        let rows = byAddress
        return expiry.expired(state: state, before: cutoff, limit: limit) { a, expire in
            guard let l = rows[a] else { return false }
            return l.expire.secondsSinceEpoch == expire && l.state == state
        }.compactMap { rows[$0] }
    }
}

