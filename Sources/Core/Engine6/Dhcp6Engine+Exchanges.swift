/// The client exchanges of RFC 8415 §18.3 as kea-dhcp6 answers them.
extension Dhcp6Engine {
    /// A reply's common part: the client's identifier echoed and the server's.
    func baseReply(_ q: Query6, _ type: DHCPv6MessageType) -> DHCPv6ClientMessage {
        var r = DHCPv6ClientMessage(messageType: type, transactionID: q.client.transactionID)
        if let cid = q.client.options.clientID { r.options.append(.clientid, cid) }
        r.options.append(.serverid, serverDUID)
        return r
    }

    func iaNAs(_ q: Query6) -> [DHCPv6IA] { (try? q.client.options.iaNAs()) ?? [] }
    func iaPDs(_ q: Query6) -> [DHCPv6IA] { (try? q.client.options.iaPDs()) ?? [] }

    /// Solicit: Advertise what would be given, or with Rapid Commit allowed on the subnet,
    /// give it and Reply. A configured Preference (7) goes out like any option: when the
    /// client asks for it or it is `always-send` (Kea has no special case for it).
    mutating func solicit(_ q: Query6, _ effects: inout Effects6, _ counted: inout [Counted6]) -> DHCPv6ClientMessage {
        // Not `q.subnet.map(rapidCommit)`: a method reference copies the engine.
        var rapid = false
        if q.client.options.rapidCommit, let s = q.subnet { rapid = rapidCommit(s) }
        var r = baseReply(q, rapid ? .reply : .advertise)
        if rapid {
            r.options.append(.rapidCommit, [])
            effects.events.append(.rapidCommit(client: q.label))
        }
        if q.subnet == nil { effects.events.append(.subnetSelectionFailed(client: q.label)) }
        assignAll(q, commit: rapid, into: &r, &effects, &counted)
        return r
    }

    /// Request: give the IAs their leases and Reply.
    mutating func request(_ q: Query6, _ effects: inout Effects6, _ counted: inout [Counted6]) -> DHCPv6ClientMessage {
        var r = baseReply(q, .reply)
        if q.subnet == nil { effects.events.append(.subnetSelectionFailed(client: q.label)) }
        assignAll(q, commit: true, into: &r, &effects, &counted)
        return r
    }

    mutating func assignAll(_ q: Query6, commit: Bool, into r: inout DHCPv6ClientMessage,
                            _ effects: inout Effects6, _ counted: inout [Counted6]) {
        var taken = Set<IPv6Prefix>()
        var used: [PoolRange6] = []
        let start = effects.writes.count
        for ia in iaNAs(q) {
            r.options.append(iaNA: assign(.nonTemporaryAddress, ia, q, commit: commit, taken: &taken, pools: &used, &effects, &counted))
        }
        for ia in iaPDs(q) {
            r.options.append(iaPD: assign(.delegatedPrefix, ia, q, commit: commit, taken: &taken, pools: &used, &effects, &counted))
        }
        applyClientFQDN(q, into: &r, &effects, writesFrom: start)
        requestedOptions(q, pools: used, subnet: leaseSubnet(q, r), into: &r.options)
    }

    /// The subnet whose options a reply carries, as Kea's context subnet after the leases:
    /// in a shared network, the subnet of the last lease given (IA_NAs, then IA_PDs); else
    /// the selected subnet.
    func leaseSubnet(_ q: Query6, _ r: DHCPv6ClientMessage) -> Subnet6? {
        guard let s = q.subnet, s.sharedNetwork != nil else { return q.subnet }
        let subnets = candidateSubnets(s, q.classes)
        var last: Subnet6?
        for ia in (try? r.options.iaNAs()) ?? [] {
            for a in (try? ia.addresses()) ?? [] where a.validLifetimeSeconds > 0 {
                if let owner = subnets.first(where: { $0.prefix.contains(a.address) }) { last = owner }
            }
        }
        for ia in (try? r.options.iaPDs()) ?? [] {
            for p in (try? ia.prefixes()) ?? [] where p.validLifetimeSeconds > 0 {
                if let owner = subnets.first(where: { pools($0, .delegatedPrefix, classes: q.classes).contains { $0.contains(p.prefix) } }) {
                    last = owner
                }
            }
        }
        return last ?? s
    }

    /// Renew and Rebind: extend the IA's leases in the selected subnet, as Kea's
    /// `extendIA_NA`/`extendIA_PD`: a Renew or Rebind for an IA the server has no lease for
    /// gets a new one if it can (RFC 8415 §18.3.4, as Kea 2.2 answers); whatever the
    /// client listed and does not keep comes back with zero lifetimes, and an IA left empty
    /// says NoBinding (the client listed something) or NoAddrsAvail/NoPrefixAvail. Without a
    /// subnet: NoBinding, except a Rebind of an IA_PD, which Kea discards (nil).
    mutating func extend(_ q: Query6, _ effects: inout Effects6) -> DHCPv6ClientMessage? {
        var r = baseReply(q, .reply)
        var taken = Set<IPv6Prefix>()
        var used: [PoolRange6] = []
        var counted: [Counted6] = []  // a renewal counts nothing that must be taken back
        let start = effects.writes.count
        if q.subnet == nil, q.client.messageType == .rebind, !iaPDs(q).isEmpty { return nil }
        for (type, ias) in [(LeaseType6.nonTemporaryAddress, iaNAs(q)), (.delegatedPrefix, iaPDs(q))] {
            for ia in ias {
                let out = extendIA(type, ia, q, taken: &taken, pools: &used, &effects, &counted)
                if type == .delegatedPrefix { r.options.append(iaPD: out) } else { r.options.append(iaNA: out) }
            }
        }
        applyClientFQDN(q, into: &r, &effects, writesFrom: start)
        requestedOptions(q, pools: used, subnet: leaseSubnet(q, r), into: &r.options)
        return r
    }

    mutating func extendIA(_ type: LeaseType6, _ ia: DHCPv6IA, _ q: Query6, taken: inout Set<IPv6Prefix>,
                           pools used: inout [PoolRange6], _ effects: inout Effects6, _ counted: inout [Counted6]) -> DHCPv6IA {
        let pd = type == .delegatedPrefix
        let h = hints(ia, type)
        guard let s = q.subnet else {
            var out = DHCPv6IA(iaid: ia.iaid)
            out.options.append(DHCPv6Status(.noBinding, message: pd ? "Sorry, no known PD leases for this duid/iaid."
                                                                    : "Sorry, no known leases for this duid/iaid."))
            return out
        }
        let subnets = candidateSubnets(s, q.classes)
        let ranges = subnets.flatMap { pools($0, type, classes: q.classes) }
        let held = store.leases(for: .identity(type: type, duid: q.duid, iaid: ia.iaid)).filter { l in
            l.state == .assigned && subnets.contains { $0.id == l.subnetID && !reservedForOther(l.prefix, in: $0, host: q.host) }
        }
        var out = DHCPv6IA(iaid: ia.iaid)
        var given: [IPv6Prefix] = []
        var retired: [IPv6Prefix] = []
        if !held.isEmpty, !held.contains(where: { isReserved($0.prefix, for: q) }),
           reservedCandidate(type, q, s, iaid: ia.iaid, taken: taken) != nil {
            // A reservation appeared for the client: it gets the reserved lease, and the
            // dynamic ones it held come back with zero lifetimes.
            out = assign(type, ia, q, commit: true, taken: &taken, pools: &used, &effects, &counted)
            given = pd ? ((try? out.prefixes()) ?? []).map(\.prefix)
                       : ((try? out.addresses()) ?? []).map { IPv6Prefix(network: $0.address, length: 128) }
            retired = held.map(\.prefix).filter { !given.contains($0) && !h.prefixes.contains($0) }
        } else if held.isEmpty {
            // Kea (2.2's replies, its extendIA_NA through renewLeases6) allocates on the link
            // for a Rebind without a binding too.
            if q.client.messageType == .renew || q.client.messageType == .rebind {
                out = assign(type, ia, q, commit: true, taken: &taken, pools: &used, &effects, &counted)
                out.options.removeAll(DHCPv6Option.statusCode.code)
                given = pd ? ((try? out.prefixes()) ?? []).map(\.prefix)
                           : ((try? out.addresses()) ?? []).map { IPv6Prefix(network: $0.address, length: 128) }
            }
        } else {
            var shortest = UInt32.max
            for old in held {
                let owner = subnets.first { $0.id == old.subnetID } ?? s
                let (preferred, valid) = lifetimes(owner, h, q)
                shortest = min(shortest, preferred)
                var l = old
                l.preferredLifetimeSeconds = preferred
                l.validLifetimeSeconds = valid
                l.expire = q.now.wall + Seconds(Int64(valid))
                if let hw = q.hardwareAddress { l.hardwareAddress = hw; l.hardwareAddressSource = clientHardwareAddressSource(q) }
                commit(.upsert(l), into: &effects, now: q.now.wall)
                effects.events.append(pd ? .prefixRenewed(client: q.label, prefix: l.prefix, iaid: ia.iaid)
                                         : .leaseRenewed(client: q.label, address: l.address, iaid: ia.iaid))
                let pool = ranges.first { $0.contains(l.prefix) }
                if let pool { used.append(pool) }
                appendLease(l.prefix, pd: pd, preferred: preferred, valid: valid, pool: pool, q, to: &out)
                given.append(l.prefix)
                taken.insert(l.prefix)
            }
            (out.t1Seconds, out.t2Seconds) = teeTimes(s, preferred: shortest)
        }
        for p in h.prefixes + retired where !given.contains(p) {
            appendLease(p, pd: pd, preferred: 0, valid: 0, pool: nil, q, to: &out)
        }
        if given.isEmpty {
            (out.t1Seconds, out.t2Seconds) = (0, 0)
            if !h.prefixes.isEmpty {
                out.options.append(DHCPv6Status(.noBinding, message: "Sorry, no known leases for this duid/iaid/subnet."))
            } else {
                out.options.append(DHCPv6Status(pd ? .noPrefixAvail : .noAddrsAvail,
                                                message: "Sorry, no \(pd ? "prefixes" : "addresses") could be assigned at this time."))
            }
        }
        return out
    }

    /// Release: each IA's first address (or prefix) removed when it is the client's, with a
    /// status per IA and a summary status.
    mutating func release(_ q: Query6, _ effects: inout Effects6) -> DHCPv6ClientMessage {
        var r = baseReply(q, .reply)
        var general = DHCPv6StatusCode.success
        for (type, ias) in [(LeaseType6.nonTemporaryAddress, iaNAs(q)), (.delegatedPrefix, iaPDs(q))] {
            let pd = type == .delegatedPrefix
            for ia in ias {
                var out = DHCPv6IA(iaid: ia.iaid)
                let status: DHCPv6Status
                if let p = hints(ia, type).prefixes.first {
                    if let l = store.lease(type, at: p.network), l.state == .assigned, pd ? l.prefixLength == UInt8(p.length) : true {
                        if l.duid != q.duid {
                            status = DHCPv6Status(.noBinding, message: "This address does not belong to you, you can't release it")
                            if !pd { effects.events.append(.releaseWrongOwner(client: q.label, address: p.network, owner: l.duid)) }
                        } else if l.iaid != ia.iaid {
                            status = DHCPv6Status(.noBinding, message: "This is your address, but you used wrong IAID")
                            if !pd { effects.events.append(.releaseWrongIAID(client: q.label, address: p.network, expected: l.iaid, received: ia.iaid)) }
                        } else {
                            commit(.delete(l), into: &effects, now: q.now.wall)
                            effects.events.append(pd ? .prefixReleased(client: q.label, prefix: l.prefix, iaid: ia.iaid)
                                                     : .released(client: q.label, address: l.address, iaid: ia.iaid))
                            status = DHCPv6Status(.success, message: "Lease released. Thank you, please come again.")
                        }
                    } else {
                        status = DHCPv6Status(.noBinding, message: "Sorry, no known leases for this duid/iaid, can't release.")
                    }
                } else {
                    status = DHCPv6Status(.noBinding, message: "You did not include an address in your RELEASE")
                }
                if status.code != .success { general = status.code }
                out.options.append(status)
                if pd { r.options.append(iaPD: out) } else { r.options.append(iaNA: out) }
            }
        }
        r.options.append(DHCPv6Status(general, message: "Summary status for all processed IA_NAs"))
        // As Kea's processRelease: the server-id only, no requested or always-send option.
        return r
    }

    /// Decline: each address of each IA_NA that is the client's goes to the declined state
    /// for decline-probation-period; the IA says Success, or NoBinding for the first that
    /// is not the client's.
    mutating func decline(_ q: Query6, _ effects: inout Effects6) -> DHCPv6ClientMessage {
        var r = baseReply(q, .reply)
        let probation = config.declineProbationPeriodSeconds
        for ia in iaNAs(q) {
            var out = DHCPv6IA(iaid: ia.iaid)
            var status = DHCPv6Status(.success, message: "Lease declined. Hopefully the next one will be better.")
            var declined: [Lease6] = []
            for a in (try? ia.addresses()) ?? [] {
                guard let l = store.lease(.nonTemporaryAddress, at: a.address), l.state == .assigned else {
                    effects.events.append(.declineNoLease(client: q.label, address: a.address))
                    status = DHCPv6Status(.noBinding, message: "Server does not know about such an address.")
                    break
                }
                guard l.duid == q.duid else {
                    effects.events.append(.declineWrongOwner(client: q.label, address: a.address, owner: l.duid))
                    status = DHCPv6Status(.noBinding, message: "This address does not belong to you, you can't decline it")
                    break
                }
                guard l.iaid == ia.iaid else {
                    effects.events.append(.declineWrongIAID(client: q.label, address: a.address, received: ia.iaid, expected: l.iaid))
                    status = DHCPv6Status(.noBinding, message: "This is your address, but you used wrong IAID")
                    break
                }
                declined.append(l)
            }
            if status.code == .success {
                for l in declined {
                    var d = Lease6(type: .nonTemporaryAddress, address: l.address, duid: Lease6.emptyDUID, iaid: 0,
                                   preferredLifetimeSeconds: 0, validLifetimeSeconds: probation,
                                   expire: q.now.wall + Seconds(Int64(probation)), subnetID: l.subnetID)
                    d.state = .declined
                    commit(.upsert(d), into: &effects, now: q.now.wall)
                    effects.events.append(.declined(client: q.label, address: l.address, probationSeconds: probation))
                }
            }
            out.options.append(status)
            r.options.append(iaNA: out)
        }
        // As Kea's processDecline: no requested or always-send option.
        return r
    }

    /// Confirm: NotOnLink when an address is outside the client's link (or no subnet was
    /// selected), Success when all are on it; no answer when the message holds no address.
    func confirm(_ q: Query6) -> DHCPv6ClientMessage? {
        var addresses: [IPv6Address] = []
        for ia in iaNAs(q) { addresses += ((try? ia.addresses()) ?? []).map(\.address) }
        guard !addresses.isEmpty else { return nil }
        var r = baseReply(q, .reply)
        requestedOptions(q, pools: [], into: &r.options)
        guard let s = q.subnet else {
            r.options.append(DHCPv6Status(.notOnLink, message: "Server could not select subnet for this client"))
            return r
        }
        // Kea's processConfirm: on link means in the selected subnet, even when that subnet
        // is in a shared network with others.
        let onLink: (IPv6Address) -> Bool = { s.prefix.contains($0) }
        // Kea's texts: the first address off the link is named.
        if let off = addresses.first(where: { !onLink($0) }) {
            r.options.append(DHCPv6Status(.notOnLink, message: "Address \(off) is not on link."))
        } else {
            r.options.append(DHCPv6Status(.success, message: "All addresses are on-link"))
        }
        return r
    }

    /// Information-Request: configuration options only.
    func informationRequest(_ q: Query6) -> DHCPv6ClientMessage {
        var r = baseReply(q, .reply)
        requestedOptions(q, pools: [], into: &r.options)
        return r
    }
}
