/// One statistic's current value and when it last changed (Kea reports a timestamp per sample).
public struct StatSample: Sendable, Equatable {
    public var value: Int64
    public var updated: WallTime

    public init(value: Int64, updated: WallTime) {
        self.value = value
        self.updated = updated
    }
}

/// How many samples a statistic keeps, as Kea's observations do: at most `count` samples, or
/// (`age`) every sample no older than that many seconds before the newest one.
public enum StatLimit: Sendable, Equatable {
    case count(UInt32)
    case age(Int64)

    /// Kea's default: 20 samples.
    public static let keaDefault = StatLimit.count(20)

    /// The limit `statistic-default-sample-count` and `statistic-default-sample-age` give: the
    /// count unless it is zero, then the age (Kea's rule); Kea's default where neither is set.
    public static func fromConfig(sampleCount: Int64?, sampleAge: Int64?) -> StatLimit {
        if let count = sampleCount {
            if count != 0 { return .count(UInt32(truncatingIfNeeded: count)) }
            return .age(max(0, sampleAge ?? 0))
        }
        return keaDefault
    }
}

/// The retained samples of one statistic: a ring, newest last, that stops allocating once it
/// holds as many samples as its limit allows. A statistic that was never set or was removed
/// holds nothing (`isPresent` false); the next update brings it back with the limit the
/// statistics' default gives at that time, as Kea re-creates a removed observation.
public struct StatRing: Sendable {
    /// Ring storage; `start` is the oldest sample, `count` samples follow it (wrapping).
    var buffer: ContiguousArray<StatSample> = []
    var start: Int32 = 0
    var count: Int32 = 0
    /// The limit set for this statistic by statistic-sample-*-set; nil: the default.
    public internal(set) var limit: StatLimit?

    public init() {}

    /// A ring holding one sample.
    public init(value: Int64, at now: WallTime) {
        record(value, at: now, defaultLimit: .count(1))
    }

    /// Whether the statistic exists (was set and not removed since).
    @inline(__always) public var isPresent: Bool { count > 0 }

    /// The number of samples kept.
    public var sampleCount: Int { Int(count) }

    /// The newest sample; nil when the statistic does not exist.
    public var newest: StatSample? { count > 0 ? buffer[index(Int(count) - 1)] : nil }

    /// The current value (0 for a statistic that does not exist).
    @inline(__always) public var value: Int64 { count > 0 ? buffer[index(Int(count) - 1)].value : 0 }

    /// The samples kept, newest first (Kea's order).
    public var samplesNewestFirst: [StatSample] {
        (0..<Int(count)).reversed().map { buffer[index($0)] }
    }

    @inline(__always) func index(_ i: Int) -> Int {
        let j = Int(start) + i
        return j < buffer.count ? j : j - buffer.count
    }

    /// Adds `delta` to the current value (a statistic that does not exist starts from 0, as
    /// Kea's addValue creates it with the delta).
    @inline(__always)
    public mutating func add(_ delta: Int64, at now: WallTime, defaultLimit: StatLimit) {
        record(value &+ delta, at: now, defaultLimit: defaultLimit)
    }

    /// Records a new current value at `now`, dropping what the limit no longer allows.
    public mutating func record(_ value: Int64, at now: WallTime, defaultLimit: StatLimit) {
        let sample = StatSample(value: value, updated: now)
        let maxCount: Int
        switch limit ?? defaultLimit {
        case .count(let n):
            maxCount = max(1, Int(n))
        case .age(let seconds):
            // Drop what the new sample makes too old (Kea compares with the newest sample).
            while count > 0, now.secondsSinceEpoch - buffer[Int(start)].updated.secondsSinceEpoch > seconds {
                dropOldest()
            }
            maxCount = Int.max
        }
        if Int(count) < buffer.count {
            buffer[index(Int(count))] = sample
            count += 1
        } else if Int(count) < maxCount {
            grow(to: maxCount)
            buffer.append(sample)
            count += 1
        } else {
            // Full at the limit: the new sample takes the oldest's slot.
            buffer[Int(start)] = sample
            start = Int32(index(1))
        }
    }

    /// Makes room for one more sample: linear storage, capacity doubling up to `maxCount`.
    mutating func grow(to maxCount: Int) {
        if start != 0 {
            buffer = ContiguousArray((0..<Int(count)).map { buffer[index($0)] })
            start = 0
        }
        if buffer.capacity == buffer.count {
            buffer.reserveCapacity(min(maxCount, max(2, buffer.count * 2)))
        }
    }

    mutating func dropOldest() {
        start = Int32(index(1))
        count -= 1
        if count == 0 { start = 0 }
    }

    /// statistic-reset: the samples go, one sample of 0 at `now` stays.
    public mutating func reset(at now: WallTime, defaultLimit: StatLimit) {
        start = 0
        count = 0
        record(0, at: now, defaultLimit: defaultLimit)
    }

    /// statistic-remove: the statistic no longer exists, its memory and limit go with it.
    public mutating func remove() {
        buffer = []
        start = 0
        count = 0
        limit = nil
    }

    /// statistic-sample-count-set / -age-set (nil: back to the default): keeps only what the
    /// limit allows, dropping the oldest samples.
    public mutating func setLimit(_ newLimit: StatLimit?, defaultLimit: StatLimit) {
        limit = newLimit
        switch newLimit ?? defaultLimit {
        case .count(let n):
            while Int(count) > max(1, Int(n)) { dropOldest() }
            if buffer.count > max(1, Int(n)) {
                buffer = ContiguousArray((0..<Int(count)).map { buffer[index($0)] })
                start = 0
            }
        case .age(let seconds):
            guard let newest else { return }
            while count > 1, newest.updated.secondsSinceEpoch - buffer[Int(start)].updated.secondsSinceEpoch > seconds {
                dropOldest()
            }
        }
    }
}
