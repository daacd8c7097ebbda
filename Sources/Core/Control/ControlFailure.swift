/// A command that cannot be carried out, as its answer will say: a result code other than
/// success and Kea's text. Typed argument decoders throw it, so a handler's happy path reads
/// straight through and each refusal keeps its exact wording.
public struct ControlFailure: Error, Sendable, Equatable {
    public let result: ControlResult
    public let text: String

    /// A refusal with result 1 (error), the usual case.
    public init(_ text: String) {
        self.init(.error, text)
    }

    public init(_ result: ControlResult, _ text: String) {
        self.result = result
        self.text = text
    }

    /// The answer to send: `{"result": n, "text": "..."}`.
    public var answer: JSON { ControlResponse.make(result, text) }
}
