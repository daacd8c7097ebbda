import XCTest
@testable import KakapoCore

/// The rest of libdhcp_lease_cmds.so's DHCPv4 commands: lease4-get-by-hostname,
/// lease4-resend-ddns, the arguments of lease4-write, lease4-del's update-ddns and
/// lease4-update's force-create, with Kea's results and texts.
final class LeaseCmdsCompletionTests: XCTestCase {
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

    private func check(_ answer: JSON, _ result: Int64, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(answer["result"]?.intValue, result, "\(answer)", file: file, line: line)
        XCTAssertEqual(answer["text"]?.stringValue, text, file: file, line: line)
    }

    private func add(_ h: inout EngineHarness, _ host: UInt8, hostname: String? = nil, fqdn: Bool = false) {
        var args = JSONObject([("ip-address", .string("192.0.2.\(host)")), ("hw-address", .string("02:00:00:00:00:\(host < 16 ? "0" : "")\(String(host, radix: 16))"))])
        if let hostname { args["hostname"] = .string(hostname) }
        if fqdn { args["fqdn-fwd"] = .bool(true) }
        check(run(&h, "lease4-add", .object(args)).answer, 0, "Lease for address 192.0.2.\(host), subnet-id 1 added.")
    }

    private func addresses(_ answer: JSON) -> [String] {
        answer["arguments"]?["leases"]?.arrayValue?.compactMap { $0["ip-address"]?.stringValue } ?? []
    }

    // MARK: lease4-get-by-hostname

    func testGetByHostnameIgnoresCaseAndFindsEveryMatch() {
        var h = EngineHarness()
        add(&h, 30, hostname: "Printer.Example.org")
        add(&h, 31, hostname: "printer.example.org")
        add(&h, 32, hostname: "printer.example.org.")
        add(&h, 33)
        let found = run(&h, "lease4-get-by-hostname", ["hostname": "PRINTER.example.ORG"]).answer
        check(found, 0, "2 IPv4 lease(s) found.")
        XCTAssertEqual(addresses(found), ["192.0.2.30", "192.0.2.31"])
        XCTAssertEqual(found["arguments"]?["leases"]?.arrayValue?.first?["hw-address"]?.stringValue, "02:00:00:00:00:1e")

        let none = run(&h, "lease4-get-by-hostname", ["hostname": "scanner.example.org"]).answer
        check(none, 3, "0 IPv4 lease(s) found.")
        XCTAssertEqual(none["arguments"]?["leases"]?.arrayValue?.count, 0, "an empty list, as Kea answers")
    }

    func testGetByHostnameArgumentErrors() {
        var h = EngineHarness()
        add(&h, 30, hostname: "a")
        check(run(&h, "lease4-get-by-hostname").answer, 1, "Command arguments missing or a not a map.")
        check(run(&h, "lease4-get-by-hostname", [:]).answer, 1, "'hostname' parameter not specified")
        check(run(&h, "lease4-get-by-hostname", ["hostname": 5]).answer, 1, "'hostname' parameter must be a string")
        check(run(&h, "lease4-get-by-hostname", ["hostname": ""]).answer, 1, "'hostname' parameter is empty")
    }

    // MARK: lease4-resend-ddns

    func testResendDDNSChecksTheAddressFirst() {
        var h = EngineHarness()
        check(run(&h, "lease4-resend-ddns").answer, 1, "'ip-address' parameter is missing.")
        check(run(&h, "lease4-resend-ddns", ["ip-address": 7]).answer, 1, "'ip-address' is not a string.")
        check(run(&h, "lease4-resend-ddns", ["ip-address": "bogus"]).answer, 1, "'bogus' is not a valid IP address.")
        check(run(&h, "lease4-resend-ddns", ["ip-address": "2001:db8::1"]).answer, 1, "Invalid IPv4 address specified: 2001:db8::1")
    }

    func testResendDDNSWithUpdatesDisabledIsAConflictWhateverTheLease() {
        var h = EngineHarness()
        add(&h, 30, hostname: "host.example.org", fqdn: true)
        check(run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.30"]).answer, 4, "DDNS updating is not enabled")
        // Kea asks about DDNS before looking the lease up.
        check(run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.99"]).answer, 4, "DDNS updating is not enabled")
    }

    func testResendDDNSWithUpdatesEnabled() {
        var config = EngineHarness.config()
        config.ddns.enableUpdates = true
        var h = EngineHarness(config: config)
        add(&h, 30, hostname: "host.example.org", fqdn: true)
        add(&h, 31)
        add(&h, 32, hostname: "quiet.example.org")
        check(run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.99"]).answer, 3, "No lease found for: 192.0.2.99")
        check(run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.31"]).answer, 4,
              "Lease for: 192.0.2.31, has no hostname, nothing to update")
        check(run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.32"]).answer, 4,
              "Neither forward nor reverse updates enabled for lease for: 192.0.2.32")
        // Without a digest from the shell no request can be built: an error, not a false success.
        let (refused, none) = run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.30"])
        check(refused, 1, "No NCR generated for: 192.0.2.30, hostname: host.example.org")
        XCTAssertTrue(none.nameChanges.isEmpty)
        h.engine.ddnsDigest = { $0 }
        let (answer, effects) = run(&h, "lease4-resend-ddns", ["ip-address": "192.0.2.30"])
        check(answer, 0, "NCR generated for: 192.0.2.30, hostname: host.example.org")
        XCTAssertTrue(effects.leaseChanges.isEmpty)
        XCTAssertEqual(effects.nameChanges.map(\.changeType), [.add])
        XCTAssertEqual(effects.nameChanges.first?.fqdn, "host.example.org.")
        XCTAssertEqual(effects.nameChanges.first?.forward, true)
        XCTAssertEqual(effects.nameChanges.first?.reverse, false)
    }

    // MARK: lease4-del update-ddns, lease4-update force-create

    func testDelChecksUpdateDDNS() {
        var h = EngineHarness()
        add(&h, 30, hostname: "host.example.org", fqdn: true)
        check(run(&h, "lease4-del", ["ip-address": "192.0.2.30", "update-ddns": "yes"]).answer, 1, "'update-ddns' is not a boolean")
        XCTAssertNotNil(h.engine.store.lease(at: IPv4Address(192, 0, 2, 30)), "a refused delete deletes nothing")
        check(run(&h, "lease4-get", ["ip-address": "192.0.2.30", "update-ddns": 1]).answer, 1, "'update-ddns' is not a boolean")
        check(run(&h, "lease4-del", ["ip-address": "192.0.2.30", "update-ddns": true]).answer, 0, "IPv4 lease deleted.")
        XCTAssertNil(h.engine.store.lease(at: IPv4Address(192, 0, 2, 30)))
        check(run(&h, "lease4-del", ["ip-address": "192.0.2.30", "update-ddns": false]).answer, 3, "IPv4 lease not found.")
    }

    func testUpdateWithForceCreateAddsAMissingLease() {
        var h = EngineHarness()
        let address = IPv4Address(192, 0, 2, 40)
        let args: JSONObject = JSONObject([("ip-address", "192.0.2.40"), ("hw-address", "02:00:00:00:00:28")])
        var refused = args
        refused["force-create"] = .bool(false)
        check(run(&h, "lease4-update", .object(refused)).answer, 1, "failed to update the lease with address 192.0.2.40 - no such lease")
        XCTAssertNil(h.engine.store.lease(at: address))

        var badType = args
        badType["force-create"] = .string("true")
        check(run(&h, "lease4-update", .object(badType)).answer, 1, "invalid type specified for parameter 'force-create'")
        check(run(&h, "lease4-add", .object(badType)).answer, 1, "invalid type specified for parameter 'force-create'")
        XCTAssertNil(h.engine.store.lease(at: address))

        var forced = args
        forced["force-create"] = .bool(true)
        let (answer, effects) = run(&h, "lease4-update", .object(forced))
        check(answer, 0, "IPv4 lease added.")
        XCTAssertEqual(effects.leaseChanges.count, 1, "the new lease is written to the lease file")
        XCTAssertEqual(h.engine.store.lease(at: address)?.hardwareAddress?.bytes, [2, 0, 0, 0, 0, 0x28])

        forced["hostname"] = .string("new.example.org")
        check(run(&h, "lease4-update", .object(forced)).answer, 0, "IPv4 lease updated.")
        XCTAssertEqual(h.engine.store.lease(at: address)?.hostname, "new.example.org")
        XCTAssertEqual(h.engine.store.count, 1)
    }

    // MARK: lease4-write (arguments and content; the file itself is the shell's)

    func testWriteRequestArguments() {
        func failure(_ args: JSON?) -> String? {
            do { _ = try LeaseWriteRequest(arguments: args); return nil } catch { return error.text }
        }
        XCTAssertEqual(failure(nil), "no parameters specified for the command")
        XCTAssertEqual(failure([:]), "'filename' parameter not specified")
        XCTAssertEqual(failure(["filename": 3]), "'filename' parameter must be a string")
        XCTAssertEqual(failure(["filename": ""]), "'filename' parameter is empty")
        XCTAssertEqual(try? LeaseWriteRequest(arguments: ["filename": "/tmp/x.csv"]), LeaseWriteRequest(filename: "/tmp/x.csv"))
        check(LeaseWriteRequest(filename: "/tmp/x.csv").success, 0, "IPv4 lease database into '/tmp/x.csv'.")
        let entry = DaemonCommand.table.entry(named: "lease4-write")
        XCTAssertEqual(entry?.owner, .daemon)
        check(entry?.argumentsProblem(nil) ?? .null, 1, "no parameters specified for the command")
    }

    func testLeaseFileTextReadsBackAsTheSameLeases() {
        var h = EngineHarness()
        add(&h, 30, hostname: "a,b.example.org", fqdn: true)
        add(&h, 31)
        check(run(&h, "lease4-add", ["ip-address": "192.0.2.32", "client-id": "01:02:03", "state": 1]).answer, 0,
              "Lease for address 192.0.2.32, subnet-id 1 added.")
        let leases = h.engine.store.all()
        let text = LeaseFile4.text(of: leases)
        XCTAssertTrue(text.hasPrefix(LeaseFile4.header + "\n"))
        XCTAssertEqual(text.split(separator: "\n").count, 4)
        var store = MemoryLeaseStore4()
        let report = LeaseFile4.load(text: text, into: &store)
        XCTAssertEqual(report.errors, [])
        XCTAssertEqual(store.all(), leases)
        XCTAssertEqual(LeaseFile4.text(of: []), LeaseFile4.header + "\n")
    }
}
