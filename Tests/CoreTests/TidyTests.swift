import XCTest

/// Core stays pure (DESIGN.md): this scans Sources/Core for clocks, I/O, threads, global
/// randomness and printing, and names the replacement for each.
final class TidyTests: XCTestCase {
    static let banned: [(pattern: String, instead: String)] = [
        ("import Foundation", "value types from Core itself"),
        ("import Glibc", "LinuxIO for system calls"),
        ("import Dispatch", "the shell's event loop"),
        ("Date(", "a WallTime passed in as `now`"),
        ("ProcessInfo", "configuration passed in by the shell"),
        ("DispatchQueue", "the shell's event loop"),
        ("Thread.", "the shell's event loop"),
        ("Task.sleep", "a deadline returned in Effects"),
        ("FileManager", "LinuxIO file access"),
        ("SystemRandomNumberGenerator", "an injected seeded generator"),
        ("print(", "an EngineEvent in Effects"),
        ("clock_gettime", "a Now passed in"),
    ]

    func testCoreIsPure() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let core = root.appendingPathComponent("Sources/Core")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: core.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        XCTAssertGreaterThan(files.count, 10)
        var problems: [String] = []
        for f in files {
            let text = try String(contentsOf: core.appendingPathComponent(f), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                for b in Self.banned where line.contains(b.pattern) {
                    problems.append("Sources/Core/\(f):\(n + 1): '\(b.pattern)' — use \(b.instead)")
                }
                if line.contains(".random(") && !line.contains("using:") {
                    problems.append("Sources/Core/\(f):\(n + 1): .random without using: — use an injected generator")
                }
            }
        }
        XCTAssertEqual(problems, [], problems.joined(separator: "\n"))
    }
}
