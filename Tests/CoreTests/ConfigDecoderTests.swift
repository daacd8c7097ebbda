import KakapoCore
import XCTest

/// Decoding Kea's Dhcp4 object into `Dhcp4Config`: the BLFS seed's values, Kea's defaults,
/// subnet numbering, validation and Kea's error texts, using a stub option encoder.
final class ConfigDecoderTests: XCTestCase {
    /// Stands in for the options module: known names get their codes, payload stays empty.
    static func stubEncoder(_ spec: OptionDataSpec) throws -> ConfiguredOption {
        let codes = ["routers": 3, "domain-name-servers": 6, "domain-name": 15, "domain-search": 119]
        return ConfiguredOption(code: UInt8(spec.code ?? codes[spec.name ?? ""] ?? 1), payload: [])
    }

    private func decode(_ text: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse(text, file: "t.json", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root, optionEncoder: Self.stubEncoder)
    }

    private func decodeError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            _ = try decode(text)
            XCTFail("expected a config error", file: file, line: line)
            return nil
        } catch {
            return (error as? ConfigError)?.message
        }
    }

    /// Wraps `body` (members of Dhcp4, without braces) into a one-line config.
    private func dhcp4(_ body: String) -> String { "{ \"Dhcp4\": { \(body) } }" }

    // MARK: - The seed

    func testSeedDhcp4ConfigDecodesToKeaValues() throws {
        let (path, text) = try ConfigParserTests.seed("kea-dhcp4.conf")
        let root = try KeaJSON.parse(text, file: path, include: { _ in "" })
        let config = try Dhcp4ConfigDecoder.decode(root, optionEncoder: Self.stubEncoder)

        XCTAssertEqual(config.interfaces.entries.map(\.name), ["eth0", "eth2"])
        XCTAssertEqual(config.interfaces.socketType, .raw)
        XCTAssertEqual(config.controlSocket?.socketName, "/run/kea4-ctrl-socket")
        XCTAssertEqual(config.leaseDatabase.type, "memfile")
        XCTAssertEqual(config.leaseDatabase.lfcIntervalSeconds, 3600)
        XCTAssertNil(config.leaseDatabase.name)

        let reclaim = config.expiredLeasesProcessing
        XCTAssertEqual(reclaim.reclaimTimerWaitTimeSeconds, 10)
        XCTAssertEqual(reclaim.flushReclaimedTimerWaitTimeSeconds, 25)
        XCTAssertEqual(reclaim.holdReclaimedTimeSeconds, 3600)
        XCTAssertEqual(reclaim.reclaimLeasesPerCycleMax, 100)
        XCTAssertEqual(reclaim.reclaimCycleMillisecondsMax, 250)
        XCTAssertEqual(reclaim.unwarnedReclaimCycles, 5)

        XCTAssertEqual(config.timers.renewTimerSeconds, 900)
        XCTAssertEqual(config.timers.rebindTimerSeconds, 1800)
        XCTAssertEqual(config.timers.validLifetimeSeconds, 3600)
        XCTAssertEqual(config.timers.calculateTeeTimes, false)

        XCTAssertTrue(config.ddns.sendUpdates)
        XCTAssertEqual(config.ddns.qualifyingSuffix, "your.domain.tld")
        XCTAssertTrue(config.ddns.enableUpdates)

        XCTAssertEqual(config.subnets.count, 1)
        let subnet = try XCTUnwrap(config.subnets.first)
        XCTAssertEqual(subnet.id, 1)
        XCTAssertEqual(subnet.prefix.description, "192.168.56.0/24")
        XCTAssertEqual(subnet.pools, [Pool4(first: IPv4Address(192, 168, 56, 16), last: IPv4Address(192, 168, 56, 254))])
        XCTAssertEqual(subnet.optionData.map(\.code), [15, 6, 119, 3])

        let logger = try XCTUnwrap(config.loggers.first)
        XCTAssertEqual(logger.name, "kea-dhcp4")
        XCTAssertEqual(logger.severity, .info)
        XCTAssertEqual(logger.debugLevel, 0)
        XCTAssertEqual(logger.outputs.map(\.output), ["/var/log/kea-dhcp4.log"])
        XCTAssertEqual(logger.outputs.first?.pattern, "%D{%Y-%m-%d %H:%M:%S.%q} %-5p %m\n")
        XCTAssertTrue(config.ignoredKeys.isEmpty)
    }

    /// An empty Dhcp4 map gets Kea 2.4's defaults.
    func testAbsentKeysTakeKeasDefaults() throws {
        let config = try decode("{ \"Dhcp4\": { } }")
        XCTAssertEqual(config.timers.validLifetimeSeconds, 7200)
        XCTAssertEqual(config.timers.t1Percent, 0.5)
        XCTAssertEqual(config.timers.t2Percent, 0.875)
        XCTAssertNil(config.timers.renewTimerSeconds)
        XCTAssertEqual(config.declineProbationPeriodSeconds, 86400)
        XCTAssertTrue(config.matchClientID)
        XCTAssertFalse(config.authoritative)
        XCTAssertEqual(config.leaseDatabase.type, "memfile")
        XCTAssertTrue(config.subnets.isEmpty)
    }

    // MARK: - Kea's grammar errors

    func testUnknownKeyIsKeasWordingWithTheKeySpan() {
        XCTAssertEqual(decodeError(dhcp4("\"foo\": 1")), "t.json:1.14-18: got unexpected keyword \"foo\" in Dhcp4 map.")
        XCTAssertEqual(decodeError(dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.0.0/8\", \"bar\": 1 } ]")),
                       "t.json:1.53-57: got unexpected keyword \"bar\" in subnet4 map.")
        XCTAssertEqual(decodeError(dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.0.0/8\", \"pools\": [ { \"pool\": \"10.0.0.1/32\", \"x\": 1 } ] } ]")),
                       "t.json:1.89-91: got unexpected keyword \"x\" in pools map.")
    }

    func testTypeMismatchIsABisonSyntaxErrorAtTheValue() {
        XCTAssertEqual(decodeError(dhcp4("\"valid-lifetime\": \"3600\"")),
                       "t.json:1.32-37: syntax error, unexpected constant string, expecting integer")
        XCTAssertEqual(decodeError(dhcp4("\"interfaces-config\": [ ]")),
                       "t.json:1.35: syntax error, unexpected [, expecting {")
        XCTAssertEqual(decodeError(dhcp4("\"t1-percent\": 1")),
                       "t.json:1.28: syntax error, unexpected integer, expecting floating point")
        XCTAssertEqual(decodeError(dhcp4("\"interfaces-config\": { \"dhcp-socket-type\": \"tcp\" }")),
                       "t.json:1.57-61: syntax error, unexpected constant string, expecting raw or udp")
    }

    /// Kea 2.4 takes only Dhcp4 at the top of kea-dhcp4's file.
    func testTopLevelHoldsExactlyDhcp4() {
        XCTAssertEqual(decodeError("{ }"), "t.json:1.3: syntax error, unexpected }, expecting Dhcp4")
        XCTAssertEqual(decodeError("{ \"Dhcp6\": { } }"),
                       "t.json:1.3-9: syntax error, unexpected constant string, expecting Dhcp4")
        XCTAssertEqual(decodeError("{ \"Dhcp4\": { }, \"Logging\": { } }"),
                       "t.json:1.17-25: syntax error, unexpected constant string, expecting }")
    }

    // MARK: - Subnets and pools

    /// Subnets without id are numbered 1, 2… in order, not skipping explicit ids (Kea 2.4).
    func testSubnetIDsAreNumberedLikeKea() throws {
        let config = try decode(dhcp4("""
            "subnet4": [ { "subnet": "10.0.1.0/24" }, { "id": 5, "subnet": "10.0.2.0/24" }, { "id": 0, "subnet": "10.0.3.0/24" } ]
            """))
        XCTAssertEqual(config.subnets.map(\.id), [1, 5, 2])
        XCTAssertEqual(decodeError(dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.1.0/24\" }, { \"id\": 1, \"subnet\": \"10.0.2.0/24\" } ]")),
                       "ID of the new IPv4 subnet '1' is already in use (t.json:1:56)")
        XCTAssertEqual(decodeError(dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.1.0/24\" }, { \"subnet\": \"10.0.1.0/24\" } ]")),
                       "subnet with the prefix of '10.0.1.0/24' already exists (t.json:1:56)")
    }

    func testPoolsMustFitTheSubnetAndNotOverlap() {
        func subnet(_ pools: String) -> String {
            dhcp4("\"subnet4\": [ { \"subnet\": \"192.0.2.0/24\", \"pools\": [ \(pools) ] } ]")
        }
        XCTAssertEqual(decodeError(subnet("{ \"pool\": \"192.0.3.1 - 192.0.3.9\" }")),
                       "subnet configuration failed: a pool of type V4, with the following address range: "
                        + "192.0.3.1-192.0.3.9 does not match the prefix of a subnet: 192.0.2.0/24 to which it is being added (t.json:1:27)")
        XCTAssertEqual(decodeError(subnet("{ \"pool\": \"192.0.2.0/25\" }, { \"pool\": \"192.0.2.100-192.0.2.200\" }")),
                       "subnet configuration failed: a pool of type V4, with the following address range: "
                        + "192.0.2.100-192.0.2.200 overlaps with an existing pool in the subnet: 192.0.2.0/24 to which it is being added (t.json:1:27)")
        XCTAssertEqual(decodeError(subnet("{ \"pool\": \"192.0.2.9 - 192.0.2.1\" }")),
                       "Failed to create pool defined by: 192.0.2.9-192.0.2.1 (t.json:1:76)")
        XCTAssertEqual(decodeError(subnet("{ \"pool\": \"192.0.2.9\" }")),
                       "invalid pool definition: 192.0.2.9. There are two acceptable formats <min address-max address> or <prefix/len> (t.json:1:76)")
        XCTAssertEqual(decodeError(subnet("{ \"pool-id\": 3 }")),
                       "missing parameter 'pool' (t.json:1:66) [pools map between t.json:1:66 and t.json:1:81]")
    }

    func testSubnetFieldsAndRelayForms() throws {
        let config = try decode(dhcp4("""
            "renew-timer": 100, "subnet4": [ { "subnet": "10.1.0.0/16", "id": 9, "relay": { "ip-addresses": [ "10.1.0.1", "10.1.0.2" ] },
              "interface": "eth1", "valid-lifetime": 600, "authoritative": true, "next-server": "10.1.0.5",
              "boot-file-name": "pxelinux.0", "pools": [ { "pool": "10.1.1.0/24", "pool-id": 4 } ],
              "user-context": { "site": "a" }, "comment": "lab" },
              { "subnet": "10.2.0.0/16", "relay": { "ip-address": "10.2.0.1" }, "match-client-id": false } ]
            """))
        let first = config.subnets[0], second = config.subnets[1]
        XCTAssertEqual(first.relayAddresses, [IPv4Address(10, 1, 0, 1), IPv4Address(10, 1, 0, 2)])
        XCTAssertEqual(first.interface, "eth1")
        XCTAssertEqual(first.timers.validLifetimeSeconds, 600)
        XCTAssertNil(first.timers.renewTimerSeconds, "subnet timers stay unset and inherit at use")
        XCTAssertEqual(first.authoritative, true)
        XCTAssertEqual(first.bootFields.nextServer, IPv4Address(10, 1, 0, 5))
        XCTAssertEqual(first.bootFields.bootFileName, "pxelinux.0")
        XCTAssertEqual(first.pools.first?.poolID, 4)
        XCTAssertEqual(first.pools.first?.last, IPv4Address(10, 1, 1, 255))
        XCTAssertEqual(second.id, 1)
        XCTAssertEqual(second.relayAddresses, [IPv4Address(10, 2, 0, 1)])
        XCTAssertEqual(second.matchClientID, false)
        XCTAssertEqual(decodeError(dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.0.0/33\" } ]")),
                       "subnet configuration failed: Invalid prefix length specified for subnet: 33 (t.json:1:39)")
    }

    // MARK: - Timers

    func testTimerChecksFollowKea() {
        XCTAssertEqual(decodeError(dhcp4("\"valid-lifetime\": 100, \"min-valid-lifetime\": 200")),
                       "the value of min-valid-lifetime (200) is not less than (default) valid-lifetime (100)")
        XCTAssertEqual(decodeError(dhcp4("\"calculate-tee-times\": true, \"t1-percent\": 0.9, \"t2-percent\": 0.8")),
                       "t1-percent:  0.9 is invalid, it must be less than t2-percent: 0.8 (t.json:1:57)")
        XCTAssertEqual(decodeError(dhcp4("\"renew-timer\": -1")),
                       "the value of renew-timer (-1) must be a positive number (t.json:1:29)")
        XCTAssertEqual(decodeError(dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.0.0/8\", \"max-valid-lifetime\": 10 } ]")),
                       "subnet configuration failed: the value of (default) valid-lifetime (7200) is not less than "
                        + "max-valid-lifetime (10)")
        XCTAssertNoThrow(try decode(dhcp4("\"t1-percent\": 0.9, \"t2-percent\": 0.8, \"renew-timer\": 50, \"rebind-timer\": 40")),
                         "percentages are only checked when calculated; renew > rebind is a warning in Kea")
    }

    // MARK: - Ignored keys, hooks, options

    func testKeaKnownKeysAreRecordedAsIgnored() throws {
        let config = try decode(dhcp4("""
            "multi-threading": { "enable-multi-threading": false }, "server-tag": "a",
            "subnet4": [ { "subnet": "198.51.100.0/24", "4o6-interface": "x" } ],
            "lease-database": { "type": "memfile", "host": "db" }
            """))
        XCTAssertEqual(config.ignoredKeys.map(\.path),
                       ["Dhcp4/multi-threading", "Dhcp4/server-tag", "Dhcp4/subnet4[0]/4o6-interface", "Dhcp4/lease-database/host"])
        XCTAssertEqual(config.ignoredKeys.first?.position, SourcePosition(file: "t.json", line: 1, column: 14))
        XCTAssertEqual(decodeError(dhcp4("\"server-tag\": 1")),
                       "t.json:1.28: syntax error, unexpected integer, expecting constant string")
    }

    func testOnlyBuiltInHookLibrariesAreAccepted() throws {
        let config = try decode(dhcp4("""
            "hooks-libraries": [ { "library": "/usr/lib/kea/hooks/libdhcp_lease_cmds.so" },
                                 { "library": "libdhcp_ha.so", "parameters": { "high-availability": [ ] } } ]
            """))
        XCTAssertEqual(config.hooksLibraries.map(\.library), ["libdhcp_lease_cmds.so", "libdhcp_ha.so"])
        XCTAssertEqual(config.hooksLibraries[1].parameters, ["high-availability": []])
        let message = decodeError(dhcp4("\"hooks-libraries\": [ { \"library\": \"/opt/libdhcp_host_cmds.so\" } ]"))
        XCTAssertEqual(message?.hasPrefix("hooks library '/opt/libdhcp_host_cmds.so' is not available"), true)
        XCTAssertEqual(message?.hasSuffix("(t.json:1:48)"), true)
    }

    /// Encoder failures get Kea's frame and the `data` position; flags come from the entry.
    func testOptionDataIsEncodedAndEncoderErrorsArePositioned() throws {
        let config = try decode(dhcp4("\"option-data\": [ { \"code\": 42, \"data\": \"10.0.0.1\", \"always-send\": true } ]"))
        XCTAssertEqual(config.optionData, [ConfiguredOption(code: 42, payload: [], alwaysSend: true)])
        struct Refusal: Error, CustomStringConvertible { var description: String { "bad address" } }
        let root = try KeaJSON.parse(dhcp4("\"option-data\": [ { \"name\": \"routers\", \"data\": \"x\" } ]"),
                                     file: "t.json", include: { _ in "" })
        XCTAssertThrowsError(try Dhcp4ConfigDecoder.decode(root, optionEncoder: { _ in throw Refusal() })) { error in
            XCTAssertEqual((error as? ConfigError)?.message,
                           "option data does not match option definition (space: dhcp4, name: routers): bad address (t.json:1:60)")
        }
        XCTAssertEqual(decodeError(dhcp4("\"option-data\": [ { \"data\": \"1\" } ]")),
                       "option data configuration must include either option name or option code (t.json:1:31)")
    }

    func testSectionsDecode() throws {
        let config = try decode(dhcp4("""
            "interfaces-config": { "interfaces": [ "eth0/192.0.2.1", "*" ], "dhcp-socket-type": "udp",
              "outbound-interface": "use-routing", "service-sockets-max-retries": 3 },
            "ddns-replace-client-name": "WHEN-NOT-PRESENT", "ddns-ttl-percent": 0.5,
            "dhcp-ddns": { "server-ip": "192.0.2.53", "server-port": 5301, "ncr-protocol": "udp" },
            "loggers": [ { "name": "kea-dhcp4", "severity": "debug", "debuglevel": 55,
                           "output-options": [ { "output": "stdout", "flush": false, "maxsize": 0, "maxver": 2 } ] } ]
            """))
        XCTAssertEqual(config.interfaces.entries, [.init(name: "eth0", address: IPv4Address(192, 0, 2, 1)), .init(name: "*")])
        XCTAssertEqual(config.interfaces.socketType, .udp)
        XCTAssertEqual(config.interfaces.outboundInterface, .useRouting)
        XCTAssertEqual(config.interfaces.serviceSocketsMaxRetries, 3)
        XCTAssertEqual(config.ddns.replaceClientName, "when-not-present")
        XCTAssertEqual(config.ddns.ttlPercent, 0.5)
        XCTAssertEqual(config.ddns.serverIP, IPv4Address(192, 0, 2, 53))
        XCTAssertEqual(config.ddns.serverPort, 5301)
        XCTAssertEqual(config.ddns.ncrProtocol, "UDP")
        XCTAssertEqual(config.loggers.first?.severity, .debug)
        XCTAssertEqual(config.loggers.first?.debugLevel, 55)
        XCTAssertEqual(config.loggers.first?.outputs.first?.maxVersions, 2)
        XCTAssertEqual(config.loggers.first?.outputs.first?.flush, false)
        // PostgreSQL decodes (kakapo-dhcp4 serves it; MySQL is refused by the shell).
        XCTAssertEqual(try decode(dhcp4("\"lease-database\": { \"type\": \"postgresql\" }")).leaseDatabase.type, "postgresql")
        XCTAssertEqual(decodeError(dhcp4("\"lease-database\": { \"name\": \"x\" }")),
                       "missing parameter 'type' (t.json:1:32) [lease-database map between t.json:1:32 and t.json:1:46]")
    }
}
