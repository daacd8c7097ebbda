import XCTest
@testable import KakapoCore

/// The lease file cleanup merge (kakapo-lfc and the daemons' snapshot share its output):
/// later rows win, deletions remove, malformed rows are skipped and counted as Kea counts
/// them, the output has one row per live lease in address order under the current header.
final class LeaseFileCleanupTests: XCTestCase {
    static let header4Kea22 =
        "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context"

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    func testV4LaterRowsWinDeletionsApplyMalformedCounted() throws {
        let previous = """
        \(Self.header4Kea22)
        192.0.2.20,02:00:00:00:00:20,,3600,1800000020,1,0,0,b,0,
        192.0.2.10,02:00:00:00:00:10,,3600,1800000010,1,0,0,a,0,
        192.0.2.30,02:00:00:00:00:30,,3600,1800000030,1,0,0,c,0,

        """
        let copy = """
        \(LeaseFile4.header)
        192.0.2.10,02:00:00:00:00:10,,3600,1800009999,1,0,0,a-renewed,0,,0
        192.0.2.20,02:00:00:00:00:20,,0,1800000000,1,0,0,b,0,,0
        not-an-address,02:00:00:00:00:99,,3600,1800000000,1,0,0,,0,,0
        192.0.2.5,02:00:00:00:00:05,01:02:00:00:00:00:05,3600,1800000005,2,1,1,e&#x2cf,0,,4
        192.0.2.40,02:00:00:00:00:40,,0,1800000000,1,0,0,never-there,0,,0

        """
        let outcome = try LeaseFileCleanup.merge4([.init(name: "L.2", text: previous), .init(name: "L.1", text: copy)]).get()
        let rows = Self.lines(outcome.text)
        XCTAssertEqual(rows.first, LeaseFile4.header)
        XCTAssertEqual(rows.dropFirst().map { $0.split(separator: ",")[0] }, ["192.0.2.5", "192.0.2.10", "192.0.2.30"])
        XCTAssertEqual(rows[1], "192.0.2.5,02:00:00:00:00:05,01:02:00:00:00:00:05,3600,1800000005,2,1,1,e&#x2cf,0,,4")
        XCTAssertEqual(rows[2], "192.0.2.10,02:00:00:00:00:10,,3600,1800009999,1,0,0,a-renewed,0,,0")
        XCTAssertEqual(rows[3], "192.0.2.30,02:00:00:00:00:30,,3600,1800000030,1,0,0,c,0,,0")

        let r = outcome.report
        XCTAssertEqual(r.files.map(\.name), ["L.2", "L.1"])
        XCTAssertEqual(r.files.map(\.leases), [3, 4])  // deletion rows count as leases read, as in Kea
        XCTAssertEqual(r.files.map(\.attempts), [4, 6])  // rows + the read that finds the end
        XCTAssertEqual(r.files[1].errors.map(\.line), [4])
        XCTAssertEqual(r.leasesRead, 7)
        XCTAssertEqual(r.readAttempts, 10)
        XCTAssertEqual(r.readErrors, 1)
        XCTAssertEqual(r.leasesWritten, 3)
        XCTAssertEqual(r.writeAttempts, 3)
        XCTAssertEqual(r.files[1].leasesDeleted, 2)
    }

    /// The numbers kea-lfc 2.2 printed for the same two files (LFC_READ_STATS "Leases: 8,
    /// attempts: 11, errors: 1.", LFC_WRITE_STATS "Leases: 3, attempts: 3, errors: 0.").
    func testStatsMatchKeaLfcOnTheFixture() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/leases/kea-2.2-leases4.csv")
        let copy = try String(contentsOf: fixture, encoding: .utf8)
        let previous = """
        \(Self.header4Kea22)
        192.0.2.9,02:00:00:00:10:09,,100,2111319895,1,0,0,x,0,
        bad,row
        192.0.2.170,02:00:00:00:10:03,,0,2111319897,1,0,0,kk-fixture-3,0,

        """
        let r = try LeaseFileCleanup.merge4([.init(name: "L.2", text: previous), .init(name: "L.1", text: copy)]).get().report
        XCTAssertEqual([r.leasesRead, r.readAttempts, r.readErrors], [8, 11, 1])
        XCTAssertEqual([r.leasesWritten, r.writeAttempts, r.writeErrors], [3, 3, 0])
    }

    func testV6AddressesAndPrefixesLaterRowsWinDeletionsApply() throws {
        let h = LeaseFile6.header
        let duidA = "00:01:00:01:aa:bb:cc:dd:ee:01", duidB = "00:01:00:01:aa:bb:cc:dd:ee:02"
        let previous = """
        \(h)
        2001:db8:1::10,\(duidA),4000,1800004000,1,3000,0,1,128,0,0,,,0,,,,0
        2001:db8:1::11,\(duidB),4000,1800004000,1,3000,0,2,128,0,0,,,0,,,,0
        2001:db8:8000::,\(duidA),4000,1800004000,1,3000,2,3,56,0,0,,,0,,,,0

        """
        let copy = """
        \(h)
        2001:db8:1::10,\(duidA),4000,1800008888,1,3000,0,1,128,0,0,host-a,02:00:00:00:00:01,0,,1,0,0
        2001:db8:1::11,\(duidB),0,1800000000,1,0,0,2,128,0,0,,,0,,,,0
        2001:db8:1::zz,\(duidB),4000,1800004000,1,3000,0,2,128,0,0,,,0,,,,0
        2001:db8:1::12,,4000,1800004000,1,3000,0,2,128,0,0,,,0,,,,0

        """
        let outcome = try LeaseFileCleanup.merge6([.init(name: "L6.2", text: previous), .init(name: "L6.1", text: copy)]).get()
        var store = MemoryLeaseStore6()
        let reload = LeaseFile6.load(text: outcome.text, into: &store)
        XCTAssertEqual(reload.errors, [])
        let all = store.all()
        XCTAssertEqual(all.map(\.address.description), ["2001:db8:1::10", "2001:db8:8000::"])
        XCTAssertEqual(all[0].expire.secondsSinceEpoch, 1_800_008_888)
        XCTAssertEqual(all[0].hostname, "host-a")
        XCTAssertEqual(all[1].type, .delegatedPrefix)
        XCTAssertEqual(all[1].prefixLength, 56)
        XCTAssertEqual(Self.lines(outcome.text).first, LeaseFile6.header)
        XCTAssertEqual(Self.lines(outcome.text).count, 3)

        let r = outcome.report
        XCTAssertEqual(r.readErrors, 2)  // a bad address, a lease with no DUID
        XCTAssertEqual(r.leasesRead, 5)
        XCTAssertEqual(r.readAttempts, 4 + 5)
        XCTAssertEqual(r.leasesWritten, 2)
    }

    func testMissingAndEmptyFiles() throws {
        let none = try LeaseFileCleanup.merge4([.init(name: "a", text: nil), .init(name: "b", text: nil)]).get()
        XCTAssertEqual(none.text, LeaseFile4.header + "\n")
        XCTAssertEqual([none.report.leasesRead, none.report.readAttempts, none.report.leasesWritten], [0, 0, 0])
        // kea-lfc counts one read for an empty file and loads nothing from it.
        let empty = try LeaseFileCleanup.merge6([.init(name: "a", text: ""), .init(name: "b", text: nil)]).get()
        XCTAssertEqual(empty.text, LeaseFile6.header + "\n")
        XCTAssertEqual(empty.report.readAttempts, 1)
        XCTAssertEqual(empty.report.files.map(\.loaded), [false, false])
    }

    func testHeaderlessFileFailsWithKeasText() {
        let result = LeaseFileCleanup.merge4([.init(name: "L.1", text: "192.0.2.9,02:00:00:00:10:09,,100,2111319895,1,0,0,x,0,\n")])
        XCTAssertEqual(result.failure?.description,
                       "invalid header '192.0.2.9,02:00:00:00:10:09,,100,2111319895,1,0,0,x,0,' in CSV file 'L.1'")
        var report = LeaseFileCleanup.Report()
        _ = LeaseFileCleanup.merge6([.init(name: "L.1", text: "garbage\n")], report: &report)
        XCTAssertEqual(report.files.map(\.loaded), [true], "Kea logs the load before it reads the header")
    }

    func testMoreThanAHundredBadRowsFails() {
        func file(bad: Int) -> String {
            LeaseFile4.header + "\n" + String(repeating: "bad,row\n", count: bad)
                + "192.0.2.1,02:00:00:00:00:01,,3600,1800000000,1,0,0,,0,,0\n"
        }
        let ok = LeaseFileCleanup.merge4([.init(name: "L.1", text: file(bad: 100))])
        XCTAssertEqual(ok.success?.report.readErrors, 100)
        XCTAssertEqual(ok.success?.report.leasesWritten, 1)
        XCTAssertEqual(LeaseFileCleanup.merge4([.init(name: "L.1", text: file(bad: 101))]).failure,
                       .tooManyErrors(file: "L.1", limit: 100))
        XCTAssertEqual(LeaseFileCleanup.merge4([.init(name: "L.1", text: file(bad: 101))], rowErrorsMax: 0).success?.report.readErrors, 101)
        // What was read before the failure is reported: the previous file's rows, and the
        // failing file's errors up to the one over the limit (Kea stops reading there).
        var report = LeaseFileCleanup.Report()
        let failed = LeaseFileCleanup.merge4([.init(name: "L.2", text: file(bad: 3)), .init(name: "L.1", text: file(bad: 150)),
                                              .init(name: "L.0", text: file(bad: 0))], report: &report)
        XCTAssertEqual(failed.failure, .tooManyErrors(file: "L.1", limit: 100))
        XCTAssertEqual(report.files.map(\.name), ["L.2", "L.1"])
        XCTAssertEqual(report.files.map(\.loaded), [true, true])
        XCTAssertEqual(report.files.map(\.errors.count), [3, 101])
        XCTAssertEqual(report.files[1].errors.last?.line, 102)
    }

    /// The daemons' snapshot and the tool write with the same function: replaying the same
    /// texts into a store and writing `all()` gives the merge's text byte for byte.
    func testMergeEqualsStoreSnapshot() throws {
        let a = LeaseFile4.header + "\n192.0.2.7,02:00:00:00:00:07,,60,100,1,0,0,h,0,,0\n192.0.2.3,02:00:00:00:00:03,,60,100,1,0,0,,1,,0\n"
        let b = LeaseFile4.header + "\n192.0.2.7,02:00:00:00:00:07,,60,200,1,0,0,h2,0,{ \"a\": 1 },0\n"
        var store = MemoryLeaseStore4()
        _ = LeaseFile4.load(text: a, into: &store)
        _ = LeaseFile4.load(text: b, into: &store)
        let merged = try LeaseFileCleanup.merge4([.init(name: "a", text: a), .init(name: "b", text: b)]).get().text
        XCTAssertEqual(merged, LeaseFile4.text(of: store.all()))
        XCTAssertEqual(Self.lines(merged).count, 3)
    }
}

