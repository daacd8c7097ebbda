import KakapoCore
@testable import KakapoSim
import XCTest

/// `kakapo-sim trace`: a small synthetic trace written with `TraceRecord.line(seq:)` (so it
/// follows the simulator's format exactly), read back through every view.
final class TraceInspectorTests: XCTestCase {
    static let a = "02:00:00:00:00:07"
    static let b = "02:00:00:00:00:08"
    static let x = "192.0.2.10"
    static let y = "192.0.2.11"
    static let sid = "192.0.2.1"

    /// Builds trace lines with consecutive seq numbers.
    struct Builder {
        var lines: [String] = []

        mutating func add(_ t: Int64, _ kind: String, _ fields: [(String, TraceValue)]) {
            lines.append(TraceRecord(time: t, kind: kind, fields).line(seq: lines.count))
        }

        mutating func state(_ t: Int64, _ mac: String, _ state: String, _ address: String = "") {
            add(t, "client", [("mac", .string(mac)), ("state", .string(state)), ("address", .string(address))])
        }

        mutating func send(_ t: Int64, _ mac: String, _ msg: String, xid: String, to: String = "broadcast",
                           _ extra: [(String, TraceValue)] = []) {
            add(t, "datagram", [("event", .string("send")), ("from", .string("client:" + mac)), ("to", .string(to)),
                                ("msg", .string(msg)), ("xid", .string(xid)), ("mac", .string(mac))] + extra)
        }

        mutating func deliver(_ t: Int64, _ mac: String, _ msg: String, xid: String, _ extra: [(String, TraceValue)] = []) {
            add(t, "datagram", [("event", .string("deliver")), ("from", .string("server:s1")),
                                ("to", .string("client:" + mac)), ("msg", .string(msg)), ("xid", .string(xid)),
                                ("mac", .string(mac))] + extra)
        }

        mutating func decision(_ t: Int64, _ event: String, _ mac: String, address: String? = nil, reason: String? = nil) {
            var f: [(String, TraceValue)] = [("server", .string("s1")), ("event", .string(event)), ("mac", .string(mac))]
            if let address { f.append(("address", .string(address))) }
            if let reason { f.append(("reason", .string(reason))) }
            add(t, "decision", f)
        }

        mutating func lease(_ t: Int64, _ op: String, _ address: String, _ mac: String, expire: Int64) {
            add(t, "lease", [("server", .string("s1")), ("op", .string(op)), ("address", .string(address)),
                             ("mac", .string(mac)), ("state", .int(0)), ("expire", .int(expire)), ("durable", .bool(true))])
        }
    }

    /// Client A: DORA with a lost REQUEST and a server crash, BOUND x; renews at 30 minutes, is
    /// NAKed and starts over. Client B: no address (pool exhausted), leaves, comes back at
    /// 31m40s and gets x. One passing and one failing invariant line, an end record.
    static let trace: [String] = {
        var t = Builder()
        let a = TraceInspectorTests.a, b = TraceInspectorTests.b, x = TraceInspectorTests.x, sid = TraceInspectorTests.sid
        t.state(1000, a, "ARRIVED")
        t.state(1000, a, "SELECTING")
        t.send(1000, a, "DHCPDISCOVER", xid: "0x1a2b")
        t.decision(1001, "advertised", a, address: x)
        t.deliver(1002, a, "DHCPOFFER", xid: "0x1a2b", [("yiaddr", .string(x)), ("server_id", .string(sid))])
        t.state(1100, b, "ARRIVED")
        t.state(1100, b, "SELECTING")
        t.send(1100, b, "DHCPDISCOVER", xid: "0x2b3c")
        t.decision(1101, "allocation-failed", b, reason: "pool exhausted in subnet 1")
        t.state(1202, a, "REQUESTING")
        t.send(1202, a, "DHCPREQUEST", xid: "0x1a2b", [("requested", .string(x)), ("server_id", .string(sid))])
        t.add(1202, "datagram", [("event", .string("drop")), ("from", .string("client:" + a)), ("msg", .string("DHCPREQUEST")),
                                 ("xid", .string("0x1a2b")), ("mac", .string(a)), ("reason", .string("loss"))])
        t.add(5000, "fault", [("fault", .string("crash")), ("target", .string("s1")), ("detail", .string("down for 100ms"))])
        t.send(5202, a, "DHCPREQUEST", xid: "0x1a2b", [("requested", .string(x)), ("server_id", .string(sid))])
        t.lease(5203, "upsert", x, a, expire: 3605)
        t.decision(5203, "allocated", a, address: x)
        t.deliver(5204, a, "DHCPACK", xid: "0x1a2b", [("yiaddr", .string(x)), ("server_id", .string(sid))])
        t.state(5204, a, "BOUND", x)
        t.add(6000, "invariant", [("ok", .bool(true)), ("checked", .int(1000))])
        t.state(9000, b, "LEFT")
        t.state(1_805_000, a, "RENEWING", x)
        t.send(1_805_000, a, "DHCPREQUEST", xid: "0x3c4d", to: "unicast", [("ciaddr", .string(x))])
        t.decision(1_805_001, "nak", a, reason: "address not available")
        t.deliver(1_805_002, a, "DHCPNAK", xid: "0x3c4d", [("ciaddr", .string(x))])
        t.state(1_805_002, a, "LOST", x)
        t.state(1_805_002, a, "SELECTING")
        t.send(1_805_002, a, "DHCPDISCOVER", xid: "0x4d5e")
        t.lease(1_805_500, "delete", x, a, expire: 3605)
        t.state(1_900_000, b, "ARRIVED")
        t.state(1_900_000, b, "SELECTING")
        t.send(1_900_000, b, "DHCPDISCOVER", xid: "0x5e6f")
        t.decision(1_900_001, "advertised", b, address: x)
        t.deliver(1_900_002, b, "DHCPOFFER", xid: "0x5e6f", [("yiaddr", .string(x)), ("server_id", .string(sid))])
        t.state(1_900_202, b, "REQUESTING")
        t.send(1_900_202, b, "DHCPREQUEST", xid: "0x5e6f", [("requested", .string(x)), ("server_id", .string(sid))])
        t.lease(1_900_203, "upsert", x, b, expire: 5500)
        t.decision(1_900_203, "allocated", b, address: x)
        t.deliver(1_900_204, b, "DHCPACK", xid: "0x5e6f", [("yiaddr", .string(x)), ("server_id", .string(sid))])
        t.state(1_900_204, b, "BOUND", x)
        t.add(2_000_000, "invariant", [("ok", .bool(false)), ("invariant", .string("unique-address")),
                                       ("detail", .string("\(TraceInspectorTests.y) held by \(a) and \(b)"))])
        t.add(3_600_000, "end", [("events", .int(123)), ("bound", .int(1)), ("ok", .bool(false))])
        return t.lines
    }()

    static var text: String { trace.joined(separator: "\n") + "\n" }

    static func records() -> [InspectedRecord] {
        trace.enumerated().map { i, line in
            guard case .record(let r) = TraceLineParser.parse(Substring(line), number: i + 1) else {
                fatalError("synthetic line \(i + 1) does not parse: \(line)")
            }
            return r
        }
    }

    func run(_ query: TraceInspector.Query, _ text: String = TraceInspectorTests.text) throws -> String {
        try TraceInspector.run(text: text, query: query).get()
    }

    // MARK: reading lines

    func testEverySyntheticLineParsesWithItsFields() throws {
        let records = Self.records()
        XCTAssertEqual(records.count, Self.trace.count)
        XCTAssertEqual(records.map(\.seq), (0..<Int64(records.count)).map { Optional($0) })
        let offer = records[4]
        XCTAssertEqual(offer.time, 1002)
        XCTAssertEqual(offer.kind, "datagram")
        XCTAssertEqual(offer.text("msg"), "DHCPOFFER")
        XCTAssertEqual(offer.text("yiaddr"), Self.x)
        XCTAssertNil(records[0].text("address"), "the empty string reads as absent")
        XCTAssertEqual(records.last?["ok"]?.boolValue, false)
        // The fast scanner and Core's parser agree, escapes included.
        let tricky = TraceRecord(time: 7, kind: "fault", [("detail", .string("a \"q\" \\ tab\t nl\n é 😀 \u{1}")),
                                                         ("n", .int(-42)), ("b", .bool(true))]).line(seq: 3)
        guard case .record(let r) = TraceLineParser.parse(Substring(tricky), number: 1) else { return XCTFail(tricky) }
        XCTAssertEqual(r.text("detail"), "a \"q\" \\ tab\t nl\n é 😀 \u{1}")
        XCTAssertEqual(r["n"]?.intValue, -42)
        let json = try JSON.parse(tricky)
        XCTAssertEqual(json["detail"]?.stringValue, r.text("detail"))
        // What the scanner leaves to Core's parser: nested values, fractions, \u escapes.
        let nested = #"{"t":5,"seq":0,"kind":"end","clients":{"bound":3},"ratio":0.5,"s":"\u00e9\ud83d\ude00"}"#
        guard case .record(let e) = TraceLineParser.parse(Substring(nested), number: 1) else { return XCTFail(nested) }
        XCTAssertEqual(e["clients"]?["bound"]?.intValue, 3)
        XCTAssertEqual(e["ratio"]?.doubleValue, 0.5)
        XCTAssertEqual(e.text("s"), "é😀")
    }

    func testLinesOfKeepsEmptyLinesAndSplitsOnBytes() {
        XCTAssertEqual(Array(TraceInspector.lines(of: "a\n\nb\r\nc")), ["a", "", "b\r", "c"])
        XCTAssertEqual(Array(TraceInspector.lines(of: "a\n")), ["a"])
        XCTAssertEqual(Array(TraceInspector.lines(of: "")), [])
        XCTAssertEqual(Array(TraceInspector.lines(of: "é\n😀")), ["é", "😀"])
    }

    // MARK: --client

    func testClientFilterShowsExactlyThatClientsRecordsInOrder() throws {
        let records = Self.records()
        let indent = ClientView.indent
        // Every record rendered the way the client view renders it: any that shows up must be A's.
        let rendered = records.map { TraceInspector.timelineLine($0, indent: indent) }
        let universe = Set(rendered)
        let expected = zip(records, rendered).filter { Filter.concerns($0.0, mac: Self.a) }.map(\.1)
        let out = try run(.init(client: Self.a))
        let shown = out.split(separator: "\n").map(String.init).filter { universe.contains($0) }
        XCTAssertEqual(shown, expected, out)
        XCTAssertEqual(expected.count, 22)
        XCTAssertFalse(out.contains("client 02:00:00:00:00:08  =>"), "B's state changes stay out")

        // Same view from another spelling of the MAC.
        XCTAssertEqual(try run(.init(client: "02-00-00-00-00-07".uppercased())), out)
        XCTAssertEqual(try run(.init(client: "020000000007")), out)
    }

    func testClientTimelineGroupsExchangesAndGivesReasons() throws {
        let out = try run(.init(client: Self.a))
        let headers = out.split(separator: "\n").filter { $0.hasPrefix("* ") }
        XCTAssertEqual(headers, [
            "* DORA  1.000s -> 5.204s (4.204s)  xid 0x1a2b: BOUND 192.0.2.10 (ACK from server s1)",
            "* RENEW  1805.000s -> 1805.002s (2ms)  xid 0x3c4d: NAK from server s1: address not available",
            "* DORA  1805.002s -> 1805.500s (498ms)  xid 0x4d5e: no OFFER (still going at the end of the trace)",
        ], out)
        XCTAssertTrue(out.hasPrefix("""
            client 02:00:00:00:00:07: 22 records from 1.000s to 2000.000s
              3 exchanges: DORA 2, RENEW 1
              first DISCOVER at 1.000s, first BOUND at 5.204s (4.204s after the first DISCOVER)
              last state SELECTING, last bound address 192.0.2.10, NAKs received 1, datagrams dropped 1

            """), out)
        XCTAssertTrue(out.contains("  sent DISCOVER, REQUEST x2; received OFFER, ACK; dropped 1 (loss)\n"), out)
        XCTAssertTrue(out.contains("DROPPED (loss)  DHCPREQUEST client 02:00:00:00:00:07  (xid 0x1a2b)"), out)
        // The LOST at the NAK's instant belongs to the renew; the old lease's deletion and the
        // invariant line happen while the next DORA is in progress, so they show inside it.
        XCTAssertTrue(out.hasSuffix("""
                  1805.002s  client 02:00:00:00:00:07  <- DHCPNAK from server s1  (xid 0x3c4d, ciaddr 192.0.2.10)
                  1805.002s  client 02:00:00:00:00:07  => LOST 192.0.2.10

            * DORA  1805.002s -> 1805.500s (498ms)  xid 0x4d5e: no OFFER (still going at the end of the trace)
              sent DISCOVER
                  1805.002s  client 02:00:00:00:00:07  => SELECTING
                  1805.002s  client 02:00:00:00:00:07  DHCPDISCOVER -> broadcast  (xid 0x4d5e)
                  1805.500s  lease s1  delete 192.0.2.10 owner 02:00:00:00:00:07 state default expires 1:00:05.000 durable
                  2000.000s  INVARIANT VIOLATED unique-address: 192.0.2.11 held by 02:00:00:00:00:07 and 02:00:00:00:00:08

            """), out)

        let bOut = try run(.init(client: Self.b))
        let bHeaders = bOut.split(separator: "\n").filter { $0.hasPrefix("* ") }
        XCTAssertEqual(bHeaders, [
            "* DORA  1.100s -> 1.101s (1ms)  xid 0x2b3c: no OFFER: server s1: no address, pool exhausted in subnet 1 (the client left)",
            "* LEAVE  9.000s: left without RELEASE",
            "* DORA  1900.000s -> 1900.204s (204ms)  xid 0x5e6f: BOUND 192.0.2.10 (ACK from server s1)",
        ], bOut)
        XCTAssertTrue(bOut.contains("  server s1: no address, pool exhausted in subnet 1\n"), bOut)
        XCTAssertTrue(bOut.contains("INVARIANT VIOLATED unique-address: 192.0.2.11 held by"), "an invariant naming the client is its record too")
    }

    /// The simulator writes a state change before the datagram it causes; the grouping must
    /// not depend on that order (a REQUEST first, then REBINDING, still makes a REBIND).
    func testGroupingDoesNotDependOnStateBeforeSend() throws {
        var t = Builder()
        let a = Self.a, x = Self.x
        t.send(0, a, "DHCPDISCOVER", xid: "0x1")
        t.state(0, a, "SELECTING")
        t.deliver(2, a, "DHCPOFFER", xid: "0x1", [("yiaddr", .string(x))])
        t.send(200, a, "DHCPREQUEST", xid: "0x1", [("requested", .string(x))])
        t.state(200, a, "REQUESTING")
        t.deliver(202, a, "DHCPACK", xid: "0x1", [("yiaddr", .string(x))])
        t.state(202, a, "BOUND", x)
        t.send(1000, a, "DHCPREQUEST", xid: "0x2", to: "unicast", [("ciaddr", .string(x))])
        t.state(1000, a, "RENEWING", x)
        t.send(2000, a, "DHCPREQUEST", xid: "0x3", to: "broadcast", [("ciaddr", .string(x))])
        t.state(2000, a, "REBINDING", x)
        t.deliver(2003, a, "DHCPACK", xid: "0x3", [("yiaddr", .string(x))])
        t.state(2003, a, "BOUND", x)
        t.state(3000, a, "LEFT")
        t.send(3000, a, "DHCPRELEASE", xid: "0x3", to: "unicast", [("ciaddr", .string(x))])
        let out = try run(.init(client: a), t.lines.joined(separator: "\n"))
        XCTAssertEqual(out.split(separator: "\n").filter { $0.hasPrefix("* ") }, [
            "* DORA  0.000s -> 0.202s (202ms)  xid 0x1: BOUND 192.0.2.10 (ACK from server s1)",
            "* RENEW  1.000s  xid 0x2: no reply, moving on to REBINDING",
            "* REBIND  2.000s -> 2.003s (3ms)  xid 0x3: BOUND 192.0.2.10 (ACK from server s1)",
            "* RELEASE  3.000s  xid 0x3: released 192.0.2.10",
        ], out)
    }

    func testUnknownClientIsNotAnError() throws {
        XCTAssertEqual(try run(.init(client: "02:00:00:00:00:99")), "client 02:00:00:00:00:99: no records\n")
    }

    // MARK: --address

    func testAddressFilterShowsWhoHeldItWhen() throws {
        let records = Self.records()
        let out = try run(.init(address: Self.x))
        let rendered = records.map { TraceInspector.timelineLine($0, indent: "  ") }
        let universe = Set(rendered)
        let expected = zip(records, rendered).filter { r, _ in
            ["yiaddr", "ciaddr", "requested", "address"].contains { r.text($0) == Self.x }
        }.map(\.1)
        XCTAssertEqual(expected.count, 20)
        XCTAssertEqual(out.split(separator: "\n").map(String.init).filter { universe.contains($0) }, expected, out)
        XCTAssertTrue(out.hasPrefix("""
            address 192.0.2.10: 20 records mention it

            leases on servers:
              server s1  02:00:00:00:00:07 state default  5.203s -> 1805.500s (30m00s) deleted
              server s1  02:00:00:00:00:08 state default  1900.203s -> end of trace (expires 1:31:40.000)

            clients that believed they held it:
              02:00:00:00:00:07  5.204s -> 1805.002s (29m59s) -> LOST
              02:00:00:00:00:08  1900.204s -> end of trace

            timeline:

            """), out)
        XCTAssertFalse(out.contains("!!"))

        // The invariant detail names y; 192.0.2.1 (a prefix of x) is mentioned by nothing.
        let yOut = try run(.init(address: Self.y))
        XCTAssertTrue(yOut.contains("address 192.0.2.11: 1 record mentions it"), yOut)
        XCTAssertTrue(yOut.contains("INVARIANT VIOLATED"), yOut)
        XCTAssertTrue(try run(.init(address: "192.0.2.1")).hasPrefix("address 192.0.2.1: 0 records mention it"))
    }

    func testAddressViewPointsOutTwoClientsAtOnce() throws {
        var t = Builder()
        t.state(1000, Self.a, "BOUND", Self.x)
        t.state(2000, Self.b, "BOUND", Self.x)
        t.state(3000, Self.a, "LEFT")
        let out = try run(.init(address: Self.x), t.lines.joined(separator: "\n"))
        XCTAssertTrue(out.contains("  !! 02:00:00:00:00:07 and 02:00:00:00:00:08 both held it from 2.000s to 3.000s\n"), out)
    }

    // MARK: --from / --to

    func testTimeWindowIsInclusive() throws {
        let from = try XCTUnwrap(TraceInspector.parseTime("1.1s"))
        let to = try XCTUnwrap(TraceInspector.parseTime("5203ms"))
        let out = try run(.init(fromMilliseconds: from, toMilliseconds: to))
        let expected = Self.records().filter { $0.time >= 1100 && $0.time <= 5203 }.map { TraceInspector.timelineLine($0) }
        XCTAssertEqual(out, expected.joined(separator: "\n") + "\n")
        XCTAssertEqual(expected.count, 11)
        XCTAssertTrue(out.hasPrefix("     1.100s  client 02:00:00:00:00:08  => ARRIVED\n"), out)

        // A window in the client view keeps the grouping of the whole trace.
        let clientOut = try run(.init(client: Self.a, fromMilliseconds: TraceInspector.parseTime("30m"), toMilliseconds: nil))
        XCTAssertFalse(clientOut.contains("* DORA  1.000s"), clientOut)
        XCTAssertTrue(clientOut.contains("* RENEW  1805.000s"), clientOut)
        XCTAssertTrue(clientOut.contains("showing from 30:00.000") || clientOut.contains("showing from 1800.000s"), clientOut)

        XCTAssertEqual(try run(.init(fromMilliseconds: 10, toMilliseconds: 20)), "no records from 0.010s to 0.020s\n")
        guard case .failure(.invalidQuery) = TraceInspector.run(text: Self.text, query: .init(fromMilliseconds: 5, toMilliseconds: 4)) else {
            return XCTFail("--from after --to must be refused")
        }
    }

    // MARK: --summary

    func testSummaryCounts() throws {
        let out = try run(.init(summary: true))
        let expectations = [
            "  41 records (lines 1-41), 1.000s to 1:00:00.000 (59m59s)\n",
            "  malformed lines: 0\n",
            "records by kind:\n  datagram   14\n  decision    6\n  lease       3\n  client     14\n  fault       1\n  invariant   2\n  end         1\n",
            "                send  deliver  drop\n  DHCPDISCOVER     4        0     0\n  DHCPOFFER        0        2     0\n"
                + "  DHCPREQUEST      4        0     1\n  DHCPACK          0        2     0\n  DHCPNAK          0        1     0\n"
                + "  total            8        5     1\n",
            "datagrams dropped by reason:\n  loss  1\n",
            "  allocation-failed  1  (pool exhausted in subnet 1)\n",
            "  nak                1  (address not available)\n",
            "  advertised         2\n",
            "  upsert 2, delete 1 (durable 3, not yet durable 0)\n",
            "faults: 1 (crash 1)\n       5.000s  FAULT crash s1  (down for 100ms)\n",
            "invariants: 2 check lines covering 1000 events, 1 violation\n",
            "INVARIANT VIOLATED unique-address: 192.0.2.11 held by 02:00:00:00:00:07 and 02:00:00:00:00:08  [line 40]\n",
            "  seen 2, reached BOUND 2, never BOUND 0\n",
            // A: 1.000s -> 5.204s; B: first DISCOVER at 1.100s, first BOUND at 1900.204s.
            "  first DISCOVER to first BOUND (2 clients): p50 4.204s, p99 31m39s, max 31m39s\n",
            "  state changes: ARRIVED 3, SELECTING 4, REQUESTING 2, BOUND 2, LEFT 1, RENEWING 1, LOST 1\n",
            "  NAKs received 1 (by 1 client), DECLINEs sent 0, RELEASEs sent 0\n",
            "  last state: SELECTING 1, BOUND 1\n",
            "end of run (end record at 1:00:00.000, line 41):\n  events  123\n  bound   1\n  ok      false\n",
        ]
        for e in expectations { XCTAssertTrue(out.contains(e), "missing:\n\(e)\nin:\n\(out)") }

        // The summary counts what the filters select.
        let a = try run(.init(client: Self.a, summary: true))
        XCTAssertTrue(a.hasPrefix("trace summary (client 02:00:00:00:00:07)\n  22 records"), a)
        XCTAssertTrue(a.contains("  seen 1, reached BOUND 1, never BOUND 0\n"), a)
        XCTAssertFalse(a.contains("allocation-failed"), a)
    }

    // MARK: bad input

    func testMalformedLinesAreReportedAndCounted() throws {
        var lines = Self.trace
        lines.insert("this is not json", at: 1)
        lines.insert(#"{"t":"soon","seq":1,"kind":"client"}"#, at: 3)
        lines.insert(#"{"seq":1,"kind":"client"}"#, at: 5)
        lines.insert("", at: 6)
        lines.insert(#"[1,2]"#, at: 7)
        lines.insert(#"{"t":1,"seq":1,"kind":"client","mac":"x",}"#, at: 8)
        let text = lines.map { $0 + "\r" }.joined(separator: "\n")
        let report = try TraceInspector.inspect(lines: TraceInspector.lines(of: text), query: .init()).get()
        XCTAssertEqual(report.records, Self.trace.count)
        XCTAssertEqual(report.malformedLines, 5)
        XCTAssertEqual(report.diagnostics.count, 5)
        XCTAssertTrue(report.diagnostics[0].hasPrefix("line 2: not valid JSON: "), report.diagnostics[0])
        XCTAssertEqual(report.diagnostics[1], #"line 4: "t" is not an integer number of milliseconds"#)
        XCTAssertEqual(report.diagnostics[2], #"line 6: no "t" (virtual time)"#)
        XCTAssertEqual(report.diagnostics[3], "line 8: not a JSON object")
        XCTAssertTrue(report.diagnostics[4].hasPrefix("line 9: not valid JSON: "), report.diagnostics[4])
        XCTAssertFalse(report.text.contains("malformed"), "the view itself stays clean")

        let plain = try TraceInspector.run(text: text, query: .init()).get()
        XCTAssertTrue(plain.hasSuffix("5 malformed lines:\n  \(report.diagnostics.joined(separator: "\n  "))\n"), plain)
        let summary = try TraceInspector.run(text: text, query: .init(summary: true)).get()
        XCTAssertTrue(summary.contains("  malformed lines: 5\n"), summary)
        XCTAssertTrue(summary.contains("\nmalformed lines: 5\n  line 2: not valid JSON"), summary)
    }

    func testNoValidLineIsAnError() {
        let result = TraceInspector.run(text: "garbage\n{\"t\":1}\n\n", query: .init())
        guard case .failure(let error) = result, case .noRecords(let lines, let malformed, let diagnostics) = error else {
            return XCTFail("expected noRecords, got \(result)")
        }
        XCTAssertEqual(lines, 3)
        XCTAssertEqual(malformed, 2)
        XCTAssertEqual(diagnostics.last, #"line 2: no "kind""#)
        XCTAssertTrue(error.description.hasPrefix("no valid trace records in the input (2 malformed lines)\n  line 1: "), error.description)
        guard case .failure(.noRecords(0, 0, [])) = TraceInspector.run(text: "", query: .init()) else {
            return XCTFail("an empty input has no records")
        }
    }

    func testBadQueriesAreRefused() {
        for query in [TraceInspector.Query(client: "not-a-mac"), .init(client: "02:00:00:00:00:007"), .init(client: ""),
                      .init(address: "192.0.2"), .init(address: "host.example")] {
            guard case .failure(.invalidQuery(let message)) = TraceInspector.run(text: Self.text, query: query) else {
                return XCTFail("\(query) should be refused")
            }
            XCTAssertTrue(message.hasPrefix("--client") || message.hasPrefix("--address"), message)
        }
    }

    // MARK: time

    func testParseTimeTable() {
        let table: [(String, Int64?)] = [
            ("0", 0), ("1500", 1500), ("1500ms", 1500), ("90s", 90_000), ("2.5s", 2500), ("5m", 300_000),
            ("1h30m", 5_400_000), ("1h 30m", 5_400_000), ("1d2h", 93_600_000), ("1m30s500ms", 90_500),
            ("0.001s", 1), ("1.0005s", 1000), ("90S", 90_000), ("12.345s", 12_345),
            ("12:34", 754_000), ("12:34.5", 754_500), ("1:02:03.456", 3_723_456), ("1:00:12.000", 3_612_000),
            ("", nil), ("s", nil), ("-5s", nil), ("5x", nil), ("1.5", nil), ("30m1h", nil), ("5m5m", nil),
            ("1:2", nil), ("1:60", nil), ("1::00", nil), ("9999999999999999999", nil), ("99999999999999d", nil),
            (".5s", nil), ("5.s", nil),
        ]
        for (text, expected) in table {
            XCTAssertEqual(TraceInspector.parseTime(text), expected, "parseTime(\"\(text)\")")
        }
    }

    func testFormatTimeAndDuration() {
        XCTAssertEqual(TraceInspector.formatTime(0), "0.000s")
        XCTAssertEqual(TraceInspector.formatTime(12_345), "12.345s")
        XCTAssertEqual(TraceInspector.formatTime(3_599_999), "3599.999s")
        XCTAssertEqual(TraceInspector.formatTime(3_723_456), "1:02:03.456")
        XCTAssertEqual(TraceInspector.formatTime(90_000_000), "25:00:00.000")
        XCTAssertEqual(TraceInspector.formatTime(-1500), "-1.500s")
        for ms: Int64 in [0, 12_345, 3_723_456, 90_000_000] {
            XCTAssertEqual(TraceInspector.parseTime(TraceInspector.formatTime(ms)), ms, "times printed can be typed back")
        }
        XCTAssertEqual(TraceInspector.formatDuration(15), "15ms")
        XCTAssertEqual(TraceInspector.formatDuration(4204), "4.204s")
        XCTAssertEqual(TraceInspector.formatDuration(303_000), "5m03s")
        XCTAssertEqual(TraceInspector.formatDuration(7_500_000), "2h05m")
        XCTAssertEqual(TraceInspector.formatDuration(90_000_000), "1d01h")
    }

    func testNormalizeMACAndTokens() {
        XCTAssertEqual(TraceInspector.normalizeMAC("02:00:00:00:00:0A"), "02:00:00:00:00:0a")
        XCTAssertEqual(TraceInspector.normalizeMAC("2:0:0:0:0:a"), "02:00:00:00:00:0a")
        XCTAssertEqual(TraceInspector.normalizeMAC("0200.0000.000a"), "02:00:00:00:00:0a")
        XCTAssertNil(TraceInspector.normalizeMAC("02:00-00"))
        XCTAssertNil(TraceInspector.normalizeMAC("0g"))
        XCTAssertTrue(TraceInspector.containsToken("held by 192.0.2.1.", "192.0.2.1"))
        XCTAssertTrue(TraceInspector.containsToken("192.0.2.1, x", "192.0.2.1"))
        XCTAssertFalse(TraceInspector.containsToken("192.0.2.10", "192.0.2.1"))
        XCTAssertFalse(TraceInspector.containsToken("10.192.0.2.1", "192.0.2.1"))
        XCTAssertFalse(TraceInspector.containsToken("02:00:00:00:00:07:01", "02:00:00:00:00:07"))
    }
}
