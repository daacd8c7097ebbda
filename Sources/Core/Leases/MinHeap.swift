/// A binary min-heap, shared by the lease store's expiry index, the simulator's event queue
/// and the load generator's timers.
public struct MinHeap<Element: Comparable & Sendable>: Sendable {
    /// Exposed to the inliner so that other modules get a specialized heap.
    @usableFromInline var items: [Element] = []

    @inlinable
    public init() {}
    @inlinable
    public init(_ elements: [Element]) {
        items = elements
        var i = items.count / 2 - 1
        while i >= 0 { siftDown(i); i -= 1 }
    }

    @inlinable
    public var count: Int { items.count }
    @inlinable
    public var isEmpty: Bool { items.isEmpty }
    @inlinable
    public func peek() -> Element? { items.first }

    @inlinable
    public mutating func push(_ e: Element) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[i] < items[p] else { break }
            items.swapAt(i, p)
            i = p
        }
    }

    @discardableResult
    @inlinable
    public mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let e = items.removeLast()
        siftDown(0)
        return e
    }

    @inlinable
    mutating func siftDown(_ start: Int) {
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
