/// DNS resource record types Kakapo reads or writes (RFC 1035, 2136, 3596, 4701, 8945).
public struct DNSType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let a = DNSType(rawValue: 1)
    public static let ns = DNSType(rawValue: 2)
    public static let cname = DNSType(rawValue: 5)
    public static let soa = DNSType(rawValue: 6)
    public static let ptr = DNSType(rawValue: 12)
    public static let txt = DNSType(rawValue: 16)
    public static let aaaa = DNSType(rawValue: 28)
    public static let dhcid = DNSType(rawValue: 49)
    public static let tsig = DNSType(rawValue: 250)
    public static let any = DNSType(rawValue: 255)
    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .ptr: "PTR"
        case .txt: "TXT"
        case .aaaa: "AAAA"
        case .dhcid: "DHCID"
        case .tsig: "TSIG"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

/// DNS classes; an update uses NONE and ANY with special meanings (RFC 2136 §2.4, §2.5).
public struct DNSClass: RawRepresentable, Sendable, Hashable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let `in` = DNSClass(rawValue: 1)
    public static let none = DNSClass(rawValue: 254)
    public static let any = DNSClass(rawValue: 255)
}

/// The operation a message asks for (RFC 1035 §4.1.1, RFC 2136 §1).
public enum DNSOpcode: UInt8, Sendable {
    case query = 0, notify = 4, update = 5
}

/// Response codes (RFC 1035, RFC 2136 §2.2, RFC 8945 §3 for the TSIG errors in the TSIG RR).
public struct DNSRcode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let noError = DNSRcode(rawValue: 0)
    public static let formErr = DNSRcode(rawValue: 1)
    public static let servFail = DNSRcode(rawValue: 2)
    public static let nxDomain = DNSRcode(rawValue: 3)
    public static let notImp = DNSRcode(rawValue: 4)
    public static let refused = DNSRcode(rawValue: 5)
    public static let yxDomain = DNSRcode(rawValue: 6)
    public static let yxRRSet = DNSRcode(rawValue: 7)
    public static let nxRRSet = DNSRcode(rawValue: 8)
    public static let notAuth = DNSRcode(rawValue: 9)
    public static let notZone = DNSRcode(rawValue: 10)
    public static let badSig = DNSRcode(rawValue: 16)
    public static let badKey = DNSRcode(rawValue: 17)
    public static let badTime = DNSRcode(rawValue: 18)
    public static let badTrunc = DNSRcode(rawValue: 22)
    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formErr: "FORMERR"
        case .servFail: "SERVFAIL"
        case .nxDomain: "NXDOMAIN"
        case .notImp: "NOTIMP"
        case .refused: "REFUSED"
        case .yxDomain: "YXDOMAIN"
        case .yxRRSet: "YXRRSET"
        case .nxRRSet: "NXRRSET"
        case .notAuth: "NOTAUTH"
        case .notZone: "NOTZONE"
        case .badSig: "BADSIG"
        case .badKey: "BADKEY"
        case .badTime: "BADTIME"
        case .badTrunc: "BADTRUNC"
        default: "RCODE\(rawValue)"
        }
    }
}

/// A TSIG record's RDATA (RFC 8945 §4.2).
public struct TSIGData: Sendable, Equatable {
    public var algorithm: DNSName
    /// Seconds since the epoch, 48 bits on the wire.
    public var timeSigned: UInt64
    public var fudge: UInt16
    public var mac: [UInt8]
    public var originalID: UInt16
    public var error: DNSRcode
    public var other: [UInt8]
    public init(algorithm: DNSName, timeSigned: UInt64, fudge: UInt16, mac: [UInt8], originalID: UInt16,
                error: DNSRcode = .noError, other: [UInt8] = []) {
        self.algorithm = algorithm
        self.timeSigned = timeSigned
        self.fudge = fudge
        self.mac = mac
        self.originalID = originalID
        self.error = error
        self.other = other
    }
}

/// A record's data, typed for what Kakapo reads and writes; anything else is kept as octets.
public enum DNSRData: Sendable, Equatable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    /// PTR, CNAME, NS: one name (may be compressed on the wire).
    case name(DNSName)
    case tsig(TSIGData)
    /// DHCID (RFC 4701) and every other type: the octets as they are. Empty for the RRset
    /// operations of an update (class ANY/NONE with no data).
    case raw([UInt8])
}

/// A resource record (RFC 1035 §4.1.3). In an update, class and TTL carry the operation.
public struct DNSRecord: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSType
    public var rrClass: DNSClass
    public var ttl: UInt32
    public var data: DNSRData
    public init(name: DNSName, type: DNSType, rrClass: DNSClass = .in, ttl: UInt32 = 0, data: DNSRData = .raw([])) {
        self.name = name
        self.type = type
        self.rrClass = rrClass
        self.ttl = ttl
        self.data = data
    }
}

public struct DNSQuestion: Sendable, Equatable {
    public var name: DNSName
    public var type: DNSType
    public var qClass: DNSClass
    public init(name: DNSName, type: DNSType, qClass: DNSClass = .in) {
        self.name = name
        self.type = type
        self.qClass = qClass
    }
}

/// A DNS message. For an UPDATE (RFC 2136 §2) the four sections are the zone, the
/// prerequisites, the updates and the additional records; `zone`, `prerequisites` and `updates`
/// name them.
public struct DNSMessage: Sendable, Equatable {
    public var id: UInt16
    public var isResponse: Bool
    public var opcode: DNSOpcode
    public var authoritative = false
    public var truncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    /// The header's four-bit RCODE (a TSIG error sits in the TSIG record).
    public var rcode: DNSRcode = .noError
    public var questions: [DNSQuestion] = []
    public var answers: [DNSRecord] = []
    public var authorities: [DNSRecord] = []
    public var additionals: [DNSRecord] = []

    public init(id: UInt16, isResponse: Bool = false, opcode: DNSOpcode = .query) {
        self.id = id
        self.isResponse = isResponse
        self.opcode = opcode
    }

    /// An UPDATE for `zone` (class IN).
    public static func update(id: UInt16, zone: DNSName) -> DNSMessage {
        var m = DNSMessage(id: id, opcode: .update)
        m.questions = [DNSQuestion(name: zone, type: .soa)]
        return m
    }

    public var zone: DNSQuestion? { questions.first }
    public var prerequisites: [DNSRecord] {
        get { answers }
        set { answers = newValue }
    }
    public var updates: [DNSRecord] {
        get { authorities }
        set { authorities = newValue }
    }

    /// The TSIG record, when it is the last additional record (where RFC 8945 puts it).
    public var tsig: DNSRecord? {
        guard let last = additionals.last, last.type == .tsig else { return nil }
        return last
    }
}

// MARK: - Wire format

extension DNSMessage {
    /// The wire form, with names compressed (RFC 1035 §4.1.4) except in TSIG RDATA, where
    /// RFC 8945 forbids it.
    public func encode() -> [UInt8] {
        var w = DNSWriter()
        w.out.appendU16(id)
        var flags: UInt16 = 0
        if isResponse { flags |= 0x8000 }
        flags |= UInt16(opcode.rawValue & 0xF) << 11
        if authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if recursionDesired { flags |= 0x0100 }
        if recursionAvailable { flags |= 0x0080 }
        flags |= rcode.rawValue & 0xF
        w.out.appendU16(flags)
        w.out.appendU16(UInt16(questions.count))
        w.out.appendU16(UInt16(answers.count))
        w.out.appendU16(UInt16(authorities.count))
        w.out.appendU16(UInt16(additionals.count))
        for q in questions {
            w.name(q.name)
            w.out.appendU16(q.type.rawValue)
            w.out.appendU16(q.qClass.rawValue)
        }
        for r in answers { w.record(r) }
        for r in authorities { w.record(r) }
        for r in additionals { w.record(r) }
        return w.out
    }

    /// Reads a message; never traps on hostile input (bad lengths, pointer loops, forward
    /// pointers, counts beyond the data all give an error).
    public static func decode(_ bytes: [UInt8]) -> Result<DNSMessage, DNSError> {
        do throws(DNSError) {
            var r = DNSReader(bytes)
            let id = try r.u16("header")
            let flags = try r.u16("header")
            guard let opcode = DNSOpcode(rawValue: UInt8(flags >> 11 & 0xF)) else {
                throw DNSError.malformed("unsupported opcode \(flags >> 11 & 0xF)")
            }
            var m = DNSMessage(id: id, isResponse: flags & 0x8000 != 0, opcode: opcode)
            m.authoritative = flags & 0x0400 != 0
            m.truncated = flags & 0x0200 != 0
            m.recursionDesired = flags & 0x0100 != 0
            m.recursionAvailable = flags & 0x0080 != 0
            m.rcode = DNSRcode(rawValue: flags & 0xF)
            let qd = Int(try r.u16("header")), an = Int(try r.u16("header"))
            let ns = Int(try r.u16("header")), ar = Int(try r.u16("header"))
            // Each entry takes at least 5 octets: counts beyond the data are refused early.
            guard (qd + an + ns + ar) * 5 <= r.remaining else { throw DNSError.truncated("section counts exceed the message") }
            for _ in 0..<qd {
                let name = try r.name()
                let type = DNSType(rawValue: try r.u16("question"))
                let cls = DNSClass(rawValue: try r.u16("question"))
                m.questions.append(DNSQuestion(name: name, type: type, qClass: cls))
            }
            for _ in 0..<an { m.answers.append(try r.record()) }
            for _ in 0..<ns { m.authorities.append(try r.record()) }
            for _ in 0..<ar { m.additionals.append(try r.record()) }
            guard r.remaining == 0 else { throw DNSError.malformed("\(r.remaining) octets after the last record") }
            return .success(m)
        } catch {
            return .failure(error)
        }
    }
}

/// Builds a message, remembering where each name suffix was written for compression pointers.
struct DNSWriter {
    var out: [UInt8] = []
    /// Offsets of written name suffixes (lower-cased), for pointers (only below 0x4000).
    var suffixes: [DNSName: Int] = [:]

    mutating func name(_ n: DNSName, compress: Bool = true) {
        var labels = n.labels[...]
        while !labels.isEmpty {
            let suffix = DNSName(uncheckedLabels: Array(labels))
            if compress, let at = suffixes[suffix] {
                out.appendU16(0xC000 | UInt16(at))
                return
            }
            if compress, out.count < 0x4000 { suffixes[suffix] = out.count }
            let l = labels.removeFirst()
            out.append(UInt8(l.count))
            out.append(contentsOf: l)
        }
        out.append(0)
    }

    mutating func record(_ r: DNSRecord) {
        name(r.name)
        out.appendU16(r.type.rawValue)
        out.appendU16(r.rrClass.rawValue)
        out.appendU32(r.ttl)
        let lengthAt = out.count
        out.appendU16(0)
        switch r.data {
        case .a(let a): out.appendU32(a.value)
        case .aaaa(let a): out.append(contentsOf: a.bytes)
        case .name(let n): name(n)
        case .tsig(let t): out.append(contentsOf: t.rdata)
        case .raw(let bytes): out.append(contentsOf: bytes)
        }
        let length = out.count - lengthAt - 2
        out[lengthAt] = UInt8(length >> 8)
        out[lengthAt + 1] = UInt8(length & 0xFF)
    }
}

extension TSIGData {
    /// The RDATA octets (algorithm name uncompressed, RFC 8945 §4.2).
    public var rdata: [UInt8] {
        var out = algorithm.wire
        out.appendU16(UInt16(timeSigned >> 32 & 0xFFFF))
        out.appendU32(UInt32(timeSigned & 0xFFFF_FFFF))
        out.appendU16(fudge)
        out.appendU16(UInt16(mac.count))
        out.append(contentsOf: mac)
        out.appendU16(originalID)
        out.appendU16(error.rawValue)
        out.appendU16(UInt16(other.count))
        out.append(contentsOf: other)
        return out
    }
}

/// A bounds-checked reader that follows compression pointers.
struct DNSReader {
    let bytes: [UInt8]
    var offset = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var remaining: Int { bytes.count - offset }

    mutating func u8(_ what: String) throws(DNSError) -> UInt8 {
        guard offset < bytes.count else { throw DNSError.truncated(what) }
        defer { offset += 1 }
        return bytes[offset]
    }
    mutating func u16(_ what: String) throws(DNSError) -> UInt16 {
        guard remaining >= 2 else { throw DNSError.truncated(what) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }
    mutating func u32(_ what: String) throws(DNSError) -> UInt32 {
        UInt32(try u16(what)) << 16 | UInt32(try u16(what))
    }
    mutating func take(_ n: Int, _ what: String) throws(DNSError) -> [UInt8] {
        guard n >= 0, remaining >= n else { throw DNSError.truncated(what) }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// A name at the cursor. Pointers must point backwards (to an earlier offset than the one
    /// they are read at), which rules out loops; the expanded name keeps RFC 1035's limits.
    mutating func name() throws(DNSError) -> DNSName {
        var labels: [[UInt8]] = []
        var length = 1
        var at = offset
        var jumped = false
        var limit = at
        while true {
            guard at < bytes.count else { throw DNSError.truncated("name") }
            let b = bytes[at]
            switch b & 0xC0 {
            case 0x00:
                if b == 0 {
                    if !jumped { offset = at + 1 }
                    return DNSName(uncheckedLabels: labels)
                }
                let n = Int(b)
                guard at + 1 + n <= bytes.count else { throw DNSError.truncated("label") }
                length += 1 + n
                guard length <= DNSName.wireOctetsMax else { throw DNSError.malformed("name longer than 255 octets") }
                labels.append(Array(bytes[at + 1...at + n]))
                at += 1 + n
            case 0xC0:
                guard at + 1 < bytes.count else { throw DNSError.truncated("compression pointer") }
                let target = Int(b & 0x3F) << 8 | Int(bytes[at + 1])
                guard target < limit else { throw DNSError.malformed("compression pointer does not point backwards") }
                if !jumped { offset = at + 2 }
                jumped = true
                limit = target
                at = target
            default:
                throw DNSError.malformed("unsupported label type 0x\(String(b >> 6, radix: 16))")
            }
        }
    }

    mutating func record() throws(DNSError) -> DNSRecord {
        let name = try name()
        let type = DNSType(rawValue: try u16("record"))
        let cls = DNSClass(rawValue: try u16("record"))
        let ttl = try u32("record")
        let length = Int(try u16("record"))
        guard remaining >= length else { throw DNSError.truncated("record data of \(name)") }
        let end = offset + length
        let data: DNSRData
        switch type {
        case .a where length == 4:
            data = .a(IPv4Address(try u32("A")))
        case .aaaa where length == 16:
            data = .aaaa(IPv6Address(bytes: try take(16, "AAAA")))
        case .ptr where length > 0, .cname where length > 0, .ns where length > 0:
            data = .name(try self.name())
        case .tsig:
            let algorithm = try self.name()
            let high = UInt64(try u16("TSIG time"))
            let low = UInt64(try u32("TSIG time"))
            let fudge = try u16("TSIG fudge")
            let macLength = Int(try u16("TSIG MAC size"))
            let mac = try take(macLength, "TSIG MAC")
            let original = try u16("TSIG original id")
            let error = DNSRcode(rawValue: try u16("TSIG error"))
            let otherLength = Int(try u16("TSIG other length"))
            let other = try take(otherLength, "TSIG other data")
            data = .tsig(TSIGData(algorithm: algorithm, timeSigned: high << 32 | low, fudge: fudge, mac: mac,
                                  originalID: original, error: error, other: other))
        default:
            data = .raw(try take(length, "record data"))
        }
        guard offset == end else { throw DNSError.malformed("record data of \(name) does not match its length") }
        return DNSRecord(name: name, type: type, rrClass: cls, ttl: ttl, data: data)
    }
}
