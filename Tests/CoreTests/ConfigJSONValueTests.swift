import KakapoCore
import XCTest

/// The plain JSON value used by the control channel: building with literals, reading with
/// accessors, serializing, and strict parsing, checked by round trips and exact texts.
final class ConfigJSONValueTests: XCTestCase {
    func testLiteralsAccessorsAndSubscripts() {
        var value: JSON = ["command": "lease4-get", "arguments": ["ip-address": "192.0.2.1", "n": 3, "ok": true], "list": [1, 2.5, nil]]
        XCTAssertEqual(value["command"]?.stringValue, "lease4-get")
        XCTAssertEqual(value["arguments"]?["n"]?.intValue, 3)
        XCTAssertEqual(value["arguments"]?["ok"]?.boolValue, true)
        XCTAssertEqual(value["list"]?[1]?.doubleValue, 2.5)
        XCTAssertEqual(value["list"]?[2]?.isNull, true)
        XCTAssertNil(value["list"]?[3])
        XCTAssertNil(value["missing"])
        XCTAssertEqual(value["list"]?.arrayValue?.count, 3)
        value["result"] = 0
        value["command"] = nil
        XCTAssertEqual(value.objectValue?.keys, ["arguments", "list", "result"])
    }

    /// Objects keep insertion order for output but compare by content.
    func testObjectsKeepOrderAndCompareByContent() {
        let first: JSON = ["a": 1, "b": 2]
        let second: JSON = ["b": 2, "a": 1]
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.serialized(), "{\"a\":1,\"b\":2}")
        XCTAssertEqual(second.serialized(), "{\"b\":2,\"a\":1}")
        XCTAssertNotEqual(JSON.int(1), JSON.double(1))
    }

    func testStringsAreEscaped() {
        let value: JSON = .string("q\" b\\ n\n t\t c\u{01} e\u{1B} é")
        XCTAssertEqual(value.serialized(), #""q\" b\\ n\n t\t c\u0001 e\u001b é""#)
        XCTAssertEqual(try JSON.parse(value.serialized()), value)
    }

    func testDoublesPrintSensibly() {
        XCTAssertEqual(JSON.double(0.5).serialized(), "0.5")
        XCTAssertEqual(JSON.double(1).serialized(), "1.0")
        XCTAssertEqual(JSON.double(0.875).serialized(), "0.875")
        XCTAssertEqual(JSON.double(.nan).serialized(), "null")
        XCTAssertEqual(try JSON.parse(JSON.double(1e20).serialized()), .double(1e20))
        XCTAssertEqual(JSON.int(-7).serialized(), "-7")
    }

    func testPrettyOutputIndentsAndKeepsScalarListsInline() {
        let value: JSON = ["Dhcp4": ["interfaces": ["eth0", "eth2"], "subnet4": [["id": 1]], "empty": [:], "none": []]]
        XCTAssertEqual(value.serialized(pretty: true), """
            {
              "Dhcp4": {
                "interfaces": [ "eth0", "eth2" ],
                "subnet4": [
                  {
                    "id": 1
                  }
                ],
                "empty": { },
                "none": [ ]
              }
            }
            """)
    }

    /// Strict parsing: RFC 8259 only, full \u escapes, positions in `<string>`.
    func testStrictParseAcceptsJSONAndRejectsTheDialect() throws {
        let text = #"{"command":"status-get","arguments":{"x":[1,-2.5e3,true,null,"\ud83d\ude00"]}}"#
        let value = try JSON.parse(text)
        XCTAssertEqual(value["arguments"]?["x"]?[4]?.stringValue, "😀")
        XCTAssertEqual(try JSON.parse(value.serialized()), value)
        XCTAssertEqual(try JSON.parse(" 42 "), 42)
        XCTAssertThrowsError(try JSON.parse("{\"a\": 1} # comment")) { error in
            XCTAssertEqual((error as? ConfigError)?.message, "<string>:1.10: Invalid character: #")
        }
        XCTAssertThrowsError(try JSON.parse("{\"a\": 01}"))
        XCTAssertThrowsError(try JSON.parse("{\"a\": +1}"))
        XCTAssertThrowsError(try JSON.parse("{\"a\": 1, \"a\": 2}"))
    }
}
