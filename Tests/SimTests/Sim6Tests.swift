import XCTest
@testable import KakapoCore
@testable import KakapoSim

/// The DHCPv6 simulator: exact replay by seed, RFC 8415 clients against the real engine, and
/// each v6 invariant caught when broken on purpose.
final class Sim6Tests: XCTestCase {
    static func config(valid: Int = 600, preferred: Int = 400, renew: Int = 200, rebind: Int = 320,
                       pool: String = "2001:db8:1::10 - 2001:db8:1::ff",
                       pdPool: String = #"{ "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 }"#) -> String {
        """
        { "Dhcp6": { "valid-lifetime": \(valid), "preferred-lifetime": \(preferred), "renew-timer": \(renew), "rebind-timer": \(rebind),
          "lease-database": { "type": "memfile", "persist": false },
          "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "\(pool)" } ],
                         "pd-pools": [ \(pdPool) ] } ] } }
        """
    }

    /// One LAN with one DHCPv6 server attached directly; `count` clients arrive over a minute.
    static func lan(count: Int = 30, ia: IARequest = .na, duration: Int64 = 1_800_000, storage: StorageMode = .writeThrough,
                    config: String = Sim6Tests.config()) -> Scenario {
        var s = Scenario(name: "test-lan6", durationMilliseconds: duration)
        s.family = 6
        var server = ServerSpec(name: "s1", configText: config, configSource: "inline", address: .zero)
        server.address6 = IPv6Address("2001:db8:1::2")!
        server.storage = storage
        s.servers = [server]
        var seg = SegmentSpec(name: "lan", prefix: IPv4Prefix(network: .zero, length: 0))
        seg.prefix6 = IPv6Prefix("2001:db8:1::/64")!
        seg.directServers6 = [(server: "s1", address: IPv6Address("2001:db8:1::2")!)]
        seg.link.latencyMilliseconds = 2
        seg.link.jitterMilliseconds = 3
        s.segments = [seg]
        var p = PopulationSpec(name: "hosts", segment: "lan", count: count)
        p.arrival = .uniform(startMilliseconds: 0, windowMilliseconds: 60_000)
        p.ia = ia
        s.populations = [p]
        s.expectations.allBoundWithinMilliseconds = 30_000
        return s
    }

    /// A second server `s2` on the same link with its own config (and its own leases).
    static func addServer(_ s: inout Scenario, config: String) {
        var server = ServerSpec(name: "s2", configText: config, configSource: "inline", address: .zero)
        server.address6 = IPv6Address("2001:db8:1::3")!
        s.servers.append(server)
        s.segments[0].directServers6.append((server: "s2", address: IPv6Address("2001:db8:1::3")!))
    }

    func traceHash(_ s: Scenario, seed: UInt64) throws -> (UInt64, SimResult) {
        let sink = MemoryTraceSink()
        let r = try World(scenario: s, seed: seed, trace: sink).run()
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for line in sink.lines { for b in line.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }; h = (h ^ 10) &* 0x100_0000_01b3 }
        return (h, r)
    }

    func testSameSeedSameTraceDifferentSeedDifferentTrace() throws {
        var s = Self.lan(ia: [.na, .pd])
        s.segments[0].link.loss = 0.1
        s.populations[0].sessionMilliseconds = .uniform(minMilliseconds: 300_000, maxMilliseconds: 900_000)
        s.populations[0].rejoin = 0.5
        s.populations[0].rejoinAfterMilliseconds = .fixed(60_000)
        s.populations[0].reboot = 0.3
        s.expectations.allBoundWithinMilliseconds = nil
        let (a, ra) = try traceHash(s, seed: 7)
        let (b, _) = try traceHash(s, seed: 7)
        let (c, _) = try traceHash(s, seed: 8)
        XCTAssertEqual(a, b, "same scenario and seed must give a byte-identical trace")
        XCTAssertNotEqual(a, c, "another seed must give another trace")
        XCTAssertNil(ra.failure, ra.failure?.description ?? "")
        XCTAssertGreaterThan(ra.summary.dora, 30)
        XCTAssertGreaterThan(ra.summary.renewals, 0)
        XCTAssertGreaterThan(ra.summary.releases, 0)
    }

    func testHealthyLanBindsEveryoneAndRenews() throws {
        let r = try World(scenario: Self.lan(ia: [.na, .pd])).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.boundAtEnd, 30)
        XCTAssertGreaterThan(r.summary.renewals, 30 * 5)
        XCTAssertEqual(r.summary.naks, 0)
        XCTAssertEqual(r.summary.subnets.map(\.assigned), [30, 30], "one address and one prefix per client")
    }

    /// The client side of RFC 8415, step by step against the engine's answers.
    func testClientSolicitsCollectsAdvertisesAndRenews() throws {
        var c = VirtualClient6(mac: [2, 0, 0, 0, 0, 1], wants: [.na, .pd], rapidCommit: false, rng: SimRandom(seed: 1))
        var out = c.start(now: 0)
        XCTAssertEqual(c.state, .soliciting)
        let solicit = try XCTUnwrap(out.sends.first)
        XCTAssertEqual(solicit.messageType, .solicit)
        XCTAssertEqual(try solicit.options.iaNAs().count, 1)
        XCTAssertEqual(try solicit.options.iaPDs().count, 1)
        // First RT: SOL_TIMEOUT (1 s) plus up to 10%, never less.
        let firstRT = try XCTUnwrap(c.timerAt)
        XCTAssertTrue((1001...1100).contains(firstRT), "\(firstRT)")
        // Two Advertises; the one with the higher preference wins when the first RT ends.
        func advertise(server: UInt8, preference: UInt8, address: String) -> DHCPv6ClientMessage {
            var m = DHCPv6ClientMessage(messageType: .advertise, transactionID: solicit.transactionID)
            m.options.append(.clientid, c.duid)
            m.options.append(.serverid, [0, 2, 0, 0, 0, 1, server])
            m.options.append(.preference, [preference])
            var ia = DHCPv6IA(iaid: VirtualClient6.iaidNA, t1Seconds: 100, t2Seconds: 160)
            ia.options.append(DHCPv6IAAddress(address: IPv6Address(address)!, preferredLifetimeSeconds: 200, validLifetimeSeconds: 300))
            m.options.append(iaNA: ia)
            return m
        }
        _ = c.receive(advertise(server: 1, preference: 10, address: "2001:db8::1"), now: 5)
        _ = c.receive(advertise(server: 2, preference: 20, address: "2001:db8::2"), now: 6)
        XCTAssertEqual(c.state, .soliciting, "waits out the first RT")
        out = c.timerFired(now: firstRT)
        let request = try XCTUnwrap(out.sends.first)
        XCTAssertEqual(request.messageType, .request)
        XCTAssertEqual(request.options.serverID, [0, 2, 0, 0, 0, 1, 2])
        XCTAssertEqual(try request.options.iaNAs().first?.addresses().first?.address, IPv6Address("2001:db8::2"))
        // Request retransmissions back off from REQ_TIMEOUT and give up after REQ_MAX_RC.
        var sent = 1
        while c.state == .requesting, let at = c.timerAt {
            out = c.timerFired(now: at)
            if c.state == .requesting { sent += 1 }
        }
        XCTAssertEqual(sent, VirtualClient6.request.mrc)
        XCTAssertEqual(c.state, .soliciting, "back to Solicit after REQ_MAX_RC")
    }

    func testRelayedClientsAreSelectedByInterfaceIDAndGetPrefixes() throws {
        var s = Self.lan(count: 20, ia: [.na, .pd], config: """
            { "Dhcp6": { "preferred-lifetime": 400, "valid-lifetime": 600,
              "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::ff" } ] },
                           { "id": 2, "subnet": "2001:db8:2::/64", "interface-id": "port-2",
                             "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::ff" } ],
                             "pd-pools": [ { "prefix": "2001:db8:9000::", "prefix-len": 48, "delegated-len": 60 } ] } ] } }
            """)
        s.servers[0].address6 = IPv6Address("2001:db8:ffff::2")!
        s.segments[0].directServers6 = []
        var relay = RelaySpec(address: .zero, servers: ["s1"])
        relay.address6 = IPv6Address("2001:db8:1::1")!   // the link-address alone would pick subnet 1
        relay.interfaceID = "port-2"
        relay.remoteID = "switch-1"
        s.segments[0].relay = relay
        s.segments[0].prefix6 = IPv6Prefix("2001:db8:2::/64")!
        s.expectations.segments = [SegmentExpectation(segment: "lan")]
        s.expectations.segments[0].minBound = 20
        let r = try World(scenario: s, seed: 3).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.subnets.map(\.assigned), [0, 20, 20], "subnet 1 (by link-address) unused")
        XCTAssertEqual(r.summary.subnets.map(\.subnetID), [1, 2, 2])
    }

    func testRapidCommitBindsInTwoMessages() throws {
        var s = Self.lan(count: 10, config: """
            { "Dhcp6": { "preferred-lifetime": 400, "valid-lifetime": 600,
              "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "rapid-commit": true,
                             "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::ff" } ] } ] } }
            """)
        s.populations[0].rapidCommit = true
        s.segments[0].link.jitterMilliseconds = 0
        let r = try World(scenario: s, seed: 4).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.boundAtEnd, 10)
        XCTAssertLessThan(try XCTUnwrap(r.summary.bindTimeP99), 100, "Solicit-Reply without waiting out the first RT")
    }

    func testPrefixPoolExhaustionGivesNoPrefixAvail() throws {
        var s = Self.lan(count: 12, ia: .pd, config: Self.config(pdPool: #"{ "prefix": "2001:db8:8000::", "prefix-len": 53, "delegated-len": 56 }"#))
        s.expectations.allBoundWithinMilliseconds = nil
        s.expectations.maxBound = 8
        s.expectations.minUnavailable = 4
        let r = try World(scenario: s, seed: 9).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.boundAtEnd, 8)
    }

    // MARK: invariants broken on purpose

    /// Two servers on one link with overlapping pools and separate leases: two clients end up
    /// with one address.
    func testDuplicateAddressIsCaught() throws {
        var s = Self.lan(count: 20)
        Self.addServer(&s, config: Self.config(pool: "2001:db8:1::15 - 2001:db8:1::ff"))
        let f = try XCTUnwrap(try World(scenario: s, seed: 5).run().failure)
        XCTAssertEqual(f.name, "unique-address", f.description)
    }

    /// Two servers delegating from one range in different lengths: a /60 inside another
    /// client's /56.
    func testOverlappingPrefixesAreCaught() throws {
        var s = Self.lan(count: 20, ia: .pd)
        Self.addServer(&s, config: Self.config(pdPool: #"{ "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 60 }"#))
        let f = try XCTUnwrap(try World(scenario: s, seed: 5).run().failure)
        XCTAssertEqual(f.name, "unique-prefix", f.description)
        // Disjoint pools on the two servers never overlap.
        var ok = Self.lan(count: 20, ia: .pd)
        ok.expectations.allBoundWithinMilliseconds = nil
        Self.addServer(&ok, config: Self.config(pdPool: #"{ "prefix": "2001:db8:9000::", "prefix-len": 48, "delegated-len": 60 }"#))
        XCTAssertNil(try World(scenario: ok, seed: 5).run().failure)
    }

    /// The server wipes its leases behind the clients' backs (lease6-wipe).
    func testLeaseMissingOnServerIsCaught() throws {
        let w = try World(scenario: Self.lan(count: 5, ia: [.na, .pd]), seed: 4)
        w.maxEvents = 300
        _ = w.run()
        XCTAssertEqual(w.failure?.name, "max-events")
        XCTAssertGreaterThan(w.clients6.filter { $0.client.holdsLease(at: w.now) }.count, 0)
        w.failure = nil
        w.maxEvents = 200_000_000
        let server = w.servers6[0]
        let (_, e) = server.engine!.handle(.leaseWipe, arguments: nil, now: server.now(w.now))
        w.carryOut6(e, server: 0)
        let f = try XCTUnwrap(w.failure)
        XCTAssertEqual(f.name, "lease-on-server", f.description)
    }

    /// The check compares what clients get with the server's config: tampering with the
    /// config it reads makes every Reply wrong.
    func testTimersNotFollowingConfigAreCaught() throws {
        let w = try World(scenario: Self.lan(count: 5), seed: 2)
        w.servers6[0].config.timers.common.renewTimerSeconds = 111
        let f = try XCTUnwrap(w.run().failure)
        XCTAssertEqual(f.name, "timers-follow-config", f.description)
    }

    /// A store that forgets writes: after a crash the restarted server has lost leases it
    /// acknowledged.
    func testForgetfulStoreIsCaughtAfterCrash() throws {
        var s = Self.lan(ia: [.na, .pd], storage: .forgetEveryNth(3))
        s.faults = [FaultSpec(atMilliseconds: 120_000, kind: .crash(server: "s1", downForMilliseconds: 5_000))]
        let f = try XCTUnwrap(try World(scenario: s, seed: 11).run().failure)
        XCTAssertEqual(f.kind, .invariant)
        XCTAssertEqual(f.name, "acked-lease-durable", f.description)
        XCTAssertEqual(try World(scenario: s, seed: 11).run().failure?.event, f.event, "replay fails at the same event")
        var good = s
        good.servers[0].storage = .writeThrough
        XCTAssertNil(try World(scenario: good, seed: 11).run().failure)
    }

    /// Replies sent before the write is durable: a crash in between loses acknowledged leases.
    func testLazyStorageIsCaughtAfterCrash() throws {
        var s = Self.lan(storage: .lazy(delayMilliseconds: 60_000))
        s.faults = [FaultSpec(atMilliseconds: 50_000, kind: .crash(server: "s1", downForMilliseconds: 2_000))]
        let f = try XCTUnwrap(try World(scenario: s, seed: 3).run().failure)
        XCTAssertEqual(f.name, "acked-lease-durable", f.description)
    }

    /// A restarted server that reloads its lease file keeps every client bound (no NoBinding).
    func testRestartFromLeaseFileKeepsClientsBound() throws {
        var s = Self.lan(ia: [.na, .pd])
        s.faults = [FaultSpec(atMilliseconds: 230_000, kind: .crash(server: "s1", downForMilliseconds: 60_000))]
        let r = try World(scenario: s, seed: 12).run()
        XCTAssertNil(r.failure, r.failure?.description ?? "")
        XCTAssertEqual(r.summary.naks, 0)
        XCTAssertEqual(r.summary.lost, 0)
        XCTAssertEqual(r.summary.boundAtEnd, 30)
    }
}
