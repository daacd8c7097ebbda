import XCTest
@testable import KakapoSim

/// The event queue pops by time, ties in insertion order, under any mix of pushes and pops.
final class EventQueueTests: XCTestCase {
    func testPopsInTimeThenInsertionOrder() { check(startingSequence: nil) }

    /// Sequence numbers are 32 bits: when they run out, the queued entries are renumbered in
    /// order and ties still pop in insertion order.
    func testOrderSurvivesRenumbering() { check(startingSequence: UInt32.max - 3_000) }

    private func check(startingSequence: UInt32?) {
        var rng = SimRandom(seed: 5)
        var q = EventQueue<Int>()
        if let s = startingSequence { q.setNextSequenceForTesting(s) }
        var model: [(time: Int64, seq: Int)] = []   // kept sorted by (time, seq)
        var seq = 0, popped = 0
        for _ in 0..<20_000 {
            if rng.chance(0.55) || model.isEmpty {
                let t = rng.between(0, 300)   // many equal times
                q.push(t, seq)
                let at = model.firstIndex { $0.time > t } ?? model.count
                model.insert((t, seq), at: at)
                seq += 1
            } else {
                guard let e = q.pop() else { return XCTFail("queue empty with \(model.count) queued") }
                let want = model.removeFirst()
                XCTAssertEqual(e.time, want.time)
                XCTAssertEqual(e.payload, want.seq)
                popped += 1
            }
            XCTAssertEqual(q.count, model.count)
        }
        while let e = q.pop() {
            let want = model.removeFirst()
            XCTAssertEqual(e.time, want.time)
            XCTAssertEqual(e.payload, want.seq)
        }
        XCTAssertTrue(model.isEmpty)
        XCTAssertGreaterThan(popped, 5_000)
    }
}
