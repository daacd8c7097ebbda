import Testing
import KakapoCore
@testable import KakapoLinuxIO

/// OpenSSL's HMACs against published vectors (RFC 2202 for MD5 and SHA-1, RFC 4231 for SHA-2),
/// and a TSIG signature made with them verifying.
@Suite struct SystemCryptoTests {
    static func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

    @Test func publishedVectors() {
        let data = Array("Hi There".utf8)
        #expect(Self.hex(SystemCrypto.hmac(.hmacMD5, [UInt8](repeating: 0x0b, count: 16), data)) == "9294727a3638bb1c13f48ef8158bfc9d")
        #expect(Self.hex(SystemCrypto.hmac(.hmacSHA1, [UInt8](repeating: 0x0b, count: 20), data)) == "b617318655057264e28bc0b6fb378c8ef146be00")
        let k = [UInt8](repeating: 0x0b, count: 20)
        #expect(Self.hex(SystemCrypto.hmac(.hmacSHA224, k, data)) == "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22")
        #expect(Self.hex(SystemCrypto.hmac(.hmacSHA256, k, data)) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(SystemCrypto.hmac(.hmacSHA384, k, data).count == 48)
        #expect(Self.hex(SystemCrypto.hmac(.hmacSHA512, k, data)).hasPrefix("87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"))
        #expect(Self.hex(SystemCrypto.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func tsigWithOpenSSL() throws {
        let key = TSIGKey(name: try DNSName("key.example"), algorithm: .hmacSHA512, secret: Array("0123456789".utf8))
        let q = DNSMessage.update(id: 42, zone: try DNSName("example.org"))
        let (_, mac) = TSIG.sign(q, key: key, timeSigned: 1000, hmac: SystemCrypto.hmac)
        var r = q
        r.isResponse = true
        let resp = TSIG.sign(r, key: key, timeSigned: 1001, requestMAC: mac, hmac: SystemCrypto.hmac).wire
        #expect(TSIG.verify(response: resp, key: key, requestMAC: mac, now: 1002, hmac: SystemCrypto.hmac) == .valid)
    }
}
