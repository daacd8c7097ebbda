/// What a class test can look at, whichever the family: the packet's options, facts about the
/// datagram that carried it, the classes the packet already belongs to (for `member`), and the
/// family's own header fields. One evaluator reads both families through this; the wire
/// layouts that differ (one- or two-octet sub-option codes, vendor options 125/124 or 17/16)
/// follow `family`.
public protocol ClassificationInput: Sendable {
    /// The family of the packet, hence of the expression language (see `OptionTable.Family`).
    static var family: OptionTable.Family { get }
    /// The interface name (`pkt.iface`).
    var interfaceName: String { get }
    /// The datagram's source and destination addresses (`pkt.src`, `pkt.dst`).
    var source: IPAddress { get }
    var destination: IPAddress { get }
    /// The packet's length in bytes (`pkt.len`).
    var packetLength: Int { get }
    /// The classes assigned so far (`member('…')`, `known`, `unknown`).
    var classes: Set<String> { get set }
    /// The option definitions (`option[N].text`, and which options carry sub-options).
    var options: OptionTable { get }
    /// The payload of the message's (first) option `code`, nil when absent.
    func option(_ code: UInt16) -> [UInt8]?
    /// `pkt4.<field>` (DHCPv4; the parser refuses it for DHCPv6).
    func pkt4(_ field: ClassExpression.Pkt4Field) -> [UInt8]
    /// Sub-option `code` of the relay agent information option (DHCPv4).
    func relay4(_ code: UInt8) -> [UInt8]?
    /// `pkt6.<field>` (DHCPv6; the parser refuses it for DHCPv4).
    func pkt6(_ field: ClassExpression.Pkt6Field) -> [UInt8]
    /// Option `code` of relay header `nest` (DHCPv6), nil when absent or past the chain.
    func relay6Option(nest: Int8, code: UInt16) -> [UInt8]?
    /// A field of relay header `nest` (DHCPv6), "" past the chain.
    func relay6Field(nest: Int8, _ field: ClassExpression.Relay6Field) -> [UInt8]
}

/// What a DHCPv4 class test can look at: the decoded message, facts about the datagram that
/// carried it, and the classes the packet already belongs to (for `member`).
public struct ClassificationInput4: ClassificationInput {
    public static var family: OptionTable.Family { .v4 }
    public var message: DHCPv4Message
    /// The receiving interface (`pkt.iface`).
    public var interfaceName: String
    /// The datagram's source and destination addresses (`pkt.src`, `pkt.dst`).
    public var source: IPAddress
    public var destination: IPAddress
    /// The packet's length in bytes (`pkt.len`).
    public var packetLength: Int
    /// The classes assigned so far (`member('…')`, `known`, `unknown`).
    public var classes: Set<String>
    /// The option definitions, for `option[N].text` (decimal rendering of integer options) and
    /// to know which options carry sub-options (`option[N].option[M]`).
    public var options: OptionTable

    public init(
        message: DHCPv4Message, interfaceName: String = "", source: IPAddress = .v4(.zero),
        destination: IPAddress = .v4(.zero), packetLength: Int = 0, classes: Set<String> = [],
        options: OptionTable = .dhcp4
    ) {
        self.message = message
        self.interfaceName = interfaceName
        self.source = source
        self.destination = destination
        self.packetLength = packetLength
        self.classes = classes
        self.options = options
    }

    public func option(_ code: UInt16) -> [UInt8]? {
        code <= 255 ? message.options[UInt8(code)] : nil
    }

    public func pkt4(_ field: ClassExpression.Pkt4Field) -> [UInt8] {
        let m = message
        switch field {
        case .mac: return m.hardwareAddress.bytes
        case .hlen: return ClassExpression.uint32Bytes(UInt32(m.hlen))
        case .htype: return ClassExpression.uint32Bytes(UInt32(m.htype))
        case .ciaddr: return m.ciaddr.bytes
        case .giaddr: return m.giaddr.bytes
        case .yiaddr: return m.yiaddr.bytes
        case .siaddr: return m.siaddr.bytes
        case .msgtype: return ClassExpression.uint32Bytes(UInt32(m.options.u8(DHCPv4Option.dhcpMessageType.code) ?? 0))
        case .transid: return ClassExpression.uint32Bytes(m.xid)
        }
    }

    public func relay4(_ code: UInt8) -> [UInt8]? {
        guard let data = message.options[DHCPv4Option.dhcpAgentOptions.code] else { return nil }
        return SubOptions.first(code, in: data[...]).map { Array($0) }
    }

    /// DHCPv6 fields: none in a DHCPv4 packet (the parser refuses them for DHCPv4).
    public func pkt6(_ field: ClassExpression.Pkt6Field) -> [UInt8] { [] }
    public func relay6Option(nest: Int8, code: UInt16) -> [UInt8]? { nil }
    public func relay6Field(nest: Int8, _ field: ClassExpression.Relay6Field) -> [UInt8] { [] }
}

/// What a DHCPv6 class test can look at: the client's message, the relay headers around it
/// (outermost first, as `relay6[0]` numbers them), facts about the datagram and the classes so far.
public struct ClassificationInput6: ClassificationInput {
    public static var family: OptionTable.Family { .v6 }
    public var message: DHCPv6ClientMessage
    /// The relay-forward headers, outermost (nearest the server) first.
    public var relays: [DHCPv6RelayMessage]
    public var interfaceName: String
    public var source: IPAddress
    public var destination: IPAddress
    public var packetLength: Int
    public var classes: Set<String>
    public var options: OptionTable

    public init(
        message: DHCPv6ClientMessage, relays: [DHCPv6RelayMessage] = [], interfaceName: String = "",
        source: IPAddress = .v6(.unspecified), destination: IPAddress = .v6(.unspecified), packetLength: Int = 0,
        classes: Set<String> = [], options: OptionTable = .dhcp6
    ) {
        self.message = message
        self.relays = relays
        self.interfaceName = interfaceName
        self.source = source
        self.destination = destination
        self.packetLength = packetLength
        self.classes = classes
        self.options = options
    }

    public func option(_ code: UInt16) -> [UInt8]? { message.options[code] }

    /// DHCPv4 fields: none in a DHCPv6 packet (the parser refuses them for DHCPv6).
    public func pkt4(_ field: ClassExpression.Pkt4Field) -> [UInt8] { [] }
    public func relay4(_ code: UInt8) -> [UInt8]? { nil }

    public func pkt6(_ field: ClassExpression.Pkt6Field) -> [UInt8] {
        switch field {
        case .msgtype: ClassExpression.uint32Bytes(UInt32(message.messageType.code))
        case .transid: ClassExpression.uint32Bytes(message.transactionID)
        }
    }

    /// The relay header of a nest level, as Kea's `relay6[…]` tokens find it: 0 the outermost,
    /// -1 the innermost.
    func relay(_ nest: Int8) -> DHCPv6RelayMessage? {
        let index = nest >= 0 ? Int(nest) : relays.count + Int(nest)
        return index >= 0 && index < relays.count ? relays[index] : nil
    }

    public func relay6Option(nest: Int8, code: UInt16) -> [UInt8]? { relay(nest)?.options[code] }

    public func relay6Field(nest: Int8, _ field: ClassExpression.Relay6Field) -> [UInt8] {
        guard let r = relay(nest) else { return [] }
        return field == .peeraddr ? r.peerAddress.bytes : r.linkAddress.bytes
    }
}

extension ClassExpression {
    /// Why a value could not be computed. Kea logs these and the class does not match.
    public enum EvaluationError: Error, Sendable, Equatable {
        /// `addrtotext` of something that is neither empty nor 4 or 16 bytes.
        case notAnAddress(length: Int)
        /// An `…totext` conversion of a value with the wrong byte count.
        case wrongIntegerLength(ClassExpression.IntegerWidth, length: Int)
    }

    /// Whether the packet belongs to the class: the test's result, false when any part of it
    /// cannot be evaluated (as Kea does). A string expression is true only when its value is
    /// the text "true" (Kea's `evaluateBool` on a string expression).
    public func evaluate(_ input: some ClassificationInput) -> Bool {
        let evaluator = ClassExpressionEvaluator(input: input)
        switch root {
        case .condition(let c): return (try? evaluator.condition(c)) ?? false
        case .value(let v): return (try? evaluator.value(v)) == Array("true".utf8)
        }
    }

    /// The expression's value as Kea's `evaluateString` gives it: the bytes of a string
    /// expression, "true" or "false" for a test; or why it could not be computed.
    public func evaluateString(_ input: some ClassificationInput) -> Result<[UInt8], EvaluationError> {
        let evaluator = ClassExpressionEvaluator(input: input)
        do throws(EvaluationError) {
            switch root {
            case .condition(let c): return .success(Array((try evaluator.condition(c) ? "true" : "false").utf8))
            case .value(let v): return .success(try evaluator.value(v))
            }
        } catch {
            return .failure(error)
        }
    }
}

/// Evaluates a tree against one packet of either family. Recursion is bounded by the parser's
/// nesting limit; every byte-string operation is bounds-checked, so no packet traps it.
struct ClassExpressionEvaluator<Input: ClassificationInput> {
    let input: Input
    var family: OptionTable.Family { Input.family }

    typealias Condition = ClassExpression.Condition
    typealias Value = ClassExpression.Value

    func condition(_ c: Condition) throws(ClassExpression.EvaluationError) -> Bool {
        switch c.kind {
        case .equal(let a, let b):
            return try value(a) == value(b)
        case .not(let x):
            return try !condition(x)
        case .and(let x, let y):
            // Kea evaluates both sides (postfix stack); so do we, so an error on the right makes
            // `false and <error>` an error too.
            let l = try condition(x)
            let r = try condition(y)
            return l && r
        case .or(let x, let y):
            let l = try condition(x)
            let r = try condition(y)
            return l || r
        case .optionExists(let code, let sub):
            return optionData(code, sub: sub) != nil
        case .relay4Exists(let code):
            return input.relay4(code) != nil
        case .relay6Exists(let nest, let code):
            return input.relay6Option(nest: nest, code: code) != nil
        case .member(let name):
            return input.classes.contains(name)
        case .vendorExists(let enterprise):
            return vendorBlock(enterprise) != nil
        case .vendorOptionExists(let enterprise, let code):
            guard let block = vendorBlock(enterprise) else { return false }
            return subOption(code, in: block.data) != nil
        case .vendorClassExists(let enterprise):
            return vendorClassBlock(enterprise) != nil
        }
    }

    func value(_ v: Value) throws(ClassExpression.EvaluationError) -> [UInt8] {
        switch v.kind {
        case .string(let b), .hex(let b):
            return b
        case .integer(let n):
            return ClassExpression.uint32Bytes(n)
        case .address(let a):
            return Self.addressBytes(a)
        case .option(let code, let sub, let rep):
            guard let data = optionData(code, sub: sub) else { return [] }
            return rep == .hex || sub != nil ? data : text(ofOption: code, data)
        case .relay4(let code, _):
            return input.relay4(code) ?? []
        case .relay6(let nest, let code, let rep):
            // Kea renders a relay option's text as any option's.
            guard let data = input.relay6Option(nest: nest, code: code) else { return [] }
            return rep == .hex ? data : text(ofOption: code, data)
        case .relay6Field(let nest, let field):
            return input.relay6Field(nest: nest, field)
        case .pkt4(let field):
            return input.pkt4(field)
        case .pkt6(let field):
            return input.pkt6(field)
        case .pkt(let field):
            switch field {
            case .iface: return Array(input.interfaceName.utf8)
            case .src: return Self.addressBytes(input.source)
            case .dst: return Self.addressBytes(input.destination)
            case .len: return ClassExpression.uint32Bytes(UInt32(clamping: input.packetLength))
            }
        case .substring(let x, let start, let length):
            return Self.substring(try value(x), start: Int(start), length: length)
        case .concat(let x, let y):
            return try value(x) + value(y)
        case .ifElse(let c, let x, let y):
            // Kea evaluates all three operands before choosing.
            let cond = try condition(c)
            let a = try value(x)
            let b = try value(y)
            return cond ? a : b
        case .hexString(let x, let separator):
            let bytes = try value(x)
            let sep = try value(separator)
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count * (2 + sep.count))
            for (i, b) in bytes.enumerated() {
                if i > 0 { out.append(contentsOf: sep) }
                out.append(contentsOf: ClassExpressionLexer.hex2(b).utf8)
            }
            return out
        case .split(let x, let delimiters, let field):
            return Self.split(try value(x), delimiters: try value(delimiters), field: Int(field))
        case .addressToText(let x):
            let bytes = try value(x)
            // The ARM: "for all conversion tokens, if the data length is 0, the result string is
            // empty"; other lengths than 4 and 16 are errors.
            switch bytes.count {
            case 0: return []
            case 4: return Array(IPv4Address(bytes: bytes).description.utf8)
            case 16: return Array(Self.ipv6Text(bytes).utf8)
            default: throw .notAnAddress(length: bytes.count)
            }
        case .integerToText(let x, let width):
            return try Self.integerText(try value(x), width)
        case .vendorEnterprise:
            return vendorBlock(nil).map { ClassExpression.uint32Bytes($0.enterprise) } ?? []
        case .vendorOption(let enterprise, let code, _):
            guard let block = vendorBlock(enterprise) else { return [] }
            return subOption(code, in: block.data) ?? []
        case .vendorClassEnterprise:
            return vendorClassBlock(nil).map { ClassExpression.uint32Bytes($0.enterprise) } ?? []
        case .vendorClassData(let enterprise, let index):
            guard vendorClassBlock(enterprise) != nil, let data = input.option(vendorClassCode) else { return [] }
            let items = family == .v4 ? Self.vendorClassItems(data) : Self.vendorClassTuples(data)
            return Int(index) < items.count ? items[Int(index)] : []
        }
    }

    // MARK: - Packet access

    /// An option's payload, or a sub-option's when `sub` is set. Sub-options exist only in an
    /// option whose definition encapsulates a space (43, 82, 44, 56, or one a configuration
    /// defines), because only those does Kea unpack into sub-options; they follow the option's
    /// own value when that has a fixed size (none for 43, 82 and 56; seventeen bytes for 44's
    /// record), else they are read from the start.
    func optionData(_ code: UInt16, sub: UInt16?) -> [UInt8]? {
        guard let data = input.option(code) else { return nil }
        guard let sub else { return data }
        guard let definition = input.options.definition(OptionKey(space: family.topLevelSpace, code: code)),
              definition.encapsulatedSpace != nil else { return nil }
        let fields = definition.type == .record ? definition.recordFields : [definition.type]
        let sizes = fields.compactMap(\.fixedWireSize)
        let skip = sizes.count == fields.count ? sizes.reduce(0, +) : 0
        guard skip <= data.count else { return nil }
        return subOption(sub, in: data[skip...])
    }

    /// Kea's `Option::toString()` for `.text`: integer options in decimal, others as their bytes.
    func text(ofOption code: UInt16, _ data: [UInt8]) -> [UInt8] {
        guard let definition = input.options.definition(OptionKey(space: family.topLevelSpace, code: code)),
              !definition.isArray,
              let width = ClassExpression.IntegerWidth(rawValue: definition.type.rawValue),
              data.count == width.byteCount,
              let text = try? Self.integerText(data, width)
        else { return data }
        return text
    }

    /// The first enterprise block of a vendor option: its enterprise number and what follows
    /// it (DHCPv4, RFC 3925: the data after the length octet; DHCPv6, RFC 8415: the rest of the
    /// option). Nil when absent, malformed, or for another enterprise.
    struct EnterpriseBlock {
        var enterprise: UInt32
        var data: ArraySlice<UInt8>
    }

    func firstBlock(_ data: [UInt8]?, _ enterprise: UInt32?) -> EnterpriseBlock? {
        guard let data, data.count >= 4 else { return nil }
        let id = UInt32(data[0]) << 24 | UInt32(data[1]) << 16 | UInt32(data[2]) << 8 | UInt32(data[3])
        if let enterprise, enterprise != id { return nil }
        guard family == .v4 else { return EnterpriseBlock(enterprise: id, data: data[4...]) }
        guard data.count >= 5 else { return nil }
        let length = Int(data[4])
        guard 5 + length <= data.count else { return nil }
        return EnterpriseBlock(enterprise: id, data: data[5..<(5 + length)])
    }

    /// The vendor-specific information option `vendor[…]` reads: 125 (V-I) or 17.
    var vendorCode: UInt16 { family == .v4 ? 125 : 17 }
    /// The vendor class option `vendor-class[…]` reads: 124 (V-I) or 16.
    var vendorClassCode: UInt16 { family == .v4 ? 124 : 16 }

    func vendorBlock(_ enterprise: UInt32?) -> EnterpriseBlock? {
        firstBlock(input.option(vendorCode), enterprise)
    }

    func vendorClassBlock(_ enterprise: UInt32?) -> EnterpriseBlock? {
        firstBlock(input.option(vendorClassCode), enterprise)
    }

    /// The first sub-option `code` of a list in the family's layout: one-octet code and length
    /// in DHCPv4, two-octet in DHCPv6.
    func subOption(_ code: UInt16, in data: ArraySlice<UInt8>) -> [UInt8]? {
        switch family {
        case .v4: code <= 255 ? SubOptions.first(UInt8(code), in: data).map { Array($0) } : nil
        case .v6: SubOptions.first6(code, in: data).map { Array($0) }
        }
    }

    // MARK: - Byte-string operations

    /// The data items of a V-I vendor class option as Kea 2.4 reads them
    /// (`OptionVendorClass::unpack` for DHCPv4): each enterprise block's whole
    /// `vendor-class-data` is one item, and the enterprise numbers after the first are skipped,
    /// not compared. Reading stops at the first truncated block.
    static func vendorClassItems(_ data: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 4
        // Each pass consumes at least one byte (the length octet).
        while i < data.count {
            let length = Int(data[i])
            guard i + 1 + length <= data.count else { break }
            out.append(Array(data[(i + 1)..<(i + 1 + length)]))
            i += 1 + length
            guard i < data.count else { break }
            i += 4
        }
        return out
    }

    /// The data items of a DHCPv6 vendor class option (16): after the enterprise number, each
    /// item a two-octet length and its bytes (Kea's tuples). Reading stops at a truncated one.
    static func vendorClassTuples(_ data: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var i = 4
        while i + 2 <= data.count {
            let end = i + 2 + (Int(data[i]) << 8 | Int(data[i + 1]))
            guard end <= data.count else { break }
            out.append(Array(data[(i + 2)..<end]))
            i = end
        }
        return out
    }

    /// Kea's `TokenSubstring`: a start past either end gives ""; a negative start counts from
    /// the end; a negative length takes the bytes before the start.
    static func substring(_ bytes: [UInt8], start: Int, length: ClassExpression.SubstringLength) -> [UInt8] {
        let count = bytes.count
        guard count > 0, start >= -count, start < count else { return [] }
        var from = start < 0 ? count + start : start
        var take: Int
        switch length {
        case .all: take = count
        case .count(let n): take = Int(n)
        }
        if take < 0 {
            take = -take
            if take <= from {
                from -= take
            } else {
                take = from
                from = 0
            }
        }
        let to = from + min(take, count - from)
        return Array(bytes[from..<to])
    }

    /// Kea's `TokenSplit`: fields separated by any of the delimiter bytes, numbered from 1;
    /// empty fields count; a field out of range gives "". No delimiters give the whole string.
    static func split(_ bytes: [UInt8], delimiters: [UInt8], field: Int) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        guard !delimiters.isEmpty else { return bytes }
        guard field >= 1 else { return [] }
        var number = 1
        var start = 0
        for (i, b) in bytes.enumerated() where delimiters.contains(b) {
            if number == field { return Array(bytes[start..<i]) }
            number += 1
            start = i + 1
        }
        return number == field ? Array(bytes[start...]) : []
    }

    /// `int8totext` … `uint32totext`: "" for "", an error for any other wrong length.
    static func integerText(_ bytes: [UInt8], _ width: ClassExpression.IntegerWidth)
        throws(ClassExpression.EvaluationError) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        guard bytes.count == width.byteCount else { throw .wrongIntegerLength(width, length: bytes.count) }
        var raw: UInt32 = 0
        for b in bytes { raw = raw << 8 | UInt32(b) }
        let text: String
        switch width {
        case .int8: text = String(Int8(truncatingIfNeeded: raw))
        case .int16: text = String(Int16(truncatingIfNeeded: raw))
        case .int32: text = String(Int32(truncatingIfNeeded: raw))
        case .uint8, .uint16, .uint32: text = String(raw)
        }
        return Array(text.utf8)
    }

    /// IPv6 text as Kea prints it (`inet_ntop`): like `IPv6Address.description`, except that
    /// IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible (`::a.b.c.d`, with a non-zero seventh
    /// group) addresses end in dotted-quad form.
    static func ipv6Text(_ bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "an IPv6 address is 16 bytes")
        let tail = IPv4Address(bytes: bytes[12..<16]).description
        if bytes[0..<10].allSatisfy({ $0 == 0 }) {
            if bytes[10] == 0xFF, bytes[11] == 0xFF { return "::ffff:" + tail }
            if bytes[10] == 0, bytes[11] == 0, bytes[12] != 0 || bytes[13] != 0 { return "::" + tail }
        }
        return IPv6Address(bytes: bytes).description
    }

    static func addressBytes(_ a: IPAddress) -> [UInt8] {
        switch a {
        case .v4(let x): x.bytes
        case .v6(let x): x.bytes
        }
    }
}

extension ClassExpression {
    /// A four-byte integer in network order, as Kea's tokens push them.
    static func uint32Bytes(_ n: UInt32) -> [UInt8] { IPv4Address(n).bytes }
}
