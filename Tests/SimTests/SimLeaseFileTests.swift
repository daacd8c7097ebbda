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
            if case .delete = change { file.append(rowOf: l, deletion: true) } else { file.append(rowOf: l) }
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

    /// A leases4 row as text, the way LeaseFile4.row wrote it before rows were written as
    /// bytes (string interpolation): the reference the byte writer is held to.
    static func referenceRow(_ l: Lease4, deletion: Bool) -> String {
        var s = l.address.description
        s += "," + (l.hardwareAddress.map { HexText.colonSeparated($0.bytes) } ?? "")
        s += "," + (l.clientID.map { HexText.colonSeparated($0) } ?? "")
        s += ",\(deletion ? 0 : l.validLifetimeSeconds),\(deletion ? l.cltt.secondsSinceEpoch : l.expire.secondsSinceEpoch),\(l.subnetID)"
        s += l.fqdnForward ? ",1" : ",0"
        s += l.fqdnReverse ? ",1" : ",0"
        s += "," + LeaseFile4.escape(l.hostname)
        s += ",\(l.state.rawValue)," + LeaseFile4.escape(l.userContext) + ",\(l.poolID)"
        return s
    }

    /// The rows the simulator's lease file and the daemon's memfile write as bytes
    /// (`LeaseFile4.appendRow`) are the text rows, byte for byte, whatever the fields hold.
    func testByteRowsMatchLeaseFile4Rows() {
        var rng = SimRandom(seed: 5)
        let names = ["", "host-1", "a,b", "x&y,z", "caf\u{e9}", "&#x2c"]
        let contexts = ["", "{ \"a\": 1 }", "{ \"list\": [1,2] }"]
        for step in 0..<2_000 {
            let octets = (0..<4).map { _ in UInt8(rng.between(0, 255)) }
            let a = IPv4Address(octets[0], octets[1], octets[2], octets[3])
            let hwLength = Int(rng.between(0, 20))
            let hw = (0..<hwLength).map { _ in UInt8(rng.between(0, 255)) }
            var l = Lease4(address: step == 0 ? IPv4Address(0) : a,
                           hardwareAddress: rng.chance(0.8) ? HardwareAddress(bytes: hw) : nil,
                           clientID: rng.chance(0.5) ? (0..<Int(rng.between(1, 9))).map { _ in UInt8(rng.between(0, 255)) } : nil,
                           validLifetimeSeconds: step == 1 ? UInt32.max : UInt32(rng.between(0, 100_000)),
                           expire: WallTime(secondsSinceEpoch: step == 2 ? Int64.min + 1 : step == 3 ? Int64.max
                                            : rng.between(-100_000, 3_000_000_000)),
                           subnetID: step == 4 ? UInt32.max : UInt32(rng.between(0, 1_000)))
            l.fqdnForward = rng.chance(0.5)
            l.fqdnReverse = rng.chance(0.5)
            l.hostname = names[Int(rng.between(0, Int64(names.count - 1)))]
            l.state = [LeaseState.assigned, .declined, .expiredReclaimed][Int(rng.between(0, 2))]
            l.userContext = contexts[Int(rng.between(0, Int64(contexts.count - 1)))]
            l.poolID = UInt32(rng.between(0, 70_000))
            for deletion in [false, true] where !(deletion && step < 4) {
                var bytes: [UInt8] = []
                LeaseFile4.appendRow(l, deletion: deletion, to: &bytes)
                XCTAssertEqual(String(decoding: bytes, as: UTF8.self), Self.referenceRow(l, deletion: deletion),
                               "step \(step), deletion \(deletion)")
                XCTAssertEqual(deletion ? LeaseFile4.deletionRow(l) : LeaseFile4.row(l), Self.referenceRow(l, deletion: deletion),
                               "step \(step), deletion \(deletion)")
            }
        }
    }
}
