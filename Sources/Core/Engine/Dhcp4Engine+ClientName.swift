/// The client's name in a DHCPv4 reply and lease, as Kea 2.4's processClientName
/// (processClientFqdnOption, processHostnameOption) and postAllocateNameUpdate decide it, and
/// the name change requests (NCRs) for the DHCP-DDNS daemon as its createNameChangeRequests and
/// queueNCR build them. The rules themselves are `DDNSNameRules` (shared with DHCPv6).
struct ClientName4: Equatable {
    /// The reply's option: 81 (Client FQDN) or 12 (Host Name), and its data.
    var code: UInt8
    var data: [UInt8]
    /// What the lease records.
    var hostname: String
    var forward: Bool
    var reverse: Bool
}

extension Dhcp4Engine {
    /// The DDNS behaviour in force in `subnet` (global, shared network, subnet).
    func ddnsParameters(for subnet: Subnet4) -> DDNSParameters {
        DDNSParameters(global: config.ddns, scope: subnet.ddns)
    }

    /// The name for a reply leasing `address` in `subnet`: option 81 when the client sent one
    /// (it wins over option 12), else option 12 (Kea's rules, with the reservation's hostname
    /// first); nil when the reply carries neither and the lease gets no name.
    func clientName(_ x: Exchange, subnet: Subnet4, address: IPv4Address) -> ClientName4? {
        let options = x.message.options
        // The common case first, cheaply: no name option, none asked for, none to make up.
        if !options.contains(DHCPv4Option.fqdn), !options.contains(DHCPv4Option.hostName),
           !(options.data(DHCPv4Option.dhcpParameterRequestList)?.contains(DHCPv4Option.hostName.code) ?? false) {
            let mode = subnet.ddns.replaceClientName ?? config.ddns.replaceClientName
            if mode != ReplaceClientNameMode.always.rawValue && mode != ReplaceClientNameMode.whenNotPresent.rawValue { return nil }
        }
        let rules = DDNSNameRules(ddnsParameters(for: subnet))
        let mode = rules.params.replaceClientName
        let reserved = reservation(for: x, in: subnet)?.hostname.flatMap { $0.isEmpty ? nil : $0 }
        if let raw = x.message.options[DHCPv4Option.fqdn] {
            // A malformed option 81 is Kea's processClientName exception: logged, no name.
            guard let client = ClientFQDN4(data: raw),
                  let f = rules.serverFlags(clientS: client.s, clientN: client.n) else { return nil }
            var flags: UInt8 = client.flags & ClientFQDN4.flagE
            if f.s { flags |= ClientFQDN4.flagS }
            if f.n { flags |= ClientFQDN4.flagN }
            if f.o { flags |= ClientFQDN4.flagO }
            var hostname: String
            if let reserved {
                hostname = rules.qualify(reserved, trailingDot: true)
            } else if mode == .always || mode == .whenPresent || client.name.isEmpty {
                hostname = ""
            } else {
                let name = rules.sanitizeLabels(client.name)
                hostname = client.full ? name + "." : rules.qualify(name, trailingDot: true)
            }
            // postAllocateNameUpdate: an empty name is made from the address.
            if hostname.isEmpty { hostname = rules.generated(address: address.description, trailingDot: true) }
            // Kea's Option4ClientFqdn keeps its name in lower case (Kea 2.2 differential).
            hostname = hostname.lowercased()
            var bare = hostname
            if bare.hasSuffix(".") { bare.removeLast() }
            let reply = ClientFQDN4(flags: flags, rcode1: client.rcode1, rcode2: client.rcode2, name: bare, full: true)
            let d = DDNSNameRules.directions(s: f.s, n: f.n)
            return ClientName4(code: DHCPv4Option.fqdn.code, data: reply.data, hostname: hostname,
                               forward: d.forward, reverse: d.reverse)
        }
        let on = rules.params.updatesEnabled
        let sent = x.message.options[DHCPv4Option.hostName]
        if let reserved {
            let asked = sent != nil
                || (x.message.options.data(DHCPv4Option.dhcpParameterRequestList)?.contains(DHCPv4Option.hostName.code) ?? false)
            if asked {
                let name = rules.qualify(reserved, trailingDot: false).lowercased()
                return ClientName4(code: DHCPv4Option.hostName.code, data: Array(name.utf8), hostname: name, forward: on, reverse: on)
            }
        }
        var hostname: String
        if let sent {
            let text = Self.trimmedHostname(sent)
            // A name that is no DNS name is Kea's exception: no name at all.
            guard let labels = DDNSNameRules.labelCount(text), labels > 0 else { return nil }
            if mode == .always || mode == .whenPresent || labels < 2 {
                hostname = ""
            } else {
                hostname = rules.sanitize(text).lowercased()
                if labels == 2 { hostname = rules.qualify(hostname, trailingDot: false) }
            }
        } else {
            guard mode == .always || mode == .whenNotPresent else { return nil }
            hostname = ""
        }
        if let reserved {
            hostname = rules.qualify(reserved, trailingDot: false)
        } else if hostname.isEmpty {
            hostname = rules.generated(address: address.description, trailingDot: false)
        }
        return ClientName4(code: DHCPv4Option.hostName.code, data: Array(hostname.utf8), hostname: hostname, forward: on, reverse: on)
    }

    /// Option 12 as Kea's OptionString holds it: trailing NULs dropped, then blanks trimmed.
    static func trimmedHostname(_ raw: [UInt8]) -> String {
        var bytes = ArraySlice(raw)
        while let last = bytes.last, last == 0 { bytes = bytes.dropLast() }
        let blank: (UInt8) -> Bool = { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 }
        while let first = bytes.first, blank(first) { bytes = bytes.dropFirst() }
        while let last = bytes.last, blank(last) { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Kea's queueNCR for a lease: with the lease's subnet's parameters, the DHCID from the
    /// client id, else from htype and chaddr. Nil without a digest (the shell sets
    /// `ddnsDigest`), without DDNS, a name or a direction.
    func nameChange(_ type: NameChangeRequest.ChangeType, for lease: Lease4) -> NameChangeRequest? {
        guard let digest = ddnsDigest, config.ddns.enableUpdates else { return nil }
        let params = subnet(id: lease.subnetID).map { ddnsParameters(for: $0) } ?? DDNSParameters(global: config.ddns)
        let identifierType: DHCID.IdentifierType
        let identifier: [UInt8]
        if let c = lease.clientID, !c.isEmpty {
            (identifierType, identifier) = (.clientIdentifier, c)
        } else if let h = lease.hardwareAddress {
            (identifierType, identifier) = (.hardwareAddress, [h.type] + h.bytes)
        } else {
            return nil
        }
        return DDNSNameRules(params).nameChange(
            type, hostname: lease.hostname, forward: lease.fqdnForward, reverse: lease.fqdnReverse,
            address: lease.address.description, identifierType: identifierType, identifier: identifier,
            cltt: lease.cltt, lifetime: lease.validLifetimeSeconds, sha256: digest)
    }

    /// Queues a request, when there is one to make.
    func queueNameChange(_ type: NameChangeRequest.ChangeType, for lease: Lease4, _ effects: inout Effects4) {
        guard let ncr = nameChange(type, for: lease) else { return }
        effects.nameChanges.append(ncr)
        effects.events.append(.nameChangeQueued(hardwareAddress: lease.hardwareAddress, clientID: lease.clientID, ncr))
    }

    /// Kea's createNameChangeRequests after a lease is granted: without an old lease, an add;
    /// with one, a remove of the old name and an add of the new when the name, its directions
    /// or the address changed, or always with ddns-update-on-renew; nothing on a plain renewal.
    func queueNameChanges(new lease: Lease4, old: Lease4?, subnet: Subnet4, _ effects: inout Effects4) {
        guard config.ddns.enableUpdates, ddnsDigest != nil else { return }
        if let old {
            let same = old.address == lease.address && old.fqdnForward == lease.fqdnForward
                && old.fqdnReverse == lease.fqdnReverse && old.hostname.lowercased() == lease.hostname.lowercased()
            guard !same || ddnsParameters(for: subnet).updateOnRenew else { return }
            queueNameChange(.remove, for: old, &effects)
        }
        queueNameChange(.add, for: lease, &effects)
    }
}
