import XCTest
@testable import KakapoCore

/// The DHCPv6 codec: hand-assembled datagrams decode to the expected fields and encode back to
/// the same bytes, typed values encode to the hand-assembled bytes, every error case is reached
/// with its exact error, and seeded mutations never trap and always round-trip when accepted.
final class DHCPv6CodecTests: XCTestCase {
    // MARK: - Hand-assembled samples (independent of the encoder)

    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func opt(_ code: UInt16, _ data: [UInt8]) -> [UInt8] { be16(code) + be16(UInt16(data.count)) + data }
    static func addr(_ text: String) -> [UInt8] { IPv6Address(text)!.bytes }

    /// DUID-LL (type 3, hardware type 1) for 02:00:00:00:00:01.
    static let clientDUID: [UInt8] = [0, 3, 0, 1, 2, 0, 0, 0, 0, 1]
    /// DUID-LLT of a server.
    static let serverDUID: [UInt8] = [0, 1, 0, 1, 0x2C, 0x3D, 0x4E, 0x5F, 2, 0, 0, 0, 0, 0xFE]

    /// SOLICIT, xid 0x123456: client-id, elapsed-time 0, ORO (23, 24, 56), IA_NA (IAID 1, T1/T2
    /// 0), IA_PD (IAID 2) with an IAPREFIX hint for a /56, rapid commit.
    static let solicit: [UInt8] =
        [1, 0x12, 0x34, 0x56]
        + opt(1, clientDUID)
        + opt(8, [0, 0])
        + opt(6, be16(23) + be16(24) + be16(56))
        + opt(3, be32(1) + be32(0) + be32(0))
        + opt(25, be32(2) + be32(0) + be32(0)
              + opt(26, be32(0) + be32(0) + [56] + addr("2001:db8:ff00::")))
        + opt(14, [])

    /// ADVERTISE, xid 0x123456: server-id, client-id, preference 255, IA_NA with an address
    /// and a Success status, IA_PD with a NoPrefixAvail status, and a message-level
    /// UseMulticast status with a non-ASCII UTF-8 message.
    static let advertise: [UInt8] =
        [2, 0x12, 0x34, 0x56]
        + opt(2, serverDUID)
        + opt(1, clientDUID)
        + opt(7, [255])
        + opt(3, be32(1) + be32(1800) + be32(2880)
              + opt(5, addr("2001:db8:1::100") + be32(3000) + be32(4000)
                    + opt(13, be16(0) + Array("ok".utf8))))
        + opt(25, be32(2) + be32(0) + be32(0)
              + opt(13, be16(6) + Array("no prefixes".utf8)))
        + opt(13, be16(5) + Array("use multicast ✓".utf8))

    /// RELAY-FORW (hop 1, link 2001:db8:2::1, peer fe80::2) with interface-id "ge-0/0/1"
    /// before its relay-msg, holding a RELAY-FORW (hop 0, link 2001:db8:1::1, peer
    /// fe80::1) whose relay-msg comes before its interface-id "port7", holding `solicit`.
    static let relayed: [UInt8] = {
        let inner: [UInt8] = [12, 0] + addr("2001:db8:1::1") + addr("fe80::1")
            + opt(9, solicit) + opt(18, Array("port7".utf8))
        return [12, 1] + addr("2001:db8:2::1") + addr("fe80::2")
            + opt(18, Array("ge-0/0/1".utf8)) + opt(9, inner)
    }()

    static func relay(_ inner: [UInt8], hop: UInt8 = 0, extra: [UInt8] = []) -> [UInt8] {
        [12, hop] + addr("2001:db8::1") + addr("fe80::1") + extra + opt(9, inner)
    }

    func decoded(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) throws -> DHCPv6Message {
        switch DHCPv6Message.decode(bytes) {
        case .success(let m): return m
        case .failure(let e): XCTFail("decode failed: \(e)", file: file, line: line); throw e
        }
    }

    // MARK: - Client messages

    func testSolicitDecodesFieldByField() throws {
        let message = try decoded(Self.solicit)
        guard case .client(let m) = message else { return XCTFail("a client message") }
        XCTAssertEqual(m.messageType, .solicit)
        XCTAssertEqual(m.transactionID, 0x123456)
        XCTAssertEqual(m.options.entries.map(\.code), [1, 8, 6, 3, 25, 14])
        XCTAssertEqual(m.options.clientID, Self.clientDUID)
        XCTAssertNil(m.options.serverID)
        XCTAssertEqual(try m.options.elapsedTimeHundredths(), 0)
        XCTAssertEqual(try m.options.requestedOptions(), [23, 24, 56])
        XCTAssertTrue(m.options.rapidCommit)
        XCTAssertFalse(m.options.reconfigureAccept)
        let na = try m.options.iaNAs()
        XCTAssertEqual(na, [DHCPv6IA(iaid: 1)])
        let pd = try m.options.iaPDs()
        XCTAssertEqual(pd.count, 1)
        XCTAssertEqual(pd[0].iaid, 2)
        let hint = try pd[0].prefixes()
        XCTAssertEqual(hint.count, 1)
        XCTAssertEqual(hint[0].prefix, IPv6Prefix("2001:db8:ff00::/56"))
        XCTAssertEqual(hint[0].validLifetimeSeconds, 0)
        XCTAssertEqual(message.innermost, m)
        XCTAssertTrue(message.relays.isEmpty)
        XCTAssertEqual(message.encode(), Self.solicit)
    }

    /// The typed builders produce exactly the hand-assembled bytes.
    func testSolicitBuiltFromTypedValuesMatchesTheBytes() {
        var options = DHCPv6Options()
        options.append(.clientid, Self.clientDUID)
        options.append(elapsedTimeHundredths: 0)
        options.append(requestedOptions: [23, 24, 56])
        options.append(iaNA: DHCPv6IA(iaid: 1))
        var pdOptions = DHCPv6Options()
        pdOptions.append(DHCPv6IAPrefix(prefix: IPv6Prefix("2001:db8:ff00::/56")!, preferredLifetimeSeconds: 0,
                                        validLifetimeSeconds: 0))
        options.append(iaPD: DHCPv6IA(iaid: 2, options: pdOptions))
        options.append(.rapidCommit, [])
        let message = DHCPv6ClientMessage(messageType: .solicit, transactionID: 0x123456, options: options)
        XCTAssertEqual(message.encode(), Self.solicit)
        XCTAssertEqual(DHCPv6Message.client(message).encode(), Self.solicit)
    }

    func testAdvertiseWithStatusCodes() throws {
        let message = try decoded(Self.advertise)
        XCTAssertEqual(message.messageType, .advertise)
        let options = message.options
        XCTAssertEqual(options.serverID, Self.serverDUID)
        XCTAssertEqual(try options.preference(), 255)
        let status = try XCTUnwrap(try options.status())
        XCTAssertEqual(status.code, .useMulticast)
        XCTAssertEqual(status.message, "use multicast ✓")
        let na = try XCTUnwrap(try options.iaNAs().first)
        XCTAssertEqual(na.t1Seconds, 1800)
        XCTAssertEqual(na.t2Seconds, 2880)
        XCTAssertNil(try na.status())
        let address = try XCTUnwrap(try na.addresses().first)
        XCTAssertEqual(address.address, IPv6Address("2001:db8:1::100"))
        XCTAssertEqual(address.preferredLifetimeSeconds, 3000)
        XCTAssertEqual(address.validLifetimeSeconds, 4000)
        XCTAssertEqual(try address.options.status(), DHCPv6Status(.success, message: "ok"))
        let pd = try XCTUnwrap(try options.iaPDs().first)
        XCTAssertEqual(try pd.status()?.code, .noPrefixAvail)
        XCTAssertEqual(try pd.status()?.message, "no prefixes")
        XCTAssertTrue(try pd.prefixes().isEmpty)
        XCTAssertEqual(message.encode(), Self.advertise)

        // The same message from typed values.
        var addressOptions = DHCPv6Options()
        addressOptions.append(DHCPv6Status(.success, message: "ok"))
        var naOptions = DHCPv6Options()
        naOptions.append(DHCPv6IAAddress(address: IPv6Address("2001:db8:1::100")!, preferredLifetimeSeconds: 3000,
                                         validLifetimeSeconds: 4000, options: addressOptions))
        var pdOptions = DHCPv6Options()
        pdOptions.append(DHCPv6Status(.noPrefixAvail, message: "no prefixes"))
        var built = DHCPv6Options()
        built.append(.serverid, Self.serverDUID)
        built.append(.clientid, Self.clientDUID)
        built.append(.preference, [255])
        built.append(iaNA: DHCPv6IA(iaid: 1, t1Seconds: 1800, t2Seconds: 2880, options: naOptions))
        built.append(iaPD: DHCPv6IA(iaid: 2, options: pdOptions))
        built.append(DHCPv6Status(.useMulticast, message: "use multicast ✓"))
        XCTAssertEqual(DHCPv6ClientMessage(messageType: .advertise, transactionID: 0x123456, options: built).encode(),
                       Self.advertise)
    }

    /// Several IA_NA in one message stay separate and in order (DHCPv6 never joins options).
    func testRepeatedOptionsStaySeparate() throws {
        let bytes: [UInt8] = [3, 0, 0, 9] + Self.opt(3, Self.be32(7) + Self.be32(0) + Self.be32(0))
            + Self.opt(1, Self.clientDUID) + Self.opt(3, Self.be32(8) + Self.be32(10) + Self.be32(20))
        let message = try decoded(bytes)
        XCTAssertEqual(try message.options.iaNAs().map(\.iaid), [7, 8])
        XCTAssertEqual(message.options.all(.iaNa).count, 2)
        XCTAssertEqual(message.encode(), bytes)
    }

    func testMessageTypesAndStatusCodesRoundTripByNumber() {
        for code in UInt8.min...UInt8.max {
            let type = DHCPv6MessageType(code: code)
            XCTAssertEqual(type.code, code)
            XCTAssertEqual(type.isRelay, code == 12 || code == 13)
        }
        XCTAssertEqual(DHCPv6MessageType(code: 10), .reconfigure)
        XCTAssertEqual(DHCPv6MessageType(code: 11), .informationRequest)
        XCTAssertEqual(DHCPv6MessageType(code: 14), .other(14))
        XCTAssertEqual(DHCPv6MessageType.informationRequest.description, "INFORMATION_REQUEST")
        let named: [DHCPv6StatusCode] = [.success, .unspecFail, .noAddrsAvail, .noBinding, .notOnLink, .useMulticast,
                                         .noPrefixAvail, .unknownQueryType, .malformedQuery, .notConfigured,
                                         .notAllowed, .queryTerminated]
        XCTAssertEqual(named.map(\.code), Array(0...11))
        for code in [UInt16](0...40) + [1000, 65535] { XCTAssertEqual(DHCPv6StatusCode(code: code).code, code) }
        XCTAssertEqual(DHCPv6StatusCode(code: 12), .other(12))
    }

    /// A LEASEQUERY (14) and an unassigned type decode as client-layout messages kept by number.
    func testOtherMessageTypesAreKeptByNumber() throws {
        for code: UInt8 in [0, 14, 20, 255] {
            let bytes: [UInt8] = [code, 0xAB, 0xCD, 0xEF] + Self.opt(1, Self.clientDUID)
            let message = try decoded(bytes)
            XCTAssertEqual(message.messageType, .other(code))
            XCTAssertEqual(message.innermost.transactionID, 0xABCDEF)
            XCTAssertEqual(message.encode(), bytes)
        }
    }

    func testOtherTypedAccessors() throws {
        let bytes: [UInt8] = [10, 0, 0, 1]
            + Self.opt(12, Self.addr("2001:db8::53"))
            + Self.opt(15, Self.be16(3) + Array("abc".utf8) + Self.be16(0))
            + Self.opt(16, Self.be32(4491) + Self.be16(2) + [0x61, 0x62])
            + Self.opt(17, Self.be32(4491) + Self.opt(32, Self.addr("2001:db8::69")))
            + Self.opt(19, [5])
            + Self.opt(20, [])
            + Self.opt(39, [1, 3] + Array("abc".utf8) + [0])
            + Self.opt(4, Self.be32(9) + Self.opt(5, Self.addr("2001:db8::9") + Self.be32(1) + Self.be32(2)))
        let options = try decoded(bytes).options
        XCTAssertEqual(try options.unicast(), IPv6Address("2001:db8::53"))
        XCTAssertEqual(try options.userClasses(), [Array("abc".utf8), []])
        let vendorClass = try XCTUnwrap(try options.vendorClasses().first)
        XCTAssertEqual(vendorClass.enterpriseNumber, 4491)
        XCTAssertEqual(try vendorClass.opaqueItems(), [[0x61, 0x62]])
        let vendor = try XCTUnwrap(try options.vendorOptions().first)
        XCTAssertEqual(try vendor.vendorOptions()[32], Self.addr("2001:db8::69"))
        XCTAssertEqual(try options.reconfigureMessageType(), .renew)
        XCTAssertTrue(options.reconfigureAccept)
        XCTAssertEqual(options.clientFQDN, [1, 3] + Array("abc".utf8) + [0])
        let ta = try XCTUnwrap(try options.iaTAs().first)
        XCTAssertEqual(ta.iaid, 9)
        XCTAssertEqual(ta.options[.iaaddr].map { Array($0.prefix(16)) }, Self.addr("2001:db8::9"))
        XCTAssertEqual(DHCPv6Message.client(DHCPv6ClientMessage(messageType: .reconfigure, transactionID: 1, options: options)).encode(), bytes)
    }

    // MARK: - Relay messages

    func testTwoLevelRelayForwardDecodesAndRoundTrips() throws {
        let message = try decoded(Self.relayed)
        XCTAssertEqual(message.messageType, .relayForward)
        let relays = message.relays
        XCTAssertEqual(relays.count, 2)
        XCTAssertEqual(relays[0].hopCount, 1)
        XCTAssertEqual(relays[0].linkAddress, IPv6Address("2001:db8:2::1"))
        XCTAssertEqual(relays[0].peerAddress, IPv6Address("fe80::2"))
        XCTAssertEqual(relays[0].options.interfaceID, Array("ge-0/0/1".utf8))
        XCTAssertEqual(relays[0].relayMessagePosition, 1)
        XCTAssertFalse(relays[0].options.contains(.relayMsg), "the relay-msg option is held decoded, not raw")
        XCTAssertEqual(relays[1].hopCount, 0)
        XCTAssertEqual(relays[1].linkAddress, IPv6Address("2001:db8:1::1"))
        XCTAssertEqual(relays[1].peerAddress, IPv6Address("fe80::1"))
        XCTAssertEqual(relays[1].options.interfaceID, Array("port7".utf8))
        XCTAssertEqual(relays[1].relayMessagePosition, 0)
        XCTAssertEqual(message.innermost.messageType, .solicit)
        XCTAssertEqual(message.innermost.transactionID, 0x123456)
        XCTAssertEqual(try message.innermost.options.iaPDs().first?.iaid, 2)
        XCTAssertEqual(message.encode(), Self.relayed)
    }

    /// A RELAY-REPL built from values: relay-msg goes after the other options unless a position
    /// is given, and the bytes match a hand-assembled reply.
    func testRelayReplyBuiltFromValues() throws {
        let advertise = try decoded(Self.advertise)
        var relayOptions = DHCPv6Options()
        relayOptions.append(.interfaceId, Array("port7".utf8))
        let reply = DHCPv6RelayMessage(direction: .reply, hopCount: 0, linkAddress: IPv6Address("2001:db8:1::1")!,
                                       peerAddress: IPv6Address("fe80::1")!, options: relayOptions,
                                       relayedMessage: advertise)
        let expected: [UInt8] = [13, 0] + Self.addr("2001:db8:1::1") + Self.addr("fe80::1")
            + Self.opt(18, Array("port7".utf8)) + Self.opt(9, Self.advertise)
        XCTAssertEqual(DHCPv6Message.relay(reply).encode(), expected)
        var first = reply
        first.relayMessagePosition = 0
        XCTAssertEqual(first.encode(), [13, 0] + Self.addr("2001:db8:1::1") + Self.addr("fe80::1")
            + Self.opt(9, Self.advertise) + Self.opt(18, Array("port7".utf8)))
        XCTAssertEqual(try decoded(expected), .relay(DHCPv6RelayMessage(
            direction: .reply, hopCount: 0, linkAddress: IPv6Address("2001:db8:1::1")!,
            peerAddress: IPv6Address("fe80::1")!, options: relayOptions, relayedMessage: advertise,
            relayMessagePosition: 1)))
    }

    /// 32 relay levels decode (Kea's HOP_COUNT_LIMIT); 33 are an error.
    func testRelayNestingLimit() throws {
        var bytes = Self.solicit
        for level in 0..<DHCPv6Message.relayNestingLimit { bytes = Self.relay(bytes, hop: UInt8(level)) }
        let message = try decoded(bytes)
        XCTAssertEqual(message.relays.count, 32)
        XCTAssertEqual(message.relays.first?.hopCount, 31)
        XCTAssertEqual(message.innermost.transactionID, 0x123456)
        XCTAssertEqual(message.encode(), bytes)
        XCTAssertEqual(DHCPv6Message.decode(Self.relay(bytes)).failure, .relayNestingTooDeep(limit: 32))
    }

    // MARK: - Errors

    func testHeaderErrors() {
        XCTAssertEqual(DHCPv6Message.decode([]).failure, .truncatedHeader(length: 0, needed: 4))
        XCTAssertEqual(DHCPv6Message.decode([1, 0, 0]).failure, .truncatedHeader(length: 3, needed: 4))
        XCTAssertEqual(DHCPv6Message.decode([12] + Array(repeating: 0, count: 32)).failure,
                       .truncatedHeader(length: 33, needed: 34))
        XCTAssertEqual(DHCPv6Message.decode([13]).failure, .truncatedHeader(length: 1, needed: 34))
        XCTAssertNotNil(DHCPv6Message.decode([1, 0, 0, 0]).success, "a bare header is a message with no options")
    }

    func testOptionFramingErrors() {
        XCTAssertEqual(DHCPv6Message.decode([1, 0, 0, 0, 0, 1, 0]).failure, .truncatedOptionHeader(remaining: 3))
        XCTAssertEqual(DHCPv6Message.decode(Self.solicit + [0]).failure, .truncatedOptionHeader(remaining: 1))
        XCTAssertEqual(DHCPv6Message.decode([1, 0, 0, 0, 0, 1, 0, 10, 1, 2]).failure,
                       .optionOverrun(code: 1, length: 10, available: 2))
        XCTAssertEqual(DHCPv6Message.decode(Array(Self.solicit.dropLast(4)) + [0, 14, 0, 1]).failure,
                       .optionOverrun(code: 14, length: 1, available: 0))
        // Inside an IA_NA: its sub-option overruns the IA.
        let badIA: [UInt8] = [3, 0, 0, 1] + Self.opt(3, Self.be32(1) + Self.be32(0) + Self.be32(0) + [0, 5, 0, 30, 0])
        XCTAssertEqual(DHCPv6Message.decode(badIA).failure, .optionOverrun(code: 5, length: 30, available: 1))
        // In a relay's own options.
        XCTAssertEqual(DHCPv6Message.decode([12, 0] + Self.addr("::1") + Self.addr("::2") + [0, 18, 0, 9]).failure,
                       .optionOverrun(code: 18, length: 9, available: 0))
    }

    func testRelayErrors() {
        let noRelayMsg: [UInt8] = [12, 0] + Self.addr("::1") + Self.addr("::2") + Self.opt(18, [1])
        XCTAssertEqual(DHCPv6Message.decode(noRelayMsg).failure, .missingRelayMessage(depth: 1))
        XCTAssertEqual(DHCPv6Message.decode(Self.relay(noRelayMsg)).failure, .missingRelayMessage(depth: 2))
        XCTAssertEqual(DHCPv6Message.decode(Self.relay(Self.solicit, extra: Self.opt(9, Self.solicit))).failure,
                       .duplicateRelayMessage(depth: 1))
        // The relayed message's own errors come through.
        XCTAssertEqual(DHCPv6Message.decode(Self.relay([])).failure, .truncatedHeader(length: 0, needed: 4))
        XCTAssertEqual(DHCPv6Message.decode(Self.relay([1, 0])).failure, .truncatedHeader(length: 2, needed: 4))
        XCTAssertEqual(DHCPv6Message.decode(Self.relay(Self.relay([1, 0, 0, 0, 0, 3, 0, 1, 0]))).failure,
                       .badOptionLength(code: 3, length: 1))
    }

    /// Every typed option with a wrong size, at message level and inside its container.
    func testMalformedOptionErrors() {
        let header: [UInt8] = [1, 0, 0, 1]
        let ia = { (sub: [UInt8]) in Self.opt(3, Self.be32(1) + Self.be32(0) + Self.be32(0) + sub) }
        let pd = { (sub: [UInt8]) in Self.opt(25, Self.be32(1) + Self.be32(0) + Self.be32(0) + sub) }
        let cases: [([UInt8], DHCPv6DecodeError)] = [
            (Self.opt(3, Array(repeating: 0, count: 11)), .badOptionLength(code: 3, length: 11)),
            (Self.opt(25, []), .badOptionLength(code: 25, length: 0)),
            (Self.opt(4, [0, 0, 1]), .badOptionLength(code: 4, length: 3)),
            (ia(Self.opt(5, Array(repeating: 0, count: 23))), .badOptionLength(code: 5, length: 23)),
            (ia(Self.opt(5, Array(repeating: 0, count: 24) + Self.opt(13, [0]))), .badOptionLength(code: 13, length: 1)),
            (pd(Self.opt(26, Array(repeating: 0, count: 24))), .badOptionLength(code: 26, length: 24)),
            (pd(Self.opt(26, Self.be32(0) + Self.be32(0) + [129] + Array(repeating: 0, count: 16))), .badPrefixLength(129)),
            (Self.opt(13, [0]), .badOptionLength(code: 13, length: 1)),
            (Self.opt(6, [0, 23, 0]), .badOptionLength(code: 6, length: 3)),
            (Self.opt(7, []), .badOptionLength(code: 7, length: 0)),
            (Self.opt(8, [0, 0, 0]), .badOptionLength(code: 8, length: 3)),
            (Self.opt(12, Array(repeating: 0, count: 15)), .badOptionLength(code: 12, length: 15)),
            (Self.opt(14, [1]), .badOptionLength(code: 14, length: 1)),
            (Self.opt(16, [0, 0, 0]), .badOptionLength(code: 16, length: 3)),
            (Self.opt(17, [0]), .badOptionLength(code: 17, length: 1)),
            (Self.opt(19, [5, 5]), .badOptionLength(code: 19, length: 2)),
            (Self.opt(20, [0]), .badOptionLength(code: 20, length: 1)),
        ]
        for (options, error) in cases {
            XCTAssertEqual(DHCPv6Message.decode(header + options).failure, error, "\(options)")
            XCTAssertEqual(DHCPv6Message.decode(Self.relay(header + options)).failure, error, "relayed \(options)")
            XCTAssertEqual(DHCPv6Message.decode(Self.relay(Self.solicit, extra: options)).failure, error,
                           "in relay options \(options)")
        }
        // A 128-bit prefix is fine, and host bits in the prefix octets survive a round trip.
        let full = header + pd(Self.opt(26, Self.be32(1) + Self.be32(2) + [64] + Self.addr("2001:db8::1")))
        XCTAssertEqual(DHCPv6Message.decode(full).success?.encode(), full)
        XCTAssertEqual(try DHCPv6Message.decode(full).success?.options.iaPDs().first?.prefixes().first?.prefix,
                       IPv6Prefix("2001:db8::/64"))
    }

    /// Accessors on hand-built options report the same typed errors the decoder does.
    func testAccessorErrors() {
        var options = DHCPv6Options()
        options.append(.userClass, [0, 5, 1])
        options.append(.oro, [0])
        options.append(.elapsedTime, [1])
        options.append(.iaNa, [1, 2])
        options.append(.statusCode, [])
        XCTAssertThrowsError(try options.userClasses()) { XCTAssertEqual($0 as? DHCPv6DecodeError, .malformedOpaqueData(code: 15)) }
        XCTAssertThrowsError(try options.requestedOptions()) { XCTAssertEqual($0 as? DHCPv6DecodeError, .badOptionLength(code: 6, length: 1)) }
        XCTAssertThrowsError(try options.elapsedTimeHundredths()) { XCTAssertEqual($0 as? DHCPv6DecodeError, .badOptionLength(code: 8, length: 1)) }
        XCTAssertThrowsError(try options.iaNAs()) { XCTAssertEqual($0 as? DHCPv6DecodeError, .badOptionLength(code: 3, length: 2)) }
        XCTAssertThrowsError(try options.status()) { XCTAssertEqual($0 as? DHCPv6DecodeError, .badOptionLength(code: 13, length: 0)) }
        XCTAssertNil(try DHCPv6Options().preference())
        XCTAssertNil(try DHCPv6Options().requestedOptions())
        XCTAssertEqual(try DHCPv6Options().iaNAs(), [])
        for error in [DHCPv6DecodeError.truncatedHeader(length: 1, needed: 4), .truncatedOptionHeader(remaining: 2),
                      .optionOverrun(code: 1, length: 2, available: 1), .relayNestingTooDeep(limit: 32),
                      .missingRelayMessage(depth: 1), .duplicateRelayMessage(depth: 1),
                      .badOptionLength(code: 3, length: 1), .badPrefixLength(200), .malformedOpaqueData(code: 15)] {
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    // MARK: - Totality

    /// Goal: decoding is total, and whatever it accepts re-encodes to the same bytes with its
    /// typed options readable. Method: 24,000 seeded inputs: mutations of the three samples
    /// (octets overwritten, inserted, removed, truncated, option lengths changed) and random
    /// strings; accepted inputs must round-trip byte for byte and their accessors must not throw.
    func testDecodeIsTotalAndAcceptedInputsRoundTrip() {
        var rng = SplitMix64(seed: 0x6B61_6B61_7036)
        let samples = [Self.solicit, Self.advertise, Self.relayed]
        var accepted = 0, rejected = 0
        for round in 0..<24_000 {
            let bytes = round % 8 == 7 ? Self.randomBytes(&rng) : Self.mutate(samples[round % 3], &rng)
            switch DHCPv6Message.decode(bytes) {
            case .failure:
                rejected += 1
            case .success(let message):
                accepted += 1
                XCTAssertEqual(message.encode(), bytes, "round \(round)")
                Self.readEverything(message)
            }
        }
        XCTAssertGreaterThan(accepted, 1000, "mutations of option data keep many inputs valid")
        XCTAssertGreaterThan(rejected, 1000, "mutations of lengths and headers break many")
    }

    static func mutate(_ base: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = base
        for _ in 0..<(1 + Int(rng.next() % 4)) {
            guard !b.isEmpty else { break }
            let i = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 6 {
            case 0, 1: b[i] = UInt8(truncatingIfNeeded: rng.next())
            case 2: b.insert(UInt8(truncatingIfNeeded: rng.next()), at: i)
            case 3: b.remove(at: i)
            case 4: b = Array(b.prefix(i))
            default: b[i] = b[i] &+ (rng.next() % 2 == 0 ? 1 : 255)  // nudges lengths by one
            }
        }
        return b
    }

    static func randomBytes(_ rng: inout SplitMix64) -> [UInt8] {
        var b = (0..<Int(rng.next() % 120)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        if !b.isEmpty, rng.next() % 2 == 0 { b[0] = UInt8(rng.next() % 14) }
        return b
    }

    /// Every accessor but user class (not checked by decode, as in Kea) succeeds on every level.
    static func readEverything(_ message: DHCPv6Message) {
        var levels = message.relays.map(\.options)
        levels.append(message.innermost.options)
        for options in levels {
            XCTAssertNoThrow(try {
                _ = try options.requestedOptions()
                _ = try options.preference()
                _ = try options.elapsedTimeHundredths()
                _ = try options.unicast()
                _ = try options.status()
                _ = try options.vendorClasses()
                _ = try options.vendorOptions()
                _ = try options.reconfigureMessageType()
                _ = try options.iaTAs()
                for ia in try options.iaNAs() + options.iaPDs() {
                    _ = try ia.status()
                    for a in try ia.addresses() { _ = try a.options.status() }
                    for p in try ia.prefixes() { _ = try p.options.status() }
                }
            }())
        }
    }
}

extension Result {
    var success: Success? {
        if case .success(let v) = self { return v }
        return nil
    }
}
