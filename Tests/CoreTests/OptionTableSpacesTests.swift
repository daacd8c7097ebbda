import XCTest
@testable import KakapoCore

/// `OptionTable` as a table of spaces: lookups by (space, code) and (space, name), vendor and
/// encapsulated spaces, and Kea's rules for definitions a configuration adds.
final class OptionTableSpacesTests: XCTestCase {
    let table = OptionTable.dhcp4

    // MARK: - Lookups

    /// The same code means different options in different spaces, and names resolve per space.
    func testLookupsAreBySpaceAndCodeOrName() throws {
        XCTAssertEqual(table.definition(.dhcp4(1))?.name, "subnet-mask")
        XCTAssertEqual(table.definition(OptionKey(space: .dhcpAgentOptions, code: 1))?.name, "circuit-id")
        XCTAssertEqual(table.definition(OptionKey(space: .vendor(enterpriseNumber: 4491), code: 1))?.name, "oro")
        XCTAssertEqual(table.definition(named: "link-selection", in: .dhcpAgentOptions)?.code, 5)
        XCTAssertNil(table.definition(named: "link-selection", in: .dhcp4))
        XCTAssertNil(table.definition(named: "routers", in: .dhcpAgentOptions))
        XCTAssertNil(table.definition(OptionKey(space: "no-such-space", code: 1)))
        let routers = try XCTUnwrap(table.definition(named: "routers", in: .dhcp4))
        XCTAssertEqual(routers.key, .dhcp4(3))
        XCTAssertEqual(routers.space, .dhcp4)
        XCTAssertEqual(table.origin(of: routers.key), .standard)
        XCTAssertEqual(table.definitions(in: .dhcpAgentOptions).map(\.code), [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 151, 152])
    }

    /// Goal: the table knows Kea's spaces and the encapsulation between them. Options 43 and 82
    /// carry their spaces; the vendor-encapsulated space exists although it is empty until a
    /// configuration defines its options.
    func testEncapsulatedSpaces() throws {
        XCTAssertEqual(table.definition(.dhcp4(82))?.encapsulatedSpace, .dhcpAgentOptions)
        XCTAssertEqual(table.definition(.dhcp4(43))?.encapsulatedSpace, .vendorEncapsulatedOptions)
        XCTAssertEqual(table.origin(of: .dhcp4(43)), .fallback)
        XCTAssertTrue(table.contains(space: .vendorEncapsulatedOptions))
        XCTAssertTrue(table.definitions(in: .vendorEncapsulatedOptions).isEmpty)
        XCTAssertEqual(table.spaceNames, [.dhcpAgentOptions, .dhcp4, .vendor(enterpriseNumber: 4491), .vendorEncapsulatedOptions])
        let encapsulating = table.definitions(in: .dhcp4).filter { $0.encapsulatedSpace != nil }.map(\.code)
        XCTAssertEqual(encapsulating, [43, 82])
    }

    func testVendorSpacesAreNamedAsKeaNamesThem() {
        XCTAssertEqual(OptionSpaceName.vendor(enterpriseNumber: 4491).text, "vendor-4491")
        XCTAssertEqual(OptionSpaceName("vendor-4491").vendorEnterpriseNumber, 4491)
        XCTAssertEqual(OptionSpaceName("vendor-0").vendorEnterpriseNumber, 0)
        XCTAssertEqual(OptionSpaceName("vendor-4294967295").vendorEnterpriseNumber, UInt32.max)
        XCTAssertNil(OptionSpaceName("vendor-4294967296").vendorEnterpriseNumber)
        XCTAssertNil(OptionSpaceName("vendor-").vendorEnterpriseNumber)
        XCTAssertNil(OptionSpaceName("vendor-12a").vendorEnterpriseNumber)
        XCTAssertNil(OptionSpaceName("vendor--1").vendorEnterpriseNumber)
        XCTAssertNil(OptionSpaceName.dhcp4.vendorEnterpriseNumber)
        XCTAssertEqual(table.definition(named: "tftp-servers", in: "vendor-4491")?.type, .ipv4Address)
    }

    func testSpaceNamesFollowKeaRule() {
        for valid in ["dhcp4", "my_space", "a", "Vendor-9", "x-y_z"] {
            XCTAssertTrue(OptionSpaceName(valid).isValid, valid)
        }
        for invalid in ["", "-x", "x-", "_x", "x_", "has space", "dot.ted", "ünï"] {
            XCTAssertFalse(OptionSpaceName(invalid).isValid, invalid)
        }
    }

    // MARK: - Configured definitions

    /// A custom space and an unused dhcp4 code can be defined, and are found like standard ones.
    func testConfiguredDefinitionsAreAddedToTheirSpace() throws {
        var table = OptionTable.dhcp4
        try table.addConfigured(Self.definition(name: "foo", code: 1, type: "uint16", space: "my-space"))
        try table.addConfigured(Self.definition(name: "bar", code: 222, type: "ipv4-address", array: true))
        XCTAssertEqual(table.definition(OptionKey(space: "my-space", code: 1))?.name, "foo")
        XCTAssertEqual(table.definition(named: "bar", in: .dhcp4)?.key, .dhcp4(222))
        XCTAssertEqual(table.origin(of: .dhcp4(222)), .configured)
        XCTAssertNil(OptionTable.dhcp4.definition(.dhcp4(222)), "the standard table is a value, left unchanged")
    }

    /// Goal: Kea's CfgOptionDef::add rules with its wording. Method: add one definition that each
    /// rule refuses.
    func testStandardAndDuplicateDefinitionsAreRefused() throws {
        var table = OptionTable.dhcp4
        try table.addConfigured(Self.definition(name: "foo", code: 222, type: "uint8"))
        let cases: [(OptionDefinition, OptionDefinitionError.Code, String)] = [
            (Self.definition(name: "my-routers", code: 3, type: "ipv4-address"), .standardOverride,
             "unable to override definition of option '3' in standard option space 'dhcp4'"),
            (Self.definition(name: "routers", code: 223, type: "ipv4-address"), .standardOverride,
             "unable to override definition of option 'routers' in standard option space 'dhcp4'"),
            (Self.definition(name: "my-circuit", code: 1, type: "binary", space: "dhcp-agent-options-space"),
             .standardOverride, "unable to override definition of option '1' in standard option space 'dhcp-agent-options-space'"),
            (Self.definition(name: "other", code: 222, type: "uint8"), .duplicate,
             "option definition with code '222' already exists in option space 'dhcp4'"),
            (Self.definition(name: "foo", code: 224, type: "uint8"), .duplicate,
             "option definition with name 'foo' already exists in option space 'dhcp4'"),
        ]
        for (definition, code, message) in cases {
            XCTAssertThrowsError(try table.addConfigured(definition), definition.name) { error in
                XCTAssertEqual((error as? OptionDefinitionError)?.code, code)
                XCTAssertEqual((error as? OptionDefinitionError)?.message, message)
            }
        }
        XCTAssertEqual(table.definition(.dhcp4(3))?.name, "routers")
    }

    /// Kea lets a configuration give option 43 its own definition (its standard one is only a
    /// last resort), and vendor defaults give way too.
    func testFallbackDefinitionsGiveWay() throws {
        var table = OptionTable.dhcp4
        try table.addConfigured(Self.definition(name: "acme-43", code: 43, type: "binary"))
        XCTAssertEqual(table.definition(.dhcp4(43))?.name, "acme-43")
        XCTAssertNil(table.definition(.dhcp4(43))?.encapsulatedSpace)
        XCTAssertNil(table.definition(named: "vendor-encapsulated-options", in: .dhcp4))
        try table.addConfigured(Self.definition(name: "oro", code: 9, type: "uint16", space: "vendor-4491"))
        XCTAssertEqual(table.definition(named: "oro", in: "vendor-4491")?.code, 9)
        XCTAssertNil(table.definition(OptionKey(space: "vendor-4491", code: 1)))
    }

    /// Goal: each of Kea's checks on an option-def entry, with its wording and the part it
    /// points at.
    func testConfiguredDefinitionChecks() {
        func failure(name: String = "opt", code: Int64 = 222, type: String = "uint8", array: Bool = false,
                     recordTypes: String = "", space: String = "dhcp4", encapsulate: String = "",
                     family: OptionTable.Family = .v4) -> (String, OptionDefinitionError.Field)? {
            do {
                _ = try OptionDefinition.configured(name: name, code: code, type: type, array: array,
                                                    recordTypes: recordTypes, space: OptionSpaceName(space),
                                                    encapsulate: encapsulate, family: family)
                return nil
            } catch {
                return (error.message, error.field)
            }
        }
        XCTAssertNil(failure())
        XCTAssertEqual(failure(code: -1)?.0, "option code must not be negative")
        XCTAssertEqual(failure(code: 256)?.0, "invalid option code '256', it must not be greater than '255'")
        XCTAssertEqual(failure(code: 256)?.1, .code)
        XCTAssertEqual(failure(code: 0)?.0, "invalid option code '0': reserved for PAD")
        XCTAssertEqual(failure(code: 255)?.0, "invalid option code '255': reserved for END")
        XCTAssertNil(failure(code: 0, space: "my-space"), "PAD and END are reserved in dhcp4 only")
        XCTAssertEqual(failure(space: "bad space")?.0, "invalid option space name 'bad space'")
        XCTAssertEqual(failure(space: "bad space")?.1, .space)
        XCTAssertEqual(failure(name: "-opt")?.0, "invalid option name '-opt'")
        XCTAssertEqual(failure(type: "uint128")?.0, "option type 'uint128' not supported.")
        XCTAssertEqual(failure(type: "string", array: true)?.0, "array of strings is not a valid option definition.")
        XCTAssertEqual(failure(type: "binary", array: true)?.0, "array of binary values is not a valid option definition.")
        XCTAssertEqual(failure(type: "empty", array: true)?.0, "array of empty value is not a valid option definition.")
        XCTAssertEqual(failure(array: true, encapsulate: "sub")?.0,
                       "option 'dhcp4.opt', comprising an array of data fields may not encapsulate any option space")
        XCTAssertEqual(failure(space: "sub", encapsulate: "sub")?.0,
                       "option must not encapsulate an option space it belongs to: 'sub.opt' is set to encapsulate 'sub'")
        XCTAssertEqual(failure(encapsulate: "bad space")?.0, "invalid encapsulated option space name: 'bad space'")
        XCTAssertEqual(failure(type: "uint8", recordTypes: "uint8, uint16")?.0,
                       "invalid record type values specified for the option definition: 'record' option type must be "
                           + "used instead of 'uint8' to add data fields to the record")
        XCTAssertEqual(failure(type: "record", recordTypes: "uint8, nonsense")?.1, .recordTypes)
        XCTAssertEqual(failure(type: "record", recordTypes: "uint8")?.0,
                       "invalid number of data fields: 1 specified for the option of type 'record'. Expected at least 2 fields.")
        XCTAssertEqual(failure(type: "record", recordTypes: "string, uint8")?.0,
                       "string data field can't be laid before data fields of other types.")
        XCTAssertEqual(failure(type: "record", array: true, recordTypes: "uint8, binary")?.0,
                       "array of binary values is not a valid option definition.")
        XCTAssertNil(failure(type: "record", array: true, recordTypes: " uint8 ,ipv4-address, "))
    }

    /// The row type is not tied to DHCPv4: a DHCPv6 table takes 16-bit codes in dhcp6.
    func testDefinitionsAreFamilyNeutral() throws {
        let definition = try OptionDefinition.configured(name: "big", code: 65000, type: "uint32",
                                                         space: .dhcp6, family: .v6)
        var table = OptionTable(family: .v6)
        try table.addConfigured(definition)
        XCTAssertEqual(table.definition(.dhcp6(65000))?.name, "big")
        XCTAssertThrowsError(try OptionDefinition.configured(name: "zero", code: 0, type: "uint8", space: .dhcp6,
                                                             family: .v6)) { error in
            XCTAssertEqual((error as? OptionDefinitionError)?.message, "invalid option code '0': reserved value")
        }
        XCTAssertThrowsError(try OptionDefinition.configured(name: "huge", code: 65536, type: "uint8", space: .dhcp6,
                                                             family: .v6)) { error in
            XCTAssertEqual((error as? OptionDefinitionError)?.message, "invalid option code '65536', it must not exceed '65535'")
        }
        XCTAssertEqual(OptionTable.Family.v6.topLevelSpace, .dhcp6)
    }

    static func definition(name: String, code: Int64, type: String, array: Bool = false,
                           space: OptionSpaceName = .dhcp4) -> OptionDefinition {
        // The test's own rows are valid; a bad one is a bug in the test.
        try! OptionDefinition.configured(name: name, code: code, type: type, array: array, space: space, family: .v4)
    }
}
