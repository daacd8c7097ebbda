import Foundation
import XCTest
import FuzzProperties
@testable import KakapoCore

/// Replays the fuzz corpus through the fuzz targets' own properties (docs/fuzzing.md): every
/// file under Tests/Fixtures/fuzz/<target>/ (seeds, and each input a fuzz run found failing,
/// kept once fixed) and the fixtures `scripts/fuzz.sh` seeds from (packets, seed configs, lease
/// files). A property violated or a trap here is a regression of a fuzz finding.
final class FuzzCorpusTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Files under `dir` (relative to the repository) whose names end with `suffix`, sorted.
    static func files(_ dir: String, suffix: String = "") -> [URL] {
        let url = repo.appendingPathComponent(dir)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted().map { url.appendingPathComponent($0) }
    }

    /// The inputs of one target, as scripts/fuzz.sh gathers its seeds.
    static func corpus(_ target: FuzzTarget) -> [URL] {
        var urls = files("Tests/Fixtures/fuzz/\(target.rawValue)")
        switch target {
        case .dhcp4:
            for dir in ["dhclient", "dhcpcd", "udhcpc", "kea-2.2"] { urls += files("Tests/Fixtures/packets/\(dir)", suffix: ".bin") }
        case .keaJSON: urls += files("Tests/Fixtures/configs/seed", suffix: ".conf")
        case .leases4: urls += files("Tests/Fixtures/leases", suffix: ".csv")
        default: break
        }
        return urls
    }

    func testEveryCorpusFileKeepsItsTargetsProperty() throws {
        for target in FuzzTarget.allCases {
            let inputs = Self.corpus(target)
            XCTAssertFalse(inputs.isEmpty, "\(target.rawValue) has no corpus")
            for url in inputs {
                let bytes = [UInt8](try Data(contentsOf: url))
                if let failure = target.check(bytes) {
                    XCTFail("\(target.rawValue) \(url.lastPathComponent): \(failure)")
                }
            }
        }
    }

    /// The seeds exercise the properties' interesting half: the packets decode (so the round
    /// trip ran), and the hand-written seeds are accepted by their parsers.
    func testSeedsReachTheRoundTrips() throws {
        for url in Self.corpus(.dhcp4) {
            guard case .success = DHCPv4Message.decode([UInt8](try Data(contentsOf: url))) else { return XCTFail(url.path) }
        }
        for url in Self.files("Tests/Fixtures/fuzz/dhcp6", suffix: "") where url.lastPathComponent.hasPrefix("seed-") {
            guard case .success = DHCPv6Message.decode([UInt8](try Data(contentsOf: url))) else { return XCTFail(url.path) }
        }
        for url in Self.files("Tests/Fixtures/fuzz/expression") where url.lastPathComponent.hasPrefix("seed-") {
            // seed-v6-*: DHCPv6 expressions (relay6, pkt6, options 15-17), parsed with the v6 table.
            let table: OptionTable = url.lastPathComponent.hasPrefix("seed-v6-") ? .dhcp6 : .dhcp4
            XCTAssertNoThrow(try ClassExpression.parse(String(decoding: try Data(contentsOf: url), as: UTF8.self), options: table), url.path)
        }
        var store = MemoryLeaseStore6()
        let text = try String(contentsOf: Self.repo.appendingPathComponent("Tests/Fixtures/fuzz/leases6/seed-na-pd"), encoding: .utf8)
        let report = LeaseFile6.load(text: text, into: &store)
        XCTAssertEqual(report.errors, [])
        XCTAssertEqual(store.all().map(\.prefixLength), [56], "the prefix stays; the address was deleted")
    }

    /// Findings fixed in Core, stated directly (their inputs are in the corpus too).
    func testFixedFindings() {
        // finding-overload-in-sname: an option 52 inside the sname area is not joined to the
        // options field's one.
        var m = DHCPv4Message()
        m.options[53] = [1]
        m.options[52] = [2]
        var bytes = m.encode()
        bytes.replaceSubrange(44..<47, with: [52, 1, 3])
        guard case .success(let decoded) = DHCPv4Message.decode(bytes) else { return XCTFail("decodes") }
        XCTAssertEqual(decoded.options[52], [2])
        // finding-route-host-bits: a route to 0.4.0.0/2 (host bits set) has no prefix text that
        // reads back to it; it renders as hex instead of as 0.0.0.0/2.
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(121), payload: [2, 0x04, 10, 0, 0, 1]), "02:04:0a:00:00:01")
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(121), payload: [2, 0x40, 10, 0, 0, 1]), "64.0.0.0/2 - 10.0.0.1")
        // finding-vivso-no-data-len: option 125 with an enterprise number and no data-len octet
        // renders as hex, not as the text of the five-octet form.
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(125), payload: [0, 0, 0x11, 0x8B]), "00:00:11:8b")
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(125), payload: [0, 0, 0x11, 0x8B, 0]), "4491")
        // finding-record-array-empty-tail: rdnss-selection without any domain name is hex.
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(146), payload: [2] + Array(repeating: 0, count: 8)),
                       "02:00:00:00:00:00:00:00:00")
        // finding-tuple-trailing-nul: sztp-redirect's tuple "\0\0" is hex, not "".
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(143), payload: [0, 2, 0, 0]), "00:02:00:00")
        // finding-tuple-empty: empty tuples in a list are hex too.
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(143), payload: [0, 0, 0, 1, 0x49]), "00:00:00:01:49")
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(143), payload: [0, 1, 0x48, 0, 1, 0x49]), "H, I")
        // finding-string-edge-blanks: a string with blanks at either end is hex.
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(12), payload: Array(" a".utf8)), "20:61")
        XCTAssertEqual(OptionTable.dhcp4.render(.dhcp4(12), payload: Array("a b".utf8)), "a b")
    }
}
