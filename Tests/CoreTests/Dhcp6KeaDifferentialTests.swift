import XCTest
@testable import KakapoCore

/// The differences tests/integration/test_kea6_differential.sh found between kakapo-dhcp6 and
/// Kea's kea-dhcp6, each pinned here (the kea-diff6 case and step named in each test).
final class Dhcp6KeaDifferentialTests: XCTestCase {
    static let config = """
    { "Dhcp6": {
        "preferred-lifetime": 3000, "min-preferred-lifetime": 2000, "max-preferred-lifetime": 4000,
        "valid-lifetime": 4000, "min-valid-lifetime": 3000, "max-valid-lifetime": 6000,
        "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" },
                         { "name": "sntp-servers", "data": "2001:db8::123", "always-send": true },
                         { "name": "vendor-opts", "data": "4491" },
                         { "name": "tftp-servers", "space": "vendor-4491", "data": "2001:db8::69" },
                         { "name": "config-file", "space": "vendor-4491", "data": "m.cfg" },
                         { "name": "syslog-servers", "space": "vendor-4491", "data": "2001:db8::514",
                           "always-send": true } ],
        "subnet6": [
          { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::1f" } ],
            "pd-pools": [ { "prefix": "2001:db8:8000::", "prefix-len": 48, "delegated-len": 56 },
                          { "prefix": "2001:db8:9000::", "prefix-len": 56, "delegated-len": 64 } ] }
        ]
    } }
    """

    static func pdIA(_ hint: String?, iaid: UInt32 = 1) -> DHCPv6IA {
        var ia = DHCPv6IA(iaid: iaid)
        if let hint {
            ia.options.append(DHCPv6IAPrefix(prefix: IPv6Prefix(hint)!, preferredLifetimeSeconds: 0, validLifetimeSeconds: 0))
        }
        return ia
    }

    func advertisedPrefix(_ h: inout Engine6Harness, client: UInt8, hint: String?) throws -> IPv6Prefix? {
        let adv = try XCTUnwrap(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(client),
                                                               pds: [Self.pdIA(hint)])).reply)
        return try adv.pds.first?.prefixes().first?.prefix
    }

    /// kea-diff6/ia-pd step 9 (Kea 2.2 and 2.4 alike): a hint whose length differs from the
    /// pool's delegated length is delegated at the pool's length when a pool holds it.
    func testAPrefixHintOfAnotherLengthIsDelegatedAtThePoolsLength() throws {
        var h = Engine6Harness(configText: Self.config)
        XCTAssertEqual(try advertisedPrefix(&h, client: 1, hint: "2001:db8:8000:5500::/60"), IPv6Prefix("2001:db8:8000:5500::/56"))
        XCTAssertEqual(try advertisedPrefix(&h, client: 2, hint: "2001:db8:9000:12::/72"), IPv6Prefix("2001:db8:9000:12::/64"))
        // In the pool of its own length it is taken as it is.
        XCTAssertEqual(try advertisedPrefix(&h, client: 3, hint: "2001:db8:8000:4200::/56"), IPv6Prefix("2001:db8:8000:4200::/56"))
    }

    /// kea-diff6/pd-hint-length (Kea 2.4's PrefixLenMatchType passes): pools of the hinted
    /// length first, then shorter delegated lengths, then longer ones.
    func testALengthHintPicksThePoolsOfThatLengthFirst() throws {
        var h = Engine6Harness(configText: Self.config)
        XCTAssertEqual(try advertisedPrefix(&h, client: 1, hint: "::/64"), IPv6Prefix("2001:db8:9000::/64"))
        XCTAssertEqual(try advertisedPrefix(&h, client: 2, hint: "::/56"), IPv6Prefix("2001:db8:8000::/56"))
        // No /60 pool: a shorter one (the /56), not the /64 pool.
        XCTAssertEqual(try advertisedPrefix(&h, client: 3, hint: "::/60"), IPv6Prefix("2001:db8:8000:100::/56"))
        // No pool of /48 or shorter: a longer one, in pool order.
        XCTAssertEqual(try advertisedPrefix(&h, client: 4, hint: "::/48"), IPv6Prefix("2001:db8:8000:200::/56"))
        // A /60 hint whose address only the /64 pool holds: that pool is not of the lower
        // pass, so the /56 pool's next prefix.
        XCTAssertEqual(try advertisedPrefix(&h, client: 5, hint: "2001:db8:9000:20::/60"), IPv6Prefix("2001:db8:8000:300::/56"))
        // No hint: the first pool.
        XCTAssertEqual(try advertisedPrefix(&h, client: 6, hint: nil), IPv6Prefix("2001:db8:8000:400::/56"))
    }

    /// kea-diff6/lifetimes step 5: each lifetime hint is bounded on its own; a preferred
    /// lifetime above the valid one is sent as Kea sends it, and T1/T2 follow it.
    func testAPreferredLifetimeAboveTheValidOneIsNotCutDown() throws {
        var h = Engine6Harness(configText: Self.config)
        var ia = DHCPv6IA(iaid: 1)
        ia.options.append(DHCPv6IAAddress(address: IPv6Address("2001:db8:1::15")!, preferredLifetimeSeconds: 3900,
                                          validLifetimeSeconds: 3100))
        let adv = try XCTUnwrap(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(1), nas: [ia])).reply)
        let na = try XCTUnwrap(adv.firstNA)
        let a = try XCTUnwrap(try na.addresses().first)
        XCTAssertEqual(a.address, IPv6Address("2001:db8:1::15"))
        XCTAssertEqual(a.preferredLifetimeSeconds, 3900)
        XCTAssertEqual(a.validLifetimeSeconds, 3100)
        XCTAssertEqual(na.t1Seconds, 1950)
        XCTAssertEqual(na.t2Seconds, 3120)
    }

    /// kea-diff6/unicast-ia-ta steps 19-21: Confirm answers the ORO and always-send options,
    /// Decline and Release replies carry none (Kea's processDecline, processRelease).
    func testReleaseAndDeclineRepliesCarryNoConfiguredOptions() throws {
        var h = Engine6Harness(configText: Self.config)
        let duid = Engine6Harness.duid(9)
        let a = try XCTUnwrap(h.acquire(duid: duid, iaid: 1))
        let b = try XCTUnwrap(h.acquire(duid: duid, iaid: 2, xid: 20))
        let confirm = try XCTUnwrap(h.send(Engine6Harness.message(.confirm, duid: duid, nas: [Engine6Harness.ia(1, ["\(a)"])],
                                                                   oro: [23])).reply)
        XCTAssertNotNil(confirm.options[23])
        XCTAssertNotNil(confirm.options[31])
        let decline = try XCTUnwrap(h.send(Engine6Harness.message(.decline, duid: duid, nas: [Engine6Harness.ia(1, ["\(a)"])],
                                                                   oro: [23], serverID: Engine6Harness.serverDUID)).reply)
        XCTAssertEqual(decline.firstNA?.statusCode, .success)
        XCTAssertNil(decline.options[23])
        XCTAssertNil(decline.options[31])
        let release = try XCTUnwrap(h.send(Engine6Harness.message(.release, duid: duid, nas: [Engine6Harness.ia(2, ["\(b)"])],
                                                                   oro: [23], serverID: Engine6Harness.serverDUID)).reply)
        XCTAssertEqual(release.firstNA?.statusCode, .success)
        XCTAssertNil(release.options[23])
        XCTAssertNil(release.options[31])
    }

    static let tftp: [UInt8] = [0, 32, 0, 16] + IPv6Address("2001:db8::69")!.bytes
    static let configFile: [UInt8] = [0, 33, 0, 5] + Array("m.cfg".utf8)
    static let syslog: [UInt8] = [0, 34, 0, 16] + IPv6Address("2001:db8::514")!.bytes
    static let cableLabs: [UInt8] = [0, 0, 0x11, 0x8B]

    func solicit(_ h: inout Engine6Harness, client: UInt8, extra: [(UInt16, [UInt8])], oro: [UInt16] = []) throws -> DHCPv6ClientMessage {
        var m = Engine6Harness.message(.solicit, duid: Engine6Harness.duid(client), nas: [Engine6Harness.ia(1)], oro: oro)
        for (code, data) in extra { m.options.append(code, data) }
        return try XCTUnwrap(h.send(m).reply)
    }

    /// kea-diff6/options-more steps 7-9: the client's CableLabs ORO (option 17, sub-option 1)
    /// and its vendor class (16) name the vendor; its options asked for and the always-send
    /// ones come in one option 17, sub-options in code order.
    func testVendorOptionsFollowTheClientsVendorOptionAndClass() throws {
        var h = Engine6Harness(configText: Self.config)
        let asked = try solicit(&h, client: 1, extra: [(17, Self.cableLabs + [0, 1, 0, 4, 0, 33, 0, 32])])
        XCTAssertEqual(asked.options.all(17), [Self.cableLabs + Self.tftp + Self.configFile + Self.syslog])
        let byClass = try solicit(&h, client: 2, extra: [(16, Self.cableLabs + [0, 2, 0x61, 0x62])])
        XCTAssertEqual(byClass.options.all(17), [Self.cableLabs + Self.syslog])
        let otherVendor = try solicit(&h, client: 3, extra: [(17, [0, 0, 0, 9, 0, 1, 0, 2, 0, 32]), (16, [0, 0, 0, 9])])
        XCTAssertEqual(otherVendor.options.all(17), [])
        let nothing = try solicit(&h, client: 4, extra: [])
        XCTAssertEqual(nothing.options.all(17), [])
        // Option 17 in the ORO: the configured one, which carries the vendor's options of its
        // level; nothing is added twice.
        let configured = try solicit(&h, client: 5, extra: [(17, Self.cableLabs + [0, 1, 0, 2, 0, 32])], oro: [17])
        XCTAssertEqual(configured.options.all(17), [Self.cableLabs + Self.tftp + Self.configFile + Self.syslog])
    }

    /// The options of a `vendor-<n>` space are kept (with their enterprise number) besides
    /// being packed into a configured option 17, and without a warning.
    func testVendorSpaceOptionsAreKeptWithTheirEnterpriseNumber() throws {
        let config = try Dhcp6ConfigDecoder.decode(text: """
            { "Dhcp6": { "option-data": [
                { "name": "config-file", "space": "vendor-4491", "data": "m.cfg", "always-send": true },
                { "name": "dns-servers", "data": "2001:db8::53" } ] } }
            """)
        XCTAssertEqual(config.optionData.map(\.code), [23, 33])
        XCTAssertEqual(config.optionData.map(\.enterprise), [nil, 4491])
        XCTAssertEqual(config.optionData.last?.alwaysSend, true)
        XCTAssertEqual(config.warnings.map(\.code), [])
    }

    /// kea-diff6/shared-network steps 5-9: in a shared network the reply's subnet options are
    /// those of the subnet the leases came from, not of the subnet first selected.
    func testASharedNetworkReplyCarriesTheOptionsOfTheLeasesSubnet() throws {
        var h = Engine6Harness(configText: """
            { "Dhcp6": {
                "option-data": [ { "name": "dns-servers", "data": "2001:db8::53" } ],
                "shared-networks": [ { "name": "net", "interface": "eth0",
                    "option-data": [ { "name": "sntp-servers", "data": "2001:db8::1:123" } ],
                    "subnet6": [
                      { "id": 1, "subnet": "2001:db8:1::/64", "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::10" } ] },
                      { "id": 2, "subnet": "2001:db8:2::/64",
                        "option-data": [ { "name": "sntp-servers", "data": "2001:db8::2:123" } ],
                        "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::1f" } ] } ] } ]
            } }
            """)
        let first = try XCTUnwrap(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(1), nas: [Engine6Harness.ia(1)],
                                                                 oro: [23, 31])).reply)
        XCTAssertEqual(first.firstNA?.addressList, [IPv6Address("2001:db8:1::10")!])
        XCTAssertEqual(first.options[31], IPv6Address("2001:db8::1:123")!.bytes, "subnet 1 has none: the network's")
        XCTAssertEqual(h.acquire(duid: Engine6Harness.duid(1)), IPv6Address("2001:db8:1::10"))
        let second = try XCTUnwrap(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(2), nas: [Engine6Harness.ia(1)],
                                                                  oro: [23, 31])).reply)
        XCTAssertEqual(second.firstNA?.addressList, [IPv6Address("2001:db8:2::10")!])
        XCTAssertEqual(second.options[31], IPv6Address("2001:db8::2:123")!.bytes, "the lease's subnet 2")
        XCTAssertEqual(second.options[23], IPv6Address("2001:db8::53")!.bytes)
    }

    static let fqdnConfig = """
    { "Dhcp6": {
        "ddns-qualifying-suffix": "example.org", "hostname-char-replacement": "x",
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
            "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::1f" } ],
            "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:06", "hostname": "reserved" } ] } ]
    } }
    """

    /// DNS wire form of a name, with the root label when `full`.
    static func wire(_ name: String, full: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for label in name.split(separator: ".") { out += [UInt8(label.utf8.count)] + Array(label.utf8) }
        return full ? out + [0] : out
    }

    func fqdnReply(_ h: inout Engine6Harness, _ type: DHCPv6MessageType = .solicit, client: UInt8, option: [UInt8],
                   address: String? = nil) -> DHCPv6ClientMessage? {
        var m = Engine6Harness.message(type, duid: Engine6Harness.duid(client), nas: [Engine6Harness.ia(1, address.map { [$0] } ?? [])],
                                       serverID: type == .solicit ? nil : Engine6Harness.serverDUID)
        m.options.append(39, option)
        return h.send(m).reply
    }

    /// kea-diff6/client-fqdn: with DNS updates off the reply's option 39 says N (and O when
    /// the client asked for S); a partial name is qualified, a full one kept, a reserved
    /// hostname wins, characters outside hostname-char-set are replaced, an empty name stays
    /// empty in an Advertise and is made from the address in a Reply.
    func testTheClientFQDNOptionIsAnsweredAsKeaDoes() throws {
        var h = Engine6Harness(configText: Self.fqdnConfig)
        XCTAssertEqual(fqdnReply(&h, client: 1, option: [1] + Self.wire("host.example.com"))?.options[39],
                       [6] + Self.wire("host.example.com"))
        XCTAssertEqual(fqdnReply(&h, client: 2, option: [0] + Self.wire("host", full: false))?.options[39],
                       [4] + Self.wire("host.example.org"))
        XCTAssertEqual(fqdnReply(&h, client: 3, option: [0x10] + Self.wire("h_st!.exe"))?.options[39],
                       [4] + Self.wire("hxstx.exe"), "reserved flag bits ignored, the name sanitized")
        XCTAssertEqual(fqdnReply(&h, client: 6, option: [1] + Self.wire("mine", full: false))?.options[39],
                       [6] + Self.wire("reserved.example.org"))
        let adv = try XCTUnwrap(fqdnReply(&h, client: 4, option: [1]))
        XCTAssertEqual(adv.options[39], [6])
        let a = try XCTUnwrap(adv.firstNA?.addressList.first)
        let rep = try XCTUnwrap(fqdnReply(&h, .request, client: 4, option: [1], address: "\(a)"))
        XCTAssertEqual(rep.options[39], [6] + Self.wire("myhost-\("\(a)".replacingOccurrences(of: ":", with: "-")).example.org"))
        // No option 39 sent, none answered; not in Confirm either.
        XCTAssertNil(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(5), nas: [Engine6Harness.ia(1)])).reply?.options[39])
        XCTAssertNil(fqdnReply(&h, .confirm, client: 2, option: [0] + Self.wire("host", full: false), address: "2001:db8:1::10")?.options[39])
    }

    /// kea-diff6/client-fqdn steps 13-14: N and S both set, or a label past the end: Kea
    /// cannot parse the message and drops it.
    func testAMalformedClientFQDNOptionDropsTheMessage() throws {
        var h = Engine6Harness(configText: Self.fqdnConfig)
        var m = Engine6Harness.message(.solicit, duid: Engine6Harness.duid(1), nas: [Engine6Harness.ia(1)])
        m.options.append(39, [5] + Self.wire("host", full: false))
        let sent = h.send(m)
        XCTAssertNil(sent.reply)
        XCTAssertEqual(sent.effects.events, [.dropped(client: Client6Label(duid: Engine6Harness.duid(1), transactionID: 0x1234),
                                                      reason: .parseFailed("malformed Client FQDN option (39)"))])
        var m2 = Engine6Harness.message(.solicit, duid: Engine6Harness.duid(1), nas: [Engine6Harness.ia(1)])
        m2.options.append(39, [0, 4, 0x68, 0x6f, 0x73, 0x74, 3, 0x65, 0x78])
        XCTAssertNil(h.send(m2).reply)
    }

    /// kea-diff6/client-fqdn-ddns: with updates on, S asked is S granted; N=0 S=0 leaves
    /// both clear; N with ddns-override-no-update becomes S and O; with
    /// ddns-replace-client-name when-not-present an option is made up for a client without.
    func testTheFQDNFlagsWithDNSUpdatesOn() throws {
        var h = Engine6Harness(configText: """
            { "Dhcp6": {
                "dhcp-ddns": { "enable-updates": true }, "ddns-override-no-update": true,
                "ddns-replace-client-name": "when-not-present", "ddns-qualifying-suffix": "example.org",
                "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                    "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::1f" } ] } ]
            } }
            """)
        XCTAssertEqual(fqdnReply(&h, client: 1, option: [0] + Self.wire("a", full: false))?.options[39], [0] + Self.wire("a.example.org"))
        XCTAssertEqual(fqdnReply(&h, client: 2, option: [1] + Self.wire("b", full: false))?.options[39], [1] + Self.wire("b.example.org"))
        XCTAssertEqual(fqdnReply(&h, client: 3, option: [4] + Self.wire("c", full: false))?.options[39], [3] + Self.wire("c.example.org"))
        XCTAssertEqual(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(4), nas: [Engine6Harness.ia(1)])).reply?.options[39], [1])
    }

    /// kea-diff6/client-classes steps 1-4: pools guarded by the built-in KNOWN class serve
    /// clients with a host reservation only; the others get the open pool.
    func testPoolsOfTheKnownClassServeReservedClientsOnly() throws {
        var h = Engine6Harness(configText: """
            { "Dhcp6": { "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "eth0",
                "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::1f", "client-class": "KNOWN" },
                           { "pool": "2001:db8:1::20 - 2001:db8:1::2f", "client-class": "UNKNOWN" } ],
                "reservations": [ { "duid": "00:03:00:01:02:00:00:00:00:01", "hostname": "one" } ] } ] } }
            """)
        XCTAssertEqual(h.acquire(duid: Engine6Harness.duid(1)), IPv6Address("2001:db8:1::10"))
        XCTAssertEqual(h.acquire(duid: Engine6Harness.duid(2)), IPv6Address("2001:db8:1::20"))
        let hinted = try XCTUnwrap(h.send(Engine6Harness.message(.solicit, duid: Engine6Harness.duid(3),
                                                                  nas: [Engine6Harness.ia(1, ["2001:db8:1::15"])])).reply)
        XCTAssertEqual(hinted.firstNA?.addressList, [IPv6Address("2001:db8:1::21")!])
    }
}
