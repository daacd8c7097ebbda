import Foundation
import Glibc
import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// IP_PKTINFO from recvmsg's control buffer: hand-built cmsg buffers in the 64-bit Linux layout
/// (cmsghdr = size_t len, int level, int type; records 8-aligned; in_pktinfo = int ifindex,
/// in_addr spec_dst, in_addr addr), then the real kernel's bytes over loopback.
final class PacketInfoTests: XCTestCase {
    // From <bits/socket.h>, <asm-generic/socket.h> and <netinet/in.h>, written out so the
    // buffers below do not depend on the code under test.
    static let solSocket: Int32 = 1, soTimestamp: Int32 = 29
    static let ipprotoIP: Int32 = 0, ipTTL: Int32 = 2, ipPktinfo: Int32 = 8

    func testLayoutAssumptions() {
        XCTAssertEqual(MemoryLayout<cmsghdr>.size, 16)
        XCTAssertEqual(MemoryLayout<in_pktinfo>.size, 12)
        XCTAssertEqual(Self.solSocket, SOL_SOCKET)
        XCTAssertEqual(Self.soTimestamp, SO_TIMESTAMP)
        XCTAssertEqual(Self.ipprotoIP, Int32(IPPROTO_IP))
        XCTAssertEqual(Self.ipTTL, IP_TTL)
        XCTAssertEqual(Self.ipPktinfo, IP_PKTINFO)
    }

    /// One control message: a 16-byte header with cmsg_len little-endian, then `data`, padded to 8.
    static func cmsg(level: Int32, type: Int32, data: [UInt8], length: Int? = nil) -> [UInt8] {
        let len = length ?? 16 + data.count
        var b: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: len >> (8 * $0)) }
        b += (0..<4).map { UInt8(truncatingIfNeeded: level >> (8 * $0)) }
        b += (0..<4).map { UInt8(truncatingIfNeeded: type >> (8 * $0)) }
        b += data
        while b.count % 8 != 0 { b.append(0) }
        return b
    }

    /// in_pktinfo: interface index (host order), then spec_dst and addr in network order.
    static func pktinfo(ifindex: Int32, specDst: IPv4Address, addr: IPv4Address) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: ifindex >> (8 * $0)) } + specDst.bytes + addr.bytes
    }

    static func parse(_ b: [UInt8]) -> (interfaceIndex: Int32, destination: IPv4Address)? {
        b.withUnsafeBytes { UDPSocket.packetInfo(in: $0) }
    }

    func testPacketInfoAfterAnotherRecord() throws {
        let timestamp = Self.cmsg(level: Self.solSocket, type: Self.soTimestamp, data: [UInt8](repeating: 0x11, count: 16))
        let info = Self.cmsg(level: Self.ipprotoIP, type: Self.ipPktinfo,
                             data: Self.pktinfo(ifindex: 7, specDst: IPv4Address(192, 0, 2, 1), addr: .broadcast))
        XCTAssertEqual(timestamp.count, 32)
        XCTAssertEqual(info.count, 32, "28 bytes padded to 32")
        let r = try XCTUnwrap(Self.parse(timestamp + info))
        XCTAssertEqual(r.interfaceIndex, 7)
        XCTAssertEqual(r.destination, .broadcast, "the header's destination (ipi_addr), not spec_dst")
        // Unicast to the server, after nothing else; trailing bytes past the records are ignored.
        let unicast = Self.cmsg(level: Self.ipprotoIP, type: Self.ipPktinfo,
                                data: Self.pktinfo(ifindex: 3, specDst: IPv4Address(10, 0, 0, 9), addr: IPv4Address(192, 0, 2, 1)))
        let u = try XCTUnwrap(Self.parse(unicast + [0, 0, 0, 0]))
        XCTAssertEqual(u.interfaceIndex, 3)
        XCTAssertEqual(u.destination, IPv4Address(192, 0, 2, 1))
    }

    func testNoPacketInfo() {
        XCTAssertNil(Self.parse([]))
        XCTAssertNil(Self.parse(Self.cmsg(level: Self.ipprotoIP, type: Self.ipTTL, data: [64, 0, 0, 0])), "IP_TTL only")
        // IP_PKTINFO's number at another level is another option.
        XCTAssertNil(Self.parse(Self.cmsg(level: Self.solSocket, type: Self.ipPktinfo,
                                          data: Self.pktinfo(ifindex: 7, specDst: .zero, addr: .broadcast))))
    }

    func testMalformedBuffersEndTheWalk() {
        let info = Self.cmsg(level: Self.ipprotoIP, type: Self.ipPktinfo,
                             data: Self.pktinfo(ifindex: 7, specDst: .zero, addr: .broadcast))
        XCTAssertNil(Self.parse(Array(info[0..<24])), "buffer cut inside the in_pktinfo")
        XCTAssertNil(Self.parse(Array(info[0..<15])), "buffer shorter than a header")
        // A zero length would never advance: the walk must stop, not spin.
        let zero = Self.cmsg(level: Self.solSocket, type: Self.soTimestamp, data: [0, 0, 0, 0, 0, 0, 0, 0], length: 0)
        XCTAssertNil(Self.parse(zero + info))
        // A record claiming more than the buffer holds, and one too short for an in_pktinfo.
        XCTAssertNil(Self.parse(Self.cmsg(level: Self.ipprotoIP, type: Self.ipPktinfo,
                                          data: Self.pktinfo(ifindex: 7, specDst: .zero, addr: .broadcast), length: 4096)))
        XCTAssertNil(Self.parse(Self.cmsg(level: Self.ipprotoIP, type: Self.ipPktinfo,
                                          data: Self.pktinfo(ifindex: 7, specDst: .zero, addr: .broadcast), length: 24)))
        // A huge length (top bit set) is not a crash.
        XCTAssertNil(Self.parse(Self.cmsg(level: Self.ipprotoIP, type: Self.ipPktinfo, data: [], length: -1)))
    }

    /// The kernel's own control bytes: a datagram sent to 127.0.0.1 on an ephemeral port reaches
    /// UDPSocket with the loopback interface's index and 127.0.0.1 as destination.
    func testLoopbackDatagramCarriesInterfaceAndDestination() throws {
        let server = try UDPSocket(port: 0, bindAddress: IPv4Address(127, 0, 0, 1))
        var bound = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(server.fd, $0, &len) }
        }
        XCTAssertEqual(rc, 0)
        let port = UInt16(bigEndian: bound.sin_port)
        let client = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        XCTAssertGreaterThanOrEqual(client, 0)
        defer { close(client) }
        var to = sockaddr_in()
        to.sin_family = sa_family_t(AF_INET)
        to.sin_port = port.bigEndian
        to.sin_addr.s_addr = IPv4Address(127, 0, 0, 1).value.bigEndian
        let payload: [UInt8] = [1, 2, 3, 4, 5]
        let sent = payload.withUnsafeBytes { data in
            withUnsafePointer(to: &to) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(client, data.baseAddress, data.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        XCTAssertEqual(sent, payload.count)
        var pfd = pollfd(fd: server.fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 5000), 1, "datagram arrives within 5 s")
        let r = try XCTUnwrap(server.receive())
        XCTAssertEqual(r.payload, payload)
        XCTAssertEqual(r.source, IPv4Address(127, 0, 0, 1))
        XCTAssertEqual(r.destination, IPv4Address(127, 0, 0, 1))
        XCTAssertEqual(r.interfaceIndex, Int32(if_nametoindex("lo")))
        XCTAssertNotEqual(r.interfaceIndex, 0)
        XCTAssertNil(server.receive(), "nothing else pending")
    }
}
