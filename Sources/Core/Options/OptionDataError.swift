/// Why an `option-data` entry could not be turned into option bytes. The message follows Kea 2.4's
/// wording where Kea has one (`option data does not match option definition (space: dhcp4,
/// code: 3): …`), ends with the entry's position as Kea's do, and is meant for the operator.
public struct OptionDataError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The full, operator-facing message.
    public var message: String

    /// Wraps a message; callers normally use the encoder, which builds these.
    public init(message: String) { self.message = message }

    /// The message, so that the error prints as Kea's would.
    public var description: String { message }
}

/// A problem with one value of an option, before the encoder adds the option's space, code and
/// position around it (Kea's `BadDataTypeCast` and friends).
struct OptionValueError: Error, Equatable {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
