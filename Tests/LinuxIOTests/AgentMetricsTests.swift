import Foundation
import XCTest
@testable import KakapoCore
@testable import KakapoLinuxIO

/// The agent's GET /metrics exposition, parsed back line by line.
final class AgentMetricsTests: XCTestCase {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    struct Exposition {
        var types: [String: String] = [:]
        var helps: [String: String] = [:]
        var samples: [Sample] = []

        func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
    }

    /// A strict reader of the text format (0.0.4): HELP and TYPE lines, and samples
    /// `name{label="value",...} number` with `\\`, `\"` and `\n` escapes in label values.
    func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Exposition {
        var out = Exposition()
        XCTAssertTrue(text.hasSuffix("\n"), "ends with a newline", file: file, line: line)
        func isNameStart(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c == "_" || c == ":") }
        func isName(_ c: Character) -> Bool { isNameStart(c) || (c.isASCII && c.isNumber) }
        func validName(_ s: Substring) -> Bool { s.first.map(isNameStart) == true && s.allSatisfy(isName) }
        for raw in text.split(separator: "\n") {
            if raw.hasPrefix("# HELP ") {
                let rest = raw.dropFirst(7)
                let name = rest.prefix { $0 != " " }
                XCTAssertTrue(validName(name), "HELP name: \(raw)", file: file, line: line)
                XCTAssertNil(out.helps[String(name)], "one HELP per name: \(name)", file: file, line: line)
                out.helps[String(name)] = String(rest.dropFirst(name.count + 1))
                continue
            }
            if raw.hasPrefix("# TYPE ") {
                let parts = raw.dropFirst(7).split(separator: " ")
                XCTAssertEqual(parts.count, 2, "TYPE line: \(raw)", file: file, line: line)
                guard parts.count == 2 else { continue }
                XCTAssertTrue(validName(parts[0]), file: file, line: line)
                XCTAssertTrue(["counter", "gauge"].contains(parts[1]), "type: \(raw)", file: file, line: line)
                XCTAssertNil(out.types[String(parts[0])], "one TYPE per name: \(parts[0])", file: file, line: line)
                out.types[String(parts[0])] = String(parts[1])
                continue
            }
            XCTAssertFalse(raw.hasPrefix("#"), "no other comments: \(raw)", file: file, line: line)
            var s = Substring(raw)
            let name = s.prefix(while: isName)
            XCTAssertTrue(validName(name), "sample name: \(raw)", file: file, line: line)
            s = s.dropFirst(name.count)
            var labels: [String: String] = [:]
            if s.first == "{" {
                s = s.dropFirst()
                while s.first != "}" {
                    let key = s.prefix(while: isName)
                    XCTAssertTrue(validName(key), "label name: \(raw)", file: file, line: line)
                    s = s.dropFirst(key.count)
                    guard s.hasPrefix("=\"") else { XCTFail("label syntax: \(raw)", file: file, line: line); return out }
                    s = s.dropFirst(2)
                    var value = ""
                    while let c = s.first, c != "\"" {
                        s = s.dropFirst()
                        if c == "\\" {
                            switch s.first {
                            case "\\": value.append("\\")
                            case "\"": value.append("\"")
                            case "n": value.append("\n")
                            default: XCTFail("bad escape: \(raw)", file: file, line: line); return out
                            }
                            s = s.dropFirst()
                        } else {
                            value.append(c)
                        }
                    }
                    guard s.first == "\"" else { XCTFail("unterminated label: \(raw)", file: file, line: line); return out }
                    s = s.dropFirst()
                    XCTAssertNil(labels[String(key)], "label once: \(raw)", file: file, line: line)
                    labels[String(key)] = value
                    if s.first == "," { s = s.dropFirst() }
                }
                s = s.dropFirst()
            }
            guard s.first == " ", let v = Double(s.dropFirst()) else {
                XCTFail("sample value: \(raw)", file: file, line: line); continue
            }
            XCTAssertNotNil(out.types[String(name)], "TYPE before sample: \(raw)", file: file, line: line)
            out.samples.append(Sample(name: String(name), labels: labels, value: v))
        }
        for (name, type) in out.types {
            XCTAssertEqual(type == "counter", name.hasSuffix("_total"), "counters and only counters end in _total: \(name)",
                           file: file, line: line)
        }
        return out
    }

    func stat(_ v: JSON) -> JSON { [[v, "2026-11-30 10:00:00.000000"]] }

    func testTheDaemonsStatisticsWithSubnetPoolAndKeyLabels() {
        let dhcp4: JSON = ["result": 0, "arguments": [
            "pkt4-received": stat(12), "pkt4-ack-sent": stat(5), "declined-addresses": stat(0),
            "subnet[1].total-addresses": stat(100), "subnet[1].assigned-addresses": stat(3),
            "subnet[1].pool[0].assigned-addresses": stat(2), "subnet[2].assigned-addresses": stat(7),
        ]]
        let dhcp6: JSON = .array([["result": 0, "arguments": [
            "pkt6-received": stat(4), "subnet[1].assigned-nas": stat(1), "subnet[1].pd-pool[0].total-pds": stat(256),
        ]]])
        let d2: JSON = ["result": 0, "arguments": [
            "ncr-received": stat(9), "key[we\"ird\\key.\nname.].update-sent": stat(2),
        ]]
        let out = AgentMetrics.render([("dhcp4", dhcp4), ("dhcp6", dhcp6), ("d2", d2)])
        let e = parse(out)
        XCTAssertEqual(e.value("kea_dhcp4_pkt4_received_total"), 12)
        XCTAssertEqual(e.types["kea_dhcp4_pkt4_received_total"], "counter")
        XCTAssertEqual(e.helps["kea_dhcp4_pkt4_received_total"], "Kea dhcp4 statistic pkt4-received")
        XCTAssertEqual(e.value("kea_dhcp4_pkt4_ack_sent_total"), 5)
        XCTAssertEqual(e.value("kea_dhcp4_declined_addresses"), 0)
        XCTAssertEqual(e.types["kea_dhcp4_declined_addresses"], "gauge")
        XCTAssertEqual(e.value("kea_dhcp4_subnet_total_addresses", ["subnet_id": "1"]), 100)
        XCTAssertEqual(e.value("kea_dhcp4_subnet_assigned_addresses", ["subnet_id": "1"]), 3)
        XCTAssertEqual(e.value("kea_dhcp4_subnet_assigned_addresses", ["subnet_id": "2"]), 7)
        XCTAssertEqual(e.value("kea_dhcp4_pool_assigned_addresses", ["subnet_id": "1", "pool_id": "0"]), 2)
        XCTAssertEqual(e.value("kea_dhcp6_pkt6_received_total"), 4)
        XCTAssertEqual(e.value("kea_dhcp6_subnet_assigned_nas", ["subnet_id": "1"]), 1)
        XCTAssertEqual(e.value("kea_dhcp6_pd_pool_total_pds", ["subnet_id": "1", "pool_id": "0"]), 256)
        XCTAssertEqual(e.value("kea_d2_ncr_received_total"), 9)
        // The key name survives the escaping of quote, backslash and line feed.
        XCTAssertEqual(e.value("kea_d2_key_update_sent_total", ["key": "we\"ird\\key.\nname."]), 2)
        for s in ["dhcp4", "dhcp6", "d2"] { XCTAssertEqual(e.value("kakapo_up", ["service": s]), 1) }
        XCTAssertEqual(e.types["kakapo_up"], "gauge")
        XCTAssertEqual(e.samples.count, 7 + 3 + 2 + 3)
    }

    func testAnUnreachableDaemonIsDownAndTheOthersStillShow() {
        let out = AgentMetrics.render([
            ("dhcp4", ["result": 0, "arguments": ["pkt4-received": stat(1)]]),
            ("dhcp6", ["result": 1, "text": "unable to forward command to the dhcp6 service: No such file or directory"]),
        ])
        let e = parse(out)
        XCTAssertEqual(e.value("kakapo_up", ["service": "dhcp4"]), 1)
        XCTAssertEqual(e.value("kakapo_up", ["service": "dhcp6"]), 0)
        XCTAssertEqual(e.value("kea_dhcp4_pkt4_received_total"), 1)
        XCTAssertEqual(e.samples.count, 3)
    }

    /// What the registry would trap on is left out (a negative counter; a name registered again
    /// with another help text, or unlabeled and labeled), and so is a family's sample with other
    /// label names.
    func testSamplesTheRegistryCannotTakeAreLeftOut() {
        let out = AgentMetrics.render([("dhcp4", ["result": 0, "arguments": [
            "subnet[1].assigned-addresses": stat(1),    // kea_dhcp4_subnet_assigned_addresses{subnet_id}
            "net[7].subnet[2].assigned-addresses": stat(2), // the same name, other labels: left out
            "pkt4-sent": stat(-4),                      // a negative counter: left out
            "pkt4-received": stat(.double(2.5)),        // a fraction: shown as such
            "odd": [["text", "t"]],                     // not a number: left out
            "a-b": stat(5),                             // kea_dhcp4_a_b_total
            "a_b": stat(6),                             // the same name, another help text: left out
            "foo-x": stat(8),                           // kea_dhcp4_foo_x_total, unlabeled
            "foo[1].x": stat(9),                        // kea_dhcp4_foo_x_total{foo_id}: left out
        ]])])
        let e = parse(out)
        XCTAssertEqual(e.value("kea_dhcp4_subnet_assigned_addresses", ["subnet_id": "1"]), 1)
        XCTAssertNil(e.value("kea_dhcp4_subnet_assigned_addresses", ["net_id": "7", "subnet_id": "2"]))
        XCTAssertNil(e.value("kea_dhcp4_pkt4_sent_total"))
        XCTAssertEqual(e.value("kea_dhcp4_pkt4_received_total"), 2.5)
        XCTAssertEqual(e.value("kea_dhcp4_a_b_total"), 5)
        XCTAssertEqual(e.helps["kea_dhcp4_a_b_total"], "Kea dhcp4 statistic a-b")
        XCTAssertEqual(e.value("kea_dhcp4_foo_x_total"), 8)
        XCTAssertNil(e.value("kea_dhcp4_foo_x_total", ["foo_id": "1"]))
        XCTAssertEqual(e.samples.count, 5)
    }

    func testNoDaemonsStillSaysNothingBroken() {
        XCTAssertEqual(parse(AgentMetrics.render([]) + "\n").samples.count, 0)
    }
}
