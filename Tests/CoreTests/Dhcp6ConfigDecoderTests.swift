import KakapoCore
import XCTest

/// Decoding Kea's Dhcp6 object into `Dhcp6Config`: the sample configuration, Kea 2.4's kea-dhcp6
/// defaults, every section, option encoding and Kea's error texts with positions.
final class Dhcp6ConfigDecoderTests: XCTestCase {
    private func decode(_ text: String) throws -> Dhcp6Config {
        try Dhcp6ConfigDecoder.decode(try KeaJSON.parse(text, file: "t.json", include: { _ in "" }))
    }

    private func dhcp6(_ body: String) -> String { "{ \"Dhcp6\": { \(body) } }" }

    private func decodeError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try decode(text)
            XCTFail("expected a config error", file: file, line: line)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    private func bytes(_ address: String) -> [UInt8] { IPv6Address(address)!.bytes }

    // MARK: - The sample configuration

    func testSampleConfigDecodes() throws {
        let path = ConfigParserTests.seedDirectory + "/../kea-dhcp6.conf"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config = try Dhcp6ConfigDecoder.decode(try KeaJSON.parse(text, file: path, include: { _ in "" }))
        XCTAssertEqual(config.interfaces.entries.map(\.name), ["eth0", "eth1"])
        XCTAssertEqual(config.interfaces.entries[1].unicast, IPv6Address("2001:db8:1::1"))
        XCTAssertEqual(config.controlSocket?.socketName, "/tmp/kea6-ctrl-socket")
        XCTAssertEqual(config.leaseDatabase.memfile?.lfcIntervalSeconds, 3600)
        XCTAssertEqual(config.timers.preferredLifetimeSeconds, 3000)
        XCTAssertEqual(config.timers.minPreferredLifetimeSeconds, 2000)
        XCTAssertEqual(config.timers.maxPreferredLifetimeSeconds, 4000)
        XCTAssertEqual(config.timers.common.validLifetimeSeconds, 4000)
        XCTAssertEqual(config.timers.common.renewTimerSeconds, 1000)
        XCTAssertEqual(config.declineProbationPeriodSeconds, 3600)
        XCTAssertEqual(config.serverID.type, .en)
        XCTAssertEqual(config.serverID.enterpriseID, 2495)
        XCTAssertEqual(config.serverID.identifier, [1, 2, 3, 4, 5])
        XCTAssertFalse(config.serverID.persist)
        XCTAssertEqual(config.hostReservationIdentifiers, [.duid, .hwAddress])
        XCTAssertEqual(config.sanityChecks.leaseChecks, "fix-del")
        XCTAssertTrue(config.lenientOptionParsing)
        XCTAssertEqual(config.dhcpDdnsServerIP, IPAddress("::1"))
        XCTAssertEqual(config.ddns.qualifyingSuffix, "example.org")
        XCTAssertEqual(config.hooksLibraries.count, 1)
        XCTAssertEqual(config.multiThreading.threadPoolSize, 4)
        XCTAssertEqual(config.reservations.map(\.hostname), ["global-host"])
        // The vendor-4491 option is also kept on its own, for the client's vendor ORO.
        XCTAssertEqual(config.optionData.map(\.code), [23, 24, 31, 17, 1000, 32])
        XCTAssertEqual(config.optionData.map(\.enterprise), [nil, nil, nil, nil, nil, 4491])
        XCTAssertEqual(config.clientClasses.map(\.name), ["cable-modems", "relayed"])
        XCTAssertNotNil(config.clientClasses[0].test)
        XCTAssertEqual(config.clientClasses[0].optionData.map(\.code), [31])
        XCTAssertEqual(config.clientClasses[1].timers.preferredLifetimeSeconds, 1800)

        XCTAssertEqual(config.subnets.map(\.id), [1, 2, 3, 10])
        let s1 = config.subnets[0]
        XCTAssertEqual(s1.prefix.description, "2001:db8:1::/64")
        XCTAssertEqual(s1.interface, "eth1")
        XCTAssertEqual(s1.rapidCommit, true)
        XCTAssertEqual(s1.pools.count, 2)
        XCTAssertEqual(s1.pools[1].first, IPv6Address("2001:db8:1:0:1::"))
        XCTAssertEqual(s1.pools[1].last, IPv6Address("2001:db8:1:0:1:ffff:ffff:ffff"))
        XCTAssertEqual(s1.pools[1].clientClass, "cable-modems")
        XCTAssertEqual(s1.pdPools.first?.prefix.description, "2001:db8:8::/56")
        XCTAssertEqual(s1.pdPools.first?.delegatedLength, 64)
        XCTAssertEqual(s1.pdPools.first?.excludedPrefix?.description, "2001:db8:8:0:8000::/72")
        XCTAssertEqual(s1.reservations.count, 2)
        XCTAssertEqual(s1.reservations[0].addresses, [IPv6Address("2001:db8:1::100")!])
        XCTAssertEqual(s1.reservations[0].prefixes.map(\.description), ["2001:db8:2:abcd::/64"])
        XCTAssertEqual(s1.reservations[1].identifier.type, .hwAddress)
        XCTAssertEqual(s1.reservations[1].clientClasses, ["special"])
        let s2 = config.subnets[1]
        XCTAssertEqual(s2.interfaceID, Array("ethx".utf8))
        XCTAssertEqual(s2.relayAddresses, [IPv6Address("2001:db8:2::1")!])
        // The shared network's subnets inherit its interface and preferred lifetime.
        XCTAssertEqual(config.sharedNetworks.map(\.name), ["campus"])
        XCTAssertEqual(config.sharedNetworks[0].subnetIDs, [3, 10])
        XCTAssertEqual(config.subnets[2].interface, "eth0")
        XCTAssertEqual(config.subnets[2].timers.preferredLifetimeSeconds, 2500)
        XCTAssertEqual(config.subnets[2].sharedNetwork, 0)
        XCTAssertEqual(config.loggers.first?.name, "kea-dhcp6")
        // The relay6 test is parsed in the DHCPv6 expression language.
        guard case .condition(let c)? = config.clientClasses[1].test?.root, case .equal(let l, _) = c.kind else {
            return XCTFail("relay6 test not parsed")
        }
        XCTAssertEqual(l.kind, .relay6Field(nest: 0, .peeraddr))
        XCTAssertEqual(config.clientClasses[1].testText, "relay6[0].peeraddr == 2001:db8::1")
        XCTAssertFalse(config.warnings.contains { $0.key == "Dhcp6/client-classes[1]/test" })
        XCTAssertTrue(config.warnings.contains { $0.key == "Dhcp6/multi-threading" && $0.code == .ignoredKey })
    }

    // MARK: - Defaults

    func testKeaDhcp6Defaults() throws {
        let config = try decode(dhcp6(""))
        XCTAssertEqual(config.timers.common.validLifetimeSeconds, 7200)
        XCTAssertEqual(config.timers.preferredLifetimeSeconds, 3600)
        XCTAssertEqual(config.timers.common.calculateTeeTimes, true)
        XCTAssertEqual(config.timers.common.t1Percent, 0.5)
        XCTAssertEqual(config.timers.common.t2Percent, 0.8)
        XCTAssertNil(config.timers.common.renewTimerSeconds)
        XCTAssertEqual(config.hostReservationIdentifiers, [.hwAddress, .duid])
        XCTAssertEqual(config.reservationModes, .globalDefaults)
        XCTAssertEqual(config.declineProbationPeriodSeconds, 86400)
        XCTAssertEqual(config.serverID, ServerIDConfig())
        XCTAssertEqual(config.serverID.type, .llt)
        XCTAssertTrue(config.serverID.persist)
        XCTAssertEqual(config.leaseDatabase.memfile?.persist, true)
        XCTAssertNil(config.leaseDatabase.memfile?.name)
        XCTAssertEqual(config.sanityChecks.leaseChecks, "warn")
        XCTAssertEqual(config.dhcpDdnsServerIP, IPAddress("127.0.0.1"))
        XCTAssertTrue(config.subnets.isEmpty)
        XCTAssertTrue(config.warnings.isEmpty)
    }

    func testHostReservationIdentifiersAutoIsTheV6Set() throws {
        let config = try decode(dhcp6(#""host-reservation-identifiers": [ "auto" ]"#))
        XCTAssertEqual(config.hostReservationIdentifiers, [.hwAddress, .duid, .flexID])
        let error = decodeError(dhcp6(#""host-reservation-identifiers": [ "circuit-id" ]"#))
        XCTAssertEqual(error?.message, "unsupported identifier 'circuit-id' (t.json:1:48)")
    }

    // MARK: - Option encoding

    func testOptionDataEncodesStandardV6Options() throws {
        let config = try decode(dhcp6(#"""
            "option-data": [
              { "name": "dns-servers", "data": "2001:db8::1, 2001:db8::2" },
              { "name": "domain-search", "data": "example.com, a.org" },
              { "code": 31, "data": "2001:db8::123" },
              { "name": "vendor-opts", "data": "4491" },
              { "name": "tftp-servers", "space": "vendor-4491", "data": "2001:db8::4" } ]
            """#))
        let options = config.optionData
        XCTAssertEqual(options.count, 5)
        XCTAssertEqual(options[4].code, 32)
        XCTAssertEqual(options[4].enterprise, 4491)
        XCTAssertEqual(options[4].payload, bytes("2001:db8::4"))
        XCTAssertEqual(options[0].code, 23)
        XCTAssertEqual(options[0].payload, bytes("2001:db8::1") + bytes("2001:db8::2"))
        XCTAssertEqual(options[1].code, 24)
        XCTAssertEqual(options[1].payload, [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 1, 97, 3]
                       + Array("org".utf8) + [0])
        XCTAssertEqual(options[2].code, 31)
        XCTAssertEqual(options[2].payload, bytes("2001:db8::123"))
        XCTAssertEqual(options[3].code, 17)
        XCTAssertEqual(options[3].payload, [0, 0, 0x11, 0x8B, 0, 32, 0, 16] + bytes("2001:db8::4"))
    }

    func testCustomOptionDefinition() throws {
        let config = try decode(dhcp6(#"""
            "option-def": [ { "name": "my-pair", "code": 1234, "type": "record", "record-types": "uint16, ipv6-address" } ],
            "option-data": [ { "name": "my-pair", "data": "7, 2001:db8::9" } ]
            """#))
        XCTAssertEqual(config.optionData, [ConfiguredOption6(code: 1234, payload: [0, 7] + bytes("2001:db8::9"))])
        XCTAssertNotNil(config.optionTable.definition(named: "my-pair", in: .dhcp6))
    }

    func testOptionErrors() {
        let v4Space = decodeError(dhcp6(#""option-data": [ { "code": 3, "space": "dhcp4", "data": "01" } ]"#))
        XCTAssertEqual(v4Space?.message, "'dhcp4' option space name is reserved for DHCPv4 server (t.json:1:70)")
        let badAddress = decodeError(dhcp6(#""option-data": [ { "name": "dns-servers", "data": "192.0.2.1" } ]"#))
        XCTAssertEqual(badAddress?.code, .invalidValue)
        XCTAssertTrue(badAddress?.message.hasPrefix("option data does not match option definition (space: dhcp6, code: 23)") ?? false,
                      badAddress?.message ?? "")
        let tooBig = decodeError(dhcp6(#""option-data": [ { "code": 70000, "data": "01" } ]"#))
        XCTAssertEqual(tooBig?.message, "invalid option code '70000', it must not be greater than '65535' (t.json:1:41)")
    }

    // MARK: - Errors

    func testTopLevelMustBeExactlyDhcp6() {
        XCTAssertEqual(decodeError(#"{ "Dhcp4": { } }"#)?.message,
                       "t.json:1.3-9: syntax error, unexpected constant string, expecting Dhcp6")
        XCTAssertEqual(decodeError(#"{ "Dhcp6": { }, "Dhcp4": { } }"#)?.message,
                       "t.json:1.17-23: syntax error, unexpected constant string, expecting }")
    }

    func testUnknownAndSetAsideKeys() throws {
        XCTAssertEqual(decodeError(dhcp6(#""bogus": 1"#))?.message,
                       "t.json:1.14-20: got unexpected keyword \"bogus\" in Dhcp6 map.")
        XCTAssertEqual(decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8::/64", "authoritative": true } ]"#))?.code,
                       .unknownKey)
        let config = try decode(dhcp6(#""data-directory": "/var/lib/kea", "pd-allocator": "random""#))
        XCTAssertEqual(config.warnings.map(\.key), ["Dhcp6/data-directory", "Dhcp6/pd-allocator"])
        XCTAssertEqual(decodeError(dhcp6(#""mac-sources": "any""#))?.code, .wrongType)
    }

    func testTimerChecks() {
        let error = decodeError(dhcp6(#""preferred-lifetime": 100, "min-preferred-lifetime": 200"#))
        XCTAssertEqual(error?.message,
                       "the value of min-preferred-lifetime (200) is not less than (default) preferred-lifetime (100) (t.json:1:36)")
        let t1 = decodeError(dhcp6(#""t1-percent": 0.9"#))
        XCTAssertEqual(t1?.message,
                       "t1-percent:  0.9 is invalid, it must be less than t2-percent: 0.8 (t.json:1:28)")
    }

    /// Kea 2.2's kea-dhcp6 -t, checked by hand: the relay and subnet wording is the one
    /// kea-dhcp4 uses (one shared decoder), "is not a:" for the other family's address.
    func testRelayAndSubnetWordingAsKea() {
        let body = #""subnet6": [ { "subnet": "2001:db8:1::/64", "relay": { RELAY }, "pools": [ { "pool": "2001:db8:1::1-2001:db8:1::9" } ] } ]"#
        XCTAssertEqual(decodeError(dhcp6(body.replacingOccurrences(of: "RELAY", with: #""ip-addresses": [ "1.2.3.4" ]"#)))?.message,
                       "address 1.2.3.4 is not a: IPv6address (t.json:1:69)")
        XCTAssertEqual(decodeError(dhcp6(body.replacingOccurrences(of: "RELAY", with: #""ip-address": "zz""#)))?.message,
                       "address zz is not a valid: IPv6address (t.json:1:83)")
        XCTAssertEqual(decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::" } ]"#))?.message,
                       "subnet configuration failed: Invalid subnet syntax (prefix/len expected):2001:db8:1:: (t.json:1:39)")
    }

    func testPoolOutsideSubnet() {
        let error = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:2::1 - 2001:db8:2::9" } ] } ]"#))
        XCTAssertEqual(error?.message, "subnet configuration failed: a pool of type IA_NA, with the following address range: "
                       + "2001:db8:2::1-2001:db8:2::9 does not match the prefix of a subnet: 2001:db8:1::/64 to which "
                       + "it is being added (t.json:1:27)")
    }

    func testOverlappingPools() {
        let error = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::/120" }, { "pool": "2001:db8:1::10 - 2001:db8:1::20" } ] } ]"#))
        XCTAssertEqual(error?.code, .conflict)
        XCTAssertTrue(error?.message.contains("overlaps with an existing pool in the subnet: 2001:db8:1::/64") ?? false)
    }

    func testPDPoolDelegatedShorterThanPrefix() {
        let error = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64", "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56, "delegated-len": 48 } ] } ]"#))
        XCTAssertEqual(error?.message, "Delegated length (48) must be longer than or equal to prefix length (56) (t.json:1:72)")
        let missing = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64", "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 56 } ] } ]"#))
        XCTAssertEqual(missing?.code, .missingKey)
    }

    func testDuplicateSubnetIDAndPrefix() {
        let id = decodeError(dhcp6(#""subnet6": [ { "id": 5, "subnet": "2001:db8:1::/64" }, { "id": 5, "subnet": "2001:db8:2::/64" } ]"#))
        XCTAssertEqual(id?.message, "ID of the new IPv6 subnet '5' is already in use (t.json:1:69)")
        let prefix = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64" }, { "subnet": "2001:db8:1::/64" } ]"#))
        XCTAssertEqual(prefix?.message, "subnet with the prefix of '2001:db8:1::/64' already exists (t.json:1:60)")
    }

    func testReservationOutsideSubnet() {
        let error = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64", "reservations": [ { "duid": "01:02", "ip-addresses": [ "2001:db8:9::1" ] } ] } ]"#))
        XCTAssertEqual(error?.message,
                       "specified reservation for address 2001:db8:9::1 is not within the IPv6 subnet 2001:db8:1::/64 (t.json:1:27)")
        let noID = decodeError(dhcp6(#""reservations": [ { "hostname": "x" } ]"#))
        XCTAssertEqual(noID?.message, "one of the supported identifiers must be specified for host reservation: "
                       + "duid, flex-id, hw-address (t.json:1:32)")
    }

    func testSubnetsWithoutIDAreNumberedInFileOrder() throws {
        let config = try decode(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64" }, { "id": 7, "subnet": "2001:db8:2::/64" }, { "subnet": "2001:db8:3::/64" } ]"#))
        XCTAssertEqual(config.subnets.map(\.id), [1, 7, 2])
    }

    func testInterfaceAndInterfaceIDAreExclusive() {
        let error = decodeError(dhcp6(#""subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "eth0", "interface-id": "x" } ]"#))
        XCTAssertEqual(error?.code, .conflict)
    }

    func testServerIDType() throws {
        XCTAssertEqual(try decode(dhcp6(#""server-id": { "type": "LL", "htype": 1, "identifier": "08:00:27:00:00:01" }"#)).serverID.htype, 1)
        XCTAssertEqual(decodeError(dhcp6(#""server-id": { "type": "XYZ" }"#))?.code, .invalidValue)
        XCTAssertEqual(decodeError(dhcp6(#""server-id": { "colour": 1 }"#))?.message,
                       "t.json:1.29-36: got unexpected keyword \"colour\" in server-id map.")
    }

    func testSanityChecksWording() {
        XCTAssertEqual(decodeError(dhcp6(#""sanity-checks": { "lease-checks": "maybe" } "#))?.message,
                       "Unsupported 'lease-checks value: maybe, supported values are: none, warn, fix, fix-del, del (t.json:1:49)")
    }
}
