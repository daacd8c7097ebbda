import XCTest
@testable import KakapoCore

/// `Effects.expectedRow(at:view:)`, the row a new write is conditional on, against its
/// definition: the last earlier write at the address (nil for a deletion), else the view.
/// Enough writes to pass from the short scan to the index, as an unlimited reclamation does.
final class ExpectedRowTests: XCTestCase {
    /// The definition, by a scan of every earlier write.
    private static func reference(_ e: Effects4, _ a: IPv4Address, _ view: [IPv4Address: Lease4]) -> Lease4? {
        if let w = e.writes.last(where: { $0.change.lease.address == a }) { return w.change.written }
        return view[a]
    }

    private static func lease(_ a: IPv4Address, _ n: UInt32) -> Lease4 {
        Lease4(address: a, hardwareAddress: HardwareAddress(bytes: [0, 1, 2, 3, 4, UInt8(n % 251)]), clientID: nil,
               validLifetimeSeconds: 3600, expire: WallTime(secondsSinceEpoch: 1_800_000_000 + Int64(n)), subnetID: 1)
    }

    /// Goal: the same row as the definition for every address, hit or miss, before and after
    /// the index takes over, with upserts, deletions and rewrites of the same address.
    /// Method: 600 commits over 150 addresses (a deterministic generator), each checked for
    /// one written and one random address; the view holds rows for half of the addresses.
    func testMatchesTheLastEarlierWriteOrTheView() {
        var view: [IPv4Address: Lease4] = [:]
        for i in stride(from: 0, to: 150, by: 2) {
            let a = IPv4Address(0xC000_0200 + UInt32(i))
            view[a] = Self.lease(a, 100_000 + UInt32(i))
        }
        var e = Effects4()
        var seed: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ n: UInt64) -> UInt64 {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17
            return seed % n
        }
        var hits = 0, deletionsSeen = 0
        for step in 0..<600 {
            let a = IPv4Address(0xC000_0200 + UInt32(next(150)))
            let probe = IPv4Address(0xC000_0200 + UInt32(next(160)))
            let expectedProbe = Self.reference(e, probe, view)
            XCTAssertEqual(e.expectedRow(at: probe) { view[probe] }, expectedProbe, "step \(step) probe \(probe)")
            let want = Self.reference(e, a, view)
            let got = e.expectedRow(at: a) { view[a] }
            XCTAssertEqual(got, want, "step \(step) address \(a)")
            if e.writes.contains(where: { $0.change.lease.address == a }) {
                hits += 1
                if want == nil { deletionsSeen += 1 }
            }
            let change: LeaseChange4 = next(4) == 0 ? .delete(got ?? Self.lease(a, UInt32(step))) : .upsert(Self.lease(a, UInt32(step)))
            // The engines' way (`appendWrite` keeps the index); every 50th through `writes`.
            if step % 50 == 49 {
                e.writes.append(LeaseWrite4(change: change, expected: got))
            } else {
                e.appendWrite(LeaseWrite4(change: change, expected: got))
            }
        }
        // The fixture exercises what it claims: past the scan, repeated addresses, deletions.
        XCTAssertGreaterThan(e.writes.count, Effects4.expectedRowScanMax * 10)
        XCTAssertGreaterThan(hits, 300)
        XCTAssertGreaterThan(deletionsSeen, 20)
    }

    /// Goal: what the engines (and tests) do to `writes` besides appending is seen: a write
    /// replaced in place (DHCPv6's FQDN update), a shorter list, a list assigned anew.
    func testFollowsWritesChangedBetweenCalls() {
        var e = Effects4()
        let addresses = (0..<100).map { IPv4Address(0xC000_0200 + UInt32($0)) }
        for (i, a) in addresses.enumerated() {
            e.writes.append(LeaseWrite4(change: .upsert(Self.lease(a, UInt32(i))), expected: nil))
        }
        XCTAssertEqual(e.expectedRow(at: addresses[40]) { nil }, Self.lease(addresses[40], 40))

        // In place, the same address: the new row.
        e.writes[40] = LeaseWrite4(change: .upsert(Self.lease(addresses[40], 9_040)), expected: nil)
        XCTAssertEqual(e.expectedRow(at: addresses[40]) { nil }, Self.lease(addresses[40], 9_040))

        // Shorter, then longer again with other addresses at the same positions (no call between).
        e.writes.removeLast(60)
        for i in 40..<100 {
            let a = IPv4Address(0xC633_6400 + UInt32(i))
            e.writes.append(LeaseWrite4(change: .upsert(Self.lease(a, UInt32(i))), expected: nil))
        }
        XCTAssertNil(e.expectedRow(at: addresses[70]) { nil })
        XCTAssertEqual(e.expectedRow(at: IPv4Address(0xC633_6400 + 70)) { nil }, Self.lease(IPv4Address(0xC633_6400 + 70), 70))
        XCTAssertEqual(e.expectedRow(at: addresses[10]) { nil }, Self.lease(addresses[10], 10))

        // One write more, but inserted at the front, not appended: it must not be taken for an
        // append (the index would then name the wrong positions).
        _ = e.expectedRow(at: addresses[10]) { nil }
        let front = IPv4Address(0xC633_6400 + 50)
        e.writes.insert(LeaseWrite4(change: .delete(Self.lease(front, 0)), expected: nil), at: 0)
        XCTAssertEqual(e.expectedRow(at: front) { nil }, Self.lease(front, 50), "the later upsert wins over the inserted deletion")
        XCTAssertEqual(e.expectedRow(at: addresses[10]) { nil }, Self.lease(addresses[10], 10))
        e.writes.removeFirst()

        // Assigned anew, as long: the rows of the new list.
        e.writes = addresses.reversed().enumerated().map { i, a in
            LeaseWrite4(change: i % 2 == 0 ? .delete(Self.lease(a, 0)) : .upsert(Self.lease(a, 7_000 + UInt32(i))), expected: nil)
        }
        for (i, a) in addresses.reversed().enumerated() {
            XCTAssertEqual(e.expectedRow(at: a) { Self.lease(a, 1) }, i % 2 == 0 ? nil : Self.lease(a, 7_000 + UInt32(i)), "\(a)")
        }
    }
}
