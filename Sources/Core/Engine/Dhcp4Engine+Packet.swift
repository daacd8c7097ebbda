/// Everything the engine knows about one client message while it handles it.
struct Exchange {
    /// The decoded message and the datagram, never changed once the exchange is made: held in
    /// one shared box so that copying an exchange (it is passed and re-made with another subnet
    /// along the packet path) does not copy their fields one by one.
    final class Received {
        let message: DHCPv4Message
        let datagram: InboundDatagram
        init(message: DHCPv4Message, datagram: InboundDatagram) {
            self.message = message
            self.datagram = datagram
        }
    }
    let received: Received
    // Borrowed, not copied: a plain getter would retain (then release) every buffer of the
    // message at each `x.message.field` read.
    var message: DHCPv4Message { _read { yield received.message } }
    var datagram: InboundDatagram { _read { yield received.datagram } }
    var type: DHCPv4MessageType
    var label: ClientLabel
    var subnet: Subnet4?
    var now: Now
    /// Read once: the allocation path consults both many times.
    let hardwareAddress: HardwareAddress
    let clientID: [UInt8]?
    /// What host reservations are looked up by (chaddr, option 61 and its DUID, circuit-id).
    var identifiers: ClientIdentifiers4
    /// The classes the packet belongs to (`ALL` and those whose tests matched).
    var classes = ClientClasses(["ALL"])

    init(message: DHCPv4Message, datagram: InboundDatagram, type: DHCPv4MessageType, label: ClientLabel,
         subnet: Subnet4?, now: Now) {
        received = Received(message: message, datagram: datagram)
        self.type = type
        self.label = label
        self.subnet = subnet
        self.now = now
        hardwareAddress = label.hardwareAddress
        clientID = label.clientID
        identifiers = ClientIdentifiers4(hardwareAddress: label.hardwareAddress, clientID: label.clientID,
                                         relayAgentInformation: message.options[DHCPv4Option.dhcpAgentOptions])
    }
}

extension Dhcp4Engine {
    /// Call for every datagram received on a DHCPv4 server socket (port 67).
    @_specialize(exported: true, where Store == MemoryLeaseStore4)
    public mutating func handle(datagram d: InboundDatagram, now: Now) -> Effects4 {
        var effects = Effects4()
        stats.add(.pktReceived, now: now.wall)
        var message: DHCPv4Message
        switch DHCPv4Message.decode(d.bytes) {
        case .success(let m): message = m
        case .failure(let e):
            stats.add(.pktParseFailed, now: now.wall)
            stats.add(.pktReceiveDrop, now: now.wall)
            let label = ClientLabel(hardwareAddress: HardwareAddress(bytes: []), clientID: nil, xid: 0)
            effects.events.append(.dropped(client: label, reason: .parseFailed(e)))
            return effects
        }
        // A malformed Client FQDN option fails Kea's packet parsing (the packet is dropped),
        // unless lenient-option-parsing, which skips the option.
        if let raw = message.options[DHCPv4Option.fqdn], ClientFQDN4(data: raw) == nil {
            if config.compatibility.lenientOptionParsing {
                message.options[DHCPv4Option.fqdn] = nil
            } else {
                stats.add(.pktParseFailed, now: now.wall)
                stats.add(.pktReceiveDrop, now: now.wall)
                let label = ClientLabel(hardwareAddress: HardwareAddress(bytes: []), clientID: nil, xid: 0)
                effects.events.append(.dropped(client: label, reason: .parseFailed(.malformedOption(code: DHCPv4Option.fqdn.code))))
                return effects
            }
        }
        let label = ClientLabel(message)
        guard message.op == DHCPv4Message.bootRequest else {
            drop(.notARequest, label, now, &effects)
            return effects
        }
        // libdhcp_bootp.so (Dhcp4Engine+Bootp.swift): a BOOTP query is a DHCPREQUEST of class BOOTP.
        let bootp = isBootpQuery(message)
        var type = DHCPv4MessageType.request
        if !bootp {
            guard let typeLength = message.options.length(DHCPv4Option.dhcpMessageType) else {
                stats.add(.pktUnknownReceived, now: now.wall)
                drop(.noMessageType, label, now, &effects)
                return effects
            }
            guard typeLength == 1, let rawType = message.options.u8(DHCPv4Option.dhcpMessageType) else {
                // A message-type option of the wrong size is a malformed packet, as Kea counts it.
                stats.add(.pktParseFailed, now: now.wall)
                drop(.badMessageTypeLength(typeLength), label, now, &effects)
                return effects
            }
            guard let t = DHCPv4MessageType(rawValue: rawType) else {
                stats.add(.pktUnknownReceived, now: now.wall)
                drop(.unsupportedMessageType(rawType), label, now, &effects)
                return effects
            }
            type = t
        }
        countReceived(type, now: now.wall)
        var x = Exchange(message: message, datagram: d, type: type, label: label, subnet: nil, now: now)
        // libdhcp_bootp.so's class comes before classification (its buffer4_receive callout).
        if bootp {
            x.classes.insert("BOOTP")
            effects.events.append(.bootp(client: label, .query))
        }
        // Classes first (subnet guards use them), then the subnet, then the host-lookup classes.
        // libdhcp_flex_id.so computes the flex-id when the query arrives (pkt4_receive).
        if let expression = config.builtInHooks.flexIdentifier {
            x.identifiers.flexID = flexIdentifier(expression, x)
        }
        guard classifyAndSelectSubnet(&x, &effects) else { return effects }
        decide(x, &effects)
        return effects
    }

    /// Decides one client message (again, after a conflict: `x.now` is then the new time and
    /// the view shows the rows that won).
    mutating func decide(_ x: Exchange, _ effects: inout Effects4) {
        let label = x.label, now = x.now
        provisional = ProvisionalCounts()
        switch x.type {
        case .discover: handleDiscover(x, &effects)
        case .request: handleRequest(x, &effects)
        case .release: handleRelease(x, &effects)
        case .decline: handleDecline(x, &effects)
        case .inform: handleInform(x, &effects)
        case .offer, .ack, .nak, .forceRenew, .leaseQuery, .leaseUnassigned, .leaseUnknown, .leaseActive:
            drop(.unsupportedMessageType(x.type.rawValue), label, now, &effects)
        }
        seal(&effects, for: x)
    }

    mutating func drop(_ reason: DropReason, _ label: ClientLabel, _ now: Now, _ effects: inout Effects4) {
        stats.add(.pktReceiveDrop, now: now.wall)
        effects.events.append(.dropped(client: label, reason: reason))
    }

    mutating func countReceived(_ type: DHCPv4MessageType, now: WallTime) {
        let counter: GlobalCounter4
        switch type {
        case .discover: counter = .pktDiscoverReceived
        case .offer: counter = .pktOfferReceived
        case .request: counter = .pktRequestReceived
        case .ack: counter = .pktAckReceived
        case .nak: counter = .pktNakReceived
        case .release: counter = .pktReleaseReceived
        case .decline: counter = .pktDeclineReceived
        case .inform: counter = .pktInformReceived
        case .forceRenew, .leaseQuery, .leaseUnassigned, .leaseUnknown, .leaseActive: counter = .pktUnknownReceived
        }
        stats.add(counter, now: now)
    }

    /// Kea's order: subnet-selection option (118), relay agent link-selection (unless
    /// `compatibility.ignore-rai-link-selection`), giaddr (relay ip-addresses first, then
    /// prefix), ciaddr, then the receiving interface (a subnet's `interface`, then the
    /// interface's own addresses).
    /// Only subnets the client's classes admit are candidates (`admits`).
    func selectSubnet(_ x: Exchange) -> Subnet4? {
        let m = x.message, d = x.datagram
        if let sel = m.options.address(DHCPv4Option.subnetSelection) { return subnet(containing: sel, x) }
        if !config.compatibility.ignoreRAILinkSelection,
           let rai = m.options[DHCPv4Option.dhcpAgentOptions], let link = Self.linkSelection(rai) {
            return subnet(containing: link, x)
        }
        if !m.giaddr.isZero {
            if let s = config.subnets.first(where: { $0.relayAddresses.contains(m.giaddr) && admits($0, x) }) { return s }
            return subnet(containing: m.giaddr, x)
        }
        // A client with an address is placed by it alone (Kea: no interface fallback).
        if !m.ciaddr.isZero { return subnet(containing: m.ciaddr, x) }
        if let s = config.subnets.first(where: { $0.interface == d.interface.name && admits($0, x) }) { return s }
        for a in d.interface.addresses {
            if let v4 = a.address.v4, let s = subnet(containing: v4, x) { return s }
        }
        return nil
    }

    /// The first subnet holding `a` (any client: lease commands).
    func subnet(containing a: IPv4Address) -> Subnet4? {
        config.subnets.first { $0.prefix.contains(a) }
    }

    /// The first subnet holding `a` that the client's classes admit.
    func subnet(containing a: IPv4Address, _ x: Exchange) -> Subnet4? {
        config.subnets.first { $0.prefix.contains(a) && admits($0, x) }
    }

    /// Sub-option 5 (link-selection) of option 82, RFC 3527.
    static func linkSelection(_ rai: [UInt8]) -> IPv4Address? { agentAddress(.linkSelection, in: rai) }

    /// Sub-option 11 (server-id-override) of option 82, RFC 5107.
    static func serverIDOverride(_ rai: [UInt8]) -> IPv4Address? { agentAddress(.serverIdOverride, in: rai) }

    /// The first `sub` of option 82 that holds exactly one IPv4 address.
    static func agentAddress(_ sub: DHCPv4AgentSubOption, in rai: [UInt8]) -> IPv4Address? {
        SubOptions.first(sub.code, in: rai[...], where: { $0.count == 4 }).map { IPv4Address(bytes: $0) }
    }

    /// The server identifier for replies on this interface: its address inside the subnet,
    /// else its first address.
    func serverIdentifier(_ x: Exchange) -> IPv4Address {
        let addrs = x.datagram.interface.addresses
        if let s = x.subnet {
            for a in addrs { if let v4 = a.address.v4, s.prefix.contains(v4) { return v4 } }
        }
        if let dst = x.datagram.destination.v4, !dst.isZero, dst != .broadcast,
           addrs.contains(where: { $0.address == .v4(dst) }) {
            return dst
        }
        for a in addrs { if let v4 = a.address.v4 { return v4 } }
        return .zero
    }

    /// Kea accepts a server identifier that is one of the receiving interface's addresses, any
    /// address of an interface it serves, or a configured option 54; also (RFC 5107) the address
    /// the relay put in option 82's server-id-override, and any server identifier at all with
    /// `compatibility.ignore-dhcp-server-identifier`.
    func acceptsServerIdentifier(_ sid: IPv4Address, _ x: Exchange) -> Bool {
        if config.compatibility.ignoreDHCPServerIdentifier { return true }
        if let rai = x.message.options[DHCPv4Option.dhcpAgentOptions], Self.serverIDOverride(rai) == sid { return true }
        if x.datagram.interface.addresses.contains(where: { $0.address == .v4(sid) }) { return true }
        if localAddresses.contains(sid) { return true }
        let isSID: (ConfiguredOption) -> Bool = {
            $0.code == DHCPv4Option.dhcpServerIdentifier.code && $0.enterprise == nil && $0.payload == sid.bytes
        }
        // Kea's acceptServerId: option 54 configured globally, in any subnet
        // (hasSubnetWithServerId), any shared network (hasNetworkWithServerId) or a class of
        // the query.
        if config.optionData.contains(where: isSID) { return true }
        if config.subnets.contains(where: { $0.optionData.contains(where: isSID) }) { return true }
        if config.sharedNetworks.contains(where: { $0.optionData.contains(where: isSID) }) { return true }
        return x.classes.contains { clientClass(named: $0)?.optionData.contains(where: isSID) ?? false }
    }
}
