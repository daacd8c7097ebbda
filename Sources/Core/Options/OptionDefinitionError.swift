/// Why an `option-def` entry cannot be used: Kea 2.4's reason, in its wording (without the
/// position, which the configuration decoder adds), what kind of problem it is, and which part
/// of the entry Kea points at.
public struct OptionDefinitionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The kinds of problem, for programs; people read `message`.
    public enum Code: String, Sendable, Equatable {
        /// A code outside the family's range, or PAD/END in `dhcp4`.
        case invalidCode
        /// A space name Kea would not accept, or `encapsulate` naming one.
        case invalidSpace
        /// An option name Kea would not accept.
        case invalidName
        /// A type Kea does not know, or that cannot be used the way the entry says (an array of
        /// strings, a record with one field, a string field before others).
        case invalidType
        /// `encapsulate` with an array, or naming the definition's own space.
        case invalidEncapsulation
        /// The configuration already defines this code or name in the space.
        case duplicate
        /// The code or name is a standard option of the space.
        case standardOverride
    }

    /// The part of the entry the error is about, whose position Kea prints.
    public enum Field: Sendable, Equatable {
        case code, space, recordTypes, entry
    }

    public let code: Code
    public let field: Field
    /// Kea's text for the problem.
    public let message: String

    init(_ code: Code, _ message: String, field: Field = .entry) {
        self.code = code
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
