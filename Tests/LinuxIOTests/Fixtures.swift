import Foundation

/// Tests/Fixtures, found from this file's path (the tests read fixtures in place).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent(relativePath)))
    }

    /// The frames of a classic little-endian pcap file (magic a1b2c3d4 written LE, no nanosecond
    /// variant), with its link type; what tests/tools/capture-fixtures.sh writes via tcpdump.
    static func pcapFrames(_ relativePath: String) throws -> (linkType: UInt32, frames: [[UInt8]]) {
        let b = try bytes(relativePath)
        func le32(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(b[at + $1]) << (8 * UInt32($1)) } }
        guard b.count >= 24, le32(0) == 0xA1B2_C3D4 else { throw CocoaError(.fileReadCorruptFile) }
        var frames: [[UInt8]] = []
        var off = 24
        while off + 16 <= b.count {
            let captured = Int(le32(off + 8))
            guard off + 16 + captured <= b.count else { throw CocoaError(.fileReadCorruptFile) }
            frames.append(Array(b[(off + 16)..<(off + 16 + captured)]))
            off += 16 + captured
        }
        return (le32(20), frames)
    }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory(_ label: String) throws -> String {
        let d = NSTemporaryDirectory() + "kakapo-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }
}
