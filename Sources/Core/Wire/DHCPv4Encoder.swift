extension DHCPv4Message {
    /// Encodes the message. Options are written in `options` order (the engine puts 53 and 54
    /// first). An option longer than 255 bytes is split into consecutive instances (RFC 3396).
    /// When the options do not fit in `maxSize` (the client's option 57, or 576), the ones that
    /// do not fit go into `file` and then `sname` with option 52 (RFC 2131 §4.1), provided those
    /// fields are empty; what still does not fit is left out, so the reply never exceeds maxSize.
    /// The result is padded to the 300-byte BOOTP minimum.
    public func encode(maxSize: Int = DHCPv4Message.defaultMaxMessageSize) -> [UInt8] {
        // IP (20) and UDP (8) headers count against the client's maximum datagram size.
        let budget = max(maxSize, DHCPv4Message.defaultMaxMessageSize) - 28
        if let fast = encodeWithoutOverload(budget: budget) { return fast }
        let chunks = options.entries.map { DHCPv4Message.encodeOption($0.code, $0.data) }
        let mainRoom = budget - (DHCPv4Message.headerLength + 4) - 1 - 3  // END and room for option 52
        var main: [[UInt8]] = []
        var fileArea: [[UInt8]] = []
        var snameArea: [[UInt8]] = []
        var used = 0, fileUsed = 0, snameUsed = 0
        let canUseFile = file.isEmpty, canUseSname = sname.isEmpty
        for chunk in chunks {
            if used + chunk.count <= mainRoom {
                main.append(chunk); used += chunk.count
            } else if canUseFile && fileUsed + chunk.count <= 127 {
                fileArea.append(chunk); fileUsed += chunk.count
            } else if canUseSname && snameUsed + chunk.count <= 63 {
                snameArea.append(chunk); snameUsed += chunk.count
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(max(DHCPv4Message.minimumLength, 244 + used + 8))
        writeHeader(into: &out, fileOptions: fileArea.isEmpty ? nil : fileArea,
                    snameOptions: snameArea.isEmpty ? nil : snameArea)
        out.appendU32(DHCPv4Message.magicCookie)
        let overload: UInt8 = (fileArea.isEmpty ? 0 : 1) | (snameArea.isEmpty ? 0 : 2)
        if overload != 0 { out.append(contentsOf: [DHCPv4Option.dhcpOptionOverload.code, 1, overload]) }
        for chunk in main { out.append(contentsOf: chunk) }
        out.append(DHCPv4Options.endCode)
        if out.count < DHCPv4Message.minimumLength {
            out.append(contentsOf: repeatElement(0, count: DHCPv4Message.minimumLength - out.count))
        }
        return out
    }

    /// The common case: every option is short and everything fits in the options field.
    private func encodeWithoutOverload(budget: Int) -> [UInt8]? {
        guard let needed = options.shortEncodedSize,
              DHCPv4Message.headerLength + 4 + needed + 1 <= budget else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(max(DHCPv4Message.minimumLength, DHCPv4Message.headerLength + 5 + needed))
        writeHeader(into: &out, fileOptions: nil, snameOptions: nil)
        out.appendU32(DHCPv4Message.magicCookie)
        options.writeShort(into: &out)
        out.append(DHCPv4Options.endCode)
        if out.count < DHCPv4Message.minimumLength {
            out.append(contentsOf: repeatElement(0, count: DHCPv4Message.minimumLength - out.count))
        }
        return out
    }

    /// code, length, data; split into 255-byte instances when longer.
    static func encodeOption(_ code: UInt8, _ data: [UInt8]) -> [UInt8] {
        if data.isEmpty { return [code, 0] }
        var out: [UInt8] = []
        out.reserveCapacity(data.count + 2 * (data.count / 255 + 1))
        var start = 0
        while start < data.count {
            let n = min(255, data.count - start)
            out.append(code)
            out.append(UInt8(n))
            out.append(contentsOf: data[start..<start + n])
            start += n
        }
        return out
    }

    private func writeHeader(into out: inout [UInt8], fileOptions: [[UInt8]]?, snameOptions: [[UInt8]]?) {
        out.append(op)
        out.append(htype)
        out.append(hlen)
        out.append(hops)
        out.appendU32(xid)
        out.appendU16(secs)
        out.appendU16(flags)
        out.appendU32(ciaddr.value)
        out.appendU32(yiaddr.value)
        out.appendU32(siaddr.value)
        out.appendU32(giaddr.value)
        DHCPv4Message.appendField(chaddr, length: 16, into: &out)
        DHCPv4Message.appendField(snameOptions.map { $0.flatMap { $0 } + [DHCPv4Options.endCode] } ?? sname, length: 64, into: &out)
        DHCPv4Message.appendField(fileOptions.map { $0.flatMap { $0 } + [DHCPv4Options.endCode] } ?? file, length: 128, into: &out)
    }

    /// Writes exactly `length` bytes: the field truncated or zero-padded.
    static func appendField(_ bytes: [UInt8], length: Int, into out: inout [UInt8]) {
        let n = min(bytes.count, length)
        out.append(contentsOf: bytes[0..<n])
        if n < length { out.append(contentsOf: repeatElement(0, count: length - n)) }
    }
}
