import KakapoCore

/// `dns-matches-leases`: once DDNS has been quiet (`ddns.quiet`: no request queued or in flight,
/// no D2 transaction open, nothing sent) DNS must say what the leases say.
///
/// - Every assigned lease with a host name and `fqdn_fwd` has an A record at its name with its
///   address, and a DHCID record with the client's DHCID (RFC 4701, from the lease's client id,
///   else its hardware address); with `fqdn_rev`, a PTR at the address's reverse name naming it.
/// - Every A record and every PTR record names an address some lease (not reclaimed) holds
///   under that name (a lease that expired and is not yet reclaimed still holds it: Kea removes
///   the records when it reclaims the lease).
///
/// Tolerated, because Kea's protocol leaves it so and never repairs it: names and addresses
/// of a request that was lost on its way to the D2 (UDP, sent once), that the D2 refused (queue
/// full, no matching domain) or whose transaction failed (no DNS server answered in time). For
/// the rest of the run neither direction is checked for them (`SimDDNS.taint`).
/// The check is skipped while a server is down (its leases are unknown until it restarts).
extension World {
    func checkDNSMatchesLeases() {
        guard let d = ddns, failure == nil, servers.allSatisfy(\.isUp) else { return }
        d.checks += 1
        if tracing { record("invariant", [("invariant", .string("dns-matches-leases")), ("check", .int(Int64(d.checks)))]) }
        var namesAt: [IPv4Address: Set<String>] = [:]
        for server in servers {
            for l in server.engine!.store.all() where l.state != .expiredReclaimed && !l.hostname.isEmpty {
                namesAt[l.address, default: []].insert(SimDDNS.key(l.hostname))
            }
        }
        // Leases to DNS.
        for server in servers {
            for l in server.engine!.store.all() where l.state == .assigned && !l.hostname.isEmpty && (l.fqdnForward || l.fqdnReverse) {
                let key = SimDDNS.key(l.hostname)
                if d.taintedNames.contains(key) || d.taintedAddresses.contains(l.address) { continue }
                guard let name = try? DNSName(key) else { continue }
                if l.fqdnForward {
                    guard d.zone.rrset(name, .a).contains(.a(l.address)) else {
                        violate("dns-matches-leases", "lease \(l.address) of \(server.spec.name) is named \(key) but DNS has A \(d.zone.rrset(name, .a)) there")
                        return
                    }
                    let identifier: [UInt8], type: DHCID.IdentifierType
                    if let c = l.clientID, !c.isEmpty { (type, identifier) = (.clientIdentifier, c) } else if let h = l.hardwareAddress {
                        (type, identifier) = (.hardwareAddress, [h.type] + h.bytes)
                    } else { continue }
                    let dhcid = DHCID.rdata(type: type, identifier: identifier, fqdn: name, sha256: SimSHA256.hash)
                    guard d.zone.rrset(name, .dhcid) == [.raw(dhcid)] else {
                        violate("dns-matches-leases", "\(key) (lease \(l.address)): DNS has DHCID \(d.zone.rrset(name, .dhcid)), not the client's")
                        return
                    }
                }
                if l.fqdnReverse {
                    let reverse = DNSName.reverse(l.address)
                    guard d.zone.rrset(reverse, .ptr).contains(where: { if case .name(let n) = $0 { SimDDNS.key(n.description) == key } else { false } }) else {
                        violate("dns-matches-leases", "lease \(l.address) is named \(key) but DNS has PTR \(d.zone.rrset(reverse, .ptr)) at \(reverse)")
                        return
                    }
                }
            }
        }
        // DNS to leases. The zone is read in its own (hash) order; of what is wrong, the first
        // in sorted order is reported, so the failure text is the same on every run.
        var wrong: [String] = []
        for (name, types) in d.zone.records {
            let key = SimDDNS.key(name.description)
            for case .a(let a) in (types[.a] ?? []).map(\.data) {
                if d.taintedNames.contains(key) || d.taintedAddresses.contains(a) { continue }
                if namesAt[a]?.contains(key) != true {
                    wrong.append("DNS has A \(a) at \(key) but no lease holds \(a) under that name (holders: \(namesAt[a]?.sorted() ?? []))")
                }
            }
            for case .name(let target) in (types[.ptr] ?? []).map(\.data) {
                guard let a = World.address(reverse: key) else { continue }
                let t = SimDDNS.key(target.description)
                if d.taintedNames.contains(t) || d.taintedAddresses.contains(a) { continue }
                if namesAt[a]?.contains(t) != true {
                    wrong.append("DNS has PTR \(t) at \(key) but no lease holds \(a) under that name (holders: \(namesAt[a]?.sorted() ?? []))")
                }
            }
        }
        if let first = wrong.min() { violate("dns-matches-leases", first) }
    }

    /// The address of an in-addr.arpa name ("4.3.2.1.in-addr.arpa" is 1.2.3.4).
    static func address(reverse name: String) -> IPv4Address? {
        let suffix = ".in-addr.arpa"
        guard name.hasSuffix(suffix) else { return nil }
        let parts = name.dropLast(suffix.count).split(separator: ".")
        guard parts.count == 4 else { return nil }
        return IPv4Address(parts.reversed().joined(separator: "."))
    }
}
