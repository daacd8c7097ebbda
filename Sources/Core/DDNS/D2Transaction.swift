/// One name-change request carried out against DNS, as Kea's D2 state models do it
/// (`NameAddTransaction`, `NameRemoveTransaction`, and the `Simple*` ones used when
/// `use-conflict-resolution` is false), sans I/O: the transaction says which UPDATE to send to
/// which server; the shell signs it, sends it, waits at most `dns-server-timeout`, checks the
/// answer's TSIG and hands back the response code or the timeout.
///
/// Adds: forward first (RFC 4703 §5.3: add if the name is not in use, else replace if its
/// DHCID is the client's), then the reverse PTR (replaced unconditionally, §5.4). Removes:
/// forward first (the client's address, then the name's remaining records once no address
/// is left, both guarded by the DHCID), then the PTR if it still names the client (§5.5).
/// A server that does not answer is tried `triesPerServer` times, then the next server of the
/// domain; when none answers the transaction fails.
public struct D2Transaction: Sendable {
    public enum Step: String, Sendable, Equatable {
        case addingForward = "ADDING_FWD_ADDRS_ST"
        case replacingForward = "REPLACING_FWD_ADDRS_ST"
        case replacingReverse = "REPLACING_REV_PTRS_ST"
        case removingForwardAddresses = "REMOVING_FWD_ADDRS_ST"
        case removingForwardRecords = "REMOVING_FWD_RRS_ST"
        case removingReverse = "REMOVING_REV_PTRS_ST"
    }

    /// How a transaction ended.
    public enum Outcome: Sendable, Equatable {
        case succeeded
        /// The server answered `rcode` to `step` (Kea's *_REJECTED messages).
        case rejected(step: Step, server: D2DNSServer, rcode: DNSRcode)
        /// No server of the domain answered (Kea's *_IO_ERROR, then NO_MORE_SERVERS).
        case noServerAnswered(step: Step)
        /// The request names no domain in the configuration (DHCP_DDNS_NO_FWD_MATCH_ERROR /
        /// DHCP_DDNS_NO_REV_MATCH_ERROR).
        case noMatchingDomain(forward: Bool)
    }

    /// What the shell does next.
    public enum Action: Sendable, Equatable {
        /// Sign with `key` (when set), send to `server`, then call `received` or `timedOut`.
        case send(DNSMessage, to: D2DNSServer, key: TSIGKey?)
        case finished(Outcome)
    }

    public let request: NameChangeRequest
    public let fqdn: DNSName
    public let address: IPAddress
    let forwardDomain: D2Domain?
    let reverseDomain: D2Domain?
    public private(set) var step: Step?
    var server = 0
    var tries = 0
    /// Whether the forward/reverse parts are done (Kea's "forward change completed").
    public private(set) var forwardDone = false
    public private(set) var reverseDone = false
    public static let triesPerServer = 3

    /// Matches the request to the configured domains. Throws the outcome when a part the
    /// request asks for has no domain (Kea fails such a request before any DNS traffic).
    public init(_ request: NameChangeRequest, config: D2Config) throws(D2TransactionRefusal) {
        self.request = request
        guard let name = try? DNSName(request.fqdn) else { throw D2TransactionRefusal("invalid FQDN \(request.fqdn)") }
        guard let address = IPAddress(request.address) else { throw D2TransactionRefusal("invalid address \(request.address)") }
        fqdn = name
        self.address = address
        if request.forward {
            guard let d = D2Config.match(name, in: config.forwardDomains) else { throw D2TransactionRefusal(.noMatchingDomain(forward: true)) }
            forwardDomain = d
        } else {
            forwardDomain = nil
        }
        if request.reverse {
            let rev: DNSName
            switch address {
            case .v4(let a): rev = DNSName.reverse(a)
            case .v6(let a): rev = DNSName.reverse(a)
            }
            guard let d = D2Config.match(rev, in: config.reverseDomains) else { throw D2TransactionRefusal(.noMatchingDomain(forward: false)) }
            reverseDomain = d
        } else {
            reverseDomain = nil
        }
    }

    /// The PTR owner name of the leased address.
    public var reverseName: DNSName {
        switch address {
        case .v4(let a): DNSName.reverse(a)
        case .v6(let a): DNSName.reverse(a)
        }
    }

    var isAdd: Bool { request.changeType == .add }
    var addressType: DNSType {
        if case .v6 = address { return .aaaa }
        return .a
    }
    var addressData: DNSRData {
        switch address {
        case .v4(let a): .a(a)
        case .v6(let a): .aaaa(a)
        }
    }

    /// The first update. `id` is the DNS message ID to use (the shell draws IDs).
    public mutating func start(id: UInt16) -> Action {
        if forwardDomain != nil {
            return enter(isAdd ? (request.useConflictResolution ? .addingForward : .replacingForward) : .removingForwardAddresses, id: id)
        }
        return enter(isAdd ? .replacingReverse : .removingReverse, id: id)
    }

    /// The server answered the current update with `rcode` (after its TSIG was checked).
    public mutating func received(_ rcode: DNSRcode, id: UInt16) -> Action {
        guard let step else { return .finished(.succeeded) }
        let ok = rcode == .noError
        switch step {
        case .addingForward:
            if ok { forwardDone = true; return afterForward(id: id) }
            if rcode == .yxDomain { return enter(.replacingForward, id: id, sameServer: true) }
        case .replacingForward:
            if ok { forwardDone = true; return afterForward(id: id) }
            // The name went away between the two updates: add it again.
            if rcode == .nxDomain && request.useConflictResolution { return enter(.addingForward, id: id, sameServer: true) }
        case .replacingReverse:
            if ok { reverseDone = true; return finish(.succeeded) }
        case .removingForwardAddresses:
            if ok || rcode == .nxRRSet { return enter(.removingForwardRecords, id: id, sameServer: true) }
        case .removingForwardRecords:
            if ok || rcode == .nxRRSet { forwardDone = true; return afterForward(id: id) }
        case .removingReverse:
            if ok || rcode == .nxRRSet { reverseDone = true; return finish(.succeeded) }
        }
        return finish(.rejected(step: step, server: currentServer, rcode: rcode))
    }

    /// The current update went unanswered (timeout, send error or a corrupt answer): the same
    /// server again, up to `triesPerServer`, then the next one of the domain.
    public mutating func timedOut(id: UInt16) -> Action {
        guard let step else { return .finished(.succeeded) }
        tries += 1
        if tries < Self.triesPerServer { return .send(message(for: step, id: id), to: currentServer, key: currentServer.key) }
        // Kea gives up rather than moving on once the first forward remove succeeded on this server.
        if step == .removingForwardRecords { return finish(.noServerAnswered(step: step)) }
        server += 1
        tries = 0
        guard server < domain(for: step).servers.count else { return finish(.noServerAnswered(step: step)) }
        return .send(message(for: step, id: id), to: currentServer, key: currentServer.key)
    }

    var currentServer: D2DNSServer {
        let servers = domain(for: step ?? .addingForward).servers
        return servers[min(server, servers.count - 1)]
    }

    func domain(for step: Step) -> D2Domain {
        switch step {
        case .replacingReverse, .removingReverse: reverseDomain!
        default: forwardDomain!
        }
    }

    mutating func afterForward(id: UInt16) -> Action {
        guard reverseDomain != nil else { return finish(.succeeded) }
        return enter(isAdd ? .replacingReverse : .removingReverse, id: id)
    }

    mutating func enter(_ next: Step, id: UInt16, sameServer: Bool = false) -> Action {
        let sameDomain = step.map { domain(for: $0).name == domain(for: next).name && domain(for: $0).isWildcard == domain(for: next).isWildcard } ?? false
        if !(sameServer && sameDomain) { server = 0 }
        tries = 0
        step = next
        return .send(message(for: next, id: id), to: currentServer, key: currentServer.key)
    }

    mutating func finish(_ o: Outcome) -> Action {
        step = nil
        return .finished(o)
    }

    /// The UPDATE for `step` (RFC 2136 sections as Kea builds them).
    public func message(for step: Step, id: UInt16) -> DNSMessage {
        let zone = domain(for: step)
        var m = DNSMessage.update(id: id, zone: zone.isWildcard ? fqdnZone(step) : zone.name)
        let ttl = request.leaseLengthSeconds
        let dhcid = DNSRData.raw(request.dhcid)
        let rev = reverseName
        func rr(_ name: DNSName, _ type: DNSType, _ cls: DNSClass, _ ttl: UInt32 = 0, _ data: DNSRData = .raw([])) -> DNSRecord {
            DNSRecord(name: name, type: type, rrClass: cls, ttl: ttl, data: data)
        }
        let conflict = request.useConflictResolution
        switch step {
        case .addingForward:
            m.prerequisites = [rr(fqdn, .any, .none)]
            m.updates = [rr(fqdn, addressType, .in, ttl, addressData), rr(fqdn, .dhcid, .in, ttl, dhcid)]
        case .replacingForward where conflict:
            m.prerequisites = [rr(fqdn, .any, .any), rr(fqdn, .dhcid, .in, 0, dhcid)]
            m.updates = [rr(fqdn, addressType, .any), rr(fqdn, addressType, .in, ttl, addressData)]
        case .replacingForward:
            m.updates = [rr(fqdn, addressType, .any), rr(fqdn, .dhcid, .any),
                         rr(fqdn, addressType, .in, ttl, addressData), rr(fqdn, .dhcid, .in, ttl, dhcid)]
        case .replacingReverse:
            m.updates = [rr(rev, .ptr, .any), rr(rev, .dhcid, .any), rr(rev, .ptr, .in, ttl, .name(fqdn)), rr(rev, .dhcid, .in, ttl, dhcid)]
        case .removingForwardAddresses:
            if conflict { m.prerequisites = [rr(fqdn, .dhcid, .in, 0, dhcid)] }
            m.updates = [rr(fqdn, addressType, .none, 0, addressData)]
        case .removingForwardRecords where conflict:
            m.prerequisites = [rr(fqdn, .dhcid, .in, 0, dhcid), rr(fqdn, .a, .none), rr(fqdn, .aaaa, .none)]
            m.updates = [rr(fqdn, .any, .any)]
        case .removingForwardRecords:
            m.prerequisites = [rr(fqdn, .a, .none), rr(fqdn, .aaaa, .none)]
            m.updates = [rr(fqdn, .dhcid, .any)]
        case .removingReverse:
            if conflict { m.prerequisites = [rr(rev, .ptr, .in, 0, .name(fqdn))] }
            m.updates = [rr(rev, .any, .any)]
        }
        return m
    }

    /// With the wildcard domain, the zone is the name's parent (forward) or the reverse
    /// name's (reverse), as a server authoritative for it expects.
    func fqdnZone(_ step: Step) -> DNSName {
        let name: DNSName
        switch step {
        case .replacingReverse, .removingReverse: name = reverseName
        default: name = fqdn
        }
        return DNSName(uncheckedLabels: Array(name.labels.dropFirst()))
    }
}

/// Why a request could not become a transaction.
public struct D2TransactionRefusal: Error, Sendable, Equatable {
    public var outcome: D2Transaction.Outcome?
    public var message: String
    init(_ message: String) { outcome = nil; self.message = message }
    init(_ outcome: D2Transaction.Outcome) {
        self.outcome = outcome
        message = "\(outcome)"
    }
}
