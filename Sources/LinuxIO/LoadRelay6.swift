import KakapoCore

/// The DHCPv6 messages of `kakapo-sim load -6` (like `perfdhcp -6 -l`), built and read with
/// the Core codec. Pure (no clock, no socket) so that they can be tested apart from the loop.
///
/// Virtual client n has the MAC 02:00:nn:nn:nn:nn (the DHCPv4 load's), the DUID-LL made of it
/// (type 3, hardware type 1), and the link-local address fe80::/64 with its modified EUI-64
/// interface identifier as the relay's peer-address. Each exchange is Solicit-Advertise then
/// Request-Reply, relayed: a Relay-forward from the load generator with the chosen
/// link-address, so the server selects the subnet by it (`relay.ip-addresses`, then prefixes).
public enum LoadRelay6 {
    public static let macPrefix: [UInt8] = [0x02, 0x00]
    /// The one IA_NA (and IA_PD) each client asks for.
    public static let iaid: UInt32 = 1
    /// RFC 8357 Relay Source Port: sent when the relay does not listen on 547, so the server
    /// answers the port it sent from.
    public static let relaySourcePortOption: UInt16 = 135

    public static func mac(client: Int) -> [UInt8] {
        let i = UInt32(truncatingIfNeeded: client)
        return macPrefix + [UInt8(i >> 24), UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)]
    }

    /// DUID-LL (RFC 8415 §11.4): type 3, hardware type 1 (Ethernet), the MAC.
    public static func duid(client: Int) -> [UInt8] { [0, 3, 0, 1] + mac(client: client) }

    /// The client whose MAC starts `bytes` (a DHCPv4 chaddr, say), or nil when it is not one
    /// of ours (or beyond `clients`).
    public static func client(mac bytes: ArraySlice<UInt8>, clients: Int) -> Int? {
        guard bytes.count >= 6 else { return nil }
        let m = Array(bytes.prefix(6))
        guard m[0] == macPrefix[0], m[1] == macPrefix[1] else { return nil }
        let i = Int(m[2]) << 24 | Int(m[3]) << 16 | Int(m[4]) << 8 | Int(m[5])
        return i < clients ? i : nil
    }

    /// The client whose DUID this is, or nil when it is not one of ours (or beyond `clients`).
    public static func client(duid d: [UInt8], clients: Int) -> Int? {
        guard d.count == 10, d[0] == 0, d[1] == 3, d[2] == 0, d[3] == 1 else { return nil }
        return client(mac: d[4...], clients: clients)
    }

    /// fe80:: plus the MAC's modified EUI-64 (RFC 4291 appendix A): the address the client
    /// would send from, which a relay puts in peer-address.
    public static func peerAddress(client: Int) -> IPv6Address {
        let m = mac(client: client)
        let eui: [UInt8] = [m[0] ^ 0x02, m[1], m[2], 0xFF, 0xFE, m[3], m[4], m[5]]
        let low = eui.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return IPv6Address(high: 0xFE80_0000_0000_0000, low: low)
    }

    /// A Solicit: Client Identifier, Elapsed Time 0, one empty IA_NA (and IA_PD).
    public static func solicit(client: Int, transactionID: UInt32, prefixDelegation: Bool) -> DHCPv6ClientMessage {
        var o = DHCPv6Options()
        o.append(.clientid, duid(client: client))
        o.append(elapsedTimeHundredths: 0)
        o.append(iaNA: DHCPv6IA(iaid: iaid))
        if prefixDelegation { o.append(iaPD: DHCPv6IA(iaid: iaid)) }
        return DHCPv6ClientMessage(messageType: .solicit, transactionID: transactionID, options: o)
    }

    /// The Request for what an Advertise offered: its Server Identifier, and our IAs holding
    /// the advertised addresses (and prefixes) as hints with lifetimes 0. Nil when the
    /// Advertise has no server id or offers no address (or, asked for, no prefix): nothing to
    /// request, the exchange ends there.
    public static func request(client: Int, transactionID: UInt32, advertise: DHCPv6ClientMessage,
                               prefixDelegation: Bool) -> DHCPv6ClientMessage? {
        guard advertise.messageType == .advertise, let server = advertise.options.serverID,
              let offered = try? offers(advertise.options) else { return nil }
        guard !offered.addresses.isEmpty, !prefixDelegation || !offered.prefixes.isEmpty else { return nil }
        var o = DHCPv6Options()
        o.append(.clientid, duid(client: client))
        o.append(.serverid, server)
        o.append(elapsedTimeHundredths: 0)
        var na = DHCPv6Options()
        for a in offered.addresses { na.append(DHCPv6IAAddress(address: a.address, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0)) }
        o.append(iaNA: DHCPv6IA(iaid: iaid, options: na))
        if prefixDelegation {
            var pd = DHCPv6Options()
            for p in offered.prefixes { pd.append(DHCPv6IAPrefix(prefix: p.prefix, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0)) }
            o.append(iaPD: DHCPv6IA(iaid: iaid, options: pd))
        }
        return DHCPv6ClientMessage(messageType: .request, transactionID: transactionID, options: o)
    }

    /// What our IAs in a server's message hold with a valid lifetime above 0 (an IA with an
    /// error status holds nothing).
    public static func offers(_ options: DHCPv6Options) throws(DHCPv6DecodeError)
        -> (addresses: [DHCPv6IAAddress], prefixes: [DHCPv6IAPrefix]) {
        var addresses: [DHCPv6IAAddress] = []
        var prefixes: [DHCPv6IAPrefix] = []
        for ia in try options.iaNAs() where ia.iaid == iaid {
            guard try !failed(ia.status()) else { continue }
            addresses += try ia.addresses().filter { $0.validLifetimeSeconds > 0 }
        }
        for ia in try options.iaPDs() where ia.iaid == iaid {
            guard try !failed(ia.status()) else { continue }
            prefixes += try ia.prefixes().filter { $0.validLifetimeSeconds > 0 }
        }
        return (addresses, prefixes)
    }

    private static func failed(_ s: DHCPv6Status?) -> Bool { s.map { $0.code != .success } ?? false }

    /// Whether a Reply binds the client: it holds an address (and, asked for, a prefix).
    public static func binds(_ reply: DHCPv6ClientMessage, prefixDelegation: Bool) -> Bool {
        guard reply.messageType == .reply, let got = try? offers(reply.options) else { return false }
        return !got.addresses.isEmpty && (!prefixDelegation || !got.prefixes.isEmpty)
    }

    /// The datagram for the server: `m` in a Relay-forward (hop-count 0, as the relay next to
    /// the client) with the client's link-local peer-address, and Relay Source Port when the
    /// relay is not on 547.
    public static func relayForward(_ m: DHCPv6ClientMessage, client: Int, linkAddress: IPv6Address,
                                    sourcePort: UInt16?) -> [UInt8] {
        var o = DHCPv6Options()
        if let port = sourcePort { o.append(relaySourcePortOption, [UInt8(port >> 8), UInt8(port & 0xFF)]) }
        let r = DHCPv6RelayMessage(direction: .forward, hopCount: 0, linkAddress: linkAddress,
                                   peerAddress: peerAddress(client: client), options: o, relayedMessage: .client(m))
        return DHCPv6Message.relay(r).encode()
    }

    /// What came back to the relay.
    public enum Inbound: Equatable, Sendable {
        /// Not a DHCPv6 message the codec accepts.
        case undecodable
        /// Decoded, but not one Relay-reply carrying a client message.
        case stray(DHCPv6MessageType)
        /// A server's message to one of our clients (nil: not one of ours), unwrapped.
        case message(client: Int?, DHCPv6ClientMessage)
    }

    /// Unwraps a datagram from the server: a Relay-reply of one level holding the message
    /// for the client its Client Identifier names.
    public static func classify(_ bytes: [UInt8], clients: Int) -> Inbound {
        guard case .success(let decoded) = DHCPv6Message.decode(bytes) else { return .undecodable }
        guard case .relay(let r) = decoded, r.direction == .reply, case .client(let m) = r.relayedMessage else {
            return .stray(decoded.messageType)
        }
        return .message(client: m.options.clientID.flatMap { client(duid: $0, clients: clients) }, m)
    }

    /// "ADDRESS-OR-PREFIX DUID EXPIRY" lines for a Reply's bindings (the `--acks` file of
    /// crash tests); EXPIRY is `nowSeconds` plus the valid lifetime.
    public static func ackLines(_ reply: DHCPv6ClientMessage, nowSeconds: Int) -> [String] {
        guard reply.messageType == .reply, let got = try? offers(reply.options) else { return [] }
        let duid = HexText.colonSeparated(reply.options.clientID ?? [])
        return got.addresses.map { "\($0.address) \(duid) \(nowSeconds + Int($0.validLifetimeSeconds))" }
            + got.prefixes.map { "\($0.prefix) \(duid) \(nowSeconds + Int($0.validLifetimeSeconds))" }
    }
}
