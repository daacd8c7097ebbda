import Foundation
import XCTest
@testable import KakapoCore
@testable import KakapoLinuxIO

/// Kea-style log sinks: the pattern language, severity and debuglevel filtering, and
/// size-based rotation of log files (maxsize, maxver).
final class LoggerTests: XCTestCase {
    func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "kakapo-logger-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    func fileLogger(_ path: String, pattern: String? = nil, maxSize: UInt64 = 10_240_000, maxVersions: UInt32 = 1,
                    severity: LoggerConfig.Severity = .info, debugLevel: Int = 0) -> Logger {
        var out = LoggerConfig.Output(output: path)
        out.pattern = pattern
        out.maxSizeBytes = maxSize
        out.maxVersions = maxVersions
        var c = LoggerConfig(name: "kea-dhcp4")
        c.severity = severity
        c.debugLevel = debugLevel
        c.outputs = [out]
        let l = Logger(name: "kea-dhcp4")
        l.apply([c], forceDebug: false)
        return l
    }

    func testPatternAndSeverity() throws {
        let path = try tempDir() + "/k.log"
        let l = fileLogger(path, pattern: "%-5p [%c] %m\n", severity: .info)
        l.log(.info, "DHCP4_STARTED", "Kakapo DHCPv4 server version 0.1.0 started")
        l.log(.debug, "DHCP4_DEBUG", "not shown at INFO")
        l.log(.warn, "DHCP4_WARN", "shown")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, "INFO  [kea-dhcp4.dhcp4] DHCP4_STARTED Kakapo DHCPv4 server version 0.1.0 started\nWARN  [kea-dhcp4.dhcp4] DHCP4_WARN shown\n")
    }

    func testDebugLevelFilters() throws {
        let path = try tempDir() + "/d.log"
        let l = fileLogger(path, pattern: "%m\n", severity: .debug, debugLevel: 40)
        l.log(.debug, "A", "level 40", debugLevel: 40)
        l.log(.debug, "B", "level 55", debugLevel: 55)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "A level 40\n")
    }

    func testRotationKeepsMaxVersions() throws {
        let dir = try tempDir()
        let path = dir + "/r.log"
        let l = fileLogger(path, pattern: "%m\n", maxSize: 200, maxVersions: 2)
        for i in 0..<40 { l.log(.info, "LINE", "number \(i) with some padding to fill the file") }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        XCTAssertEqual(files, ["r.log", "r.log.1", "r.log.2"])
        let size = try FileManager.default.attributesOfItem(atPath: path + ".1")[.size] as? Int ?? 0
        XCTAssertLessThanOrEqual(size, 200, "a rotated file never passes maxsize")
        XCTAssertGreaterThan(size, 100)
    }

    /// A reload applies new loggers in the middle of a batched loop turn: the lines batched
    /// before (the reload's own "reconfiguring" line) still reach the sink they were logged for.
    func testApplyingLoggersMidBatchKeepsPendingLines() throws {
        let dir = try tempDir()
        let l = fileLogger(dir + "/old.log", pattern: "%m\n")
        l.beginBatch()
        l.log(.info, "BEFORE", "logged before the new loggers")
        var out = LoggerConfig.Output(output: dir + "/new.log")
        out.pattern = "%m\n"
        var c = LoggerConfig(name: "kea-dhcp4")
        c.outputs = [out]
        l.apply([c], forceDebug: false)
        l.log(.info, "AFTER", "logged after")
        l.endBatch()
        XCTAssertEqual(try String(contentsOfFile: dir + "/old.log", encoding: .utf8), "BEFORE logged before the new loggers\n")
        XCTAssertEqual(try String(contentsOfFile: dir + "/new.log", encoding: .utf8), "AFTER logged after\n")
    }

    func testBatchingWritesOnceAtEnd() throws {
        let path = try tempDir() + "/b.log"
        let l = fileLogger(path, pattern: "%m\n")
        l.beginBatch()
        l.log(.info, "X", "one")
        l.log(.info, "Y", "two")
        XCTAssertEqual((try? String(contentsOfFile: path, encoding: .utf8)) ?? "", "", "nothing written while batching")
        l.endBatch()
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "X one\nY two\n")
    }
}
