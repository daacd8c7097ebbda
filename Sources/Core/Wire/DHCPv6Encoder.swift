extension DHCPv6Message {
    /// Encodes the message. A decoded message encodes to the bytes it came from; a relay
    /// message writes its relayed message into the Relay Message option at
    /// `relayMessagePosition` (or after its other options).
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        switch self {
        case .client(let m): m.write(into: &out)
        case .relay(let r): r.write(into: &out)
        }
    }
}

extension DHCPv6ClientMessage {
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        out.reserveCapacity(out.count + Self.headerLength + options.encodedSize)
        out.append(messageType.code)
        out.append(UInt8(truncatingIfNeeded: transactionID >> 16))
        out.append(UInt8(truncatingIfNeeded: transactionID >> 8))
        out.append(UInt8(truncatingIfNeeded: transactionID))
        options.write(into: &out)
    }
}

extension DHCPv6RelayMessage {
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out)
        return out
    }

    func write(into out: inout [UInt8]) {
        out.append(messageType.code)
        out.append(hopCount)
        linkAddress.append(to: &out)
        peerAddress.append(to: &out)
        let inner = relayedMessage.encode()
        let position = min(relayMessagePosition ?? options.count, options.count)
        for (i, entry) in options.entries.enumerated() {
            if i == position { DHCPv6Options.writeOption(DHCPv6Option.relayMsg.code, inner, into: &out) }
            DHCPv6Options.writeOption(entry.code, entry.data, into: &out)
        }
        if position == options.count { DHCPv6Options.writeOption(DHCPv6Option.relayMsg.code, inner, into: &out) }
    }
}
