import XCTest
import Glibc
@testable import KakapoLinuxIO
import KakapoCore

/// Goal: a DHCPv4 server whose every interface reads from a raw socket has its UDP socket
/// stop queueing datagrams (each would be a second copy of what the raw socket read), and
/// start again when an interface needs it. Method: datagrams over loopback to a UDP socket
/// with the drop-everything filter attached, then detached.
final class UDPSocketReceivingTests: XCTestCase {
    func testDropFilterStopsAndDetachRestoresDelivery() throws {
        let port = UInt16(40_000 + getpid() % 9_000)
        let server = try UDPSocket(port: port)
        let client = try UDPSocket(port: port + 1)
        let localhost = IPv4Address(0x7F00_0001)
        func sendOne(_ tag: UInt8) {
            XCTAssertTrue(client.send(payload: [tag], to: localhost, port: port, source: localhost, ifindex: 0))
        }
        func drain() -> [[UInt8]] {
            var got: [[UInt8]] = []
            for _ in 0..<20 {
                while let r = server.receive() { got.append(r.payload) }
                usleep(5_000)
            }
            return got
        }
        XCTAssertTrue(server.receiving)
        sendOne(1)
        XCTAssertEqual(drain(), [[1]], "delivered while receiving")

        XCTAssertTrue(server.setReceiving(false))
        XCTAssertFalse(server.receiving)
        sendOne(2)
        XCTAssertEqual(drain(), [], "nothing is queued behind the drop filter")
        // The socket still sends.
        XCTAssertTrue(server.send(payload: [9], to: localhost, port: port + 1, source: localhost, ifindex: 0))
        var echoed: [UInt8]? = nil
        for _ in 0..<20 where echoed == nil {
            echoed = client.receive()?.payload
            if echoed == nil { usleep(5_000) }
        }
        XCTAssertEqual(echoed, [9])

        XCTAssertTrue(server.setReceiving(true))
        sendOne(3)
        XCTAssertEqual(drain(), [[3]], "delivered again once the filter is detached")
    }
}
