import XCTest
@testable import KakapoCore

/// kakapo-dhcp6's engine commands (Kea's lease_cmds for v6 and the statistic commands): their
/// answers, their lease writes through the engine's transactions, and the gauges they move.
final class Dhcp6EngineCommandTests: XCTestCase {
    typealias H = Engine6Harness

    func args(_ text: String) -> JSON { try! JSON.parse(text) }

    /// Runs a command and settles its transaction durable, as memfile would.
    @discardableResult
    func run(_ h: inout H, _ command: Dhcp6EngineCommand, _ arguments: String? = nil) -> (JSON, Effects6) {
        let (answer, effects) = h.engine.handle(command, arguments: arguments.map(args), now: h.now)
        if let id = effects.transaction { _ = h.engine.handle(outcome: .durable, of: id, now: h.now) }
        return (answer, effects)
    }

    func result(_ j: JSON) -> Int64? { j["result"]?.intValue }
    func text(_ j: JSON) -> String? { j["text"]?.stringValue }

    let naArgs = #"{"ip-address": "2001:db8:1::50", "duid": "01:02:03:04", "iaid": 7, "hostname": "Host.Example.org", "hw-address": "00:11:22:33:44:55", "user-context": {"a": 1}}"#
    let pdArgs = #"{"type": "IA_PD", "ip-address": "2001:db8:8:2::", "prefix-len": 64, "duid": "01:02:03:04", "iaid": 8, "subnet-id": 1, "valid-lft": 900, "preferred-lft": 600}"#

    func testLeaseAddWritesThroughATransactionAndShowsKeaFields() throws {
        var h = H()
        let (added, effects) = run(&h, .leaseAdd, naArgs)
        XCTAssertEqual(result(added), 0, "\(added)")
        XCTAssertEqual(text(added), "Lease for address 2001:db8:1::50, subnet-id 1 added.")
        XCTAssertNotNil(effects.transaction, "the write waits on a transaction")
        XCTAssertEqual(effects.writes.count, 1)
        XCTAssertEqual(h.engine.stats.value(.assignedNAs, subnet: 1), 1)

        let (got, _) = run(&h, .leaseGet, #"{"ip-address": "2001:db8:1::50"}"#)
        XCTAssertEqual(result(got), 0)
        XCTAssertEqual(text(got), "IPv6 lease found.")
        let l = try XCTUnwrap(got["arguments"])
        XCTAssertEqual(l["type"]?.stringValue, "IA_NA")
        XCTAssertEqual(l["duid"]?.stringValue, "01:02:03:04")
        XCTAssertEqual(l["iaid"]?.intValue, 7)
        XCTAssertEqual(l["subnet-id"]?.intValue, 1)
        XCTAssertEqual(l["valid-lft"]?.intValue, 4000, "the subnet's valid-lifetime")
        XCTAssertEqual(l["preferred-lft"]?.intValue, 4000, "Kea defaults preferred-lft to the valid lifetime")
        XCTAssertEqual(l["cltt"]?.intValue, h.now.wall.secondsSinceEpoch)
        XCTAssertEqual(l["hw-address"]?.stringValue, "00:11:22:33:44:55")
        XCTAssertEqual(l["user-context"]?["a"]?.intValue, 1)
        XCTAssertEqual(l["state"]?.intValue, 0)
        XCTAssertNil(l["prefix-len"], "addresses show no prefix-len")

        let (again, noWrite) = run(&h, .leaseAdd, naArgs)
        XCTAssertEqual(result(again), 4)
        XCTAssertEqual(text(again), "IPv6 lease already exists.")
        XCTAssertNil(noWrite.transaction)
    }

    func testPrefixLeasesAndTypeLookups() throws {
        var h = H()
        let (added, _) = run(&h, .leaseAdd, pdArgs)
        XCTAssertEqual(text(added), "Lease for prefix 2001:db8:8:2::/64, subnet-id 1 added.", "\(added)")
        XCTAssertEqual(h.engine.stats.value(.assignedPDs, subnet: 1), 1)
        XCTAssertEqual(result(run(&h, .leaseGet, #"{"ip-address": "2001:db8:8:2::"}"#).0), 3, "IA_NA is the default type")
        let (got, _) = run(&h, .leaseGet, #"{"ip-address": "2001:db8:8:2::", "type": "IA_PD"}"#)
        XCTAssertEqual(got["arguments"]?["prefix-len"]?.intValue, 64)
        XCTAssertEqual(got["arguments"]?["type"]?.stringValue, "IA_PD")
        let (byID, _) = run(&h, .leaseGet, #"{"type": "IA_PD", "identifier-type": "duid", "identifier": "01:02:03:04", "iaid": 8, "subnet-id": 1}"#)
        XCTAssertEqual(byID["arguments"]?["ip-address"]?.stringValue, "2001:db8:8:2::")
        XCTAssertEqual(text(run(&h, .leaseGet, #"{"type": "IA_XX", "ip-address": "2001:db8:1::1"}"#).0),
                       "Incorrect lease type: IA_XX, the only supported values are: na, ta and pd")
        XCTAssertEqual(text(run(&h, .leaseGet, #"{"identifier-type": "hw-address", "identifier": "00:11", "subnet-id": 1}"#).0),
                       "Query by hw-address is not allowed in v6.")
    }

    func testLeaseAddRefusals() {
        var h = H()
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"ip-address": "2001:db8:9::1", "duid": "01:02", "iaid": 1}"#).0),
                       "subnet-id not specified and failed to find a subnet for address 2001:db8:9::1")
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"ip-address": "2001:db8:2::1", "duid": "01:02", "iaid": 1, "subnet-id": 1}"#).0),
                       "The address 2001:db8:2::1 does not belong to subnet 2001:db8:1::/64, subnet-id=1")
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"ip-address": "2001:db8:1::1", "duid": "01:02", "iaid": 1, "subnet-id": 77}"#).0),
                       "Invalid subnet-id: No IPv6 subnet with subnet-id=77 currently configured.")
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"type": "IA_PD", "ip-address": "2001:db8:8:1::", "prefix-len": 64, "duid": "01:02", "iaid": 1}"#).0),
                       "Subnet-id is 0 or not specified. This is allowed for address leases only, not prefix leases.")
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"ip-address": "192.0.2.1", "duid": "01:02", "iaid": 1}"#).0),
                       "Non-IPv6 address specified: 192.0.2.1")
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"ip-address": "2001:db8:1::1", "duid": "01:02", "iaid": 1, "fqdn-fwd": true}"#).0),
                       "No hostname specified and either forward or reverse fqdn was set to true.")
        XCTAssertEqual(text(run(&h, .leaseAdd, #"{"type": "IA_PD", "ip-address": "2001:db8:8:1::", "prefix-len": 64, "duid": "01:02", "iaid": 1, "subnet-id": 1, "state": 1}"#).0),
                       "Invalid declined state for PD prefix.")
        XCTAssertEqual(result(run(&h, .leaseAdd, #"{"ip-address": "2001:db8:1::1", "iaid": 1}"#).0), 1, "no duid")
        XCTAssertEqual(result(run(&h, .leaseAdd, #"{"ip-address": "2001:db8:1::1", "duid": "01:02", "iaid": 1, "valid-lft": 0}"#).0), 1)
        XCTAssertEqual(text(run(&h, .leaseAdd, nil).0), "Parameters missing or are not a map.")
        XCTAssertEqual(h.engine.store.count, 0)
        XCTAssertEqual(h.engine.transactionsInFlight, 0)
    }

    func testUpdateDeleteAndAFailedWriteIsUndone() throws {
        var h = H()
        run(&h, .leaseAdd, naArgs)
        let missing = #"{"ip-address": "2001:db8:1::51", "duid": "01:02", "iaid": 1}"#
        XCTAssertEqual(text(run(&h, .leaseUpdate, missing).0), "failed to update the lease with address 2001:db8:1::51 - no such lease")
        let forced = #"{"ip-address": "2001:db8:1::51", "duid": "01:02", "iaid": 1, "force-create": true}"#
        XCTAssertEqual(text(run(&h, .leaseUpdate, forced).0), "IPv6 lease added.")
        let (updated, _) = run(&h, .leaseUpdate, #"{"ip-address": "2001:db8:1::50", "duid": "0a:0b", "iaid": 9, "hostname": "new"}"#)
        XCTAssertEqual(text(updated), "IPv6 lease updated.")
        XCTAssertEqual(h.engine.store.lease(.nonTemporaryAddress, at: IPv6Address("2001:db8:1::50")!)?.duid, [0x0a, 0x0b])
        XCTAssertEqual(h.engine.stats.value(.assignedNAs, subnet: 1), 2)

        // The store refuses a deletion: the view and the gauges come back.
        let (answer, effects) = h.engine.handle(.leaseDel, arguments: args(#"{"ip-address": "2001:db8:1::50"}"#), now: h.now)
        XCTAssertEqual(text(answer), "IPv6 lease deleted.")
        let id = try XCTUnwrap(effects.transaction)
        _ = h.engine.handle(outcome: .failed(reason: "disk full"), of: id, now: h.now)
        XCTAssertNotNil(h.engine.store.lease(.nonTemporaryAddress, at: IPv6Address("2001:db8:1::50")!))
        XCTAssertEqual(h.engine.stats.value(.assignedNAs, subnet: 1), 2)

        XCTAssertEqual(text(run(&h, .leaseDel, #"{"identifier-type": "duid", "identifier": "0a:0b", "iaid": 9, "subnet-id": 1}"#).0),
                       "IPv6 lease deleted.")
        XCTAssertEqual(text(run(&h, .leaseDel, #"{"ip-address": "2001:db8:1::50"}"#).0), "IPv6 lease not found.")
        XCTAssertEqual(h.engine.stats.value(.assignedNAs, subnet: 1), 1)
    }

    func testQueriesPagesAndWipe() {
        var h = H()
        run(&h, .leaseAdd, naArgs)
        run(&h, .leaseAdd, pdArgs)
        run(&h, .leaseAdd, #"{"ip-address": "2001:db8:2::30", "duid": "05:06", "iaid": 1}"#)
        XCTAssertEqual(text(run(&h, .leaseGetAll).0), "3 IPv6 lease(s) found.")
        let (sub2, _) = run(&h, .leaseGetAll, #"{"subnets": [2]}"#)
        XCTAssertEqual(sub2["arguments"]?["leases"]?.arrayValue?.count, 1)
        XCTAssertEqual(text(run(&h, .leaseGetByDUID, #"{"duid": "01:02:03:04"}"#).0), "2 IPv6 lease(s) found.")
        XCTAssertEqual(text(run(&h, .leaseGetByHostname, #"{"hostname": "host.EXAMPLE.org"}"#).0), "1 IPv6 lease(s) found.")
        XCTAssertEqual(result(run(&h, .leaseGetByHostname, #"{"hostname": "nobody"}"#).0), 3)

        let (page, _) = run(&h, .leaseGetPage, #"{"from": "start", "limit": 2}"#)
        XCTAssertEqual(page["arguments"]?["count"]?.intValue, 2)
        let addresses = page["arguments"]?["leases"]?.arrayValue?.compactMap { $0["ip-address"]?.stringValue }
        XCTAssertEqual(addresses, ["2001:db8:1::50", "2001:db8:2::30"])
        let (next, _) = run(&h, .leaseGetPage, #"{"from": "2001:db8:2::30", "limit": 2}"#)
        XCTAssertEqual(next["arguments"]?["leases"]?.arrayValue?.first?["ip-address"]?.stringValue, "2001:db8:8:2::")
        XCTAssertEqual(text(run(&h, .leaseGetPage, #"{"from": "192.0.2.1", "limit": 2}"#).0),
                       "'from' parameter value 192.0.2.1 is not an IPv6 address")
        XCTAssertEqual(text(run(&h, .leaseGetPage, #"{"from": "start", "limit": 0}"#).0),
                       "page size of retrieved leases must not be 0")

        let (wiped, effects) = run(&h, .leaseWipe, #"{"subnet-id": 1}"#)
        XCTAssertEqual(text(wiped), "Deleted 2 IPv6 lease(s) from subnet(s) 1")
        XCTAssertEqual(effects.writes.count, 2)
        XCTAssertEqual(h.engine.store.count, 1)
        XCTAssertEqual(h.engine.stats.value(.assignedPDs, subnet: 1), 0)
    }

    func testStatisticsResendDDNSAndReclaim() {
        var h = H()
        run(&h, .leaseAdd, #"{"ip-address": "2001:db8:1::50", "duid": "01:02", "iaid": 1, "valid-lft": 10}"#)
        let (one, _) = run(&h, .statisticGet, #"{"name": "subnet[1].assigned-nas"}"#)
        XCTAssertEqual(one["arguments"]?["subnet[1].assigned-nas"]?.arrayValue?.first?.arrayValue?.first?.intValue, 1)
        XCTAssertEqual(run(&h, .statisticGet, #"{"name": "no-such"}"#).0["arguments"]?.objectValue?.isEmpty, true)
        XCTAssertNotNil(run(&h, .statisticGetAll).0["arguments"]?["subnet[1].total-nas"])
        XCTAssertEqual(text(run(&h, .leaseResendDDNS, #"{"ip-address": "2001:db8:1::50"}"#).0), "DDNS updating is not enabled")
        XCTAssertEqual(text(run(&h, .leaseResendDDNS, #"{"ip-address": "192.0.2.1"}"#).0), "Invalid IPv6 address specified: 192.0.2.1")

        h.advance(seconds: 20)
        XCTAssertEqual(text(run(&h, .leasesReclaim, "{}").0), "'remove' parameter not specified")
        let (reclaimed, effects) = run(&h, .leasesReclaim, #"{"remove": false}"#)
        XCTAssertEqual(text(reclaimed), "Reclamation of expired leases is complete.")
        XCTAssertEqual(effects.writes.count, 1)
        XCTAssertEqual(h.engine.store.lease(.nonTemporaryAddress, at: IPv6Address("2001:db8:1::50")!)?.state, .expiredReclaimed,
                       "remove: false keeps the lease as reclaimed")
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 1)
        XCTAssertEqual(h.engine.stats.value(.assignedNAs, subnet: 1), 0)

        XCTAssertEqual(text(run(&h, .statisticResetAll).0), "All statistics reset to neutral values.")
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 0)
        // Kea resets every observation, configuration gauges too (checked against kea-dhcp6 2.2).
        XCTAssertEqual(h.engine.stats.value(.totalNAs, subnet: 1), 0, "every statistic is reset, as in Kea")
    }

    func testTheTableListsEveryCommand() {
        XCTAssertEqual(Dhcp6EngineCommand.table.names.count, Dhcp6EngineCommand.allCases.count)
        XCTAssertEqual(Dhcp6EngineCommand.table.entry(named: "lease6-get-by-duid")?.owner, .engine)
        var h = H()
        let (answer, _) = h.engine.handle(.leaseGetPage, arguments: nil, now: h.now)
        XCTAssertEqual(text(answer), "no parameters specified for the lease6-get-page command")
    }
}
