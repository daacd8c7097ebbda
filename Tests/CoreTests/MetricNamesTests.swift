import XCTest
@testable import KakapoCore

/// Kea statistic names to Prometheus metric names, labels and kinds (docs/metrics.md).
final class MetricNamesTests: XCTestCase {
    private func m(_ service: String, _ stat: String) -> MetricNames.Metric? {
        MetricNames.metric(service: service, statistic: stat)
    }

    func testGlobalPacketCountersAreCountersEndingInTotal() throws {
        let r = try XCTUnwrap(m("dhcp4", "pkt4-received"))
        XCTAssertEqual(r.name, "kea_dhcp4_pkt4_received_total")
        XCTAssertEqual(r.kind, .counter)
        XCTAssertEqual(r.labels, [])
        XCTAssertEqual(r.help, "Kea dhcp4 statistic pkt4-received")
        XCTAssertEqual(m("dhcp6", "pkt6-solicit-received")?.name, "kea_dhcp6_pkt6_solicit_received_total")
        XCTAssertEqual(m("dhcp4", "v4-allocation-fail-no-pools")?.name, "kea_dhcp4_v4_allocation_fail_no_pools_total")
        XCTAssertEqual(m("dhcp6", "cumulative-assigned-pds")?.kind, .counter)
    }

    func testPerSubnetStatisticsGetASubnetLabelAndTheirOwnName() throws {
        let r = try XCTUnwrap(m("dhcp4", "subnet[1].assigned-addresses"))
        XCTAssertEqual(r.name, "kea_dhcp4_subnet_assigned_addresses")
        XCTAssertEqual(r.kind, .gauge)
        XCTAssertEqual(r.labels, [.init("subnet_id", "1")])
        XCTAssertEqual(r.help, "Kea dhcp4 statistic subnet[ID].assigned-addresses")
        let t = try XCTUnwrap(m("dhcp4", "subnet[42].total-addresses"))
        XCTAssertEqual(t.name, "kea_dhcp4_subnet_total_addresses")
        XCTAssertEqual(t.kind, .gauge)
        // The global declined-addresses and the subnet one differ in name, not only in labels.
        XCTAssertEqual(m("dhcp4", "declined-addresses")?.name, "kea_dhcp4_declined_addresses")
        XCTAssertEqual(m("dhcp4", "subnet[1].declined-addresses")?.name, "kea_dhcp4_subnet_declined_addresses")
        XCTAssertEqual(m("dhcp4", "subnet[1].reclaimed-leases")?.name, "kea_dhcp4_subnet_reclaimed_leases_total")
    }

    func testPoolsAndPrefixPools() throws {
        let p = try XCTUnwrap(m("dhcp4", "subnet[1].pool[0].assigned-addresses"))
        XCTAssertEqual(p.name, "kea_dhcp4_pool_assigned_addresses")
        XCTAssertEqual(p.labels, [.init("subnet_id", "1"), .init("pool_id", "0")])
        XCTAssertEqual(p.help, "Kea dhcp4 statistic subnet[ID].pool[ID].assigned-addresses")
        let na = try XCTUnwrap(m("dhcp6", "subnet[2].pool[3].total-nas"))
        XCTAssertEqual(na.name, "kea_dhcp6_pool_total_nas")
        XCTAssertEqual(na.kind, .gauge)
        let pd = try XCTUnwrap(m("dhcp6", "subnet[2].pd-pool[1].assigned-pds"))
        XCTAssertEqual(pd.name, "kea_dhcp6_pd_pool_assigned_pds")
        XCTAssertEqual(pd.labels, [.init("subnet_id", "2"), .init("pool_id", "1")])
        XCTAssertEqual(m("dhcp6", "subnet[2].pd-pool[1].cumulative-assigned-pds")?.name, "kea_dhcp6_pd_pool_cumulative_assigned_pds_total")
    }

    func testD2KeysKeepTheirDottedNameAsALabel() throws {
        let k = try XCTUnwrap(m("d2", "key[d2.key.].update-sent"))
        XCTAssertEqual(k.name, "kea_d2_key_update_sent_total")
        XCTAssertEqual(k.labels, [.init("key", "d2.key.")])
        XCTAssertEqual(k.help, "Kea d2 statistic key[NAME].update-sent")
        XCTAssertEqual(m("d2", "ncr-received")?.name, "kea_d2_ncr_received_total")
    }

    func testUnknownScopesAndOddCharacters() throws {
        let s = try XCTUnwrap(m("dhcp4", "shared-network[net a].foo.bar"))
        XCTAssertEqual(s.name, "kea_dhcp4_shared_network_foo_bar_total")
        XCTAssertEqual(s.labels, [.init("shared_network_id", "net a")])
        XCTAssertNil(m("dhcp4", "subnet[1.assigned"))
        XCTAssertNil(m("dhcp4", "subnet[1]assigned"))
        XCTAssertNil(m("dhcp4", "subnet[1]."))
        XCTAssertNil(m("dhcp4", "[1].x"))
        XCTAssertNil(m("dhcp4", ""))
        XCTAssertNil(m("dhcp4", "subnet[1].subnet[2].x"))
    }

    func testSamplesTakeTheNewestValueAndSkipWhatCannotBeShown() {
        let answer: JSON = ["result": 0, "arguments": [
            "pkt4-received": [[7, "2026-01-01 00:00:00.000000"], [3, "2025-12-31 00:00:00.000000"]],
            "subnet[1].assigned-addresses": [[2, "2026-01-01 00:00:00.000000"]],
            "some-text": [["x", "2026-01-01 00:00:00.000000"]],
            "reclaimed-leases": [[-1, "2026-01-01 00:00:00.000000"]],
            "subnet[9.bad": [[1, "t"]],
        ]]
        let (up, samples) = MetricNames.samples(service: "dhcp4", answer: answer)
        XCTAssertTrue(up)
        XCTAssertEqual(samples.map(\.metric.name), ["kea_dhcp4_pkt4_received_total", "kea_dhcp4_subnet_assigned_addresses"])
        XCTAssertEqual(samples.map(\.value), [7, 2])
        // The agent's forwarded form (an array of answers) is read the same way.
        XCTAssertEqual(MetricNames.samples(service: "dhcp4", answer: .array([answer])).samples.count, 2)
    }

    func testAnErrorAnswerIsDown() {
        XCTAssertFalse(MetricNames.samples(service: "dhcp4", answer: ["result": 1, "text": "unreachable"]).up)
        XCTAssertFalse(MetricNames.samples(service: "dhcp4", answer: .array([])).up)
        XCTAssertTrue(MetricNames.samples(service: "d2", answer: ["result": 0, "arguments": [:]]).up)
    }
}
