/// A wall-clock point in time, in whole seconds since the Unix epoch. Lease expiry is a wall-clock
/// fact: it is written to lease files and shared with other servers, so it never uses a monotonic
/// clock. Core never reads a clock: the shells pass `now` in.
public struct WallTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var secondsSinceEpoch: Int64
    public init(secondsSinceEpoch: Int64) { self.secondsSinceEpoch = secondsSinceEpoch }
    public static func < (a: WallTime, b: WallTime) -> Bool { a.secondsSinceEpoch < b.secondsSinceEpoch }
    public static func + (a: WallTime, s: Seconds) -> WallTime { WallTime(secondsSinceEpoch: a.secondsSinceEpoch + s.value) }
    public static func - (a: WallTime, s: Seconds) -> WallTime { WallTime(secondsSinceEpoch: a.secondsSinceEpoch - s.value) }
    public static func - (a: WallTime, b: WallTime) -> Seconds { Seconds(a.secondsSinceEpoch - b.secondsSinceEpoch) }
    public var description: String { String(secondsSinceEpoch) }
}

/// A span of wall-clock seconds (lifetimes, timers).
public struct Seconds: Hashable, Comparable, Sendable {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static func < (a: Seconds, b: Seconds) -> Bool { a.value < b.value }
}

/// A point on a monotonic clock, in milliseconds since some arbitrary origin, for timer deadlines.
/// Never persisted and never compared with `WallTime`.
public struct MonotonicInstant: Hashable, Comparable, Sendable {
    public var milliseconds: Int64
    public init(milliseconds: Int64) { self.milliseconds = milliseconds }
    public static func < (a: MonotonicInstant, b: MonotonicInstant) -> Bool { a.milliseconds < b.milliseconds }
    public static func + (a: MonotonicInstant, ms: Milliseconds) -> MonotonicInstant {
        MonotonicInstant(milliseconds: a.milliseconds + ms.value)
    }
    public static func - (a: MonotonicInstant, b: MonotonicInstant) -> Milliseconds {
        Milliseconds(a.milliseconds - b.milliseconds)
    }
}

/// A span on the monotonic clock.
public struct Milliseconds: Hashable, Comparable, Sendable {
    public var value: Int64
    public init(_ value: Int64) { self.value = value }
    public static func < (a: Milliseconds, b: Milliseconds) -> Bool { a.value < b.value }
}

/// The two clocks a Core engine needs, read once per input by the shell (or the simulator).
public struct Now: Sendable {
    public var wall: WallTime
    public var monotonic: MonotonicInstant
    public init(wall: WallTime, monotonic: MonotonicInstant) {
        self.wall = wall
        self.monotonic = monotonic
    }
}
