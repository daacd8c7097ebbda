import XCTest
import Glibc
@testable import KakapoCore
@testable import KakapoLinuxIO

/// The IPv6 side of LinuxIO that DHCPv6 will use: interface discovery with IPv6 addresses and
/// a UDP6 socket with packet info, over loopback (::1) on an ephemeral-range port.
final class UDP6SocketTests: XCTestCase {
    func testLoopbackHasItsIPv6Address() throws {
        // Linux keeps ::1 on lo unless IPv6 is disabled; make check needs it (as DHCPv6 will).
        let lo = try XCTUnwrap(Interfaces.discover().first { $0.isLoopback })
        XCTAssertTrue(lo.addresses.contains { $0.address == .v6(IPv6Address("::1")!) && $0.prefixLength == 128 })
    }

    func testDatagramOverLoopbackCarriesInterfaceAndDestination() throws {
        let lo = try XCTUnwrap(Interfaces.discover().first { $0.isLoopback })
        let port = UInt16(40_000 + getpid() % 20_000)
        let server = try UDP6Socket(port: port)
        let client = try UDP6Socket(port: port + 1)
        XCTAssertTrue(client.send(payload: [1, 2, 3, 4], to: IPv6Address("::1")!, port: port, ifindex: lo.index))
        var got: UDP6Socket.Received? = nil
        for _ in 0..<100 where got == nil {
            got = server.receive()
            if got == nil { usleep(10_000) }
        }
        let r = try XCTUnwrap(got, "no datagram arrived within a second")
        XCTAssertEqual(r.payload, [1, 2, 3, 4])
        XCTAssertEqual(r.source, IPv6Address("::1")!)
        XCTAssertEqual(r.sourcePort, port + 1)
        XCTAssertEqual(r.destination, IPv6Address("::1")!)
        XCTAssertEqual(r.interfaceIndex, lo.index)
    }

    /// A hand-built control buffer: an unrelated record, then IPV6_PKTINFO.
    func testPacketInfoWalk() {
        var buf = [UInt8](repeating: 0, count: 64)
        func header(at off: Int, length: Int, level: Int32, type: Int32) {
            var h = cmsghdr()
            h.cmsg_len = length
            h.cmsg_level = level
            h.cmsg_type = type
            buf.withUnsafeMutableBytes { $0.storeBytes(of: h, toByteOffset: off, as: cmsghdr.self) }
        }
        header(at: 0, length: 20, level: SOL_SOCKET, type: 29)
        header(at: 24, length: 36, level: Int32(IPPROTO_IPV6), type: UDP6Socket.ipv6PacketInfo)
        let a = IPv6Address("2001:db8::5")!
        buf.replaceSubrange(40..<56, with: a.bytes)
        buf.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(7), toByteOffset: 56, as: UInt32.self) }
        let info = buf.withUnsafeBytes { UDP6Socket.packetInfo(in: $0) }
        XCTAssertEqual(info?.destination, a)
        XCTAssertEqual(info?.interfaceIndex, 7)
        let truncated = buf.withUnsafeBytes { UDP6Socket.packetInfo(in: UnsafeRawBufferPointer(rebasing: $0[0..<50])) }
        XCTAssertNil(truncated)
    }

    func testAddressText() {
        XCTAssertEqual(IPv6Address("2001:DB8:0:0:1:0:0:1")?.description, "2001:db8::1:0:0:1")
        XCTAssertEqual(UDP6Socket.allRelayAgentsAndServers.description, "ff02::1:2")
        XCTAssertTrue(IPv6Prefix("2001:db8:1::/48")!.contains(IPv6Address("2001:db8:1:ffff::1")!))
        XCTAssertFalse(IPv6Prefix("2001:db8:1::/48")!.contains(IPv6Address("2001:db8:2::1")!))
        XCTAssertEqual(IPAddress("192.0.2.1"), .v4(IPv4Address(192, 0, 2, 1)))
        XCTAssertNil(IPAddress("192.0.2.256"))
    }
}
