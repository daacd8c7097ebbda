/// A DHCPv6 server's own DUID (RFC 8415 §11), made as Kea 2.4 makes it from the `server-id`
/// map and the DUID kept in its `kea-dhcp6-serverid` file. Pure: the shell reads the file, the
/// clock, the interfaces and the kernel's random bytes, and writes the file back.
public enum ServerDUID {
    /// DUID types (RFC 8415 §11.1).
    public static let typeLLT: UInt16 = 1
    public static let typeEN: UInt16 = 2
    public static let typeLL: UInt16 = 3
    /// ISC's enterprise number, Kea's default for an EN DUID.
    public static let iscEnterpriseID: UInt32 = 2495
    /// Hardware type Ethernet (RFC 826), used for a random link-layer identifier.
    public static let ethernet: UInt16 = 1
    /// 2000-01-01T00:00:00Z in seconds since the Unix epoch: a DUID-LLT's time counts from there.
    public static let epoch2000: Int64 = 946_684_800

    /// A link-layer address to build an LLT or LL DUID from (the first suitable interface's).
    public struct LinkLayer: Sendable, Equatable {
        public var htype: UInt16
        public var address: [UInt8]
        public init(htype: UInt16, address: [UInt8]) {
            self.htype = htype
            self.address = address
        }
    }

    /// The DUID to use. `stored` is the file's DUID, if any: when it has the configured type, the
    /// values the configuration leaves unset (zero or empty) come from it, so a server keeps its
    /// DUID across restarts; otherwise the values are generated: the link-layer address given
    /// (else `random`, as an Ethernet address), the time from `wall`, ISC's enterprise number
    /// and `random` as an EN identifier. `random` should be at least 6 bytes.
    public static func make(_ c: ServerIDConfig, stored: [UInt8]?, linkLayer: LinkLayer?,
                            wall: WallTime, random: [UInt8]) -> [UInt8] {
        let s = stored.flatMap(Parsed.init)
        let randomLL = LinkLayer(htype: ethernet, address: Array(random.prefix(6)))
        switch c.type {
        case .llt:
            let old = s?.type == typeLLT ? s : nil
            let time = c.time != 0 ? c.time : old?.time ?? llTime(wall)
            let ll = pickLinkLayer(c, old, linkLayer ?? randomLL)
            return header(typeLLT) + be16(ll.htype) + be32(time) + ll.address
        case .ll:
            let old = s?.type == typeLL ? s : nil
            let ll = pickLinkLayer(c, old, linkLayer ?? randomLL)
            return header(typeLL) + be16(ll.htype) + ll.address
        case .en:
            let old = s?.type == typeEN ? s : nil
            let enterprise = c.enterpriseID != 0 ? c.enterpriseID : old?.enterprise ?? iscEnterpriseID
            let id = !c.identifier.isEmpty ? c.identifier : old?.identifier ?? Array(random.prefix(6))
            return header(typeEN) + be32(enterprise) + id
        }
    }

    /// A DUID-LLT's time field for `wall`: seconds since 2000-01-01 UTC, modulo 2^32.
    public static func llTime(_ wall: WallTime) -> UInt32 {
        UInt32(truncatingIfNeeded: wall.secondsSinceEpoch - epoch2000)
    }

    /// The server-id file's text as Kea writes it: the DUID in colon-separated hex, one line.
    public static func fileText(_ duid: [UInt8]) -> String { HexText.colonSeparated(duid) + "\n" }

    /// The DUID in a server-id file; nil when the text is not a DUID (too short, too long, not hex).
    public static func parseFile(_ text: String) -> [UInt8]? {
        let trimmed = text.trimmedASCII
        guard !trimmed.isEmpty, let bytes = HexText.decode(trimmed), bytes.count >= 3, bytes.count <= 130 else { return nil }
        return bytes
    }

    /// A DUID's fields, as far as its type defines them.
    struct Parsed {
        var type: UInt16
        var htype: UInt16?
        var time: UInt32?
        var enterprise: UInt32?
        var identifier: [UInt8]

        init?(_ d: [UInt8]) {
            guard d.count >= 3 else { return nil }
            type = UInt16(d[0]) << 8 | UInt16(d[1])
            switch type {
            case typeLLT:
                guard d.count > 8 else { return nil }
                htype = UInt16(d[2]) << 8 | UInt16(d[3])
                time = d[4..<8].reduce(0) { $0 << 8 | UInt32($1) }
                identifier = Array(d[8...])
            case typeLL:
                guard d.count > 4 else { return nil }
                htype = UInt16(d[2]) << 8 | UInt16(d[3])
                identifier = Array(d[4...])
            case typeEN:
                guard d.count > 6 else { return nil }
                enterprise = d[2..<6].reduce(0) { $0 << 8 | UInt32($1) }
                identifier = Array(d[6...])
            default:
                identifier = Array(d[2...])
            }
        }
    }

    /// The configured link-layer identifier and type if given, else the stored ones, else `fallback`.
    static func pickLinkLayer(_ c: ServerIDConfig, _ old: Parsed?, _ fallback: LinkLayer) -> LinkLayer {
        let address = !c.identifier.isEmpty ? c.identifier : old?.identifier ?? fallback.address
        let fromOld = c.identifier.isEmpty && old != nil
        let htype = c.htype != 0 ? c.htype : (fromOld ? old?.htype : nil) ?? fallback.htype
        return LinkLayer(htype: htype, address: address)
    }

    static func header(_ t: UInt16) -> [UInt8] { be16(t) }
    static func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
}
