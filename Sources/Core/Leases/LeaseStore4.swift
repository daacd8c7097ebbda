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
    mutating func apply(_ change: LeaseChange)
    /// Up to `limit` leases in `state` whose expiry is at or before `cutoff`, oldest first.
    mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease4]
    var count: Int { get }
    func all() -> [Lease4]
}

/// In-memory store indexed by address, hardware address, client id and expiry.
public struct MemoryLeaseStore4: LeaseStore4, Sendable {
    private var byAddress: [UInt32: Lease4] = [:]
    private var byHardware: [HardwareAddress: [UInt32]] = [:]
    private var byClientID: [[UInt8]: [UInt32]] = [:]
    /// Expiry index: a min-heap of (expire, address) with lazy deletion — an entry is stale when
    /// the lease at that address no longer has that expiry.
    private var expiryHeap = MinHeap<ExpiryEntry>()

    struct ExpiryEntry: Comparable, Sendable {
        var expire: Int64
        var address: UInt32
        static func < (a: ExpiryEntry, b: ExpiryEntry) -> Bool {
            (a.expire, a.address) < (b.expire, b.address)
        }
    }

    public init() {}

    public var count: Int { byAddress.count }

    public func lease(at address: IPv4Address) -> Lease4? { byAddress[address.value] }

    public func leases(for key: LeaseKey4) -> [Lease4] {
        switch key {
        case .address(let a): return byAddress[a.value].map { [$0] } ?? []
        case .hardwareAddress(let h): return (byHardware[h] ?? []).compactMap { byAddress[$0] }
        case .clientID(let c): return (byClientID[c] ?? []).compactMap { byAddress[$0] }
        }
    }

    public func all() -> [Lease4] { byAddress.values.sorted { $0.address < $1.address } }

    public mutating func apply(_ change: LeaseChange) {
        let lease = change.lease
        if let old = byAddress.removeValue(forKey: lease.address.value) { unindex(old) }
        if case .upsert = change {
            byAddress[lease.address.value] = lease
            index(lease)
        }
    }

    private mutating func index(_ l: Lease4) {
        if let h = l.hardwareAddress, !h.isEmpty { byHardware[h, default: []].append(l.address.value) }
        if let c = l.clientID, !c.isEmpty { byClientID[c, default: []].append(l.address.value) }
        expiryHeap.push(ExpiryEntry(expire: l.expire.secondsSinceEpoch, address: l.address.value))
        // Lazy deletion lets stale entries pile up under heavy renewal; rebuild when they dominate.
        if expiryHeap.count > 4 * byAddress.count + 1024 { rebuildExpiryIndex() }
    }

    private mutating func unindex(_ l: Lease4) {
        if let h = l.hardwareAddress, !h.isEmpty { remove(l.address.value, from: &byHardware, key: h) }
        if let c = l.clientID, !c.isEmpty { remove(l.address.value, from: &byClientID, key: c) }
    }

    private func remove<K: Hashable>(_ a: UInt32, from index: inout [K: [UInt32]], key: K) {
        guard var list = index[key] else { return }
        list.removeAll { $0 == a }
        index[key] = list.isEmpty ? nil : list
    }

    private mutating func rebuildExpiryIndex() {
        expiryHeap = MinHeap(byAddress.values.map {
            ExpiryEntry(expire: $0.expire.secondsSinceEpoch, address: $0.address.value)
        })
    }

    public mutating func expired(state: LeaseState, before cutoff: WallTime, limit: Int) -> [Lease4] {
        var out: [Lease4] = []
        var putBack: [ExpiryEntry] = []
        // Stale entries met on the way are dropped for good; live ones are pushed back.
        // Bounded: each pass pops at most the heap's size.
        while out.count < limit, let top = expiryHeap.peek(), top.expire <= cutoff.secondsSinceEpoch {
            _ = expiryHeap.pop()
            guard let l = byAddress[top.address], l.expire.secondsSinceEpoch == top.expire,
                  !putBack.contains(top) else { continue }
            putBack.append(top)
            if l.state == state { out.append(l) }
        }
        for e in putBack { expiryHeap.push(e) }
        return out
    }
}

/// A binary min-heap.
struct MinHeap<Element: Comparable & Sendable>: Sendable {
    private(set) var items: [Element] = []

    init() {}
    init(_ elements: [Element]) {
        items = elements
        var i = items.count / 2 - 1
        while i >= 0 { siftDown(i); i -= 1 }
    }

    var count: Int { items.count }
    func peek() -> Element? { items.first }

    mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[i] < items[p] else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let e = items.removeLast()
        siftDown(0)
        return e
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}
