/// The Client FQDN option (39, RFC 4704) of Solicit, Request, Renew and Rebind replies, as
/// Kea's processClientFqdn with its D2ClientMgr helpers (adjustFqdnFlags, adjustDomainName,
/// qualifyName, generateFqdn, all `DDNSNameRules`), the name the client's leases keep, and
/// the name change requests (NCRs) for the DHCP-DDNS daemon.
struct ClientFQDN6: Equatable {
    static let flagS: UInt8 = 0x01
    static let flagO: UInt8 = 0x02
    static let flagN: UInt8 = 0x04

    var flags: UInt8
    /// Dotted labels, without the root's trailing dot.
    var name: String
    /// A fully qualified name (ends with the root label on the wire).
    var full: Bool

    /// Reads option 39's data: the flags octet and a DNS-encoded name, partial when the root
    /// label is missing. Nil when malformed or when N and S are both set (RFC 4704 §4.1);
    /// the reserved flag bits are ignored, as Kea does.
    init?(data: [UInt8]) {
        guard let f = data.first, f & (Self.flagN | Self.flagS) != (Self.flagN | Self.flagS) else { return nil }
        var labels: [String] = []
        var i = 1
        var full = false
        while i < data.count {
            let n = Int(data[i])
            if n == 0 {
                // The root label ends the name (what follows is not looked at, as Kea's
                // dns::Name reading the buffer).
                full = true
                break
            }
            guard n < 64, i + 1 + n <= data.count else { return nil }
            labels.append(String(decoding: data[(i + 1)..<(i + 1 + n)], as: UTF8.self))
            i += 1 + n
        }
        self.init(flags: f, name: labels.joined(separator: "."), full: full)
    }

    /// Kea's Option6ClientFqdn::toText: the flags, then the name (in lower case, as Kea holds
    /// it) with its trailing dot when full.
    var text: String {
        let bit = { (f: UInt8) in flags & f != 0 ? "1" : "0" }
        return "type=39(CLIENT_FQDN), flags: (N=\(bit(Self.flagN)), O=\(bit(Self.flagO)), S=\(bit(Self.flagS))), "
            + "domain-name='\((full && !name.isEmpty ? name + "." : name).lowercased())' (\(full ? "full" : "partial"))"
    }

    init(flags: UInt8, name: String, full: Bool) {
        self.flags = flags
        self.name = name
        self.full = full
    }

    var data: [UInt8] {
        var out: [UInt8] = [flags]
        for label in name.split(separator: ".", omittingEmptySubsequences: true) {
            let bytes = Array(label.utf8.prefix(63))
            out.append(UInt8(bytes.count))
            out += bytes
        }
        if full { out.append(0) }
        return out
    }
}

extension Dhcp6Engine {
    /// The DDNS behaviour in force in `subnet` (global, shared network, subnet); the global
    /// one without a subnet.
    func ddnsParameters(for subnet: Subnet6?) -> DDNSParameters {
        DDNSParameters(global: config.ddns, scope: subnet?.ddns ?? DDNSScope())
    }

    /// The reply's Client FQDN option for the client's, before any lease is given (Kea's
    /// processClientFqdn with the selected subnet's parameters); nil when the client sent
    /// none and none is to be made up (ddns-replace-client-name always or when-not-present,
    /// with updates on).
    func clientFQDN(_ q: Query6) -> ClientFQDN6? {
        let rules = DDNSNameRules(ddnsParameters(for: q.subnet))
        let mode = rules.params.replaceClientName
        let request: ClientFQDN6
        if let raw = q.client.options[39] {
            guard let sent = ClientFQDN6(data: raw) else { return nil }
            request = sent
        } else if rules.params.updatesEnabled, mode == .always || mode == .whenNotPresent {
            request = ClientFQDN6(flags: ClientFQDN6.flagS, name: "", full: false)
        } else {
            return nil
        }
        guard let f = rules.serverFlags(clientS: request.flags & ClientFQDN6.flagS != 0,
                                        clientN: request.flags & ClientFQDN6.flagN != 0) else { return nil }
        var flags: UInt8 = f.s ? ClientFQDN6.flagS : 0
        if f.n { flags |= ClientFQDN6.flagN }
        if f.o { flags |= ClientFQDN6.flagO }
        var reply = ClientFQDN6(flags: flags, name: "", full: false)
        if let hostname = q.host?.hostname, !hostname.isEmpty {
            reply.name = rules.qualify(hostname, trailingDot: true)
            reply.full = true
        } else if mode == .always || mode == .whenPresent || request.name.isEmpty {
            reply.name = ""
            reply.full = false
        } else {
            let name = rules.sanitizeLabels(request.name)
            reply.name = request.full ? name + "." : rules.qualify(name, trailingDot: true)
            reply.full = true
        }
        if reply.name.hasSuffix(".") { reply.name.removeLast() }
        // Kea's Option6ClientFqdn keeps its name in lower case.
        reply.name = reply.name.lowercased()
        return reply
    }

    /// After the leases: an empty name is made from the first address of the first IA_NA
    /// (Kea's generateFqdn: generated-prefix, the address with '-' for ':', qualified); not
    /// in an Advertise, which keeps the empty name as Kea 2.2 sends it.
    func completeFQDN(_ fqdn: ClientFQDN6, subnet: Subnet6?, reply r: DHCPv6ClientMessage) -> ClientFQDN6 {
        guard fqdn.name.isEmpty, r.messageType != .advertise, let ia = try? r.options.iaNAs().first,
              let a = try? ia.addresses().first else { return fqdn }
        var out = fqdn
        out.name = DDNSNameRules(ddnsParameters(for: subnet)).generated(address: "\(a.address)", trailingDot: false)
        out.full = true
        return out
    }

    /// The reply's option 39 (when there is one) and the name of the client's leases: every
    /// lease this exchange wrote for the client gets the option's name (with its trailing
    /// dot, in lower case, as Kea's lease6 rows hold it) and the update directions of its S
    /// and N flags (Kea's ctx hostname, fwd_dns_update and rev_dns_update); without option
    /// 39 they get the reservation's hostname as written (no directions), or none.
    mutating func applyClientFQDN(_ q: Query6, into r: inout DHCPv6ClientMessage, _ effects: inout Effects6, writesFrom start: Int) {
        var hostname = ""
        var forward = false, reverse = false
        if let raw = q.client.options[39], let sent = ClientFQDN6(data: raw) {
            effects.events.append(.fqdnReceived(client: q.label, option: sent.text))
        }
        if let fqdn = clientFQDN(q) {
            effects.events.append(.fqdnResponse(client: q.label, option: fqdn.text))
            let done = completeFQDN(fqdn, subnet: q.subnet, reply: r)
            r.options.append(39, done.data)
            if !done.name.isEmpty { hostname = (done.full ? done.name + "." : done.name).lowercased() }
            let d = DDNSNameRules.directions(s: done.flags & ClientFQDN6.flagS != 0, n: done.flags & ClientFQDN6.flagN != 0)
            (forward, reverse) = ddnsParameters(for: q.subnet).updatesEnabled ? d : (false, false)
        } else if let reserved = q.host?.hostname {
            // Kea: without option 39 the lease's hostname is the reservation's, as written.
            hostname = reserved
        }
        guard start < effects.writes.count else { return }
        for i in start..<effects.writes.count {
            guard case .upsert(var l) = effects.writes[i].change, l.duid == q.duid, l.state == .assigned else { continue }
            if l.hostname == hostname, l.fqdnForward == forward, l.fqdnReverse == reverse { continue }
            l.hostname = hostname
            l.fqdnForward = forward
            l.fqdnReverse = reverse
            store.apply(.upsert(l))
            effects.writes[i] = LeaseWrite6(change: .upsert(l), expected: effects.writes[i].expected)
        }
    }

    /// Kea's name change requests for what an exchange (or reclamation) wrote from `start`
    /// on, for addresses only (not prefixes): a remove for an assigned address leased under
    /// a name that is deleted, given to another state or owner, or whose name or directions
    /// change (Kea's alloc engine queueNCR); an add for an assigned address with a name,
    /// unless it is the same lease extended under the same name and directions and
    /// ddns-update-on-renew is off (Kea's createNameChangeRequests).
    mutating func queueNameChanges(_ effects: inout Effects6, writesFrom start: Int, client: Client6Label?) {
        guard config.ddns.enableUpdates, ddnsDigest != nil, start < effects.writes.count else { return }
        for i in start..<effects.writes.count {
            let w = effects.writes[i]
            let old = w.expected.flatMap { $0.type == .nonTemporaryAddress && $0.state == .assigned ? $0 : nil }
            switch w.change {
            case .delete(let l):
                if l.type == .nonTemporaryAddress, l.state == .assigned { queueNameChange(.remove, for: l, client: client, &effects) }
            case .upsert(let l):
                let new = l.type == .nonTemporaryAddress && l.state == .assigned ? l : nil
                let same = old != nil && new != nil && old!.duid == new!.duid && old!.iaid == new!.iaid
                    && old!.hostname.lowercased() == new!.hostname.lowercased()
                    && old!.fqdnForward == new!.fqdnForward && old!.fqdnReverse == new!.fqdnReverse
                if let old, !same { queueNameChange(.remove, for: old, client: client, &effects) }
                if let new, !same || ddnsParameters(for: subnet(id: new.subnetID)).updateOnRenew {
                    queueNameChange(.add, for: new, client: client, &effects)
                }
            }
        }
    }

    func subnet(id: UInt32) -> Subnet6? { config.subnets.first { $0.id == id } }

    /// Kea's queueNCR for a v6 lease: the lease's subnet's parameters, the DHCID from the
    /// DUID (RFC 4701 identifier type 2). Nil without a digest, DDNS, a name or a direction.
    func nameChange(_ type: NameChangeRequest.ChangeType, for lease: Lease6) -> NameChangeRequest? {
        guard let digest = ddnsDigest, config.ddns.enableUpdates, !lease.duid.isEmpty else { return nil }
        let params = ddnsParameters(for: subnet(id: lease.subnetID))
        return DDNSNameRules(params).nameChange(
            type, hostname: lease.hostname, forward: lease.fqdnForward, reverse: lease.fqdnReverse,
            address: lease.address.description, identifierType: .duid, identifier: lease.duid,
            cltt: lease.cltt, lifetime: lease.validLifetimeSeconds, sha256: digest)
    }

    mutating func queueNameChange(_ type: NameChangeRequest.ChangeType, for lease: Lease6, client: Client6Label?,
                                  _ effects: inout Effects6) {
        guard let ncr = nameChange(type, for: lease) else { return }
        effects.nameChanges.append(ncr)
        effects.events.append(.nameChangeQueued(client: client, ncr))
    }
}
