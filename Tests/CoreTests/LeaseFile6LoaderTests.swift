import XCTest
@testable import KakapoCore

/// The byte-level, chunked leases6 reader (`LeaseFile6.Loader`) against the String row
/// parser it replaced (`LeaseFileReference.parse6`, kept in the tests as the reference).
final class LeaseFile6LoaderTests: XCTestCase {
    // MARK: - Byte-level reader

    static let file = LeaseFile6.header + "\r\n"
        + "2001:db8:1::100,00:01:00:01:2c:5f:aa:bb:08:00:27:aa:bb:cc,3600,1800003600,1,1800,0,1,128,1,0,a&#x2cb.example.org,08:00:27:aa:bb:cc,0,{ \"a\": 1&#x2c \"b\": 2 },1,2,3\r\n"
        + "\n"
        + "2001:db8:2::,00:03:00:01:aa:bb:cc:dd:ee:ff,7200,1800007200,1,3600,2,9,56,0,0,,,0,,,,0\n"
        + "2001:db8:1::101,00:01:00:01:2c:5f:aa:bb:08:00:27:aa:bb:cc,3600,1800003600,1,1800,0,1,128,0,0,,zz,0,,1,2,0\n"
        + "not-an-address,00:01,3600,1800003600,1,1800,0,1,128,0,0,,,0,,,,0\n"
        + "2001:db8:1::102,,3600,1800003600,1,1800,0,1,128,0,0,,,0,,,,0\n"
        + "2001:db8:1::103,00:01,3600,1800003600,1,1800,7,1,128,0,0,,,0,,,,0\n"
        + "2001:db8:1::104,00:01,3600\n"
        + "2001:db8:1::105,00,3600,1800003600,1,1800,0,1,128,0,0,,,1,,,,0\n"
        + "2001:db8:1::106,00,3600,1800003600,1,1800,0,1,128,0,0,,,0,,,,0\n"
        + "2001:db8:1::107,00:01,3600,1800003600,1,1800,0,1,128,0,0,h\u{e9}te,,9,,,,0\n"
        + "2001:db8:1::100,00:01:00:01:2c:5f:aa:bb:08:00:27:aa:bb:cc,0,1800000000,1,1800,0,1,128,1,0,,,0,,,,3\n"
        + "::ffff:192.0.2.1,00:01,3600,1800003600,1,1800,0,1,128,0,0,x,01:02,0,,300,1,0\n"
        + "2001:db8:2::,00:03:00:01:aa:bb:cc:dd:ee:ff,7200,1800007300,1,3600,2,9,0,0,0,,,0,,,,0\n"
        + "2001:db8:1::108,00:01,3600,1800003600,1,1800,0,1,128,true,1,caf\u{e9}&#x26co,,0,,,,7"

    /// The fixture with "\n" line ends only.
    static var lfFile: String { String(decoding: Array(file.utf8).filter { $0 != 13 }, as: UTF8.self) }

    /// The previous String row parser over the same text, as the reference.
    static func referenceLoad(_ text: String) -> (LeaseCSV.LoadReport, [Lease6]) { LeaseFileReference.load6(text) }

    /// Feeds `text` through a LineChunker reading `chunk` bytes at a time.
    static func chunkedLoad(_ text: String, chunk: Int) -> (LeaseCSV.LoadReport, [Lease6]) {
        let bytes = Array(text.utf8)
        var offset = 0
        var chunker = CSVBytes.LineChunker(chunkSize: chunk)
        var reader = LeaseFile6.Loader()
        var store = MemoryLeaseStore6()
        while !chunker.isFinished {
            _ = chunker.next(read: { buffer in
                let n = min(buffer.count, bytes.count - offset)
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.withUnsafeBytes { $0 }[offset..<(offset + n)]))
                offset += n
                return n
            }, lines: { reader.feed(lines: $0, into: &store) })
        }
        return (reader.report, store.all())
    }

    /// Goal: the byte reader reads what the String parser read, row for row: escapes, CRLF,
    /// empty lines, every bad-row reason with its line, the hwaddr warning, deletions, PD and
    /// a dotted-quad address, non-ASCII host names. Method: one file through both, compared.
    ///
    /// The String parser split lines on Character "\n", which "\r\n" (one grapheme) is not, so
    /// it read CRLF files wrongly (the header swallowed the rows); the reference here reads the
    /// file with plain "\n" line ends, and the byte reader must read the CRLF file the same.
    func testByteReaderMatchesStringParser() {
        let (expectedReport, expectedLeases) = Self.referenceLoad(Self.lfFile)
        var store = MemoryLeaseStore6()
        let report = LeaseFile6.load(text: Self.file, into: &store)
        XCTAssertEqual(report, expectedReport)
        XCTAssertEqual(store.all(), expectedLeases)
        // The fixture must exercise what it claims.
        XCTAssertEqual(expectedReport.errors.map(\.line), [6, 7, 8, 9, 11, 12, 15])
        XCTAssertEqual(expectedReport.warnings.map(\.reason), ["invalid hwaddr (hwaddr dropped)", "invalid hwtype (hwaddr dropped)"])
        XCTAssertEqual(expectedReport.leasesDeleted, 1)
        XCTAssertEqual(expectedLeases.count, 5)
        XCTAssertTrue(expectedLeases.contains { $0.hostname == "caf\u{e9}&co" && $0.fqdnForward && $0.fqdnReverse })
    }

    /// Goal: chunk boundaries anywhere (inside a field, between \r and \n, inside an escape or
    /// a multi-byte character) change nothing. Method: the file read with every chunk size
    /// from 1 to 64 bytes, and one larger than the file.
    func testChunkBoundariesAnywhere() {
        let (expectedReport, expectedLeases) = Self.referenceLoad(Self.lfFile)
        for chunk in Array(1...64) + [1 << 16] {
            let (report, leases) = Self.chunkedLoad(Self.file, chunk: chunk)
            XCTAssertEqual(report, expectedReport, "chunk \(chunk)")
            XCTAssertEqual(leases, expectedLeases, "chunk \(chunk)")
        }
    }

    /// Goal: a file without a header is reported, with nothing loaded; a header-only file
    /// loads nothing. Method: both, whole and in 3-byte chunks.
    func testHeaderMissingAndHeaderOnly() {
        let noHeader = "2001:db8:1::100,00:01,3600,1800003600,1,1800,0,1,128,0,0,,,0,,,,0\n"
        for chunk in [3, 4096] {
            let (r, leases) = Self.chunkedLoad(noHeader, chunk: chunk)
            XCTAssertTrue(r.headerMissing)
            XCTAssertEqual(leases, [])
            let (r2, leases2) = Self.chunkedLoad(LeaseFile6.header, chunk: chunk)
            XCTAssertEqual(r2, LeaseCSV.LoadReport())
            XCTAssertEqual(leases2, [])
        }
    }

    /// Goal: IPv6 text read from bytes accepts exactly what `IPv6Address(String)` accepts, with
    /// the same value. Method: valid forms (compressed anywhere, full, upper case, dotted quad)
    /// and invalid ones (too many groups, two "::", five digits, stray colons, empty).
    func testIPv6FromBytesMatchesStringParser() {
        let texts = ["::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::",
                     "::2:3:4:5:6:7:8", "1:2:3::6:7:8", "fe80::", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4",
                     "", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "1:2:3:4:5:6:7:8::",
                     "::1:2:3:4:5:6:7:8", ":1::", "1::2:", "g::", "1:2:3:4:5:6:7:", "0:0:0:0:0:0:0:0", "2001:db8:1::ffff:ffff",
                     " ::1", "::1 ", "1.2.3.4", "::1.2.3", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"]
        for t in texts {
            let fromBytes = Array(t.utf8).withUnsafeBufferPointer { LeaseFile6.Loader.ipv6($0) }
            XCTAssertEqual(fromBytes, IPv6Address(t), "'\(t)'")
        }
    }
}
