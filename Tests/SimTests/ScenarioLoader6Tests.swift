import Foundation
import KakapoCore
@testable import KakapoSim
import XCTest

/// `family: 6` scenario files: IPv6 segments and relays, what clients ask for, and the keys
/// that belong to one family only.
extension ScenarioLoaderTests {
    static let good6 = """
        name: small6
        family: 6
        duration: 10m
        servers:
          - name: s1
            address: 2001:db8:1::2
            config: kea6.json
        segments:
          - name: lan
            prefix: 2001:db8:1::/64
            servers: [s1]
          - name: access
            prefix: 2001:db8:2::/64
            relay: { address: 2001:db8:2::1, servers: [s1], interface-id: "port-1", remote-id: "sw" }
            conflicts: [2001:db8:2::99]
        populations:
          - name: hosts
            segment: lan
            count: 10
          - name: cpe
            segment: access
            count: 5
            ia: [na, pd]
            rapid-commit: true
            mac-prefix: "02:01"
        expect:
          min-unavailable: 0
        """
    static let files6 = ["dir/kea6.json": #"{ "Dhcp6": { "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64" } ] } }"#]

    func variant6(_ old: String, _ new: String) -> String {
        precondition(Self.good6.contains(old), old)
        return Self.good6.replacingOccurrences(of: old, with: new)
    }

    func testFamily6Loads() throws {
        let s = try load(Self.good6, files: Self.files6)
        XCTAssertEqual(s.family, 6)
        XCTAssertEqual(s.servers[0].address6, IPv6Address("2001:db8:1::2"))
        XCTAssertEqual(s.segments[0].prefix6, IPv6Prefix("2001:db8:1::/64"))
        XCTAssertEqual(s.segments[0].directServers6.map(\.address), [IPv6Address("2001:db8:1::2")!])
        let relay = try XCTUnwrap(s.segments[1].relay)
        XCTAssertEqual(relay.address6, IPv6Address("2001:db8:2::1"))
        XCTAssertEqual(relay.interfaceID, "port-1")
        XCTAssertEqual(relay.remoteID, "sw")
        XCTAssertEqual(s.segments[1].conflictingAddresses6, [IPv6Address("2001:db8:2::99")!])
        XCTAssertEqual(s.populations[0].ia, .na)
        XCTAssertEqual(s.populations[1].ia, [.na, .pd])
        XCTAssertTrue(s.populations[1].rapidCommit)
        XCTAssertEqual(s.expectations.minUnavailable, 0)
        // The default family is 4, and its format is unchanged.
        XCTAssertEqual(try load(Self.good, files: Self.files).family, 4)
    }

    /// A DHCPv6 scenario's configs are valid Kea Dhcp6 configs with a subnet for every
    /// segment (by a direct server's address or the relay's link-address or Interface-ID).
    func checkConfigs6(_ scenario: Scenario) throws {
        var configs: [String: Dhcp6Config] = [:]
        for server in scenario.servers {
            configs[server.name] = try Dhcp6ConfigDecoder.decode(KeaJSON.parse(server.configText, file: server.configSource,
                                                                               include: { _ in throw CocoaError(.fileNoSuchFile) }))
        }
        for segment in scenario.segments {
            for (server, address) in segment.directServers6 {
                XCTAssertTrue(configs[server]!.subnets.contains { $0.prefix.contains(address) }, "\(scenario.name): \(segment.name)")
            }
            if let relay = segment.relay, let link = relay.address6 {
                for server in relay.servers {
                    XCTAssertTrue(configs[server]!.subnets.contains {
                        $0.prefix.contains(link) || $0.relayAddresses.contains(link)
                            || ($0.interfaceID != nil && $0.interfaceID == relay.interfaceID.map { Array($0.utf8) })
                    }, "\(scenario.name): no subnet of \(server) for relay of \(segment.name)")
                }
            }
        }
    }

    /// DHCPv6 scenarios use the documentation prefix 2001:db8::/32 only.
    func checkDocumentationAddresses6(_ s: Scenario) {
        let doc = IPv6Prefix("2001:db8::/32")!
        var addresses = s.servers.compactMap(\.address6)
        for segment in s.segments {
            addresses += segment.prefix6.map { [$0.network] } ?? []
            addresses += segment.directServers6.map(\.address) + segment.conflictingAddresses6
            addresses += segment.relay?.address6.map { [$0] } ?? []
        }
        XCTAssertEqual(addresses.count, addresses.filter { doc.contains($0) }.count, "\(s.name): \(addresses)")
        XCTAssertFalse(addresses.isEmpty)
    }

    func testFamily6Errors() {
        assertError(variant6("family: 6", "family: 5"), "2:9", "family must be 4 (DHCPv4) or 6 (DHCPv6)", files: Self.files6)
        assertError(variant6("address: 2001:db8:1::2", "address: 192.0.2.1"), "6:14", "is not an IPv6 address", files: Self.files6)
        assertError(variant6("prefix: 2001:db8:1::/64", "prefix: 2001:db8:1::1/64"), "10:13", "has host bits set", files: Self.files6)
        assertError(variant6("relay: { address: 2001:db8:2::1,", "relay: { address: 2001:db8:3::1,"), "14:23",
                    "is outside the segment's prefix", files: Self.files6)
        assertError(variant6("ia: [na, pd]", "ia: [na, ta]"), "23:14", "must be na, pd or [na, pd]", files: Self.files6)
        assertError(variant6("ia: [na, pd]", "client-id: mac"), "23:5", "unknown key 'client-id'", files: Self.files6)
        assertError(variant6("interface-id:", "circuit-id:"), "14:53", "unknown key 'circuit-id'", files: Self.files6)
        assertError(variant6("expect:", "faults:\n  - at: 1m\n    malformed-flood: { segment: lan, count: 5, duration: 1m }\nexpect:"),
                    "28:22", "malformed-flood is simulated for DHCPv4 only", files: Self.files6)
        // DHCPv6 keys are not DHCPv4's.
        assertError(variant("count: 10", "count: 10\n    ia: pd"), "15:5", "unknown key 'ia'")
    }
}
