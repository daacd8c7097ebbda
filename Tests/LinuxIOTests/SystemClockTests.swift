import XCTest
@testable import KakapoCore
@testable import KakapoLinuxIO

/// The daemon reads the clock once per loop turn; a wall-clock step seen by any read is kept
/// until the loop takes it, so none is lost. Fed with hand-made readings.
final class SystemClockTests: XCTestCase {
    func reading(wall: Int64, monotonicMilliseconds: Int64) -> Now {
        Now(wall: WallTime(secondsSinceEpoch: wall), monotonic: MonotonicInstant(milliseconds: monotonicMilliseconds))
    }

    func testSteadyClocksAreNoStep() {
        var c = SystemClock()
        c.note(reading(wall: 1_000, monotonicMilliseconds: 0))
        c.note(reading(wall: 1_001, monotonicMilliseconds: 1_000))
        c.note(reading(wall: 1_003, monotonicMilliseconds: 2_500))
        XCTAssertNil(c.takeWallStep())
    }

    func testBackwardAndForwardStepsAreReported() {
        var c = SystemClock()
        c.note(reading(wall: 1_000, monotonicMilliseconds: 0))
        c.note(reading(wall: 900, monotonicMilliseconds: 1_000))
        XCTAssertEqual(c.takeWallStep(), -101)
        XCTAssertNil(c.takeWallStep(), "a step is reported once")
        c.note(reading(wall: 4_600, monotonicMilliseconds: 2_000))
        XCTAssertEqual(c.takeWallStep(), 3_699)
    }

    /// Two steps between takes are both kept (summed), not overwritten by a later steady read.
    func testStepsAreKeptUntilTaken() {
        var c = SystemClock()
        c.note(reading(wall: 1_000, monotonicMilliseconds: 0))
        c.note(reading(wall: 950, monotonicMilliseconds: 100))
        c.note(reading(wall: 951, monotonicMilliseconds: 1_100))
        c.note(reading(wall: 940, monotonicMilliseconds: 1_200))
        XCTAssertEqual(c.takeWallStep(), -61)
    }

    func testStepRuleTolerance() {
        let a = reading(wall: 1_000, monotonicMilliseconds: 0)
        XCTAssertEqual(SystemClock.step(from: a, to: reading(wall: 1_002, monotonicMilliseconds: 0)), 0)
        XCTAssertEqual(SystemClock.step(from: a, to: reading(wall: 1_003, monotonicMilliseconds: 0)), 3)
    }
}
