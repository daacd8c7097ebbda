@testable import KakapoCore
import XCTest

/// Kea 2.4's `shared-networks`: decoding (name rules, auto ids, inheritance, sanity checks,
/// config-get numbering) and the allocation engine walking the network's subnets.
final class SharedNetworkTests: XCTestCase {
    // MARK: - Helpers

    private func decode(_ text: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse(text, file: "t.json", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root)
    }

    private func decodeError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try decode(text)
            XCTFail("expected a config error", file: file, line: line)
            return nil
        } catch {
            return error as? ConfigError
        }
    }

    private func dhcp4(_ body: String) -> String { "{ \"Dhcp4\": { \(body) } }" }

    /// `t.json:1:C` for the `occurrence`-th (from 1) place where `needle` starts in a one-line text.
    private func at(_ needle: String, in text: String, occurrence: Int = 1) -> String {
        var from = text.startIndex
        var found = text.startIndex
        for _ in 0..<occurrence {
            found = text[from...].range(of: needle)!.lowerBound
            from = text.index(after: found)
        }
        return "t.json:1:\(text.distance(from: text.startIndex, to: found) + 1)"
    }

    // MARK: - Decoding

    func testNetworkWithoutNameIsRejectedWithKeaWording() {
        let text = dhcp4(#""shared-networks": [ { "subnet4": [ { "subnet": "192.0.2.0/24" } ] } ]"#)
        let map = at("{ \"subnet4\"", in: text)
        let error = decodeError(text)
        XCTAssertEqual(error?.code, .missingKey)
        XCTAssertEqual(error?.message, "missing parameter 'name' (\(map))")
    }

    func testDuplicateNetworkNameIsRejectedAtTheList() {
        let text = dhcp4(#""shared-networks": [ { "name": "a" }, { "name": "b" }, { "name": "a" } ]"#)
        // Kea points at the "shared-networks" key.
        let key = at("\"shared-networks\"", in: text)
        let error = decodeError(text)
        XCTAssertEqual(error?.code, .duplicate)
        XCTAssertEqual(error?.message, "duplicate network 'a' found in the configuration (\(key))")
    }

    func testEmptyNameFailsTheSanityCheck() {
        let text = dhcp4(#""shared-networks": [ { "name": "", "subnet4": [ { "subnet": "192.0.2.0/24" } ] } ]"#)
        let map = at("{ \"name\"", in: text)
        XCTAssertEqual(decodeError(text)?.message,
                       "Shared-network with subnets 192.0.2.0/24  is missing mandatory 'name' parameter (\(map))")
    }

    func testUnknownKeyInNetworkIsKeaGrammarError() {
        let text = dhcp4(#""shared-networks": [ { "name": "a", "id": 4 } ]"#)
        XCTAssertEqual(decodeError(text)?.message,
                       "t.json:1.50-53: got unexpected keyword \"id\" in shared-networks map.")
    }

    func testKeysKakapoDoesNotActOnAreSetAsideWithAWarning() throws {
        let text = dhcp4(#""shared-networks": [ { "name": "a", "ddns-send-updates": false, "allocator": "random", "#
            + #""store-extended-info": true, "offer-lifetime": 60, "comment": "lab", "user-context": { "x": 1 } } ]"#)
        let config = try decode(text)
        XCTAssertEqual(config.ignoredKeys.map(\.path), [
            // allocator (AllocatorTests) and ddns-send-updates (DDNS4Tests) are acted on
            "Dhcp4/shared-networks[0]/store-extended-info", "Dhcp4/shared-networks[0]/offer-lifetime"])
        XCTAssertEqual(config.sharedNetworks.map(\.name), ["a"])
    }

    func testNetworkSubnetsAreNumberedBeforeTopLevelOnesAndNamedByTheirNetwork() throws {
        let text = dhcp4(#""subnet4": [ { "subnet": "198.51.100.0/24" } ], "#
            + #""shared-networks": [ { "name": "n1", "subnet4": [ { "subnet": "192.0.2.0/26" }, { "subnet": "192.0.2.64/26" } ] }, "#
            + #"{ "name": "n2", "subnet4": [ { "subnet": "203.0.113.0/24", "id": 40 } ] } ]"#)
        let config = try decode(text)
        XCTAssertEqual(config.subnets.map(\.id), [1, 2, 40, 3])
        XCTAssertEqual(config.subnets.map(\.sharedNetwork), [0, 0, 1, nil])
        XCTAssertEqual(config.sharedNetworks.map(\.subnetIDs), [[1, 2], [40]])
    }

    func testSubnetIdsAndPrefixesAreUniqueAcrossNetworksAndTopLevel() {
        let ids = dhcp4(#""shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "192.0.2.0/24", "id": 7 } ] } ], "#
            + #""subnet4": [ { "subnet": "198.51.100.0/24", "id": 7 } ]"#)
        XCTAssertEqual(decodeError(ids)?.message,
                       "ID of the new IPv4 subnet '7' is already in use (\(at("{ \"subnet\": \"198", in: ids)))")
        let prefixes = dhcp4(#""shared-networks": [ { "name": "a", "subnet4": [ { "subnet": "192.0.2.0/24" } ] }, "#
            + #"{ "name": "b", "subnet4": [ { "subnet": "192.0.2.0/24" } ] } ]"#)
        XCTAssertEqual(decodeError(prefixes)?.message,
                       "subnet with the prefix of '192.0.2.0/24' already exists (\(at("{ \"subnet\"", in: prefixes, occurrence: 2)))")
    }

    func testSubnetValueThenNetworkValueThenGlobal() throws {
        let text = dhcp4(#""valid-lifetime": 3600, "renew-timer": 100, "match-client-id": true, "#
            + #""shared-networks": [ { "name": "n", "valid-lifetime": 1200, "rebind-timer": 900, "match-client-id": false, "#
            + #""next-server": "192.0.2.250", "boot-file-name": "net.efi", "reservations-out-of-pool": true, "#
            + #""interface": "eth1", "relay": { "ip-addresses": [ "198.51.100.1" ] }, "authoritative": true, "#
            + #""client-class": "lab", "require-client-classes": [ "late" ], "#
            + #""subnet4": [ { "subnet": "192.0.2.0/26", "valid-lifetime": 600, "boot-file-name": "own.efi", "authoritative": true, "#
            + #""relay": { "ip-addresses": [ "198.51.100.2" ] } }, "#
            + #"{ "subnet": "192.0.2.64/26", "match-client-id": true } ] } ]"#)
        let config = try decode(text)
        let (a, b) = (config.subnets[0], config.subnets[1])
        XCTAssertEqual(a.timers.validLifetimeSeconds, 600)
        XCTAssertEqual(b.timers.validLifetimeSeconds, 1200)
        XCTAssertEqual(a.timers.rebindTimerSeconds, 900)
        XCTAssertNil(a.timers.renewTimerSeconds, "the global value is applied at run time")
        XCTAssertEqual(a.matchClientID, false)
        XCTAssertEqual(b.matchClientID, true)
        XCTAssertEqual(a.bootFields, BootFields(nextServer: IPv4Address(192, 0, 2, 250), bootFileName: "own.efi"))
        XCTAssertEqual(b.bootFields.bootFileName, "net.efi")
        XCTAssertEqual(b.reservationModes.outOfPool, true)
        XCTAssertEqual(a.interface, "eth1")
        XCTAssertEqual(b.interface, "eth1")
        XCTAssertEqual(a.relayAddresses, [IPv4Address(198, 51, 100, 2)])
        XCTAssertEqual(b.relayAddresses, [IPv4Address(198, 51, 100, 1)])
        XCTAssertEqual(b.authoritative, true)
        XCTAssertEqual(config.sharedNetworks[0].clientClass, "lab")
        XCTAssertEqual(config.sharedNetworks[0].requireClientClasses, ["late"])
        XCTAssertNil(b.clientClass, "the network's class stays on the network")
    }

    func testSubnetMayNotDifferFromItsNetworkOnAuthoritative() {
        let text = dhcp4(#""shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "192.0.2.0/24", "authoritative": true } ] } ]"#)
        XCTAssertEqual(decodeError(text)?.message,
                       "Subnet 192.0.2.0/24 has different authoritative setting true than the shared-network itself: false "
                           + "(\(at("{ \"subnet\"", in: text)))")
    }

    func testSubnetsOfANetworkMayNotNameDifferentInterfaces() {
        let text = dhcp4(#""shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "192.0.2.0/24", "interface": "eth0" }, "#
            + #"{ "subnet": "198.51.100.0/24", "interface": "eth1" } ] } ]"#)
        XCTAssertEqual(decodeError(text)?.message,
                       "Subnet 198.51.100.0/24 has specified interface eth1, but earlier subnet in the same shared-network "
                           + "or the shared-network itself used eth0 (\(at("{ \"subnet\"", in: text, occurrence: 2)))")
        let againstNetwork = dhcp4(#""shared-networks": [ { "name": "n", "interface": "eth0", "#
            + #""subnet4": [ { "subnet": "192.0.2.0/24", "interface": "eth2" } ] } ]"#)
        XCTAssertNotNil(decodeError(againstNetwork))
    }

    func testConfigGetNumbersSubnetsWhereTheyWereWritten() throws {
        let text = dhcp4(#""subnet4": [ { "subnet": "198.51.100.0/24" } ], "#
            + #""shared-networks": [ { "name": "n", "subnet4": [ { "subnet": "192.0.2.0/26" }, { "subnet": "192.0.2.64/26" } ] } ]"#)
        let root = try KeaJSON.parse(text, file: "t.json", include: { _ in "" })
        let config = try Dhcp4ConfigDecoder.decode(root)
        let out = Dhcp4ConfigDecoder.withSubnetIDs(root.plain, config)
        XCTAssertEqual(out["Dhcp4"]?["subnet4"]?.arrayValue?.count, 1, "network subnets are not copied to the top level")
        XCTAssertEqual(out["Dhcp4"]?["subnet4"]?[0]?["id"], .int(3))
        let nested = out["Dhcp4"]?["shared-networks"]?[0]?["subnet4"]?.arrayValue ?? []
        XCTAssertEqual(nested.map { $0["id"] }, [.int(1), .int(2)])
    }

    // MARK: - Engine

    /// Network "floor": subnet 1 = 192.0.2.0/24 with two addresses, subnet 2 = 203.0.113.0/24
    /// with three; relay 198.51.100.1 on the network. A top-level subnet 3 holds 198.51.100.0/24.
    static let networkConfig = """
        { "Dhcp4": {
          "valid-lifetime": 3600,
          "shared-networks": [ {
            "name": "floor",
            "relay": { "ip-addresses": [ "198.51.100.1" ] },
            "valid-lifetime": 1200,
            "option-data": [ { "name": "routers", "data": "203.0.113.254" }, { "name": "domain-name-servers", "data": "203.0.113.53" } ],
            "subnet4": [
              { "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.11" } ],
                "option-data": [ { "name": "routers", "data": "192.0.2.1" } ] },
              { "subnet": "203.0.113.0/24", "pools": [ { "pool": "203.0.113.10 - 203.0.113.12" } ], "valid-lifetime": 600 }
            ] } ],
          "subnet4": [ { "subnet": "198.51.100.0/24", "pools": [ { "pool": "198.51.100.10 - 198.51.100.20" } ] } ]
        } }
        """

    private func harness() throws -> EngineHarness {
        EngineHarness(config: try decode(Self.networkConfig))
    }

    private func discover(_ h: inout EngineHarness, _ n: UInt8, giaddr: IPv4Address? = nil) -> DHCPv4Message? {
        var m = EngineHarness.message(.discover, mac: EngineHarness.mac(n), xid: UInt32(n))
        if let g = giaddr { m.giaddr = g }
        return h.send(m).replies.first
    }

    func testRelayAddressOfTheNetworkSelectsIt() throws {
        var h = try harness()
        let offer = discover(&h, 1, giaddr: IPv4Address(198, 51, 100, 1))
        XCTAssertEqual(offer?.yiaddr, IPv4Address(192, 0, 2, 10), "the network's relay wins over the prefix of subnet 3")
        let other = discover(&h, 2, giaddr: IPv4Address(198, 51, 100, 2))
        XCTAssertEqual(other?.yiaddr, IPv4Address(198, 51, 100, 10))
    }

    func testInterfaceOfTheNetworkSelectsIt() throws {
        // eth0's address (192.0.2.1) is in no subnet: only the network's interface selects one.
        let text = dhcp4(#""shared-networks": [ { "name": "n", "interface": "eth0", "subnet4": [ "#
            + #"{ "subnet": "198.51.100.0/24", "pools": [ { "pool": "198.51.100.10 - 198.51.100.10" } ] }, "#
            + #"{ "subnet": "203.0.113.0/24", "pools": [ { "pool": "203.0.113.10 - 203.0.113.10" } ] } ] } ]"#)
        var h = EngineHarness(config: try decode(text))
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(1), xid: 1)?.yiaddr, IPv4Address(198, 51, 100, 10))
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(2), xid: 2)?.yiaddr, IPv4Address(203, 0, 113, 10))
    }

    func testExhaustedSubnetMovesOnToTheNextOfTheNetwork() throws {
        var h = try harness()
        let first = h.dora(mac: EngineHarness.mac(1), xid: 1)
        let second = h.dora(mac: EngineHarness.mac(2), xid: 2)
        let third = h.dora(mac: EngineHarness.mac(3), xid: 3)
        XCTAssertEqual(first?.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(second?.yiaddr, IPv4Address(192, 0, 2, 11))
        XCTAssertEqual(third?.messageType, .ack)
        XCTAssertEqual(third?.yiaddr, IPv4Address(203, 0, 113, 10))
        // The reply speaks for the subnet the address is in: its lifetime, its options.
        XCTAssertEqual(third?.options.u32(DHCPv4Option.dhcpLeaseTime), 600)
        XCTAssertEqual(third?.options[DHCPv4Option.routers], [203, 0, 113, 254])
        XCTAssertEqual(third?.options[DHCPv4Option.subnetMask], [255, 255, 255, 0])
        XCTAssertEqual(h.engine.store.lease(at: IPv4Address(203, 0, 113, 10))?.subnetID, 2)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 2)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 2), 1)
        XCTAssertEqual(h.engine.stats.value(.cumulativeAssignedAddresses, subnet: 2), 1)
        // Until the whole network is used up, then the failure is the network's.
        XCTAssertNotNil(h.dora(mac: EngineHarness.mac(4), xid: 4))
        XCTAssertNotNil(h.dora(mac: EngineHarness.mac(5), xid: 5))
        XCTAssertNil(discover(&h, 6))
        XCTAssertEqual(h.engine.stats.value(.allocationFailSharedNetwork), 1)
        XCTAssertEqual(h.engine.stats.value(.allocationFailSubnet), 0)
    }

    func testNetworkOptionsRankBetweenSubnetAndGlobal() throws {
        var h = try harness()
        let ack = h.dora(mac: EngineHarness.mac(1), xid: 1)
        XCTAssertEqual(ack?.options[DHCPv4Option.routers], [192, 0, 2, 1], "the subnet's routers beat the network's")
        XCTAssertEqual(ack?.options[DHCPv4Option.domainNameServers], [203, 0, 113, 53], "the network's own option")
        XCTAssertEqual(ack?.options.u32(DHCPv4Option.dhcpLeaseTime), 1200, "the network's lifetime beats the global one")
    }

    func testExistingLeaseInTheOtherSubnetIsFound() throws {
        var h = try harness()
        _ = h.dora(mac: EngineHarness.mac(1), xid: 1)
        _ = h.dora(mac: EngineHarness.mac(2), xid: 2)
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(3), xid: 3)?.yiaddr, IPv4Address(203, 0, 113, 10))
        // 192.0.2.10 frees up; client 3 still gets its own lease in subnet 2.
        var release = EngineHarness.message(.release, mac: EngineHarness.mac(1), xid: 9)
        release.ciaddr = IPv4Address(192, 0, 2, 10)
        _ = h.send(release)
        XCTAssertNil(h.engine.store.lease(at: IPv4Address(192, 0, 2, 10)).flatMap { $0.state == .assigned ? $0 : nil })
        XCTAssertEqual(discover(&h, 3)?.yiaddr, IPv4Address(203, 0, 113, 10))
        // INIT-REBOOT for it, selected by the interface (subnet 1): the lease is known, ACKed.
        let reboot = EngineHarness.message(.request, mac: EngineHarness.mac(3), xid: 10, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [203, 0, 113, 10])])
        let ack = h.send(reboot).replies.first
        XCTAssertEqual(ack?.messageType, .ack)
        XCTAssertEqual(ack?.yiaddr, IPv4Address(203, 0, 113, 10))
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 2), 1, "renewed, not counted twice")
    }

    func testRequestForAnAddressInTheSiblingSubnetIsAcked() throws {
        var h = try harness()
        let request = EngineHarness.message(.request, mac: EngineHarness.mac(7), xid: 7, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [203, 0, 113, 12]),
            (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        let ack = h.send(request).replies.first
        XCTAssertEqual(ack?.messageType, .ack)
        XCTAssertEqual(ack?.yiaddr, IPv4Address(203, 0, 113, 12))
        XCTAssertEqual(ack?.options.u32(DHCPv4Option.dhcpLeaseTime), 600)
        let lease = h.engine.store.lease(at: IPv4Address(203, 0, 113, 12))
        XCTAssertEqual(lease?.subnetID, 2)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 2), 1)
        XCTAssertEqual(h.engine.stats.value(.assignedAddresses, subnet: 1), 0)
        // An address outside every subnet of the network is still NAKed.
        let outside = EngineHarness.message(.request, mac: EngineHarness.mac(8), xid: 8, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [198, 51, 100, 12]),
            (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        XCTAssertEqual(h.send(outside).replies.first?.messageType, .nak)
    }

    func testFreeAddressSearchStartsAtThePreferredSubnet() throws {
        var h = try harness()
        _ = h.dora(mac: EngineHarness.mac(1), xid: 1)
        _ = h.dora(mac: EngineHarness.mac(2), xid: 2)
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(3), xid: 3)?.yiaddr, IPv4Address(203, 0, 113, 10))
        var release = EngineHarness.message(.release, mac: EngineHarness.mac(1), xid: 9)
        release.ciaddr = IPv4Address(192, 0, 2, 10)
        _ = h.send(release)
        // Kea's getPreferredSubnet: the subnet of the last allocation (2) is tried first.
        XCTAssertEqual(discover(&h, 4)?.yiaddr, IPv4Address(203, 0, 113, 11))
    }

    func testReservationInTheSiblingSubnetIsFound() throws {
        let text = Self.networkConfig.replacingOccurrences(
            of: #""valid-lifetime": 600 }"#,
            with: #""valid-lifetime": 600, "reservations": [ { "hw-address": "02:00:00:00:00:09", "ip-address": "203.0.113.50" } ] }"#)
        var h = EngineHarness(config: try decode(text))
        let ack = h.dora(mac: EngineHarness.mac(9), xid: 9)
        XCTAssertEqual(ack?.yiaddr, IPv4Address(203, 0, 113, 50))
        XCTAssertEqual(h.engine.store.lease(at: IPv4Address(203, 0, 113, 50))?.subnetID, 2)
    }

    func testServerIdentifierConfiguredOnTheNetworkIsAccepted() throws {
        let text = Self.networkConfig.replacingOccurrences(
            of: #"{ "name": "routers", "data": "203.0.113.254" }"#,
            with: #"{ "name": "routers", "data": "203.0.113.254" }, { "name": "dhcp-server-identifier", "data": "203.0.113.254" }"#)
        var h = EngineHarness(config: try decode(text))
        let request = EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 1, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 10]),
            (DHCPv4Option.dhcpServerIdentifier.code, [203, 0, 113, 254])])
        XCTAssertEqual(h.send(request).replies.first?.messageType, .ack,
                       "a REQUEST naming the network's server identifier is for this server")
        let other = EngineHarness.message(.request, mac: EngineHarness.mac(2), xid: 2, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 11]),
            (DHCPv4Option.dhcpServerIdentifier.code, [203, 0, 113, 253])])
        XCTAssertTrue(h.send(other).replies.isEmpty, "another server's identifier")
    }

    func testNetworkClientClassGuardsItsSubnets() throws {
        var config = try decode(Self.networkConfig)
        config.sharedNetworks[0].clientClass = "lab"
        var h = EngineHarness(config: config)
        XCTAssertNil(discover(&h, 1), "no subnet for a client outside the class")
    }
}
