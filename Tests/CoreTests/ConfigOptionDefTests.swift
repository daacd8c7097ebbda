import XCTest
@testable import KakapoCore

/// `option-def` in a Dhcp4 configuration: definitions land in the config's option table,
/// `option-data` uses them (in dhcp4 and in custom spaces packed into the option that
/// encapsulates them), and bad definitions fail with Kea's wording at Kea's position.
final class ConfigOptionDefTests: XCTestCase {
    func decode(_ dhcp4Body: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse("{ \"Dhcp4\": { \(dhcp4Body) } }", file: "defs.json", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root)
    }

    func failure(_ dhcp4Body: String) -> ConfigError? {
        do {
            _ = try decode(dhcp4Body)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            XCTFail("not a ConfigError: \(error)")
            return nil
        }
    }

    func at(_ line: Int, _ column: Int) -> SourcePosition { SourcePosition(file: "defs.json", line: line, column: column) }

    /// Goal: a definition in dhcp4 with an unused code and one in a custom space both work.
    /// Method: define a uint16 array at 222, a container at 223 that encapsulates "acme", and two
    /// options in "acme" written out of code order; check every byte of what the engine will send.
    func testDefinedOptionsEncodeInDhcp4AndInACustomSpace() throws {
        let config = try decode("""
            "option-def": [
                { "name": "ports", "code": 222, "type": "uint16", "array": true },
                { "name": "acme-container", "code": 223, "type": "uint8", "encapsulate": "acme" },
                { "name": "acme-server", "code": 2, "space": "acme", "type": "ipv4-address" },
                { "name": "acme-flags", "code": 1, "space": "acme", "type": "record", "record-types": "uint8, string" }
            ],
            "option-data": [
                { "name": "ports", "data": "80, 443" },
                { "name": "acme-server", "space": "acme", "data": "192.0.2.9" },
                { "name": "acme-container", "data": "7", "always-send": true },
                { "code": 1, "space": "acme", "data": "5, on" },
                { "name": "routers", "data": "192.0.2.1" }
            ]
            """)
        XCTAssertEqual(config.optionData.map(\.code), [222, 223, 3])
        XCTAssertEqual(config.optionData[0].payload, [0, 80, 0x01, 0xBB])
        XCTAssertEqual(config.optionData[1].payload, [7, 1, 3, 5] + Array("on".utf8) + [2, 4, 192, 0, 2, 9])
        XCTAssertTrue(config.optionData[1].alwaysSend)
        XCTAssertEqual(config.optionData[2].payload, [192, 0, 2, 1])
        XCTAssertEqual(config.optionTable.definition(OptionKey(space: "acme", code: 2))?.name, "acme-server")
        XCTAssertEqual(config.optionTable.origin(of: .dhcp4(222)), .configured)
        XCTAssertTrue(config.warnings.isEmpty, "\(config.warnings)")
    }

    /// Option 43 carries vendor-encapsulated-options-space, as in Kea's own example, and a
    /// definition written after the option data and a subnet using it still apply (Kea reads
    /// option-def first).
    func testVendorEncapsulatedOptionsAndOrderIndependence() throws {
        let config = try decode("""
            "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
                "option-data": [ { "name": "vendor-encapsulated-options" },
                                 { "name": "tftp", "space": "vendor-encapsulated-options-space", "data": "198.51.100.7" } ] } ],
            "option-data": [ { "name": "ports", "data": "8080" } ],
            "option-def": [
                { "name": "tftp", "code": 1, "space": "vendor-encapsulated-options-space", "type": "ipv4-address" },
                { "name": "ports", "code": 222, "type": "uint16", "array": true }
            ]
            """)
        XCTAssertEqual(config.optionData, [ConfiguredOption(code: 222, payload: [0x1F, 0x90])])
        XCTAssertEqual(config.subnets[0].optionData, [ConfiguredOption(code: 43, payload: [1, 4, 198, 51, 100, 7])])
    }

    /// A sub-option configured where no option encapsulates its space is not sent, and the
    /// operator is told, at the entry.
    func testUnpackedSubOptionsAreNotedNotSent() throws {
        let config = try decode("""
            "option-data": [
                { "name": "circuit-id", "space": "dhcp-agent-options-space", "data": "0a0b" },
                { "name": "routers", "data": "192.0.2.1" }
            ]
            """)
        XCTAssertEqual(config.optionData.map(\.code), [3])
        XCTAssertEqual(config.warnings.map(\.code), [.notActedOn])
        XCTAssertEqual(config.warnings.first?.key, "Dhcp4/option-data[0]")
        XCTAssertEqual(config.warnings.first?.position, at(2, 5))
        XCTAssertTrue(config.warnings[0].message.contains("no option at this level encapsulates option space "
                                                          + "'dhcp-agent-options-space'"), config.warnings[0].message)
    }

    /// Two sub-options with one code at one level: the first is packed (as Kea keeps the first),
    /// the other is reported.
    func testASubOptionCodeIsPackedOnce() throws {
        let config = try decode("""
            "option-def": [ { "name": "tftp", "code": 1, "space": "vendor-encapsulated-options-space", "type": "ipv4-address" } ],
            "option-data": [
                { "name": "vendor-encapsulated-options" },
                { "code": 1, "space": "vendor-encapsulated-options-space", "data": "192.0.2.1" },
                { "code": 1, "space": "vendor-encapsulated-options-space", "data": "192.0.2.2" }
            ]
            """)
        XCTAssertEqual(config.optionData, [ConfiguredOption(code: 43, payload: [1, 4, 192, 0, 2, 1])])
        XCTAssertEqual(config.warnings.map(\.key), ["Dhcp4/option-data[2]"])
        XCTAssertTrue(config.warnings[0].message.contains("is sent instead"), config.warnings[0].message)
    }

    /// Goal: redefining a standard option fails as in Kea, at the option-def entry.
    func testRedefiningAStandardOptionIsAnError() throws {
        let byCode = try XCTUnwrap(failure("""
            "option-def": [
                { "name": "my-routers", "code": 3, "type": "ipv4-address" } ]
            """))
        XCTAssertEqual(byCode.code, .conflict)
        XCTAssertEqual(byCode.message,
                       "unable to override definition of option '3' in standard option space 'dhcp4' (defs.json:2:5)")
        XCTAssertEqual(byCode.position, at(2, 5))
        let byName = try XCTUnwrap(failure("""
            "option-def": [ { "name": "routers", "code": 222, "type": "ipv4-address" } ]
            """))
        XCTAssertEqual(byName.message,
                       "unable to override definition of option 'routers' in standard option space 'dhcp4' (defs.json:1:30)")
        let duplicate = try XCTUnwrap(failure("""
            "option-def": [ { "name": "a", "code": 222, "type": "uint8" },
                            { "name": "b", "code": 222, "type": "uint8" } ]
            """))
        XCTAssertEqual(duplicate.code, .duplicate)
        XCTAssertEqual(duplicate.message, "option definition with code '222' already exists in option space 'dhcp4' (defs.json:2:17)")
    }

    /// Malformed entries: Kea's grammar errors and its parser's, each at the part it names.
    func testMalformedDefinitionsAreRefusedWithPositions() throws {
        XCTAssertEqual(failure(#""option-def": [ { "name": "x", "code": 256, "type": "uint8" } ]"#)?.message,
                       "invalid option code '256', it must not be greater than '255' (defs.json:1:53)")
        XCTAssertEqual(failure(#""option-def": [ { "name": "x", "code": 255, "type": "uint8" } ]"#)?.message,
                       "invalid option code '255': reserved for END (defs.json:1:53)")
        XCTAssertEqual(failure(#""option-def": [ { "name": "x", "code": 2, "space": "no good", "type": "uint8" } ]"#)?.message,
                       "invalid option space name 'no good' (defs.json:1:65)")
        XCTAssertEqual(failure(#""option-def": [ { "name": "x", "code": 222, "type": "string", "array": true } ]"#)?.message,
                       "array of strings is not a valid option definition. (defs.json:1:30)")
        XCTAssertEqual(failure(#""option-def": [ { "name": "x", "code": 222, "type": "record", "record-types": "uint8, bogus" } ]"#)?.message,
                       "invalid record type values specified for the option definition: attempted to add invalid data "
                           + "type to the record. (defs.json:1:92)")
        let missing = try XCTUnwrap(failure(#""option-def": [ { "name": "x", "type": "uint8" } ]"#))
        XCTAssertEqual(missing.code, .missingKey)
        XCTAssertEqual(missing.message, "missing parameter 'code' (defs.json:1:30) [option-def map between defs.json:1:30 and defs.json:1:61]")
        let unknown = try XCTUnwrap(failure(#""option-def": [ { "name": "x", "code": 222, "type": "uint8", "size": 1 } ]"#))
        XCTAssertEqual(unknown.code, .unknownKey)
        XCTAssertTrue(unknown.message.hasSuffix("got unexpected keyword \"size\" in option-def map."), unknown.message)
        XCTAssertEqual(failure(#""option-def": [ { "name": "x", "code": "222", "type": "uint8" } ]"#)?.code, .wrongType)
    }

    /// Option data for a defined option is checked against its definition like a standard one.
    func testOptionDataIsCheckedAgainstConfiguredDefinitions() throws {
        let error = try XCTUnwrap(failure("""
            "option-def": [ { "name": "ports", "code": 222, "type": "uint16", "array": true } ],
            "option-data": [ { "name": "ports", "data": "80, 70000" } ]
            """))
        XCTAssertEqual(error.message, "option data does not match option definition (space: dhcp4, code: 222): "
                       + "unable to convert '70000' to numeric type. This value is expected to be in the range of "
                       + "0..65535 (defs.json:2:45)")
        XCTAssertEqual(failure(#""option-data": [ { "name": "ports", "data": "80" } ]"#)?.message,
                       "definition for the option 'dhcp4.ports' having code '0' does not exist (defs.json:1:41)")
    }
}
