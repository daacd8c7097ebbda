extension Dhcp4Engine {
    mutating func handleDiscover(_ x: Exchange, _ effects: inout Effects4) {
        guard let selected = x.subnet else { return drop(.noSubnet, x.label, x.now, &effects) }
        let (result, subnet) = chooseInNetwork(x, selected: selected, hint: x.message.requestedAddress, hintIsMandatory: false)
        var x = x
        x.subnet = subnet  // In a shared network, the subnet the address is in answers.
        switch result {
        case .unavailable:
            countAllocationFailure(subnet, x.now.wall)
            effects.events.append(.allocationFailed(client: x.label, subnetID: subnet.id))
            drop(.noAddressAvailable, x.label, x.now, &effects)
        case .address(let a, let pool, _):
            // A young lease is offered with what is left of it, as Kea's lease caching does
            // for DISCOVERs too (nothing is counted or written for an offer).
            let full = validLifetime(x, subnet: subnet)
            let valid = reusableLifetime(a, valid: full, x, subnet) ?? full
            effects.events.append(.advertised(client: x.label, address: a))
            send(reply(.offer, x, subnet: subnet, pool: pool, yiaddr: a, lifetime: valid), x, &effects)
        }
    }

    /// RFC 2131 §4.3.2: SELECTING (server id), INIT-REBOOT (requested address, no ciaddr),
    /// RENEWING/REBINDING (ciaddr). Kea is not authoritative by default: an INIT-REBOOT client
    /// it knows nothing about gets silence, not a NAK.
    mutating func handleRequest(_ x: Exchange, _ effects: inout Effects4) {
        let m = x.message
        if let sid = m.serverIdentifier, !acceptsServerIdentifier(sid, x) {
            return drop(.notForThisServer(sid), x.label, x.now, &effects)
        }
        let hint: IPv4Address? = m.requestedAddress ?? (m.ciaddr.isZero ? nil : m.ciaddr)
        // Kea's assignLease: without a subnet the client is out of luck, authoritative or not.
        guard let selected = x.subnet else { return nak(.noSubnet(hint), x, &effects) }
        let authoritative = selected.authoritative ?? config.authoritative
        // In a shared network, the client's lease and the address it asks for may be in any
        // subnet of it that the client may use.
        let candidates = networkSubnets(selected, x)
        // INIT-REBOOT (option 50, no server id): an unknown client gets silence, or a NAK when
        // authoritative; a known one a NAK unless it asks for the address it holds. This comes
        // before any check of the address, as in Kea.
        let initReboot = m.serverIdentifier == nil && m.requestedAddress != nil
        if initReboot, let h = m.requestedAddress {
            guard let held = networkClientLease(x, candidates)?.lease else {
                if !authoritative { return drop(.initRebootUnknownClient(h), x.label, x.now, &effects) }
                return nak(.unknownClient(h), x, &effects)
            }
            if held.address != h {
                return nak(.clientHoldsOtherAddress(requested: h, held: held.address), x, &effects)
            }
        }
        if let h = hint, !candidates.contains(where: { $0.prefix.contains(h) }) {
            return nak(.addressNotInSubnet(h), x, &effects)
        }
        let (result, subnet) = chooseInNetwork(x, selected: selected, hint: hint, hintIsMandatory: hint != nil)
        var x = x
        x.subnet = subnet  // In a shared network, the subnet the address is in answers.
        switch result {
        case .unavailable:
            if let h = hint {
                let inPool = pool(of: h, in: subnet) != nil || reservedAddress(for: x, in: subnet) == h
                return nak(inPool ? .addressInUse(h) : .addressNotInPool(h), x, &effects)
            }
            countAllocationFailure(subnet, x.now.wall)
            effects.events.append(.allocationFailed(client: x.label, subnetID: subnet.id))
            drop(.noAddressAvailable, x.label, x.now, &effects)
        case .address(let a, let pool, let existing):
            let valid = validLifetime(x, subnet: subnet)
            // Lease caching (cache-threshold, cache-max-age): Dhcp4Engine+LeaseReuse.swift.
            if reuseCachedLease(a, pool: pool, valid: valid, x, subnet, &effects) { return }
            grant(a, pool: pool, existing: existing, valid: valid, x, subnet, &effects)
            send(reply(.ack, x, subnet: subnet, pool: pool, yiaddr: a, lifetime: valid), x, &effects)
        }
    }

    /// Writes the lease (before the ACK is sent: the shell persists `leaseChanges` first).
    mutating func grant(_ a: IPv4Address, pool: Pool4?, existing: Lease4?, valid: UInt32,
                        _ x: Exchange, _ subnet: Subnet4, _ effects: inout Effects4) {
        let previous = store.lease(at: a)
        var lease = Lease4(address: a, hardwareAddress: x.hardwareAddress, clientID: x.clientID,
                           validLifetimeSeconds: valid, expire: x.now.wall + Seconds(Int64(valid)),
                           subnetID: subnet.id)
        lease.poolID = pool?.poolID ?? 0
        // The name the reply carries (option 81 or 12), as Kea records it in the lease,
        // DDNS or not (Dhcp4Engine+ClientName).
        if let name = clientName(x, subnet: subnet, address: a) {
            lease.hostname = name.hostname
            lease.fqdnForward = name.forward
            lease.fqdnReverse = name.reverse
        }
        // The lease whose DNS entries this one replaces: the client's own (renewed, or at the
        // address it leaves), else an expired lease of another client being reused here.
        var replaced: Lease4? = nil
        if let p = previous, p.state == .assigned, belongs(p, to: x, subnet: subnet) {
            replaced = p
            if let e = existing, e.address != a, e.state == .assigned { queueNameChange(.remove, for: e, &effects) }
            effects.events.append(.renewed(client: x.label, address: a, lifetimeSeconds: valid))
        } else {
            if let e = existing, e.address != a, e.state == .assigned { replaced = e }
            if let p = previous, p.state == .assigned { queueNameChange(.remove, for: p, &effects) }
            stats.add(.cumulativeAssignedAddresses, now: x.now.wall)
            stats.add(.cumulativeAssignedAddresses, subnet: subnet.id, now: x.now.wall)
            provisional.cumulativeAssigned = subnet.id
            effects.events.append(.allocated(client: x.label, address: a, lifetimeSeconds: valid))
        }
        // A client moving to another address gives up its old one.
        if let e = existing, e.address != a {
            adjustGauges(old: e, new: nil, now: x.now.wall)
            commit(.delete(e), into: &effects)
        }
        adjustGauges(old: previous, new: lease, now: x.now.wall)
        commit(.upsert(lease), into: &effects)
        queueNameChanges(new: lease, old: replaced, subnet: subnet, &effects)
    }

    /// Option 12 as text: printable ASCII, trailing NULs and dots removed; nil when empty.
    static func hostname(_ raw: [UInt8]) -> String? {
        var bytes = raw.prefix(255)
        while let last = bytes.last, last == 0 || last == UInt8(ascii: ".") { bytes = bytes.dropLast() }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 > 32 && $0 < 127 }) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    mutating func countAllocationFailure(_ subnet: Subnet4, _ now: WallTime) {
        // Kea counts a failure in a shared network under -shared-network, else under -subnet.
        let shared = subnet.sharedNetwork != nil
        stats.add(.allocationFail, now: now)
        stats.add(shared ? .allocationFailSharedNetwork : .allocationFailSubnet, now: now)
        stats.add(.allocationFail, subnet: subnet.id, now: now)
        stats.add(shared ? .allocationFailSharedNetwork : .allocationFailSubnet, subnet: subnet.id, now: now)
    }

    mutating func nak(_ reason: NakReason, _ x: Exchange, _ effects: inout Effects4) {
        effects.events.append(.nak(client: x.label, reason: reason))
        var r = replyHeader(x)
        r.options[DHCPv4Option.dhcpMessageType] = [DHCPv4MessageType.nak.rawValue]
        r.options[DHCPv4Option.dhcpServerIdentifier] = x.subnet.flatMap {
            configuredServerIdentifier(x, subnet: $0, pool: nil, reservation: nil)
        } ?? serverIdentifier(x).bytes
        copyDefaultOptions(&r, x)
        send(r, x, &effects)
    }

    /// RELEASE: the lease at ciaddr, if it is this client's, goes away (Kea 2.4 deletes it).
    /// A lease held by another client is left alone and logged as Kea logs it.
    mutating func handleRelease(_ x: Exchange, _ effects: inout Effects4) {
        if let sid = x.message.serverIdentifier, !acceptsServerIdentifier(sid, x) {
            return drop(.notForThisServer(sid), x.label, x.now, &effects)
        }
        let a = x.message.ciaddr
        guard let l = store.lease(at: a), l.state == .assigned, let subnet = self.subnet(id: l.subnetID) else {
            return drop(.releaseNoLease(a), x.label, x.now, &effects)
        }
        guard belongs(l, to: x, subnet: subnet) else {
            return drop(.releaseWrongClient(mismatch(l, x)), x.label, x.now, &effects)
        }
        adjustGauges(old: l, new: nil, now: x.now.wall)
        // Kea's row for a release: valid_lifetime 0, expire = the time of the release.
        var released = l
        released.validLifetimeSeconds = 0
        released.expire = x.now.wall
        commit(.delete(released), into: &effects)
        // Kea removes the lease's DNS entries, if any.
        queueNameChange(.remove, for: l, &effects)
        effects.events.append(.released(client: x.label, address: a))
    }

    /// DECLINE: the address is in use by someone else on the link. It goes into probation for
    /// decline-probation-period with the client's identity wiped, as Kea's `Lease4::decline`.
    /// Kea's checks first: option 50 is mandatory, and only the lease's own client may decline it.
    mutating func handleDecline(_ x: Exchange, _ effects: inout Effects4) {
        if let sid = x.message.serverIdentifier, !acceptsServerIdentifier(sid, x) {
            return drop(.notForThisServer(sid), x.label, x.now, &effects)
        }
        guard let a = x.message.requestedAddress else { return drop(.missingRequestedAddress, x.label, x.now, &effects) }
        guard let l = store.lease(at: a), l.state == .assigned, let subnet = self.subnet(id: l.subnetID) else {
            return drop(.declineNoLease(a), x.label, x.now, &effects)
        }
        guard belongs(l, to: x, subnet: subnet) else {
            return drop(.declineWrongClient(mismatch(l, x)), x.label, x.now, &effects)
        }
        let probation = config.declineProbationPeriodSeconds
        var d = Lease4(address: a, hardwareAddress: nil, clientID: nil, validLifetimeSeconds: probation,
                       expire: x.now.wall + Seconds(Int64(probation)), subnetID: l.subnetID)
        d.state = .declined
        d.poolID = l.poolID
        adjustGauges(old: l, new: d, now: x.now.wall)
        commit(.upsert(d), into: &effects)
        queueNameChange(.remove, for: l, &effects)
        effects.events.append(.declined(client: x.label, address: a, probationSeconds: probation))
    }

    /// What a refused RELEASE or DECLINE said against what the lease holds.
    func mismatch(_ l: Lease4, _ x: Exchange) -> LeaseMismatch {
        LeaseMismatch(address: l.address, receivedHardwareAddress: x.hardwareAddress, leaseHardwareAddress: l.hardwareAddress,
                      receivedClientID: x.clientID, leaseClientID: l.clientID)
    }

    /// INFORM: configuration only, no lease, no lifetime.
    /// Without a subnet Kea still answers, with no configured options (its option list is
    /// built from a subnet).
    mutating func handleInform(_ x: Exchange, _ effects: inout Effects4) {
        var r: DHCPv4Message
        if let subnet = x.subnet {
            r = reply(.ack, x, subnet: subnet, pool: nil, yiaddr: .zero, lifetime: nil)
        } else {
            r = replyHeader(x)
            r.options[DHCPv4Option.dhcpMessageType] = [DHCPv4MessageType.ack.rawValue]
            r.options[DHCPv4Option.dhcpServerIdentifier] = serverIdentifier(x).bytes
            copyDefaultOptions(&r, x)
        }
        r.ciaddr = x.message.ciaddr
        effects.events.append(.informed(client: x.label))
        send(r, x, &effects)
    }
}
