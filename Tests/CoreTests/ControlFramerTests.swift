import XCTest
@testable import KakapoCore

/// The control-connection framer: a request is complete when its brackets close outside JSON
/// strings, however the bytes are split across reads; oversized input is refused. Each test
/// feeds bytes as a socket would and checks the frame delivered.
final class ControlFramerTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func testWholeRequestInOneRead() {
        var framer = ControlFramer()
        let request = #"{"command": "status-get"}"#
        XCTAssertEqual(framer.receive(bytes(request)), .request(bytes(request)))
    }

    /// The same request cut at every possible point completes exactly at its last byte.
    func testRequestSplitAcrossReadsAtEveryPoint() {
        let request = bytes(#"{"command": "lease4-get", "arguments": {"ip-address": "192.0.2.1"}}"#)
        for cut in 1..<request.count {
            var framer = ControlFramer()
            XCTAssertEqual(framer.receive(request[..<cut]), .incomplete, "cut at \(cut)")
            XCTAssertEqual(framer.receive(request[cut...]), .request(request), "cut at \(cut)")
        }
    }

    func testOneByteAtATime() {
        let request = bytes(#"{"command": "config-test", "arguments": {"Dhcp4": {"subnet4": [{"id": 1}]}}}"#)
        var framer = ControlFramer()
        for (i, byte) in request.enumerated() {
            let frame = framer.receive([byte])
            XCTAssertEqual(frame, i == request.count - 1 ? .request(request) : .incomplete, "byte \(i)")
        }
    }

    /// Brackets inside strings do not count, nor does a quote escaped inside a string.
    func testBracketsAndEscapedQuotesInsideStrings() {
        var framer = ControlFramer()
        let head = #"{"command": "x", "arguments": {"hostname": "a}b]\"}{"#
        XCTAssertEqual(framer.receive(bytes(head)), .incomplete, "the } inside the string does not close the request")
        XCTAssertEqual(framer.receive(bytes(#"", "n": "\\"}}"#)), .request(bytes(head + #"", "n": "\\"}}"#)),
                       "an escaped backslash ends the escape, so the next quote closes the string")
    }

    func testEscapeSplitAcrossReads() {
        var framer = ControlFramer()
        XCTAssertEqual(framer.receive(bytes(#"{"a": "x\"#)), .incomplete)
        XCTAssertEqual(framer.receive(bytes(#""}"#)), .incomplete, "the quote after the backslash is escaped")
        XCTAssertEqual(framer.receive(bytes(#""}"#)), .request(bytes(#"{"a": "x\"}"}"#)))
    }

    /// Bytes after the closing bracket are not part of the request (one per connection).
    func testTrailingBytesAreNotPartOfTheRequest() {
        var framer = ControlFramer()
        XCTAssertEqual(framer.receive(bytes(#"{"command": "a"} {"command": "b"}"#)), .request(bytes(#"{"command": "a"}"#)))
    }

    /// A peer that closes its side after a partial request gets that part parsed (and the
    /// parse error answered); one that sent nothing gets nothing.
    func testEndOfInput() {
        var partial = ControlFramer()
        XCTAssertEqual(partial.receive(bytes(#"{"command": "status-get""#)), .incomplete)
        XCTAssertEqual(partial.endOfInput(), .request(bytes(#"{"command": "status-get""#)))
        var garbage = ControlFramer()
        XCTAssertEqual(garbage.receive(bytes("this is not json")), .incomplete)
        XCTAssertEqual(garbage.endOfInput(), .request(bytes("this is not json")))
        var silent = ControlFramer()
        XCTAssertEqual(silent.endOfInput(), .empty)
    }

    func testOversizedInputIsRefused() {
        var framer = ControlFramer(requestBytesMax: 64)
        XCTAssertEqual(framer.receive(bytes("{\"command\": \"" + String(repeating: "x", count: 40))), .incomplete)
        XCTAssertEqual(framer.receive(bytes(String(repeating: "y", count: 40))), .tooLarge)
    }

    /// The limit is inclusive: a request of exactly the limit is accepted, one byte more is not.
    func testLimitIsExact() {
        let request = bytes(#"{"command": "version-get"}"#)
        var exact = ControlFramer(requestBytesMax: request.count)
        XCTAssertEqual(exact.receive(request), .request(request))
        var short = ControlFramer(requestBytesMax: request.count - 1)
        XCTAssertEqual(short.receive(request), .tooLarge)
    }

    func testTooLargeAnswerIsKeaShaped() {
        XCTAssertEqual(ControlFramer.tooLargeAnswer["result"]?.intValue, 1)
        XCTAssertEqual(ControlFramer.tooLargeAnswer["text"]?.stringValue, "command too large")
    }
}
