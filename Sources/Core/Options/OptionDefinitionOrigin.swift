/// Where a table row came from, which decides whether a configuration may replace it.
public enum OptionDefinitionOrigin: Sendable, Equatable {
    /// A standard definition (Kea's `LibDHCP` tables): an `option-def` with its code or name in
    /// its space is an error.
    case standard
    /// A definition Kea falls back to when the configuration has none: option 43's last-resort
    /// definition and the CableLabs vendor options. An `option-def` with its code or name
    /// replaces it.
    case fallback
    /// Added by the configuration's `option-def`.
    case configured
}
