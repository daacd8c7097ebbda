import XCTest
@testable import KakapoCore

/// Kea's sample retention (stats/observation) and the statistic-* commands (stats_mgr), with
/// Kea 2.4's answers, for kakapo-dhcp4 and kakapo-dhcp6.
final class StatisticRetentionTests: XCTestCase {
    let t0 = WallTime(secondsSinceEpoch: 1_800_000_000)

    func at(_ s: Int64) -> WallTime { t0 + Seconds(s) }

    // MARK: - The ring

    func testCountLimitKeepsTheNewestSamplesNewestFirst() {
        var r = StatRing()
        XCTAssertFalse(r.isPresent)
        XCTAssertEqual(r.value, 0)
        for i in 1...25 { r.add(1, at: at(Int64(i)), defaultLimit: .keaDefault) }
        XCTAssertEqual(r.sampleCount, 20)
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), Array((6...25).reversed()).map(Int64.init))
        XCTAssertEqual(r.samplesNewestFirst.first?.updated, at(25))
        XCTAssertEqual(r.value, 25)
        // Once full, further updates reuse the ring's storage.
        let capacity = r.buffer.capacity
        for i in 26...100 { r.add(1, at: at(Int64(i)), defaultLimit: .keaDefault) }
        XCTAssertEqual(r.buffer.capacity, capacity)
        XCTAssertLessThanOrEqual(capacity, 20 + 4)
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), Array((81...100).reversed()).map(Int64.init))
    }

    func testShrinkingTheCountDropsTheOldestAndRaisingItKeepsMore() {
        var r = StatRing()
        for i in 1...10 { r.record(Int64(i), at: at(Int64(i)), defaultLimit: .keaDefault) }
        r.setLimit(.count(3), defaultLimit: .keaDefault)
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), [10, 9, 8])
        r.record(11, at: at(11), defaultLimit: .keaDefault)
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), [11, 10, 9])
        r.setLimit(.count(5), defaultLimit: .keaDefault)
        for i in 12...14 { r.record(Int64(i), at: at(Int64(i)), defaultLimit: .keaDefault) }
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), [14, 13, 12, 11, 10])
        // A limit of 0 keeps the current value.
        r.setLimit(.count(0), defaultLimit: .keaDefault)
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), [14])
    }

    func testAgeLimitKeepsSamplesNoOlderThanTheAgeBeforeTheNewest() {
        var r = StatRing()
        for i in 0..<10 { r.record(Int64(i), at: at(Int64(i)), defaultLimit: .age(3)) }
        // Samples at 6, 7, 8, 9: at most 3 seconds older than the newest.
        XCTAssertEqual(r.samplesNewestFirst.map(\.value), [9, 8, 7, 6])
        // Far more samples than the default count are kept when they are young enough.
        var busy = StatRing()
        for _ in 0..<50 { busy.add(1, at: at(100), defaultLimit: .age(1)) }
        XCTAssertEqual(busy.sampleCount, 50)
        busy.add(1, at: at(102), defaultLimit: .age(1))
        XCTAssertEqual(busy.samplesNewestFirst.map(\.value), [51])
        // Setting an age limit on a ring trims against its newest sample, not a clock.
        var c = StatRing()
        for i in 0..<10 { c.record(Int64(i), at: at(Int64(i * 10)), defaultLimit: .keaDefault) }
        c.setLimit(.age(25), defaultLimit: .keaDefault)
        XCTAssertEqual(c.samplesNewestFirst.map(\.value), [9, 8, 7])
        // Back to a count limit: the ring's storage shrinks to it.
        c.setLimit(.count(2), defaultLimit: .keaDefault)
        XCTAssertEqual(c.samplesNewestFirst.map(\.value), [9, 8])
        XCTAssertLessThanOrEqual(c.buffer.count, 2)
    }

    func testResetLeavesOneZeroSampleAndRemoveForgetsTheStatistic() {
        var r = StatRing()
        for i in 1...5 { r.add(1, at: at(Int64(i)), defaultLimit: .keaDefault) }
        r.setLimit(.count(4), defaultLimit: .keaDefault)
        r.reset(at: at(9), defaultLimit: .keaDefault)
        XCTAssertEqual(r.samplesNewestFirst, [StatSample(value: 0, updated: at(9))])
        XCTAssertEqual(r.limit, .count(4))
        r.remove()
        XCTAssertFalse(r.isPresent)
        XCTAssertNil(r.limit)
        XCTAssertNil(r.newest)
        // The next update brings it back, counting from zero.
        r.add(-1, at: at(10), defaultLimit: .keaDefault)
        XCTAssertEqual(r.samplesNewestFirst, [StatSample(value: -1, updated: at(10))])
    }

    func testLimitFromConfiguration() {
        XCTAssertEqual(StatLimit.fromConfig(sampleCount: nil, sampleAge: nil), .count(20))
        XCTAssertEqual(StatLimit.fromConfig(sampleCount: 7, sampleAge: 30), .count(7))
        XCTAssertEqual(StatLimit.fromConfig(sampleCount: 0, sampleAge: 30), .age(30))
        XCTAssertEqual(StatLimit.fromConfig(sampleCount: nil, sampleAge: 30), .count(20))
    }

    // MARK: - kakapo-dhcp4

    func run(_ h: inout EngineHarness, _ command: String, _ arguments: JSON? = nil,
             file: StaticString = #filePath, line: UInt = #line) -> JSON {
        guard let (answer, effects) = h.engine.handle(command: command, arguments: arguments, now: h.now) else {
            XCTFail("'\(command)' is not an engine command", file: file, line: line)
            return .null
        }
        if let id = effects.transaction { _ = h.engine.handle(outcome: .durable, of: id, now: h.now) }
        return answer
    }

    func text(_ a: JSON) -> String? { a["text"]?.stringValue }
    func result(_ a: JSON) -> Int64? { a["result"]?.intValue }
    func values(_ a: JSON, _ name: String) -> [Int64] {
        a["arguments"]?[name]?.arrayValue?.compactMap { $0.arrayValue?.first?.intValue } ?? []
    }

    func testEveryStatisticCommandIsInBothEngineTables() {
        for name in StatisticCommands.names {
            XCTAssertNotNil(Dhcp4EngineCommand(rawValue: name), name)
            XCTAssertNotNil(Dhcp6EngineCommand(rawValue: name), name)
            XCTAssertTrue(Dhcp4EngineCommand.table.entries.contains { $0.name == name }, name)
            XCTAssertTrue(Dhcp6EngineCommand.table.entries.contains { $0.name == name }, name)
        }
    }

    func testStatisticGetShowsRetainedSamplesNewestFirst() {
        var h = EngineHarness()
        for n in 1...3 {
            XCTAssertEqual(h.dora(mac: EngineHarness.mac(UInt8(n)))?.messageType, .ack)
            h.advance(seconds: 1)
        }
        let a = run(&h, "statistic-get", ["name": "subnet[1].assigned-addresses"])
        XCTAssertEqual(result(a), 0)
        XCTAssertEqual(Array(values(a, "subnet[1].assigned-addresses").prefix(4)), [3, 2, 1, 0])
        let received = run(&h, "statistic-get", ["name": "pkt4-received"])
        XCTAssertEqual(values(received, "pkt4-received"), [6, 5, 4, 3, 2, 1, 0])
        let all = run(&h, "statistic-get-all")
        XCTAssertEqual(values(all, "pkt4-received"), [6, 5, 4, 3, 2, 1, 0])
        let names = all["arguments"]?.objectValue?.keys ?? []
        XCTAssertEqual(names, names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        XCTAssertEqual(run(&h, "statistic-get", ["name": "no-such"]), ControlResponse.make(.success, arguments: .object(JSONObject())))
    }

    func testCountAndAgeCommands() {
        var h = EngineHarness()
        for n in 1...5 { _ = h.dora(mac: EngineHarness.mac(UInt8(n))); h.advance(seconds: 10) }
        var a = run(&h, "statistic-sample-count-set", ["name": "pkt4-received", "max-samples": 3])
        XCTAssertEqual(a, ControlResponse.make(.success, "Statistic 'pkt4-received' count limit is set."))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [10, 9, 8])
        _ = h.dora(mac: EngineHarness.mac(9))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [12, 11, 10])

        a = run(&h, "statistic-sample-age-set", ["name": "pkt4-sent", "duration": 15])
        XCTAssertEqual(a, ControlResponse.make(.success, "Statistic 'pkt4-sent' duration limit is set."))
        // pkt4-sent changed at 40 s (twice), 50 s (twice): those within 15 s of the newest stay.
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-sent"]), "pkt4-sent"), [12, 11, 10, 9])

        a = run(&h, "statistic-sample-count-set-all", ["max-samples": 2])
        XCTAssertEqual(a, ControlResponse.make(.success, "All statistics count limit are set."))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-sent"]), "pkt4-sent"), [12, 11])
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [12, 11])

        a = run(&h, "statistic-sample-age-set-all", ["duration": 0])
        XCTAssertEqual(a, ControlResponse.make(.success, "All statistics duration limit are set."))
        h.advance(seconds: 5)
        _ = h.dora(mac: EngineHarness.mac(10))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [14, 13])
        XCTAssertEqual(h.engine.stats.defaultLimit, .age(0))
    }

    func testResetRemoveAndTheStatisticComingBack() {
        var h = EngineHarness()
        _ = h.dora(mac: EngineHarness.mac(1))
        XCTAssertEqual(run(&h, "statistic-reset", ["name": "pkt4-received"]),
                       ControlResponse.make(.success, "Statistic 'pkt4-received' reset."))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [0])
        XCTAssertEqual(run(&h, "statistic-remove", ["name": "pkt4-received"]),
                       ControlResponse.make(.success, "Statistic 'pkt4-received' removed."))
        XCTAssertEqual(run(&h, "statistic-get", ["name": "pkt4-received"]), ControlResponse.make(.success, arguments: .object(JSONObject())))
        XCTAssertEqual(run(&h, "statistic-remove", ["name": "pkt4-received"]), ControlResponse.make(.error, "No 'pkt4-received' statistic found"))
        XCTAssertEqual(run(&h, "statistic-reset", ["name": "pkt4-received"]), ControlResponse.make(.error, "No 'pkt4-received' statistic found"))
        XCTAssertNil(run(&h, "statistic-get-all")["arguments"]?["pkt4-received"])
        // The server's next update brings it back from zero.
        _ = h.dora(mac: EngineHarness.mac(2))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [2, 1])

        XCTAssertEqual(run(&h, "statistic-remove-all"),
                       ControlResponse.make(.success, "Warning: statistic-remove-all command is deprecated. All statistics removed."))
        XCTAssertEqual(run(&h, "statistic-get-all"), ControlResponse.make(.success, arguments: .object(JSONObject())))
        _ = h.dora(mac: EngineHarness.mac(3))
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [2, 1])
    }

    func testResetAllZeroesEveryStatisticAsKeaDoes() {
        var h = EngineHarness()
        _ = h.dora(mac: EngineHarness.mac(1))
        XCTAssertEqual(run(&h, "statistic-reset-all"), ControlResponse.make(.success, "All statistics reset to neutral values."))
        let all = run(&h, "statistic-get-all")["arguments"]?.objectValue
        XCTAssertFalse(all?.isEmpty ?? true)
        for (name, samples) in all ?? JSONObject() {
            XCTAssertEqual(samples, StatisticCommands.sampleJSON(StatSample(value: 0, updated: h.now.wall)), name)
        }
    }

    func testArgumentErrorsWithKeaTexts() {
        var h = EngineHarness()
        let cases: [(String, JSON?, String)] = [
            ("statistic-get", nil, "Missing mandatory 'name' parameter."),
            ("statistic-get", .object(JSONObject()), "Missing mandatory 'name' parameter."),
            ("statistic-get", ["name": 5], "'name' parameter expected to be a string."),
            ("statistic-reset", nil, "Missing mandatory 'name' parameter."),
            ("statistic-reset", ["name": 5], "'name' parameter expected to be a string."),
            ("statistic-reset", ["name": "nope"], "No 'nope' statistic found"),
            ("statistic-remove", nil, "Missing mandatory 'name' parameter."),
            ("statistic-remove", ["name": "nope"], "No 'nope' statistic found"),
            ("statistic-sample-age-set", nil, "Missing mandatory 'name' parameter."),
            ("statistic-sample-age-set", ["name": "pkt4-received"], "Missing mandatory 'duration' parameter."),
            ("statistic-sample-age-set", ["name": "nope", "duration": 5], "No 'nope' statistic found"),
            ("statistic-sample-age-set", ["name": "pkt4-received", "duration": -5], "'duration' parameter must not be negative"),
            ("statistic-sample-count-set", nil, "Missing mandatory 'name' parameter."),
            ("statistic-sample-count-set", ["name": "pkt4-received"], "Missing mandatory 'max-samples' parameter."),
            ("statistic-sample-count-set", ["name": "pkt4-received", "max-samples": "x"], "'max-samples' parameter expected to be an integer."),
            ("statistic-sample-count-set", ["name": "nope", "max-samples": 3], "No 'nope' statistic found"),
            ("statistic-sample-age-set-all", nil, "Missing mandatory 'duration' parameter."),
            ("statistic-sample-age-set-all", .object(JSONObject()), "Missing mandatory 'duration' parameter."),
            ("statistic-sample-count-set-all", nil, "Missing mandatory 'max-samples' parameter."),
            ("statistic-sample-count-set-all", ["max-samples": "x"], "'max-samples' parameter expected to be an integer."),
            ("statistic-sample-count-set-all", ["max-samples": 0], "'max-samples' parameter must not be zero"),
        ]
        for (command, args, expected) in cases {
            XCTAssertEqual(run(&h, command, args), ControlResponse.make(.error, expected), "\(command) \(String(describing: args))")
        }
        let bad = run(&h, "statistic-sample-age-set", ["name": "pkt4-received", "duration": "x"])
        XCTAssertEqual(result(bad), 1)
        XCTAssertTrue(text(bad)?.hasPrefix("Error during command processing: intValue() called on non-integer Element") ?? false)
        // Kea's uint32_t: -1 is 4294967295 samples; 0 for one statistic is accepted.
        XCTAssertEqual(result(run(&h, "statistic-sample-count-set", ["name": "pkt4-received", "max-samples": -1])), 0)
        XCTAssertEqual(h.engine.stats.ring(named: "pkt4-received")?.limit, .count(UInt32.max))
        XCTAssertEqual(result(run(&h, "statistic-sample-count-set", ["name": "pkt4-received", "max-samples": 0])), 0)
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [0])
    }

    func testConfiguredDefaultSampleCountAndAge() throws {
        var c = EngineHarness.config()
        c.statisticDefaultSampleCount = 2
        var h = EngineHarness(config: c)
        for n in 1...4 { _ = h.dora(mac: EngineHarness.mac(UInt8(n))) }
        XCTAssertEqual(values(run(&h, "statistic-get", ["name": "pkt4-received"]), "pkt4-received"), [8, 7])
        c.statisticDefaultSampleCount = 0
        c.statisticDefaultSampleAge = 60
        h.engine.reconfigure(c, now: h.now)
        XCTAssertEqual(h.engine.stats.defaultLimit, .age(60))
        // Decoded from Kea's keys.
        let decoded = try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(
            #"{"Dhcp4": {"statistic-default-sample-count": 0, "statistic-default-sample-age": 90}}"#,
            file: "s.conf", include: { _ in "" }))
        XCTAssertEqual(StatLimit.fromConfig(sampleCount: decoded.statisticDefaultSampleCount,
                                            sampleAge: decoded.statisticDefaultSampleAge), .age(90))
    }

    // MARK: - kakapo-dhcp6

    static let config6WithHook = Engine6Harness.configText.replacingOccurrences(
        of: "\"decline-probation-period\": 600,",
        with: "\"decline-probation-period\": 600, \"hooks-libraries\": [ { \"library\": \"/usr/lib/kea/hooks/libdhcp_stat_cmds.so\" } ],")

    func testStatLease6GetRowsAndArgumentForms() throws {
        var h = Engine6Harness(configText: Self.config6WithHook)
        XCTAssertNotNil(h.acquire(duid: Engine6Harness.duid(1)))
        let (all, _) = h.engine.handle(.statLeaseGet, arguments: nil, now: h.now)
        XCTAssertEqual(text(all), "stat-lease6-get[all subnets]: 4 rows found")
        let set = all["arguments"]?["result-set"]
        XCTAssertEqual(set?["columns"], ["subnet-id", "total-nas", "cumulative-assigned-nas", "assigned-nas", "declined-nas",
                                         "total-pds", "cumulative-assigned-pds", "assigned-pds"])
        XCTAssertEqual(set?["timestamp"]?.stringValue, h.now.wall.timestampText)
        XCTAssertEqual(set?["rows"]?.arrayValue?.first, [1, 4, 1, 1, 0, 4, 0, 0])
        XCTAssertEqual(set?["rows"]?.arrayValue?.map { $0.arrayValue?.first?.intValue }, [1, 2, 3, 4])

        let (one, _) = h.engine.handle(.statLeaseGet, arguments: ["subnet-id": 2], now: h.now)
        XCTAssertEqual(text(one), "stat-lease6-get[subnet-id=2]: 1 rows found")
        XCTAssertEqual(one["arguments"]?["result-set"]?["rows"], [[2, 16, 0, 0, 0, 0, 0, 0]])
        let range: JSON = ["subnet-range": ["first-subnet-id": 2, "last-subnet-id": 3]]
        XCTAssertEqual(text(h.engine.handle(.statLeaseGet, arguments: range, now: h.now).0), "stat-lease6-get[subnets 2 through 3]: 2 rows found")
        let none = h.engine.handle(.statLeaseGet, arguments: ["subnet-id": 9], now: h.now).0
        XCTAssertEqual(none, ControlResponse.make(.empty, "stat-lease6-get[subnet-id=9]: no matching data, subnet-id: 9 does not exist",
                                                  arguments: .object(JSONObject())))
        XCTAssertEqual(h.engine.handle(.statLeaseGet, arguments: ["subnet-id": 0], now: h.now).0,
                       ControlResponse.make(.error, "'subnet-id' parameter must be > 0"))
        XCTAssertEqual(h.engine.handle(.statLeaseGet, arguments: ["subnet-id": 1, "subnet-range": range["subnet-range"]!], now: h.now).0,
                       ControlResponse.make(.error, "cannot specify both subnet-id and subnet-range"))
    }

    func testStatLease6GetNeedsTheHookLibrary() {
        var h = Engine6Harness()
        XCTAssertFalse(h.engine.activeCommandTable.entries.contains { $0.name == "stat-lease6-get" })
        XCTAssertEqual(h.engine.handle(.statLeaseGet, arguments: nil, now: h.now).0, ControlDispatcher.unsupported("stat-lease6-get"))
        let hooked = Engine6Harness(configText: Self.config6WithHook)
        XCTAssertTrue(hooked.engine.activeCommandTable.entries.contains { $0.name == "stat-lease6-get" })
    }

    func testDhcp6ConfiguredDefaultSampleCount() {
        var h = Engine6Harness(configText: Engine6Harness.configText.replacingOccurrences(
            of: "\"decline-probation-period\": 600,", with: "\"decline-probation-period\": 600, \"statistic-default-sample-count\": 2,"))
        XCTAssertEqual(h.engine.stats.defaultLimit, .count(2))
        for n in 1...3 { _ = h.acquire(duid: Engine6Harness.duid(UInt8(n))) }
        XCTAssertEqual(h.engine.stats.ring(named: "pkt6-received")?.sampleCount, 2)
        XCTAssertEqual(h.engine.stats.ring(named: "subnet[1].assigned-nas")?.samplesNewestFirst.map(\.value), [3, 2])
    }

    func testD2StatisticsKeepSamplesAndComeBackAfterRemoval() {
        var s = D2Statistics(keys: ["k1."], now: t0)
        for i in 1...25 { s.count("ncr-received", now: at(Int64(i))) }
        XCTAssertEqual(s.ring(named: "ncr-received")?.samplesNewestFirst.map(\.value), Array((6...25).reversed()).map(Int64.init))
        var stats = s
        XCTAssertEqual(StatisticCommands.handle("statistic-sample-count-set", ["name": "ncr-received", "max-samples": 2], stats: &stats, now: at(30)),
                       ControlResponse.make(.success, "Statistic 'ncr-received' count limit is set."))
        XCTAssertEqual(stats.ring(named: "ncr-received")?.samplesNewestFirst.map(\.value), [25, 24])
        XCTAssertTrue(stats.remove("ncr-received"))
        XCTAssertNil(stats.sample(named: "ncr-received"))
        stats.count("ncr-received", now: at(31))
        XCTAssertEqual(stats.ring(named: "ncr-received")?.samplesNewestFirst, [StatSample(value: 1, updated: at(31))])
    }

    func testDhcp6StatisticCommands() {
        var h = Engine6Harness()
        for n in 1...2 { _ = h.acquire(duid: Engine6Harness.duid(UInt8(n))); h.advance(seconds: 1) }
        XCTAssertEqual(values(h.engine.handle(.statisticGet, arguments: ["name": "subnet[1].assigned-nas"], now: h.now).0,
                              "subnet[1].assigned-nas").prefix(3), [2, 1, 0])
        XCTAssertEqual(h.engine.handle(.statisticSampleCountSet, arguments: ["name": "subnet[1].assigned-nas", "max-samples": 2], now: h.now).0,
                       ControlResponse.make(.success, "Statistic 'subnet[1].assigned-nas' count limit is set."))
        XCTAssertEqual(values(h.engine.handle(.statisticGet, arguments: ["name": "subnet[1].assigned-nas"], now: h.now).0,
                              "subnet[1].assigned-nas"), [2, 1])
        XCTAssertEqual(h.engine.handle(.statisticRemove, arguments: ["name": "subnet[1].assigned-nas"], now: h.now).0,
                       ControlResponse.make(.success, "Statistic 'subnet[1].assigned-nas' removed."))
        XCTAssertNil(h.engine.stats.ring(named: "subnet[1].assigned-nas"))
        _ = h.acquire(duid: Engine6Harness.duid(3))
        // Back, counting from zero, with the default limit again.
        XCTAssertEqual(values(h.engine.handle(.statisticGet, arguments: ["name": "subnet[1].assigned-nas"], now: h.now).0,
                              "subnet[1].assigned-nas"), [1])
        XCTAssertNil(h.engine.stats.ring(named: "subnet[1].assigned-nas")?.limit)
        XCTAssertEqual(h.engine.handle(.statisticSampleAgeSetAll, arguments: ["duration": 30], now: h.now).0,
                       ControlResponse.make(.success, "All statistics duration limit are set."))
        XCTAssertEqual(h.engine.stats.defaultLimit, .age(30))
    }
}
