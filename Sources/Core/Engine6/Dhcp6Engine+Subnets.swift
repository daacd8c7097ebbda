/// Subnet selection, host reservations and option lists (Kea's `selectSubnet`, host lookup
/// and `appendRequestedOptions`).
extension Dhcp6Engine {
    func network(of s: Subnet6) -> SharedNetwork6? {
        s.sharedNetwork.flatMap { $0 < config.sharedNetworks.count ? config.sharedNetworks[$0] : nil }
    }

    /// The subnets a client of `classes` may use (a `client-class` guard, on the subnet or its
    /// shared network, admits only its members).
    func selectableSubnets(_ classes: ClientClasses) -> [Subnet6] {
        // Usually all of them: then the configuration's own array, without copying each subnet
        // into a new one (~3% of the packet path's instructions).
        let all = config.subnets
        if all.indices.allSatisfy({ admits(all[$0], classes) }) { return all }
        return all.filter { admits($0, classes) }
    }

    /// Kea's subnet selection (`CfgSubnets6::selectSubnet`). Relayed, when a relay (the one
    /// nearest the client that has one) gives a link-address that is neither zero nor
    /// link-local: the outermost relay's interface-id against subnets' `interface-id`, then
    /// that link-address against `relay.ip-addresses`, then against the subnets' prefixes.
    /// Otherwise (direct, or relays without a usable link-address) as a direct message: the
    /// receiving interface's name against `interface`, then the source address, then the
    /// interface's own global addresses against the prefixes.
    func selectSubnet(_ q: Query6) -> Subnet6? {
        let subnets = selectableSubnets(q.classes)
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
    /// pools of the leases given, the subnet (`subnet`: that of the leases, else the selected
    /// one), its shared network, the client's classes (required ones included), the globals.
    func requestedOptions(_ q: Query6, pools: [PoolRange6], subnet: Subnet6? = nil, into out: inout DHCPv6Options) {
        var lists: [[ConfiguredOption6]] = []
        if let h = q.host { lists.append(h.optionData) }
        lists.append(contentsOf: pools.map(\.options))
        let s = subnet ?? q.subnet
        if let s {
            lists.append(s.optionData)
            if let n = network(of: s) { lists.append(n.optionData) }
        }
        lists.append(contentsOf: classOptionLists(requiredClasses(q, subnet: s, pools: pools)))
        lists.append(config.optionData)
        var wanted: [UInt16] = []
        for c in q.requested where !wanted.contains(c) { wanted.append(c) }
        for l in lists {
            for o in l where o.enterprise == nil && o.alwaysSend && !wanted.contains(o.code) { wanted.append(o.code) }
        }
        for code in wanted where !Self.isProtocolOwn(code) && !out.contains(code) {
            for l in lists {
                if let o = l.first(where: { $0.enterprise == nil && $0.code == code }) {
                    if !o.neverSend { out.append(code, o.payload) }
                    break
                }
            }
        }
        if q.subnet != nil { vendorOptions(q, lists, into: &out) }
    }

    /// CableLabs' enterprise number, whose options (`vendor-4491`) a client asks for with the
    /// ORO sub-option (1) of its option 17.
    static var cableLabsEnterprise: UInt32 { 4491 }

    /// The vendor-specific information (option 17) of a reply, as Kea's
    /// appendRequestedVendorOptions: the vendors are those of the option 17 already in the
    /// reply (configured, sent for the ORO), of the client's options 17 and of its vendor
    /// classes (16). For each, in ascending number, the sub-options wanted are those of the
    /// client's CableLabs ORO (4491 only) and those a level marks always-send in
    /// `vendor-<number>`, less those a level marks never-send; each found (most specific level
    /// first) and not already there joins the vendor's option 17, sub-options in code order.
    /// A vendor gets a new option 17 only when something was added.
    func vendorOptions(_ q: Query6, _ lists: [[ConfiguredOption6]], into out: inout DHCPv6Options) {
        func enterprise(_ d: [UInt8]) -> UInt32? {
            d.count >= 4 ? d[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : nil
        }
        var vendors = Set(out.all(17).compactMap(enterprise))
        var oro: [UInt16] = []
        for d in q.client.options.all(17) {
            guard let id = enterprise(d) else { continue }
            vendors.insert(id)
            if id == Self.cableLabsEnterprise, oro.isEmpty, let codes = Self.subOption(1, in: d[4...]) {
                oro = stride(from: codes.startIndex, to: codes.endIndex - 1, by: 2).map {
                    UInt16(codes[$0]) << 8 | UInt16(codes[$0 + 1])
                }
            }
        }
        for d in q.client.options.all(16) { if let id = enterprise(d) { vendors.insert(id) } }
        for id in vendors.sorted() {
            var wanted = Set(id == Self.cableLabsEnterprise ? oro : [])
            var cancelled: Set<UInt16> = []
            for l in lists {
                for o in l where o.enterprise == id {
                    if o.alwaysSend { wanted.insert(o.code) }
                    if o.neverSend { cancelled.insert(o.code) }
                }
            }
            let index = out.entries.firstIndex { $0.code == 17 && enterprise($0.data) == id }
            var subs: [(code: UInt16, data: ArraySlice<UInt8>)] = []
            if let index { subs = Self.subOptions(out.entries[index].data[4...]) }
            var added = false
            for code in wanted.sorted() where !cancelled.contains(code) && !subs.contains(where: { $0.code == code }) {
                for l in lists {
                    if let o = l.first(where: { $0.enterprise == id && $0.code == code }) {
                        subs.append((code, o.payload[...]))
                        added = true
                        break
                    }
                }
            }
            guard added else { continue }
            var data = [UInt8(id >> 24), UInt8(id >> 16 & 0xFF), UInt8(id >> 8 & 0xFF), UInt8(id & 0xFF)]
            // Kea keeps an option's sub-options by code and packs them in that order.
            for sub in subs.enumerated().sorted(by: { ($0.element.code, $0.offset) < ($1.element.code, $1.offset) }) {
                let n = sub.element.data.count
                data += [UInt8(sub.element.code >> 8), UInt8(sub.element.code & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
                data += sub.element.data
            }
            if let index {
                var entries = out.entries
                entries[index].data = data
                out = DHCPv6Options(entries)
            } else {
                out.append(17, data)
            }
        }
    }

    /// The code/length/data sub-options of an option's data (a truncated tail is ignored).
    static func subOptions(_ d: ArraySlice<UInt8>) -> [(code: UInt16, data: ArraySlice<UInt8>)] {
        SubOptions.all6(d)
    }

    static func subOption(_ code: UInt16, in d: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        SubOptions.first6(code, in: d)
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
