/// The option definitions of one protocol family, by space: Kea's standard definitions
/// (`LibDHCP`), its last-resort and vendor defaults, and what a configuration adds with
/// `option-def`, in one value. The configuration decoder, the `option-data` encoder, the
/// renderer and the engine's option keys (`DHCPv4Option`) all read the same table, so that no
/// second list of codes can drift from it.
///
/// Spaces hold definitions by code and by name; a definition's `encapsulatedSpace` names the
/// space whose options it carries as sub-options, and vendor options live in `vendor-<number>`
/// spaces, as in Kea. Lookups are dictionary reads. The engine does not look options up here
/// per packet: its keys are checked against the table by a test instead.
public struct OptionTable: Sendable {
    /// The protocol family a table serves, which fixes its top-level space and code range.
    public enum Family: Sendable, Equatable {
        case v4, v6

        /// The space of the options a message carries directly.
        public var topLevelSpace: OptionSpaceName { self == .v4 ? .dhcp4 : .dhcp6 }

        /// The widest code an option of this family can have, in any space: option codes and
        /// sub-option codes are one octet in DHCPv4 and two in DHCPv6.
        public var maximumCode: UInt16 { self == .v4 ? 255 : 65535 }
    }

    struct Entry: Sendable {
        var definition: OptionDefinition
        var origin: OptionDefinitionOrigin
    }

    /// One space: entries by code, and each name's code.
    struct Space: Sendable {
        var entries: [UInt16: Entry] = [:]
        var codesByName: [String: UInt16] = [:]
    }

    public let family: Family
    private var spaces: [OptionSpaceName: Space] = [:]

    /// An empty table; `OptionTable.dhcp4` is the standard DHCPv4 one.
    public init(family: Family) { self.family = family }

    // MARK: - Lookups

    /// The definition of an option, or nil when the space has none for the code (such an
    /// option is configured as hex and sent byte for byte).
    public func definition(_ key: OptionKey) -> OptionDefinition? {
        spaces[key.space]?.entries[key.code]?.definition
    }

    /// The definition a configuration names with `"name": …` in `space`, or nil.
    public func definition(named name: String, in space: OptionSpaceName) -> OptionDefinition? {
        guard let table = spaces[space], let code = table.codesByName[name] else { return nil }
        return table.entries[code]?.definition
    }

    /// Where the definition of `key` came from, or nil when there is none.
    public func origin(of key: OptionKey) -> OptionDefinitionOrigin? {
        spaces[key.space]?.entries[key.code]?.origin
    }

    /// Every definition of a space, ordered by code (for documentation, tests and listings).
    public func definitions(in space: OptionSpaceName) -> [OptionDefinition] {
        (spaces[space]?.entries.values.map(\.definition) ?? []).sorted { $0.code < $1.code }
    }

    /// The spaces the table knows: those holding definitions and those a definition
    /// encapsulates (which a configuration fills), in name order.
    public var spaceNames: [OptionSpaceName] { spaces.keys.sorted() }

    /// Whether the table knows `space` (see `spaceNames`).
    public func contains(space: OptionSpaceName) -> Bool { spaces[space] != nil }

    // MARK: - Building

    /// Adds built-in rows. A duplicate code or name, or a code outside the family's range, is a
    /// programmer error: the rows are transcribed tables, checked by tests.
    mutating func addBuiltIn(_ rows: [OptionDefinition], origin: OptionDefinitionOrigin) {
        precondition(origin != .configured, "configured definitions go through addConfigured")
        for definition in rows {
            precondition(codeRange(for: definition.space).contains(definition.code),
                         "option \(definition.key) is outside the \(family) code range")
            precondition(spaces[definition.space]?.entries[definition.code] == nil,
                         "duplicate option code \(definition.key) in a built-in table")
            precondition(spaces[definition.space]?.codesByName[definition.name] == nil,
                         "duplicate option name \(definition.space).\(definition.name) in a built-in table")
            insert(Entry(definition: definition, origin: origin))
        }
    }

    /// Adds a definition from the configuration (`option-def`), by Kea 2.4's `CfgOptionDef::add`
    /// rules: a code or name already defined by the configuration in that space is a duplicate,
    /// and a standard definition cannot be overridden; a fallback (option 43's last-resort
    /// definition, a vendor default) gives way. The definition itself is checked by
    /// `OptionDefinition.configured`, which builds it.
    public mutating func addConfigured(_ definition: OptionDefinition) throws(OptionDefinitionError) {
        precondition(codeRange(for: definition.space).contains(definition.code),
                     "option \(definition.key) was not checked by OptionDefinition.configured")
        let space = definition.space
        let byCode = spaces[space]?.entries[definition.code]
        let byName = spaces[space]?.codesByName[definition.name].flatMap { spaces[space]?.entries[$0] }
        if byCode?.origin == .configured {
            throw OptionDefinitionError(.duplicate, "option definition with code '\(definition.code)' "
                                        + "already exists in option space '\(space)'")
        }
        if byName?.origin == .configured {
            throw OptionDefinitionError(.duplicate, "option definition with name '\(definition.name)' "
                                        + "already exists in option space '\(space)'")
        }
        if byCode?.origin == .standard {
            throw OptionDefinitionError(.standardOverride, "unable to override definition of option "
                                        + "'\(definition.code)' in standard option space '\(space)'")
        }
        if byName?.origin == .standard {
            throw OptionDefinitionError(.standardOverride, "unable to override definition of option "
                                        + "'\(definition.name)' in standard option space '\(space)'")
        }
        // What is left are fallbacks, which the configuration's definition replaces.
        for fallback in [byCode, byName].compactMap({ $0 }) { remove(fallback.definition.key) }
        insert(Entry(definition: definition, origin: .configured))
    }

    /// Adds a client class's own definition (a class-level `option-def`), which shadows whatever
    /// the table holds for its code and name, standard or configured: Kea keeps class definitions
    /// apart and looks them up first for the class's `option-data`. The caller decides which
    /// codes a class may define (Kea: 43 and 224-254 in `dhcp4`) and works on a copy of the table.
    public mutating func addShadowing(_ definition: OptionDefinition) {
        precondition(codeRange(for: definition.space).contains(definition.code),
                     "option \(definition.key) was not checked by OptionDefinition.configured")
        remove(definition.key)
        if let code = spaces[definition.space]?.codesByName[definition.name] {
            remove(OptionKey(space: definition.space, code: code))
        }
        insert(Entry(definition: definition, origin: .configured))
    }

    /// The codes a definition in `space` may have: the family's range, without PAD and END in
    /// `dhcp4` and without 0 in `dhcp6` (Kea's `OptionDefParser` rules).
    func codeRange(for space: OptionSpaceName) -> ClosedRange<UInt16> {
        switch (family, space) {
        case (.v4, .dhcp4): 1...254
        case (.v6, .dhcp6): 1...65535
        default: 0...family.maximumCode
        }
    }

    private mutating func insert(_ entry: Entry) {
        let definition = entry.definition
        spaces[definition.space, default: Space()].entries[definition.code] = entry
        spaces[definition.space, default: Space()].codesByName[definition.name] = definition.code
        if let encapsulated = definition.encapsulatedSpace, spaces[encapsulated] == nil {
            spaces[encapsulated] = Space()
        }
    }

    private mutating func remove(_ key: OptionKey) {
        guard let entry = spaces[key.space]?.entries.removeValue(forKey: key.code) else { return }
        spaces[key.space]?.codesByName.removeValue(forKey: entry.definition.name)
    }
}
