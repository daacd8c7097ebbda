/// TSIG (RFC 8945): HMAC signatures on DNS messages with a shared key. Core builds and checks
/// what is signed; the HMAC itself comes from the shell (OpenSSL's libcrypto), through
/// `HMACFunction`.
public enum TSIGAlgorithm: String, Sendable, CaseIterable {
    case hmacMD5 = "HMAC-MD5"
    case hmacSHA1 = "HMAC-SHA1"
    case hmacSHA224 = "HMAC-SHA224"
    case hmacSHA256 = "HMAC-SHA256"
    case hmacSHA384 = "HMAC-SHA384"
    case hmacSHA512 = "HMAC-SHA512"

    /// Kea's spelling in `tsig-keys` (any case).
    public init?(keaName: String) {
        guard let a = Self.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(keaName) }) else { return nil }
        self = a
    }

    /// The algorithm's name in the TSIG record.
    public var dnsName: DNSName {
        switch self {
        case .hmacMD5: DNSName(uncheckedLabels: ["hmac-md5", "sig-alg", "reg", "int"].map { Array($0.utf8) })
        case .hmacSHA1: DNSName(uncheckedLabels: [Array("hmac-sha1".utf8)])
        case .hmacSHA224: DNSName(uncheckedLabels: [Array("hmac-sha224".utf8)])
        case .hmacSHA256: DNSName(uncheckedLabels: [Array("hmac-sha256".utf8)])
        case .hmacSHA384: DNSName(uncheckedLabels: [Array("hmac-sha384".utf8)])
        case .hmacSHA512: DNSName(uncheckedLabels: [Array("hmac-sha512".utf8)])
        }
    }

    public init?(dnsName: DNSName) {
        guard let a = Self.allCases.first(where: { $0.dnsName == dnsName }) else { return nil }
        self = a
    }

    /// Octets of the full HMAC.
    public var digestLength: Int {
        switch self {
        case .hmacMD5: 16
        case .hmacSHA1: 20
        case .hmacSHA224: 28
        case .hmacSHA256: 32
        case .hmacSHA384: 48
        case .hmacSHA512: 64
        }
    }
}

/// Computes HMAC(algorithm, key, data) with the full digest length.
public typealias HMACFunction = @Sendable (TSIGAlgorithm, [UInt8], [UInt8]) -> [UInt8]

/// A shared key (Kea's `tsig-keys` entry).
public struct TSIGKey: Sendable, Equatable {
    public var name: DNSName
    public var algorithm: TSIGAlgorithm
    public var secret: [UInt8]
    /// `digest-bits`: the MAC is truncated to this many bits (0: the full digest).
    public var digestBits: Int

    public init(name: DNSName, algorithm: TSIGAlgorithm, secret: [UInt8], digestBits: Int = 0) {
        self.name = name
        self.algorithm = algorithm
        self.secret = secret
        self.digestBits = digestBits
    }

    /// Octets of the MAC this key sends.
    public var macLength: Int {
        digestBits > 0 ? min(algorithm.digestLength, (digestBits + 7) / 8) : algorithm.digestLength
    }

    /// The shortest MAC accepted from a peer (RFC 8945 §5.2.2.1: at least 10 octets and half the
    /// digest, and no shorter than this key's own truncation).
    var macLengthMin: Int { max(10, algorithm.digestLength / 2, digestBits > 0 ? macLength : 0) }
}

/// What checking a signed response found.
public enum TSIGVerdict: Sendable, Equatable {
    case valid
    /// The response carries no TSIG record although the request was signed.
    case unsigned
    /// Signed with another key or algorithm, or the server reports BADKEY.
    case badKey
    case badSignature
    /// Time signed outside the fudge window, or the server reports BADTIME.
    case badTime
    case badTruncation
    case malformed(String)
}

public enum TSIG {
    /// RFC 8945's recommended fudge, in seconds.
    public static let defaultFudge: UInt16 = 300

    /// Signs `message` (its last additional record must not be a TSIG yet): returns the wire form
    /// with the TSIG record appended and the MAC, which the response's verification needs.
    /// `requestMAC` is set when signing a response.
    public static func sign(_ message: DNSMessage, key: TSIGKey, timeSigned: UInt64, fudge: UInt16 = defaultFudge,
                            requestMAC: [UInt8]? = nil, hmac: HMACFunction) -> (wire: [UInt8], mac: [UInt8]) {
        let unsigned = message.encode()
        var tsig = TSIGData(algorithm: key.algorithm.dnsName, timeSigned: timeSigned, fudge: fudge, mac: [],
                            originalID: message.id)
        let digest = hmac(key.algorithm, key.secret, signedData(unsignedWire: unsigned, key: key, tsig: tsig, requestMAC: requestMAC))
        tsig.mac = Array(digest.prefix(key.macLength))
        var signed = message
        signed.additionals.append(DNSRecord(name: key.name, type: .tsig, rrClass: .any, ttl: 0, data: .tsig(tsig)))
        return (signed.encode(), tsig.mac)
    }

    /// Checks a response's TSIG against the request's MAC and the current time (seconds since
    /// the epoch). `wire` is the response as received: the MAC covers its octets, not a
    /// re-encoding.
    public static func verify(response wire: [UInt8], key: TSIGKey, requestMAC: [UInt8], now: UInt64,
                              hmac: HMACFunction) -> TSIGVerdict {
        guard case .success(let m) = DNSMessage.decode(wire) else { return .malformed("the response does not decode") }
        guard let record = m.tsig, case .tsig(let t) = record.data else { return .unsigned }
        guard record.name == key.name, t.algorithm == key.algorithm.dnsName else { return .badKey }
        if t.error == .badKey { return .badKey }
        if t.error == .badSig { return .badSignature }
        guard let start = tsigOffset(wire) else {
            return .malformed("the TSIG record cannot be located")
        }
        // The message as signed: without the TSIG record, ARCOUNT one less, the original ID.
        var unsigned = Array(wire[..<start])
        unsigned[0] = UInt8(t.originalID >> 8)
        unsigned[1] = UInt8(t.originalID & 0xFF)
        let ar = (UInt16(wire[10]) << 8 | UInt16(wire[11])) - 1
        unsigned[10] = UInt8(ar >> 8)
        unsigned[11] = UInt8(ar & 0xFF)
        let full = hmac(key.algorithm, key.secret, signedData(unsignedWire: unsigned, key: key, tsig: t, requestMAC: requestMAC))
        guard t.mac.count <= full.count, t.mac.count >= key.macLengthMin else { return .badTruncation }
        guard constantTimeEquals(Array(full.prefix(t.mac.count)), t.mac) else { return .badSignature }
        if t.error == .badTime { return .badTime }
        let skew = now > t.timeSigned ? now - t.timeSigned : t.timeSigned - now
        guard skew <= UInt64(t.fudge) else { return .badTime }
        return .valid
    }

    /// What the MAC covers (RFC 8945 §4.3.3): the request MAC (for a response), the message,
    /// then the TSIG variables in canonical form.
    static func signedData(unsignedWire: [UInt8], key: TSIGKey, tsig: TSIGData, requestMAC: [UInt8]?) -> [UInt8] {
        var data: [UInt8] = []
        if let r = requestMAC {
            data.appendU16(UInt16(r.count))
            data.append(contentsOf: r)
        }
        data.append(contentsOf: unsignedWire)
        data.append(contentsOf: key.name.lowercased.wire)
        data.appendU16(DNSClass.any.rawValue)
        data.appendU32(0)
        data.append(contentsOf: tsig.algorithm.lowercased.wire)
        data.appendU16(UInt16(tsig.timeSigned >> 32 & 0xFFFF))
        data.appendU32(UInt32(tsig.timeSigned & 0xFFFF_FFFF))
        data.appendU16(tsig.fudge)
        data.appendU16(tsig.error.rawValue)
        data.appendU16(UInt16(tsig.other.count))
        data.append(contentsOf: tsig.other)
        return data
    }

    /// The offset of the last additional record (the TSIG) in a message that decoded.
    static func tsigOffset(_ wire: [UInt8]) -> Int? {
        var r = DNSReader(wire)
        r.offset = 12
        let counts = (0..<4).map { i in Int(UInt16(wire[4 + 2 * i]) << 8 | UInt16(wire[5 + 2 * i])) }
        do throws(DNSError) {
            for _ in 0..<counts[0] { _ = try r.name(); _ = try r.take(4, "question") }
            for _ in 0..<(counts[1] + counts[2] + counts[3] - 1) { _ = try r.record() }
            return r.offset
        } catch { return nil }
    }

    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var d: UInt8 = 0
        for (x, y) in zip(a, b) { d |= x ^ y }
        return d == 0
    }
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let a = Array(utf8), b = Array(other.utf8)
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            let lx = (x >= 65 && x <= 90) ? x | 0x20 : x
            let ly = (y >= 65 && y <= 90) ? y | 0x20 : y
            if lx != ly { return false }
        }
        return true
    }
}
