/// One control-channel request, Kea's envelope `{"command": ..., "arguments": {...},
/// "service": [...]}`, decoded from the text a framer delivered.
public struct ControlRequest: Sendable, Equatable {
    /// The command name (not yet checked against any table).
    public var command: String
    /// The arguments map, when given.
    public var arguments: JSON?
    /// The daemons the control agent should forward to (`"service"`); a daemon ignores it.
    public var service: [String]

    public init(command: String, arguments: JSON? = nil, service: [String] = []) {
        self.command = command
        self.arguments = arguments
        self.service = service
    }

    static let commandMissingText = "Invalid command received: 'command' parameter not specified or not a string"
    static let argumentsNotMapText = "Received command with arguments that are not a map"

    /// Decodes the envelope. Whatever the text, the result is a request or a rejection that
    /// carries the answer to send (result 1), never a crash.
    public static func decode(_ text: String) -> Result<ControlRequest, ControlRequestRejection> {
        let json: JSON
        do { json = try JSON.parse(text) } catch {
            let first = text.first.map(String.init) ?? ""
            return .failure(ControlRequestRejection(
                answer: ControlResponse.make(.error, "invalid first character \(first)"), invalidJSON: error.message))
        }
        guard let command = json["command"]?.stringValue else {
            return .failure(ControlRequestRejection(answer: ControlResponse.make(.error, commandMissingText), invalidJSON: nil))
        }
        let arguments = json["arguments"]
        if let given = arguments, given.objectValue == nil {
            return .failure(ControlRequestRejection(answer: ControlResponse.make(.error, argumentsNotMapText), invalidJSON: nil))
        }
        let service = json["service"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return .success(ControlRequest(command: command, arguments: arguments, service: service))
    }
}

/// A request refused before any command ran.
public struct ControlRequestRejection: Error, Sendable {
    /// The answer to send back.
    public let answer: JSON
    /// The parser's message when the text was not JSON at all (the shell logs it as Kea's
    /// COMMAND_PROCESS_ERROR1); nil when the JSON was fine but the envelope was not.
    public let invalidJSON: String?
}
