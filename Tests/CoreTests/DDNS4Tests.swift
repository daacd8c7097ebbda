import XCTest
@testable import KakapoCore

/// kakapo-dhcp4's client names and name change requests against Kea 2.4's documented rules
/// (ARM "DDNS for DHCPv4"; dhcp4_srv.cc processClientFqdnOption, processHostnameOption,
/// postAllocateNameUpdate, createNameChangeRequests; d2_client_mgr.cc; ncr_generator.cc).
final class DDNS4Tests: XCTestCase {
    static let s = ClientFQDN4.flagS, o = ClientFQDN4.flagO, e = ClientFQDN4.flagE, n = ClientFQDN4.flagN

    /// The digest stands in for SHA-256 and returns its input, so the DHCID shows what was hashed.
    static let identityDigest: @Sendable ([UInt8]) -> [UInt8] = { $0 }

    static func config(enable: Bool = true, _ tweak: (inout DDNSSettings) -> Void = { _ in }) -> Dhcp4Config {
        var c = EngineHarness.config()
        c.ddns.enableUpdates = enable
        c.ddns.qualifyingSuffix = "example.org"
        tweak(&c.ddns)
        return c
    }

    static func harness(_ c: Dhcp4Config, digest: Bool = true) -> EngineHarness {
        var h = EngineHarness(config: c)
        if digest { h.engine.ddnsDigest = identityDigest }
        return h
    }

    /// Option 81 data in wire form (E set) or ASCII.
    static func fqdn(_ flags: UInt8, _ name: String, full: Bool = false) -> [UInt8] {
        ClientFQDN4(flags: flags, name: name, full: full).data
    }

    /// DISCOVER then REQUEST with the same extra options; returns OFFER, ACK and the REQUEST's effects.
    static func dora(_ h: inout EngineHarness, mac: UInt8 = 1, _ options: [(UInt8, [UInt8])]) -> (DHCPv4Message?, DHCPv4Message?, Effects4) {
        let (offers, de) = h.send(EngineHarness.message(.discover, mac: EngineHarness.mac(mac), options: options))
        XCTAssertTrue(de.nameChanges.isEmpty, "a DISCOVER never makes a name change request")
        guard let offer = offers.first else { return (nil, nil, Effects4()) }
        let req = EngineHarness.message(.request, mac: EngineHarness.mac(mac), options: options + [
            (DHCPv4Option.dhcpRequestedAddress.code, offer.yiaddr.bytes),
            (DHCPv4Option.dhcpServerIdentifier.code, offer.serverIdentifier!.bytes)])
        let (acks, effects) = h.send(req)
        return (offer, acks.first, effects)
    }

    static func renew(_ h: inout EngineHarness, mac: UInt8 = 1, address: IPv4Address, _ options: [(UInt8, [UInt8])]) -> (DHCPv4Message?, Effects4) {
        var m = EngineHarness.message(.request, mac: EngineHarness.mac(mac), xid: 9, options: options)
        m.ciaddr = address
        let (replies, effects) = h.send(m)
        return (replies.first, effects)
    }

    static func replyFQDN(_ m: DHCPv4Message?) -> ClientFQDN4? {
        m?.options[DHCPv4Option.fqdn].flatMap(ClientFQDN4.init(data:))
    }

    static func replyHostname(_ m: DHCPv4Message?) -> String? {
        m?.options[DHCPv4Option.hostName].map { String(decoding: $0, as: UTF8.self) }
    }

    // MARK: - The S, N and O flags (RFC 4702 §3.3–3.4, Kea's analyzeFqdn)

    func testServerFlagsFollowKeasTable() {
        struct Case { var enable: Bool; var send = true; var overrideClient = false; var overrideNo = false; var client: UInt8; var reply: UInt8 }
        let s = Self.s, o = Self.o, n = Self.n
        let cases: [Case] = [
            // Client N=0 S=0: it updates its A record itself; the server does the PTR.
            Case(enable: true, client: 0, reply: 0),
            Case(enable: true, overrideClient: true, client: 0, reply: s | o),
            Case(enable: false, client: 0, reply: n),
            // Client S=1: the server updates both, if it does updates at all.
            Case(enable: true, client: s, reply: s),
            Case(enable: false, client: s, reply: n | o),
            Case(enable: true, send: false, client: s, reply: n | o),
            // Client N=1: no updates, unless override-no-update.
            Case(enable: true, client: n, reply: n),
            Case(enable: true, overrideNo: true, client: n, reply: s | o),
            Case(enable: false, overrideNo: true, client: n, reply: n),
        ]
        for (i, c) in cases.enumerated() {
            let config = Self.config(enable: c.enable) {
                $0.sendUpdates = c.send
                $0.overrideClientUpdate = c.overrideClient
                $0.overrideNoUpdate = c.overrideNo
            }
            var h = Self.harness(config)
            let (offer, ack, _) = Self.dora(&h, [(81, Self.fqdn(c.client | Self.e, "host"))])
            XCTAssertEqual(Self.replyFQDN(offer)?.flags, c.reply | Self.e, "case \(i) offer")
            XCTAssertEqual(Self.replyFQDN(ack)?.flags, c.reply | Self.e, "case \(i) ack")
        }
    }

    func testNAndSBothSetIsRefusedByTheCodec() {
        XCTAssertNil(ClientFQDN4(data: [Self.n | Self.s, 0, 0]))
        XCTAssertNil(ClientFQDN4(data: [Self.s, 0]), "shorter than flags and two RCODEs")
        XCTAssertNotNil(ClientFQDN4(data: [Self.s | 0xF0, 0, 0]), "MBZ bits are ignored")
    }

    // MARK: - Option 81 names

    func testPartialNameIsQualifiedFullNameKept() {
        var h = Self.harness(Self.config())
        let (_, ack, _) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "laptop"))])
        let f = Self.replyFQDN(ack)
        XCTAssertEqual(f?.name, "laptop.example.org")
        XCTAssertEqual(f?.full, true)
        var h2 = Self.harness(Self.config())
        let (_, ack2, _) = Self.dora(&h2, [(81, Self.fqdn(Self.s | Self.e, "laptop.corp.test", full: true))])
        XCTAssertEqual(Self.replyFQDN(ack2)?.domainName, "laptop.corp.test.")
        // Kea answers (and records) the name in lower case, in either encoding.
        var h3 = Self.harness(Self.config())
        let (_, ack3, _) = Self.dora(&h3, [(81, [Self.s, 0, 0] + Array("Pc.Corp.Test.".utf8))])
        XCTAssertEqual(ack3?.options[DHCPv4Option.fqdn], [Self.s, 0, 0] + Array("pc.corp.test.".utf8))
        XCTAssertEqual(h3.engine.store.lease(at: IPv4Address(192, 0, 2, 10))?.hostname, "pc.corp.test.")
    }

    func testEncodingsWireAndASCII() throws {
        var h = Self.harness(Self.config())
        // Deprecated ASCII form (E clear): the reply answers in ASCII, fully qualified with its dot.
        let (_, ack, _) = Self.dora(&h, [(81, [Self.s, 0, 0] + Array("laptop".utf8))])
        XCTAssertEqual(ack?.options[DHCPv4Option.fqdn], [Self.s, 0, 0] + Array("laptop.example.org.".utf8))
        // Canonical wire form (E set): the reply answers with labels and the root label.
        var h2 = Self.harness(Self.config())
        let (_, ack2, _) = Self.dora(&h2, [(81, [Self.s | Self.e, 0, 0, 6] + Array("laptop".utf8))])
        let wire: [UInt8] = [Self.s | Self.e, 0, 0, 6] + Array("laptop".utf8) + [7] + Array("example".utf8) + [3] + Array("org".utf8) + [0]
        XCTAssertEqual(ack2?.options[DHCPv4Option.fqdn], wire)
        XCTAssertEqual(try XCTUnwrap(ClientFQDN4(data: wire)).domainName, "laptop.example.org.")
        XCTAssertEqual(ClientFQDN4(data: [0, 0, 0] + Array("a.b.".utf8))?.full, true)
        XCTAssertEqual(ClientFQDN4(data: [0, 0, 0] + Array("a.b".utf8))?.full, false)
        XCTAssertEqual(ClientFQDN4(data: [Self.e, 0, 0, 0])?.name, "", "the root label alone is an empty name")
    }

    func testReplaceClientNameModesWithOption81() {
        let cases: [(String, String, String)] = [
            // mode, client name, reply name
            ("never", "laptop", "laptop.example.org."),
            ("never", "", "myhost-192-0-2-10.example.org."),
            ("always", "laptop", "myhost-192-0-2-10.example.org."),
            ("when-present", "laptop", "myhost-192-0-2-10.example.org."),
            ("when-present", "", "myhost-192-0-2-10.example.org."),
            ("when-not-present", "laptop", "laptop.example.org."),
            ("when-not-present", "", "myhost-192-0-2-10.example.org."),
        ]
        for (mode, name, reply) in cases {
            var h = Self.harness(Self.config { $0.replaceClientName = mode })
            let (offer, ack, _) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, name))])
            XCTAssertEqual(Self.replyFQDN(offer)?.domainName, reply, "\(mode) \(name) offer")
            XCTAssertEqual(Self.replyFQDN(ack)?.domainName, reply, "\(mode) \(name) ack")
            XCTAssertEqual(h.engine.store.lease(at: IPv4Address(192, 0, 2, 10))?.hostname, reply)
        }
    }

    func testGeneratedPrefixAndNoSuffix() {
        var h = Self.harness(Self.config { $0.generatedPrefix = "dyn"; $0.qualifyingSuffix = "" })
        let (_, ack, _) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, ""))])
        XCTAssertEqual(Self.replyFQDN(ack)?.domainName, "dyn-192-0-2-10.")
    }

    func testSanitizerWorksLabelByLabel() {
        var h = Self.harness(Self.config { $0.hostnameCharSet = "[^A-Za-z0-9.-]"; $0.hostnameCharReplacement = "x" })
        let (_, ack, _) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "my_pc.lab", full: true))])
        XCTAssertEqual(Self.replyFQDN(ack)?.domainName, "myxpc.lab.")
        var off = Self.harness(Self.config { $0.hostnameCharSet = "" })
        let (_, ack2, _) = Self.dora(&off, [(81, [Self.s, 0, 0] + Array("my_pc.lab.".utf8))])
        XCTAssertEqual(Self.replyFQDN(ack2)?.domainName, "my_pc.lab.", "an empty char-set turns the sanitizer off")
    }

    func testReservedHostnameWinsForOption81() {
        var c = Self.config()
        c.subnets[0].reservations = [Reservation4(identifier: .hwAddress(HardwareAddress(bytes: EngineHarness.mac(1))),
                                                  hostname: "printer")]
        var h = Self.harness(c)
        let (_, ack, effects) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "laptop"))])
        XCTAssertEqual(Self.replyFQDN(ack)?.domainName, "printer.example.org.")
        XCTAssertEqual(effects.nameChanges.map(\.fqdn), ["printer.example.org."])
    }

    func testOption81WinsOverOption12() {
        var h = Self.harness(Self.config())
        let (_, ack, _) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "fqdn")), (12, Array("plain".utf8))])
        XCTAssertEqual(Self.replyFQDN(ack)?.domainName, "fqdn.example.org.")
        XCTAssertNil(ack?.options[DHCPv4Option.hostName])
    }

    func testMalformedOption81DropsThePacketUnlessLenient() {
        let bad: [[UInt8]] = [[Self.n | Self.s | Self.e, 0, 0, 1, 0x61], [Self.s | Self.e, 0, 0, 9, 0x61], [Self.s, 0, 0] + Array("a..b".utf8), [Self.s]]
        for raw in bad {
            var strict = Self.harness(Self.config())
            let (replies, effects) = strict.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [(81, raw)]))
            XCTAssertTrue(replies.isEmpty, "\(raw)")
            XCTAssertEqual(effects.events.first, .dropped(client: ClientLabel(hardwareAddress: HardwareAddress(bytes: []), clientID: nil, xid: 0),
                                                          reason: .parseFailed(.malformedOption(code: 81))))
            // lenient-option-parsing: the option is skipped, option 12 answers instead.
            var c = Self.config()
            c.compatibility.lenientOptionParsing = true
            var lenient = Self.harness(c)
            let (offers, _) = lenient.send(EngineHarness.message(.discover, mac: EngineHarness.mac(1), options: [(81, raw), (12, Array("alt".utf8))]))
            XCTAssertNil(offers.first?.options[DHCPv4Option.fqdn])
            XCTAssertEqual(Self.replyHostname(offers.first), "alt.example.org")
        }
    }

    // MARK: - Option 12

    func testHostNameOption() {
        let cases: [(String, String?, String)] = [
            // mode, client's option 12 (nil: none sent), reply's option 12 ("" when none)
            ("never", "Laptop", "laptop.example.org"),
            ("never", "laptop.lab.corp", "laptop.lab.corp"),
            ("never", nil, ""),
            ("always", "laptop", "myhost-192-0-2-10.example.org"),
            ("always", nil, "myhost-192-0-2-10.example.org"),
            ("when-present", "laptop", "myhost-192-0-2-10.example.org"),
            ("when-present", nil, ""),
            ("when-not-present", "laptop", "laptop.example.org"),
            ("when-not-present", nil, "myhost-192-0-2-10.example.org"),
        ]
        for (mode, sent, reply) in cases {
            var h = Self.harness(Self.config { $0.replaceClientName = mode })
            let opts: [(UInt8, [UInt8])] = sent.map { [(UInt8(12), Array($0.utf8))] } ?? []
            let (offer, ack, _) = Self.dora(&h, opts)
            XCTAssertEqual(Self.replyHostname(offer) ?? "", reply, "\(mode) \(sent ?? "-") offer")
            XCTAssertEqual(Self.replyHostname(ack) ?? "", reply, "\(mode) \(sent ?? "-") ack")
            let lease = h.engine.store.lease(at: IPv4Address(192, 0, 2, 10))
            XCTAssertEqual(lease?.hostname, reply)
            XCTAssertEqual(lease?.fqdnForward, !reply.isEmpty)
            XCTAssertEqual(lease?.fqdnReverse, !reply.isEmpty)
        }
    }

    func testHostNameSanitizedAndKeptWithoutDDNS() {
        var h = Self.harness(Self.config(enable: false) { $0.qualifyingSuffix = ""; $0.hostnameCharReplacement = "-" })
        let (_, ack, effects) = Self.dora(&h, [(12, Array("My_Box\u{0}".utf8))])
        XCTAssertEqual(Self.replyHostname(ack), "my-box")
        let lease = h.engine.store.lease(at: IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(lease?.hostname, "my-box")
        XCTAssertEqual(lease?.fqdnForward, false, "no updates: no directions recorded")
        XCTAssertTrue(effects.nameChanges.isEmpty)
    }

    func testReservedHostnameForOption12NeedsOption12OrPRL() {
        var c = Self.config()
        c.subnets[0].reservations = [Reservation4(identifier: .hwAddress(HardwareAddress(bytes: EngineHarness.mac(1))),
                                                  hostname: "Printer")]
        var asked = Self.harness(c)
        let (_, ack, _) = Self.dora(&asked, [(55, [1, 3, 12])])
        XCTAssertEqual(Self.replyHostname(ack), "printer.example.org")
        var silent = Self.harness(c)
        let (_, ack2, _) = Self.dora(&silent, [(55, [1, 3])])
        XCTAssertNil(ack2?.options[DHCPv4Option.hostName])
        XCTAssertEqual(silent.engine.store.lease(at: IPv4Address(192, 0, 2, 10))?.hostname, "")
    }

    // MARK: - Lease fields

    func testLeaseRecordsDirectionsFromTheReplyFlags() {
        let cases: [(UInt8, Bool, Bool)] = [(Self.s, true, true), (UInt8(0), false, true), (Self.n, false, false)]
        for (flags, fwd, rev) in cases {
            var h = Self.harness(Self.config())
            let (_, _, effects) = Self.dora(&h, [(81, Self.fqdn(flags | Self.e, "box"))])
            let lease = h.engine.store.lease(at: IPv4Address(192, 0, 2, 10))
            XCTAssertEqual(lease?.hostname, "box.example.org.")
            XCTAssertEqual(lease?.fqdnForward, fwd)
            XCTAssertEqual(lease?.fqdnReverse, rev)
            XCTAssertEqual(effects.nameChanges.count, fwd || rev ? 1 : 0)
            if let ncr = effects.nameChanges.first {
                XCTAssertEqual(ncr.forward, fwd)
                XCTAssertEqual(ncr.reverse, rev)
            }
        }
    }

    // MARK: - Name change requests

    func testAddOnGrantInKeasJSON() throws {
        var h = Self.harness(Self.config())
        let (_, _, effects) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "Laptop"))])
        let ncr = try XCTUnwrap(effects.nameChanges.first)
        XCTAssertEqual(effects.nameChanges.count, 1)
        // DHCID: type 0 (htype + chaddr), digest type 1, then (here) what was hashed: htype,
        // chaddr and the name in canonical (lower-case) wire form.
        let wire: [UInt8] = [6] + Array("laptop".utf8) + [7] + Array("example".utf8) + [3] + Array("org".utf8) + [0]
        XCTAssertEqual(ncr.dhcid, [0, 0, 1, 1] + EngineHarness.mac(1) + wire)
        // 3600 s lease: TTL a third of it; expiry at cltt + TTL.
        let expires = WallTime(secondsSinceEpoch: 1_800_000_000 + 1200).compactUTC
        XCTAssertEqual(ncr.jsonText, """
            {"change-type":0,"forward-change":true,"reverse-change":true,"fqdn":"laptop.example.org.",\
            "ip-address":"192.0.2.10","dhcid":"\(NameChangeRequest.hex(ncr.dhcid))","lease-expires-on":"\(expires)",\
            "lease-length":1200,"use-conflict-resolution":true}
            """)
        XCTAssertTrue(effects.transaction != nil, "held until the lease write is durable")
        // Logged (DHCPSRV_QUEUE_NCR, debug) with the lease's client.
        let logged = effects.events.compactMap { e -> NameChangeRequest? in
            if case .nameChangeQueued(let hw, _, let r) = e, hw?.bytes == EngineHarness.mac(1) { return r }
            return nil
        }
        XCTAssertEqual(logged, [ncr])
        XCTAssertEqual(effects.events.last?.logLine.id, "DHCPSRV_QUEUE_NCR")
    }

    func testDHCIDFromClientIdentifierWhenThereIsOne() throws {
        var h = Self.harness(Self.config())
        let cid: [UInt8] = [1, 2, 0, 0, 0, 0, 1]
        let (_, _, effects) = Self.dora(&h, [(61, cid), (81, Self.fqdn(Self.s | Self.e, "a"))])
        let ncr = try XCTUnwrap(effects.nameChanges.first)
        XCTAssertEqual(Array(ncr.dhcid.prefix(3 + cid.count)), [0, 1, 1] + cid)
    }

    func testTTL() {
        let rules = { (p: Double?) in DDNSNameRules(DDNSParameters(global: { var g = DDNSSettings(); g.ttlPercent = p; return g }())) }
        XCTAssertEqual(rules(nil).ttl(lifetime: 3600), 1200)
        XCTAssertEqual(rules(nil).ttl(lifetime: 1799), 600, "at least ten minutes (RFC 4702 §5)")
        XCTAssertEqual(rules(0.5).ttl(lifetime: 3600), 1800)
        XCTAssertEqual(rules(0.0001).ttl(lifetime: 100), 1, "never 0")
    }

    func testNoRequestsWithoutDigestOrWithUpdatesDisabled() {
        var noDigest = Self.harness(Self.config(), digest: false)
        let (_, ack, e1) = Self.dora(&noDigest, [(81, Self.fqdn(Self.s | Self.e, "a"))])
        XCTAssertEqual(Self.replyFQDN(ack)?.flags, Self.s | Self.e, "the reply does not depend on the digest")
        XCTAssertTrue(e1.nameChanges.isEmpty)
        var off = Self.harness(Self.config(enable: false))
        let (_, _, e2) = Self.dora(&off, [(81, Self.fqdn(Self.s | Self.e, "a")), (12, Array("b".utf8))])
        XCTAssertTrue(e2.nameChanges.isEmpty)
        var noSend = Self.harness(Self.config { $0.sendUpdates = false })
        let (_, _, e3) = Self.dora(&noSend, [(12, Array("b".utf8))])
        XCTAssertTrue(e3.nameChanges.isEmpty, "ddns-send-updates false: no directions, no request")
    }

    func testNoRequestWithoutAName() {
        var h = Self.harness(Self.config())
        let (_, _, effects) = Self.dora(&h, [])
        XCTAssertTrue(effects.nameChanges.isEmpty)
    }

    func testPlainRenewalSendsNothing() {
        var h = Self.harness(Self.config())
        let opts: [(UInt8, [UInt8])] = [(81, Self.fqdn(Self.s | Self.e, "a"))]
        _ = Self.dora(&h, opts)
        h.advance(seconds: 600)
        let (ack, effects) = Self.renew(&h, address: IPv4Address(192, 0, 2, 10), opts)
        XCTAssertEqual(ack?.messageType, .ack)
        XCTAssertTrue(effects.nameChanges.isEmpty)
    }

    func testUpdateOnRenewSendsRemoveThenAdd() {
        var h = Self.harness(Self.config { $0.updateOnRenew = true })
        let opts: [(UInt8, [UInt8])] = [(81, Self.fqdn(Self.s | Self.e, "a"))]
        _ = Self.dora(&h, opts)
        h.advance(seconds: 600)
        let (_, effects) = Self.renew(&h, address: IPv4Address(192, 0, 2, 10), opts)
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.remove, .add])
        XCTAssertEqual(effects.nameChanges.map(\.fqdn), ["a.example.org.", "a.example.org."])
        // The remove carries the old lease's times, the add the new one's.
        XCTAssertEqual(effects.nameChanges[1].leaseExpiresOn.secondsSinceEpoch - effects.nameChanges[0].leaseExpiresOn.secondsSinceEpoch, 600)
    }

    func testNameChangeOnRenewalSendsRemoveThenAdd() {
        var h = Self.harness(Self.config())
        _ = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "old"))])
        let (_, effects) = Self.renew(&h, address: IPv4Address(192, 0, 2, 10), [(81, Self.fqdn(Self.s | Self.e, "new"))])
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.remove, .add])
        XCTAssertEqual(effects.nameChanges.map(\.fqdn), ["old.example.org.", "new.example.org."])
        // Only the directions changing is a change too.
        let (_, again) = Self.renew(&h, address: IPv4Address(192, 0, 2, 10), [(81, Self.fqdn(Self.e, "new"))])
        XCTAssertEqual(again.nameChanges.map(\.changeType), [.remove, .add])
        XCTAssertEqual(again.nameChanges.map(\.forward), [true, false])
    }

    func testAddressChangeSendsRemoveThenAdd() {
        var h = Self.harness(Self.config())
        let opts: [(UInt8, [UInt8])] = [(81, Self.fqdn(Self.s | Self.e, "a"))]
        _ = Self.dora(&h, opts)
        // INIT-REBOOT-less move: a SELECTING REQUEST for another free address.
        let req = EngineHarness.message(.request, mac: EngineHarness.mac(1), options: opts + [
            (DHCPv4Option.dhcpRequestedAddress.code, [192, 0, 2, 15]),
            (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
        let (replies, effects) = h.send(req)
        XCTAssertEqual(replies.first?.yiaddr, IPv4Address(192, 0, 2, 15))
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.remove, .add])
        XCTAssertEqual(effects.nameChanges.map(\.address), ["192.0.2.10", "192.0.2.15"])
    }

    func testReleaseAndDeclineRemove() {
        var h = Self.harness(Self.config())
        _ = Self.dora(&h, [(12, Array("a".utf8))])
        var rel = EngineHarness.message(.release, mac: EngineHarness.mac(1), options: [(54, [192, 0, 2, 1])])
        rel.ciaddr = IPv4Address(192, 0, 2, 10)
        let (_, effects) = h.send(rel)
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(effects.nameChanges.first?.fqdn, "a.example.org.")

        var h2 = Self.harness(Self.config())
        _ = Self.dora(&h2, mac: 2, [(12, Array("b".utf8))])
        let dec = EngineHarness.message(.decline, mac: EngineHarness.mac(2), options: [
            (50, [192, 0, 2, 10]), (54, [192, 0, 2, 1])])
        let (_, e2) = h2.send(dec)
        XCTAssertEqual(e2.nameChanges.map(\.changeType), [.remove])
    }

    func testReclaimRemovesAndClearsTheName() {
        var c = Self.config()
        c.expiredLeasesProcessing.holdReclaimedTimeSeconds = 3600
        var h = Self.harness(c)
        _ = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "gone"))])
        h.advance(seconds: 4000)
        let effects = h.engine.handleDeadline(now: h.now)
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(effects.nameChanges.first?.fqdn, "gone.example.org.")
        guard case .upsert(let row)? = effects.leaseChanges.first else { return XCTFail("\(effects.leaseChanges)") }
        XCTAssertEqual(row.state, .expiredReclaimed)
        XCTAssertEqual(row.hostname, "")
        XCTAssertFalse(row.fqdnForward || row.fqdnReverse)
    }

    func testLeaseDelRemovesOnlyWithUpdateDDNS() {
        for update in [false, true] {
            var h = Self.harness(Self.config())
            _ = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "a"))])
            var args: [(String, JSON)] = [("ip-address", .string("192.0.2.10"))]
            if update { args.append(("update-ddns", .bool(true))) }
            let (answer, effects) = h.engine.handle(.leaseDel, arguments: .object(JSONObject(args)), now: h.now)
            XCTAssertEqual(answer["result"]?.intValue, 0)
            XCTAssertEqual(effects.nameChanges.map(\.changeType), update ? [.remove] : [])
        }
    }

    func testReusedExpiredLeaseOfAnotherClientIsRemoved() {
        var c = Self.config()
        c.subnets[0].pools = [Pool4(first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 10))]
        var h = Self.harness(c)
        _ = Self.dora(&h, mac: 1, [(12, Array("first".utf8))])
        h.advance(seconds: 4000)
        let (_, ack, effects) = Self.dora(&h, mac: 2, [(12, Array("second".utf8))])
        XCTAssertEqual(ack?.yiaddr, IPv4Address(192, 0, 2, 10))
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.remove, .add])
        XCTAssertEqual(effects.nameChanges.map(\.fqdn), ["first.example.org.", "second.example.org."])
    }

    // MARK: - Scopes

    func testSubnetAndSharedNetworkScopesAreDecodedAndWin() throws {
        let text = """
            { "Dhcp4": { "ddns-qualifying-suffix": "global.test", "dhcp-ddns": { "enable-updates": true },
              "ddns-send-updates": true,
              "shared-networks": [ { "name": "net", "ddns-qualifying-suffix": "net.test", "ddns-update-on-renew": true,
                "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "ddns-replace-client-name": "always", "hostname-char-replacement": "x",
                               "ddns-generated-prefix": "s1", "ddns-ttl-percent": 0.25, "ddns-use-conflict-resolution": false,
                               "ddns-override-no-update": true, "ddns-override-client-update": true, "hostname-char-set": "[^a-z]" },
                             { "id": 2, "subnet": "198.51.100.0/24", "ddns-send-updates": false } ] } ],
              "subnet4": [ { "id": 3, "subnet": "203.0.113.0/24" } ] } }
            """
        let root = try KeaJSON.parse(text, file: "t.json", include: { _ in "" })
        let config = try Dhcp4ConfigDecoder.decode(root, optionEncoder: ConfigDecoderTests.stubEncoder)
        XCTAssertFalse(config.warnings.contains { ($0.key ?? "").contains("ddns") || ($0.key ?? "").contains("hostname-char") }, "\(config.warnings)")
        let p = { (id: UInt32) in DDNSParameters(global: config.ddns, scope: config.subnets.first { $0.id == id }!.ddns) }
        XCTAssertEqual(p(1).qualifyingSuffix, "net.test")
        XCTAssertEqual(p(1).updateOnRenew, true)
        XCTAssertEqual(p(1).replaceClientName, .always)
        XCTAssertEqual(p(1).generatedPrefix, "s1")
        XCTAssertEqual(p(1).ttlPercent, 0.25)
        XCTAssertEqual(p(1).useConflictResolution, false)
        XCTAssertEqual(p(1).overrideNoUpdate, true)
        XCTAssertEqual(p(1).overrideClientUpdate, true)
        XCTAssertEqual(p(1).hostnameCharSet, "[^a-z]")
        XCTAssertEqual(p(1).hostnameCharReplacement, "x")
        XCTAssertEqual(p(2).qualifyingSuffix, "net.test")
        XCTAssertFalse(p(2).updatesEnabled)
        XCTAssertEqual(p(3).qualifyingSuffix, "global.test")
        XCTAssertTrue(p(3).updatesEnabled)
        XCTAssertEqual(p(3).replaceClientName, .never)
    }

    func testSubnetScopeDrivesTheEngine() {
        var c = Self.config()
        c.subnets[0].ddns.qualifyingSuffix = "subnet.test"
        c.subnets[0].ddns.useConflictResolution = false
        var h = Self.harness(c)
        let (_, ack, effects) = Self.dora(&h, [(81, Self.fqdn(Self.s | Self.e, "a"))])
        XCTAssertEqual(Self.replyFQDN(ack)?.domainName, "a.subnet.test.")
        XCTAssertEqual(effects.nameChanges.first?.useConflictResolution, false)
    }

    func testDDNSKeysAreNoLongerReportedAsNotActedOn() {
        for key in KeaServerKeys.ddnsScope.keys { XCTAssertNil(Dhcp4KeaKeys.notActedOn["Dhcp4/\(key)"], key) }
        for key in KeaServerKeys.dhcpDdnsConnection { XCTAssertNil(Dhcp4KeaKeys.notActedOn["Dhcp4/dhcp-ddns/\(key)"], key) }
    }

    // MARK: - The pure rules

    func testQualifyAndGenerate() {
        var g = DDNSSettings()
        g.qualifyingSuffix = "example.org."
        let r = DDNSNameRules(DDNSParameters(global: g))
        XCTAssertEqual(r.qualify("a", trailingDot: true), "a.example.org.")
        XCTAssertEqual(r.qualify("a", trailingDot: false), "a.example.org")
        XCTAssertEqual(r.qualify("a.", trailingDot: true), "a.example.org.")
        XCTAssertEqual(r.generated(address: "192.0.2.7", trailingDot: true), "myhost-192-0-2-7.example.org.")
        XCTAssertEqual(r.generated(address: "2001:db8::7", trailingDot: false), "myhost-2001-db8--7.example.org")
        XCTAssertEqual(DDNSNameRules.labelCount(""), 0)
        XCTAssertEqual(DDNSNameRules.labelCount("a"), 2)
        XCTAssertEqual(DDNSNameRules.labelCount("a.b.c"), 4)
        XCTAssertNil(DDNSNameRules.labelCount("a..b"))
    }
}
