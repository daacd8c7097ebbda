/// Why a datagram could not be decoded. Each case is a counted drop (pkt4-parse-failed), never a
/// crash: decoding is total over all byte strings.
public enum DHCPv4DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Shorter than the fixed BOOTP header plus magic cookie.
    case truncatedHeader(length: Int)
    case badMagicCookie(UInt32)
    /// hlen larger than the 16-byte chaddr field.
    case badHardwareLength(UInt8)
    /// An option's length runs past the end of the area that holds it.
    case optionOverrun(code: UInt8, area: OptionArea)
    /// An option code byte with no room for its length byte.
    case missingOptionLength(code: UInt8, area: OptionArea)
    /// Option 52 with a value other than 1, 2 or 3, or not one byte long.
    case badOverloadValue([UInt8])
    /// An option whose content its definition refuses (option 81, Client FQDN: too short, N
    /// and S both set, or a malformed name). Found by the engine, which knows the compatibility
    /// settings (Kea 2.4's `lenient-option-parsing` skips such an option instead).
    case malformedOption(code: UInt8)

    public enum OptionArea: String, Sendable { case options, file, sname }

    public var description: String {
        switch self {
        case .truncatedHeader(let n): "truncated packet: \(n) bytes, need at least 240"
        case .badMagicCookie(let c): "invalid magic cookie 0x\(String(c, radix: 16))"
        case .badHardwareLength(let h): "hardware address length \(h) exceeds 16"
        case .optionOverrun(let code, let area): "option \(code) in \(area.rawValue) runs past the end of the field"
        case .missingOptionLength(let code, let area): "option \(code) in \(area.rawValue) has no length byte"
        case .badOverloadValue(let v): "invalid option overload value \(HexText.plain(v))"
        case .malformedOption(let code): "option \(code) is malformed"
        }
    }
}

extension DHCPv4Message {
    /// Decodes a datagram. RFC 2131 §4.1 option overload (52) pulls options out of file then
    /// sname; RFC 3396 joins repeated instances of one option in the order they appear.
    public static func decode(_ bytes: [UInt8]) -> Result<DHCPv4Message, DHCPv4DecodeError> {
        guard bytes.count >= headerLength + 4 else { return .failure(.truncatedHeader(length: bytes.count)) }
        var c = ByteCursor(bytes)
        var m = DHCPv4Message()
        // The header is fixed-size and its length was checked above, so these reads cannot fail.
        m.op = c.u8()!
        m.htype = c.u8()!
        m.hlen = c.u8()!
        m.hops = c.u8()!
        m.xid = c.u32()!
        m.secs = c.u16()!
        m.flags = c.u16()!
        m.ciaddr = IPv4Address(c.u32()!)
        m.yiaddr = IPv4Address(c.u32()!)
        m.siaddr = IPv4Address(c.u32()!)
        m.giaddr = IPv4Address(c.u32()!)
        guard m.hlen <= 16 else { return .failure(.badHardwareLength(m.hlen)) }
        m.chaddr = Array(c.take(16)!)
        let snameRaw = c.take(64)!
        let fileRaw = c.take(128)!
        let cookie = c.u32()!
        guard cookie == magicCookie else { return .failure(.badMagicCookie(cookie)) }

        var options = DHCPv4Options(sharing: bytes)
        if let error = parseOptions(bytes, from: headerLength + 4, to: bytes.count, area: .options, into: &options) {
            return .failure(error)
        }
        var overload: UInt8 = 0
        if options.contains(DHCPv4Option.dhcpOptionOverload) {
            guard let v = options.u8(DHCPv4Option.dhcpOptionOverload), (1...3).contains(v) else {
                return .failure(.badOverloadValue(options[DHCPv4Option.dhcpOptionOverload] ?? []))
            }
            overload = v
        }
        if overload & 1 != 0 {
            if let e = parseOptions(bytes, from: 108, to: 236, area: .file, into: &options) { return .failure(e) }
        } else {
            m.file = trimmedField(fileRaw)
        }
        if overload & 2 != 0 {
            if let e = parseOptions(bytes, from: 44, to: 108, area: .sname, into: &options) { return .failure(e) }
        } else {
            m.sname = trimmedField(snameRaw)
        }
        // Option 52 means something only in the options field (RFC 2131 §4.1): an instance in
        // file or sname is not joined to it (it would turn a valid overload value into two octets).
        if overload != 0, options.length(DHCPv4Option.dhcpOptionOverload.code) != 1 {
            options[DHCPv4Option.dhcpOptionOverload.code] = [overload]
        }
        m.options = options
        return .success(m)
    }

    /// A NUL-terminated text field without its padding.
    static func trimmedField(_ raw: ArraySlice<UInt8>) -> [UInt8] {
        if let nul = raw.firstIndex(of: 0) { return Array(raw[raw.startIndex..<nul]) }
        return Array(raw)
    }

    /// Parses one option area. Stops at END (255); a missing END is tolerated, as real clients
    /// and Kea both do, but an option whose length overruns the area is an error.
    static func parseOptions(_ bytes: [UInt8], from start: Int, to end: Int,
                             area: DHCPv4DecodeError.OptionArea,
                             into options: inout DHCPv4Options) -> DHCPv4DecodeError? {
        var c = ByteCursor(bytes, from: start, to: end)
        while let code = c.u8() {
            if code == DHCPv4Options.padCode { continue }
            if code == DHCPv4Options.endCode { return nil }
            guard let length = c.u8() else { return .missingOptionLength(code: code, area: area) }
            guard let data = c.take(Int(length)) else { return .optionOverrun(code: code, area: area) }
            options.join(code: code, start: data.startIndex, count: data.count)
        }
        return nil
    }
}
