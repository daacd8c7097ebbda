/// Why DHCPv6 bytes could not be decoded. Each case is a counted drop (pkt6-parse-failed),
/// never a crash: decoding is total over all byte strings.
public enum DHCPv6DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the fixed header of its layout (4 octets, or 34 for a relay message).
    case truncatedHeader(length: Int, needed: Int)
    /// One to three octets left where an option's four-octet header should be.
    case truncatedOptionHeader(remaining: Int)
    /// An option's length runs past the end of the message or option that holds it.
    case optionOverrun(code: UInt16, length: Int, available: Int)
    /// More relay headers than `DHCPv6Message.relayNestingLimit`.
    case relayNestingTooDeep(limit: Int)
    /// A relay message without a Relay Message option (RFC 8415 §9); `depth` 1 is the outermost.
    case missingRelayMessage(depth: Int)
    /// A relay message with more than one Relay Message option.
    case duplicateRelayMessage(depth: Int)
    /// An option of fixed size with another, or a container (IA_NA, IAADDR, status code, …)
    /// shorter than its fixed part.
    case badOptionLength(code: UInt16, length: Int)
    /// An IAPREFIX whose prefix-length is over 128.
    case badPrefixLength(UInt8)
    /// Opaque-data items (user class, vendor class) whose lengths do not add up.
    case malformedOpaqueData(code: UInt16)

    public var description: String {
        switch self {
        case .truncatedHeader(let n, let needed): "truncated DHCPv6 message: \(n) bytes, need at least \(needed)"
        case .truncatedOptionHeader(let n): "truncated option header: \(n) bytes left, need 4"
        case .optionOverrun(let code, let length, let available):
            "option \(code) with length \(length) runs past the end (\(available) bytes left)"
        case .relayNestingTooDeep(let limit): "relay messages nested more than \(limit) deep"
        case .missingRelayMessage(let depth): "relay message at depth \(depth) has no relay-msg option"
        case .duplicateRelayMessage(let depth): "relay message at depth \(depth) has more than one relay-msg option"
        case .badOptionLength(let code, let length): "option \(code) has invalid length \(length)"
        case .badPrefixLength(let n): "IA prefix length \(n) is over 128"
        case .malformedOpaqueData(let code): "option \(code) has malformed opaque-data items"
        }
    }
}

extension DHCPv6Message {
    /// Decodes a datagram's payload: a client/server message, or relay messages nested up to
    /// `relayNestingLimit` deep around one. The options of every level are checked: framing,
    /// and the sizes of the options this codec types (IA_NA/IA_TA/IA_PD with their IAADDR,
    /// IAPREFIX and status code options, ORO, preference, elapsed time, unicast, …), as Kea's
    /// option classes check them when it unpacks a packet. Other options are kept as bytes.
    public static func decode(_ bytes: [UInt8]) -> Result<DHCPv6Message, DHCPv6DecodeError> {
        decode(bytes, depth: 0)
    }

    /// `depth` is the number of relay headers around `bytes`.
    static func decode(_ bytes: [UInt8], depth: Int) -> Result<DHCPv6Message, DHCPv6DecodeError> {
        guard let first = bytes.first else { return .failure(.truncatedHeader(length: 0, needed: DHCPv6ClientMessage.headerLength)) }
        let type = DHCPv6MessageType(code: first)
        if type.isRelay { return decodeRelay(bytes, type: type, depth: depth + 1) }
        guard bytes.count >= DHCPv6ClientMessage.headerLength else {
            return .failure(.truncatedHeader(length: bytes.count, needed: DHCPv6ClientMessage.headerLength))
        }
        let xid = UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        switch parseOptions(bytes, from: DHCPv6ClientMessage.headerLength, to: bytes.count) {
        case .failure(let e): return .failure(e)
        case .success(let options):
            do throws(DHCPv6DecodeError) { try validate(options, depth: 0) } catch { return .failure(error) }
            return .success(.client(DHCPv6ClientMessage(messageType: type, transactionID: xid, options: options)))
        }
    }

    /// A relay message at `depth` (1 for the outermost).
    private static func decodeRelay(_ bytes: [UInt8], type: DHCPv6MessageType, depth: Int) -> Result<DHCPv6Message, DHCPv6DecodeError> {
        guard depth <= relayNestingLimit else { return .failure(.relayNestingTooDeep(limit: relayNestingLimit)) }
        guard bytes.count >= DHCPv6RelayMessage.headerLength else {
            return .failure(.truncatedHeader(length: bytes.count, needed: DHCPv6RelayMessage.headerLength))
        }
        let hopCount = bytes[1]
        let link = IPv6Address(bytes: bytes[2..<18])
        let peer = IPv6Address(bytes: bytes[18..<34])
        let all: DHCPv6Options
        switch parseOptions(bytes, from: DHCPv6RelayMessage.headerLength, to: bytes.count) {
        case .failure(let e): return .failure(e)
        case .success(let o): all = o
        }
        let relayMsg = DHCPv6Option.relayMsg.code
        guard let position = all.entries.firstIndex(where: { $0.code == relayMsg }) else {
            return .failure(.missingRelayMessage(depth: depth))
        }
        guard all.entries.lastIndex(where: { $0.code == relayMsg }) == position else {
            return .failure(.duplicateRelayMessage(depth: depth))
        }
        var others = all
        others.removeAll(relayMsg)
        do throws(DHCPv6DecodeError) { try validate(others, depth: 0) } catch { return .failure(error) }
        // Recursion is bounded by relayNestingLimit (checked above).
        switch decode(all.entries[position].data, depth: depth) {
        case .failure(let e): return .failure(e)
        case .success(let inner):
            return .success(.relay(DHCPv6RelayMessage(
                direction: type == .relayForward ? .forward : .reply, hopCount: hopCount,
                linkAddress: link, peerAddress: peer, options: others, relayedMessage: inner,
                relayMessagePosition: position)))
        }
    }

    /// Frames the options in `bytes[start..<end]`: each is code, length, data, and must fit.
    static func parseOptions(_ bytes: [UInt8], from start: Int, to end: Int) -> Result<DHCPv6Options, DHCPv6DecodeError> {
        var c = ByteCursor(bytes, from: start, to: end)
        var entries: [DHCPv6Options.Entry] = []
        // Room for the options there can be (four octets each at least), up to a typical count.
        entries.reserveCapacity(min((end - start) / DHCPv6Options.optionHeaderLength, 12))
        // Bounded: every option consumes at least its four header octets.
        while !c.isAtEnd {
            guard c.remaining >= DHCPv6Options.optionHeaderLength else {
                return .failure(.truncatedOptionHeader(remaining: c.remaining))
            }
            let code = c.u16()!, length = Int(c.u16()!)  // four octets checked above
            guard let data = c.take(length) else {
                return .failure(.optionOverrun(code: code, length: length, available: c.remaining))
            }
            entries.append(DHCPv6Options.Entry(code: code, data: Array(data)))
        }
        return .success(DHCPv6Options(entries))
    }

    /// How deep `validate` follows containers: a message's IA (depth 0), the IA's IAADDR or
    /// IAPREFIX (1), and their status code (2), the deepest nesting RFC 8415 defines.
    static let validationDepthLimit = 3

    /// Checks the options this codec types. Containers' own options are framed by their parse
    /// and checked in turn, down to `validationDepthLimit`.
    static func validate(_ options: DHCPv6Options, depth: Int) throws(DHCPv6DecodeError) {
        guard depth < validationDepthLimit else { return }
        for entry in options {
            guard let option = DHCPv6Option(rawValue: entry.code) else { continue }
            let data = entry.data
            switch option {
            case .iaNa, .iaPd: try validate(DHCPv6IA.parse(data, code: option.code).options, depth: depth + 1)
            case .iaTa: try validate(DHCPv6TemporaryIA.parse(data).options, depth: depth + 1)
            case .iaaddr: try validate(DHCPv6IAAddress.parse(data).options, depth: depth + 1)
            case .iaprefix: try validate(DHCPv6IAPrefix.parse(data).options, depth: depth + 1)
            case .statusCode: _ = try DHCPv6Status.parse(data)
            case .vendorClass, .vendorOpts: _ = try DHCPv6VendorData.parse(data, code: option.code)
            case .oro: try requireLength(data.count % 2 == 0, option, data)
            case .preference, .reconfMsg: try requireLength(data.count == 1, option, data)
            case .elapsedTime: try requireLength(data.count == 2, option, data)
            case .unicast: try requireLength(data.count == 16, option, data)
            case .rapidCommit, .reconfAccept: try requireLength(data.isEmpty, option, data)
            case .clientid, .serverid, .relayMsg, .userClass, .interfaceId, .clientFqdn: continue
            }
        }
    }

    private static func requireLength(_ ok: Bool, _ option: DHCPv6Option, _ data: [UInt8]) throws(DHCPv6DecodeError) {
        if !ok { throw .badOptionLength(code: option.code, length: data.count) }
    }
}
