import XCTest
@testable import KakapoCore

/// The command table and the dispatcher: envelope errors, unknown commands, argument rules and
/// list-commands are answered from the table with Kea's results and texts, and each owner's
/// handler sees exactly its own commands. Handlers here are recording stubs.
final class ControlDispatchTests: XCTestCase {
    /// kakapo-dhcp4's table, as the daemon builds it for a configuration without hooks-libraries.
    static let table = DaemonCommand.table.merged(with: Dhcp4EngineCommand.table(for: Dhcp4Config()))
    let dispatcher = ControlDispatcher(table: ControlDispatchTests.table)

    /// Dispatches `text` with stubs that record who was called; returns the answer and the
    /// owner reached, if any.
    private func dispatch(_ text: String) -> (answer: JSON, reached: String?) {
        let request: ControlRequest
        switch ControlRequest.decode(text) {
        case .failure(let rejection): return (rejection.answer, nil)
        case .success(let decoded): request = decoded
        }
        var reached: String? = nil
        let answer = dispatcher.answer(request, engine: { entry, _ in
            reached = "engine:\(entry.name)"
            return ControlResponse.make(.success, "engine")
        }, daemon: { command, _ in
            reached = "daemon:\(command.rawValue)"
            return ControlResponse.make(.success, "daemon")
        })
        return (answer, reached)
    }

    func testEveryCommandOfBeforeIsStillListed() {
        let before = ["build-report", "config-get", "config-reload", "config-set", "config-test", "config-write",
                      "lease4-add", "lease4-del", "lease4-get", "lease4-get-all", "lease4-get-by-client-id",
                      "lease4-get-by-hw-address", "lease4-update", "lease4-wipe", "leases-reclaim", "list-commands",
                      "shutdown", "statistic-get", "statistic-get-all", "statistic-reset-all", "status-get", "version-get"]
        XCTAssertEqual(Self.table.names, (before + ["lease4-get-page", "lease4-get-by-hostname", "lease4-resend-ddns",
                                                    "lease4-write", "kakapo-log-get", "statistic-remove", "statistic-remove-all",
                                                    "statistic-reset", "statistic-sample-age-set",
                                                    "statistic-sample-age-set-all", "statistic-sample-count-set",
                                                    "statistic-sample-count-set-all",
                                                    "config-backend-pull", "config-hash-get", "dhcp-disable", "dhcp-enable",
                                                    "server-tag-get"]).sorted())
    }

    func testListCommandsIsAnsweredFromTheTable() {
        let (answer, reached) = dispatch(#"{"command": "list-commands"}"#)
        XCTAssertNil(reached, "no handler sees list-commands")
        XCTAssertEqual(answer["result"]?.intValue, 0)
        XCTAssertEqual(answer["arguments"]?.arrayValue?.compactMap(\.stringValue), Self.table.names)
    }

    func testCommandsAreRoutedByOwner() {
        XCTAssertEqual(dispatch(#"{"command": "lease4-get-all"}"#).reached, "engine:lease4-get-all")
        XCTAssertEqual(dispatch(#"{"command": "status-get"}"#).reached, "daemon:status-get")
        XCTAssertEqual(dispatch(#"{"command": "config-set", "arguments": {"Dhcp4": {}}}"#).reached, "daemon:config-set")
        for entry in Self.table.entries where entry.name != "list-commands" {
            let text = #"{"command": "\#(entry.name)", "arguments": {"x": 1}}"#
            let expected = entry.owner == .engine ? "engine:\(entry.name)" : "daemon:\(entry.name)"
            XCTAssertEqual(dispatch(text).reached, expected)
        }
    }

    /// Kea's wording (BaseCommandMgr::handleCommand): result 2, the name in quotes.
    func testUnknownCommandIsUnsupported() {
        let (answer, reached) = dispatch(#"{"command": "no-such-command"}"#)
        XCTAssertNil(reached)
        XCTAssertEqual(answer, ControlResponse.make(.unsupported, "'no-such-command' command not supported."))
        XCTAssertEqual(answer["result"]?.intValue, 2)
    }

    func testEnvelopeErrors() {
        XCTAssertEqual(dispatch("this is not json").answer, ControlResponse.make(.error, "invalid first character t"))
        XCTAssertEqual(dispatch(#"{"command": 42}"#).answer,
                       ControlResponse.make(.error, "Invalid command received: 'command' parameter not specified or not a string"))
        XCTAssertEqual(dispatch(#"[1, 2]"#).answer,
                       ControlResponse.make(.error, "Invalid command received: 'command' parameter not specified or not a string"))
        XCTAssertEqual(dispatch(#"{"command": "lease4-get", "arguments": [1]}"#).answer,
                       ControlResponse.make(.error, "Received command with arguments that are not a map"))
        if case .failure(let rejection) = ControlRequest.decode("{oops") {
            XCTAssertNotNil(rejection.invalidJSON, "a parse error is reported for the log")
        } else {
            XCTFail("broken JSON decoded")
        }
    }

    func testServiceIsDecoded() throws {
        let request = try ControlRequest.decode(#"{"command": "status-get", "service": ["dhcp4"]}"#).get()
        XCTAssertEqual(request, ControlRequest(command: "status-get", service: ["dhcp4"]))
    }

    /// Commands that need arguments are refused without them, with each command's own text,
    /// before any handler runs.
    func testRequiredArgumentsAreCheckedBeforeTheHandler() {
        let cases = [("config-set", "Missing mandatory 'arguments' parameter."),
                     ("config-test", "Missing mandatory 'arguments' parameter."),
                     ("lease4-get", "Parameters missing or are not a map."),
                     ("lease4-get-page", "no parameters specified for the lease4-get-page command"),
                     ("statistic-get", "Missing mandatory 'name' parameter."),
                     ("leases-reclaim", "'remove' parameter not specified")]
        for (name, text) in cases {
            let (answer, reached) = dispatch(#"{"command": "\#(name)"}"#)
            XCTAssertNil(reached, name)
            XCTAssertEqual(answer, ControlResponse.make(.error, text), name)
        }
        XCTAssertEqual(dispatch(#"{"command": "lease4-get-all"}"#).reached, "engine:lease4-get-all", "optional arguments")
        XCTAssertEqual(dispatch(#"{"command": "version-get"}"#).reached, "daemon:version-get")
    }

    func testTableLookupFindsEveryRowAndNothingElse() {
        for entry in Self.table.entries { XCTAssertEqual(Self.table.entry(named: entry.name), entry) }
        for name in ["", "a", "lease4", "lease4-get-", "zzz", "list-command"] { XCTAssertNil(Self.table.entry(named: name), name) }
    }

    /// An agent-owned row reaches the agent handler, or is unsupported where there is none.
    func testAgentRows() {
        let table = CommandTable([CommandEntry("agent-thing", owner: .agent, arguments: .none)])
        let request = ControlRequest(command: "agent-thing")
        let without = ControlDispatcher(table: table).answer(request, engine: { _, _ in .null }, daemon: { _, _ in .null })
        XCTAssertEqual(without["result"]?.intValue, 2)
        let with = ControlDispatcher(table: table).answer(request, engine: { _, _ in .null }, daemon: { _, _ in .null },
                                                          agent: { _, _ in ControlResponse.make(.success, "agent") })
        XCTAssertEqual(with["text"]?.stringValue, "agent")
    }
}
