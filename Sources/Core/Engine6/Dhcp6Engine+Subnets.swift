/// Subnet selection, host reservations and option lists (Kea's `selectSubnet`, host lookup
/// and `appendRequestedOptions`).
extension Dhcp6Engine {
    func network(of s: Subnet6) -> SharedNetwork6? {
        s.sharedNetwork.flatMap { $0 < config.sharedNetworks.count ? config.sharedNetworks[$0] : nil }
    }

    /// Subnets a client without classes may use (a `client-class` guard admits only its
    /// members, and this engine does not classify yet).
    var selectableSubnets: [Subnet6] {
        // Usually every subnet is: then the configuration's own array, without copying each
        // subnet into a new one (~3% of the packet path's instructions).
        let all = config.subnets
        if all.indices.allSatisfy({ i in
            all[i].clientClass == nil && all[i].sharedNetwork.map({ $0 >= config.sharedNetworks.count || config.sharedNetworks[$0].clientClass == nil }) ?? true
        }) {
            return all
        }
        return all.filter { $0.clientClass == nil && (network(of: $0)?.clientClass == nil) }
    }

    /// Kea's subnet selection (`CfgSubnets6::selectSubnet`). Relayed, when a relay (the one
    /// nearest the client that has one) gives a link-address that is neither zero nor
    /// link-local: the outermost relay's interface-id against subnets' `interface-id`, then
    /// that link-address against `relay.ip-addresses`, then against the subnets' prefixes.
    /// Otherwise (direct, or relays without a usable link-address) as a direct message: the
    /// receiving interface's name against `interface`, then the source address, then the
    /// interface's own global addresses against the prefixes.
    func selectSubnet(_ q: Query6) -> Subnet6? {
        let subnets = selectableSubnets
        if let link = q.relays.reversed().first(where: { $0.linkAddress != .unspecified && !$0.linkAddress.isLinkLocal })?
            .linkAddress {
            if let iid = q.relays.first?.options.interfaceID,
               let s = subnets.first(where: { ($0.interfaceID ?? network(of: $0)?.interfaceID) == iid }) {
                return s
            }
            if let s = subnets.first(where: {
                $0.relayAddresses.contains(link) || ($0.relayAddresses.isEmpty && (network(of: $0)?.relayAddresses.contains(link) ?? false))
            }) {
                return s
            }
            return subnets.first { $0.prefix.contains(link) }
        }
        let name = q.datagram.interface.name
        if let s = subnets.first(where: { ($0.interface ?? network(of: $0)?.interface) == name }) { return s }
        if let src = q.datagram.source.v6, !src.isLinkLocal, let s = subnets.first(where: { $0.prefix.contains(src) }) {
            return s
        }
        for a in q.datagram.interface.addresses {
            guard let v6 = a.address.v6, !v6.isLinkLocal else { continue }
            if let s = subnets.first(where: { $0.prefix.contains(v6) }) { return s }
        }
        return nil
    }

    func modes(_ s: Subnet6?) -> ReservationModes {
        (s?.reservationModes ?? ReservationModes()).inheriting(from: config.reservationModes)
    }

    /// The client's host reservation: by each of `host-reservation-identifiers` in turn, in
    /// the subnet (reservations-in-subnet) then globally (reservations-global).
    func findHost(_ q: Query6) -> Reservation6? {
        let m = modes(q.subnet)
        for type in config.hostReservationIdentifiers {
            let id: HostIdentifier
            switch type {
            case .duid where !q.duid.isEmpty: id = .duid(q.duid)
            case .hwAddress:
                guard let h = q.hardwareAddress else { continue }
                id = .hwAddress(HardwareAddress(type: 1, bytes: h.bytes))
            default: continue
            }
            if m.inSubnet ?? true, let s = q.subnet, let r = s.reservations.first(where: { Self.sameIdentifier($0.identifier, id) }) {
                return r
            }
            if m.global ?? false, let r = config.reservations.first(where: { Self.sameIdentifier($0.identifier, id) }) { return r }
        }
        return nil
    }

    static func sameIdentifier(_ a: HostIdentifier, _ b: HostIdentifier) -> Bool { a.type == b.type && a.bytes == b.bytes }

    /// Whether an address or prefix is reserved for a client other than `host`.
    func reservedForOther(_ p: IPv6Prefix, in s: Subnet6, host: Reservation6?) -> Bool {
        let m = modes(s)
        let isAddress = p.length == 128
        func holds(_ r: Reservation6) -> Bool {
            if let h = host, Self.sameIdentifier(h.identifier, r.identifier) { return false }
            return isAddress ? r.addresses.contains(p.network) : r.prefixes.contains(p)
        }
        if m.inSubnet ?? true, s.reservations.contains(where: holds) { return true }
        if m.global ?? false, config.reservations.contains(where: holds) { return true }
        return false
    }

    /// The options a reply carries besides the protocol's own: each code in the client's ORO
    /// and every always-send option, from the first list that has it: the reservation, the
    /// pools of the leases given, the subnet, its shared network, the globals.
    func requestedOptions(_ q: Query6, pools: [[ConfiguredOption6]], into out: inout DHCPv6Options) {
        var lists: [[ConfiguredOption6]] = []
        if let h = q.host { lists.append(h.optionData) }
        lists.append(contentsOf: pools)
        if let s = q.subnet {
            lists.append(s.optionData)
            if let n = network(of: s) { lists.append(n.optionData) }
        }
        lists.append(config.optionData)
        var wanted: [UInt16] = []
        for c in q.requested where !wanted.contains(c) { wanted.append(c) }
        for l in lists { for o in l where o.alwaysSend && !wanted.contains(o.code) { wanted.append(o.code) } }
        for code in wanted where !Self.isProtocolOwn(code) && !out.contains(code) {
            for l in lists {
                if let o = l.first(where: { $0.code == code }) {
                    if !o.neverSend { out.append(code, o.payload) }
                    break
                }
            }
        }
    }

    /// The protocol's own options, never taken from configuration (a switch: a Set literal
    /// here was built and hashed for every reply).
    static func isProtocolOwn(_ code: UInt16) -> Bool {
        switch code {
        case 1, 2, 3, 4, 5, 6, 9, 13, 14, 18, 25, 26: true
        default: false
        }
    }

    /// The subnet's effective timers (subnet, shared network, global).
    func timers(_ s: Subnet6) -> LeaseTimers6 { s.timers.inheriting(from: config.timers) }

    /// Whether Rapid Commit is allowed on the subnet (subnet, then shared network; off by default).
    func rapidCommit(_ s: Subnet6) -> Bool { s.rapidCommit ?? network(of: s)?.rapidCommit ?? false }
}
