import KakapoCore

/// The simulator's only source of randomness: xoshiro256** seeded through SplitMix64, with
/// independent sub-streams per subsystem (network, each client, faults), so that adding a
/// client does not change what the network does (VOPR-style sub-seeds).
public struct SimRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
    }

    /// An independent stream for a named subsystem and index.
    public static func stream(seed: UInt64, subsystem: UInt64, index: UInt64 = 0) -> SimRandom {
        SimRandom(seed: seed ^ (subsystem &* 0xA24B_AED4_963E_E407) ^ (index &* 0x9FB2_1C65_1E98_DF25))
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// True with probability p.
    public mutating func chance(_ p: Double) -> Bool { p > 0 && unit() < p }

    /// Uniform integer in lo...hi.
    public mutating func between(_ lo: Int64, _ hi: Int64) -> Int64 {
        guard hi > lo else { return lo }
        return lo + Int64(next() % UInt64(hi - lo + 1))
    }

    public mutating func sample(_ d: Distribution) -> Int64 {
        switch d {
        case .fixed(let v): return v
        case .uniform(let a, let b): return between(a, b)
        case .exponential(let mean):
            let u = max(unit(), 1e-12)
            return Int64(-Double(mean) * log(u))
        }
    }
}

/// Natural logarithm without Foundation (series on the mantissa; enough for sampling).
func log(_ x: Double) -> Double {
    precondition(x > 0, "log of a non-positive number")
    var e = 0
    var m = x
    while m > 2 { m /= 2; e += 1 }
    while m < 1 { m *= 2; e -= 1 }
    // ln(m) for m in [1, 2): atanh series on (m-1)/(m+1).
    let y = (m - 1) / (m + 1)
    let y2 = y * y
    var term = y
    var sum = 0.0
    var k = 1.0
    for _ in 0..<30 {
        sum += term / k
        term *= y2
        k += 2
    }
    return 2 * sum + Double(e) * 0.693_147_180_559_945_3
}

/// Timed events; ties broken by insertion order, so runs are exact. The heap holds small
/// (time, seq, slot) entries; payloads sit in a slot array so sifting moves no large values.
/// A 4-ary heap: half the depth of a binary one, and a node's children share a cache line
/// (pop's sift-down dominates with a hundred thousand timers queued).
struct EventQueue<Payload> {
    /// 16 bytes, four to a cache line: a 32-bit sequence number, renumbered in order on the
    /// rare run that uses them all up (`renumber`).
    struct Entry {
        var time: Int64
        var seq: UInt32
        var slot: Int32
        @inline(__always)
        static func before(_ a: Entry, _ b: Entry) -> Bool { a.time != b.time ? a.time < b.time : a.seq < b.seq }
    }
    private var heap: [Entry] = []
    private var slots: [Payload?] = []
    private var free: [Int32] = []
    private var nextSeq: UInt32 = 0

    var count: Int { heap.count }

    mutating func push(_ time: Int64, _ payload: Payload) {
        let slot: Int32
        if let f = free.popLast() {
            slot = f
            slots[Int(f)] = payload
        } else {
            slot = Int32(slots.count)
            slots.append(payload)
        }
        if nextSeq == UInt32.max { renumber() }
        let e = Entry(time: time, seq: nextSeq, slot: slot)
        nextSeq += 1
        // Sift up: move parents down until e's place is found.
        var i = heap.count
        heap.append(e)
        heap.withUnsafeMutableBufferPointer { h in
            while i > 0 {
                let parent = (i - 1) >> 2
                guard Entry.before(e, h[parent]) else { break }
                h[i] = h[parent]
                i = parent
            }
            h[i] = e
        }
    }

    /// Numbers the queued entries 0, 1, ... in their (time, seq) order: every comparison
    /// between them gives what it gave, so the heap stays a heap and ties keep their order.
    private mutating func renumber() {
        var order = Array(heap.indices)
        order.sort { Entry.before(heap[$0], heap[$1]) }
        for (rank, i) in order.enumerated() { heap[i].seq = UInt32(rank) }
        nextSeq = UInt32(heap.count)
    }

    /// For tests: the next sequence number, to start near the end of the range.
    mutating func setNextSequenceForTesting(_ seq: UInt32) {
        precondition(seq >= nextSeq, "sequence numbers only grow")
        nextSeq = seq
    }

    mutating func pop() -> (time: Int64, payload: Payload)? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        let n = heap.count
        if n > 0 {
            // Sift down: move the smallest child up until last's place is found.
            heap.withUnsafeMutableBufferPointer { h in
                var i = 0
                while true {
                    let first = 4 * i + 1
                    if first >= n { break }
                    var m = first
                    let end = min(first + 4, n)
                    var c = first + 1
                    while c < end {
                        if Entry.before(h[c], h[m]) { m = c }
                        c += 1
                    }
                    guard Entry.before(h[m], last) else { break }
                    h[i] = h[m]
                    i = m
                }
                h[i] = last
            }
        }
        let payload = slots[Int(top.slot)].take()!
        free.append(top.slot)
        return (top.time, payload)
    }
}
