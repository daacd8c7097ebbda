/// One row of an option table, for any family: what Kea's `OptionDefinition` holds. The same
/// row drives the configuration name, the text-to-wire encoder and the wire-to-text renderer, so
/// the three cannot drift apart. Standard rows come from `std_option_defs.h`; a configuration
/// adds its own with `option-def`.
///
/// Nothing here assumes a family: codes are 16 bits wide and the space is named. The table a
/// row is added to checks the range its family allows (1...254 in `dhcp4`).
public struct OptionDefinition: Sendable, Equatable {
    /// The space the option belongs to.
    public var space: OptionSpaceName
    /// The option code in its space.
    public var code: UInt16
    /// Kea's name, which is also the `option-data` `name` a configuration uses.
    public var name: String
    /// The value type, or `.record` (fields in `recordFields`) or `.internal` (see `specialFormat`).
    public var type: OptionDataType
    /// Whether the value repeats. For a record, the repetition applies to the last field, as in Kea.
    public var isArray: Bool
    /// The field types of a `.record` option, in wire order; empty for every other type.
    public var recordFields: [OptionDataType]
    /// The option space whose options this one carries as sub-options after its own value
    /// (options 43 and 82, or an `option-def` with `encapsulate`).
    public var encapsulatedSpace: OptionSpaceName?
    /// A wire layout Kea implements with a dedicated class rather than the generic type rules.
    public var specialFormat: OptionSpecialFormat?

    /// Builds a row. Records must list at least two fields, as Kea requires; configured
    /// definitions are checked with Kea's messages before they get here (`configured(…)`).
    public init(space: OptionSpaceName, code: UInt16, name: String, type: OptionDataType, isArray: Bool = false,
                recordFields: [OptionDataType] = [], encapsulatedSpace: OptionSpaceName? = nil,
                specialFormat: OptionSpecialFormat? = nil) {
        precondition(type == .record ? recordFields.count >= 2 : recordFields.isEmpty,
                     "record fields belong to record options only (option \(space).\(code))")
        self.space = space
        self.code = code
        self.name = name
        self.type = type
        self.isArray = isArray
        self.recordFields = recordFields
        self.encapsulatedSpace = encapsulatedSpace
        self.specialFormat = specialFormat
    }

    /// The space and code together.
    public var key: OptionKey { OptionKey(space: space, code: code) }

    /// The types of the values a configuration writes, in order: the record fields, or the one
    /// type of a plain option. With `isArray`, the last one repeats.
    var fieldTypes: [OptionDataType] { type == .record ? recordFields : [type] }
}

/// Wire layouts that Kea gives a dedicated option class instead of its generic type rules.
public enum OptionSpecialFormat: Sendable, Equatable {
    /// Option 121 (RFC 3442). Configured as "192.0.2.0/24 - 198.51.100.1, 10.0.0.0/8 - 198.51.100.2";
    /// each route is sent as the prefix width, the significant octets of the destination and the
    /// router address.
    case classlessStaticRoutes
    /// Option 125 (RFC 3925). Configured as the enterprise number only; Kea's `OptionVendor`
    /// then writes a data-length octet after it (zero until sub-options are merged in).
    case vendorIdentifyingVendorSpecific
    /// Option 124 (RFC 3925). Configured as the enterprise number and binary data; the data must
    /// read as Kea's `OptionVendorClass` reads it: a length-prefixed item, and before each
    /// further item another enterprise number.
    case vendorIdentifyingVendorClass
    /// Option 143 (RFC 8572). Its tuples carry a two-octet length even in DHCPv4, as Kea does
    /// for `v4-sztp-redirect`.
    case twoOctetTupleLength
}

/// A table row in the shape of Kea's `OptionDefParams` initializers, to keep tables readable.
func optionRow(_ code: UInt16, _ name: String, _ type: OptionDataType, in space: OptionSpaceName = .dhcp4,
               array: Bool = false, fields: [OptionDataType] = [], encapsulates: OptionSpaceName? = nil,
               special: OptionSpecialFormat? = nil) -> OptionDefinition {
    OptionDefinition(space: space, code: code, name: name, type: type, isArray: array, recordFields: fields,
                     encapsulatedSpace: encapsulates, specialFormat: special)
}
