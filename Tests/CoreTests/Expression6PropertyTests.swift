import XCTest
@testable import KakapoCore

/// The shared evaluator is total on DHCPv6 packets too. Method: seeded random token sequences
/// over the DHCPv6 vocabulary, parsed with the v6 table, evaluated twice against random
/// messages with random relay chains (options well formed or truncated); and `relay6[…]` checked
/// against an oracle that indexes the chain directly.
final class Expression6PropertyTests: XCTestCase {
    static let vocabulary = [
        "option", "relay6", "pkt6", "pkt", "vendor", "vendor-class", "substring", "concat", "ifelse",
        "hexstring", "split", "member", "known", "unknown", "not", "and", "or", "all", "addrtotext",
        "uint16totext", "hex", "text", "exists", "data", "enterprise", "msgtype", "transid", "peeraddr",
        "linkaddr", "iface", "src", "len", "(", ")", "[", "]", ".", ",", "*", "==", "+", "'foo'", "''",
        "0x1f", "0", "1", "-1", "-2", "-33", "2", "18", "31", "32", "16", "17", "300", "4491", "65535", "65536",
        "::1", "fe80::1", "relay4", "pkt4",
    ]

    static func randomBytes(_ g: inout SplitMix64, max: Int) -> [UInt8] {
        (0..<Int.random(in: 0...max, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    static func randomOptions(_ g: inout SplitMix64, codes: [UInt16]) -> DHCPv6Options {
        var o = DHCPv6Options()
        for code in codes where Bool.random(using: &g) {
            var data = randomBytes(&g, max: 30)
            if code == 16 || code == 17, Bool.random(using: &g) { data = [0, 0, 0x11, 0x8B] + data }
            o.append(code, data)
        }
        return o
    }

    static func randomPacket(_ g: inout SplitMix64) -> ClassificationInput6 {
        let types: [DHCPv6MessageType] = [.solicit, .request, .renew, .rebind, .informationRequest]
        var m = DHCPv6ClientMessage(messageType: types.randomElement(using: &g) ?? .solicit,
                                    transactionID: UInt32.random(in: 0...0xFFFFFF, using: &g))
        m.options = randomOptions(&g, codes: [1, 8, 15, 16, 17, 18, 44, 56, 300])
        var relays: [DHCPv6RelayMessage] = []
        for _ in 0..<Int.random(in: 0...3, using: &g) {
            relays.append(DHCPv6RelayMessage(
                direction: .forward, hopCount: 0,
                linkAddress: IPv6Address(high: UInt64.random(in: 0...UInt64.max, using: &g), low: 1),
                peerAddress: IPv6Address(high: UInt64.random(in: 0...UInt64.max, using: &g), low: 2),
                options: randomOptions(&g, codes: [18, 37, 79]), relayedMessage: .client(m)))
        }
        var classes: Set<String> = ["ALL"]
        if Bool.random(using: &g) { classes.insert("KNOWN") }
        return ClassificationInput6(message: m, relays: relays, interfaceName: "eth0",
                                    packetLength: Int.random(in: 0...70000, using: &g), classes: classes)
    }

    func testRandomTokenSequencesNeverTrap() {
        var g = SplitMix64(seed: 0x4B41_4B41_504F_0601)
        var parsed = 0
        for _ in 0..<4000 {
            let n = Int.random(in: 0...14, using: &g)
            let text = (0..<n).map { _ in Self.vocabulary.randomElement(using: &g) ?? "" }.joined(separator: " ")
            for asString in [false, true] {
                let parse = asString ? ClassExpression.parseString : ClassExpression.parse
                guard let e = try? parse(text, "<string>", 1, 1, .dhcp6) else { continue }
                parsed += 1
                let input = Self.randomPacket(&g)
                XCTAssertEqual(e.evaluate(input), e.evaluate(input), text)
                let s = e.evaluateString(input)
                XCTAssertEqual(s, e.evaluateString(input), text)
                if case .condition = e.root { XCTAssertEqual(e.evaluate(input), s == .success(Array("true".utf8)), text) }
            }
        }
        XCTAssertGreaterThan(parsed, 5)
    }

    func testRelay6AgreesWithTheChain() throws {
        var g = SplitMix64(seed: 0x4B41_4B41_504F_0602)
        for _ in 0..<300 {
            let input = Self.randomPacket(&g)
            let nest = Int.random(in: -4...3, using: &g)
            let code: UInt16 = [18, 37, 79].randomElement(using: &g) ?? 18
            let index = nest >= 0 ? nest : input.relays.count + nest
            let relay = index >= 0 && index < input.relays.count ? input.relays[index] : nil
            let exists = try ClassExpression.parse("relay6[\(nest)].option[\(code)].exists", options: .dhcp6)
            XCTAssertEqual(exists.evaluate(input), relay?.options[code] != nil)
            let hex = try ClassExpression.parseString("relay6[\(nest)].option[\(code)].hex", options: .dhcp6)
            XCTAssertEqual(hex.evaluateString(input), .success(relay?.options[code] ?? []))
            let peer = try ClassExpression.parseString("relay6[\(nest)].peeraddr", options: .dhcp6)
            XCTAssertEqual(peer.evaluateString(input), .success(relay?.peerAddress.bytes ?? []))
        }
    }
}
