/// Whether a message must, must not, or may carry an option (Kea's sanity check).
enum OptionNeed6 { case mandatory, forbidden, optional }

/// One client message being answered: what every exchange reads.
struct Query6 {
    var client: DHCPv6ClientMessage
    /// The relay headers, outermost first (empty when the client sent it directly).
    var relays: [DHCPv6RelayMessage]
    var datagram: InboundDatagram
    var label: Client6Label
    /// The client's DUID (empty for an Information-Request without client-id).
    var duid: [UInt8]
    var requested: [UInt16]
    var hardwareAddress: HardwareAddress?
    var subnet: Subnet6?
    var host: Reservation6?
    /// The client's classes, in the order it joined them (see `Dhcp6Engine+Classes`).
    var classes = ClientClasses()
    var now: Now
}

extension Dhcp6Engine {
    /// Call for every datagram received on a DHCPv6 server socket (port 547): client messages
    /// sent to All_DHCP_Relay_Agents_and_Servers or unicast, and relay-forward messages.
    public mutating func handle(datagram d: InboundDatagram, now: Now) -> Effects6 {
        var effects = Effects6()
        stats.add(.pktReceived, now: now.wall)
        let message: DHCPv6Message
        switch DHCPv6Message.decode(d.bytes) {
        case .success(let m): message = m
        case .failure(let e):
            stats.add(.pktParseFailed, now: now.wall)
            drop(nil, .parseFailed("\(e)"), now, &effects)
            return effects
        }
        if case .relay(let r) = message, r.direction == .reply {
            stats.add(.pktUnknownReceived, now: now.wall)
            drop(nil, .unknownMessageType(message.messageType.code), now, &effects)
            return effects
        }
        let client = message.innermost
        let relays = message.relays
        let duid = client.options.clientID ?? []
        let label = Client6Label(duid: duid, transactionID: client.transactionID)
        countReceived(client.messageType, now: now.wall)
        switch client.messageType {
        case .solicit, .request, .confirm, .renew, .rebind, .release, .decline, .informationRequest: break
        default:
            drop(label, .unknownMessageType(client.messageType.code), now, &effects)
            return effects
        }
        // Kea fails to parse a message whose Client FQDN option is malformed (flags N and S
        // both set, reserved flags, a bad name) and drops it.
        if let fqdn = client.options[39], ClientFQDN6(data: fqdn) == nil {
            drop(label, .parseFailed("malformed Client FQDN option (39)"), now, &effects)
            return effects
        }
        if let reason = sanityCheck(client, relayed: !relays.isEmpty, destination: d.destination) {
            drop(label, reason, now, &effects)
            return effects
        }
        var q = Query6(client: client, relays: relays, datagram: d, label: label, duid: duid,
                       requested: (try? client.options.requestedOptions()) ?? [],
                       hardwareAddress: nil, subnet: nil, host: nil, now: now)
        q.hardwareAddress = clientHardwareAddress(q)
        classifyOnArrival(&q)
        if q.classes.contains("DROP") {
            drop(label, .dropClass, now, &effects)
            return effects
        }
        q.subnet = selectSubnet(q)
        q.host = findHost(q)
        classifyAfterHostLookup(&q)
        if q.classes.contains("DROP") {
            drop(label, .dropClass, now, &effects)
            return effects
        }
        var counted: [Counted6] = []
        let reply = answer(q, &effects, &counted)
        queueNameChanges(&effects, writesFrom: 0, client: label)
        guard let reply else {
            seal(&effects, label: label, counted: counted)
            return effects
        }
        send(reply, for: q, &effects, &counted)
        seal(&effects, label: label, counted: counted)
        return effects
    }

    /// Reclamation of expired leases, on Kea's timers.
    public mutating func handleDeadline(now: Now) -> Effects6 {
        var effects = Effects6()
        if let due = nextReclaim, now.monotonic >= due {
            // One slice of the cycle per call, the next one due at once (`ReclaimSlicing`).
            let e = config.expiredLeasesProcessing
            let left = reclaimCycleLeft ?? (e.reclaimLeasesPerCycleMax == 0 ? Int.max : Int(e.reclaimLeasesPerCycleMax))
            let slice = min(left, ReclaimSlicing.leasesPerCallMax)
            let done = reclaimExpired(now: now, limit: slice, &effects)
            if let rest = ReclaimSlicing.cycleLeft(left: left, slice: slice, done: done.reclaimed) {
                reclaimCycleLeft = rest
                nextReclaim = now.monotonic
            } else if done.flushed >= slice {
                reclaimCycleLeft = nil
                nextReclaim = now.monotonic
            } else {
                reclaimCycleLeft = nil
                scheduleTimers(after: now.monotonic)
            }
        }
        seal(&effects, label: nil, counted: [])
        return effects
    }

    func answerType(_ t: DHCPv6MessageType) -> DHCPv6MessageType { t == .solicit ? .advertise : .reply }

    /// The exchange for one message; nil when the message gets no answer.
    mutating func answer(_ q: Query6, _ effects: inout Effects6, _ counted: inout [Counted6]) -> DHCPv6ClientMessage? {
        switch q.client.messageType {
        case .solicit: return solicit(q, &effects, &counted)
        case .request: return request(q, &effects, &counted)
        case .renew, .rebind: return extend(q, &effects)
        case .release: return release(q, &effects)
        case .decline: return decline(q, &effects)
        case .confirm: return confirm(q)
        case .informationRequest: return informationRequest(q)
        default: return nil
        }
    }

    mutating func drop(_ label: Client6Label?, _ reason: Drop6Reason, _ now: Now, _ effects: inout Effects6) {
        stats.add(.pktReceiveDrop, now: now.wall)
        effects.events.append(.dropped(client: label, reason: reason))
    }

    mutating func countReceived(_ t: DHCPv6MessageType, now: WallTime) {
        let c: GlobalCounter6 = switch t {
        case .solicit: .pktSolicitReceived
        case .advertise: .pktAdvertiseReceived
        case .request: .pktRequestReceived
        case .reply: .pktReplyReceived
        case .renew: .pktRenewReceived
        case .rebind: .pktRebindReceived
        case .release: .pktReleaseReceived
        case .decline: .pktDeclineReceived
        case .informationRequest: .pktInfRequestReceived
        default: .pktUnknownReceived
        }
        stats.add(c, now: now)
    }

    /// Kea's checks before any processing (`testUnicast`, `sanityCheck`, `testServerID`):
    /// the nil result lets the message through.
    func sanityCheck(_ m: DHCPv6ClientMessage, relayed: Bool, destination: IPAddress) -> Drop6Reason? {
        let t = m.messageType
        switch t {
        case .solicit, .confirm, .rebind, .informationRequest:
            if !relayed, let dst = destination.v6, !dst.isMulticast { return .unicast(t) }
        default: break
        }
        let (clientID, serverID): (OptionNeed6, OptionNeed6) = switch t {
        case .solicit, .confirm, .rebind: (.mandatory, .forbidden)
        case .request, .renew, .release, .decline: (.mandatory, .mandatory)
        default: (.optional, .optional)
        }
        func check(_ need: OptionNeed6, _ option: DHCPv6Option, _ name: String) -> Drop6Reason? {
            let n = m.options.instances(of: option.code)
            switch need {
            case .mandatory where n != 1:
                return .requiredOptions(n == 0 ? "\(name) option is missing" : "exactly 1 \(name) option expected, but \(n) received")
            case .forbidden where n > 0:
                return .requiredOptions("\(name) option received in \(t) message, but it is forbidden")
            case .optional where n > 1:
                return .requiredOptions("at most 1 \(name) option expected, but \(n) received")
            default: return nil
            }
        }
        if let r = check(clientID, .clientid, "client-id") ?? check(serverID, .serverid, "server-id") { return r }
        if clientID == .mandatory, m.options.clientID?.isEmpty ?? true { return .requiredOptions("client-id option is empty") }
        if let sid = m.options.serverID, sid != serverDUID { return .serverIDMismatch(received: sid) }
        return nil
    }

    /// The client's hardware address (Kea's `mac-sources` "any", in its order): the frame's
    /// source for a direct message, a relay's client link-layer address option (79), the DUID.
    func clientHardwareAddress(_ q: Query6) -> HardwareAddress? {
        if q.relays.isEmpty, let l = q.datagram.linkLayerSource, !l.isEmpty { return HardwareAddress(type: 1, bytes: l) }
        if let opt = q.relays.last?.options[79], opt.count > 2 {
            return HardwareAddress(type: UInt8(truncatingIfNeeded: UInt16(opt[0]) << 8 | UInt16(opt[1])), bytes: Array(opt[2...]))
        }
        let d = q.duid
        guard d.count >= 4 else { return nil }
        let duidType = UInt16(d[0]) << 8 | UInt16(d[1])
        let htype = UInt8(truncatingIfNeeded: UInt16(d[2]) << 8 | UInt16(d[3]))
        if duidType == 1, d.count > 8 { return HardwareAddress(type: htype, bytes: Array(d[8...])) }
        if duidType == 3, d.count > 4 { return HardwareAddress(type: htype, bytes: Array(d[4...])) }
        return nil
    }

    /// Where `clientHardwareAddress` took the address from, as Kea's `hwaddr_source` names it.
    func clientHardwareAddressSource(_ q: Query6) -> HardwareAddressSource {
        if q.relays.isEmpty, let l = q.datagram.linkLayerSource, !l.isEmpty { return .raw }
        if let opt = q.relays.last?.options[79], opt.count > 2 { return .clientAddressRelayOption }
        return .duid
    }

    /// RFC 8357 Relay Source Port option.
    static var relaySourcePortOption: UInt16 { 135 }

    /// Where a reply goes: the client's port 546; a relay's 547, or the port it sent from when
    /// it included the Relay Source Port option (RFC 8357, as Kea does).
    func destinationPort(_ q: Query6) -> UInt16 {
        guard let outer = q.relays.first else { return 546 }
        return outer.options.contains(Self.relaySourcePortOption) ? q.datagram.sourcePort : 547
    }

    /// Wraps the reply in relay-reply messages mirroring the relay chain and addresses it: to
    /// the relay that sent the query (port 547), or to the client (port 546).
    mutating func send(_ reply: DHCPv6ClientMessage, for q: Query6, _ effects: inout Effects6, _ counted: inout [Counted6]) {
        var out = DHCPv6Message.client(reply)
        for r in q.relays.reversed() {
            var options = DHCPv6Options()
            if let iid = r.options.interfaceID { options.append(.interfaceId, iid) }
            // RFC 8357: a relay that gave its source port gets the option back (port 0).
            if r.options.contains(Self.relaySourcePortOption) { options.append(Self.relaySourcePortOption, [0, 0]) }
            out = .relay(DHCPv6RelayMessage(direction: .reply, hopCount: r.hopCount, linkAddress: r.linkAddress,
                                            peerAddress: r.peerAddress, options: options, relayedMessage: out))
        }
        let iface = q.datagram.interface
        let source: IPAddress
        if let dst = q.datagram.destination.v6, !dst.isMulticast {
            source = q.datagram.destination
        } else {
            source = iface.addresses.first { $0.address.v6?.isLinkLocal ?? false }?.address ?? .v6(.unspecified)
        }
        effects.datagrams.append(OutboundDatagram(bytes: out.encode(), interfaceIndex: iface.index, source: source,
                                                  destination: q.datagram.source,
                                                  destinationPort: destinationPort(q), delivery: .unicast))
        let now = q.now.wall
        stats.add(.pktSent, now: now)
        counted.append(.global(.pktSent))
        let typed: GlobalCounter6 = reply.messageType == .advertise ? .pktAdvertiseSent : .pktReplySent
        stats.add(typed, now: now)
        counted.append(.global(typed))
    }
}
