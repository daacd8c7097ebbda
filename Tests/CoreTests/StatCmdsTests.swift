import XCTest
@testable import KakapoCore

/// stat-lease4-get, served when `hooks-libraries` names libdhcp_stat_cmds.so (Kea 2.4's stat_cmds).
final class StatCmdsTests: XCTestCase {
    static let columns: JSON = ["subnet-id", "total-addresses", "cumulative-assigned-addresses",
                                "assigned-addresses", "declined-addresses"]

    /// The harness's subnet 1 (10 addresses), plus subnet 7 (5 addresses) and subnet 3
    /// (20 addresses), listed out of id order; the stat_cmds hook when `hook` is set.
    static func config(hook: Bool = true) -> Dhcp4Config {
        var c = EngineHarness.config()
        var seven = Subnet4(id: 7, prefix: IPv4Prefix("203.0.113.0/24")!)
        seven.pools = [Pool4(first: IPv4Address(203, 0, 113, 10), last: IPv4Address(203, 0, 113, 14))]
        var three = Subnet4(id: 3, prefix: IPv4Prefix("198.51.100.0/24")!)
        three.pools = [Pool4(first: IPv4Address(198, 51, 100, 10), last: IPv4Address(198, 51, 100, 29))]
        c.subnets += [seven, three]
        if hook {
            c.hooksLibraries = [HookLibrary(hook: .leaseCommands), HookLibrary(hook: .statisticsCommands)]
        }
        return c
    }

    /// Runs a command and settles its transaction, if any, as durable.
    @discardableResult
    func run(_ h: inout EngineHarness, _ command: String, _ arguments: JSON? = nil,
             file: StaticString = #filePath, line: UInt = #line) -> JSON {
        guard let (answer, effects) = h.engine.handle(command: command, arguments: arguments, now: h.now) else {
            XCTFail("'\(command)' is not an engine command", file: file, line: line)
            return .null
        }
        if let id = effects.transaction { _ = h.engine.handle(outcome: .durable, of: id, now: h.now) }
        return answer
    }

    /// One client through DORA in subnet 1; in subnet 3 one assigned, two declined and one
    /// expired-reclaimed lease added by command; nothing in subnet 7.
    func populated() -> EngineHarness {
        var h = EngineHarness(config: Self.config())
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(1))?.messageType, .ack)
        let leases: [(String, Int64)] = [("198.51.100.10", 0), ("198.51.100.11", 1), ("198.51.100.12", 1), ("198.51.100.13", 2)]
        for (n, (ip, state)) in leases.enumerated() {
            let answer = run(&h, "lease4-add", ["ip-address": .string(ip), "hw-address": .string("02:00:00:00:01:0\(n)"),
                                                "subnet-id": 3, "state": .int(state)])
            XCTAssertEqual(answer["result"]?.intValue, 0, "\(answer)")
        }
        h.advance(seconds: 5)
        return h
    }

    func resultSet(_ answer: JSON) -> JSON? { answer["arguments"]?["result-set"] }

    // MARK: - Argument forms

    func testNoArgumentsSelectsEverySubnetInIdOrder() {
        var h = populated()
        let answer = run(&h, "stat-lease4-get")
        XCTAssertEqual(answer["result"]?.intValue, 0)
        XCTAssertEqual(answer["text"]?.stringValue, "stat-lease4-get[all subnets]: 3 rows found")
        let set = resultSet(answer)
        XCTAssertEqual(set?["columns"], Self.columns)
        XCTAssertEqual(set?["timestamp"]?.stringValue, h.now.wall.timestampText)
        XCTAssertEqual(set?.objectValue?.keys.sorted(), ["columns", "rows", "timestamp"])
        let cumulative3 = h.engine.stats.value(.cumulativeAssignedAddresses, subnet: 3)
        XCTAssertEqual(set?["rows"], .array([
            [1, 10, 1, 1, 0],
            [3, 20, .int(cumulative3), 1, 2],
            [7, 5, 0, 0, 0],
        ]))
        // An empty map is the same selection.
        XCTAssertEqual(run(&h, "stat-lease4-get", .object(JSONObject())), answer)
    }

    func testSubnetIdSelectsOneSubnet() {
        var h = populated()
        let answer = run(&h, "stat-lease4-get", ["subnet-id": 1])
        XCTAssertEqual(answer["result"]?.intValue, 0)
        XCTAssertEqual(answer["text"]?.stringValue, "stat-lease4-get[subnet-id=1]: 1 rows found")
        XCTAssertEqual(resultSet(answer)?["columns"], Self.columns)
        XCTAssertEqual(resultSet(answer)?["rows"], .array([[1, 10, 1, 1, 0]]))
        let seven = run(&h, "stat-lease4-get", ["subnet-id": 7])
        XCTAssertEqual(seven["text"]?.stringValue, "stat-lease4-get[subnet-id=7]: 1 rows found")
        XCTAssertEqual(resultSet(seven)?["rows"], .array([[7, 5, 0, 0, 0]]))
    }

    func testSubnetRangeSelectsTheConfiguredSubnetsWithin() {
        var h = populated()
        let answer = run(&h, "stat-lease4-get", ["subnet-range": ["first-subnet-id": 2, "last-subnet-id": 7]])
        XCTAssertEqual(answer["result"]?.intValue, 0)
        XCTAssertEqual(answer["text"]?.stringValue, "stat-lease4-get[subnets 2 through 7]: 2 rows found")
        let rows = resultSet(answer)?["rows"]?.arrayValue ?? []
        XCTAssertEqual(rows.map { $0[0]?.intValue }, [3, 7])
        XCTAssertEqual(rows.last, [7, 5, 0, 0, 0])
        XCTAssertEqual(rows.first?[3], 1)
        XCTAssertEqual(rows.first?[4], 2)
        // A range of one id.
        let one = run(&h, "stat-lease4-get", ["subnet-range": ["first-subnet-id": 1, "last-subnet-id": 1]])
        XCTAssertEqual(one["text"]?.stringValue, "stat-lease4-get[subnets 1 through 1]: 1 rows found")
        XCTAssertEqual(resultSet(one)?["rows"], .array([[1, 10, 1, 1, 0]]))
    }

    /// Rows follow the store: a release, a new client and a lease deleted by command show at once.
    func testRowsFollowTheLeases() {
        var h = populated()
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(2))?.messageType, .ack)
        run(&h, "lease4-del", ["ip-address": "198.51.100.11"])
        let answer = run(&h, "stat-lease4-get", ["subnet-range": ["first-subnet-id": 1, "last-subnet-id": 3]])
        let rows = resultSet(answer)?["rows"]?.arrayValue ?? []
        XCTAssertEqual(rows.first, [1, 10, 2, 2, 0])
        XCTAssertEqual(rows.last?[4], 1)
    }

    // MARK: - No matching subnet (result 3)

    func testSelectionsWithoutConfiguredSubnetsAnswerEmpty() {
        var h = populated()
        let missing = run(&h, "stat-lease4-get", ["subnet-id": 5])
        XCTAssertEqual(missing["result"]?.intValue, 3)
        XCTAssertEqual(missing["text"]?.stringValue,
                       "stat-lease4-get[subnet-id=5]: no matching data, subnet-id: 5 does not exist")
        XCTAssertEqual(missing["arguments"], .object(JSONObject()))
        let range = run(&h, "stat-lease4-get", ["subnet-range": ["first-subnet-id": 8, "last-subnet-id": 20]])
        XCTAssertEqual(range["result"]?.intValue, 3)
        XCTAssertEqual(range["text"]?.stringValue,
                       "stat-lease4-get[subnets 8 through 20]: no matching data, selected ID range: 8 through 20 includes no known subnets")

        var config = Self.config()
        config.subnets = []
        var empty = EngineHarness(config: config)
        let none = run(&empty, "stat-lease4-get")
        XCTAssertEqual(none["result"]?.intValue, 3)
        XCTAssertEqual(none["text"]?.stringValue,
                       "stat-lease4-get[all subnets]: no matching data, selected ID range: 0 through 0 includes no known subnets")
    }

    // MARK: - Errors (result 1)

    func testBadArgumentsAreRefusedWithKeasTexts() {
        var h = populated()
        let cases: [(JSON, String)] = [
            (["subnet-id": "1"], "'subnet-id' parameter is not integer"),
            (["subnet-id": 1.5], "'subnet-id' parameter is not integer"),
            (["subnet-id": 0], "'subnet-id' parameter must be > 0"),
            (["subnet-id": -3], "'subnet-id' parameter must be > 0"),
            (["subnet-id": 1, "subnet-range": ["first-subnet-id": 1, "last-subnet-id": 2]],
             "cannot specify both subnet-id and subnet-range"),
            (["subnet-range": 4], "subnet-range parameter is not a map"),
            (["subnet-range": ["last-subnet-id": 2]], "'first-subnet-id' parameter missing or not an integer"),
            (["subnet-range": ["first-subnet-id": "1", "last-subnet-id": 2]], "'first-subnet-id' parameter missing or not an integer"),
            (["subnet-range": ["first-subnet-id": 0, "last-subnet-id": 2]], "'first-subnet-id' parameter must be > 0"),
            (["subnet-range": ["first-subnet-id": 1]], "'last-subnet-id' parameter missing or not an integer"),
            (["subnet-range": ["first-subnet-id": 1, "last-subnet-id": -1]], "'last-subnet-id' parameter must be > 0"),
            (["subnet-range": ["first-subnet-id": 5, "last-subnet-id": 2]], "'last-subnet-id' must be greater than 'first-subnet-id'"),
            (.int(5), ControlRequest.argumentsNotMapText),
        ]
        for (arguments, text) in cases {
            let answer = run(&h, "stat-lease4-get", arguments)
            XCTAssertEqual(answer["result"]?.intValue, 1, "\(arguments)")
            XCTAssertEqual(answer["text"]?.stringValue, text, "\(arguments)")
            XCTAssertNil(answer["arguments"], "\(arguments)")
        }
    }

    // MARK: - Only with the hook

    func testUnknownWithoutTheHook() {
        var h = EngineHarness(config: Self.config(hook: false))
        let answer = run(&h, "stat-lease4-get", ["subnet-id": 1])
        XCTAssertEqual(answer["result"]?.intValue, 2)
        XCTAssertEqual(answer["text"]?.stringValue, "'stat-lease4-get' command not supported.")
        XCTAssertNil(h.engine.activeCommandTable.entry(named: "stat-lease4-get"))
        // The lease commands are there all the same.
        XCTAssertNotNil(h.engine.activeCommandTable.entry(named: "lease4-get"))

        // Through the dispatcher, as the daemon answers: unknown, and not listed.
        let dispatcher = ControlDispatcher(table: DaemonCommand.table.merged(with: h.engine.activeCommandTable))
        let request = ControlRequest(command: "stat-lease4-get")
        let dispatched = dispatcher.answer(request, engine: { _, _ in
            XCTFail("an unknown command reached the engine")
            return .null
        }, daemon: { _, _ in .null })
        XCTAssertEqual(dispatched, ControlDispatcher.unsupported("stat-lease4-get"))
        XCTAssertFalse(listed(by: dispatcher).contains("stat-lease4-get"))
    }

    func testListedWithTheHook() {
        let h = EngineHarness(config: Self.config())
        let dispatcher = ControlDispatcher(table: DaemonCommand.table.merged(with: h.engine.activeCommandTable))
        let names = listed(by: dispatcher)
        XCTAssertTrue(names.contains("stat-lease4-get"))
        XCTAssertTrue(names.contains("lease4-get"))
        XCTAssertEqual(names, names.sorted())
        // Reconfiguring without the hook takes the command away.
        var again = h
        again.engine.reconfigure(Self.config(hook: false), now: again.now)
        XCTAssertNil(again.engine.activeCommandTable.entry(named: "stat-lease4-get"))
    }

    func listed(by dispatcher: ControlDispatcher) -> [String] {
        let answer = dispatcher.answer(ControlRequest(command: "list-commands"),
                                       engine: { _, _ in .null }, daemon: { _, _ in .null })
        return answer["arguments"]?.arrayValue?.compactMap { $0.stringValue } ?? []
    }

    /// Naming the library in a configuration enables the command and draws no "not acted on" warning.
    func testConfiguredLibraryIsImplemented() throws {
        let text = """
            { "Dhcp4": { "hooks-libraries": [ { "library": "/usr/lib/kea/hooks/libdhcp_stat_cmds.so" } ],
              "subnet4": [ { "id": 4, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.12" } ] } ] } }
            """
        let root = try KeaJSON.parse(text, file: "t.json", include: { _ in "" })
        let config = try Dhcp4ConfigDecoder.decode(root, optionEncoder: { _ in ConfiguredOption(code: 1, payload: []) })
        XCTAssertEqual(config.hooksLibraries.map(\.hook), [.statisticsCommands])
        XCTAssertEqual(config.warnings.filter { $0.key?.hasPrefix("Dhcp4/hooks-libraries") ?? false }.map(\.key), [])
        var h = EngineHarness(config: config)
        let answer = run(&h, "stat-lease4-get")
        XCTAssertEqual(answer["text"]?.stringValue, "stat-lease4-get[all subnets]: 1 rows found")
        XCTAssertEqual(resultSet(answer)?["rows"], .array([[4, 3, 0, 0, 0]]))
    }
}
