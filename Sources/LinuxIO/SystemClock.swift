import CShim
import Glibc
import KakapoCore

/// Reads the two clocks Core needs. Wall time for lease expiry, CLOCK_MONOTONIC for timers.
/// Notices the wall clock stepping (NTP, an operator) so it can be logged: a step is kept
/// until it is taken, so no read can lose it.
public struct SystemClock {
    private var last: Now?
    /// Wall-clock steps seen and not yet taken, in seconds (negative: backwards).
    private var pendingStepSeconds: Int64 = 0
    /// How far the wall clock may drift from the monotonic one between two reads before it
    /// counts as a step (reads are at most a poll timeout apart, so drift is tiny).
    public static let stepToleranceSeconds: Int64 = 2

    public init() {}

    public mutating func now() -> Now {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let wall = Int64(ts.tv_sec)
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let mono = Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        let n = Now(wall: WallTime(secondsSinceEpoch: wall), monotonic: MonotonicInstant(milliseconds: mono))
        note(n)
        return n
    }

    /// Compares a reading with the previous one (separate from `now()` so tests can feed it).
    public mutating func note(_ n: Now) {
        if let p = last {
            let step = SystemClock.step(from: p, to: n)
            if step != 0 { pendingStepSeconds += step }
        }
        last = n
    }

    /// How far the wall clock moved beyond what the monotonic clock says elapsed, if more than
    /// the tolerance; else 0.
    public static func step(from a: Now, to b: Now) -> Int64 {
        let wallDelta = b.wall.secondsSinceEpoch - a.wall.secondsSinceEpoch
        let monoDelta = (b.monotonic.milliseconds - a.monotonic.milliseconds) / 1000
        let skew = wallDelta - monoDelta
        return abs(skew) > stepToleranceSeconds ? skew : 0
    }

    /// The steps seen since the last call (nil when none), and forgets them.
    public mutating func takeWallStep() -> Int64? {
        defer { pendingStepSeconds = 0 }
        return pendingStepSeconds == 0 ? nil : pendingStepSeconds
    }

    /// CLOCK_MONOTONIC in microseconds (latency measurements).
    public static func monotonicMicroseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000
    }

    /// Wall time with microseconds, for log lines and statistic timestamps.
    public static func wallMicroseconds() -> (seconds: Int, micros: Int) {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return (Int(ts.tv_sec), Int(ts.tv_nsec) / 1000)
    }

    /// "2026-11-29 13:31:02.123456" in local time, as Kea prints timestamps.
    public static func localTimestamp(seconds: Int, micros: Int, fractionDigits: Int = 6) -> String {
        var t = time_t(seconds)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var buf = [CChar](repeating: 0, count: 64)
        let n = strftime(&buf, buf.count, "%Y-%m-%d %H:%M:%S", &tmv)
        let base = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard fractionDigits > 0 else { return base }
        var frac = String(micros)
        while frac.count < 6 { frac = "0" + frac }
        return base + "." + frac.prefix(fractionDigits)
    }
}
