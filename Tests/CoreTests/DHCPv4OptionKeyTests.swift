import XCTest
@testable import KakapoCore

/// The engine's option keys against the table: every `DHCPv4Option` and `DHCPv4AgentSubOption`
/// case must be a definition of `OptionTable.dhcp4` at its raw value, and be named after it, so
/// that the codes the protocol logic uses cannot drift from the table.
final class DHCPv4OptionKeyTests: XCTestCase {
    /// Goal: a key whose code or name disagrees with the table fails. Method: for each case, look
    /// its raw value up in its space and compare the case's own name with the definition's Kea
    /// name in lower camel case.
    func testEveryEngineKeyIsTheTablesDefinitionOfItsCode() throws {
        for option in DHCPv4Option.allCases {
            let definition = try XCTUnwrap(OptionTable.dhcp4.definition(.dhcp4(UInt16(option.rawValue))),
                                           "DHCPv4Option.\(option) = \(option.rawValue) is not defined in dhcp4")
            XCTAssertEqual("\(option)", Self.lowerCamelCase(definition.name),
                           "DHCPv4Option.\(option) = \(option.rawValue) is '\(definition.name)' in the table")
            XCTAssertEqual(option.name, definition.name)
            XCTAssertEqual(option.key, definition.key)
            XCTAssertEqual(OptionTable.dhcp4.origin(of: option.key), .standard)
        }
        for subOption in DHCPv4AgentSubOption.allCases {
            let key = OptionKey(space: .dhcpAgentOptions, code: UInt16(subOption.rawValue))
            let definition = try XCTUnwrap(OptionTable.dhcp4.definition(key), "DHCPv4AgentSubOption.\(subOption)")
            XCTAssertEqual("\(subOption)", Self.lowerCamelCase(definition.name))
            XCTAssertEqual(subOption.key, key)
        }
    }

    /// The keys the engine cannot do without are there, with the codes RFC 2132 gives them.
    func testKeysNameTheirRFCCodes() {
        XCTAssertEqual(DHCPv4Option.dhcpMessageType.code, 53)
        XCTAssertEqual(DHCPv4Option.dhcpServerIdentifier.name, "dhcp-server-identifier")
        XCTAssertEqual(DHCPv4Option.dhcpAgentOptions.definition.encapsulatedSpace, .dhcpAgentOptions)
        XCTAssertEqual(DHCPv4AgentSubOption.linkSelection.name, "link-selection")
        XCTAssertEqual(DHCPv4Options.padCode, 0)
        XCTAssertEqual(DHCPv4Options.endCode, 255)
        XCTAssertNil(OptionTable.dhcp4.definition(.dhcp4(UInt16(DHCPv4Options.padCode))))
        XCTAssertNil(OptionTable.dhcp4.definition(.dhcp4(UInt16(DHCPv4Options.endCode))))
    }

    /// The key overloads read and write the same slots as the codes they stand for.
    func testKeyedAccessMatchesCodedAccess() {
        var options = DHCPv4Options()
        options[DHCPv4Option.dhcpMessageType] = [DHCPv4MessageType.request.rawValue]
        options[53 + 1] = [192, 0, 2, 1]
        options[DHCPv4Option.dhcpMaxMessageSize] = [0x05, 0xDC]
        options[DHCPv4Option.dhcpLeaseTime] = [0, 0, 0x0E, 0x10]
        XCTAssertEqual(options.u8(53), DHCPv4MessageType.request.rawValue)
        XCTAssertEqual(options.address(DHCPv4Option.dhcpServerIdentifier), IPv4Address(192, 0, 2, 1))
        XCTAssertEqual(options.u16(DHCPv4Option.dhcpMaxMessageSize), 1500)
        XCTAssertEqual(options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
        XCTAssertEqual(options.length(DHCPv4Option.dhcpLeaseTime), 4)
        XCTAssertTrue(options.has(DHCPv4Option.dhcpServerIdentifier, equalTo: [192, 0, 2, 1]))
        XCTAssertFalse(options.contains(DHCPv4Option.routers))
        options[DHCPv4Option.dhcpLeaseTime] = nil
        XCTAssertNil(options[51])
    }

    func testLowerCamelCaseFollowsKeaNames() {
        XCTAssertEqual(Self.lowerCamelCase("dhcp-message-type"), "dhcpMessageType")
        XCTAssertEqual(Self.lowerCamelCase("fqdn"), "fqdn")
        XCTAssertEqual(Self.lowerCamelCase("ieee802-3-encapsulation"), "ieee8023Encapsulation")
    }

    /// "dhcp-message-type" → "dhcpMessageType": the words after the first are capitalised.
    static func lowerCamelCase(_ keaName: String) -> String {
        let words = keaName.split(separator: "-").map(String.init)
        guard let first = words.first else { return "" }
        return first + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
