import XCTest
@testable import KakapoCore

/// lease4-get-page, lease4-get-all and lease4-wipe, which page through the store: each test
/// adds leases with lease4-add through the engine (in a scrambled order, so address order is
/// the store's doing), then checks answers against Kea's shapes, texts and result codes.
final class LeaseCommandPagingTests: XCTestCase {
    /// The harness subnet 1 (192.0.2.0/24) plus subnet 2, 10.0.0.0/20: room for more leases
    /// than one walk page.
    static func twoSubnets() -> Dhcp4Config {
        var config = EngineHarness.config()
        config.subnets.append(Subnet4(id: 2, prefix: IPv4Prefix("10.0.0.0/20")!))
        return config
    }

    @discardableResult
    private func run(_ h: inout EngineHarness, _ command: String, _ arguments: JSON? = nil) -> (answer: JSON, effects: Effects4) {
        guard let (answer, effects) = h.engine.handle(command: command, arguments: arguments, now: h.now) else {
            XCTFail("\(command) is not an engine command")
            return (.null, Effects4())
        }
        h.written.append(contentsOf: effects.leaseChanges)
        if let id = effects.transaction { _ = h.engine.handle(outcome: .durable, of: id, now: h.now) }
        return (answer, effects)
    }

    /// Adds a lease at each address, in a scrambled (but fixed) order.
    private func add(_ h: inout EngineHarness, _ addresses: [IPv4Address]) {
        let scrambled = addresses.enumerated().sorted { ($0.offset * 7919) % addresses.count < ($1.offset * 7919) % addresses.count }
        XCTAssertEqual(scrambled.count, addresses.count)
        for (n, address) in scrambled.map({ ($0.offset, $0.element) }) {
            func hex(_ v: Int) -> String { v < 16 ? "0" + String(v, radix: 16) : String(v, radix: 16) }
            let mac = "02:00:00:00:\(hex(n >> 8)):\(hex(n & 0xFF))"
            let answer = run(&h, "lease4-add", ["ip-address": .string(address.description), "hw-address": .string(mac)]).answer
            XCTAssertEqual(answer["result"]?.intValue, 0, "lease4-add \(address): \(answer)")
        }
    }

    private func addresses(_ answer: JSON) -> [String] {
        answer["arguments"]?["leases"]?.arrayValue?.compactMap { $0["ip-address"]?.stringValue } ?? []
    }

    // MARK: lease4-get-page

    func testGetPageWalksTheLeasesInAddressOrder() {
        var h = EngineHarness()
        let all = [1, 2, 5, 9, 10, 11, 40, 41, 77, 128, 200, 254].map { IPv4Address(192, 0, 2, UInt8($0)) }
        add(&h, all)
        var seen: [String] = []
        var from = "start"
        var pages = 0
        while true {
            let answer = run(&h, "lease4-get-page", ["from": .string(from), "limit": 5]).answer
            let page = addresses(answer)
            XCTAssertEqual(answer["arguments"]?["count"]?.intValue, Int64(page.count))
            XCTAssertEqual(answer["text"]?.stringValue, "\(page.count) IPv4 lease(s) found.")
            guard let last = page.last else {
                XCTAssertEqual(answer["result"]?.intValue, 3, "an empty page is result 3 (empty)")
                break
            }
            XCTAssertEqual(answer["result"]?.intValue, 0)
            seen += page
            from = last
            pages += 1
        }
        XCTAssertEqual(pages, 3, "12 leases, 5 a page")
        XCTAssertEqual(seen, all.map(\.description))
    }

    /// A page is the leases strictly after `from`, whether or not a lease is at `from`, and
    /// each lease reads as lease4-get shows it.
    func testGetPageStartsAfterFrom() {
        var h = EngineHarness()
        add(&h, [3, 4, 8, 20].map { IPv4Address(192, 0, 2, $0) })
        XCTAssertEqual(addresses(run(&h, "lease4-get-page", ["from": "192.0.2.4", "limit": 10]).answer), ["192.0.2.8", "192.0.2.20"])
        XCTAssertEqual(addresses(run(&h, "lease4-get-page", ["from": "192.0.2.5", "limit": 1]).answer), ["192.0.2.8"])
        XCTAssertEqual(addresses(run(&h, "lease4-get-page", ["from": "0.0.0.0", "limit": 2]).answer), ["192.0.2.3", "192.0.2.4"])
        let page = run(&h, "lease4-get-page", ["from": "192.0.2.19", "limit": 1]).answer
        let lease = h.engine.store.lease(at: IPv4Address(192, 0, 2, 20))!
        XCTAssertEqual(page["arguments"]?["leases"], .array([Dhcp4Engine<MemoryLeaseStore4>.leaseJSON(lease)]))
        XCTAssertEqual(run(&h, "lease4-get-page", ["from": "255.255.255.255", "limit": 1]).answer["result"]?.intValue, 3)
    }

    /// Kea's checks, in Kea's order, with Kea's texts (lease_cmds.cc, LeasePageSize).
    func testGetPageArgumentErrors() {
        var h = EngineHarness()
        let cases: [(JSON?, String)] = [
            (nil, "no parameters specified for the lease4-get-page command"),
            ([:], "'from' parameter not specified"),
            (["from": 1], "'from' parameter must be a string"),
            (["from": "x"], "'from' parameter value is neither 'start' keyword nor a valid IPv4 address"),
            (["from": "2001:db8::1", "limit": 1], "'from' parameter value 2001:db8::1 is not an IPv4 address"),
            (["from": "start"], "'limit' parameter not specified"),
            (["from": "start", "limit": "x"], "'limit' parameter must be a number"),
            (["from": "start", "limit": true], "'limit' parameter must be a number"),
            (["from": "start", "limit": 2.5], "'limit' parameter must be a number"),
            (["from": "start", "limit": 0], "page size of retrieved leases must not be 0"),
            (["from": "start", "limit": -5], "page size of retrieved leases must not be greater than 4294967295"),
            (["from": "start", "limit": 4_294_967_299], "page size of retrieved leases must not be greater than 4294967295"),
        ]
        for (arguments, text) in cases {
            let answer = run(&h, "lease4-get-page", arguments).answer
            XCTAssertEqual(answer, ControlResponse.make(.error, text), "\(String(describing: arguments))")
        }
        XCTAssertEqual(run(&h, "lease4-get-page", ["from": "start", "limit": 4_294_967_295]).answer["result"]?.intValue, 3,
                       "the largest page size is accepted")
    }

    // MARK: lease4-get-all

    /// More leases than one walk page, in two subnets: all of them in address order, or
    /// those of the listed subnets grouped in the order listed.
    func testGetAllPagesThroughEverything() {
        var h = EngineHarness(config: Self.twoSubnets())
        let inTwo = (0..<1500).map { IPv4Address(0x0A00_0000 + UInt32($0) * 2 + 1) }
        let inOne = [IPv4Address(192, 0, 2, 10), IPv4Address(192, 0, 2, 200)]
        add(&h, inOne + inTwo)
        let all = run(&h, "lease4-get-all").answer
        XCTAssertEqual(all["result"]?.intValue, 0)
        XCTAssertEqual(all["text"]?.stringValue, "1502 IPv4 lease(s) found.")
        XCTAssertEqual(addresses(all), (inTwo + inOne).map(\.description), "address order across pages")
        let listed = run(&h, "lease4-get-all", ["subnets": [1, 2]]).answer
        XCTAssertEqual(addresses(listed), (inOne + inTwo).map(\.description), "subnet 1 first, as listed")
        XCTAssertEqual(addresses(run(&h, "lease4-get-all", ["subnets": [1]]).answer), inOne.map(\.description))
        let none = run(&h, "lease4-get-all", ["subnets": [7]]).answer
        XCTAssertEqual(none["result"]?.intValue, 3)
        XCTAssertEqual(none["text"]?.stringValue, "0 IPv4 lease(s) found.")
        XCTAssertEqual(none["arguments"]?["leases"], .array([]))
    }

    func testGetAllArgumentErrors() {
        var h = EngineHarness()
        XCTAssertEqual(run(&h, "lease4-get-all", [:]).answer, ControlResponse.make(.error, "'subnets' parameter not specified"))
        XCTAssertEqual(run(&h, "lease4-get-all", ["subnets": "x"]).answer, ControlResponse.make(.error, "'subnets' parameter must be a list"))
        XCTAssertEqual(run(&h, "lease4-get-all", ["subnets": true]).answer, ControlResponse.make(.error, "'subnets' parameter must be a list"))
        XCTAssertEqual(run(&h, "lease4-get-all", ["subnets": ["x"]]).answer,
                       ControlResponse.make(.error, "listed subnet identifiers must be numbers"))
        XCTAssertEqual(run(&h, "lease4-get-all").answer["result"]?.intValue, 3, "no leases: empty")
    }

    // MARK: lease4-wipe

    /// Wiping one subnet deletes exactly its leases across several walk pages, each through the
    /// engine's commit path (one delete per lease in the effects), and keeps the gauges right.
    func testWipeOneSubnetAcrossPages() {
        var h = EngineHarness(config: Self.twoSubnets())
        let inTwo = (0..<1500).map { IPv4Address(0x0A00_0000 + UInt32($0) * 2 + 1) }
        let inOne = [IPv4Address(192, 0, 2, 10), IPv4Address(192, 0, 2, 200)]
        add(&h, inTwo + inOne)
        XCTAssertEqual(h.engine.stats.sample(named: "subnet[2].assigned-addresses")?.value, 1500)
        let (answer, effects) = run(&h, "lease4-wipe", ["subnet-id": 2])
        XCTAssertEqual(answer, ControlResponse.make(.success, "Deleted 1500 IPv4 lease(s) from subnet(s) 2"))
        XCTAssertEqual(effects.leaseChanges.count, 1500)
        for change in effects.leaseChanges {
            guard case .delete(let lease) = change else { return XCTFail("wipe wrote \(change)") }
            XCTAssertEqual(lease.subnetID, 2)
        }
        XCTAssertEqual(Set(effects.leaseChanges.map { $0.lease.address }), Set(inTwo))
        XCTAssertEqual(h.engine.store.count, 2)
        XCTAssertEqual(h.engine.stats.sample(named: "subnet[2].assigned-addresses")?.value, 0)
        XCTAssertEqual(h.engine.stats.sample(named: "subnet[1].assigned-addresses")?.value, 2)
        XCTAssertEqual(addresses(run(&h, "lease4-get-all").answer), inOne.map(\.description))
    }

    func testWipeEverySubnetThenNothingLeft() {
        var h = EngineHarness(config: Self.twoSubnets())
        add(&h, [IPv4Address(192, 0, 2, 10), IPv4Address(10, 0, 0, 5), IPv4Address(10, 0, 15, 254)])
        XCTAssertEqual(run(&h, "lease4-wipe").answer, ControlResponse.make(.success, "Deleted 3 IPv4 lease(s) from subnet(s) 1 2"))
        XCTAssertEqual(h.engine.store.count, 0)
        XCTAssertEqual(run(&h, "lease4-wipe").answer, ControlResponse.make(.empty, "Deleted 0 IPv4 lease(s) from subnet(s) 1 2"))
        XCTAssertEqual(run(&h, "lease4-get-page", ["from": "start", "limit": 10]).answer["result"]?.intValue, 3)
    }

    /// The statistics recount (start, reload) walks the store by pages and counts each state.
    func testRecountAfterReloadCountsEveryLease() {
        var h = EngineHarness(config: Self.twoSubnets())
        add(&h, (0..<1300).map { IPv4Address(0x0A00_0000 + UInt32($0)) } + [IPv4Address(192, 0, 2, 10)])
        var declined = h.engine.store.lease(at: IPv4Address(10, 0, 0, 3))!
        declined.state = .declined
        h.engine.store.apply(.upsert(declined))
        h.engine.reconfigure(Self.twoSubnets(), now: h.now)
        XCTAssertEqual(h.engine.stats.sample(named: "subnet[2].assigned-addresses")?.value, 1299)
        XCTAssertEqual(h.engine.stats.sample(named: "subnet[2].declined-addresses")?.value, 1)
        XCTAssertEqual(h.engine.stats.sample(named: "subnet[1].assigned-addresses")?.value, 1)
    }
}
