/// Something in a configuration that is accepted but deserves the operator's attention; the
/// daemons log every one, with its position.
///
/// `message` is the line to log, position first, as Kea words its configuration warnings.
/// Programs decide on `code`, `key` and `position`.
public struct ConfigWarning: Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// A comma before `}` or `]`: Kea 2.4 accepts it and warns that something may be missing.
        case extraneousComma
        /// A key Kea knows and Kakapo has no support for: its value is type-checked and set
        /// aside, and the daemon behaves as if it were absent.
        case ignoredKey
        /// A key Kakapo reads into its configuration (so it is validated and kept) but the
        /// daemon does not act on yet.
        case notActedOn
        /// Values Kea accepts with a warning although they contradict each other (a renew
        /// timer above the rebind timer: the renew timer is then not sent).
        case inconsistentValues
    }

    public var code: Code
    /// The key's path from the daemon's object, as `Dhcp4/lease-database/host`; nil for a
    /// warning about the text rather than a key.
    public var key: String?
    public var position: SourcePosition
    public var message: String

    public init(code: Code, key: String?, position: SourcePosition, message: String) {
        self.code = code
        self.key = key
        self.position = position
        self.message = message
    }

    public var description: String { message }

    /// Kea's warning for a trailing comma, at the comma.
    static func extraneousComma(at span: SourceSpan) -> ConfigWarning {
        ConfigWarning(
            code: .extraneousComma, key: nil, position: span.start,
            message: "\(span): Extraneous comma. A piece of configuration may have been omitted.")
    }

    /// A Kea key set aside by a decoder's key table.
    static func ignored(key: String, at position: SourcePosition) -> ConfigWarning {
        ConfigWarning(
            code: .ignoredKey, key: key, position: position,
            message: "\(position): parameter '\(key)' is accepted but not supported by Kakapo yet; ignored")
    }

    /// A key decoded into the configuration that the daemon does not act on yet; `detail`
    /// says what the operator should expect instead.
    static func notActedOn(key: String, at position: SourcePosition, detail: String) -> ConfigWarning {
        ConfigWarning(
            code: .notActedOn, key: key, position: position,
            message: "\(position): parameter '\(key)' is accepted but Kakapo does not act on it yet: \(detail)")
    }
}
