import XCTest
@testable import KakapoCore

/// libdhcp_flex_id.so: the identifier expression's value is the query's flex-id, and a
/// reservation by `flex-id` (hex or quoted text) is found by it when `flex-id` is among the
/// host-reservation-identifiers. Without the hook, flex-id reservations never match.
final class FlexIdTests: XCTestCase {
    static func config(hook: Bool, identifiers: String = #"[ "flex-id", "hw-address" ]"#) throws -> Dhcp4Config {
        let hooks = hook ? #""hooks-libraries": [ { "library": "/usr/lib/kea/hooks/libdhcp_flex_id.so", "#
            + #""parameters": { "identifier-expression": "substring(option[60].hex, 0, 6)" } } ],"# : ""
        let text = #"{ "Dhcp4": { "valid-lifetime": 3600, "# + hooks + #""host-reservation-identifiers": "# + identifiers + ", "
            + #""subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ], "#
            + #""reservations": [ { "flex-id": "'camera'", "ip-address": "192.0.2.77", "hostname": "cam" }, "#
            + #"{ "flex-id": "70:72:69:6e:74:65", "ip-address": "192.0.2.78" } ] } ] } }"#
        return try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(text, file: "f.conf", include: { _ in "" }))
    }

    func offer(_ c: Dhcp4Config, vendor: String) throws -> DHCPv4Message {
        var h = EngineHarness(config: c)
        let m = EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [
            (DHCPv4Option.vendorClassIdentifier.code, Array(vendor.utf8))])
        return try XCTUnwrap(h.send(m).replies.first)
    }

    func testReservationFoundByFlexIdFromTheExpression() throws {
        let c = try Self.config(hook: true)
        XCTAssertNotNil(c.builtInHooks.flexIdentifier)
        XCTAssertEqual(try offer(c, vendor: "camera-x200").yiaddr, IPv4Address(192, 0, 2, 77), "quoted text flex-id")
        XCTAssertEqual(try offer(c, vendor: "printer").yiaddr, IPv4Address(192, 0, 2, 78), "hex flex-id")
        XCTAssertEqual(try offer(c, vendor: "phone").yiaddr, IPv4Address(192, 0, 2, 10), "no reservation: dynamic")
    }

    func testWithoutTheHookOrTheIdentifierTypeNothingMatches() throws {
        XCTAssertEqual(try offer(try Self.config(hook: false), vendor: "camera-x200").yiaddr, IPv4Address(192, 0, 2, 10))
        let noType = try Self.config(hook: true, identifiers: #"[ "hw-address" ]"#)
        XCTAssertEqual(try offer(noType, vendor: "camera-x200").yiaddr, IPv4Address(192, 0, 2, 10))
    }

    func testBadIdentifierExpressionIsAConfigError() {
        let text = #"{ "Dhcp4": { "hooks-libraries": [ { "library": "libdhcp_flex_id.so", "parameters": { "identifier-expression": "substring(" } } ] } }"#
        do {
            _ = try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(text, file: "f.conf", include: { _ in "" }))
            XCTFail("accepted")
        } catch {
            XCTAssertTrue(error.message.contains("Flex Identifier"), error.message)
            XCTAssertEqual(error.position?.file, "f.conf")
        }
    }
}
