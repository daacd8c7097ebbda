import XCTest
@testable import KakapoCore

/// Reclamation does bounded work per call (one daemon loop turn): a cycle of
/// max-reclaim-leases runs in slices of `ReclaimSlicing.leasesPerCallMax`, the next slice due
/// at once, so a mass expiry never stalls the packets waiting behind it.
final class ReclaimSlicingTests: XCTestCase {
    /// 240 clients with 60 s leases on 192.0.2.10-.249, all expired (61 s later).
    private func expiredHarness(maxReclaimLeases: UInt32) throws -> EngineHarness {
        var c = EngineHarness.config()
        c.subnets[0].pools = [Pool4(first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 249))]
        c.timers.validLifetimeSeconds = 60
        c.timers.renewTimerSeconds = nil
        c.timers.rebindTimerSeconds = nil
        c.expiredLeasesProcessing.reclaimLeasesPerCycleMax = maxReclaimLeases
        var h = EngineHarness(config: c)
        for i in 1...240 { _ = try XCTUnwrap(h.dora(mac: EngineHarness.mac(UInt8(i))), "client \(i)") }
        h.advance(seconds: 61)
        return h
    }

    /// One deadline call, settled durable; returns how many leases it changed.
    private func deadline(_ h: inout EngineHarness) -> Int {
        let e = h.engine.handleDeadline(now: h.now)
        if let id = e.transaction { _ = h.engine.handle(outcome: .durable, of: id, now: h.now) }
        return e.leaseChanges.count
    }

    func testUnlimitedCycleRunsInSlicesDueAtOnce() throws {
        var h = try expiredHarness(maxReclaimLeases: 0)
        let wait = Milliseconds(10_000)
        XCTAssertEqual(deadline(&h), ReclaimSlicing.leasesPerCallMax)
        XCTAssertEqual(h.engine.nextDeadline, h.now.monotonic, "the next slice is due at once")
        XCTAssertEqual(deadline(&h), 240 - ReclaimSlicing.leasesPerCallMax)
        XCTAssertEqual(h.engine.nextDeadline, h.now.monotonic + wait, "cycle over: reclaim-timer-wait-time")
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 240)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 0)
    }

    func testCycleBudgetIsMaxReclaimLeases() throws {
        var h = try expiredHarness(maxReclaimLeases: 200)
        XCTAssertEqual(deadline(&h), 128)
        XCTAssertEqual(h.engine.nextDeadline, h.now.monotonic)
        XCTAssertEqual(deadline(&h), 72, "the cycle's budget of 200 is spent")
        XCTAssertEqual(h.engine.nextDeadline, h.now.monotonic + Milliseconds(10_000))
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 200)
        XCTAssertEqual(deadline(&h), 0, "not due before the timer")
        h.advance(seconds: 10)
        XCTAssertEqual(deadline(&h), 40, "the next cycle takes the rest")
        XCTAssertEqual(h.engine.nextDeadline, h.now.monotonic + Milliseconds(10_000))
    }

    func testKeaDefaultCycleIsOneCall() throws {
        var h = try expiredHarness(maxReclaimLeases: 100)
        XCTAssertEqual(deadline(&h), 100)
        XCTAssertEqual(h.engine.nextDeadline, h.now.monotonic + Milliseconds(10_000))
    }

    func testCycleLeft() {
        XCTAssertEqual(ReclaimSlicing.cycleLeft(left: Int.max, slice: 128, done: 128), Int.max)
        XCTAssertNil(ReclaimSlicing.cycleLeft(left: Int.max, slice: 128, done: 127), "nothing more expired")
        XCTAssertEqual(ReclaimSlicing.cycleLeft(left: 300, slice: 128, done: 128), 172)
        XCTAssertNil(ReclaimSlicing.cycleLeft(left: 100, slice: 100, done: 100), "budget spent")
    }
}
