import KakapoCore
import XCTest
@testable import KakapoLinuxIO

/// kakapo-dhcp6's configuration side without sockets: what ConfigLoader6 accepts for a check
/// and for serving, and which interfaces a configuration serves.
final class Dhcp6ServerTests: XCTestCase {
    static let sample = Fixtures.root.appendingPathComponent("configs/kea-dhcp6.conf").path

    func testTheSampleLoadsForACheckAndForServing() throws {
        let l = try ConfigLoader6.load(path: Self.sample, for: .check)
        XCTAssertEqual(l.config.subnets.map(\.id), [1, 2, 3, 10])
        XCTAssertEqual(l.config.serverID.type, .en)
        XCTAssertEqual(l.json["Dhcp6"]?["subnet6"]?[0]?["subnet"]?.stringValue, "2001:db8:1::/64")
        XCTAssertTrue(l.configWarnings.contains { $0.key == "Dhcp6/multi-threading" })
        XCTAssertNoThrow(try ConfigLoader6.load(path: Self.sample, for: .serve))
    }

    func testAnSQLLeaseBackendPassesACheckButIsNotServed() throws {
        let text = #"{ "Dhcp6": { "lease-database": { "type": "mysql", "name": "kea" } } }"#
        XCTAssertNoThrow(try ConfigLoader6.load(text: text, file: "t.json", for: .check))
        XCTAssertThrowsError(try ConfigLoader6.load(text: text, file: "t.json", for: .serve)) { e in
            XCTAssertTrue((e as? ConfigError)?.message.contains("lease-database type 'mysql' is not supported by kakapo-dhcp6") ?? false, "\(e)")
        }
    }

    func testAMissingFileIsReportedAsKeaDoes() {
        XCTAssertThrowsError(try ConfigLoader6.load(path: "/nonexistent/kea-dhcp6.conf")) { e in
            XCTAssertEqual((e as? ConfigError)?.message, "Unable to open file /nonexistent/kea-dhcp6.conf")
        }
    }

    static func iface(_ name: String, _ index: Int32, up: Bool = true, loopback: Bool = false, _ addresses: [String]) -> SystemInterface {
        SystemInterface(name: name, index: index, macAddress: [2, 0, 0, 0, 0, UInt8(index)],
                        addresses: addresses.map { a in
                            if let v6 = IPv6Address(a) { return InterfaceAddress(address: .v6(v6), prefixLength: 64) }
                            return InterfaceAddress(address: IPv4Address(a)!, prefixLength: 24)
                        }, isUp: up, isLoopback: loopback)
    }

    let system = [iface("lo", 1, loopback: true, ["::1"]), iface("eth0", 2, ["fe80::1", "2001:db8:1::1"]),
                  iface("eth1", 3, up: false, ["fe80::3"]), iface("eth2", 4, ["192.0.2.1"]), iface("eth3", 5, ["fe80::5"])]

    func config(_ interfaces: [String]) throws -> Dhcp6Config {
        let list = interfaces.map { "\"\($0)\"" }.joined(separator: ", ")
        return try Dhcp6ConfigDecoder.decode(text: #"{ "Dhcp6": { "interfaces-config": { "interfaces": [ \#(list) ] } } }"#)
    }

    func testTheWildcardIsEveryUpNonLoopbackInterfaceWithIPv6() throws {
        XCTAssertEqual(try Dhcp6Server.chooseInterfaces(config(["*"]), from: system).map(\.name), ["eth0", "eth3"])
        XCTAssertEqual(try Dhcp6Server.chooseInterfaces(config(["eth2", "lo"]), from: system).map(\.name), ["eth2", "lo"],
                       "named interfaces are served as named")
        XCTAssertEqual(try Dhcp6Server.chooseInterfaces(config([]), from: system).map(\.name), [])
    }

    func testAMissingInterfaceOrUnicastAddressIsAnError() throws {
        XCTAssertThrowsError(try Dhcp6Server.chooseInterfaces(config(["eth9"]), from: system)) { e in
            XCTAssertEqual("\(e)", "Failed to apply configuration: Failed to select interface: interface 'eth9' doesn't exist in the system")
        }
        XCTAssertThrowsError(try Dhcp6Server.chooseInterfaces(config(["eth0/2001:db8:1::9"]), from: system)) { e in
            XCTAssertEqual("\(e)", "Failed to apply configuration: Failed to select interface: interface 'eth0' has no address 2001:db8:1::9")
        }
        XCTAssertEqual(try Dhcp6Server.chooseInterfaces(config(["eth0/2001:db8:1::1"]), from: system).map(\.name), ["eth0"])
    }
}
