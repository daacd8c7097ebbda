import XCTest
@testable import KakapoCore

/// kakapo-dhcp6's client names (option 39), the lease6 name columns and the name change
/// requests, against Kea 2.4's rules (ARM "DDNS for DHCPv6"; dhcp6_srv.cc processClientFqdn,
/// createNameChangeRequests; alloc_engine.cc queueNCR on release, reclamation and changes).
final class DDNS6Tests: XCTestCase {
    typealias H = Engine6Harness
    static let s: UInt8 = 1, o: UInt8 = 2, n: UInt8 = 4

    /// The digest stands in for SHA-256 and returns its input, so the DHCID shows what was hashed.
    static let identityDigest: @Sendable ([UInt8]) -> [UInt8] = { $0 }

    static func configText(enable: Bool = true, global: String = "", subnet: String = "") -> String {
        """
        { "Dhcp6": {
            "preferred-lifetime": 3000, "valid-lifetime": 4000,
            "expired-leases-processing": { "reclaim-timer-wait-time": 10, "hold-reclaimed-time": 0 },
            "dhcp-ddns": { "enable-updates": \(enable) },
            "ddns-qualifying-suffix": "example.org", \(global)
            "subnet6": [
              { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0", \(subnet)
                "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::13" } ],
                "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 62, "delegated-len": 64 } ],
                "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:09", "hostname": "res" } ] } ]
        } }
        """
    }

    static func harness(_ text: String = configText()) -> H {
        var h = H(configText: text)
        h.engine.ddnsDigest = identityDigest
        return h
    }

    static func wire(_ name: String, full: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for label in name.split(separator: ".") { out += [UInt8(label.utf8.count)] + Array(label.utf8) }
        return full ? out + [0] : out
    }

    /// A message from client `c` with one IA_NA (holding `address`), maybe an IA_PD, and option 39.
    static func message(_ type: DHCPv6MessageType, client c: UInt8, fqdn: [UInt8]?, address: String? = nil,
                        pd: Bool = false) -> DHCPv6ClientMessage {
        var m = H.message(type, duid: H.duid(c), xid: UInt32(c) << 8 | UInt32(type.code), nas: [H.ia(1, address.map { [$0] } ?? [])],
                          pds: pd ? [H.ia(2)] : [], serverID: type == .solicit ? nil : H.serverDUID)
        if let fqdn { m.options.append(39, fqdn) }
        return m
    }

    /// Solicit then Request with the same option 39; the Request's result.
    static func lease(_ h: inout H, client c: UInt8, fqdn: [UInt8]?, pd: Bool = false) -> (H.Sent, IPv6Address) {
        let adv = h.send(message(.solicit, client: c, fqdn: fqdn, pd: pd))
        XCTAssertTrue(adv.effects.nameChanges.isEmpty, "an Advertise makes no name change request")
        let a = adv.reply!.firstNA!.addressList.first!
        return (h.send(message(.request, client: c, fqdn: fqdn, address: "\(a)", pd: pd)), a)
    }

    /// RFC 4701 DHCID for a DUID with the identity digest: type 2, digest type 1, DUID, name.
    static func dhcid(client c: UInt8, _ name: String) -> [UInt8] { [0, 2, 1] + H.duid(c) + wire(name) }

    // MARK: - Option 39 and the lease's name

    func testARequestWithAPartialNameGetsItQualifiedInTheReplyTheLeaseAndAnAddRequest() throws {
        var h = Self.harness()
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("Host", full: false))
        XCTAssertEqual(sent.reply?.options[39], [Self.s] + Self.wire("host.example.org"),
                       "S kept, no O, no N; qualified, in lower case")
        let l = try XCTUnwrap(h.lease("\(a)"))
        XCTAssertEqual(l.hostname, "host.example.org.")
        XCTAssertTrue(l.fqdnForward)
        XCTAssertTrue(l.fqdnReverse)
        XCTAssertEqual(sent.effects.nameChanges, [NameChangeRequest(
            changeType: .add, forward: true, reverse: true, fqdn: "host.example.org.", address: "\(a)",
            dhcid: Self.dhcid(client: 1, "host.example.org"), leaseExpiresOn: h.now.wall + Seconds(1333),
            leaseLengthSeconds: 1333, useConflictResolution: true)])
        XCTAssertTrue(sent.ids.contains("DHCP6_DDNS_CREATE_ADD_NAME_CHANGE_REQUEST"))
        let texts = sent.effects.events.map(\.logLine).filter { $0.id.hasPrefix("DHCP6_DDNS_R") }.map { "\($0.id) \($0.text)" }
        XCTAssertEqual(texts.count, 2, "\(texts)")
        XCTAssertTrue(texts[0].hasPrefix("DHCP6_DDNS_RECEIVE_FQDN "))
        XCTAssertTrue(texts[0].hasSuffix("received DHCPv6 Client FQDN option: type=39(CLIENT_FQDN), flags: (N=0, O=0, S=1), domain-name='host' (partial)"), texts[0])
        XCTAssertTrue(texts[1].hasSuffix("including FQDN option in the server's response: type=39(CLIENT_FQDN), flags: (N=0, O=0, S=1), domain-name='host.example.org.' (full)"), texts[1])
    }

    func testTheClientDoingItsOwnForwardUpdateGetsReverseOnly() throws {
        var h = Self.harness()
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [0] + Self.wire("mine.example.com"))
        XCTAssertEqual(sent.reply?.options[39], [0] + Self.wire("mine.example.com"))
        let l = try XCTUnwrap(h.lease("\(a)"))
        XCTAssertEqual([l.fqdnForward, l.fqdnReverse], [false, true])
        XCTAssertEqual(sent.effects.nameChanges.map { [$0.forward, $0.reverse] }, [[false, true]])
    }

    func testWithUpdatesOffTheLeaseKeepsTheNameWithoutDirectionsAndNothingIsSent() throws {
        var h = Self.harness(Self.configText(enable: false))
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false))
        XCTAssertEqual(sent.reply?.options[39], [Self.n | Self.o] + Self.wire("host.example.org"))
        let l = try XCTUnwrap(h.lease("\(a)"))
        XCTAssertEqual(l.hostname, "host.example.org.")
        XCTAssertFalse(l.fqdnForward || l.fqdnReverse)
        XCTAssertTrue(sent.effects.nameChanges.isEmpty)
    }

    func testPrefixesGetTheNameButNoRequest() throws {
        var h = Self.harness()
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false), pd: true)
        let p = try XCTUnwrap(sent.reply?.pds.first.flatMap { try? $0.prefixes().first?.prefix })
        XCTAssertEqual(h.engine.store.lease(.delegatedPrefix, at: p.network)?.hostname, "host.example.org.")
        XCTAssertEqual(sent.effects.nameChanges.map(\.address), ["\(a)"], "the address only")
    }

    func testAnEmptyNameIsGeneratedFromTheAddressAndAReservationNameWins() throws {
        var h = Self.harness(Self.configText(global: #""ddns-generated-prefix": "gen","#))
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [Self.s])
        let generated = "gen-\("\(a)".replacingOccurrences(of: ":", with: "-")).example.org"
        XCTAssertEqual(sent.reply?.options[39], [Self.s] + Self.wire(generated))
        XCTAssertEqual(h.lease("\(a)")?.hostname, generated + ".")
        XCTAssertEqual(sent.effects.nameChanges.map(\.fqdn), [generated + "."])
        let (reserved, b) = Self.lease(&h, client: 9, fqdn: [Self.s] + Self.wire("other", full: false))
        XCTAssertEqual(reserved.reply?.options[39], [Self.s] + Self.wire("res.example.org"))
        XCTAssertEqual(h.lease("\(b)")?.hostname, "res.example.org.")
        // Without option 39 the reservation's hostname is kept as written, without directions.
        let renewed = h.send(Self.message(.renew, client: 9, fqdn: nil, address: "\(b)"))
        XCTAssertEqual(h.lease("\(b)")?.hostname, "res")
        XCTAssertEqual(h.lease("\(b)")?.fqdnForward, false)
        XCTAssertEqual(renewed.effects.nameChanges.map(\.changeType), [.remove], "the old name's entries go")
    }

    func testReplaceClientNameAlwaysMakesANameForAClientWithoutOption39() throws {
        var h = Self.harness(Self.configText(global: #""ddns-replace-client-name": "always", "ddns-generated-prefix": "gen","#))
        let (sent, a) = Self.lease(&h, client: 1, fqdn: nil)
        let generated = "gen-\("\(a)".replacingOccurrences(of: ":", with: "-")).example.org"
        XCTAssertEqual(sent.reply?.options[39], [Self.s] + Self.wire(generated))
        XCTAssertEqual(h.lease("\(a)")?.hostname, generated + ".")
        XCTAssertEqual(sent.effects.nameChanges.count, 1)
    }

    func testSubnetAndSharedNetworkScopesOverrideTheGlobalKeys() throws {
        var h = Self.harness(Self.configText(subnet: #""ddns-send-updates": false, "ddns-qualifying-suffix": "sub.example","#))
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false))
        XCTAssertEqual(sent.reply?.options[39], [Self.n | Self.o] + Self.wire("host.sub.example"))
        XCTAssertEqual(h.lease("\(a)")?.hostname, "host.sub.example.")
        XCTAssertTrue(sent.effects.nameChanges.isEmpty)

        let c = try Dhcp6ConfigDecoder.decode(text: """
        { "Dhcp6": { "ddns-qualifying-suffix": "g.example", "ddns-ttl-percent": 0.5,
            "shared-networks": [ { "name": "net", "ddns-qualifying-suffix": "n.example", "ddns-update-on-renew": true,
                "subnet6": [ { "id": 5, "subnet": "2001:db8:5::/64", "ddns-generated-prefix": "five" },
                             { "id": 6, "subnet": "2001:db8:6::/64", "ddns-qualifying-suffix": "six.example" } ] } ] } }
        """)
        let five = try XCTUnwrap(c.subnets.first { $0.id == 5 })
        let six = try XCTUnwrap(c.subnets.first { $0.id == 6 })
        XCTAssertEqual(DDNSParameters(global: c.ddns, scope: five.ddns).qualifyingSuffix, "n.example")
        XCTAssertEqual(DDNSParameters(global: c.ddns, scope: five.ddns).generatedPrefix, "five")
        XCTAssertEqual(DDNSParameters(global: c.ddns, scope: five.ddns).updateOnRenew, true)
        XCTAssertEqual(DDNSParameters(global: c.ddns, scope: six.ddns).qualifyingSuffix, "six.example")
        XCTAssertEqual(DDNSParameters(global: c.ddns, scope: six.ddns).ttlPercent, 0.5)
        XCTAssertFalse(c.warnings.contains { "\($0)".contains("ddns") }, "the ddns keys are acted on: \(c.warnings)")
        let v6 = try Dhcp6ConfigDecoder.decode(text: #"{ "Dhcp6": { "dhcp-ddns": { "enable-updates": true, "server-ip": "::1" } } }"#)
        XCTAssertEqual(v6.warnings.map { "\($0)" }.filter { $0.contains("server-ip") }.count, 1, "\(v6.warnings)")
    }

    // MARK: - Requests on renewals, releases, reclamation and commands

    func testARenewalUnderTheSameNameSendsNothingAndANewNameRemovesTheOld() throws {
        var h = Self.harness()
        let (_, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false))
        let same = h.send(Self.message(.renew, client: 1, fqdn: [Self.s] + Self.wire("host", full: false), address: "\(a)"))
        XCTAssertEqual(same.reply?.firstNA?.addressList, [a])
        XCTAssertTrue(same.effects.nameChanges.isEmpty)
        let renamed = h.send(Self.message(.renew, client: 1, fqdn: [Self.s] + Self.wire("new", full: false), address: "\(a)"))
        XCTAssertEqual(renamed.effects.nameChanges.map(\.changeType), [.remove, .add])
        XCTAssertEqual(renamed.effects.nameChanges.map(\.fqdn), ["host.example.org.", "new.example.org."])
        XCTAssertEqual(h.lease("\(a)")?.hostname, "new.example.org.")
        // Without option 39 the lease loses its name: the old one is removed, nothing added.
        let dropped = h.send(Self.message(.renew, client: 1, fqdn: nil, address: "\(a)"))
        XCTAssertEqual(dropped.effects.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(h.lease("\(a)")?.hostname, "")
    }

    func testUpdateOnRenewSendsAnAddOnEveryRenewal() throws {
        var h = Self.harness(Self.configText(global: #""ddns-update-on-renew": true,"#))
        let (_, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false))
        let again = h.send(Self.message(.renew, client: 1, fqdn: [Self.s] + Self.wire("host", full: false), address: "\(a)"))
        XCTAssertEqual(again.effects.nameChanges.map(\.changeType), [.add])
    }

    func testReleaseReclamationAndDeclineRemoveTheName() throws {
        var h = Self.harness()
        let (_, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("one", full: false))
        let released = h.send(Self.message(.release, client: 1, fqdn: nil, address: "\(a)"))
        XCTAssertNil(h.lease("\(a)"))
        XCTAssertEqual(released.effects.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(released.effects.nameChanges.first?.fqdn, "one.example.org.")
        XCTAssertEqual(released.effects.nameChanges.first?.dhcid, Self.dhcid(client: 1, "one.example.org"))

        let (_, b) = Self.lease(&h, client: 2, fqdn: [Self.s] + Self.wire("two", full: false))
        h.advance(seconds: 4001)
        let reclaimed = h.engine.handleDeadline(now: h.now)
        XCTAssertEqual(reclaimed.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(reclaimed.nameChanges.map(\.address), ["\(b)"])
        XCTAssertTrue(reclaimed.events.map(\.logLine.id).contains("DHCPSRV_QUEUE_NCR"))

        let (_, c) = Self.lease(&h, client: 3, fqdn: [Self.s] + Self.wire("three", full: false))
        let declined = h.send(Self.message(.decline, client: 3, fqdn: nil, address: "\(c)"))
        XCTAssertEqual(h.lease("\(c)")?.state, .declined)
        XCTAssertEqual(declined.effects.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(declined.effects.nameChanges.map(\.fqdn), ["three.example.org."])
    }

    func testLeaseDelWithUpdateDDNSAndResendDDNS() throws {
        var h = Self.harness()
        let (_, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false))
        let (resent, re) = h.engine.handle(.leaseResendDDNS, arguments: try JSON.parse(#"{"ip-address": "\#(a)"}"#), now: h.now)
        XCTAssertEqual(resent["text"]?.stringValue, "NCR generated for: \(a), hostname: host.example.org.")
        XCTAssertEqual(re.nameChanges.map(\.changeType), [.add])
        let (_, plain) = h.engine.handle(.leaseDel, arguments: try JSON.parse(#"{"ip-address": "\#(a)"}"#), now: h.now)
        XCTAssertTrue(plain.nameChanges.isEmpty, "lease6-del without update-ddns leaves DNS alone")
        let (_, b) = Self.lease(&h, client: 2, fqdn: [Self.s] + Self.wire("two", full: false))
        let (_, del) = h.engine.handle(.leaseDel, arguments: try JSON.parse(#"{"ip-address": "\#(b)", "update-ddns": true}"#), now: h.now)
        XCTAssertEqual(del.nameChanges.map(\.changeType), [.remove])
        XCTAssertEqual(del.nameChanges.map(\.fqdn), ["two.example.org."])
    }

    func testWithoutADigestNoRequestIsMade() throws {
        var h = H(configText: Self.configText())
        let (sent, a) = Self.lease(&h, client: 1, fqdn: [Self.s] + Self.wire("host", full: false))
        XCTAssertEqual(h.lease("\(a)")?.hostname, "host.example.org.")
        XCTAssertTrue(sent.effects.nameChanges.isEmpty)
    }
}
