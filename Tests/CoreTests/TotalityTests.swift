import Foundation
import XCTest
@testable import KakapoCore

/// Peer and operator input never crashes Core: seeded random mutations of real inputs (the
/// seed configs, a Kea-written lease file, control commands) through the config parser and
/// decoder, the lease-file loader and the engine's command handler. Each must return a value
/// or an error.
final class TotalityTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var b = Array(text.utf8)
        let alphabet = Array("{}[]:,\"\\/#*<?>0123456789.-eE truefalsnul\n\t".utf8)
        for _ in 0..<(1 + Int(rng.next() % 6)) {
            guard !b.isEmpty else { break }
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 4 {
            case 0: b[i] = alphabet[Int(rng.next() % UInt64(alphabet.count))]
            case 1: b.remove(at: i)
            case 2: b.insert(alphabet[Int(rng.next() % UInt64(alphabet.count))], at: i)
            default: b = Array(b.prefix(i))
            }
        }
        return String(decoding: b, as: UTF8.self)
    }

    func testConfigParserAndDecoderAreTotal() throws {
        let seed = try String(contentsOf: Self.repo.appendingPathComponent("Tests/Fixtures/configs/seed/kea-dhcp4.conf"), encoding: .utf8)
        var rng = SplitMix64(seed: 2024)
        var accepted = 0
        for _ in 0..<3000 {
            let text = mutate(seed, &rng)
            guard let root = try? KeaJSON.parse(text, file: "fuzz.conf", include: { _ in throw ConfigError(message: "no includes") }) else { continue }
            if (try? Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in try OptionDataEncoder.encode(spec) })) != nil {
                accepted += 1
            }
        }
        XCTAssertGreaterThan(accepted, 0, "some mutations (e.g. in comments or strings) stay valid")
    }

    func testLeaseFileLoaderIsTotal() throws {
        let kea = try String(contentsOf: Self.repo.appendingPathComponent("Tests/Fixtures/leases/kea-2.2-leases4.csv"), encoding: .utf8)
        var rng = SplitMix64(seed: 77)
        for _ in 0..<3000 {
            var store = MemoryLeaseStore4()
            let report = LeaseFile4.load(text: mutate(kea, &rng), into: &store)
            for l in store.all() { XCTAssertTrue(l.isWellFormed, "loaded leases are always well formed") }
            XCTAssertLessThanOrEqual(report.leasesAdded - report.leasesDeleted, report.rowsRead)
        }
    }

    func testCommandsAreTotal() throws {
        var h = EngineHarness()
        _ = h.dora(mac: EngineHarness.mac(1))
        let commands = ["lease4-get", "lease4-add", "lease4-del", "lease4-update", "lease4-wipe", "lease4-get-all",
                        "lease4-get-by-hw-address", "lease4-get-by-client-id", "statistic-get", "leases-reclaim"]
        let samples: [JSON] = [.null, .int(-1), .string("x"), .array([]), .object(JSONObject()),
                               ["ip-address": "192.0.2.10"], ["ip-address": "999.1.1.1"], ["ip-address": 5],
                               ["ip-address": "192.0.2.77", "hw-address": "zz:zz"], ["ip-address": "192.0.2.78", "hw-address": "02:00:00:00:00:09", "valid-lft": -5],
                               ["subnet-id": 4_294_967_296], ["identifier-type": "hw-address", "identifier": "", "subnet-id": 1],
                               ["name": .array([])], ["remove": "yes"], ["subnets": ["a", 1]], ["state": 99, "ip-address": "192.0.2.79", "hw-address": "02:00:00:00:00:01"]]
        for c in commands {
            for a in samples {
                let answer = h.engine.handle(command: c, arguments: a, now: h.now)
                XCTAssertNotNil(answer?.0["result"]?.intValue, "\(c) answers with a result code")
            }
        }
        for l in h.engine.store.all() { XCTAssertTrue(l.isWellFormed) }
    }
}

extension TotalityTests {
    /// A lease added with a zero lifetime would replay as a deletion: refused.
    func testLeaseAddRefusesZeroLifetime() {
        var h = EngineHarness()
        let r = h.engine.handle(command: "lease4-add", arguments: ["ip-address": "192.0.2.12", "hw-address": "02:00:00:00:00:12", "valid-lft": 0], now: h.now)
        XCTAssertEqual(r?.0["result"]?.intValue, 1)
        XCTAssertNil(h.engine.store.lease(at: IPv4Address(192, 0, 2, 12)))
    }
}
