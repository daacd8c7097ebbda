import XCTest
@testable import KakapoCore

/// libdhcp_flex_option.so built in: its `options` decoded with the library's errors, and
/// add / supersede / remove applied to the finished reply as Kea applies them.
final class FlexOptionTests: XCTestCase {
    /// A config whose hooks-libraries names the library with `options` (a JSON list).
    static func configText(_ options: String) -> String {
        """
        { "Dhcp4": { "valid-lifetime": 3600,
          "hooks-libraries": [ { "library": "libdhcp_flex_option.so", "parameters": { "options": \(options) } } ],
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ],
            "option-data": [ { "name": "routers", "data": "192.0.2.1" }, { "name": "domain-name-servers", "data": "192.0.2.2" },
                             { "name": "boot-file-name", "data": "configured.bin", "always-send": true } ] } ] } }
        """
    }

    static func decode(_ options: String) throws -> Dhcp4Config {
        try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(configText(options), file: "f.conf", include: { _ in "" }))
    }

    func errorText(_ options: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try Self.decode(options)
            XCTFail("accepted: \(options)", file: file, line: line)
            return ""
        } catch let e as ConfigError {
            return e.message
        } catch {
            XCTFail("\(error)", file: file, line: line)
            return ""
        }
    }

    // MARK: - Parameters

    func testDecodesEntries() throws {
        let c = try Self.decode("""
            [ { "code": 66, "add": "'tftp.example.org'" },
              { "name": "routers", "supersede": "0xC0000263" },
              { "code": 6, "remove": "option[60].exists" },
              { "code": 23, "csv-format": true, "add": "'64'", "client-class": "ALL" } ]
            """)
        let rules = c.builtInHooks.flexOptions
        XCTAssertEqual(rules.map(\.code), [66, 3, 6, 23])
        guard case .add(let e) = rules[0].action, case .value = e.root else { return XCTFail("\(rules[0])") }
        guard case .supersede = rules[1].action else { return XCTFail("\(rules[1])") }
        guard case .remove(let t) = rules[2].action, case .condition = t.root else { return XCTFail("\(rules[2])") }
        XCTAssertTrue(rules[3].csvFormat)
        XCTAssertEqual(rules[3].clientClass, "ALL")
        XCTAssertFalse(c.warnings.contains { $0.key?.hasPrefix("Dhcp4/hooks-libraries") ?? false })
    }

    func testKeasErrors() {
        let prefix = "loading Flex Option hooks library failed: "
        XCTAssertTrue(errorText(#"{}"#).hasPrefix(prefix + "'options' parameter must be a list"))
        XCTAssertTrue(errorText(#"[ { "add": "'x'" } ]"#).contains("'code' or 'name' must be specified"))
        XCTAssertTrue(errorText(#"[ { "code": 66 } ]"#).contains("no action: "))
        XCTAssertTrue(errorText(#"[ { "code": 66, "add": "'x'", "remove": "true" } ]"#).contains("multiple actions: "), errorText(#"[ { "code": 66, "add": "'x'", "remove": "'a' == 'a'" } ]"#))
        XCTAssertTrue(errorText(#"[ { "code": 66, "add": "" } ]"#).contains("'add' must not be empty"))
        XCTAssertTrue(errorText(#"[ { "code": 0, "add": "'x'" } ]"#).contains("invalid 'code' value 0: reserved for PAD"))
        XCTAssertTrue(errorText(#"[ { "code": 255, "add": "'x'" } ]"#).contains("invalid 'code' value 255: reserved for END"))
        XCTAssertTrue(errorText(#"[ { "code": 300, "add": "'x'" } ]"#).contains("invalid 'code' value 300 not in [0..255]"))
        XCTAssertTrue(errorText(#"[ { "code": "66", "add": "'x'" } ]"#).contains("'code' must be an integer: \"66\""))
        XCTAssertTrue(errorText(#"[ { "code": 66, "bogus": 1, "add": "'x'" } ]"#).contains("unknown parameter 'bogus'"))
        XCTAssertTrue(errorText(#"[ { "name": "no-such-option", "add": "'x'" } ]"#).contains("no known 'no-such-option' option in 'dhcp4' space"))
        XCTAssertTrue(errorText(#"[ { "name": "routers", "code": 4, "add": "'x'" } ]"#)
            .contains("option 'routers' is defined as code: 3, not the specified code: 4"))
        XCTAssertTrue(errorText(#"[ { "code": 66, "add": "substring(" } ]"#).contains("can't parse add expression [substring(] error: "))
        // remove takes a test, add a value: each refuses the other kind.
        XCTAssertTrue(errorText(#"[ { "code": 66, "remove": "'x'" } ]"#).contains("can't parse remove expression"))
        XCTAssertTrue(errorText(#"[ { "code": 66, "add": "option[60].exists" } ]"#).contains("can't parse add expression"))
        XCTAssertTrue(errorText(#"[ { "code": 224, "csv-format": true, "add": "'x'" } ]"#).contains("no known option with code '224' in 'dhcp4' space"))
        let missing = """
            { "Dhcp4": { "hooks-libraries": [ { "library": "libdhcp_flex_option.so" } ] } }
            """
        XCTAssertThrowsError(try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(missing, file: "f.conf", include: { _ in "" }))) { e in
            XCTAssertTrue((e as? ConfigError)?.message.contains("'options' parameter is mandatory") ?? false, "\(e)")
        }
    }

    // MARK: - Replies

    func ack(_ options: String, mac: UInt8 = 1, request: [(UInt8, [UInt8])] = []) throws -> (DHCPv4Message, Effects4) {
        var h = EngineHarness(config: try Self.decode(options))
        let offer = try XCTUnwrap(h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(mac), options: request)).replies.first)
        let (replies, effects) = h.send(EngineHarness.message(.request, mac: EngineHarness.mac(mac), options: request + [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, offer.serverIdentifier!.bytes)]))
        return (try XCTUnwrap(replies.first), effects)
    }

    func testAddOnlyWhenAbsentAndNotEmpty() throws {
        let (r, effects) = try ack("""
            [ { "code": 66, "add": "'tftp.example.org'" },
              { "code": 67, "add": "'hook.bin'" },
              { "code": 15, "add": "''" } ]
            """)
        XCTAssertEqual(r.options[66], Array("tftp.example.org".utf8))
        XCTAssertEqual(r.options[67], Array("configured.bin".utf8), "add leaves an option already in the reply alone")
        XCTAssertNil(r.options[15], "an empty value adds nothing")
        XCTAssertTrue(effects.events.contains { if case .flexOption(_, .added(66, _)) = $0 { true } else { false } })
    }

    func testSupersedeReplacesWhenNotEmpty() throws {
        let (r, _) = try ack("""
            [ { "name": "routers", "supersede": "0xC0000263" },
              { "code": 6, "supersede": "''" },
              { "code": 66, "supersede": "concat('srv-', hexstring(pkt4.mac, ''))" } ]
            """)
        XCTAssertEqual(r.options[3], [192, 0, 2, 99])
        XCTAssertEqual(r.options[6], [192, 0, 2, 2], "an empty value supersedes nothing")
        XCTAssertEqual(r.options[66], Array("srv-020000000001".utf8))
    }

    func testRemoveWhenTheTestIsTrue() throws {
        let rules = #"[ { "code": 6, "remove": "pkt4.mac == 0x020000000001" } ]"#
        let (one, _) = try ack(rules, mac: 1)
        XCTAssertNil(one.options[6])
        let (two, _) = try ack(rules, mac: 2)
        XCTAssertEqual(two.options[6], [192, 0, 2, 2])
    }

    func testExpressionsSeeTheQuery() throws {
        let rules = #"[ { "code": 66, "add": "ifelse(option[60].exists, option[60].hex, 'none')" } ]"#
        let (with, _) = try ack(rules, request: [(60, Array("PXEClient".utf8))])
        XCTAssertEqual(with.options[66], Array("PXEClient".utf8))
        let (without, _) = try ack(rules)
        XCTAssertEqual(without.options[66], Array("none".utf8))
    }

    func testCsvFormatEncodesWithTheDefinition() throws {
        let (r, effects) = try ack("""
            [ { "code": 23, "csv-format": true, "add": "'64'" },
              { "name": "time-offset", "csv-format": true, "add": "'not-a-number'" } ]
            """)
        XCTAssertEqual(r.options[23], [64])
        XCTAssertNil(r.options[2])
        XCTAssertTrue(effects.events.contains { if case .flexOption(_, .failed) = $0 { true } else { false } })
    }

    func testClientClassLimitsAnEntry() throws {
        let (r, effects) = try ack("""
            [ { "code": 66, "add": "'for-all'", "client-class": "ALL" },
              { "code": 67, "supersede": "'not-for-you'", "client-class": "NOBODY" } ]
            """)
        XCTAssertEqual(r.options[66], Array("for-all".utf8))
        XCTAssertEqual(r.options[67], Array("configured.bin".utf8))
        XCTAssertTrue(effects.events.contains { if case .flexOption(_, .skippedForClass(67, "NOBODY")) = $0 { true } else { false } })
    }
}
