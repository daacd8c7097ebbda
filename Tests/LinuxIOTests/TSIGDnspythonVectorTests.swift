import Testing
import KakapoCore
@testable import KakapoLinuxIO

/// TSIG vectors made by an independent implementation, dnspython 2.3 (Debian's python3-dnspython):
/// an UPDATE for example.org (id 42) signed with key "key.example." at time 1700000000, fudge 300,
/// and dnspython's signed NOERROR response to it. Kakapo (OpenSSL through SystemCrypto.hmac) must
/// produce the same request MAC and accept the response, and refuse it with one bit flipped.
/// The last row is HMAC-SHA256 with digest-bits 128 (RFC 4635 truncation: the name stays
/// hmac-sha256, the MAC is the first 16 octets). Produced by:
///
///     import hashlib, time, dns.message, dns.tsig, dns.update
///     time.time = lambda: 1700000000.0
///     secret = "a2FrYXBvLXRzaWctdmVjdG9yLXNlY3JldC0wMTIzNDU2Nzg5"
///     for alg, bits in [(dns.tsig.HMAC_MD5, 0), ..., (dns.tsig.HMAC_SHA256, 128)]:
///         # bits: dns.tsig.HMACTSig._hashes[dns.tsig.HMAC_SHA256] = (hashlib.sha256, bits)
///         key = dns.tsig.Key("key.example.", secret, alg)
///         u = dns.update.UpdateMessage("example.org.", id=42); u.use_tsig(key, fudge=300)
///         req = u.to_wire(); m = dns.message.from_wire(req, keyring={key.name: key})
///         print(m.mac.hex(), req.hex(), dns.message.make_response(m).to_wire().hex())
@Suite struct TSIGDnspythonVectorTests {
    /// base64 "a2FrYXBvLXRzaWctdmVjdG9yLXNlY3JldC0wMTIzNDU2Nzg5"
    static let secret = Array("kakapo-tsig-vector-secret-0123456789".utf8)
    static let vectors: [(TSIGAlgorithm, Int, String, String, String)] = [
        (.hmacMD5, 0, "360ea44a6cac8b34804dbfc2be456b9d", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000003a08484d41432d4d4435075349472d414c470352454703494e540000006553f100012c0010360ea44a6cac8b34804dbfc2be456b9d002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000003a08484d41432d4d4435075349472d414c470352454703494e540000006553f100012c00105cbc75c033f4c991425977dbe0cbdfd5002a00000000"),
        (.hmacSHA1, 0, "4f2bef663e888e75a06c1f03b39888ce21e2076e", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000002f09686d61632d736861310000006553f100012c00144f2bef663e888e75a06c1f03b39888ce21e2076e002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000002f09686d61632d736861310000006553f100012c00149ed2ec1f6cfdac3132cb15f375795d7267b92d7d002a00000000"),
        (.hmacSHA224, 0, "cb9423081193484544dff3ee24241813928358e3fd6be0da62527091", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff0000000000390b686d61632d7368613232340000006553f100012c001ccb9423081193484544dff3ee24241813928358e3fd6be0da62527091002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff0000000000390b686d61632d7368613232340000006553f100012c001c6618ff9256653318a847d741eb36a583da1b37d001f532f519fdbddb002a00000000"),
        (.hmacSHA256, 0, "0b4e6fb3262743f49a5cf405dd4281c4ece6f5514fd2e60a75214af104ffa3c6", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000003d0b686d61632d7368613235360000006553f100012c00200b4e6fb3262743f49a5cf405dd4281c4ece6f5514fd2e60a75214af104ffa3c6002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000003d0b686d61632d7368613235360000006553f100012c0020d41eabc9287c578f0d62050587b3d6baa9b20b288fd8c8eaa23b8fdc3863690e002a00000000"),
        (.hmacSHA384, 0, "5b6ec1c3293847a7eb5cb28e7bd4ca936c9ba3006eb4779958373ce74a431c748980d2fa92365910744dcb31c0d5aa1a", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000004d0b686d61632d7368613338340000006553f100012c00305b6ec1c3293847a7eb5cb28e7bd4ca936c9ba3006eb4779958373ce74a431c748980d2fa92365910744dcb31c0d5aa1a002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000004d0b686d61632d7368613338340000006553f100012c0030b910c89ee045a4de03da4b74d3dedac3d6949af5ab41c563944245f3c01648a4b20a6a312e0cdd92203164c504c01821002a00000000"),
        (.hmacSHA512, 0, "665d7fcbe395c6ccaeac342dfd79ae79227cfeb466c6b1f2812ceb9b1ca60ff3c6ef38081cc84d675637678ecdfeaba792af26b9dceb4ee0ab92a035c271262a", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000005d0b686d61632d7368613531320000006553f100012c0040665d7fcbe395c6ccaeac342dfd79ae79227cfeb466c6b1f2812ceb9b1ca60ff3c6ef38081cc84d675637678ecdfeaba792af26b9dceb4ee0ab92a035c271262a002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000005d0b686d61632d7368613531320000006553f100012c004050891c9f72371cbcc7d6d25529bf00c8ce817e93691d4ac524ba4e101f9b396324b58d1cfbf06f038386d594b6cf01cb81353445d8c0ab3b630dd3a290357765002a00000000"),
        (.hmacSHA256, 128, "0b4e6fb3262743f49a5cf405dd4281c4", "002a28000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000002d0b686d61632d7368613235360000006553f100012c00100b4e6fb3262743f49a5cf405dd4281c4002a00000000", "002aa8000001000000000001076578616d706c65036f72670000060001036b6579076578616d706c650000fa00ff00000000002d0b686d61632d7368613235360000006553f100012c00101b781b973d96a8ea0230eaffb1805108002a00000000"),
    ]

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var it = hex.utf8.makeIterator()
        while let h = it.next(), let l = it.next() {
            func v(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c - 48 }
            out.append(v(h) << 4 | v(l))
        }
        return out
    }

    @Test(arguments: 0..<7) func dnspythonVector(_ i: Int) throws {
        let (alg, bits, macHex, requestHex, responseHex) = Self.vectors[i]
        let key = TSIGKey(name: try DNSName("key.example"), algorithm: alg, secret: Self.secret, digestBits: bits)
        let (wire, mac) = TSIG.sign(DNSMessage.update(id: 42, zone: try DNSName("example.org")), key: key,
                                    timeSigned: 1_700_000_000, hmac: SystemCrypto.hmac)
        #expect(mac == Self.bytes(macHex), "request MAC, \(alg) digest-bits \(bits)")
        // dnspython writes the MD5 algorithm name in capitals; the MAC covers it lowercased.
        if alg != .hmacMD5 { #expect(wire == Self.bytes(requestHex)) }
        let response = Self.bytes(responseHex)
        #expect(TSIG.verify(response: response, key: key, requestMAC: mac, now: 1_700_000_001, hmac: SystemCrypto.hmac) == .valid)
        var tampered = response
        tampered[tampered.count - 7] ^= 0x01    // the MAC's last octet (then original ID, error, other length)
        #expect(TSIG.verify(response: tampered, key: key, requestMAC: mac, now: 1_700_000_001, hmac: SystemCrypto.hmac) == .badSignature)
        var body = response
        body[3] ^= 0x01                         // a header bit covered by the MAC
        #expect(TSIG.verify(response: body, key: key, requestMAC: mac, now: 1_700_000_001, hmac: SystemCrypto.hmac) != .valid)
        #expect(TSIG.verify(response: response, key: key, requestMAC: mac, now: 1_700_000_400, hmac: SystemCrypto.hmac) == .badTime)
    }
}
