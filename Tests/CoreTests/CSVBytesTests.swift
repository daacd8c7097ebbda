import XCTest
@testable import KakapoCore

/// The byte-level CSV building blocks (CSVBytes) and the packed identifier storage (ByteArena,
/// SlotHashTable, IdentifierTable) the lease stores share.
final class CSVBytesTests: XCTestCase {
    /// Feeds `text` through a LineChunker reading at most `step` bytes per read; returns the
    /// lines seen (as strings) and the buffers handed over.
    private func chunkedLines(_ text: String, chunkSize: Int, step: Int) -> [String] {
        let bytes = Array(text.utf8)
        var position = 0
        var chunker = CSVBytes.LineChunker(chunkSize: chunkSize)
        var lines: [String] = []
        var guardCount = 0
        while !chunker.isFinished {
            guardCount += 1
            XCTAssertLessThan(guardCount, 100_000)
            _ = chunker.next(read: { space in
                let n = min(step, space.count, bytes.count - position)
                for i in 0..<n { space[i] = bytes[position + i] }
                position += n
                return n
            }, lines: { buf in
                CSVBytes.forEachLine(in: buf) { lines.append(String(decoding: $0, as: UTF8.self)) }
            })
        }
        return lines
    }

    func testChunkBoundariesAnywhereGiveTheSameLines() {
        let text = "header,a\r\nrow1,x\n\nrow2,yy\r\nrow-long-long-long-line,zzzzzzzzzzzz\nlast-no-newline"
        let expected = ["header,a", "row1,x", "", "row2,yy", "row-long-long-long-line,zzzzzzzzzzzz", "last-no-newline"]
        for chunk in [1, 2, 3, 5, 7, 16, 64, 4096] {
            for step in [1, 2, 3, 4096] {
                XCTAssertEqual(chunkedLines(text, chunkSize: chunk, step: step), expected, "chunk \(chunk) step \(step)")
            }
        }
        XCTAssertEqual(chunkedLines("a\nb\n", chunkSize: 3, step: 1), ["a", "b"])
        XCTAssertEqual(chunkedLines("", chunkSize: 3, step: 1), [])
        // A '\r' split from its '\n' by a chunk boundary is still dropped.
        XCTAssertEqual(chunkedLines("ab\r\ncd\r\n", chunkSize: 3, step: 3), ["ab", "cd"])
    }

    func testChunkerPassesReadErrorsAndRetries() {
        var chunker = CSVBytes.LineChunker(chunkSize: 8)
        var failed = false
        var got: [String] = []
        let data = Array("x\ny\n".utf8)
        var pos = 0
        while !chunker.isFinished {
            _ = chunker.next(read: { space in
                if !failed { failed = true; return -1 }
                let n = min(space.count, data.count - pos)
                for i in 0..<n { space[i] = data[pos + i] }
                pos += n
                return n
            }, lines: { CSVBytes.forEachLine(in: $0) { got.append(String(decoding: $0, as: UTF8.self)) } })
        }
        XCTAssertEqual(got, ["x", "y"])
    }

    private func withField<R>(_ s: String, _ body: (CSVBytes.Bytes) -> R) -> R {
        Array(s.utf8).withUnsafeBufferPointer(body)
    }

    func testFieldsSplitOnCommasKeepingEmptyOnes() {
        var f = CSVBytes.Fields()
        withField("a,,bc,") { line in
            f.split(line)
            XCTAssertEqual(f.count, 4)
            XCTAssertEqual((0..<f.count).map { String(decoding: f[$0], as: UTF8.self) }, ["a", "", "bc", ""])
            XCTAssertNil(f.field(4))
            XCTAssertNil(f.field(nil))
        }
        withField("") { line in
            f.split(line)
            XCTAssertEqual(f.count, 1)
            XCTAssertEqual(f[0].count, 0)
        }
    }

    func testDecimalMatchesSwiftIntegerParsing() {
        let samples = ["0", "42", "+7", "-0", "-1", "4294967295", "4294967296", "", "+", "-", "1a", " 1", "007",
                       "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809"]
        for s in samples {
            withField(s) { f in
                XCTAssertEqual(CSVBytes.decimal(f, as: UInt32.self), UInt32(s), s)
                XCTAssertEqual(CSVBytes.decimal(f, as: Int64.self), Int64(s), s)
            }
        }
    }

    func testHexMatchesHexTextDecode() {
        let samples = ["08:00:27:aa:bb:cc", "1:2:a", "0x0102", "0X0a", "abc", "ABCDEF", "01-02-03", "01 02", "",
                       ":01", "01:", "01::02", "123:4", "zz", "0x", "01:0g", "a"]
        for s in samples {
            withField(s) { f in
                var out: [UInt8] = []
                let ok = CSVBytes.hex(f, into: &out)
                let expected = HexText.decode(s)
                XCTAssertEqual(ok ? out : nil, expected, s)
            }
        }
        // Appends without clearing.
        var out: [UInt8] = [9]
        withField("01") { XCTAssertTrue(CSVBytes.hex($0, into: &out)) }
        XCTAssertEqual(out, [9, 1])
    }

    func testUnescapeMatchesLeaseCSV() {
        let samples = ["plain", "a&#x2cb&#x26c", "&#x2", "&#x2c", "&#xzz", "x&#x41", "&&#x41", "&#x41&", "é&#x2c"]
        for s in samples {
            withField(s) { f in
                var out: [UInt8] = []
                CSVBytes.unescape(f, into: &out)
                XCTAssertEqual(String(decoding: out, as: UTF8.self), LeaseCSV.unescape(Substring(s)), s)
                XCTAssertEqual(CSVBytes.mayHaveEscapes(f), s.contains("&"), s)
            }
        }
    }

    func testIPv4MatchesIPv4AddressParsing() {
        let samples = ["192.0.2.1", "0.0.0.0", "255.255.255.255", "256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4",
                       "0001.2.3.4", "1..2.3", ".1.2.3", "1.2.3.", "a.b.c.d", "", "10.0.0.10"]
        for s in samples {
            withField(s) { XCTAssertEqual(CSVBytes.ipv4($0), IPv4Address(s)?.value, s) }
        }
    }

    func testEqualsAndASCII() {
        withField("true") { XCTAssertTrue(CSVBytes.equals($0, "true")); XCTAssertFalse(CSVBytes.equals($0, "1")) }
        withField("é") { XCTAssertFalse(CSVBytes.isASCII($0)) }
        withField("host-1") { XCTAssertTrue(CSVBytes.isASCII($0)) }
    }

    func testByteArenaFreesAndCompactsWithRelocation() {
        var arena = ByteArena()
        var offsets: [UInt32] = []
        for i in 0..<2000 { offsets.append(arena.append(Array("blob-\(i)".utf8), owner: UInt32(i))) }
        XCTAssertEqual(arena.string(at: offsets[7]), "blob-7")
        XCTAssertEqual(arena.owner(at: offsets[7]), 7)
        for i in 0..<2000 where i % 4 != 0 { arena.free(at: offsets[i]) }
        XCTAssertTrue(arena.shouldCompact)
        let before = arena.byteCount
        var moved = offsets
        arena.compact { owner, offset in moved[Int(owner)] = offset }
        XCTAssertLessThan(arena.byteCount, before / 2)
        XCTAssertEqual(arena.garbage, 0)
        for i in stride(from: 0, to: 2000, by: 4) { XCTAssertEqual(arena.string(at: moved[i]), "blob-\(i)") }
        XCTAssertEqual(arena.append([], owner: 1) , UInt32(arena.byteCount - 8))
    }

    func testSlotHashTableFindsInsertsAndRemovesWithBackwardShift() {
        // Keys live in `keys`; the index holds slot numbers only.
        var keys: [UInt64] = []
        var index = SlotHashTable()
        // Deliberately colliding keys (few distinct hashes) exercise the probe runs.
        func h(_ k: UInt64) -> UInt64 { SlotHash.integer(k % 37) }
        for k in 0..<3000 as Range<UInt64> {
            keys.append(k)
            index.insert(UInt32(k), hash: h(k), rehash: { h(keys[Int($0)]) })
        }
        XCTAssertEqual(index.count, 3000)
        for k in stride(from: 0, to: 3000, by: 3) {
            index.remove(UInt32(k), hash: h(UInt64(k)), rehash: { h(keys[Int($0)]) })
        }
        for k in 0..<3000 as Range<UInt64> {
            let found = index.find(hash: h(k)) { keys[Int($0)] == k }
            XCTAssertEqual(found, k % 3 == 0 ? nil : UInt32(k), "key \(k)")
        }
        XCTAssertEqual(index.count, 2000)
        // Removing a slot that is not there is a no-op.
        index.remove(0, hash: h(0), rehash: { h(keys[Int($0)]) })
        XCTAssertEqual(index.count, 2000)
    }

    func testIdentifierTableInternsCountsAndReusesIDs() {
        var t = IdentifierTable()
        let a = t.retain([1, 2, 3], initialValue: 10)
        let b = t.retain([1, 2, 3], initialValue: 99)
        let c = t.retain([], initialValue: 5)
        XCTAssertTrue(a.inserted)
        XCTAssertFalse(b.inserted)
        XCTAssertEqual(a.id, b.id)
        XCTAssertEqual(t.value(a.id), 10)
        XCTAssertEqual(t.references(a.id), 2)
        XCTAssertEqual(t.count, 2)
        XCTAssertEqual(t.bytes(c.id), [])
        XCTAssertEqual([1, 2, 3].withUnsafeBufferPointer { t.find($0) }, a.id)
        XCTAssertNil([1, 2].withUnsafeBufferPointer { t.find($0) })
        XCTAssertFalse(t.release(a.id))
        XCTAssertTrue(t.release(a.id))
        XCTAssertNil([1, 2, 3].withUnsafeBufferPointer { t.find($0) })
        let d = t.retain([7], initialValue: 0)
        XCTAssertEqual(d.id, a.id, "a freed ID is reused")
        // Churn through many identifiers: compaction keeps every live one findable.
        var live: [[UInt8]: IdentifierTable.ID] = [:]
        for i in 0..<20000 {
            let key: [UInt8] = [UInt8(i & 255), UInt8(i >> 8 & 255), 0xAA, 0xBB, 0xCC, 0xDD]
            live[key] = t.retain(key, initialValue: UInt32(i)).id
            if i >= 100 {
                let old: [UInt8] = [UInt8((i - 100) & 255), UInt8((i - 100) >> 8 & 255), 0xAA, 0xBB, 0xCC, 0xDD]
                XCTAssertTrue(t.release(live.removeValue(forKey: old)!))
            }
        }
        XCTAssertEqual(t.count, 100 + 2)
        for (key, id) in live {
            XCTAssertEqual(key.withUnsafeBufferPointer { t.find($0) }, id)
            XCTAssertEqual(t.bytes(id), key)
        }
        XCTAssertLessThan(t.byteCount, 64 * 1024, "freed identifiers' bytes are reclaimed")
    }
}
