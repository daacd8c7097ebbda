import Testing
@testable import KakapoCore

/// D2Engine end to end without I/O: requests go in as datagrams, the UPDATEs it sends are
/// answered by DNSZoneData (RFC 2136 semantics) standing in for the DNS server, signed or not,
/// and the engine's queue, concurrency, deadlines, TSIG checks and statistics are observed.
@Suite struct D2EngineTests {
    static let hmac = TSIGTests.fakeHMAC
    let ns1 = IPAddress.v4(IPv4Address(192, 0, 2, 53))
    let ns2 = IPAddress.v4(IPv4Address(192, 0, 2, 54))

    static func key(_ secret: String = "secret") -> TSIGKey {
        TSIGKey(name: DNSName(uncheckedLabels: [Array("d2".utf8), Array("key".utf8)]), algorithm: .hmacSHA256, secret: Array(secret.utf8))
    }

    func config(key: TSIGKey? = Self.key(), servers: [IPAddress]? = nil, forward: Bool = true, reverse: Bool = true,
                timeout: UInt32 = 500) throws -> D2Config {
        var c = D2Config()
        c.dnsServerTimeoutMilliseconds = timeout
        if let key { c.tsigKeys = [D2TSIGKey(key: key, configName: "d2.key")] }
        let list = (servers ?? [ns1]).map { D2DNSServer(address: $0, port: 53, key: key) }
        if forward { c.forwardDomains = [D2Domain(name: try DNSName("example.org"), isWildcard: false, key: key, servers: list)] }
        if reverse { c.reverseDomains = [D2Domain(name: try DNSName("2.0.192.in-addr.arpa"), isWildcard: false, key: key, servers: list)] }
        return c
    }

    static func ncr(_ type: NameChangeRequest.ChangeType = .add, _ name: String = "host.example.org.",
                    address: String = "192.0.2.10", dhcid: UInt8 = 1, conflict: Bool = true) -> NameChangeRequest {
        NameChangeRequest(changeType: type, forward: true, reverse: true, fqdn: name, address: address,
                          dhcid: [0, 1, 1, dhcid, dhcid], leaseExpiresOn: WallTime(secondsSinceEpoch: 1_900_000_000),
                          leaseLengthSeconds: 3600, useConflictResolution: conflict)
    }

    /// The engine, a zone acting as every server, and what went out.
    struct Harness {
        var engine: D2Engine
        var zone: DNSZoneData
        var now = Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 10_000))
        var pending: [(wire: [UInt8], to: IPAddress, port: UInt16, exchange: UInt64)] = []
        var logs: [D2Event] = []
        var sentIDs: [UInt16] = []
        /// Every update sent, decoded.
        var sent: [DNSMessage] = []
        /// How the server signs its answers: nil answers unsigned.
        var serverKey: TSIGKey? = D2EngineTests.key()

        init(_ c: D2Config, seed: UInt64 = 7, queueMax: Int = D2Engine.defaultQueueMax, transactionsMax: Int = D2Engine.defaultTransactionsMax) throws {
            engine = D2Engine(config: c, hmac: D2EngineTests.hmac, seed: seed,
                              now: Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 10_000)),
                              queueMax: queueMax, transactionsMax: transactionsMax)
            zone = DNSZoneData(zones: [try DNSName("example.org"), try DNSName("2.0.192.in-addr.arpa")])
        }

        mutating func absorb(_ effects: [D2Effect]) {
            for e in effects {
                switch e {
                case .log(let ev): logs.append(ev)
                case .sendDNS(let wire, let to, let port, let exchange):
                    pending.append((wire, to, port, exchange))
                    sentIDs.append(UInt16(wire[0]) << 8 | UInt16(wire[1]))
                    if let m = try? DNSMessage.decode(wire).get() { sent.append(m) }
                }
            }
        }

        mutating func send(_ r: NameChangeRequest) { absorb(engine.receive(request: r.wire, now: now)) }

        /// The server's answer to one update: applied to the zone, signed with `serverKey`
        /// over the request's MAC.
        mutating func answer(_ wire: [UInt8]) -> [UInt8] {
            var m = (try? DNSMessage.decode(wire).get())!
            var requestMAC: [UInt8] = []
            if let t = m.tsig, case .tsig(let d) = t.data {
                requestMAC = d.mac
                m.additionals.removeLast()
            }
            var r = DNSMessage(id: m.id, isResponse: true, opcode: .update)
            r.questions = m.questions
            r.rcode = zone.apply(m)
            guard let k = serverKey else { return r.encode() }
            return TSIG.sign(r, key: k, timeSigned: UInt64(now.wall.secondsSinceEpoch), requestMAC: requestMAC, hmac: D2EngineTests.hmac).wire
        }

        /// Answers everything sent, except to `silent` servers, until nothing is left to answer.
        mutating func serve(silent: Set<IPAddress> = []) {
            for _ in 0..<1000 {
                guard let i = pending.firstIndex(where: { !silent.contains($0.to) }) else { return }
                let p = pending.remove(at: i)
                let reply = answer(p.wire)
                absorb(engine.receive(dns: reply, from: p.to, port: p.port, now: now))
            }
        }

        mutating func advance(_ ms: Int64) {
            now.monotonic = now.monotonic + Milliseconds(ms)
            now.wall = now.wall + Seconds(ms / 1000)
            absorb(engine.expire(now: now))
            // What timed out is no longer answered.
            pending.removeAll { p in !engine.running.contains { $0.outstanding?.exchange == p.exchange } }
        }

        func stat(_ name: String) -> Int64 { engine.statistics.value(name) ?? -1 }
        func logged(_ id: String) -> Int { logs.filter { $0.logLine.id == id }.count }
    }

    @Test func signedAddThenRemove() throws {
        var h = try Harness(config())
        h.send(Self.ncr())
        h.serve()
        let host = try DNSName("host.example.org"), rev = try DNSName("10.2.0.192.in-addr.arpa")
        #expect(h.zone.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 10))])
        #expect(h.zone.rrset(host, .dhcid) == [.raw([0, 1, 1, 1, 1])])
        #expect(h.zone.rrset(rev, .ptr) == [.name(host)])
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 1)
        #expect(h.stat("ncr-received") == 1)
        #expect(h.stat("update-sent") == 2)
        #expect(h.stat("update-signed") == 2)
        #expect(h.stat("update-unsigned") == 0)
        #expect(h.stat("update-success") == 2)
        #expect(h.stat("key[d2.key.].update-sent") == 2)
        #expect(h.stat("key[d2.key.].update-success") == 2)
        #expect(h.engine.transactionCount == 0)
        #expect(h.sent.count == 2 && h.sent.allSatisfy { $0.tsig?.name == Self.key().name })

        h.send(Self.ncr(.remove))
        h.serve()
        #expect(h.zone.rrset(host, .a).isEmpty)
        #expect(h.zone.rrset(host, .dhcid).isEmpty)
        #expect(h.zone.rrset(rev, .ptr).isEmpty)
        #expect(h.logged("DHCP_DDNS_REMOVE_SUCCEEDED") == 1)
        // Remove: forward addresses, forward RRs, reverse.
        #expect(h.stat("update-sent") == 5)
    }

    @Test func unsignedServerKeyless() throws {
        var h = try Harness(config(key: nil))
        h.serverKey = nil
        h.send(Self.ncr())
        h.serve()
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 1)
        #expect(h.stat("update-unsigned") == 2)
        #expect(h.stat("update-signed") == 0)
        #expect(h.sent.count == 2 && h.sent.allSatisfy { $0.tsig == nil && $0.additionals.isEmpty })
        #expect(h.stat("key[d2.key.].update-sent") == -1)
    }

    /// An unsigned answer to a signed update is an error (Kea's INVALID_RESPONSE), not the
    /// server's verdict: counted, tried three times, then the request fails.
    @Test func unsignedAnswerToSignedUpdateIsAnError() throws {
        var h = try Harness(config())
        h.serverKey = nil
        h.send(Self.ncr())
        h.serve()
        #expect(h.stat("update-error") == 3)
        #expect(h.stat("key[d2.key.].update-error") == 3)
        #expect(h.stat("update-success") == 0)
        #expect(h.logged("DHCP_DDNS_FORWARD_ADD_RESP_CORRUPT") == 3)
        #expect(h.logged("DHCP_DDNS_ADD_FAILED") == 1)
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 0)
        #expect(h.engine.transactionCount == 0)
    }

    @Test func answerSignedWithAnotherSecretIsAnError() throws {
        var h = try Harness(config())
        h.serverKey = Self.key("another secret")
        h.send(Self.ncr())
        h.serve()
        #expect(h.stat("update-error") == 3)
        #expect(h.logs.contains { if case .invalidResponse(let r) = $0 { r.contains("badSignature") } else { false } })
        #expect(h.logged("DHCP_DDNS_ADD_FAILED") == 1)
    }

    /// A server that does not answer: each try waits `dns-server-timeout`, three tries, then
    /// the domain's next server.
    @Test func timeoutsThenNextServer() throws {
        var h = try Harness(config(servers: [ns1, ns2], timeout: 400))
        h.send(Self.ncr())
        #expect(h.engine.nextDeadline == h.now.monotonic + Milliseconds(400))
        #expect(h.pending.map(\.to) == [ns1])
        h.advance(399)
        #expect(h.stat("update-timeout") == 0)
        h.advance(1)
        #expect(h.stat("update-timeout") == 1)
        #expect(h.logged("DHCP_DDNS_FORWARD_ADD_TIMEOUT") == 1)
        h.advance(400)
        h.advance(400)
        #expect(h.stat("update-timeout") == 3)
        #expect(h.pending.map(\.to) == [ns2])
        h.serve(silent: [ns1])
        #expect(h.zone.rrset(try DNSName("host.example.org"), .a) == [.a(IPv4Address(192, 0, 2, 10))])
        // The reverse step starts again from the domain's first server, as in Kea.
        #expect(h.pending.map(\.to) == [ns1])
        for _ in 0..<3 { h.advance(400) }
        h.serve(silent: [ns1])
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 1)
        #expect(h.stat("update-timeout") == 6)
        #expect(h.stat("update-sent") == 8)
        #expect(h.engine.nextDeadline == nil)
    }

    @Test func noServerAnswersFailsTheRequest() throws {
        var h = try Harness(config(servers: [ns1, ns2], timeout: 100))
        h.send(Self.ncr())
        for _ in 0..<6 { h.advance(100) }
        #expect(h.stat("update-timeout") == 6)
        #expect(h.logged("DHCP_DDNS_ADD_FAILED") == 1)
        #expect(h.engine.transactionCount == 0)
        #expect(h.engine.nextDeadline == nil)
    }

    /// At most `transactionsMax` at once; the queue holds `queueMax` more and refuses beyond.
    @Test func queueBoundAndConcurrency() throws {
        var h = try Harness(config(), queueMax: 3, transactionsMax: 2)
        for i in 0..<6 {
            h.send(Self.ncr(.add, "h\(i).example.org.", address: "192.0.2.\(20 + i)", dhcid: UInt8(i)))
        }
        #expect(h.engine.transactionCount == 2)
        #expect(h.engine.queue.count == 3)
        #expect(h.pending.count == 2)
        #expect(!h.engine.acceptsRequests)
        #expect(h.stat("ncr-received") == 5)
        #expect(h.logged("DHCP_DDNS_QUEUE_MGR_QUEUE_FULL") == 2)  // on filling up, then the refused one
        #expect(h.logged("DHCP_DDNS_AT_MAX_TRANSACTIONS") >= 1)
        h.serve()
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 5)
        #expect(h.logged("DHCP_DDNS_QUEUE_MGR_RESUMING") == 1)
        #expect(h.engine.acceptsRequests)
        #expect(h.engine.queue.isEmpty && h.engine.transactionCount == 0)
        for i in 0..<5 { #expect(!h.zone.rrset(try DNSName("h\(i).example.org"), .a).isEmpty) }
        #expect(h.zone.rrset(try DNSName("h5.example.org"), .a).isEmpty)
    }

    /// After filling up, the queue takes requests again only once it is down to 80% (Kea's
    /// restart threshold), not as soon as one slot is free.
    @Test func queueResumesAtEightyPercent() throws {
        var h = try Harness(config(), queueMax: 10, transactionsMax: 1)
        for i in 0..<11 { h.send(Self.ncr(.add, "q\(i).example.org.", address: "192.0.2.\(100 + i)", dhcid: UInt8(i))) }
        #expect(h.engine.queue.count == 10 && !h.engine.acceptsRequests)
        // One request done: 9 queued, still above the threshold of 8.
        h.serve(silent: [ns1])
        for _ in 0..<2 {
            let p = h.pending.removeFirst()
            h.absorb(h.engine.receive(dns: h.answer(p.wire), from: p.to, port: p.port, now: h.now))
        }
        #expect(h.engine.queue.count == 9)
        #expect(!h.engine.acceptsRequests)
        #expect(h.logged("DHCP_DDNS_QUEUE_MGR_RESUMING") == 0)
        for _ in 0..<2 {
            let p = h.pending.removeFirst()
            h.absorb(h.engine.receive(dns: h.answer(p.wire), from: p.to, port: p.port, now: h.now))
        }
        #expect(h.engine.queue.count == 8)
        #expect(h.engine.acceptsRequests)
        #expect(h.logs.contains(.queueResuming(size: 8, max: 10)))
    }

    /// A request for a client (DHCID or FQDN) that has a transaction waits for it.
    @Test func sameClientWaits() throws {
        var h = try Harness(config())
        h.send(Self.ncr(.add, address: "192.0.2.10"))
        h.send(Self.ncr(.add, address: "192.0.2.11"))
        #expect(h.engine.transactionCount == 1)
        #expect(h.engine.queue.count == 1)
        #expect(h.logged("DHCP_DDNS_NO_ELIGIBLE_JOBS") == 1)
        h.serve()
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 2)
        #expect(h.zone.rrset(try DNSName("host.example.org"), .a) == [.a(IPv4Address(192, 0, 2, 11))])
    }

    @Test func invalidRequestsAreCountedAndDropped() throws {
        var h = try Harness(config())
        for wire: [UInt8] in [[], [0], [0, 5, 1, 2], [0, 2, 0x7B, 0x7D], Array("xx{}".utf8)] {
            h.absorb(h.engine.receive(request: wire, now: h.now))
        }
        var bad = Self.ncr()
        bad.fqdn = ""
        h.absorb(h.engine.receive(request: bad.wire, now: h.now))
        #expect(h.stat("ncr-invalid") == 6)
        #expect(h.stat("ncr-received") == 0)
        #expect(h.logged("DHCP_DDNS_INVALID_NCR") == 6)
        #expect(h.pending.isEmpty)
    }

    @Test func noMatchingDomainAndDisabledDirections() throws {
        var h = try Harness(config())
        h.send(Self.ncr(.add, "host.example.net."))
        #expect(h.logged("DHCP_DDNS_NO_FWD_MATCH_ERROR") == 1)
        h.send(Self.ncr(.add, "other.example.org.", address: "198.51.100.1", dhcid: 9))
        #expect(h.logged("DHCP_DDNS_NO_REV_MATCH_ERROR") == 1)
        #expect(h.pending.isEmpty)

        // No forward domains: the forward part is ignored, the reverse one done.
        var r = try Harness(config(forward: false))
        r.send(Self.ncr())
        #expect(r.logged("DHCP_DDNS_FWD_REQUEST_IGNORED") == 1)
        r.serve()
        #expect(r.logged("DHCP_DDNS_ADD_SUCCEEDED") == 1)
        #expect(r.zone.rrset(try DNSName("host.example.org"), .a).isEmpty)
        #expect(!r.zone.rrset(try DNSName("10.2.0.192.in-addr.arpa"), .ptr).isEmpty)
        // Neither direction configured: dropped.
        var n = try Harness(config(forward: false, reverse: false))
        n.send(Self.ncr())
        #expect(n.logged("DHCP_DDNS_REQUEST_DROPPED") == 1)
        #expect(n.pending.isEmpty)
    }

    /// Conflict resolution through the engine: another client's DHCID is refused; without
    /// conflict resolution it replaces.
    @Test func conflictResolution() throws {
        var h = try Harness(config())
        h.send(Self.ncr(dhcid: 1))
        h.serve()
        h.send(Self.ncr(.add, address: "192.0.2.12", dhcid: 2))
        h.serve()
        #expect(h.logged("DHCP_DDNS_FORWARD_REPLACE_REJECTED") == 1)
        #expect(h.logged("DHCP_DDNS_ADD_FAILED") == 1)
        let host = try DNSName("host.example.org")
        #expect(h.zone.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 10))])
        h.send(Self.ncr(.add, address: "192.0.2.12", dhcid: 2, conflict: false))
        h.serve()
        #expect(h.zone.rrset(host, .a) == [.a(IPv4Address(192, 0, 2, 12))])
        #expect(h.zone.rrset(host, .dhcid) == [.raw([0, 1, 1, 2, 2])])
    }

    /// Answers that match no outstanding update are dropped without a count; a matching one
    /// that does not decode is an error and the update is sent again.
    @Test func strayAndCorruptAnswers() throws {
        var h = try Harness(config())
        h.send(Self.ncr())
        let out = h.pending[0]
        var id = UInt16(out.wire[0]) << 8 | UInt16(out.wire[1])
        // Wrong source, wrong port, wrong ID, too short.
        h.absorb(h.engine.receive(dns: h.answer(out.wire), from: ns2, port: 53, now: h.now))
        h.absorb(h.engine.receive(dns: h.answer(out.wire), from: ns1, port: 5353, now: h.now))
        var other = out.wire
        other[1] ^= 0xFF
        h.absorb(h.engine.receive(dns: other, from: ns1, port: 53, now: h.now))
        h.absorb(h.engine.receive(dns: [1, 2, 3], from: ns1, port: 53, now: h.now))
        #expect(h.stat("update-error") == 0 && h.stat("update-success") == 0)
        #expect(h.engine.transactionCount == 1)
        // The right ID from the right server, but truncated.
        h.absorb(h.engine.receive(dns: [UInt8(id >> 8), UInt8(id & 0xFF)] + [0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9], from: ns1, port: 53, now: h.now))
        #expect(h.stat("update-error") == 1)
        #expect(h.logged("DHCP_DDNS_FORWARD_ADD_RESP_CORRUPT") == 1)
        // Sent again, under a new ID.
        #expect(h.sentIDs.count == 2)
        id = h.sentIDs[1]
        h.pending.removeFirst()
        #expect(UInt16(h.pending[0].wire[0]) << 8 | UInt16(h.pending[0].wire[1]) == id)
        h.serve()
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 1)
    }

    /// Hostile datagrams on the DNS socket never trap, and every update sent ends in exactly
    /// one of success, error or timeout (or is still outstanding).
    @Test func randomAnswersKeepTheCountsConsistent() throws {
        var h = try Harness(config(servers: [ns1, ns2]), transactionsMax: 4)
        var rng = EngineRandom(seed: 99)
        for i in 0..<8 { h.send(Self.ncr(.add, "r\(i).example.org.", address: "192.0.2.\(40 + i)", dhcid: UInt8(i))) }
        for _ in 0..<400 {
            let choice = rng.below(4)
            if choice == 0, let p = h.pending.first {
                // A mangled copy of a real answer, from the right server.
                var reply = h.answer(p.wire)
                let at = Int(rng.below(UInt64(reply.count)))
                reply[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
                h.absorb(h.engine.receive(dns: reply, from: p.to, port: p.port, now: h.now))
            } else if choice == 1 {
                let n = Int(rng.below(64))
                let junk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                h.absorb(h.engine.receive(dns: junk, from: rng.below(2) == 0 ? ns1 : ns2, port: 53, now: h.now))
            } else if choice == 2 {
                h.advance(Int64(rng.below(300)))
            } else if let p = h.pending.first {
                h.pending.removeFirst()
                h.absorb(h.engine.receive(dns: h.answer(p.wire), from: p.to, port: p.port, now: h.now))
            }
            let outstanding = Int64(h.engine.running.filter { $0.outstanding != nil }.count)
            #expect(h.stat("update-sent") == h.stat("update-success") + h.stat("update-error") + h.stat("update-timeout") + outstanding)
        }
        for _ in 0..<40 { h.advance(500) }
        #expect(h.engine.transactionCount == 0)
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") + h.logged("DHCP_DDNS_ADD_FAILED") == 8)
    }

    /// Message IDs come from the seeded generator: the same seed gives the same IDs.
    @Test func messageIDsFollowTheSeed() throws {
        func ids(_ seed: UInt64) throws -> [UInt16] {
            var h = try Harness(config(), seed: seed)
            for i in 0..<4 { h.send(Self.ncr(.add, "s\(i).example.org.", address: "192.0.2.\(60 + i)", dhcid: UInt8(i))) }
            h.serve()
            return h.sentIDs
        }
        #expect(try ids(1) == ids(1))
        #expect(try ids(1) != ids(2))
        #expect(try ids(1).count == 8)
    }

    @Test func sendFailureIsAnIOError() throws {
        var h = try Harness(config())
        h.send(Self.ncr())
        let p = h.pending.removeFirst()
        h.absorb(h.engine.sendFailed(exchange: p.exchange, now: h.now))
        #expect(h.stat("update-error") == 1)
        #expect(h.logged("DHCP_DDNS_FORWARD_ADD_IO_ERROR") == 1)
        #expect(h.pending.count == 1)
        h.serve()
        #expect(h.logged("DHCP_DDNS_ADD_SUCCEEDED") == 1)
    }

    /// Kea's wording: the request ID is the DHCID in upper-case hex, the request printed as
    /// Kea's NameChangeRequest::toText, each event under Kea's logger.
    @Test func keaWording() throws {
        let r = Self.ncr(.remove, dhcid: 0xAB)
        #expect(r.keaText == """
            Type: 1 (CHG_REMOVE)
            Forward Change: yes
            Reverse Change: yes
            FQDN: [host.example.org.]
            IP Address: [192.0.2.10]
            DHCID: [000101ABAB]
            Lease Expires On: 20300317174640
            Lease Length: 3600
            Conflict Resolution: yes

            """)
        var h = try Harness(config())
        h.send(r)
        #expect(h.logs.first == .queued(requestID: "000101ABAB"))
        #expect(h.logs.first?.logLine.text == "Request ID 000101ABAB: received and queued a request.")
        h.serve()
        let done = try #require(h.logs.last)
        #expect(done.logLine.id == "DHCP_DDNS_REMOVE_SUCCEEDED")
        #expect(done.logLine.text.hasPrefix("DHCP_DDNS Request ID 000101ABAB: successfully removed the DNS mapping addition for this request: Type: 1 (CHG_REMOVE)\n"))
        #expect(done.component == "d2-to-dns")
        #expect(D2Event.invalidNCR(reason: "x").component == "libdhcp-ddns")
        #expect(D2Event.queued(requestID: "x").component == "dhcp-to-d2")
        var failing = try Harness(config())
        failing.serverKey = nil
        var fwd = Self.ncr(dhcid: 0xCD)
        fwd.reverse = false
        failing.send(fwd)
        failing.serve()
        let failed = try #require(failing.logs.last)
        #expect(failed.logLine.id == "DHCP_DDNS_ADD_FAILED")
        #expect(failed.logLine.text.hasPrefix("DHCP_DDNS Request ID 000101CDCD: Transaction outcome Status: Failed, Event: NO_MORE_SERVERS_EVT,  Forward change: failed,  request: Type: 0 (CHG_ADD)\n"))
        let server = D2DNSServer(address: ns1, port: 53, key: nil)
        #expect(D2Event.rejected(requestID: "01", step: .addingForward, server: server, fqdn: "a.example.org.", rcode: .refused).logLine.text
                == "DNS Request ID 01: Server, 192.0.2.53 port:53, rejected a DNS update request to add the address mapping for FQDN, a.example.org., with an RCODE: 5")
    }

    @Test func statisticsCommandsShape() throws {
        var s = D2Statistics(keys: ["k1"], now: WallTime(secondsSinceEpoch: 0))
        #expect(s.all().map(\.name) == D2Statistics.globalNames + D2Statistics.keyNames.map { "key[k1].\($0)" })
        s.count("ncr-received", now: WallTime(secondsSinceEpoch: 5))
        #expect(s.value("ncr-received") == 1)
        let wasReset = s.reset("ncr-received", now: WallTime(secondsSinceEpoch: 6))
        #expect(wasReset)
        #expect(s.value("ncr-received") == 0)
        let removed = s.remove("ncr-received"), removedAgain = s.remove("ncr-received")
        #expect(removed && !removedAgain)
        #expect(s.value("ncr-received") == nil)
        s.count("ncr-received", now: WallTime(secondsSinceEpoch: 7))
        #expect(s.value("ncr-received") == 1)
        s.removeAll()
        #expect(s.all().isEmpty)
    }
}
