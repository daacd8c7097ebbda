/// A binary min-heap, shared by the lease store's expiry index, the simulator's event queue
/// and the load generator's timers.
public struct MinHeap<Element: Comparable & Sendable>: Sendable {
    private(set) var items: [Element] = []

    public init() {}
    public init(_ elements: [Element]) {
        items = elements
        var i = items.count / 2 - 1
        while i >= 0 { siftDown(i); i -= 1 }
    }

    public var count: Int { items.count }
    public var isEmpty: Bool { items.isEmpty }
    public func peek() -> Element? { items.first }

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
    public mutating func pop() -> Element? {
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
