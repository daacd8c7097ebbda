/// What a control connection's bytes amount to so far.
public enum ControlFrame: Sendable, Equatable {
    /// No whole request yet: keep reading.
    case incomplete
    /// A whole request: the bytes up to and including the bracket that closed it. Bytes the
    /// peer sent after it are not part of it (one request per connection, as in Kea).
    case request([UInt8])
    /// More than the size limit arrived without a complete request.
    case tooLarge
    /// The peer closed its side without sending a byte.
    case empty
}

/// Splits the byte stream of one control connection into its request, incrementally and
/// without I/O: the socket feeds it whatever each read returned. A request is complete when
/// the brackets opened outside JSON strings are closed again (escaped quotes inside strings do
/// not end them); a peer that closes its side after a partial request gets that part parsed
/// (and answered with the parse error), as Kea does. Bounded: past `requestBytesMax` bytes
/// without a complete request the outcome is `.tooLarge`.
public struct ControlFramer: Sendable {
    /// Largest request accepted by default: commands are small, but config-set carries a
    /// whole configuration.
    public static let defaultRequestBytesMax = 16 << 20

    /// Answer sent for `.tooLarge`.
    public static let tooLargeAnswer = ControlResponse.make(.error, "command too large")
    /// Answer sent to a connection that did not complete its request in time.
    public static let timeoutAnswer = ControlResponse.make(.error, "Connection timeout")

    public let requestBytesMax: Int
    private var buffer: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var sawOpening = false
    private var finished = false

    public init(requestBytesMax: Int = ControlFramer.defaultRequestBytesMax) {
        precondition(requestBytesMax > 0, "a control request limit must allow at least one byte")
        self.requestBytesMax = requestBytesMax
    }

    /// Bytes held so far (for tests and diagnostics).
    public var bufferedByteCount: Int { buffer.count }

    /// Takes the next bytes read from the peer. Once it has returned `.request` or `.tooLarge`
    /// the framer is done, and feeding it more is a programming error.
    public mutating func receive(_ bytes: some Collection<UInt8>) -> ControlFrame {
        precondition(!finished, "ControlFramer fed after it delivered its request")
        for byte in bytes {
            guard buffer.count < requestBytesMax else { return finish(.tooLarge) }
            buffer.append(byte)
            if scan(byte) { return finish(.request(buffer)) }
        }
        return .incomplete
    }

    /// The peer closed its side: whatever arrived is the request.
    public mutating func endOfInput() -> ControlFrame {
        precondition(!finished, "ControlFramer fed after it delivered its request")
        return finish(buffer.isEmpty ? .empty : .request(buffer))
    }

    private mutating func finish(_ frame: ControlFrame) -> ControlFrame {
        finished = true
        return frame
    }

    /// Advances the bracket and string state by one byte; true when the request is complete.
    private mutating func scan(_ byte: UInt8) -> Bool {
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
            }
            return false
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            sawOpening = true
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
        default: break
        }
        return sawOpening && depth <= 0
    }
}
