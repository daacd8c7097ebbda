import XCTest
@testable import KakapoCore

/// Decoding `client-classes`, `client-class` / `require-client-classes` on subnets and pools,
/// and reservation `client-classes`, with Kea 2.4's errors and positions.
final class ClassificationConfigTests: XCTestCase {
    /// `classes` is the client-classes list; it starts on line 2. `subnet` goes inside the
    /// subnet (line 4), `pool` inside its pool (line 5).
    func decode(_ classes: String = "[]", globals: String = "", subnet: String = "", pool: String = "") throws -> Dhcp4Config {
        let text = """
        { "Dhcp4": { \(globals)
          "client-classes": \(classes),
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24",
            \(subnet)
            "pools": [ { "pool": "192.0.2.100 - 192.0.2.199" \(pool) } ] } ] } }
        """
        let root = try KeaJSON.parse(text, file: "c.conf", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root)
    }

    func error(_ body: () throws -> Dhcp4Config) -> ConfigError? {
        do { _ = try body(); return nil } catch let e as ConfigError { return e } catch { return nil }
    }

    func testClassesDecodeInOrderWithTheirParameters() throws {
        let c = try decode("""
            [ { "name": "pxe", "test": "option[60].text == 'PXEClient'", "next-server": "192.0.2.5",
                "server-hostname": "boot", "boot-file-name": "pxelinux.0", "valid-lifetime": 600,
                "option-data": [ { "name": "domain-name", "data": "pxe.example" } ],
                "user-context": { "a": 1 }, "comment": "netboot" },
              { "name": "late", "test": "member('pxe') and known", "only-if-required": false },
              { "name": "req", "only-if-required": true, "min-valid-lifetime": 100, "max-valid-lifetime": 200 } ]
            """)
        XCTAssertEqual(c.clientClasses.map(\.name), ["pxe", "late", "req"])
        let pxe = c.clientClasses[0]
        XCTAssertEqual(pxe.bootFields, BootFields(nextServer: IPv4Address(192, 0, 2, 5), serverHostname: "boot", bootFileName: "pxelinux.0"))
        XCTAssertEqual(pxe.timers.validLifetimeSeconds, 600)
        XCTAssertEqual(pxe.optionData.map(\.code), [15])
        XCTAssertEqual(pxe.optionData.first?.payload, Array("pxe.example".utf8))
        XCTAssertEqual(pxe.test?.text, "option[60].text == 'PXEClient'")
        XCTAssertFalse(pxe.dependsOnKnown)
        XCTAssertTrue(c.clientClasses[1].dependsOnKnown, "known, directly")
        XCTAssertTrue(c.clientClasses[2].onlyIfRequired)
        XCTAssertNil(c.clientClasses[2].test)
        XCTAssertEqual(c.clientClasses[2].timers.minValidLifetimeSeconds, 100)
        XCTAssertFalse(c.ignoredKeys.contains { $0.path.contains("client-class") }, "\(c.ignoredKeys)")
    }

    func testKnownDependencyIsInheritedThroughMember() throws {
        let c = try decode("""
            [ { "name": "a", "test": "unknown" }, { "name": "b", "test": "member('a')" },
              { "name": "c", "test": "member('ALL') or member('VENDOR_CLASS_x')" } ]
            """)
        XCTAssertEqual(c.clientClasses.map(\.dependsOnKnown), [true, true, false])
    }

    func testSubnetPoolAndReservationClassKeys() throws {
        let c = try decode(subnet: """
            "client-class": "lab", "require-client-classes": [ "r1", "r2" ],
            "reservations": [ { "hw-address": "02:00:00:00:00:01", "client-classes": [ "gold", "lab" ] } ],
            """, pool: #", "client-class": "gold", "require-client-classes": [ "r3" ]"#)
        let s = c.subnets[0]
        XCTAssertEqual(s.clientClass, "lab")
        XCTAssertEqual(s.requireClientClasses, ["r1", "r2"])
        XCTAssertEqual(s.pools[0].clientClass, "gold")
        XCTAssertEqual(s.pools[0].requireClientClasses, ["r3"])
        XCTAssertEqual(s.reservations[0].clientClasses, ["gold", "lab"])
        XCTAssertTrue(c.ignoredKeys.isEmpty, "\(c.ignoredKeys)")
        XCTAssertNil(try decode(subnet: #""client-class": "","#).subnets[0].clientClass, "empty names no class")
        XCTAssertEqual(error { try self.decode(subnet: #""require-client-classes": [ 1 ],"#) }?.message,
                       "c.conf:4.33: syntax error, unexpected integer, expecting constant string")
    }

    func testNameIsMandatoryNotEmptyAndUnique() {
        let missing = error { try self.decode(#"[ { "test": "known" } ]"#) }
        XCTAssertEqual(missing?.message, "missing parameter 'name' (c.conf:2:23) [client-classes map between c.conf:2:23 and c.conf:2:41]")
        let empty = error { try self.decode(#"[ { "name": "" } ]"#) }
        XCTAssertEqual(empty?.message, "not empty parameter 'name' is required c.conf:2:33)")
        let twice = error { try self.decode("""
            [ { "name": "a" },
              { "name": "a" } ]
            """) }
        XCTAssertEqual(twice?.message, "Can't add class: Client Class: a has already been defined (c.conf:3:3)")
        XCTAssertEqual(twice?.code, .duplicate)
    }

    func testTestErrorsPointIntoTheFile() {
        let syntax = error { try self.decode(#"[ { "name": "a", "test": "option[60].hex" } ]"#) }
        XCTAssertNotNil(syntax)
        XCTAssertEqual(syntax?.position?.line, 2)
        // Kea's class parser: the expression, the place inside it, then the test's position.
        XCTAssertEqual(syntax?.message, "expression: [option[60].hex] error: <string>:1.15: syntax error, unexpected end of file at (c.conf:2:46)")

        let undefined = error { try self.decode(#"[ { "name": "a", "test": "member('b')" }, { "name": "b" } ]"#) }
        XCTAssertEqual(undefined?.message, "c.conf:2.47-57: Not defined client class 'b'")
        XCTAssertEqual(undefined?.position, SourcePosition(file: "c.conf", line: 2, column: 47))
        XCTAssertNotNil(error { try self.decode(#"[ { "name": "a", "test": "member('DROP')" } ]"#) },
                        "DROP is not built in: it must be defined first")
        XCTAssertNoThrow(try decode(#"[ { "name": "DROP" }, { "name": "a", "test": "member('DROP') or member('BOOTP')" } ]"#))
        XCTAssertNotNil(error { try self.decode(#"[ { "name": "a", "test": "member('a')" } ]"#) }, "a class cannot name itself")
    }

    func testBuiltInAndSpecialClassRules() {
        XCTAssertEqual(error { try self.decode(#"[ { "name": "KNOWN", "test": "known" } ]"#) }?.message,
                       "built-in class 'KNOWN' test expression must be empty (c.conf:2:23)")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "ALL", "only-if-required": true } ]"#) }?.message,
                       "built-in class 'ALL' only-if-required flag must be false (c.conf:2:23)")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "DROP", "only-if-required": true } ]"#) }?.message,
                       "special class 'DROP' only-if-required flag must be false (c.conf:2:23)")
        XCTAssertNoThrow(try decode(#"[ { "name": "KNOWN", "option-data": [ { "code": 42, "data": "192.0.2.9" } ] } ]"#))
    }

    func testParameterChecks() {
        XCTAssertEqual(error { try self.decode(#"[ { "name": "a", "next-server": "255.255.255.255" } ]"#) }?.message,
                       "Invalid next-server value: '255.255.255.255', must not be a broadcast (c.conf:2:53)")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "a", "next-server": "nope" } ]"#) }?.message,
                       "Invalid next-server value specified: 'nope' (c.conf:2:53)")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "a", "next-server": "2001:db8::1" } ]"#) }?.message,
                       "Invalid next-server value: '2001:db8::1', must be IPv4 address (c.conf:2:53)")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "a", "valid-lifetime": 50, "min-valid-lifetime": 100 } ]"#) }?.message,
                       "the value of min-valid-lifetime (100) is not less than (default) valid-lifetime (50) (c.conf:2:56)")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "a", "bogus": 1 } ]"#) }?.message,
                       "c.conf:2.38-44: got unexpected keyword \"bogus\" in client-classes map.")
        XCTAssertEqual(error { try self.decode(#"[ { "name": "a", "test": "known", "template-test": "'x'" } ]"#) }?.message,
                       "can not use both 'test' and 'template-test' (c.conf:2:46) and (c.conf:2:72)")
    }

    func testAcceptedButNotActedOnKeysWarn() throws {
        let c = try decode("""
            [ { "name": "a", "option-def": [ ], "offer-lifetime": 30 },
              { "name": "b", "template-test": "substring(option[61].hex, 0, 2)" } ]
            """)
        let keys = c.warnings.filter { $0.code == .notActedOn }.map(\.key)
        XCTAssertEqual(keys, ["Dhcp4/client-classes[0]/offer-lifetime"])
        XCTAssertNotNil(c.clientClasses[1].templateTest, "template-test is acted on")
        XCTAssertNotNil(error { try self.decode(#"[ { "name": "b", "template-test": "substring(" } ]"#) }, "template-test is parsed")
    }

    func testEarlyGlobalLookupIsActedOn() throws {
        let c = try decode(globals: #""early-global-reservations-lookup": true,"#)
        XCTAssertTrue(c.earlyGlobalReservationsLookup)
        XCTAssertTrue(c.warnings.isEmpty, "\(c.warnings)")
    }
}
