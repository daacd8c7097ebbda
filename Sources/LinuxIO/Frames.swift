import KakapoCore

/// Ethernet II + IPv4 + UDP framing for the AF_PACKET socket. RawSocket moves the bytes; this
/// builds and parses them, as pure functions, so both halves are tested without a socket.
enum EthernetFrame {
    static let ethernetHeaderBytes = 14
    static let ipv4HeaderBytes = 20
    static let udpHeaderBytes = 8

    /// The UDP datagram carried by a received frame.
    struct UDPDatagram: Equatable {
        var payload: [UInt8]
        var source: IPv4Address
        var sourcePort: UInt16
        var destination: IPv4Address
        /// The frame's Ethernet source: where a reply to this datagram is sent at layer 2.
        var sourceMAC: [UInt8] = []
    }

    /// Parses the first `count` bytes of `b` (the receive buffer is larger than the frame).
    /// Returns nil unless the frame is a whole, unfragmented IPv4/UDP datagram to `serverPort`
    /// whose IPv4 and UDP lengths fit the frame; Ethernet padding after the datagram is ignored.
    /// Checksums are not verified (Kea does not either; the sender's NIC may leave them partial).
    static func parse(_ b: [UInt8], count n: Int, serverPort: UInt16) -> UDPDatagram? {
        precondition(n <= b.count, "count \(n) past the buffer (\(b.count))")
        let e = ethernetHeaderBytes
        guard n >= e + ipv4HeaderBytes + udpHeaderBytes, b[12] == 0x08, b[13] == 0x00, b[e] >> 4 == 4 else { return nil }
        let ihl = Int(b[e] & 0x0F) * 4
        let total = Int(be16(b, e + 2))
        guard ihl >= ipv4HeaderBytes, total >= ihl + udpHeaderBytes, e + total <= n else { return nil }
        // More-fragments flag or a fragment offset: a piece of a datagram, never a whole one.
        // (The socket's BPF filter already drops non-first fragments.)
        guard be16(b, e + 6) & 0x3FFF == 0, b[e + 9] == 17 else { return nil }
        let u = e + ihl
        guard be16(b, u + 2) == serverPort else { return nil }
        let ulen = Int(be16(b, u + 4))
        guard ulen >= udpHeaderBytes, ulen <= total - ihl else { return nil }
        return UDPDatagram(payload: Array(b[(u + udpHeaderBytes)..<(u + ulen)]),
                           source: IPv4Address(bytes: b[(e + 12)..<(e + 16)]), sourcePort: be16(b, u),
                           destination: IPv4Address(bytes: b[(e + 16)..<(e + 20)]), sourceMAC: Array(b[6..<12]))
    }

    /// One Ethernet frame carrying `payload` in UDP in IPv4: TOS 0x10 (low delay, as Kea),
    /// no IP options, ID 0, no DF, TTL 64, both checksums filled in. A source MAC shorter than
    /// six bytes is sent as zeros.
    static func build(payload: [UInt8], srcMAC: [UInt8], dstMAC: [UInt8], source: IPv4Address,
                      destination: IPv4Address, sourcePort: UInt16, destinationPort: UInt16) -> [UInt8] {
        var f: [UInt8] = []
        f.reserveCapacity(ethernetHeaderBytes + ipv4HeaderBytes + udpHeaderBytes + payload.count)
        f.append(contentsOf: dstMAC.prefix(6))
        f.append(contentsOf: srcMAC.count >= 6 ? Array(srcMAC.prefix(6)) : [0, 0, 0, 0, 0, 0])
        f.append(contentsOf: [0x08, 0x00])
        let total = ipv4HeaderBytes + udpHeaderBytes + payload.count
        var ip: [UInt8] = [0x45, 0x10, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0, 0, 64, 17, 0, 0]
        ip.append(contentsOf: source.bytes)
        ip.append(contentsOf: destination.bytes)
        let sum = Checksum.ones(ip)
        ip[10] = UInt8(sum >> 8); ip[11] = UInt8(sum & 0xFF)
        f.append(contentsOf: ip)
        let ulen = udpHeaderBytes + payload.count
        var udp: [UInt8] = [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xFF), UInt8(destinationPort >> 8),
                            UInt8(destinationPort & 0xFF), UInt8(ulen >> 8), UInt8(ulen & 0xFF), 0, 0]
        let csum = Checksum.udp(source: source, destination: destination, header: udp, payload: payload)
        udp[6] = UInt8(csum >> 8); udp[7] = UInt8(csum & 0xFF)
        f.append(contentsOf: udp)
        f.append(contentsOf: payload)
        return f
    }

    private static func be16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) << 8 | UInt16(b[at + 1]) }
}

/// The Internet checksum (RFC 1071) and its UDP use (RFC 768).
enum Checksum {
    /// One's complement of the one's complement sum of 16-bit big-endian words; an odd last
    /// byte is padded with a zero byte. Over a header that holds its own checksum, the result is 0.
    static func ones(_ b: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < b.count { sum += UInt32(b[i]) << 8 | UInt32(b[i + 1]); i += 2 }
        if i < b.count { sum += UInt32(b[i]) << 8 }
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// The UDP checksum over the IPv4 pseudo-header (source, destination, zero, protocol 17, UDP
    /// length), the UDP header (`header`, its checksum field zero) and the payload. A computed 0
    /// is sent as 0xFFFF, since 0 means "no checksum".
    static func udp(source: IPv4Address, destination: IPv4Address, header: [UInt8], payload: [UInt8]) -> UInt16 {
        let ulen = header.count + payload.count
        var pseudo = source.bytes + destination.bytes + [0, 17, UInt8(ulen >> 8), UInt8(ulen & 0xFF)]
        pseudo.append(contentsOf: header)
        pseudo.append(contentsOf: payload)
        let sum = ones(pseudo)
        return sum == 0 ? 0xFFFF : sum
    }
}
