import XCTest
import Glibc
@testable import KakapoCore
@testable import KakapoLinuxIO

/// recvmmsg/sendmmsg batches over loopback: what one send call stages arrives datagram for
/// datagram, in order, with the interface and destination each recvmmsg entry reports.
final class MessageBatchTests: XCTestCase {
    func testIPv4BatchRoundTripWithPacketInfo() throws {
        let lo = try XCTUnwrap(Interfaces.discover().first { $0.isLoopback })
        let port = UInt16(30_000 + getpid() % 9_000)
        let server = try UDPSocket(port: port)
        let client = try UDPSocket(port: port + 1)
        let tx = UDPSocket.sendBatch(capacity: 4)
        let localhost = IPv4Address(0x7F00_0001)
        // Six datagrams through a batch of four: one full send, then the rest.
        var failures: [(Int, Int32)] = []
        for i in 0..<6 {
            if !client.stage(tx, tag: i, payload: [UInt8(i), 0xAA], to: localhost, port: port, source: localhost, ifindex: lo.index) {
                XCTAssertTrue(tx.isFull)
                client.transmit(tx) { failures.append(($0, $1)) }
                XCTAssertTrue(client.stage(tx, tag: i, payload: [UInt8(i), 0xAA], to: localhost, port: port, source: localhost, ifindex: lo.index))
            }
        }
        client.transmit(tx) { failures.append(($0, $1)) }
        XCTAssertTrue(failures.isEmpty)
        XCTAssertTrue(tx.isEmpty)
        let rx = UDPSocket.receiveBatch(capacity: 8)
        var got: [UDPSocket.Received] = []
        for _ in 0..<100 where got.count < 6 {
            let n = server.receive(into: rx, limit: 8)
            for i in 0..<n { got.append(UDPSocket.received(rx, i)) }
            if n == 0 { usleep(10_000) }
        }
        XCTAssertEqual(got.map(\.payload), (0..<6).map { [UInt8($0), 0xAA] })
        XCTAssertTrue(got.allSatisfy { $0.interfaceIndex == lo.index && $0.destination == localhost && $0.sourcePort == port + 1 })
        // Drained: one call, nothing pending.
        XCTAssertEqual(server.receive(into: rx, limit: 8), 0)
    }

    func testIPv6BatchRoundTripAndLimit() throws {
        let lo = try XCTUnwrap(Interfaces.discover().first { $0.isLoopback })
        let port = UInt16(40_000 + getpid() % 20_000)
        let server = try UDP6Socket(port: port)
        let client = try UDP6Socket(port: port + 1)
        let tx = UDP6Socket.sendBatch(capacity: 8)
        for i in 0..<5 {
            XCTAssertTrue(client.stage(tx, tag: i, payload: [UInt8(i)], to: IPv6Address("::1")!, port: port, ifindex: lo.index))
        }
        var failed = 0
        client.transmit(tx) { _, _ in failed += 1 }
        XCTAssertEqual(failed, 0)
        let rx = UDP6Socket.receiveBatch(capacity: 8)
        var got: [UDP6Socket.Received] = []
        for _ in 0..<100 where got.count < 5 {
            // At most three a call: the limit bounds one read.
            let n = server.receive(into: rx, limit: 3)
            XCTAssertLessThanOrEqual(n, 3)
            for i in 0..<n { got.append(UDP6Socket.received(rx, i)) }
            if n == 0 { usleep(10_000) }
        }
        XCTAssertEqual(got.map(\.payload), (0..<5).map { [UInt8($0)] })
        XCTAssertTrue(got.allSatisfy { $0.interfaceIndex == lo.index && $0.destination == IPv6Address("::1")! })
    }

    func testSendFailureNamesTheDatagram() throws {
        // A destination the socket cannot reach (IPv4 broadcast without SO_BROADCAST is
        // refused with EACCES): the failure names the staged datagram's tag.
        let s = try DatagramSocketProbe.plainIPv4()
        defer { close(s) }
        let tx = UDPSocket.sendBatch(capacity: 2)
        var to = UDPSocket.address(.broadcast, 9)
        let staged = withUnsafeBytes(of: &to) { name in
            tx.stage(length: 1, tag: 41, name: name, control: nil) { $0[0] = 1 }
        }
        XCTAssertTrue(staged)
        var failures: [(Int, Int32)] = []
        tx.send(fd: s) { failures.append(($0, $1)) }
        XCTAssertEqual(failures.map(\.0), [41])
        XCTAssertEqual(failures.first?.1, EACCES)
    }

    func testThreadingPlanAsKeaCountsThreads() {
        XCTAssertEqual(ThreadingPlan(MultiThreadingConfig(), processors: 4).threads, 4)
        XCTAssertTrue(ThreadingPlan(MultiThreadingConfig(), processors: 4).usesWorkers)
        XCTAssertEqual(ThreadingPlan(MultiThreadingConfig(threadPoolSize: 0), processors: 3).threads, 3)
        let two = ThreadingPlan(MultiThreadingConfig(enabled: true, threadPoolSize: 2, packetQueueSizeMax: 16), processors: 8)
        XCTAssertEqual([two.threads, two.queueSize], [2, 16])
        // One thread, or multi-threading off: the single loop.
        XCTAssertFalse(ThreadingPlan(MultiThreadingConfig(threadPoolSize: 1), processors: 8).usesWorkers)
        let off = ThreadingPlan(MultiThreadingConfig(enabled: false, threadPoolSize: 4), processors: 8)
        XCTAssertFalse(off.usesWorkers)
        XCTAssertEqual([off.threads, off.queueSize], [0, 0])
    }
}

/// A bare IPv4 datagram socket (no SO_BROADCAST).
enum DatagramSocketProbe {
    static func plainIPv4() throws -> Int32 {
        let s = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard s >= 0 else { throw SocketError("socket") }
        return s
    }
}
