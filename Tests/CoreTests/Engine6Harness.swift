@testable import KakapoCore

/// A scripted DHCPv6 client (direct or behind relays) and a virtual clock around one engine.
struct Engine6Harness {
    var engine: Dhcp6Engine<MemoryLeaseStore6>
    var now = Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 0))
    var iface = InterfaceInfo(name: "eth0", index: 2, addresses: [
        InterfaceAddress(address: .v6(IPv6Address("fe80::1")!), prefixLength: 64),
        InterfaceAddress(address: .v6(IPv6Address("2001:db8:1::1")!), prefixLength: 64)])
    /// When set, every transaction is reported durable at once, as memfile does.
    var settlesAutomatically = true
    static let serverDUID: [UInt8] = [0, 2, 0, 0, 0x09, 0xBF, 1, 2, 3, 4, 5]
    static let clientAddress = IPv6Address("fe80::2")!
    static let multicast = IPv6Address("ff02::1:2")!

    static let configText = """
    { "Dhcp6": {
        "preferred-lifetime": 3000, "valid-lifetime": 4000,
        "decline-probation-period": 600,
        "expired-leases-processing": { "reclaim-timer-wait-time": 10, "hold-reclaimed-time": 0 },
        "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" },
                         { "name": "sntp-servers", "data": "2001:db8::123" },
                         { "name": "domain-search", "data": "example.com" } ],
        "subnet6": [
          { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", "rapid-commit": true,
            "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::13" } ],
            "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 62, "delegated-len": 64,
                            "excluded-prefix": "2001:db8:8:0:8000::", "excluded-prefix-len": 72 } ],
            "option-data": [ { "name": "dns-servers", "data": "2001:db8:1::53" } ],
            "reservations": [
              { "duid": "00:03:00:01:aa:bb:cc:dd:ee:ff", "ip-addresses": [ "2001:db8:1::100" ],
                "prefixes": [ "2001:db8:9::/64" ], "hostname": "res",
                "option-data": [ { "name": "sntp-servers", "data": "2001:db8:1::1" } ] },
              { "hw-address": "00:11:22:33:44:55", "ip-addresses": [ "2001:db8:1::12" ] } ] },
          { "id": 2, "subnet": "2001:db8:2::/64", "interface-id": "ethx",
            "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::1f" } ] },
          { "id": 3, "subnet": "2001:db8:3::/64", "relay": { "ip-addresses": [ "2001:db8:ffff::1" ] },
            "pools": [ { "pool": "2001:db8:3::10 - 2001:db8:3::1f" } ] },
          { "id": 4, "subnet": "2001:db8:4::/64",
            "option-data": [ { "name": "preference", "data": "200", "always-send": true } ],
            "pools": [ { "pool": "2001:db8:4::10 - 2001:db8:4::1f" } ] }
        ]
    } }
    """

    init(configText: String = Engine6Harness.configText) {
        let config = try! Dhcp6ConfigDecoder.decode(text: configText)
        engine = Dhcp6Engine(config: config, store: MemoryLeaseStore6(), serverDUID: Self.serverDUID, now: now)
    }

    mutating func advance(seconds: Int64) {
        now.wall = now.wall + Seconds(seconds)
        now.monotonic = now.monotonic + Milliseconds(seconds * 1000)
    }

    /// A DUID-LL for client `n`.
    static func duid(_ n: UInt8) -> [UInt8] { [0, 3, 0, 1, 2, 0, 0, 0, 0, n] }

    static func ia(_ iaid: UInt32, _ addresses: [String] = []) -> DHCPv6IA {
        var ia = DHCPv6IA(iaid: iaid)
        for a in addresses { ia.options.append(DHCPv6IAAddress(address: IPv6Address(a)!, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0)) }
        return ia
    }

    static func message(_ type: DHCPv6MessageType, duid: [UInt8]?, xid: UInt32 = 0x1234, nas: [DHCPv6IA] = [], pds: [DHCPv6IA] = [],
                        oro: [UInt16] = [], serverID: [UInt8]? = nil, rapidCommit: Bool = false) -> DHCPv6ClientMessage {
        var m = DHCPv6ClientMessage(messageType: type, transactionID: xid)
        if let duid { m.options.append(.clientid, duid) }
        if let serverID { m.options.append(.serverid, serverID) }
        if rapidCommit { m.options.append(.rapidCommit, []) }
        for ia in nas { m.options.append(iaNA: ia) }
        for ia in pds { m.options.append(iaPD: ia) }
        if !oro.isEmpty { m.options.append(requestedOptions: oro) }
        return m
    }

    struct Relay {
        var link: String
        var peer: String = "fe80::2"
        var interfaceID: [UInt8]? = nil
        var hops: UInt8 = 0
        /// More relay options (code, data), e.g. 79, the client link-layer address.
        var options: [(UInt16, [UInt8])] = []
    }

    struct Sent {
        var effects: Effects6
        /// The client message of the one datagram sent, if any.
        var reply: DHCPv6ClientMessage?
        /// The whole datagram as decoded (relay-replies around the reply).
        var outer: DHCPv6Message?
        var ids: [String] { effects.events.map(\.logLine.id) }
    }

    /// Sends a message, directly (multicast, or unicast to the server) or through `relays`
    /// (outermost first).
    mutating func send(_ m: DHCPv6ClientMessage, relays: [Relay] = [], unicast: Bool = false, linkLayer: [UInt8]? = nil) -> Sent {
        var msg = DHCPv6Message.client(m)
        for r in relays.reversed() {
            var o = DHCPv6Options()
            if let iid = r.interfaceID { o.append(.interfaceId, iid) }
            for (code, data) in r.options { o.append(code, data) }
            msg = .relay(DHCPv6RelayMessage(direction: .forward, hopCount: r.hops, linkAddress: IPv6Address(r.link)!,
                                            peerAddress: IPv6Address(r.peer)!, options: o, relayedMessage: msg))
        }
        let source = relays.isEmpty ? Self.clientAddress : IPv6Address("2001:db8:ffff::1")!
        var d = InboundDatagram(bytes: msg.encode(), interface: iface, source: .v6(source), sourcePort: relays.isEmpty ? 546 : 547,
                                destination: .v6(unicast || !relays.isEmpty ? IPv6Address("2001:db8:1::1")! : Self.multicast))
        d.linkLayerSource = linkLayer
        let e = engine.handle(datagram: d, now: now)
        if settlesAutomatically, let id = e.transaction {
            _ = engine.handle(outcome: .durable, of: id, now: now)
        }
        precondition(e.datagrams.count <= 1)
        let outer = e.datagrams.first.map { try! DHCPv6Message.decode($0.bytes).get() }
        return Sent(effects: e, reply: outer?.innermost, outer: outer)
    }

    /// Solicit then Request for one IA_NA; returns the address granted.
    mutating func acquire(duid: [UInt8], iaid: UInt32 = 1, xid: UInt32 = 7) -> IPv6Address? {
        guard let adv = send(Self.message(.solicit, duid: duid, xid: xid, nas: [Self.ia(iaid)])).reply,
              let a = try? adv.options.iaNAs().first?.addresses().first?.address else { return nil }
        let rep = send(Self.message(.request, duid: duid, xid: xid + 1, nas: [Self.ia(iaid, ["\(a)"])], serverID: Self.serverDUID)).reply
        return try? rep?.options.iaNAs().first?.addresses().first?.address
    }

    func lease(_ a: String) -> Lease6? { engine.store.lease(.nonTemporaryAddress, at: IPv6Address(a)!) }
    func stat(_ name: String) -> Int64 { engine.stats.value(named: name) ?? -1 }
}

extension DHCPv6ClientMessage {
    var firstNA: DHCPv6IA? { try? options.iaNAs().first }
    var nas: [DHCPv6IA] { (try? options.iaNAs()) ?? [] }
    var pds: [DHCPv6IA] { (try? options.iaPDs()) ?? [] }
    var status: DHCPv6Status? { try? options.status() }
}

extension DHCPv6IA {
    var addressList: [IPv6Address] { ((try? addresses()) ?? []).map(\.address) }
    var statusCode: DHCPv6StatusCode? { (try? status())?.code }
}
