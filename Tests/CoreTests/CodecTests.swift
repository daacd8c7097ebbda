import XCTest
@testable import KakapoCore

/// The DHCPv4 codec: header fields, options, RFC 3396 joining and splitting, overload
/// (RFC 2131 §4.1, option 52), maximum size and BOOTP padding; decoding is total.
final class CodecTests: XCTestCase {
    func sampleDiscover() -> DHCPv4Message {
        var m = DHCPv4Message()
        m.xid = 0xDEAD_BEEF
        m.flags = 0x8000
        m.chaddr = [0x02, 0x00, 0x00, 0xAA, 0xBB, 0xCC] + Array(repeating: 0, count: 10)
        m.options[DHCPv4Option.dhcpMessageType] = [1]
        m.options[DHCPv4Option.dhcpParameterRequestList] = [1, 3, 6, 15]
        return m
    }

    func testRoundTripKeepsEveryField() throws {
        var m = sampleDiscover()
        m.ciaddr = IPv4Address(192, 0, 2, 7)
        m.giaddr = IPv4Address(198, 51, 100, 1)
        m.hops = 1
        m.secs = 3
        let bytes = m.encode()
        XCTAssertEqual(bytes.count, 300, "padded to the BOOTP minimum")
        let d = try DHCPv4Message.decode(bytes).get()
        XCTAssertEqual(d, m)
        XCTAssertEqual(d.messageType, .discover)
        XCTAssertTrue(d.broadcastFlag)
        XCTAssertEqual(d.hardwareAddress.description, "02:00:00:aa:bb:cc")
    }

    func testLongOptionIsSplitAndJoined() throws {
        var m = sampleDiscover()
        let long = (0..<600).map { UInt8($0 % 251) }
        m.options[77] = long
        let bytes = m.encode(maxSize: 1500)
        // Three instances of option 77 on the wire: 255 + 255 + 90.
        var count = 0
        var i = 240
        while i < bytes.count, bytes[i] != 255 {
            if bytes[i] == 0 { i += 1; continue }
            if bytes[i] == 77 { count += 1 }
            i += 2 + Int(bytes[i + 1])
        }
        XCTAssertEqual(count, 3)
        XCTAssertEqual(try DHCPv4Message.decode(bytes).get().options[77], long)
    }

    func testOverloadCarriesOptionsThatDoNotFit() throws {
        var m = sampleDiscover()
        m.options[43] = Array(repeating: 0x41, count: 250)
        m.options[60] = Array(repeating: 0x42, count: 60)
        m.options[66] = Array(repeating: 0x43, count: 40)
        let bytes = m.encode(maxSize: 576)
        XCTAssertLessThanOrEqual(bytes.count, 576 - 28)
        let d = try DHCPv4Message.decode(bytes).get()
        XCTAssertNotNil(d.options[DHCPv4Option.dhcpOptionOverload], "option 52 must announce the overload")
        XCTAssertEqual(d.options[60], m.options[60])
        XCTAssertEqual(d.options[66], m.options[66])
        XCTAssertEqual(d.options[43], m.options[43])
    }

    func testDecodeErrorsArePrecise() {
        XCTAssertEqual(DHCPv4Message.decode([1, 2, 3]).failure, .truncatedHeader(length: 3))
        var bytes = sampleDiscover().encode()
        bytes[236] = 0
        XCTAssertEqual(DHCPv4Message.decode(bytes).failure, .badMagicCookie(0x0082_5363))
        bytes = sampleDiscover().encode()
        bytes[2] = 17
        XCTAssertEqual(DHCPv4Message.decode(bytes).failure, .badHardwareLength(17))
        bytes = Array(sampleDiscover().encode()[0..<240]) + [12, 200, 65, 66]
        XCTAssertEqual(DHCPv4Message.decode(bytes).failure, .optionOverrun(code: 12, area: .options))
        bytes = Array(sampleDiscover().encode()[0..<240]) + [12]
        XCTAssertEqual(DHCPv4Message.decode(bytes).failure, .missingOptionLength(code: 12, area: .options))
    }

    func testOverloadPointingAtGarbageIsAnError() {
        var bytes = sampleDiscover().encode()
        // Option 52 = 1 (file holds options), and file starts with an option that overruns it.
        bytes.replaceSubrange(240..<243, with: [52, 1, 1])
        bytes[108] = 60
        bytes[109] = 250
        XCTAssertEqual(DHCPv4Message.decode(bytes).failure, .optionOverrun(code: 60, area: .file))
        bytes.replaceSubrange(240..<243, with: [52, 1, 9])
        XCTAssertEqual(DHCPv4Message.decode(bytes).failure, .badOverloadValue([9]))
    }

    /// Decoding never traps: 20,000 seeded random mutations of a valid packet and random strings.
    func testDecodeIsTotalOverRandomInput() {
        var rng = SplitMix64(seed: 0x4B414B41)
        let base = sampleDiscover().encode()
        for round in 0..<20_000 {
            var b: [UInt8]
            if round % 2 == 0 {
                b = base
                for _ in 0..<(1 + Int(rng.next() % 8)) { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                if rng.next() % 3 == 0 { b = Array(b.prefix(Int(rng.next() % UInt64(b.count)))) }
            } else {
                b = (0..<Int(rng.next() % 600)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            _ = DHCPv4Message.decode(b)
        }
    }
}

/// The tests' seeded generator is the engine's own (SplitMix64): one implementation.
typealias SplitMix64 = EngineRandom

extension Result {
    var failure: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}
