import XCTest
@testable import KakapoCore

/// `cache-threshold` and `cache-max-age`: a renewal of a young lease is answered from the
/// stored lease, with its remaining lifetime, without a write, counted in v4-lease-reuses.
final class LeaseCacheTests: XCTestCase {
    static func decode(globals: String = "", subnet: String = "") throws -> Dhcp4Config {
        let text = """
        { "Dhcp4": { "valid-lifetime": 3600, \(globals)
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", \(subnet)
            "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] } ] } }
        """
        return try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(text, file: "c.conf", include: { _ in "" }))
    }

    func testDecoding() throws {
        let c = try Self.decode(globals: #""cache-threshold": 0.25, "cache-max-age": 600,"#, subnet: #""cache-max-age": 0,"#)
        XCTAssertEqual(c.allocation.cacheThreshold, 0.25)
        XCTAssertEqual(c.allocation.cacheMaxAgeSeconds, 600)
        XCTAssertEqual(c.subnets[0].allocation.cacheMaxAgeSeconds, 0)
        XCTAssertTrue(c.ignoredKeys.isEmpty, "\(c.ignoredKeys)")
        // Kea's grammar wants a floating-point number: an integer is a syntax error.
        XCTAssertEqual((try? Self.decode(globals: #""cache-threshold": 1,"#)).map { _ in "accepted" }, nil)
        for bad in ["1.0", "1.5", "-0.1", "0.0"] {
            XCTAssertThrowsError(try Self.decode(subnet: "\"cache-threshold\": \(bad),")) { e in
                XCTAssertTrue((e as? ConfigError)?.message.contains("is invalid, it must be greater than 0.0 and less than 1.0") ?? false, "\(e)")
            }
        }
    }

    /// Gets a lease at t0, waits `after` seconds, renews it (RENEWING: ciaddr, no option 54).
    func renew(_ config: Dhcp4Config, after: Int64) throws -> (ack: DHCPv4Message, effects: Effects4, h: EngineHarness) {
        var h = EngineHarness(config: config)
        let first = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        XCTAssertEqual(first.options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
        h.advance(seconds: after)
        var m = EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 9)
        m.ciaddr = first.yiaddr
        let (replies, effects) = h.send(m)
        let ack = try XCTUnwrap(replies.first)
        XCTAssertEqual(ack.messageType, .ack)
        XCTAssertEqual(ack.yiaddr, first.yiaddr)
        return (ack, effects, h)
    }

    func testThresholdReusesAYoungLease() throws {
        let config = try Self.decode(globals: #""cache-threshold": 0.25,"#)
        let (ack, effects, h) = try renew(config, after: 600)
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpLeaseTime), 3000, "the remaining lifetime")
        XCTAssertTrue(effects.leaseChanges.isEmpty, "nothing is written")
        XCTAssertNil(effects.transaction)
        XCTAssertEqual(h.engine.stats.value(.leaseReuses), 1)
        XCTAssertEqual(h.engine.stats.value(.leaseReuses, subnet: 1), 1)
        XCTAssertEqual(h.engine.stats.sample(named: "v4-lease-reuses")?.value, 1)
        XCTAssertTrue(effects.events.contains(.leaseReused(client: ClientLabel(hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(1)),
                                                                                clientID: nil, xid: 9),
                                                           address: ack.yiaddr, lifetimeSeconds: 3000)))
        // The stored lease is the one from the first exchange.
        let lease = try XCTUnwrap(h.engine.store.lease(at: ack.yiaddr))
        XCTAssertEqual(lease.expire, WallTime(secondsSinceEpoch: 1_800_000_000 + 3600))
    }

    func testThresholdPassedWritesTheLease() throws {
        let config = try Self.decode(subnet: #""cache-threshold": 0.25,"#)
        let (ack, effects, h) = try renew(config, after: 901)
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
        XCTAssertEqual(effects.leaseChanges.count, 1)
        XCTAssertEqual(h.engine.stats.value(.leaseReuses), 0)
    }

    func testMaxAge() throws {
        let config = try Self.decode(globals: #""cache-max-age": 300,"#)
        let (young, youngEffects, _) = try renew(config, after: 200)
        XCTAssertEqual(young.options.u32(DHCPv4Option.dhcpLeaseTime), 3400)
        XCTAssertTrue(youngEffects.leaseChanges.isEmpty)
        let (old, oldEffects, _) = try renew(config, after: 400)
        XCTAssertEqual(old.options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
        XCTAssertEqual(oldEffects.leaseChanges.count, 1)
    }

    func testBothMustHoldAndZeroMaxAgeTurnsCachingOff() throws {
        let both = try Self.decode(globals: #""cache-threshold": 0.5, "cache-max-age": 100,"#)
        XCTAssertEqual(try renew(both, after: 200).effects.leaseChanges.count, 1, "older than cache-max-age")
        XCTAssertTrue(try renew(both, after: 50).effects.leaseChanges.isEmpty)
        let off = try Self.decode(globals: #""cache-threshold": 0.5,"#, subnet: #""cache-max-age": 0,"#)
        XCTAssertEqual(try renew(off, after: 10).effects.leaseChanges.count, 1)
    }

    func testNoCachingByDefault() throws {
        let (ack, effects, h) = try renew(try Self.decode(), after: 10)
        XCTAssertEqual(ack.options.u32(DHCPv4Option.dhcpLeaseTime), 3600)
        XCTAssertEqual(effects.leaseChanges.count, 1)
        XCTAssertEqual(h.engine.stats.value(.leaseReuses), 0)
    }

    func testAnotherClientOrAChangedHostNameIsNotServedFromTheCache() throws {
        let config = try Self.decode(globals: #""cache-threshold": 0.5,"#)
        var h = EngineHarness(config: config)
        let first = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        h.advance(seconds: 10)
        var m = EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 9, options: [(DHCPv4Option.hostName.code, Array("newname".utf8))])
        m.ciaddr = first.yiaddr
        XCTAssertEqual(h.send(m).effects.leaseChanges.count, 1, "the new host name must be stored")
    }
}
