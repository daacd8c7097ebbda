import XCTest
@testable import KakapoCore

/// `reservations` in subnet4: decoded by hw-address or client-id, checked for addresses outside
/// the subnet and duplicates, unsupported identifiers refused with a position.
final class ConfigReservationTests: XCTestCase {
    func decode(_ reservations: String) throws -> Dhcp4Config {
        let text = """
        { "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
            "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ],
            "reservations": \(reservations) } ] } }
        """
        let root = try KeaJSON.parse(text, file: "r.conf", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in try OptionDataEncoder.encode(spec) })
    }

    func testReservationsDecode() throws {
        let c = try decode("""
            [ { "hw-address": "02:00:00:00:00:07", "ip-address": "192.0.2.50", "hostname": "printer",
                "option-data": [ { "name": "routers", "data": "192.0.2.254" } ], "next-server": "192.0.2.9" },
              { "client-id": "01:02:00:00:00:00:08", "ip-address": "192.0.2.51" } ]
            """)
        let r = c.subnets[0].reservations
        XCTAssertEqual(r.count, 2)
        XCTAssertEqual(r[0].hardwareAddress?.description, "02:00:00:00:00:07")
        XCTAssertEqual(r[0].address, IPv4Address(192, 0, 2, 50))
        XCTAssertEqual(r[0].hostname, "printer")
        XCTAssertEqual(r[0].optionData.first?.payload, [192, 0, 2, 254])
        XCTAssertEqual(r[0].bootFields.nextServer, IPv4Address(192, 0, 2, 9))
        XCTAssertEqual(r[1].clientID, [1, 2, 0, 0, 0, 0, 8])
    }

    func testBadReservationsAreRefused() {
        func message(_ json: String) -> String {
            do { _ = try decode(json); return "accepted" } catch let e as ConfigError { return e.message } catch { return "\(error)" }
        }
        XCTAssertTrue(message(#"[ { "hw-address": "02:00:00:00:00:07", "ip-address": "198.51.100.5" } ]"#).contains("not within the IPv4 subnet"))
        XCTAssertTrue(message(#"[ { "hw-address": "02:00:00:00:00:07", "ip-address": "192.0.2.5" }, { "hw-address": "02:00:00:00:00:08", "ip-address": "192.0.2.5" } ]"#).contains("already a reservation"))
        XCTAssertTrue(message(#"[ { "ip-address": "192.0.2.5" } ]"#).contains("one of the supported identifiers must be specified"))
        XCTAssertTrue(message(#"[ { "flex-id": "", "ip-address": "192.0.2.5" } ]"#).contains("invalid host identifier value ''"))
        XCTAssertTrue(message(#"[ { "hw-address": "02:00:00:00:00:07", "bogus": 1 } ]"#).contains("r.conf:"), "errors carry the position")
    }
}
