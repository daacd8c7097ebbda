import Testing
@testable import KakapoCore

/// D2 transactions run against DNSZoneData (RFC 2136 update semantics): the DNS data each
/// request leaves behind, with and without conflict resolution.
@Suite struct D2TransactionTests {
    let ns = D2DNSServer(address: .v4(IPv4Address(192, 0, 2, 53)), port: 53, key: nil)
    let ns2 = D2DNSServer(address: .v4(IPv4Address(192, 0, 2, 54)), port: 53, key: nil)

    func config(servers: [D2DNSServer]? = nil) throws -> D2Config {
        var c = D2Config()
        c.forwardDomains = [D2Domain(name: try DNSName("example.org"), isWildcard: false, key: nil, servers: servers ?? [ns])]
        c.reverseDomains = [D2Domain(name: try DNSName("2.0.192.in-addr.arpa"), isWildcard: false, key: nil, servers: servers ?? [ns])]
        return c
    }

    func zone() throws -> DNSZoneData {
        DNSZoneData(zones: [try DNSName("example.org"), try DNSName("2.0.192.in-addr.arpa")])
    }

    func ncr(_ type: NameChangeRequest.ChangeType, _ name: String = "host.example.org.", address: String = "192.0.2.10",
             dhcid: UInt8 = 1, conflict: Bool = true) -> NameChangeRequest {
        NameChangeRequest(changeType: type, forward: true, reverse: true, fqdn: name, address: address,
                          dhcid: [0, 1, 1, dhcid, dhcid], leaseExpiresOn: WallTime(secondsSinceEpoch: 0),
                          leaseLengthSeconds: 3600, useConflictResolution: conflict)
    }

    /// Runs a transaction to its end against `zone`; every message goes through the codec.
    /// `unanswered` servers never answer.
    @discardableResult
    func run(_ r: NameChangeRequest, _ zone: inout DNSZoneData, config: D2Config? = nil,
             unanswered: Set<IPAddress> = [], sent: inout [(D2Transaction.Step, IPAddress)]) throws -> D2Transaction.Outcome {
        var t = try D2Transaction(r, config: config ?? self.config())
        var id: UInt16 = 1
        var action = t.start(id: id)
        for _ in 0..<50 {
            switch action {
            case .finished(let o): return o
            case .send(let m, let server, _):
                sent.append((t.step!, server.address))
                id &+= 1
                if unanswered.contains(server.address) { action = t.timedOut(id: id); continue }
                let decoded = try DNSMessage.decode(m.encode()).get()
                action = t.received(zone.apply(decoded), id: id)
            }
        }
        Issue.record("transaction did not end")
        return .succeeded
    }

    func run(_ r: NameChangeRequest, _ zone: inout DNSZoneData) throws -> D2Transaction.Outcome {
        var sent: [(D2Transaction.Step, IPAddress)] = []
        return try run(r, &zone, sent: &sent)
    }

    @Test func addThenRenewThenRemove() throws {
        var z = try zone()
        let host = try DNSName("host.example.org"), rev = try DNSName("10.2.0.192.in-addr.arpa")
        #expect(try run(ncr(.add), &z) == .succeeded)
        #expect(z.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 10))])
        #expect(z.rrset(host, .dhcid) == [.raw([0, 1, 1, 1, 1])])
        #expect(z.rrset(rev, .ptr) == [.name(host)])
        // The same client with another address: the name is in use with its DHCID, replaced.
        #expect(try run(ncr(.add, address: "192.0.2.11"), &z) == .succeeded)
        #expect(z.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 11))])
        #expect(z.rrset(try DNSName("11.2.0.192.in-addr.arpa"), .ptr) == [.name(host)])
        // Removing the new mapping leaves the forward name empty and the old PTR (another address).
        #expect(try run(ncr(.remove, address: "192.0.2.11"), &z) == .succeeded)
        #expect(z.rrset(host, .a).isEmpty && z.rrset(host, .dhcid).isEmpty)
        #expect(z.rrset(try DNSName("11.2.0.192.in-addr.arpa"), .ptr).isEmpty)
        #expect(z.names == [rev])
    }

    @Test func anotherClientsNameIsNotTaken() throws {
        var z = try zone()
        let host = try DNSName("host.example.org")
        #expect(try run(ncr(.add), &z) == .succeeded)
        // Another client (another DHCID) wants the same name: the replace is refused (NXRRSET).
        let o = try run(ncr(.add, address: "192.0.2.20", dhcid: 2), &z)
        guard case .rejected(.replacingForward, _, .nxRRSet) = o else { Issue.record("\(o)"); return }
        #expect(z.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 10))])
        #expect(z.rrset(try DNSName("20.2.0.192.in-addr.arpa"), .ptr).isEmpty)
        // Nor can it remove the first client's mapping: the address removal's DHCID check fails
        // (NXRRSET, passed over as Kea does), then the name still has an address (YXRRSET, the
        // transaction ends before the reverse part): the address stays, its PTR too.
        let removal = try run(ncr(.remove, address: "192.0.2.10", dhcid: 2), &z)
        guard case .rejected(.removingForwardRecords, _, .yxRRSet) = removal else { Issue.record("\(removal)"); return }
        #expect(z.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 10))])
        #expect(z.rrset(try DNSName("10.2.0.192.in-addr.arpa"), .ptr) == [.name(host)])
    }

    @Test func withoutConflictResolutionTheLastWriterWins() throws {
        var z = try zone()
        let host = try DNSName("host.example.org")
        #expect(try run(ncr(.add, conflict: false), &z) == .succeeded)
        #expect(try run(ncr(.add, address: "192.0.2.20", dhcid: 2, conflict: false), &z) == .succeeded)
        #expect(z.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 20))])
        #expect(z.rrset(host, .dhcid) == [.raw([0, 1, 1, 2, 2])])
        #expect(try run(ncr(.remove, address: "192.0.2.20", dhcid: 2, conflict: false), &z) == .succeeded)
        #expect(z.rrset(host, .a).isEmpty && z.rrset(host, .dhcid).isEmpty)
    }

    @Test func unansweredServersAreRetriedThenTheNextOne() throws {
        var z = try zone()
        var sent: [(D2Transaction.Step, IPAddress)] = []
        let c = try config(servers: [ns, ns2])
        #expect(try run(ncr(.add), &z, config: c, unanswered: [ns.address], sent: &sent) == .succeeded)
        #expect(sent.prefix(4).map(\.1) == [ns.address, ns.address, ns.address, ns2.address])
        sent = []
        let o = try run(ncr(.add), &z, config: c, unanswered: [ns.address, ns2.address], sent: &sent)
        #expect(o == .noServerAnswered(step: .addingForward))
        #expect(sent.count == 2 * D2Transaction.triesPerServer)
    }

    @Test func requestsWithoutADomainAreRefused() throws {
        #expect(throws: D2TransactionRefusal.self) { try D2Transaction(ncr(.add, "host.other.net."), config: config()) }
        #expect(throws: D2TransactionRefusal.self) { try D2Transaction(ncr(.add, address: "198.51.100.1"), config: config()) }
    }

    @Test func zoneChecksPrerequisitesAndZones() throws {
        var z = try zone()
        var m = DNSMessage.update(id: 1, zone: try DNSName("other.net"))
        #expect(z.apply(m) == .notAuth)
        m = DNSMessage.update(id: 1, zone: try DNSName("example.org"))
        m.updates = [DNSRecord(name: try DNSName("x.other.net"), type: .a, ttl: 1, data: .a(IPv4Address(192, 0, 2, 1)))]
        #expect(z.apply(m) == .notZone)
        m.updates = []
        m.prerequisites = [DNSRecord(name: try DNSName("x.example.org"), type: .any, rrClass: .any)]
        #expect(z.apply(m) == .nxDomain)
    }
}
