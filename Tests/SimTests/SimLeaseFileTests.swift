import XCTest
@testable import KakapoCore
@testable import KakapoSim

/// The simulated lease file compacts without parsing: it must give exactly the text the
/// daemon's lease file cleanup gives (replay the file through the loader, one row per live
/// lease in address order).
final class SimLeaseFileTests: XCTestCase {
    /// What compaction did before SimLeaseFile: replay the rows, write the live leases.
    static func referenceCompaction(_ rows: [String]) -> [String] {
        var live = MemoryLeaseStore4()
        _ = LeaseFile4.load(text: LeaseFile4.header + "\n" + rows.map { $0 + "\n" }.joined(), into: &live)
        return live.all().map { LeaseFile4.row($0) }
    }

    func testCompactionMatchesReplayThroughTheLoader() {
        var rng = SimRandom(seed: 11)
        var file = SimLeaseFile(minimumCompactAt: 64)
        var rows: [String] = []   // the reference file's rows
        var compactions = 0
        for step in 0..<5_000 {
            let a = IPv4Address(192, 0, 2, UInt8(rng.between(1, 40)))
            let mac: [UInt8] = [2, 0, 0, 0, 0, UInt8(rng.between(1, 30))]
            var l = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: mac),
                           clientID: rng.chance(0.5) ? [1] + mac : nil, validLifetimeSeconds: 600,
                           expire: WallTime(secondsSinceEpoch: 1_800_000_000 + Int64(step)), subnetID: 1)
            if rng.chance(0.2) { l.hostname = "host,\(step)" }
            let change: LeaseChange4
            let replay: SimLeaseFile.Replay
            switch rng.between(0, 9) {
            case 0...5:
                change = .upsert(l); replay = .upserts
            case 6:
                // Declined: identity wiped, still a live row.
                l.hardwareAddress = nil; l.clientID = nil; l.state = .declined
                change = .upsert(l); replay = .upserts
            case 7:
                // No identity and not declined: the loader refuses the row.
                l.hardwareAddress = nil; l.clientID = nil
                change = .upsert(l); replay = .skipped
            case 8:
                l.validLifetimeSeconds = 0
                change = .upsert(l); replay = .deletes
            default:
                change = .delete(l); replay = .deletes
            }
            let row: String
            if case .delete = change { row = LeaseFile4.deletionRow(l) } else { row = LeaseFile4.row(l) }
            rows.append(row)
            file.append(row)
            let before = file.rowCount
            file.noteLastRow(address: a.value, replay)
            if file.rowCount < before {
                compactions += 1
                rows = Self.referenceCompaction(rows)
            }
            XCTAssertEqual(file.text(header: LeaseFile4.header), LeaseFile4.header + "\n" + rows.map { $0 + "\n" }.joined(),
                           "after step \(step)")
            if file.rowCount != rows.count { return XCTFail("row count diverged at step \(step)") }
        }
        XCTAssertGreaterThan(compactions, 10)
    }
}
