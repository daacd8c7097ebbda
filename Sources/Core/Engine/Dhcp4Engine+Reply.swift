extension Dhcp4Engine {
    /// The fixed fields every reply copies from the request.
    func replyHeader(_ x: Exchange) -> DHCPv4Message {
        var r = DHCPv4Message()
        r.op = DHCPv4Message.bootReply
        r.htype = x.message.htype
        r.hlen = x.message.hlen
        r.hops = x.message.hops
        r.xid = x.message.xid
        r.flags = x.message.flags
        r.giaddr = x.message.giaddr
        r.chaddr = x.message.chaddr
        r.options.reserveCapacity(bytes: 128, options: 16)
        return r
    }

    /// An OFFER or ACK. Options follow Kea: 53, 54, lifetimes and T1/T2, subnet mask, then the
    /// configured options the client asked for in option 55 (in its order) or marked
    /// always-send, with routers, DNS servers and domain name sent whenever configured;
    /// never-send wins. Options come from `optionLayers` (reservation, pool, subnet, shared
    /// network, classes, global).
    func reply(_ type: DHCPv4MessageType, _ x: Exchange, subnet: Subnet4, pool: Pool4?,
               yiaddr: IPv4Address, lifetime: UInt32?) -> DHCPv4Message {
        // The classes the subnet and pool require join now (Kea's requiredClassify).
        if let joined = withRequiredClasses(x, subnet: subnet, pool: pool) {
            return reply(type, classified: joined, subnet: subnet, pool: pool, yiaddr: yiaddr, lifetime: lifetime)
        }
        return reply(type, classified: x, subnet: subnet, pool: pool, yiaddr: yiaddr, lifetime: lifetime)
    }

    private func reply(_ type: DHCPv4MessageType, classified x: Exchange, subnet: Subnet4, pool: Pool4?,
                       yiaddr: IPv4Address, lifetime: UInt32?) -> DHCPv4Message {
        var r = replyHeader(x)
        r.yiaddr = yiaddr
        if type == .ack, !x.message.ciaddr.isZero { r.ciaddr = x.message.ciaddr }
        let reserved = reservation(for: x, in: subnet)
        // Kea's setFixedFields: the reservation, else the client's classes, else subnet and global.
        let boot = (reserved?.bootFields ?? BootFields()).inheriting(from: classBootFields(x))
            .inheriting(from: subnet.bootFields.inheriting(from: config.bootFields))
        if let ns = boot.nextServer { r.siaddr = ns }
        if let sn = boot.serverHostname { r.sname = Array(sn.utf8) }
        if let bf = boot.bootFileName { r.file = Array(bf.utf8) }
        r.options.set(DHCPv4Option.dhcpMessageType, u8: type.rawValue)
        // The option layers are built once per reply and read twice.
        let layers = optionLayers(x, subnet: subnet, pool: pool, reservation: reserved)
        if let configured = configuredServerIdentifier(in: layers) {
            r.options[DHCPv4Option.dhcpServerIdentifier] = configured
        } else {
            r.options.set(DHCPv4Option.dhcpServerIdentifier, address: serverIdentifier(x))
        }
        if let valid = lifetime {
            r.options.set(DHCPv4Option.dhcpLeaseTime, u32: valid)
            let (t1, t2) = teeTimes(valid: valid, subnet: subnet)
            if let t1 { r.options.set(DHCPv4Option.dhcpRenewalTime, u32: t1) }
            if let t2 { r.options.set(DHCPv4Option.dhcpRebindingTime, u32: t2) }
        }
        addConfiguredOptions(&r, x, subnet: subnet, layers: layers, leased: lifetime != nil)
        // Kea answers the client's name (option 81, else 12) with the name it will use
        // (Dhcp4Engine+ClientName).
        if lifetime != nil, let name = clientName(x, subnet: subnet, address: yiaddr) {
            r.options[name.code] = name.data
        }
        copyDefaultOptions(&r, x)
        return r
    }

    /// A `dhcp-server-identifier` (option 54) configured for the client (reservation, pool,
    /// subnet, shared network, class or global) replaces the interface address in replies,
    /// as Kea's ARM describes.
    func configuredServerIdentifier(_ x: Exchange, subnet: Subnet4, pool: Pool4?, reservation: Reservation4?) -> [UInt8]? {
        configuredServerIdentifier(in: optionLayers(x, subnet: subnet, pool: pool, reservation: reservation))
    }

    func configuredServerIdentifier(in layers: [[ConfiguredOption]]) -> [UInt8]? {
        for layer in layers {
            if let o = layer.first(where: { $0.code == DHCPv4Option.dhcpServerIdentifier.code }), o.payload.count == 4 {
                return o.payload
            }
        }
        return nil
    }

    /// What every reply copies from the request, as Kea's `copyDefaultOptions`: the client id
    /// (with echo-client-id), the relay agent information (option 82, relayed or not, when it
    /// is not empty) and the subnet-selection option (118, RFC 3011: returned as sent).
    func copyDefaultOptions(_ r: inout DHCPv4Message, _ x: Exchange) {
        if config.echoClientID, let cid = x.clientID { r.options[DHCPv4Option.dhcpClientIdentifier] = cid }
        if let rai = x.message.options[DHCPv4Option.dhcpAgentOptions], !rai.isEmpty {
            r.options[DHCPv4Option.dhcpAgentOptions] = rai
        }
        if let selection = x.message.options[DHCPv4Option.subnetSelection] {
            r.options[DHCPv4Option.subnetSelection] = selection
        }
    }

    /// The subnet mask goes with a lease (`leased`) even when not configured, as Kea's
    /// `assignLease` adds it; an INFORM reply carries it only when configured.
    func addConfiguredOptions(_ r: inout DHCPv4Message, _ x: Exchange, subnet: Subnet4,
                              layers: [[ConfiguredOption]], leased: Bool = true) {
        let prl = x.message.options.data(DHCPv4Option.dhcpParameterRequestList) ?? []
        /// The highest-precedence definition of a code (see `optionLayers`).
        func configured(_ code: UInt8) -> ConfiguredOption? {
            for list in layers { for o in list where o.code == code && o.enterprise == nil { return o } }
            return nil
        }
        // Kea 2.4 cancels a code that any layer marks never-send, whichever layer defines it.
        var cancelled: Set<UInt8> = []
        for list in layers { for o in list where o.neverSend && o.enterprise == nil { cancelled.insert(o.code) } }
        func add(_ code: UInt8, always: Bool) {
            // Options 124 and 125 are answered per vendor, by addVendorOptions.
            guard !r.options.contains(code), !Self.vendorIdentifyingCodes.contains(code) else { return }
            if let o = configured(code) {
                if !cancelled.contains(code) && (always || o.alwaysSend || prl.contains(code)) { r.options[code] = o.payload }
            } else if code == DHCPv4Option.subnetMask.code && leased {
                r.options.set(code, u32: subnet.prefix.mask.value)
            }
        }
        // Sent whenever configured, as Kea does: mask, routers, DNS servers, domain name.
        for code in alwaysSentCodes { add(code, always: true) }
        for code in prl { add(code, always: false) }
        for list in layers { for o in list where o.alwaysSend && o.enterprise == nil { add(o.code, always: false) } }
        addVendorOptions(&r, x, layers: layers, prl: prl)
    }

    func u32Bytes(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
    }

    /// Encodes a reply and addresses it as Kea's `adjustRemoteAddr`: an INFORM with ciaddr to
    /// ciaddr (RFC 2131 §4.3.5, relayed or not, giaddr cleared); else to the relay (giaddr);
    /// else to ciaddr (a NAK too); else a NAK by broadcast; else by broadcast when the client
    /// asked; else by link-layer unicast to chaddr.
    mutating func send(_ reply: DHCPv4Message, _ x: Exchange, _ effects: inout Effects4) {
        // The built-in hooks' pkt4_send: flexible options, then BOOTP's clean-up.
        var r = reply
        applyFlexOptions(&r, x, &effects)
        finishBootpReply(&r, x, &effects)
        let m = x.message
        let type = r.messageType
        var dest = IPv4Address.broadcast
        var port: UInt16 = 68
        // A request read from a raw socket is answered through it, at layer 2 to the frame's
        // source (the relay, or a client that has an address): no ARP is needed. An IP
        // broadcast goes in a frame to that source too, as Kea's packet filter writes it.
        let back: OutboundDatagram.Delivery = x.datagram.linkLayerSource.map { .linkLayerUnicast(hardwareAddress: $0) } ?? .unicast
        var delivery: OutboundDatagram.Delivery = x.datagram.linkLayerSource.map { .linkLayerUnicast(hardwareAddress: $0) } ?? .broadcast
        if x.type == .inform, !m.ciaddr.isZero {
            dest = m.ciaddr; delivery = back
            r.giaddr = .zero
        } else if !m.giaddr.isZero {
            dest = m.giaddr; port = 67; delivery = back
            // Kea sets the broadcast flag for a relayed INFORM without ciaddr only; other
            // replies keep the request's flags (a relayed NAK included).
            if x.type == .inform { r.broadcastFlag = true }
        } else if !m.ciaddr.isZero {
            dest = m.ciaddr; delivery = back
        } else if type == .nak || m.broadcastFlag || r.yiaddr.isZero {
            dest = .broadcast
        } else if m.htype == 1 && m.hlen == 6 {
            dest = r.yiaddr; delivery = .linkLayerUnicast(hardwareAddress: Array(m.chaddr.prefix(6)))
        }
        let maxSize = m.options.u16(DHCPv4Option.dhcpMaxMessageSize).map { Int($0) } ?? DHCPv4Message.defaultMaxMessageSize
        let bytes = r.encode(maxSize: maxSize)
        let out = OutboundDatagram(bytes: bytes, interfaceIndex: x.datagram.interface.index,
                                   source: .v4(serverIdentifier(x)), destination: .v4(dest), destinationPort: port,
                                   delivery: delivery)
        effects.datagrams.append(out)
        stats.add(.pktSent, now: x.now.wall)
        provisional.packetsSent += 1
        switch type {
        case .offer: stats.add(.pktOfferSent, now: x.now.wall)
        case .ack:
            stats.add(.pktAckSent, now: x.now.wall)
            provisional.acksSent += 1
        case .nak: stats.add(.pktNakSent, now: x.now.wall)
        default: break
        }
    }
}

/// Sent whenever configured (addConfiguredOptions): mask, routers, DNS servers, domain name.
private let alwaysSentCodes = [DHCPv4Option.subnetMask.code, DHCPv4Option.routers.code,
                               DHCPv4Option.domainNameServers.code, DHCPv4Option.domainName.code]
