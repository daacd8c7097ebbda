import Foundation
import Glibc
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// A lease-file append that fails part way must not leave half a row behind: the next row
/// appended would be glued to it and that (acknowledged) lease lost at the next load. The
/// failure is made real with RLIMIT_FSIZE: write(2) writes up to the limit, then fails EFBIG.
final class MemfileFailureTests: XCTestCase {
    func testPartialAppendIsCutBackAndLaterRowsSurvive() throws {
        let dir = try Fixtures.temporaryDirectory("memfile-fail")
        let path = dir + "/leases4.csv"
        let m = Memfile(path: path)
        try m.openForAppend()
        XCTAssertTrue(m.append([.upsert(MemfileTests.lease(10, mac: 10))]))
        let sizeBefore = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int

        // Allow 100 more bytes: the next batch (five rows, ~450 bytes) is cut mid-row.
        signal(SIGXFSZ, SIG_IGN)
        var saved = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &saved)
        var tight = saved
        tight.rlim_cur = rlim_t(sizeBefore + 100)
        XCTAssertEqual(setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &tight), 0)
        let batch = (20..<25).map { LeaseChange4.upsert(MemfileTests.lease(UInt8($0), mac: UInt8($0))) }
        let ok = m.append(batch)
        setrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, SIG_DFL)

        XCTAssertFalse(ok, "the append must report the failure")
        XCTAssertNotNil(m.lastFailure)
        XCTAssertFalse(m.isWedged)
        let sizeAfter = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        XCTAssertEqual(sizeAfter, sizeBefore, "the partial rows are cut off")

        XCTAssertTrue(m.append([.upsert(MemfileTests.lease(30, mac: 30))]))
        XCTAssertNil(m.lastFailure)
        let replayed = try MemfileTests.replay(path)
        XCTAssertEqual(replayed.map(\.address), [IPv4Address(192, 0, 2, 10), IPv4Address(192, 0, 2, 30)],
                       "the row after the failure loads; none of the failed batch does")
    }
}
