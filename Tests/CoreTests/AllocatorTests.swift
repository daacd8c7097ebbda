import XCTest
@testable import KakapoCore

/// `allocator`: iterative (the default) or random, from a seeded generator the shell injects.
final class AllocatorTests: XCTestCase {
    static func decode(globals: String = "", subnet: String = "") throws -> Dhcp4Config {
        let text = """
        { "Dhcp4": { \(globals)
          "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", \(subnet)
            "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] } ] } }
        """
        return try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(text, file: "a.conf", include: { _ in "" }))
    }

    func testDecodingAndInheritance() throws {
        let global = try Self.decode(globals: #""allocator": "random","#)
        XCTAssertEqual(global.allocation.allocator, .random)
        XCTAssertNil(global.subnets[0].allocation.allocator)
        let local = try Self.decode(globals: #""allocator": "random","#, subnet: #""allocator": "iterative","#)
        XCTAssertEqual(local.subnets[0].allocation.inheriting(from: local.allocation).allocator, .iterative)
        XCTAssertEqual(try Self.decode().allocation.allocator, .iterative)
        XCTAssertFalse(global.ignoredKeys.contains { $0.path.hasSuffix("allocator") })
    }

    func testFlqAndUnknownAllocatorsAreRefused() {
        for (globals, subnet) in [(#""allocator": "flq","#, ""), ("", #""allocator": "flq","#), ("", #""allocator": "shuffle","#)] {
            XCTAssertThrowsError(try Self.decode(globals: globals, subnet: subnet)) { e in
                XCTAssertTrue((e as? ConfigError)?.message.hasPrefix("supported allocators are: iterative and random (a.conf:") ?? false, "\(e)")
            }
        }
    }

    func addresses(_ config: Dhcp4Config, seed: UInt64?, clients: UInt8) -> [IPv4Address?] {
        var h = EngineHarness(config: config)
        if let seed { h.engine.seedRandomness(seed) }
        return (1...clients).map { h.dora(mac: EngineHarness.mac($0), xid: UInt32($0))?.yiaddr }
    }

    func testIterativeHandsOutInOrder() throws {
        let got = addresses(try Self.decode(), seed: 7, clients: 4)
        XCTAssertEqual(got, (10...13).map { IPv4Address(192, 0, 2, $0) })
    }

    func testRandomIsSeededAndDeterministic() throws {
        let config = try Self.decode(globals: #""allocator": "random","#)
        let a = addresses(config, seed: 7, clients: 6)
        XCTAssertEqual(a, addresses(config, seed: 7, clients: 6), "same seed, same addresses")
        XCTAssertNotEqual(a, addresses(config, seed: 8, clients: 6), "another seed, other addresses")
        XCTAssertNotEqual(a, (10...15).map { IPv4Address(192, 0, 2, $0) }, "not the iterative order")
        XCTAssertEqual(Set(a.compactMap { $0 }).count, 6)
    }

    func testRandomFindsTheLastFreeAddress() throws {
        var config = try Self.decode(subnet: #""allocator": "random","#)
        config.subnets[0].pools = [Pool4(first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 14)),
                                   Pool4(first: IPv4Address(192, 0, 2, 100), last: IPv4Address(192, 0, 2, 104))]
        var h = EngineHarness(config: config)
        h.engine.seedRandomness(99)
        var got: Set<IPv4Address> = []
        for n in 1...10 {
            let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(UInt8(n)), xid: UInt32(n)), "client \(n)")
            got.insert(ack.yiaddr)
        }
        XCTAssertEqual(got, Set((10...14).map { IPv4Address(192, 0, 2, $0) } + (100...104).map { IPv4Address(192, 0, 2, $0) }))
        XCTAssertNil(h.dora(mac: EngineHarness.mac(11), xid: 11), "the pools are full")
    }

    /// 999 of 1,000 addresses taken: the draws almost surely miss the free one, the sweep finds it.
    func testRandomSweepsWhenTheDrawsMiss() throws {
        var config = try Self.decode(globals: #""allocator": "random","#)
        config.subnets[0].prefix = IPv4Prefix("10.0.0.0/16")!
        config.subnets[0].pools = [Pool4(first: IPv4Address(10, 0, 1, 0), last: IPv4Address(10, 0, 4, 231))]
        config.subnets[0].interface = "eth0"
        var h = EngineHarness(config: config)
        h.engine.seedRandomness(3)
        let free = IPv4Address(10, 0, 2, 77)
        let first = config.subnets[0].pools[0].first.value
        for n in 0..<UInt32(1000) where IPv4Address(first + n) != free {
            let mac = HardwareAddress(bytes: [0x0a, 0, 0, 0, UInt8(n >> 8), UInt8(n & 0xff)])
            h.engine.store.apply(.upsert(Lease4(address: IPv4Address(first + n), hardwareAddress: mac, clientID: nil,
                                                validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(3600), subnetID: 1)))
        }
        XCTAssertEqual(h.dora(mac: EngineHarness.mac(1))?.yiaddr, free)
        XCTAssertNil(h.dora(mac: EngineHarness.mac(2), xid: 8))
    }

    func testGeneratorIsUniformEnoughAndBounded() {
        var r = EngineRandom(seed: 1)
        var counts = [Int](repeating: 0, count: 10)
        for _ in 0..<10_000 { counts[Int(r.below(10))] += 1 }
        XCTAssertTrue(counts.allSatisfy { $0 > 850 && $0 < 1150 }, "\(counts)")
        XCTAssertEqual(r.below(1), 0)
    }
}

extension AllocatorTests {
    func testSharedNetworkSettingsReachTheirSubnets() throws {
        let text = """
        { "Dhcp4": { "shared-networks": [ { "name": "lan", "allocator": "random", "cache-max-age": 60,
            "subnet4": [ { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.10 - 192.0.2.19" } ] },
                         { "id": 2, "subnet": "198.51.100.0/24", "allocator": "iterative" } ] } ] } }
        """
        let c = try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(text, file: "s.conf", include: { _ in "" }))
        XCTAssertEqual(c.subnets.first { $0.id == 1 }?.allocation, AllocationSettings(allocator: .random, cacheMaxAgeSeconds: 60))
        XCTAssertEqual(c.subnets.first { $0.id == 2 }?.allocation, AllocationSettings(allocator: .iterative, cacheMaxAgeSeconds: 60))
        XCTAssertTrue(c.ignoredKeys.isEmpty, "\(c.ignoredKeys)")
        XCTAssertThrowsError(try Dhcp4ConfigDecoder.decode(try KeaJSON.parse(
            #"{ "Dhcp4": { "shared-networks": [ { "name": "lan", "allocator": "flq" } ] } }"#, file: "s.conf", include: { _ in "" })))
    }
}
