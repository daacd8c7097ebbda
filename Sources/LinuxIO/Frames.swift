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
        // Read through one buffer pointer: this runs for every datagram a raw socket takes.
        return b.withUnsafeBufferPointer { p -> UDPDatagram? in
            func u16(_ at: Int) -> UInt16 { UInt16(p[at]) << 8 | UInt16(p[at + 1]) }
            func v4(_ at: Int) -> IPv4Address {
                IPv4Address(UInt32(p[at]) << 24 | UInt32(p[at + 1]) << 16 | UInt32(p[at + 2]) << 8 | UInt32(p[at + 3]))
            }
            let e = ethernetHeaderBytes
            guard n >= e + ipv4HeaderBytes + udpHeaderBytes, p[12] == 0x08, p[13] == 0x00, p[e] >> 4 == 4 else { return nil }
            let ihl = Int(p[e] & 0x0F) * 4
            let total = Int(u16(e + 2))
            guard ihl >= ipv4HeaderBytes, total >= ihl + udpHeaderBytes, e + total <= n else { return nil }
            // More-fragments flag or a fragment offset: a piece of a datagram, never a whole one.
            // (The socket's BPF filter already drops non-first fragments.)
            guard u16(e + 6) & 0x3FFF == 0, p[e + 9] == 17 else { return nil }
            let u = e + ihl
            guard u16(u + 2) == serverPort else { return nil }
            let ulen = Int(u16(u + 4))
            guard ulen >= udpHeaderBytes, ulen <= total - ihl else { return nil }
            return UDPDatagram(payload: Array(UnsafeBufferPointer(rebasing: p[(u + udpHeaderBytes)..<(u + ulen)])),
                               source: v4(e + 12), sourcePort: u16(u), destination: v4(e + 16),
                               sourceMAC: Array(UnsafeBufferPointer(rebasing: p[6..<12])))
        }
    }

    /// One Ethernet frame carrying `payload` in UDP in IPv4: TOS 0x10 (low delay, as Kea),
    /// no IP options, ID 0, no DF, TTL 64, both checksums filled in. A source MAC shorter than
    /// six bytes is sent as zeros.
    static func build(payload: [UInt8], srcMAC: [UInt8], dstMAC: [UInt8], source: IPv4Address,
                      destination: IPv4Address, sourcePort: UInt16, destinationPort: UInt16) -> [UInt8] {
        let e = ethernetHeaderBytes, ipBytes = ipv4HeaderBytes, u = ethernetHeaderBytes + ipv4HeaderBytes
        let ulen = udpHeaderBytes + payload.count
        let total = e + ipBytes + ulen
        // Written in place into one allocation: this runs for every reply a raw socket sends.
        return [UInt8](unsafeUninitializedCapacity: total) { f, initialized in
            func put16(_ v: Int, _ at: Int) { f[at] = UInt8(truncatingIfNeeded: v >> 8); f[at + 1] = UInt8(truncatingIfNeeded: v) }
            func put32(_ v: UInt32, _ at: Int) {
                f[at] = UInt8(v >> 24); f[at + 1] = UInt8(truncatingIfNeeded: v >> 16)
                f[at + 2] = UInt8(truncatingIfNeeded: v >> 8); f[at + 3] = UInt8(truncatingIfNeeded: v)
            }
            for i in 0..<6 { f[i] = i < dstMAC.count ? dstMAC[i] : 0 }
            for i in 0..<6 { f[6 + i] = srcMAC.count >= 6 ? srcMAC[i] : 0 }
            f[12] = 0x08; f[13] = 0x00
            // IPv4: version 4, IHL 5, TOS 0x10, total length, ID 0, no DF, TTL 64, UDP.
            f[e] = 0x45; f[e + 1] = 0x10
            put16(ipBytes + ulen, e + 2)
            for i in 4..<8 { f[e + i] = 0 }
            f[e + 8] = 64; f[e + 9] = 17; f[e + 10] = 0; f[e + 11] = 0
            put32(source.value, e + 12)
            put32(destination.value, e + 16)
            let ipSum = Checksum.ones(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: f[e..<u])))
            put16(Int(ipSum), e + 10)
            put16(Int(sourcePort), u); put16(Int(destinationPort), u + 2); put16(ulen, u + 4); f[u + 6] = 0; f[u + 7] = 0
            payload.withUnsafeBufferPointer { src in
                if let base = src.baseAddress { (f.baseAddress! + u + udpHeaderBytes).update(from: base, count: src.count) }
            }
            let udpSum = Checksum.udp(source: source, destination: destination,
                                      segment: UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: f[u..<total])))
            put16(Int(udpSum), u + 6)
            initialized = total
        }
    }

    private static func be16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) << 8 | UInt16(b[at + 1]) }
}

/// The Internet checksum (RFC 1071) and its UDP use (RFC 768).
enum Checksum {
    /// One's complement of the one's complement sum of 16-bit big-endian words; an odd last
    /// byte is padded with a zero byte. Over a header that holds its own checksum, the result is 0.
    static func ones(_ b: [UInt8]) -> UInt16 { b.withUnsafeBytes { ones($0) } }

    static func ones(_ b: UnsafeRawBufferPointer) -> UInt16 {
        var sum: UInt32 = 0
        add(b, to: &sum)
        return fold(sum)
    }

    /// Adds `b`'s 16-bit big-endian words to `sum` (an odd last byte padded with zero).
    static func add(_ b: UnsafeRawBufferPointer, to sum: inout UInt32) {
        // Four bytes a step (two words), into a 64-bit accumulator that cannot overflow for any
        // datagram; folded back to 32 bits at the end.
        var wide: UInt64 = UInt64(sum)
        var i = 0
        let n = b.count
        while i + 4 <= n {
            let w = UInt32(bigEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
            wide &+= UInt64(w >> 16) &+ UInt64(w & 0xFFFF)
            i += 4
        }
        while i + 1 < n { wide &+= UInt64(b[i]) << 8 | UInt64(b[i + 1]); i += 2 }
        if i < n { wide &+= UInt64(b[i]) << 8 }
        while wide >> 32 != 0 { wide = (wide & 0xFFFF_FFFF) &+ (wide >> 32) }
        sum = UInt32(wide)
    }

    static func fold(_ s: UInt32) -> UInt16 {
        var sum = UInt64(s)
        while sum >> 16 != 0 { sum = (sum & 0xFFFF) + (sum >> 16) }
        return ~UInt16(truncatingIfNeeded: sum)
    }

    /// The UDP checksum over the IPv4 pseudo-header (source, destination, zero, protocol 17, UDP
    /// length) and the whole UDP segment (header with a zero checksum field, then the payload).
    /// A computed 0 is sent as 0xFFFF, since 0 means "no checksum".
    static func udp(source: IPv4Address, destination: IPv4Address, segment: UnsafeRawBufferPointer) -> UInt16 {
        var sum: UInt32 = (source.value >> 16) + (source.value & 0xFFFF) + (destination.value >> 16)
            + (destination.value & 0xFFFF) + 17 + UInt32(segment.count)
        add(segment, to: &sum)
        let folded = fold(sum)
        return folded == 0 ? 0xFFFF : folded
    }
}
