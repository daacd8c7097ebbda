import XCTest
import KakapoCore
@testable import KakapoLinuxIO

/// The Internet checksum against published vectors and hand-computed ones.
final class ChecksumTests: XCTestCase {
    /// The usual worked example of an IPv4 header (192.168.0.1 -> 192.168.0.199, 115 bytes, UDP):
    /// its checksum is b861, and summing the header with b861 in place gives 0.
    func testIPv4HeaderVector() {
        var header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
                               0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7]
        XCTAssertEqual(Checksum.ones(header), 0xB861)
        header[10] = 0xB8; header[11] = 0x61
        XCTAssertEqual(Checksum.ones(header), 0)
    }

    /// RFC 1071 §3's example bytes sum to ddf2, so the checksum is its complement 220d. An odd
    /// trailing byte counts as the high byte of a word: 0x08 adds 0x0800 (python:
    /// ~(0xddf2 + 0x0800) & 0xffff = 0x1a0d).
    func testRFC1071VectorAndOddLength() {
        XCTAssertEqual(Checksum.ones([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]), 0x220D)
        XCTAssertEqual(Checksum.ones([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7, 0x08]), 0x1A0D)
        XCTAssertEqual(Checksum.ones([0x01]), 0xFEFF)
        XCTAssertEqual(Checksum.ones([]), 0xFFFF)
        // End-around carry: ffff + 0001 = 1 0000 -> 0001, complement fffe.
        XCTAssertEqual(Checksum.ones([0xFF, 0xFF, 0x00, 0x01]), 0xFFFE)
    }

    /// The UDP checksum of a header and payload, through the segment form the frame builder uses.
    static func udpChecksum(_ source: IPv4Address, _ destination: IPv4Address, _ header: [UInt8], _ payload: [UInt8]) -> UInt16 {
        (header + payload).withUnsafeBytes { Checksum.udp(source: source, destination: destination, segment: $0) }
    }

    /// UDP 192.0.2.1:67 -> 192.0.2.100:68 carrying "abc" (odd length). Computed independently:
    /// python3: ones(src+dst+b'\0\x11'+pack('!H',11)+pack('!HHHH',67,68,11,0)+b'abc') = 0xb688.
    func testUDPChecksumWithPseudoHeader() {
        let header: [UInt8] = [0, 67, 0, 68, 0, 11, 0, 0]
        XCTAssertEqual(Self.udpChecksum(IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 100), header, Array("abc".utf8)), 0xB688)
        // The pseudo-header counts: another destination gives another checksum.
        XCTAssertNotEqual(Self.udpChecksum(IPv4Address(192, 0, 2, 1), IPv4Address(192, 0, 2, 101), header, Array("abc".utf8)), 0xB688)
    }

    /// A datagram whose sum complements to 0 is sent with checksum ffff (RFC 768: 0 means none).
    /// The payload 7a ed was found by search in python for exactly that sum.
    func testComputedZeroIsSentAsAllOnes() {
        let header: [UInt8] = [0, 67, 0, 68, 0, 10, 0, 0]
        let src = IPv4Address(192, 0, 2, 1), dst = IPv4Address(192, 0, 2, 100)
        var pseudo = src.bytes + dst.bytes + [0, 17, 0, 10] + header + [0x7A, 0xED]
        XCTAssertEqual(Checksum.ones(pseudo), 0, "the vector really sums to zero")
        XCTAssertEqual(Self.udpChecksum(src, dst, header, [0x7A, 0xED]), 0xFFFF)
        pseudo[pseudo.count - 1] = 0xEE
        XCTAssertNotEqual(Checksum.ones(pseudo), 0)
    }
}

/// Ethernet/IPv4/UDP frames for the AF_PACKET socket: the frames the server builds, byte for
/// byte and against Kea's own, and the parser's acceptance of real client frames and rejection
/// of every kind of malformed one.
final class FrameTests: XCTestCase {
    static let serverMAC: [UInt8] = [0x02, 0, 0, 0, 0, 0x01]
    static let clientMAC: [UInt8] = [0x02, 0, 0, 0, 0x20, 0x01]

    static func reply(_ payload: [UInt8] = Array("abc".utf8)) -> [UInt8] {
        EthernetFrame.build(payload: payload, srcMAC: serverMAC, dstMAC: clientMAC, source: IPv4Address(192, 0, 2, 1),
                            destination: IPv4Address(192, 0, 2, 100), sourcePort: 67, destinationPort: 68)
    }

    static func hex(_ s: String) -> [UInt8] {
        let digits = Array(s.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// A reply to 192.0.2.100 with an odd-length payload, against bytes built by an independent
    /// python script (struct.pack of each header, checksums by RFC 1071).
    func testBuiltReplyMatchesReferenceBytes() {
        let expected = Self.hex("""
            020000002001 020000000001 0800
            4510 001f 0000 0000 4011 f658 c0000201 c0000264
            0043 0044 000b b688
            616263
            """)
        XCTAssertEqual(Self.reply(), expected)
    }

    /// Field by field: destination MAC is the client's, lengths agree, both checksums verify.
    func testBuiltReplyFieldsAndChecksums() {
        let payload = [UInt8](repeating: 0xA5, count: 301)
        let f = Self.reply(payload)
        XCTAssertEqual(f.count, 14 + 20 + 8 + 301)
        XCTAssertEqual(Array(f[0..<6]), Self.clientMAC)
        XCTAssertEqual(Array(f[6..<12]), Self.serverMAC)
        XCTAssertEqual(Array(f[12..<14]), [0x08, 0x00])
        XCTAssertEqual(f[14], 0x45, "IPv4, no options")
        XCTAssertEqual(Int(f[16]) << 8 | Int(f[17]), 20 + 8 + 301)
        XCTAssertEqual(f[23], 17)
        XCTAssertEqual(Array(f[26..<30]), [192, 0, 2, 1])
        XCTAssertEqual(Array(f[30..<34]), [192, 0, 2, 100])
        XCTAssertEqual(Checksum.ones(Array(f[14..<34])), 0, "IPv4 header checksum verifies")
        XCTAssertEqual(Array(f[34..<38]), [0, 67, 0, 68])
        XCTAssertEqual(Int(f[38]) << 8 | Int(f[39]), 8 + 301)
        let pseudo = Array(f[26..<34]) + [0, 17, f[38], f[39]] + Array(f[34...])
        XCTAssertEqual(Checksum.ones(pseudo), 0, "UDP checksum verifies over the pseudo-header")
        XCTAssertEqual(Array(f[42...]), payload)
    }

    /// Broadcast replies go to ff:ff:ff:ff:ff:ff / 255.255.255.255; a short source MAC is zeros.
    func testBroadcastAndShortSourceMAC() {
        let f = EthernetFrame.build(payload: [1, 2], srcMAC: [], dstMAC: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                                    source: IPv4Address(192, 0, 2, 1), destination: .broadcast, sourcePort: 67, destinationPort: 68)
        XCTAssertEqual(Array(f[0..<12]), [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(Array(f[30..<34]), [255, 255, 255, 255])
        XCTAssertEqual(Checksum.ones(Array(f[14..<34])), 0)
    }

    /// Differential: Kea 2.2 built the OFFER in the dhclient capture with its own raw socket.
    /// Rebuilding it from the same payload, addresses and MACs gives the same Ethernet and UDP
    /// headers (the UDP checksum included) and the same IPv4 header except Kea's DF flag and
    /// TTL 128 (ours: no DF, TTL 64) and so the header checksum, which verifies in both. Those
    /// two words are 0x4000 higher in Kea's header, so our checksum is Kea's 751e + 0x8000.
    func testBuiltFrameMatchesKeaOffer() throws {
        let (linkType, frames) = try Fixtures.pcapFrames("packets/dhclient/capture.pcap")
        XCTAssertEqual(linkType, 1, "Ethernet")
        let kea = frames[1]
        let payload = try Fixtures.bytes("packets/kea-2.2/dhclient-offer.bin")
        XCTAssertEqual(Array(kea[42...]), payload, "fixture: frame 1 is Kea's OFFER")
        let ours = EthernetFrame.build(payload: payload, srcMAC: Array(kea[6..<12]), dstMAC: Array(kea[0..<6]),
                                       source: IPv4Address(bytes: kea[26..<30]), destination: IPv4Address(bytes: kea[30..<34]),
                                       sourcePort: 67, destinationPort: 68)
        XCTAssertEqual(ours.count, kea.count)
        XCTAssertEqual(Array(ours[0..<14]), Array(kea[0..<14]), "Ethernet header")
        XCTAssertEqual(Array(ours[34..<42]), Array(kea[34..<42]), "UDP header, checksum included")
        let differing = (14..<34).filter { ours[$0] != kea[$0] }
        XCTAssertEqual(differing, [20, 22, 24], "only flags, TTL and header checksum differ")
        XCTAssertEqual(Array(kea[24..<26]), [0x75, 0x1E])
        XCTAssertEqual(Array(ours[24..<26]), [0xF5, 0x1E])
        XCTAssertEqual(Checksum.ones(Array(ours[14..<34])), 0)
        XCTAssertEqual(Checksum.ones(Array(kea[14..<34])), 0)
    }

    /// Real client frames from the captures: dhclient's broadcast DISCOVER from 0.0.0.0, and its
    /// unicast renewal (sent through the kernel, so its UDP checksum is left partial: the parser
    /// does not verify checksums, like Kea).
    func testParsesCapturedClientFrames() throws {
        let frames = try Fixtures.pcapFrames("packets/dhclient/capture.pcap").frames
        let discover = try XCTUnwrap(EthernetFrame.parse(frames[0], count: frames[0].count, serverPort: 67))
        XCTAssertEqual(discover, EthernetFrame.UDPDatagram(payload: try Fixtures.bytes("packets/dhclient/discover.bin"),
                                                           source: .zero, sourcePort: 68, destination: .broadcast,
                                                           sourceMAC: Array(frames[0][6..<12])))
        let renew = try XCTUnwrap(EthernetFrame.parse(frames[4], count: frames[4].count, serverPort: 67))
        XCTAssertEqual(renew, EthernetFrame.UDPDatagram(payload: try Fixtures.bytes("packets/dhclient/renew-request.bin"),
                                                        source: IPv4Address(192, 0, 2, 100), sourcePort: 68,
                                                        destination: IPv4Address(192, 0, 2, 1),
                                                        sourceMAC: Array(frames[4][6..<12])))
        XCTAssertNil(EthernetFrame.parse(frames[0], count: frames[0].count, serverPort: 6767), "another server port")
        for name in ["dhcpcd", "udhcpc"] {
            let f = try Fixtures.pcapFrames("packets/\(name)/capture.pcap").frames[0]
            let d = try XCTUnwrap(EthernetFrame.parse(f, count: f.count, serverPort: 67), name)
            XCTAssertEqual(d.payload, try Fixtures.bytes("packets/\(name)/discover.bin"), name)
        }
    }

    /// Build then parse: the datagram comes back, from a receive buffer larger than the frame,
    /// and Ethernet padding (a short frame padded to 60 bytes) is not payload.
    func testRoundTripBufferAndPadding() throws {
        let f = EthernetFrame.build(payload: [9, 8, 7], srcMAC: Self.clientMAC, dstMAC: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                                    source: .zero, destination: .broadcast, sourcePort: 68, destinationPort: 67)
        let want = EthernetFrame.UDPDatagram(payload: [9, 8, 7], source: .zero, sourcePort: 68, destination: .broadcast,
                                             sourceMAC: Self.clientMAC)
        var buffer = [UInt8](repeating: 0xEE, count: 2048)
        buffer.replaceSubrange(0..<f.count, with: f)
        XCTAssertEqual(EthernetFrame.parse(buffer, count: f.count, serverPort: 67), want)
        XCTAssertEqual(EthernetFrame.parse(buffer, count: 60, serverPort: 67), want, "padding after the datagram")
        XCTAssertNil(EthernetFrame.parse(buffer, count: f.count - 1, serverPort: 67), "one byte short")
    }

    /// IP options move the UDP header: with IHL 6 the ports and payload are read 4 bytes later.
    func testIPOptionsAreSkipped() {
        var f = Self.request()
        f.insert(contentsOf: [0x94, 0x04, 0x00, 0x00], at: 34) // Router Alert, as some relays add
        f[14] = 0x46
        let total = (Int(f[16]) << 8 | Int(f[17])) + 4
        f[16] = UInt8(total >> 8); f[17] = UInt8(total & 0xFF)
        Self.refreshIPChecksum(&f)
        XCTAssertEqual(EthernetFrame.parse(f, count: f.count, serverPort: 67)?.payload, Array("hello".utf8))
    }

    /// Each malformation of an otherwise good client frame is rejected, and only that one: the
    /// unmutated frame parses, and the IPv4 header checksum is kept valid after each change.
    func testRejectsMalformedFrames() {
        let good = Self.request()
        XCTAssertNotNil(EthernetFrame.parse(good, count: good.count, serverPort: 67))
        let cases: [(String, (inout [UInt8]) -> Void)] = [
            ("IPv6 ethertype", { $0[12] = 0x86; $0[13] = 0xDD }),
            ("ARP ethertype", { $0[13] = 0x06 }),
            ("IP version 6", { $0[14] = 0x65 }),
            ("IHL 4 (shorter than a header)", { $0[14] = 0x44 }),
            ("IHL 15 (past the datagram)", { $0[14] = 0x4F }),
            ("IP total length past the frame", { $0[17] &+= 1 }),
            ("IP total length too short for UDP", { $0[16] = 0; $0[17] = 27 }),
            ("more fragments", { $0[20] = 0x20 }),
            ("fragment offset", { $0[21] = 0x01 }),
            ("fragment offset, high bits", { $0[20] = 0x10 }),
            ("TCP", { $0[23] = 6 }),
            ("ICMP", { $0[23] = 1 }),
            ("wrong destination port", { $0[37] = 68 }),
            ("UDP length below its header", { $0[38] = 0; $0[39] = 7 }),
            ("UDP length past the IP datagram", { $0[39] &+= 1 }),
        ]
        for (what, change) in cases {
            var f = good
            change(&f)
            Self.refreshIPChecksum(&f)
            XCTAssertNil(EthernetFrame.parse(f, count: f.count, serverPort: 67), what)
        }
        // Don't-fragment is not a fragment.
        var df = good
        df[20] = 0x40
        XCTAssertNotNil(EthernetFrame.parse(df, count: df.count, serverPort: 67))
        // Shorter than Ethernet + IPv4 + UDP headers, at every length.
        for n in 0..<42 { XCTAssertNil(EthernetFrame.parse(good, count: n, serverPort: 67), "\(n) bytes") }
    }

    /// A client's REQUEST-like frame, 0.0.0.0:68 -> 255.255.255.255:67, payload "hello".
    static func request() -> [UInt8] {
        EthernetFrame.build(payload: Array("hello".utf8), srcMAC: clientMAC, dstMAC: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                            source: .zero, destination: .broadcast, sourcePort: 68, destinationPort: 67)
    }

    static func refreshIPChecksum(_ f: inout [UInt8]) {
        let ihl = Int(f[14] & 0x0F) * 4
        guard ihl >= 20, 14 + ihl <= f.count else { return }
        f[24] = 0; f[25] = 0
        let sum = Checksum.ones(Array(f[14..<(14 + ihl)]))
        f[24] = UInt8(sum >> 8); f[25] = UInt8(sum & 0xFF)
    }
}
