@testable import KakapoCore

/// A scripted client and a virtual clock around one engine (the test layer of STYLE.md §16).
struct EngineHarness {
    var engine: Dhcp4Engine<MemoryLeaseStore4>
    var now = Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 0))
    let iface = InterfaceInfo(name: "eth0", index: 2, addresses: [InterfaceAddress(address: IPv4Address(192, 0, 2, 1), prefixLength: 24)])
    var written: [LeaseChange4] = []
    /// When set, every transaction is reported durable at once, as memfile does; tests of
    /// failures and conflicts clear it and settle by hand.
    var settlesAutomatically = true

    /// 192.0.2.0/24, pool .10-.19, valid 3600, renew 900, rebind 1800, routers and DNS.
    static func config() -> Dhcp4Config {
        var c = Dhcp4Config()
        c.timers.validLifetimeSeconds = 3600
        c.timers.renewTimerSeconds = 900
        c.timers.rebindTimerSeconds = 1800
        var s = Subnet4(id: 1, prefix: IPv4Prefix("192.0.2.0/24")!)
        s.pools = [Pool4(first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 19))]
        s.optionData = [ConfiguredOption(code: 3, payload: [192, 0, 2, 1]),
                        ConfiguredOption(code: 6, payload: [192, 0, 2, 2]),
                        ConfiguredOption(code: 42, payload: [192, 0, 2, 3])]
        c.subnets = [s]
        return c
    }

    init(config: Dhcp4Config = EngineHarness.config()) {
        engine = Dhcp4Engine(config: config, store: MemoryLeaseStore4(),
                             now: Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 0)))
    }

    mutating func advance(seconds: Int64) {
        now.wall = now.wall + Seconds(seconds)
        now.monotonic = now.monotonic + Milliseconds(seconds * 1000)
    }

    static func mac(_ n: UInt8) -> [UInt8] { [0x02, 0, 0, 0, 0, n] }

    static func message(_ type: DHCPv4MessageType, mac: [UInt8], xid: UInt32 = 1, options: [(UInt8, [UInt8])] = []) -> DHCPv4Message {
        var m = DHCPv4Message()
        m.xid = xid
        m.chaddr = mac + Array(repeating: 0, count: 16 - mac.count)
        m.options[DHCPv4Option.dhcpMessageType] = [type.rawValue]
        for (c, v) in options { m.options[c] = v }
        return m
    }

    /// Sends a message as a broadcast from 0.0.0.0 (or unicast from ciaddr when set).
    mutating func send(_ m: DHCPv4Message) -> (replies: [DHCPv4Message], effects: Effects4) {
        let d = InboundDatagram(bytes: m.encode(), interface: iface, source: m.ciaddr, sourcePort: 68,
                                destination: m.ciaddr.isZero ? .broadcast : IPv4Address(192, 0, 2, 1))
        let e = engine.handle(datagram: d, now: now)
        if settlesAutomatically, let id = e.transaction {
            written.append(contentsOf: e.leaseChanges)
            _ = engine.handle(outcome: .durable, of: id, now: now)
        }
        let replies = e.datagrams.map { try! DHCPv4Message.decode($0.bytes).get() }
        return (replies, e)
    }

    /// DISCOVER, OFFER, REQUEST, ACK for one client; returns the ACK.
    mutating func dora(mac: [UInt8], xid: UInt32 = 7) -> DHCPv4Message? {
        guard let offer = send(Self.message(.discover, mac: mac, xid: xid)).replies.first, offer.messageType == .offer else { return nil }
        let req = Self.message(.request, mac: mac, xid: xid, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes), (DHCPv4Option.dhcpServerIdentifier.code, offer.serverIdentifier!.bytes)])
        return send(req).replies.first
    }
}
