/// Kea's allocation engine over a shared network: once a subnet is selected, every subnet of
/// its network that the client's classes admit is a candidate. The client's lease, its
/// reservation and the address it asks for are looked for in all of them; a free address is
/// searched subnet after subnet, from the network's preferred subnet (where the last free
/// address was found), moving on when one is exhausted. Whatever subnet the address is in
/// then answers for the reply and the lease.
extension Dhcp4Engine {
    /// The subnets the client may use once `selected` is chosen: `selected` alone, or the
    /// subnets of its shared network that admit the client, in Kea's walk order
    /// (`SharedNetwork4::getNextSubnet`: by ascending id, from `selected` on, wrapping).
    func networkSubnets(_ selected: Subnet4, _ x: Exchange) -> [Subnet4] {
        guard let n = selected.sharedNetwork, config.sharedNetworks.indices.contains(n) else { return [selected] }
        let members = config.sharedNetworks[n].subnetIDs.sorted().compactMap { subnet(id: $0) }.filter { admits($0, x) }
        guard members.contains(where: { $0.id == selected.id }) else { return [selected] }
        return rotated(members, to: selected.id)
    }

    /// `subnets`, starting at the one numbered `id` and wrapping around.
    func rotated(_ subnets: [Subnet4], to id: UInt32) -> [Subnet4] {
        guard let i = subnets.firstIndex(where: { $0.id == id }) else { return subnets }
        return Array(subnets[i...] + subnets[..<i])
    }

    /// Kea's `findClientLease` over `subnets`: by client id first (in subnets that match on
    /// it), then by hardware address; the first subnet in walk order that has one wins.
    func networkClientLease(_ x: Exchange, _ subnets: [Subnet4]) -> (lease: Lease4, subnet: Subnet4)? {
        if let cid = x.clientID {
            for s in subnets where s.matchClientID ?? config.matchClientID {
                if let l = store.firstLease(for: .clientID(cid), where: { $0.subnetID == s.id && $0.state != .declined }) {
                    return (l, s)
                }
            }
        }
        for s in subnets {
            if let l = store.firstLease(for: .hardwareAddress(x.hardwareAddress), where: {
                $0.subnetID == s.id && $0.state != .declined && belongs($0, to: x, subnet: s)
            }) {
                return (l, s)
            }
        }
        return nil
    }

    /// `chooseAddress` over the shared network of `selected`, with the subnet the outcome
    /// belongs to (the address's subnet; for `.unavailable`, the one to blame). Outside a
    /// network, or when the client's classes admit a single subnet of it, this is
    /// `chooseAddress` on `selected`. The order is Kea's: reservation, the lease the client
    /// holds (unless it asks for another address), the requested address if in a pool of
    /// any subnet and free, the held lease, then a free address.
    mutating func chooseInNetwork(
        _ x: Exchange, selected: Subnet4, hint: IPv4Address?, hintIsMandatory: Bool
    ) -> (result: AllocationResult, subnet: Subnet4) {
        let subnets = networkSubnets(selected, x)
        guard subnets.count > 1, let network = selected.sharedNetwork else {
            return (chooseAddress(x, subnet: selected, hint: hint, hintIsMandatory: hintIsMandatory), selected)
        }
        let held = networkClientLease(x, subnets)
        let existing = held?.lease
        let home = held?.subnet ?? selected
        let walk = rotated(subnets, to: home.id)
        // A reservation in any subnet of the network (Kea's hasAddressReservation: the first found).
        var reservation: (IPv4Address, Subnet4)?
        for s in walk {
            if let a = reservedAddress(for: x, in: s) { reservation = (a, s); break }
        }
        if let (reserved, s) = reservation {
            let free = isAvailable(reserved, for: x, subnet: s)
            if free && (hint == nil || hint == reserved || !hintIsMandatory) {
                return (.address(reserved, pool: pool(of: reserved, in: s), existing: existing), s)
            }
            if free { return (.unavailable, s) }
            countReservationConflict(s, x.now.wall)
        }
        if let e = existing, hint == nil || hint == e.address, let p = allowedPool(of: e.address, in: home, x),
           !isReservedForAnother(e.address, x, subnet: home) {
            return (.address(e.address, pool: p, existing: e), home)
        }
        if let h = hint {
            // Kea's inAllowedPool: the first subnet with a pool holding the address that the client may use.
            let owner = walk.first { s in pool(of: h, in: s).map { admits($0, x) } ?? false }
            if let s = owner, let p = pool(of: h, in: s), isAvailable(h, for: x, subnet: s) {
                return (.address(h, pool: p, existing: existing), s)
            }
            if hintIsMandatory { return (.unavailable, owner ?? walk.first { $0.prefix.contains(h) } ?? home) }
        }
        if let e = existing, let p = allowedPool(of: e.address, in: home, x), !isReservedForAnother(e.address, x, subnet: home) {
            return (.address(e.address, pool: p, existing: e), home)
        }
        let start = preferredSubnet(network, home, among: subnets)
        for s in rotated(subnets, to: start.id) {
            if let (a, p) = allocateFree(x, subnet: s) {
                preferredSubnets[network] = s.id
                return (.address(a, pool: p, existing: existing), s)
            }
        }
        return (.unavailable, home)
    }

    /// Kea's `SharedNetwork4::getPreferredSubnet`: the subnet where a free address was found
    /// last, if it is guarded by the same client class as `selected` (and the client may use
    /// it), else `selected`.
    func preferredSubnet(_ network: Int, _ selected: Subnet4, among subnets: [Subnet4]) -> Subnet4 {
        guard let id = preferredSubnets[network], let s = subnets.first(where: { $0.id == id }),
              s.clientClass == selected.clientClass else { return selected }
        return s
    }
}
