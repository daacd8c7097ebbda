import Foundation
import XCTest
@testable import KakapoCore
@testable import KakapoLinuxIO

/// The logger's ring of recent events and the kakapo-log-get answer made from it.
final class RecentLogEventsTests: XCTestCase {
    func quietLogger(severity: LoggerConfig.Severity = .info) -> Logger {
        var c = LoggerConfig(name: "kea-dhcp4")
        c.severity = severity
        c.outputs = [LoggerConfig.Output(output: "/dev/null")]
        let l = Logger(name: "kea-dhcp4")
        l.apply([c], forceDebug: false)
        return l
    }

    func testKeepsTheLastEventsNewestFirst() throws {
        let l = quietLogger()
        for i in 0..<250 { l.log(.info, "ID_\(i)", "event \(i)") }
        l.log(.debug, "NOT_LOGGED", "below the severity")
        l.log(.error, "DHCP4_FAILED", "the last one", component: "packets")
        XCTAssertEqual(l.recent.count, RecentLogEvents.capacity)
        let all = l.recent.newest(1000)
        XCTAssertEqual(all.count, 200)
        XCTAssertEqual(all.first?.id, "DHCP4_FAILED")
        XCTAssertEqual(all.first?.logger, "kea-dhcp4.packets")
        XCTAssertEqual(all.first?.severity, .error)
        XCTAssertEqual(all[1].id, "ID_249")
        XCTAssertEqual(all.last?.id, "ID_51")
        XCTAssertEqual(l.recent.newest(3).map(\.id), ["DHCP4_FAILED", "ID_249", "ID_248"])
        XCTAssertEqual(l.recent.newest(0).count, 0)

        let answer = l.recent.answer(["limit": 2])
        XCTAssertEqual(answer["result"]?.intValue, 0)
        let events = try XCTUnwrap(answer["arguments"]?["events"]?.arrayValue)
        XCTAssertEqual(events.count, 2)
        XCTAssertEqual(events[0]["id"]?.stringValue, "DHCP4_FAILED")
        XCTAssertEqual(events[0]["severity"]?.stringValue, "ERROR")
        XCTAssertEqual(events[0]["text"]?.stringValue, "the last one")
        XCTAssertEqual(events[0]["logger"]?.stringValue, "kea-dhcp4.packets")
        XCTAssertEqual(events[0]["time"]?.stringValue?.count, "2026-11-30 10:00:00.000".count)
        let ts = try XCTUnwrap(events[0]["timestamp"]?.doubleValue)
        XCTAssertLessThan(abs(ts - Date().timeIntervalSince1970), 60)
        XCTAssertEqual(events[1]["id"]?.stringValue, "ID_249")
        XCTAssertEqual(l.recent.answer(nil)["arguments"]?["events"]?.arrayValue?.count, 200)
    }

    func testFewerThanCapacityAndBadLimits() {
        let l = quietLogger()
        XCTAssertEqual(l.recent.answer(nil)["arguments"]?["events"]?.arrayValue?.count, 0)
        l.log(.warn, "A", "a")
        l.log(.info, "B", "b")
        XCTAssertEqual(l.recent.newest(10).map(\.id), ["B", "A"])
        XCTAssertEqual(l.recent.answer(["limit": -1]), ControlResponse.make(.error, "'limit' must be a non-negative integer"))
        XCTAssertEqual(l.recent.answer(["limit": "5"])["result"]?.intValue, 1)
    }

    /// The command is in every daemon's table (kakapo-dhcp4's, kakapo-dhcp6's).
    func testTheCommandIsTabled() {
        XCTAssertNotNil(DaemonCommand.table(for: .v4).entry(named: "kakapo-log-get"))
        XCTAssertNotNil(DaemonCommand.table(for: .v6).entry(named: "kakapo-log-get"))
        XCTAssertNotNil(D2Server.commandTable.entry(named: "kakapo-log-get"))
    }
}
