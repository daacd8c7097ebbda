import Foundation
import FuzzProperties
import Testing
@testable import KakapoCore

@Suite struct DNSNameTests {
    @Test func textRoundTripEscapesAndCase() throws {
        let n = try DNSName("Host-1.Example.ORG")
        #expect(n.description == "Host-1.Example.ORG.")
        #expect(n == (try DNSName("host-1.example.org.")))
        #expect(n.lowercased.description == "host-1.example.org.")
        #expect(try DNSName("a\\.b.c").labels.count == 2)
        #expect(try DNSName("a\\046b.c").description == "a\\.b.c.")
        #expect(DNSName.root.description == ".")
        #expect(try DNSName(".").isRoot)
    }

    @Test func limitsAreEnforced() {
        #expect(throws: DNSError.self) { try DNSName(String(repeating: "a", count: 64) + ".org") }
        #expect(throws: DNSError.self) { try DNSName("a..b") }
        #expect(throws: DNSError.self) { try DNSName(Array(repeating: "abcdefghi", count: 26).joined(separator: ".")) }
        #expect(throws: DNSError.self) { try DNSName("") }
        #expect(throws: DNSError.self) { try DNSName("a\\256") }
    }

    @Test func reverseNames() throws {
        #expect(DNSName.reverse(IPv4Address(192, 0, 2, 10)).description == "10.2.0.192.in-addr.arpa.")
        let v6 = try #require(IPv6Address("2001:db8::1"))
        #expect(DNSName.reverse(v6).description
                == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
        #expect(try DNSName("host.example.org").isSubdomain(of: DNSName("EXAMPLE.org")))
        #expect(try !DNSName("example.org").isSubdomain(of: DNSName("host.example.org")))
    }
}

@Suite struct DNSMessageTests {
    func sampleUpdate() throws -> DNSMessage {
        var m = DNSMessage.update(id: 0x1234, zone: try DNSName("example.org"))
        let host = try DNSName("host.example.org")
        m.prerequisites = [DNSRecord(name: host, type: .any, rrClass: .none)]
        m.updates = [
            DNSRecord(name: host, type: .a, ttl: 3600, data: .a(IPv4Address(192, 0, 2, 10))),
            DNSRecord(name: host, type: .dhcid, ttl: 3600, data: .raw([0, 1, 1, 0xAA, 0xBB])),
            DNSRecord(name: try DNSName("10.2.0.192.in-addr.arpa"), type: .ptr, ttl: 3600, data: .name(host)),
        ]
        return m
    }

    @Test func updateRoundTripsAndCompresses() throws {
        let m = try sampleUpdate()
        let wire = m.encode()
        #expect(try DNSMessage.decode(wire).get() == m)
        // Header: id, opcode UPDATE (5 << 11), counts 1/1/3/0.
        #expect(Array(wire[0..<12]) == [0x12, 0x34, 0x28, 0x00, 0, 1, 0, 1, 0, 3, 0, 0])
        // "example.org" is written once; every later occurrence is a pointer.
        let uncompressed = m.questions[0].name.wireLength + 4 + m.answers.reduce(0) { $0 + $1.name.wireLength + 10 }
        #expect(wire.count < 12 + uncompressed + 3 * (try DNSName("host.example.org").wireLength + 10) + 4 + 5 + 18)
        #expect(wire.filter { $0 == 0xC0 }.count >= 4)
    }

    @Test func hostileInputIsRefusedNotTrapped() throws {
        let good = try sampleUpdate().encode()
        // Every truncation fails cleanly.
        for n in 0..<good.count {
            if case .success = DNSMessage.decode(Array(good.prefix(n))) { Issue.record("a \(n)-octet prefix decoded") }
        }
        // A pointer to itself (a loop) and a forward pointer.
        var loop: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        loop += [0xC0, 12, 0, 6, 0, 1]
        #expect(throws: DNSError.self) { try DNSMessage.decode(loop).get() }
        var forward: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        forward += [0xC0, 18, 0, 6, 0, 1, 1, 97, 0]
        #expect(throws: DNSError.self) { try DNSMessage.decode(forward).get() }
        // Counts far beyond the data.
        let counts: [UInt8] = [0, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: DNSError.self) { try DNSMessage.decode(counts).get() }
        // Trailing garbage.
        #expect(throws: DNSError.self) { try DNSMessage.decode(good + [0]).get() }
        // Random corruption never traps (every byte flipped in turn).
        for i in 0..<good.count {
            var bad = good
            bad[i] ^= 0xFF
            _ = DNSMessage.decode(bad)
        }
    }

    @Test func responseFlagsAndRcode() throws {
        var m = DNSMessage(id: 7, isResponse: true, opcode: .update)
        m.rcode = .yxDomain
        let back = try DNSMessage.decode(m.encode()).get()
        #expect(back.isResponse && back.opcode == .update && back.rcode == .yxDomain)
    }
}

@Suite struct TSIGTests {
    /// A stand-in keyed digest (not an HMAC: Core has none; LinuxIO tests check OpenSSL's): any
    /// change of key or data changes it.
    static let fakeHMAC: HMACFunction = { alg, key, data in
        var h = [UInt8](repeating: 0, count: alg.digestLength)
        var acc: UInt32 = 2166136261
        for (i, b) in (key + [0xFF] + data).enumerated() {
            acc = (acc ^ UInt32(b)) &* 16777619
            h[i % h.count] ^= UInt8(truncatingIfNeeded: acc >> 8)
        }
        return h
    }

    func key(_ bits: Int = 0) throws -> TSIGKey {
        TSIGKey(name: try DNSName("d2.key"), algorithm: .hmacSHA256, secret: Array("secret".utf8), digestBits: bits)
    }

    /// A server's signed response to `request` (signed with `requestMAC`).
    func response(to request: DNSMessage, key: TSIGKey, requestMAC: [UInt8], time: UInt64) -> [UInt8] {
        var r = request
        r.isResponse = true
        r.prerequisites = []
        r.updates = []
        return TSIG.sign(r, key: key, timeSigned: time, requestMAC: requestMAC, hmac: Self.fakeHMAC).wire
    }

    @Test func signedResponseVerifies() throws {
        let k = try key()
        var q = DNSMessage.update(id: 99, zone: try DNSName("example.org"))
        q.updates = [DNSRecord(name: try DNSName("h.example.org"), type: .a, ttl: 60, data: .a(IPv4Address(192, 0, 2, 1)))]
        let (wire, mac) = TSIG.sign(q, key: k, timeSigned: 1_700_000_000, hmac: Self.fakeHMAC)
        let decoded = try DNSMessage.decode(wire).get()
        #expect(decoded.tsig?.type == .tsig)
        #expect(mac.count == 32)
        let resp = response(to: q, key: k, requestMAC: mac, time: 1_700_000_001)
        #expect(TSIG.verify(response: resp, key: k, requestMAC: mac, now: 1_700_000_002, hmac: Self.fakeHMAC) == .valid)
        // Tampered, another key, outside the fudge, unsigned, another request MAC.
        var tampered = resp
        tampered[3] ^= 1
        #expect(TSIG.verify(response: tampered, key: k, requestMAC: mac, now: 1_700_000_002, hmac: Self.fakeHMAC) == .badSignature)
        var other = k
        other.secret = Array("other".utf8)
        #expect(TSIG.verify(response: resp, key: other, requestMAC: mac, now: 1_700_000_002, hmac: Self.fakeHMAC) == .badSignature)
        other = k
        other.name = try DNSName("other.key")
        #expect(TSIG.verify(response: resp, key: other, requestMAC: mac, now: 1_700_000_002, hmac: Self.fakeHMAC) == .badKey)
        #expect(TSIG.verify(response: resp, key: k, requestMAC: mac, now: 1_700_001_000, hmac: Self.fakeHMAC) == .badTime)
        var plain = q
        plain.isResponse = true
        #expect(TSIG.verify(response: plain.encode(), key: k, requestMAC: mac, now: 1_700_000_002, hmac: Self.fakeHMAC) == .unsigned)
        #expect(TSIG.verify(response: resp, key: k, requestMAC: Array(mac.reversed()), now: 1_700_000_002, hmac: Self.fakeHMAC) == .badSignature)
    }

    @Test func digestBitsTruncateAndShortMACsAreRefused() throws {
        let k = try key(128)
        #expect(k.macLength == 16)
        let q = DNSMessage.update(id: 5, zone: try DNSName("example.org"))
        let (_, mac) = TSIG.sign(q, key: k, timeSigned: 10, hmac: Self.fakeHMAC)
        #expect(mac.count == 16)
        let resp = response(to: q, key: k, requestMAC: mac, time: 10)
        #expect(TSIG.verify(response: resp, key: k, requestMAC: mac, now: 10, hmac: Self.fakeHMAC) == .valid)
        // A peer truncating below what the key allows.
        let short = response(to: q, key: try key(80), requestMAC: mac, time: 10)
        #expect(TSIG.verify(response: short, key: k, requestMAC: mac, now: 10, hmac: Self.fakeHMAC) == .badTruncation)
    }

    @Test func algorithmNames() {
        #expect(TSIGAlgorithm(keaName: "hmac-sha512") == .hmacSHA512)
        #expect(TSIGAlgorithm(keaName: "HMAC-MD5")?.dnsName.description == "hmac-md5.sig-alg.reg.int.")
        #expect(TSIGAlgorithm(keaName: "sha256") == nil)
    }
}

@Suite struct DNSFuzzSeedTests {
    /// The committed DNS seeds decode, so the fuzz property's round trip runs on them.
    @Test func seedsDecode() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fixtures/fuzz/dns")
        for name in ["seed-update", "seed-tsig-response", "seed-ptr-answer"] {
            let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
            let m = try DNSMessage.decode(bytes).get()
            #expect(FuzzTarget.dns.check(bytes) == nil)
            if name == "seed-tsig-response" { #expect(m.tsig != nil && m.rcode == .notAuth) }
            if name == "seed-update" { #expect(m.updates.count == 2 && m.updates[0].name.description == "host.example.org.") }
        }
    }
}
