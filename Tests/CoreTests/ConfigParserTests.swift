import Foundation
import KakapoCore
import XCTest

/// The Kea JSON dialect parser and the plain JSON value: positions, comments, includes and
/// Kea's exact error texts, checked against the seed files and small inline documents.
final class ConfigParserTests: XCTestCase {
    /// The seed configs, copied into the repository (see Tests/Fixtures/configs/seed/README.md).
    static let seedDirectory: String = {
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.appendingPathComponent("Tests/Fixtures/configs/seed").path
    }()

    static func seed(_ name: String) throws -> (path: String, text: String) {
        let path = seedDirectory + "/" + name
        return (path, try String(contentsOfFile: path, encoding: .utf8))
    }

    private func parse(_ text: String, files: [String: String] = [:]) throws -> JSONNode {
        try KeaJSON.parse(text, file: "main.json", include: { name in
            guard let content = files[name] else { throw CocoaError(.fileNoSuchFile) }
            return content
        })
    }

    private func parseError(_ text: String, files: [String: String] = [:],
                            file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            _ = try parse(text, files: files)
            XCTFail("expected a parse error", file: file, line: line)
            return nil
        } catch {
            return (error as? ConfigError)?.message
        }
    }

    // MARK: - Seeds

    /// The BLFS control-agent seed misses a comma at line 29; Kea names the next token's span.
    func testCtrlAgentSeedSyntaxErrorMatchesKeaExactly() throws {
        let (path, text) = try Self.seed("kea-ctrl-agent.conf")
        XCTAssertThrowsError(try KeaJSON.parse(text, file: path, include: { _ in "" })) { error in
            let error = error as? ConfigError
            XCTAssertEqual(error?.message,
                           "\(path):29.13-21: syntax error, unexpected constant string, expecting \",\" or }")
            XCTAssertEqual(error?.position, SourcePosition(file: path, line: 29, column: 13))
            XCTAssertEqual(error?.description, error?.message)
        }
    }

    /// The dhcp4 and D2 seeds parse; the dhcp4 one keeps its key order and `\n` escape.
    func testDhcp4AndDdnsSeedsParse() throws {
        for name in ["kea-dhcp4.conf", "kea-dhcp-ddns.conf"] {
            let (path, text) = try Self.seed(name)
            XCTAssertNoThrow(try KeaJSON.parse(text, file: path, include: { _ in "" }), name)
        }
        let (path, text) = try Self.seed("kea-dhcp4.conf")
        let root = try KeaJSON.parse(text, file: path, include: { _ in "" })
        XCTAssertEqual(root["Dhcp4"]?.members?.first?.key, "interfaces-config")
        let pattern = root.plain["Dhcp4"]?["loggers"]?[0]?["output_options"]?[0]?["pattern"]?.stringValue
        XCTAssertEqual(pattern, "%D{%Y-%m-%d %H:%M:%S.%q} %-5p %m\n")
    }

    // MARK: - Dialect

    /// `#`, `//` and `/* */` comments (the last across lines) are skipped, even mid-value.
    func testAllThreeCommentKindsAreSkipped() throws {
        let root = try parse("""
            # hash comment
            { // slash comment
              "a": /* inline */ 1,
              /* multi
                 line { "not": "parsed" } */
              "b": "x # not a comment // either"
            }
            """)
        XCTAssertEqual(root.plain, ["a": 1, "b": "x # not a comment // either"])
        XCTAssertEqual(root.member("b")?.keySpan.line, 6)
    }

    func testUnclosedBlockCommentIsReportedWithItsLine() {
        XCTAssertEqual(parseError("{\n /* never closed\n"), "main.json:2.2-3: Comment not closed. (/* in line 2")
    }

    /// An include is textual: it may supply a value, members, or part of a list, and the
    /// positions of what it supplies name the included file.
    func testIncludeIsTextualAndPositionsNameTheIncludedFile() throws {
        let files = ["subnets.json": "{ \"id\": 7 },\n  { \"id\": 8 }", "value.json": "\n  42"]
        let root = try parse("{ \"list\": [ <?include \"subnets.json\"?> ], \"n\": <?include \"value.json\"?> }", files: files)
        XCTAssertEqual(root.plain, ["list": [["id": 7], ["id": 8]], "n": 42])
        let second = root["list"]?.elements?[1]
        XCTAssertEqual(second?.position, SourcePosition(file: "subnets.json", line: 2, column: 3))
        XCTAssertEqual(root["n"]?.position, SourcePosition(file: "value.json", line: 2, column: 3))
        XCTAssertEqual(root.member("n")?.keySpan.file, "main.json")
    }

    func testIncludeErrorsPointIntoTheIncludedFile() {
        let message = parseError("{ \"a\": <?include \"bad.json\"?> }", files: ["bad.json": "[1 2]"])
        XCTAssertEqual(message, "bad.json:1.4: syntax error, unexpected integer, expecting \",\" or ]")
    }

    func testMissingIncludeFileIsKeasMessage() {
        XCTAssertEqual(parseError("{ <?include \"nope.json\"?> }"), "main.json:1.13-23: Can't open include file nope.json")
    }

    /// Ten nested includes are fine; the eleventh is Kea's "Too many nested include.".
    func testIncludeNestingIsLimitedToTenLevels() throws {
        var files: [String: String] = [:]
        for level in 1...11 { files["f\(level)"] = "<?include \"f\(level + 1)\"?>" }
        files["f11"] = "1"
        XCTAssertEqual(try parse("{ \"a\": <?include \"f2\"?> }", files: files)["a"]?.plain, 1)
        files["f11"] = "<?include \"f12\"?>"
        files["f12"] = "1"
        XCTAssertEqual(parseError("{ \"a\": <?include \"f1\"?> }", files: files), "f10:1.11-15: Too many nested include.")
    }

    func testUnterminatedDirectiveIsReported() {
        XCTAssertEqual(parseError("{ <?include \"x\""), "main.json:1.3-4: Directive not closed.")
        XCTAssertEqual(parseError("{ <?inclide \"x\"?> }"), "main.json:1.9: Invalid character: i")
    }

    func testDuplicateKeyIsAnErrorNamingBothPlaces() {
        let message = parseError("{\n \"Dhcp4\": {\n  \"valid-lifetime\": 1,\n  \"valid-lifetime\": 2\n }\n}")
        XCTAssertEqual(message, "main.json:4:3: duplicate valid-lifetime entries in Dhcp4 map (previous at main.json:3:21)")
    }

    /// Kea 2.4 accepts a trailing comma and warns; strict JSON refuses it.
    func testTrailingCommaIsAcceptedWithAWarning() throws {
        let (root, warnings) = try KeaJSON.parseWithWarnings("{ \"a\": [1, 2,], }", file: "w.json", include: { _ in "" })
        XCTAssertEqual(root.plain, ["a": [1, 2]])
        XCTAssertEqual(warnings.map(\.message), [
            "w.json:1.13: Extraneous comma. A piece of configuration may have been omitted.",
            "w.json:1.15: Extraneous comma. A piece of configuration may have been omitted.",
        ])
        XCTAssertThrowsError(try JSON.parse("[1,]"))
    }

    func testSyntaxErrorsUseBisonTokenNames() {
        XCTAssertEqual(parseError("[1]"), "main.json:1.1: syntax error, unexpected [, expecting {")
        XCTAssertEqual(parseError("{ \"a\" 1 }"), "main.json:1.7: syntax error, unexpected integer, expecting :")
        XCTAssertEqual(parseError("{ 1: 2 }"), "main.json:1.3: syntax error, unexpected integer, expecting constant string or }")
        XCTAssertEqual(parseError("{ \"a\": }"), "main.json:1.8: syntax error, unexpected }")
        XCTAssertEqual(parseError("{ \"a\": 1\n"), "main.json:2.1: syntax error, unexpected end of file, expecting \",\" or }")
        XCTAssertEqual(parseError("{ } }"), "main.json:1.5: syntax error, unexpected }, expecting end of file")
        XCTAssertEqual(parseError("{ \"a\": [true false] }"),
                       "main.json:1.14-18: syntax error, unexpected boolean, expecting \",\" or ]")
    }

    func testLexicalErrorsUseKeasTexts() {
        XCTAssertEqual(parseError("{ \"a\": True }"), "main.json:1.8-11: JSON true reserved keyword is lower case only")
        XCTAssertEqual(parseError("{ \"a\": @ }"), "main.json:1.8: Invalid character: @")
        XCTAssertEqual(parseError("{ \"a\": 99999999999999999999 }"),
                       "main.json:1.8-27: Failed to convert 99999999999999999999 to an integer.")
        XCTAssertEqual(parseError("{ \"a\": \"x\\qy\" }"), "main.json:1.8-13: Bad escape in \"x\\qy\"")
        XCTAssertEqual(parseError("{ \"a\": \"tab\there\" }"), "main.json:1.8-17: Invalid control in \"tab\there\"")
        XCTAssertEqual(parseError("{ \"a\": \"\\u0100\" }"), "main.json:1.8-15: Unsupported unicode escape in \"\\u0100\"")
        XCTAssertEqual(parseError("{ \"a\": \"open"), "main.json:1.8: Invalid character: \"")
    }

    /// Kea's number rules: integers stay Int64, `+1` and `.5` are floating point.
    func testNumberFormsFollowKeasLexer() throws {
        let root = try parse("{ \"i\": -12, \"f\": 0.5, \"e\": 1e3, \"p\": +1, \"d\": .5, \"z\": 007 }")
        XCTAssertEqual(root.plain, ["i": -12, "f": 0.5, "e": 1000.0, "p": 1.0, "d": 0.5, "z": 7])
        XCTAssertEqual(try parse("{ \"s\": \"\\u00e9\\n\\/\" }").plain, ["s": "é\n/"])
    }

    /// Columns count bytes, as flex does; a multi-byte character widens the span.
    func testPositionsAreOneBasedAndCountBytes() throws {
        let root = try parse("{\n\t\"é\": \"ü\", \"k\": null }")
        let first = root.members?[0]
        XCTAssertEqual(first?.keySpan, SourceSpan(file: "main.json", line: 2, column: 2, endLine: 2, endColumn: 5))
        XCTAssertEqual(first?.value.span.description, "main.json:2.8-11")
        XCTAssertEqual(root.member("k")?.value.position, SourcePosition(file: "main.json", line: 2, column: 19))
        XCTAssertEqual(root.closeSpan?.start, SourcePosition(file: "main.json", line: 2, column: 24))
    }
}
