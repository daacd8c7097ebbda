import XCTest
@testable import KakapoCore

/// Kea's leases4 CSV: rows written column for column, Kea 2.2 files (no pool_id) read,
/// deletions replayed, escapes honoured, bad rows reported.
final class LeaseFileTests: XCTestCase {
    func testRowMatchesKeaColumns() {
        var l = Lease4(address: IPv4Address(192, 0, 2, 10), hardwareAddress: HardwareAddress(bytes: [8, 0, 0x27, 0xaa, 0xbb, 0xcc]),
                       clientID: [1, 8, 0, 0x27, 0xaa, 0xbb, 0xcc], validLifetimeSeconds: 3600,
                       expire: WallTime(secondsSinceEpoch: 1_800_003_600), subnetID: 1)
        l.hostname = "a,b&c"
        XCTAssertEqual(LeaseFile4.row(l),
                       "192.0.2.10,08:00:27:aa:bb:cc,01:08:00:27:aa:bb:cc,3600,1800003600,1,0,0,a&#x2cb&#x26c,0,,0")
        XCTAssertEqual(LeaseFile4.deletionRow(l).split(separator: ",")[3], "0")
    }

    func testLoadsKea22FileAndReplaysDeletes() {
        let text = """
        address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context
        192.0.2.10,08:00:27:aa:bb:cc,,3600,1800003600,1,0,0,host&#x2ca,0,
        192.0.2.11,08:00:27:aa:bb:cd,,3600,1800003600,1,0,0,,0,
        192.0.2.11,08:00:27:aa:bb:cd,,0,1800000000,1,0,0,,0,
        192.0.2.12,,,86400,1800086400,1,0,0,,1,
        garbage,row
        """
        var store = MemoryLeaseStore4()
        let r = LeaseFile4.load(text: text, into: &store)
        XCTAssertEqual(store.count, 2)
        XCTAssertEqual(store.lease(at: IPv4Address(192, 0, 2, 10))?.hostname, "host,a")
        XCTAssertNil(store.lease(at: IPv4Address(192, 0, 2, 11)))
        XCTAssertEqual(store.lease(at: IPv4Address(192, 0, 2, 12))?.state, .declined)
        XCTAssertEqual(r.errors.count, 1)
        XCTAssertEqual(r.errors.first?.line, 6)
    }

    func testRoundTripThroughText() {
        var store = MemoryLeaseStore4()
        var l = Lease4(address: IPv4Address(192, 0, 2, 20), hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]),
                       clientID: nil, validLifetimeSeconds: 60, expire: WallTime(secondsSinceEpoch: 100), subnetID: 7)
        l.poolID = 3
        l.userContext = "{ \"ISC\": { \"a\": 1 } }"
        let text = LeaseFile4.header + "\n" + LeaseFile4.row(l) + "\n"
        _ = LeaseFile4.load(text: text, into: &store)
        XCTAssertEqual(store.lease(at: l.address), l)
    }

    func testRowWithoutIdentityIsRejected() {
        var store = MemoryLeaseStore4()
        let r = LeaseFile4.load(text: LeaseFile4.header + "\n192.0.2.9,,,3600,100,1,0,0,,0,,0\n", into: &store)
        XCTAssertEqual(r.errors.count, 1)
        XCTAssertEqual(store.count, 0)
    }
}
