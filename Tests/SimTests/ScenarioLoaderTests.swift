import Foundation
import KakapoCore
@testable import KakapoSim
import XCTest

final class ScenarioLoaderTests: XCTestCase {
    static let scenariosDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scenarios").path

    static func scenarioFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scenariosDirectory)
            .filter { $0.hasSuffix(".yaml") }.sorted()
            .map { scenariosDirectory + "/" + $0 }
    }

    /// Loads `yaml` as `bad.yaml`, with `files` standing in for config files.
    func load(_ yaml: String, files: [String: String] = [:]) throws(ScenarioError) -> Scenario {
        try ScenarioLoader.load(yaml: yaml, file: "bad.yaml", baseDirectory: "dir", readFile: { path in
            guard let text = files[path] else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path])
            }
            return text
        })
    }

    /// The error `yaml` gives, or a failure when it loads.
    func failure(_ yaml: String, files: [String: String] = ScenarioLoaderTests.files, line: UInt = #line) -> ScenarioError? {
        do {
            _ = try load(yaml, files: files)
            XCTFail("expected an error", line: line)
            return nil
        } catch {
            return error
        }
    }

    func assertError(_ yaml: String, _ position: String, _ fragment: String, files: [String: String] = ScenarioLoaderTests.files, line: UInt = #line) {
        guard let error = failure(yaml, files: files, line: line) else { return }
        XCTAssertTrue(error.description.hasPrefix("bad.yaml:\(position): "), "got: \(error)", line: line)
        XCTAssertTrue(error.message.contains(fragment), "'\(fragment)' not in: \(error)", line: line)
    }

    static let config = #"{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ] } }"#
    static let files = ["dir/kea.json": config]

    /// A small valid scenario; tests break one line of it.
    static let good = """
        name: small
        duration: 10m
        servers:
          - name: s1
            address: 192.0.2.1
            config: kea.json
        segments:
          - name: lan
            prefix: 192.0.2.0/24
            servers: [s1]
        populations:
          - name: hosts
            segment: lan
            count: 10
            arrival: { uniform: { start: 0s, window: 1m } }
        faults:
          - at: 5m
            crash: { server: s1, down-for: 30s }
        expect:
          all-bound-within: 30s
        """

    func variant(_ old: String, _ new: String) -> String {
        precondition(Self.good.contains(old), old)
        return Self.good.replacingOccurrences(of: old, with: new)
    }

    // MARK: The shipped scenarios

    func testEveryScenarioFileLoads() throws {
        let files = try Self.scenarioFiles()
        XCTAssertGreaterThanOrEqual(files.count, 8)
        for path in files {
            let scenario: Scenario
            do {
                scenario = try ScenarioLoader.load(path: path)
            } catch {
                XCTFail("\(error)")
                continue
            }
            let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            XCTAssertEqual(scenario.name, base, "a scenario's name is its file name")
            XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("#"), "\(base): leading comment")
            XCTAssertFalse(scenario.description.isEmpty, base)
            XCTAssertGreaterThan(scenario.populations.reduce(0) { $0 + $1.count }, 0, base)
        }
    }

    func testRequiredScenariosExist() throws {
        let names = Set(try Self.scenarioFiles().map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent })
        for required in ["office-morning", "churn", "server-restart-during-renewals", "packet-loss-20",
                         "pool-exhaustion", "decline-conflict", "two-relays", "malformed-flood"] {
            XCTAssertTrue(names.contains(required), required)
        }
    }

    /// Every server config (and reload config) is a valid Kea Dhcp4 config, and every segment
    /// reaches a server with a subnet for it.
    func testScenarioConfigsDecodeAndCoverTheirSegments() throws {
        for path in try Self.scenarioFiles() {
            let scenario = try ScenarioLoader.load(path: path)
            if scenario.family == 6 {
                try checkConfigs6(scenario)
                continue
            }
            var configs: [String: Dhcp4Config] = [:]
            func decode(_ text: String, _ source: String) throws -> Dhcp4Config {
                let root = try KeaJSON.parse(text, file: source, include: { _ in throw CocoaError(.fileNoSuchFile) })
                return try Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in
                    try OptionDataEncoder.encode(spec)
                })
            }
            for server in scenario.servers {
                configs[server.name] = try decode(server.configText, server.configSource)
            }
            for fault in scenario.faults {
                if case .reload(_, let text?) = fault.kind { _ = try decode(text, "\(path) reload") }
            }
            for segment in scenario.segments {
                for (server, address) in segment.directServers {
                    let subnets = configs[server]!.subnets
                    XCTAssertTrue(subnets.contains { $0.prefix.contains(address) },
                                  "\(scenario.name): no subnet of \(server) for \(segment.name)")
                }
                if let relay = segment.relay {
                    for server in relay.servers {
                        let subnets = configs[server]!.subnets
                        XCTAssertTrue(subnets.contains { $0.prefix.contains(relay.address) || $0.relayAddresses.contains(relay.address) },
                                      "\(scenario.name): no subnet of \(server) for relay of \(segment.name)")
                    }
                }
            }
        }
    }

    /// Scenarios use documentation and benchmark addresses only.
    func testScenariosUseOnlyDocumentationAddresses() throws {
        let allowed = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "198.18.0.0/15"].compactMap(IPv4Prefix.init)
        func check(_ a: IPv4Address, _ what: String) {
            XCTAssertTrue(allowed.contains { $0.contains(a) }, "\(what): \(a)")
        }
        for path in try Self.scenarioFiles() {
            let s = try ScenarioLoader.load(path: path)
            if s.family == 6 {
                checkDocumentationAddresses6(s)
                continue
            }
            for server in s.servers { check(server.address, "\(s.name) server") }
            for segment in s.segments {
                check(segment.prefix.first, "\(s.name) prefix")
                check(segment.prefix.last, "\(s.name) prefix")
                segment.directServers.forEach { check($0.address, "\(s.name) server") }
                segment.relay.map { check($0.address, "\(s.name) relay") }
                segment.conflictingAddresses.forEach { check($0, "\(s.name) conflict") }
            }
        }
    }

    func testOfficeMorningModel() throws {
        let s = try ScenarioLoader.load(path: Self.scenariosDirectory + "/office-morning.yaml")
        XCTAssertEqual(s.seed, 42)
        XCTAssertEqual(s.durationMilliseconds, 2 * 3_600_000)
        XCTAssertEqual(s.servers.map(\.name), ["s1"])
        XCTAssertEqual(s.servers[0].address, IPv4Address(198, 18, 0, 2))
        XCTAssertEqual(s.servers[0].storage, .writeThrough)
        XCTAssertTrue(s.servers[0].configSource.hasSuffix("scenarios/configs/office.json"))
        XCTAssertTrue(s.servers[0].configText.contains("\"Dhcp4\""))
        XCTAssertEqual(s.segments[0].prefix, IPv4Prefix("198.18.0.0/22"))
        XCTAssertEqual(s.segments[0].directServers.map(\.server), ["s1"])
        XCTAssertEqual(s.segments[0].directServers.map(\.address), [IPv4Address(198, 18, 0, 2)])
        XCTAssertEqual(s.segments[0].link.latencyMilliseconds, 2)
        XCTAssertEqual(s.segments[0].link.jitterMilliseconds, 1)
        XCTAssertEqual(s.populations.map(\.count), [400, 100])
        XCTAssertEqual(s.populations[0].arrival, .uniform(startMilliseconds: 0, windowMilliseconds: 1_800_000))
        XCTAssertEqual(s.populations[0].clientID, .duid)
        XCTAssertEqual(s.populations[1].macPrefix, [2, 0, 2])
        XCTAssertEqual(s.populations[1].reboot, 0.1, accuracy: 1e-12)
        XCTAssertNil(s.populations[0].sessionMilliseconds)
        XCTAssertEqual(s.expectations.allBoundWithinMilliseconds, 30_000)
        XCTAssertEqual(s.expectations.maxNaks, 0)
        XCTAssertEqual(s.expectations.minBound, 500)
        XCTAssertEqual(s.expectations.minUtilization ?? 0, 0.45, accuracy: 1e-12)
        XCTAssertTrue(s.expectations.invariants)
    }

    func testRelaysFaultsAndSegmentExpectations() throws {
        let relays = try ScenarioLoader.load(path: Self.scenariosDirectory + "/two-relays.yaml")
        XCTAssertEqual(relays.segments.map { $0.relay?.address }, [IPv4Address(198, 51, 100, 1), IPv4Address(203, 0, 113, 1)])
        XCTAssertEqual(relays.segments[0].relay?.circuitID, "floor-1/port-7")
        XCTAssertEqual(relays.segments[0].relay?.remoteID, "switch-a")
        XCTAssertNil(relays.segments[1].relay?.remoteID)
        XCTAssertTrue(relays.segments.allSatisfy { $0.directServers.isEmpty })
        XCTAssertEqual(relays.expectations.segments.map(\.segment), ["floor-1", "floor-2"])
        XCTAssertEqual(relays.expectations.segments.map(\.minBound), [120, 80])

        let medley = try ScenarioLoader.load(path: Self.scenariosDirectory + "/faults-medley.yaml")
        let kinds = medley.faults.map { fault -> String in
            switch fault.kind {
            case .crash(let s, let d): return "crash \(s) \(d)"
            case .reload(let s, let text): return "reload \(s) \(text?.contains("1200") == true)"
            case .lossBurst(let s, let loss, let d): return "loss \(s) \(loss) \(d)"
            case .partition(let s, let d): return "partition \(s) \(d)"
            case .clockJump(let s, let by): return "jump \(s) \(by)"
            case .malformedFlood(let s, let n, let d): return "flood \(s) \(n) \(d)"
            case .duplicationBurst, .relayLoss, .storageFailure: return "swarm-only"
            }
        }
        XCTAssertEqual(kinds, ["partition lan 120000", "loss lan 0.5 60000", "reload s1 true", "jump s1 30", "jump s1 -30"])
        XCTAssertEqual(medley.faults.map(\.atMilliseconds), [300_000, 720_000, 1_200_000, 1_500_000, 2_100_000])
        XCTAssertEqual(medley.populations[0].sessionMilliseconds, .uniform(minMilliseconds: 1_200_000, maxMilliseconds: 3_000_000))
        XCTAssertEqual(medley.populations[0].rejoinAfterMilliseconds, .fixed(120_000))

        let churn = try ScenarioLoader.load(path: Self.scenariosDirectory + "/churn.yaml")
        XCTAssertEqual(churn.populations[0].rejoinAfterMilliseconds, .exponential(meanMilliseconds: 7_200_000))
        XCTAssertEqual(churn.populations[0].releaseOnLeave, 0.7, accuracy: 1e-12)
        XCTAssertEqual(churn.durationMilliseconds, 86_400_000)
    }

    // MARK: Errors with positions

    func testGoodVariantLoads() throws {
        let s = try load(Self.good, files: Self.files)
        XCTAssertEqual(s.servers[0].configSource, "dir/kea.json")
        XCTAssertEqual(s.servers[0].configText, Self.config)
        XCTAssertEqual(s.faults.first?.atMilliseconds, 300_000)
    }

    func testUnknownKey() {
        assertError(variant("    segment: lan\n", "    segment: lan\n    sesion: 1h\n"), "14:5",
                    "unknown key 'sesion' in population 'hosts'; allowed keys: name, segment, count,")
        assertError(variant("    segment: lan\n", "    segment: lan\n    sesion: 1h\n"), "14:5", "did you mean 'session'?")
        assertError(variant("expect:\n", "expect:\n  all-bound-witin: 1m\n"), "20:3", "did you mean 'all-bound-within'?")
        assertError(variant("name: small\n", "name: small\nseeds: 3\n"), "2:1", "unknown key 'seeds' in the scenario")
        assertError(variant("arrival: { uniform: { start: 0s, window: 1m } }", "arrival: { uniform: { begin: 0s, window: 1m } }"),
                    "15:27", "unknown key 'begin'")
    }

    func testBadDuration() {
        assertError(variant("duration: 10m", "duration: 600"), "2:11", "needs a unit: write e.g. '600s' or '600ms'")
        assertError(variant("duration: 10m", "duration: 10 minutes"), "2:11", "is not a duration")
        assertError(variant("down-for: 30s", "down-for: 30ss"), "18:36", "'30ss' is not a duration")
        assertError(variant("down-for: 30s", "down-for: -30s"), "18:36", "must not be negative")
        assertError(variant("window: 1m", "window: 1x"), "15:46", "is not a duration")
        assertError(variant("all-bound-within: 30s", "all-bound-within: 1m1h"), "20:21", "is not a duration")
    }

    func testBadAddress() {
        assertError(variant("address: 192.0.2.1", "address: 192.0.2.300"), "5:14", "'192.0.2.300' is not an IPv4 address")
        assertError(variant("prefix: 192.0.2.0/24", "prefix: 192.0.2.0/33"), "9:13", "is not an IPv4 prefix")
        assertError(variant("prefix: 192.0.2.0/24", "prefix: 192.0.2.7/24"), "9:13", "host bits set; did you mean 192.0.2.0/24?")
        assertError(variant("servers: [s1]", "servers: [s1]\n    conflicts: [192.0.3.5]"), "11:17",
                    "conflicting address 192.0.3.5 is outside the prefix 192.0.2.0/24")
        assertError(variant("servers: [s1]", "relay: { address: 198.51.100.1, servers: [s1] }"), "10:23",
                    "(its giaddr) is outside the segment's prefix")
        assertError(variant("address: 192.0.2.1", "address: 198.51.100.1"), "10:15",
                    "server 's1' has address 198.51.100.1, outside the prefix 192.0.2.0/24")
    }

    func testMissingRequiredKey() {
        assertError(variant("duration: 10m\n", ""), "1:1", "missing required key 'duration' in the scenario")
        assertError(variant("    address: 192.0.2.1\n", ""), "4:5", "missing required key 'address' in server 's1'")
        assertError(variant("    count: 10\n", ""), "12:5", "missing required key 'count' in population 'hosts'")
        assertError(variant("crash: { server: s1, down-for: 30s }", "crash: { server: s1 }"), "18:12",
                    "missing required key 'down-for' in crash fault")
        assertError(variant("    servers: [s1]\n", ""), "8:5", "segment 'lan' reaches no server")
    }

    func testYAMLSyntaxError() {
        assertError(variant("servers: [s1]", "servers: [s1"), "11:12", "YAML syntax error")
        assertError(variant("  - name: hosts", "  - name: hosts\n   bad"), "13:4", "YAML syntax error")
        assertError("name: \"unterminated\nduration: 1m\n", "3:1", "YAML syntax error")
        assertError("", "1:1", "empty")
        assertError("- a\n- b\n", "1:1", "the scenario must be a mapping")
    }

    func testUnknownReferences() {
        assertError(variant("servers: [s1]", "servers: [s2]"), "10:15", "server attached to segment 'lan' names unknown server 's2'; known servers: s1")
        assertError(variant("crash: { server: s1,", "crash: { server: s9,"), "18:22", "names unknown server 's9'")
        assertError(variant("segment: lan", "segment: lab"), "13:14", "names unknown segment 'lab'; known segments: lan (did you mean 'lan'?)")
        assertError(variant("servers: [s1]", "relay: { address: 192.0.2.2, servers: [s1, s3] }"), "10:48", "unknown server 's3'")
        assertError(variant("crash: { server: s1, down-for: 30s }", "partition: { segment: wan, duration: 1m }"), "18:27",
                    "segment of the partition fault names unknown segment 'wan'")
    }

    func testOtherSemanticErrors() {
        assertError(variant("config: kea.json", "config: missing.json"), "6:13", "cannot read config of server 's1' 'dir/missing.json'")
        assertError(variant("  - at: 5m", "  - at: 11m"), "17:9", "comes after the end of the scenario")
        assertError(variant("window: 1m", "window: 11m"), "15:25", "ends at 11m, after the end of the scenario")
        assertError(variant("count: 10", "count: 0"), "14:12", "count of population 'hosts' must be at least 1")
        assertError(variant("count: 10", "count: ten"), "14:12", "must be a whole number")
        assertError(variant("all-bound-within: 30s", "min-bound: 11"), "20:14", "more than the 10 clients")
        assertError(variant("crash: { server: s1, down-for: 30s }", "crash: { server: s1, down-for: 30s }\n    partition: { segment: lan, duration: 1m }"),
                    "19:5", "exactly one kind")
        assertError(variant("  - name: s1\n", "  - name: s1\n    storage: lazy\n"), "5:14", "must be write-through")
        assertError(variant("    segment: lan\n", "    segment: lan\n    rejoin: 20%\n"), "14:5", "rejoin but no session")
        assertError(variant("    segment: lan\n", "    segment: lan\n    reboot: 20\n"), "14:13", "did you mean 20%?")
        assertError(variant("    segment: lan\n", "    segment: lan\n    mac-prefix: \"01:00\"\n"), "14:17", "multicast")
        assertError(variant("    segment: lan\n", "    segment: lan\n    count: 3\n"), "15:5", "duplicate key 'count'")
        assertError(variant("name: small", "name: small scenario"), "1:7", "may hold only letters")
        assertError(variant("crash: { server: s1, down-for: 30s }", "clock-jump: { server: s1, by: 1500ms }"), "18:35", "whole seconds")
    }

    /// MACs are the mac-prefix then a serial counted over all populations (from 1).
    func testMACRangesFitAndDoNotOverlap() throws {
        func twoPopulations(_ first: String, _ second: String, count: Int) -> String {
            variant("    arrival: { uniform: { start: 0s, window: 1m } }\n", """
                    arrival: { uniform: { start: 0s, window: 1m } }
                    mac-prefix: "\(first)"
                  - name: more
                    segment: lan
                    count: \(count)
                    mac-prefix: "\(second)"

                """)
        }
        // hosts: 02:00:00:00:00:01-0a; more: serials 11-310 after a 4-byte prefix.
        XCTAssertNoThrow(try load(twoPopulations("02:00:00:00:00", "02:00:00:00", count: 300), files: Self.files))
        // more: 02:00:00:00:00:0b-02:00:00:00:01:36 covers hosts' 02:00:00:00:01:01-0a.
        assertError(twoPopulations("02:00:00:00:01", "02:00:00:00", count: 300), "20:17",
                    "the MAC addresses of population 'more' overlap those of population 'hosts'", files: Self.files)
        // Serials 11-260 do not fit in one byte.
        assertError(twoPopulations("02:00:00:00:00", "02:00:00:00:01", count: 250), "20:17",
                    "numbered up to 260", files: Self.files)
    }

    // MARK: Values

    func testDurations() {
        let table: [(String, Int64?)] = [
            ("0s", 0), ("500ms", 500), ("30s", 30_000), ("30m", 1_800_000), ("2h", 7_200_000), ("1d", 86_400_000),
            ("1h30m", 5_400_000), ("1d2h3m4s5ms", 93_784_005), ("-30s", -30_000), ("90m", 5_400_000),
            ("1m500ms", 60_500), ("30", nil), ("0", nil), ("", nil), ("-", nil), ("s", nil), ("1.5h", nil),
            ("30m1h", nil), ("1h1h", nil), ("1 h", nil), ("1H", nil), ("10x", nil), ("1h30", nil),
            ("+5s", nil), ("99999999999999999999d", nil), ("9223372036854775807ms", Int64.max),
            ("106751991167d", 9_223_372_036_828_800_000), ("106751991168d", nil),
        ]
        for (text, expected) in table {
            XCTAssertEqual(ScenarioLoader.parseDuration(text), expected, "'\(text)'")
        }
        for ms: Int64 in [0, 1, 500, 30_000, 5_400_000, 93_784_005, -30_000] {
            XCTAssertEqual(ScenarioLoader.parseDuration(ScenarioLoader.formatDuration(ms)), ms)
        }
        XCTAssertEqual(ScenarioLoader.formatDuration(5_400_000), "1h30m")
    }

    func testProbabilities() throws {
        let table: [(String, Double)] = [("0", 0), ("1", 1), ("0.2", 0.2), ("20%", 0.2), ("12.5%", 0.125), ("100%", 1), ("0%", 0)]
        for (text, expected) in table {
            let s = try load(variant("servers: [s1]", "servers: [s1]\n    link: { loss: \(text) }"), files: Self.files)
            XCTAssertEqual(s.segments[0].link.loss, expected, accuracy: 1e-12, text)
        }
        for bad in ["1.5", "-0.1", "101%", "x%", "lots"] {
            XCTAssertNotNil(failure(variant("servers: [s1]", "servers: [s1]\n    link: { loss: \(bad) }"), files: Self.files), bad)
        }
    }

    func testStorageModes() throws {
        let table: [(String, StorageMode)] = [
            ("write-through", .writeThrough), ("{ forget-every: 3 }", .forgetEveryNth(3)),
            ("{ lazy: 200ms }", .lazy(delayMilliseconds: 200)),
        ]
        for (text, mode) in table {
            let s = try load(variant("  - name: s1\n", "  - name: s1\n    storage: \(text)\n"), files: Self.files)
            XCTAssertEqual(s.servers[0].storage, mode, text)
        }
    }

    func testDistributionsAndArrivals() throws {
        let table: [(String, Distribution)] = [
            ("45m", .fixed(2_700_000)), ("{ fixed: 1h }", .fixed(3_600_000)),
            ("{ uniform: [4h, 8h] }", .uniform(minMilliseconds: 14_400_000, maxMilliseconds: 28_800_000)),
            ("{ exponential: 2h }", .exponential(meanMilliseconds: 7_200_000)),
        ]
        for (text, distribution) in table {
            let s = try load(variant("    count: 10\n", "    count: 10\n    session: \(text)\n"), files: Self.files)
            XCTAssertEqual(s.populations[0].sessionMilliseconds, distribution, text)
        }
        let poisson = try load(variant("{ uniform: { start: 0s, window: 1m } }", "{ poisson: { start: 10s, rate: 2.5 } }"), files: Self.files)
        XCTAssertEqual(poisson.populations[0].arrival, .poisson(startMilliseconds: 10_000, ratePerSecond: 2.5))
        assertError(variant("    count: 10\n", "    count: 10\n    session: { uniform: [8h, 4h] }\n"), "15:30", "less than the minimum")
        assertError(variant("{ uniform: { start: 0s, window: 1m } }", "{ uniform: { window: 1m }, poisson: { rate: 1 } }"),
                    "15:41", "exactly one of uniform, poisson")
    }

    // MARK: Inline configs

    func testInlineConfigBecomesJSONOnTheSameLines() throws {
        let yaml = variant("    config: kea.json\n", """
                config:
                  Dhcp4:
                    valid-lifetime: 600
                    authoritative: true
                    comment: 'it''s "quoted"'
                    code: "42"
                    ratio: 0.5
                    empty: ~
                    interfaces-config: { interfaces: ["*"] }
                    subnet4:
                      - id: 1
                        subnet: 192.0.2.0/24
                        pools: [ { pool: 192.0.2.10 - 192.0.2.20 } ]

            """)
        let s = try load(yaml)
        XCTAssertEqual(s.servers[0].configSource, "bad.yaml")
        let text = s.servers[0].configText
        let json = try JSON.parse(text)
        let dhcp4 = json["Dhcp4"]
        XCTAssertEqual(dhcp4?["valid-lifetime"], .int(600))
        XCTAssertEqual(dhcp4?["authoritative"], .bool(true))
        XCTAssertEqual(dhcp4?["comment"], .string("it's \"quoted\""))
        XCTAssertEqual(dhcp4?["code"], .string("42"))
        XCTAssertEqual(dhcp4?["ratio"], .double(0.5))
        XCTAssertEqual(dhcp4?["empty"], .null)
        XCTAssertEqual(dhcp4?["interfaces-config"]?["interfaces"], .array([.string("*")]))
        XCTAssertEqual(dhcp4?["subnet4"]?.arrayValue?.first?["pools"]?.arrayValue?.first?["pool"], .string("192.0.2.10 - 192.0.2.20"))
        // Positions the Kea parser reports in this text are positions in the scenario file.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertTrue(lines[7].contains("\"valid-lifetime\":"), "\(lines[7])")
        XCTAssertTrue(lines[7].hasPrefix("        \"valid-lifetime\""), "\(lines[7])")
        XCTAssertTrue(lines[16].hasPrefix("            \"subnet\":\"192.0.2.0/24\""), "\(lines[16])")
        // A Kea-level error in the inline config names the scenario file, at the YAML line.
        let broken = yaml.replacingOccurrences(of: "valid-lifetime: 600", with: "valid-lifetime: soon")
        let config = try load(broken).servers[0]
        let root = try KeaJSON.parse(config.configText, file: config.configSource, include: { _ in "" })
        XCTAssertThrowsError(try Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in
            try OptionDataEncoder.encode(spec)
        })) { error in
            XCTAssertTrue("\(error)".contains("bad.yaml:8."), "\(error)")
        }
    }

    func testJSONScalars() {
        let table: [(String, String)] = [
            ("600", "600"), ("-3", "-3"), ("007", "7"), ("0x1F", "31"), ("0o17", "15"), ("1.5", "1.5"), (".5", "0.5"),
            ("1.", "1.0"), ("1e3", "1.0e3"), ("-2.5E-2", "-2.5e-2"), ("true", "true"), ("False", "false"),
            ("null", "null"), ("~", "null"), ("", "null"), ("yes", "\"yes\""), ("192.0.2.1", "\"192.0.2.1\""),
            ("1h", "\"1h\""), ("1e", "\"1e\""), ("a\"b\\c", "\"a\\\"b\\\\c\""), ("tab\there", "\"tab\\there\""),
            ("bell\u{7}", "\"bell\\u0007\""),
        ]
        for (plain, json) in table {
            XCTAssertEqual(YAMLToJSON.json(text: plain, plain: true), json, plain)
        }
        XCTAssertEqual(YAMLToJSON.json(text: "600", plain: false), "\"600\"")
        XCTAssertEqual(YAMLToJSON.json(text: "", plain: false), "\"\"")
    }

    func testPathLoadResolvesConfigsNextToTheScenario() throws {
        let dir = NSTemporaryDirectory() + "kakapo-scenario-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/configs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.config.write(toFile: dir + "/configs/kea.json", atomically: true, encoding: .utf8)
        try Self.good.replacingOccurrences(of: "config: kea.json", with: "config: configs/kea.json")
            .write(toFile: dir + "/s.yaml", atomically: true, encoding: .utf8)
        let s = try ScenarioLoader.load(path: dir + "/s.yaml")
        XCTAssertEqual(s.servers[0].configSource, dir + "/configs/kea.json")
        XCTAssertEqual(s.servers[0].configText, Self.config)
        XCTAssertThrowsError(try ScenarioLoader.load(path: dir + "/missing.yaml")) { error in
            XCTAssertTrue("\(error)".hasPrefix(dir + "/missing.yaml:1:1: cannot read scenario file"), "\(error)")
        }
    }
}

extension ScenarioLoaderTests {
    /// Keys may be written with underscores, as in the issue's examples (all_bound_within).
    func testUnderscoreSpellingsAreAccepted() throws {
        let yaml = """
        name: underscores
        duration: 10m
        servers:
          - { name: s1, address: 192.0.2.1, config: { Dhcp4: { subnet4: [ { id: 1, subnet: "192.0.2.0/24", pools: [ { pool: "192.0.2.10 - 192.0.2.20" } ] } ] } } }
        segments:
          - { name: lan, prefix: 192.0.2.0/24, servers: [s1] }
        populations:
          - { name: p, segment: lan, count: 3, release_on_leave: 50%, mac_prefix: "02:07" }
        expect:
          all_bound_within: 30s
          max_naks: 0
        """
        let s = try ScenarioLoader.load(yaml: yaml, file: "u.yaml", baseDirectory: "/", readFile: { _ in "" })
        XCTAssertEqual(s.expectations.allBoundWithinMilliseconds, 30_000)
        XCTAssertEqual(s.expectations.maxNaks, 0)
        XCTAssertEqual(s.populations.first?.releaseOnLeave, 0.5)
    }
}
