import XCTest
@testable import KakapoCore

/// dhcp-disable / dhcp-enable (Kea's network state): each origin disables on its own account,
/// `max-period` runs out at its deadline, and the commands' argument checks and texts are Kea's
/// (as kea-dhcp4 2.2 answers them; see tests/integration/test_daemon_builtins.sh).
final class DHCPServiceStateTests: XCTestCase {
    let t0 = MonotonicInstant(milliseconds: 1_000_000)

    private func text(_ answer: JSON) -> String? { answer["text"]?.stringValue }
    private func result(_ answer: JSON) -> Int64? { answer["result"]?.intValue }
    private func object(_ json: String) -> JSON {
        guard case .success(let r) = ControlRequest.decode(#"{"command": "x", "arguments": \#(json)}"#),
              let a = r.arguments else { preconditionFailure("bad test JSON \(json)") }
        return a
    }

    func testEnabledUntilDisabledAndBackAfterEnable() {
        var s = DHCPServiceState()
        XCTAssertTrue(s.isEnabled)
        XCTAssertNil(s.nextDeadline)
        let a = s.disableCommand(nil, protocolName: "DHCPv4", now: t0)
        XCTAssertEqual(result(a), 0)
        XCTAssertEqual(text(a), "DHCPv4 service disabled")
        XCTAssertFalse(s.isEnabled)
        XCTAssertNil(s.nextDeadline, "no max-period: no timer")
        XCTAssertEqual(s.expire(now: t0 + Milliseconds(86_400_000)), [])
        XCTAssertFalse(s.isEnabled, "without max-period nothing brings it back but dhcp-enable")
        let e = s.enableCommand(nil)
        XCTAssertEqual(result(e), 0)
        XCTAssertEqual(text(e), "DHCP service successfully enabled")
        XCTAssertTrue(s.isEnabled)
    }

    func testMaxPeriodRunsOutAtItsDeadline() {
        var s = DHCPServiceState()
        let a = s.disableCommand(object(#"{"max-period": 10}"#), protocolName: "DHCPv6", now: t0)
        XCTAssertEqual(text(a), "DHCPv6 service disabled for 10 seconds")
        XCTAssertEqual(s.nextDeadline, t0 + Milliseconds(10_000))
        XCTAssertEqual(s.expire(now: t0 + Milliseconds(9_999)), [])
        XCTAssertFalse(s.isEnabled)
        XCTAssertEqual(s.expire(now: t0 + Milliseconds(10_000)), [.user])
        XCTAssertTrue(s.isEnabled)
        XCTAssertNil(s.nextDeadline)
    }

    func testEnableCancelsThePeriodAndANewPeriodReplacesTheOld() {
        var s = DHCPServiceState()
        _ = s.disableCommand(object(#"{"max-period": 10}"#), protocolName: "DHCPv4", now: t0)
        _ = s.disableCommand(object(#"{"max-period": 60}"#), protocolName: "DHCPv4", now: t0 + Milliseconds(5_000))
        XCTAssertEqual(s.nextDeadline, t0 + Milliseconds(65_000), "the later dhcp-disable's period replaces the first")
        // Without max-period the running period stays (Kea keeps its timer).
        _ = s.disableCommand(nil, protocolName: "DHCPv4", now: t0 + Milliseconds(6_000))
        XCTAssertEqual(s.nextDeadline, t0 + Milliseconds(65_000))
        _ = s.enableCommand(nil)
        XCTAssertNil(s.nextDeadline, "dhcp-enable drops the pending period")
        XCTAssertTrue(s.isEnabled)
    }

    func testOriginsDisableOnTheirOwnAccount() {
        var s = DHCPServiceState()
        _ = s.disableCommand(object(#"{"origin": "ha-partner", "max-period": 30}"#), protocolName: "DHCPv4", now: t0)
        _ = s.disableCommand(object(#"{"origin": "user"}"#), protocolName: "DHCPv4", now: t0)
        XCTAssertEqual(s.disabledBy, [.user, .haPartner])
        XCTAssertEqual(result(s.enableCommand(nil)), 0)
        XCTAssertFalse(s.isEnabled, "the HA partner still has it disabled")
        XCTAssertEqual(s.expire(now: t0 + Milliseconds(30_000)), [.haPartner])
        XCTAssertTrue(s.isEnabled)
        _ = s.disableCommand(object(#"{"origin": "ha-partner"}"#), protocolName: "DHCPv4", now: t0)
        _ = s.enableCommand(object(#"{"origin": "user"}"#))
        XCTAssertFalse(s.isEnabled, "enabling for the user leaves the partner's disable")
        _ = s.enableCommand(object(#"{"origin": "ha-partner"}"#))
        XCTAssertTrue(s.isEnabled)
    }

    func testArgumentErrorsAreKeasAndChangeNothing() {
        let cases: [(String, String)] = [
            (#"{"max-period": 0}"#, "'max-period' must be positive integer"),
            (#"{"max-period": -1}"#, "'max-period' must be positive integer"),
            (#"{"max-period": "5"}"#, "'max-period' argument must be a number"),
            (#"{"max-period": 5.5}"#, "'max-period' argument must be a number"),
            (#"{"origin": ""}"#, "invalid value used for 'origin' parameter: (empty string)"),
            (#"{"origin": "x"}"#, "invalid value used for 'origin' parameter: x"),
            (#"{"origin": 3}"#, "'origin' argument must be a string"),
            (#"{"origin": true}"#, "'origin' argument must be a string"),
            (#"{"max-period": 0, "origin": "x"}"#, "'max-period' must be positive integerinvalid value used for 'origin' parameter: x"),
        ]
        for (args, expected) in cases {
            var s = DHCPServiceState()
            let a = s.disableCommand(object(args), protocolName: "DHCPv4", now: t0)
            XCTAssertEqual(result(a), 1, args)
            XCTAssertEqual(text(a), expected, args)
            XCTAssertTrue(s.isEnabled, "a refused dhcp-disable \(args) leaves the service enabled")
        }
        var s = DHCPServiceState()
        s.disable(.user, now: t0)
        for (args, expected) in [(#"{"origin": "x"}"#, "invalid value used for 'origin' parameter: x"),
                                 (#"{"origin": 3}"#, "'origin' argument must be a string")] {
            let e = s.enableCommand(object(args))
            XCTAssertEqual(result(e), 1)
            XCTAssertEqual(text(e), expected)
            XCTAssertFalse(s.isEnabled, "a refused dhcp-enable \(args) leaves the service disabled")
        }
    }

    func testAHugeMaxPeriodIsAcceptedWithoutOverflow() {
        var s = DHCPServiceState()
        let a = s.disableCommand(object(#"{"max-period": 9223372036854775807}"#), protocolName: "DHCPv4", now: t0)
        XCTAssertEqual(text(a), "DHCPv4 service disabled for 9223372036854775807 seconds")
        XCTAssertNotNil(s.nextDeadline)
        XCTAssertGreaterThan(s.nextDeadline!, t0)
    }
}
