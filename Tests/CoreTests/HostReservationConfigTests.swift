import XCTest
@testable import KakapoCore

/// Decoding host reservations by every identifier kind, `host-reservation-identifiers`,
/// global `reservations` and the reservations-* modes, with Kea's errors and positions.
final class HostReservationConfigTests: XCTestCase {
    /// `globals` goes inside Dhcp4 (line 1), `reservations` into the subnet (line 3).
    func decode(_ reservations: String = "[]", globals: String = "", subnet: String = "") throws -> Dhcp4Config {
        let text = """
        { "Dhcp4": { \(globals)
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", \(subnet)
            "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" } ], "reservations": \(reservations) } ] } }
        """
        let root = try KeaJSON.parse(text, file: "h.conf", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root, optionEncoder: { spec throws -> ConfiguredOption in try OptionDataEncoder.encode(spec) })
    }

    func error(_ body: () throws -> Dhcp4Config) -> ConfigError? {
        do { _ = try body(); return nil } catch let e as ConfigError { return e } catch { return nil }
    }

    func testEachIdentifierKindDecodes() throws {
        let c = try decode("""
            [ { "hw-address": "02:00:00:00:00:07", "ip-address": "192.0.2.50" },
              { "duid": "01:02:03:04:05:06", "ip-address": "192.0.2.51" },
              { "duid": "0x0a0b0c0d", "ip-address": "192.0.2.52" },
              { "circuit-id": "'port-7'", "ip-address": "192.0.2.53" },
              { "circuit-id": "00 01 02", "ip-address": "192.0.2.54" },
              { "client-id": "01:02:00:00:00:00:08", "ip-address": "192.0.2.55" },
              { "client-id": "'text-id'" } ]
            """)
        XCTAssertEqual(c.subnets[0].reservations.map(\.identifier), [
            .hwAddress(HardwareAddress(bytes: [2, 0, 0, 0, 0, 7])),
            .duid([1, 2, 3, 4, 5, 6]),
            .duid([0x0a, 0x0b, 0x0c, 0x0d]),
            .circuitID(Array("port-7".utf8)),
            .circuitID([0, 1, 2]),
            .clientID([1, 2, 0, 0, 0, 0, 8]),
            .clientID(Array("text-id".utf8)),
        ])
        XCTAssertEqual(c.subnets[0].reservations[5].clientID, [1, 2, 0, 0, 0, 0, 8])
        XCTAssertNil(c.subnets[0].reservations[1].hardwareAddress)
    }

    func testBadIdentifiersAreRefusedWithPositions() {
        let flex = error { try self.decode(#"[ { "flex-id": "''" } ]"#) }
        XCTAssertEqual(flex?.code, .invalidValue)
        XCTAssertTrue(flex?.message.contains("invalid host identifier value ''''") ?? false, flex?.message ?? "accepted")
        XCTAssertEqual(flex?.position?.line, 3)

        let two = error { try self.decode("""
            [ { "duid": "01:02",
                "client-id": "01:03" } ]
            """) }
        XCTAssertEqual(two?.message.hasPrefix("the 'client-id' and 'duid' are mutually exclusive"), true, two?.message ?? "accepted")
        XCTAssertEqual(two?.position?.line, 4, "the second identifier's line")

        // Kea's text, at the reservation's map.
        XCTAssertTrue(error { try self.decode(#"[ { "duid": "01:zz" } ]"#) }?.message.hasPrefix("invalid host identifier value '01:zz' (h.conf:3:") ?? false)
        XCTAssertTrue(error { try self.decode(#"[ { "circuit-id": "''" } ]"#) }?.message.hasPrefix("invalid host identifier value") ?? false)
        XCTAssertTrue(error { try self.decode(#"[ { "client-id": "" } ]"#) }?.message.hasPrefix("invalid host identifier value") ?? false)
        let none = error { try self.decode(#"[ { "ip-address": "192.0.2.5" } ]"#) }
        XCTAssertEqual(none?.message.hasPrefix("one of the supported identifiers must be specified for host reservation: "
                                               + "circuit-id, client-id, duid, flex-id, hw-address"), true, none?.message ?? "accepted")
    }

    func testIdentifiersAreUniquePerType() throws {
        // The same bytes under two identifier types are two hosts.
        XCTAssertEqual(try decode(#"[ { "duid": "01:02:03" }, { "client-id": "01:02:03" }, { "circuit-id": "01:02:03" } ]"#).subnets[0].reservations.count, 3)
        for kind in ["duid", "circuit-id", "client-id", "hw-address"] {
            let e = error { try self.decode(#"[ { "\#(kind)": "01:02:03" }, { "\#(kind)": "01:02:03" } ]"#) }
            XCTAssertEqual(e?.code, .duplicate, kind)
            // Kea 2.2's CfgHosts texts: named for a hardware address or DUID, type=hex otherwise.
            let expected = ["hw-address", "duid"].contains(kind) ? "to the IPv4 subnet id '1' as this host has already been added"
                : "failed to add duplicate IPv4 host using identifier: \(kind)=010203"
            XCTAssertTrue(e?.message.contains(expected) ?? false, e?.message ?? "accepted")
        }
        let dup = error { try self.decode(#"[ { "duid": "01:02:03" }, { "duid": "1:2:3" } ]"#) }
        XCTAssertTrue(dup?.message.contains("DUID '01:02:03'") ?? false, dup?.message ?? "accepted")
        let address = error { try self.decode(#"[ { "duid": "01", "ip-address": "192.0.2.9" }, { "circuit-id": "01", "ip-address": "192.0.2.9" } ]"#) }
        XCTAssertTrue(address?.message.contains("There's already a reservation for this address") ?? false, address?.message ?? "accepted")
    }

    func testHostReservationIdentifiers() throws {
        XCTAssertEqual(try decode().hostReservationIdentifiers, [.hwAddress, .duid, .circuitID, .clientID], "Kea 2.4's DHCPv4 default")
        XCTAssertEqual(try decode(globals: #""host-reservation-identifiers": [ "client-id", "hw-address" ],"#).hostReservationIdentifiers,
                       [.clientID, .hwAddress])
        XCTAssertEqual(try decode(globals: #""host-reservation-identifiers": [ "auto" ],"#).hostReservationIdentifiers,
                       [.hwAddress, .duid, .circuitID, .clientID, .flexID])
        let unknown = error { try self.decode(globals: #""host-reservation-identifiers": [ "hw-address", "mac" ],"#) }
        XCTAssertEqual(unknown?.message.hasPrefix("unsupported identifier 'mac' (h.conf:1:"), true, unknown?.message ?? "accepted")
        let auto = error { try self.decode(globals: #""host-reservation-identifiers": [ "duid", "auto" ],"#) }
        XCTAssertEqual(auto?.message.hasPrefix("if 'auto' keyword is used, no other values can be specified within 'host-reservation-identifiers' list"),
                       true, auto?.message ?? "accepted")
        let empty = error { try self.decode(globals: #""host-reservation-identifiers": [ ],"#) }
        XCTAssertEqual(empty?.message.hasPrefix("'host-reservation-identifiers' list must not be empty"), true, empty?.message ?? "accepted")
        XCTAssertNotNil(error { try self.decode(globals: #""host-reservation-identifiers": "hw-address","#) }, "a list is required")
    }

    func testGlobalReservationsAndModes() throws {
        let c = try decode(globals: """
            "reservations": [ { "circuit-id": "'port-1'", "ip-address": "192.0.2.60", "hostname": "kiosk" },
                              { "hw-address": "02:00:00:00:00:09", "ip-address": "198.51.100.9" } ],
            "reservations-global": true, "reservations-in-subnet": false, "reservations-out-of-pool": true,
            "early-global-reservations-lookup": true,
            """, subnet: #""reservations-global": false, "reservations-out-of-pool": false,"#)
        XCTAssertEqual(c.reservations.count, 2, "global reservations may name any address")
        XCTAssertEqual(c.reservations[0].hostname, "kiosk")
        XCTAssertEqual(c.reservationModes, ReservationModes(global: true, inSubnet: false, outOfPool: true))
        XCTAssertEqual(c.subnets[0].reservationModes, ReservationModes(global: false, inSubnet: nil, outOfPool: false))
        XCTAssertTrue(c.earlyGlobalReservationsLookup)
        XCTAssertFalse(c.warnings.contains { $0.key == "Dhcp4/early-global-reservations-lookup" }, "acted on: reserved classes guard subnets")
        XCTAssertFalse(c.ignoredKeys.contains { $0.path.contains("reservations") }, "\(c.ignoredKeys)")

        let defaults = try decode()
        XCTAssertEqual(defaults.reservationModes, ReservationModes(global: false, inSubnet: true, outOfPool: false))
        XCTAssertFalse(defaults.earlyGlobalReservationsLookup)
        XCTAssertTrue(defaults.reservations.isEmpty)

        let dup = error { try self.decode(globals: #""reservations": [ { "duid": "01:02" }, { "duid": "01:02" } ],"#) }
        XCTAssertTrue(dup?.message.contains("to the IPv4 subnet id '0' as this host has already been added") ?? false, dup?.message ?? "accepted")
        XCTAssertNotNil(error { try self.decode(globals: #""reservations-global": "yes","#) }, "a boolean is required")
        XCTAssertNotNil(error { try self.decode(subnet: #""reservations-in-subnet": 1,"#) }, "a boolean is required")
        let key = error { try self.decode(globals: #""reservations": [ { "duid": "01:02", "bogus": 1 } ],"#) }
        XCTAssertEqual(key?.code, .unknownKey)
    }

    /// The deprecated `reservation-mode`, as Kea 2.4 turns it into the three flags.
    func testReservationModeIsTranslated() throws {
        let expected: [(String, ReservationModes)] = [
            ("disabled", ReservationModes(global: false, inSubnet: false, outOfPool: false)),
            ("off", ReservationModes(global: false, inSubnet: false, outOfPool: false)),
            ("out-of-pool", ReservationModes(global: false, inSubnet: true, outOfPool: true)),
            ("global", ReservationModes(global: true, inSubnet: false, outOfPool: false)),
            ("all", ReservationModes(global: false, inSubnet: true, outOfPool: false)),
        ]
        for (mode, modes) in expected {
            XCTAssertEqual(try decode(globals: #""reservation-mode": "\#(mode)","#).reservationModes, modes, mode)
        }
        XCTAssertEqual(try decode(subnet: #""reservation-mode": "global","#).subnets[0].reservationModes,
                       ReservationModes(global: true, inSubnet: false, outOfPool: nil))
        let bad = error { try self.decode(subnet: #""reservation-mode": "sometimes","#) }
        XCTAssertEqual(bad?.message.hasPrefix("invalid reservation-mode parameter: 'sometimes' (h.conf:2:"), true, bad?.message ?? "accepted")
        let both = error { try self.decode(globals: #""reservation-mode": "all", "reservations-global": true,"#) }
        XCTAssertEqual(both?.message.hasPrefix("invalid use of both 'reservation-mode' and one of 'reservations-global', "
                                               + "'reservations-in-subnet' or 'reservations-out-of-pool' parameters"), true, both?.message ?? "accepted")
    }
}
