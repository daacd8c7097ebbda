import Foundation
import Glibc
import KakapoCore
import XCTest
@testable import KakapoLinuxIO

/// The DHCP-DDNS client's UDP socket: requests arrive in Kea's wire format; a full queue
/// rejects; and the DHCID built with OpenSSL's SHA-256 is RFC 4701's.
final class NameChangeSenderTests: XCTestCase {
    /// A receiving socket on 127.0.0.1 and the port the kernel gave it.
    func receiver() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_addr.s_addr = IPv4Address(127, 0, 0, 1).value.bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &sin) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, len) == 0 else { return -1 }
                return getsockname(fd, p, &len)
            }
        }
        XCTAssertEqual(rc, 0)
        return (fd, UInt16(bigEndian: sin.sin_port))
    }

    func receiveAll(_ fd: Int32) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<50 {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { out.append(Array(buf[0..<n])); continue }
            if out.count >= 2 { break }
            usleep(10_000)
        }
        return out
    }

    static func ncr(_ name: String) -> NameChangeRequest {
        NameChangeRequest(changeType: .add, forward: true, reverse: true, fqdn: name, address: "192.0.2.10",
                          dhcid: [0, 1, 1, 0xAB], leaseExpiresOn: WallTime(secondsSinceEpoch: 1_800_001_200),
                          leaseLengthSeconds: 1200, useConflictResolution: true)
    }

    func testRequestsArriveInKeasWireFormat() throws {
        let (fd, port) = try receiver()
        defer { close(fd) }
        var settings = DDNSSettings()
        settings.enableUpdates = true
        settings.serverPort = port
        settings.senderIP = "127.0.0.1"
        let sender = try XCTUnwrap(NameChangeSender(settings: settings, logger: Logger(name: "kea-dhcp4", severity: .fatal)))
        let requests = [Self.ncr("a.example.org."), Self.ncr("b.example.org.")]
        sender.submit(requests)
        XCTAssertEqual(sender.sentCount, 2)
        XCTAssertEqual(sender.pending, 0)
        let got = receiveAll(fd)
        XCTAssertEqual(got, requests.map(\.wire))
        XCTAssertEqual(Array(got.first?.prefix(2) ?? []), [0, UInt8(requests[0].jsonText.utf8.count)])
        XCTAssertEqual(got.first.map { NameChangeRequest.decode(wire: $0) }, .success(requests[0]))
    }

    func testFullQueueRejects() throws {
        let (fd, port) = try receiver()
        defer { close(fd) }
        var settings = DDNSSettings()
        settings.enableUpdates = true
        settings.serverPort = port
        settings.maxQueueSize = 0
        let sender = try XCTUnwrap(NameChangeSender(settings: settings, logger: Logger(name: "kea-dhcp4", severity: .fatal)))
        sender.submit([Self.ncr("a.example.org."), Self.ncr("b.example.org.")])
        XCTAssertEqual(sender.rejectedCount, 2)
        XCTAssertEqual(sender.sentCount, 0)
        usleep(50_000)
        var buf = [UInt8](repeating: 0, count: 64)
        XCTAssertLessThan(buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }, 0, "nothing was sent")
    }

    /// RFC 4701 §3.6, example 3: htype 1, chaddr 01:02:03:04:05:06, client.example.com.
    func testDHCIDWithOpenSSLMatchesRFC4701() throws {
        let rdata = DHCID.rdata(type: .hardwareAddress, identifier: [1, 1, 2, 3, 4, 5, 6],
                                fqdn: try DNSName("client.example.com"), sha256: SystemCrypto.sha256)
        XCTAssertEqual(Data(rdata).base64EncodedString(), "AAABxLmlskllE0MVjd57zHcWmEH3pCQ6VytcKD//7es/deY=")
    }
}
