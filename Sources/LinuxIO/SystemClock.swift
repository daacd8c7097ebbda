import CShim
import Glibc
import KakapoCore

/// Reads the two clocks Core needs. Wall time for lease expiry, CLOCK_MONOTONIC for timers.
/// Notices the wall clock stepping backwards (NTP, an operator) so it can be logged.
public struct SystemClock {
    private var lastWall: Int64 = 0
    public private(set) var wallSteppedBack = false

    public init() {}

    public mutating func now() -> Now {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let wall = Int64(ts.tv_sec)
        wallSteppedBack = wall < lastWall
        lastWall = wall
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let mono = Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        return Now(wall: WallTime(secondsSinceEpoch: wall), monotonic: MonotonicInstant(milliseconds: mono))
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
