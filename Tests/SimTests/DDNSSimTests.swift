import XCTest
@testable import KakapoCore
@testable import KakapoSim

/// The virtual DHCP-DDNS daemon and DNS server, and `dns-matches-leases` broken on purpose.
final class DDNSSimTests: XCTestCase {
    static let config = """
        { "Dhcp4": { "valid-lifetime": 600, "renew-timer": 300, "rebind-timer": 500,
          "lease-database": { "type": "memfile", "persist": false },
          "ddns-send-updates": true, "ddns-qualifying-suffix": "lan.example.org",
          "dhcp-ddns": { "enable-updates": true },
          "expired-leases-processing": { "reclaim-timer-wait-time": 10 },
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.250" } ] } ] } }
        """

    /// 60 named clients that come and go (releasing or not) on a LAN with DDNS.
    static func scenario(dropRemoves: Bool = false, ncrLoss: Double = 0) -> Scenario {
        var s = SimTests.lan(count: 60, duration: 3_600_000, config: config)
        s.populations[0].hostnames = true
        s.populations[0].sessionMilliseconds = .uniform(minMilliseconds: 300_000, maxMilliseconds: 1_200_000)
        s.populations[0].releaseOnLeave = 0.5
        s.populations[0].rejoin = 0.5
        s.populations[0].rejoinAfterMilliseconds = .exponential(meanMilliseconds: 300_000)
        var d = DDNSSpec(forwardZone: "lan.example.org", reverseZone: "2.0.192.in-addr.arpa")
        d.dropRemoves = dropRemoves
        d.ncrLoss = ncrLoss
        s.ddns = d
        return s
    }

    func testSHA256KnownAnswers() {
        func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        XCTAssertEqual(hex(SimSHA256.hash(Array("abc".utf8))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(hex(SimSHA256.hash([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(hex(SimSHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// Healthy: names are added and removed, DNS is checked many times and matches.
    func testDNSMatchesLeases() throws {
        let sink = MemoryTraceSink()
        let world = try World(scenario: Self.scenario(), seed: 5, trace: sink)
        let r = world.run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        let d = try XCTUnwrap(world.ddns)
        XCTAssertGreaterThan(d.checks, 5)
        XCTAssertGreaterThan(d.updates, 60)
        XCTAssertTrue(d.taintedNames.isEmpty, "nothing was lost, nothing may be tolerated")
        XCTAssertFalse(d.zone.names.isEmpty)
        XCTAssertTrue(sink.lines.contains { $0.contains("\"kind\":\"ncr\"") && $0.contains("\"type\":\"remove\"") })
        XCTAssertTrue(sink.lines.contains { $0.contains("\"kind\":\"dns\"") && $0.contains("\"rcode\":\"NOERROR\"") })
    }

    /// A DNS server that acknowledges removals without doing them leaves names behind: caught.
    func testDroppedRemovesAreCaught() throws {
        let r = try World(scenario: Self.scenario(dropRemoves: true), seed: 5).run()
        let f = try XCTUnwrap(r.failure)
        XCTAssertEqual(f.kind, .invariant)
        XCTAssertEqual(f.name, "dns-matches-leases", f.description)
        XCTAssertTrue(f.detail.contains("no lease holds"), f.detail)
        XCTAssertEqual(try World(scenario: Self.scenario(dropRemoves: true), seed: 5).run().failure?.event, f.event)
    }

    /// A lost request is tolerated (Kea never resends it), and only for its own name and address.
    func testLostRequestsAreToleratedPrecisely() throws {
        let world = try World(scenario: Self.scenario(ncrLoss: 0.2), seed: 5)
        let r = world.run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        let d = try XCTUnwrap(world.ddns)
        XCTAssertGreaterThan(d.ncrLost, 0)
        XCTAssertLessThanOrEqual(d.taintedNames.count, d.ncrLost + d.failedTransactions)
        XCTAssertGreaterThan(d.checks, 5)
        // The tolerance does not hide a DNS server that ignores removals.
        let broken = try World(scenario: Self.scenario(dropRemoves: true, ncrLoss: 0.2), seed: 5).run()
        XCTAssertEqual(broken.failure?.name, "dns-matches-leases", broken.failure?.description ?? "no failure")
    }

    /// The other direction: a lease whose name is missing from DNS is caught.
    func testMissingRecordIsCaught() throws {
        let world = try World(scenario: Self.scenario(), seed: 5)
        XCTAssertNil(world.run().failure)
        let d = try XCTUnwrap(world.ddns)
        let lease = try XCTUnwrap(world.servers[0].engine!.store.all().first { $0.state == .assigned && $0.fqdnForward })
        world.checkDNSMatchesLeases()
        XCTAssertNil(world.failure, "DNS matches at the end of a healthy run")
        var m = DNSMessage.update(id: 1, zone: try DNSName("lan.example.org"))
        m.updates = [DNSRecord(name: try DNSName(lease.hostname), type: .a, rrClass: .any)]
        XCTAssertEqual(d.zone.apply(m), .noError)
        world.checkDNSMatchesLeases()
        XCTAssertEqual(world.failure?.name, "dns-matches-leases")
        XCTAssertTrue(world.failure?.detail.contains(lease.address.description) ?? false, world.failure?.detail ?? "")
    }

    func testSameSeedSameTrace() throws {
        var s = Self.scenario(ncrLoss: 0.05)
        s.ddns?.dnsLoss = 0.05
        func trace() throws -> [String] {
            let sink = MemoryTraceSink()
            _ = try World(scenario: s, seed: 3, trace: sink).run()
            return sink.lines
        }
        let a = try trace()
        XCTAssertTrue(a.contains { $0.contains("\"kind\":\"dns\"") })
        XCTAssertEqual(a, try trace())
    }
}
