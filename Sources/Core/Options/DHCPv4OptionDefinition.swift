/// One row of an option table: what Kea's `OptionDefParams` holds for a standard option. The same
/// row drives the configuration name, the text-to-wire encoder and the wire-to-text renderer, so
/// the three cannot drift apart.
public struct DHCPv4OptionDefinition: Sendable, Equatable {
    /// The option code in its space (1...254 in `dhcp4`).
    public var code: UInt8
    /// Kea's name, which is also the `option-data` `name` a configuration uses.
    public var name: String
    /// The value type, or `.record` (fields in `recordFields`) or `.internal` (see `specialFormat`).
    public var type: OptionDataType
    /// Whether the value repeats. For a record, the repetition applies to the last field, as in Kea.
    public var isArray: Bool
    /// The field types of a `.record` option, in wire order; empty for every other type.
    public var recordFields: [OptionDataType]
    /// The option space whose options this one carries as sub-options (options 43 and 82).
    public var encapsulatedSpace: String?
    /// A wire layout Kea implements with a dedicated class rather than the generic type rules.
    public var specialFormat: OptionSpecialFormat?

    /// Builds a table row. Records must list at least two fields, as Kea requires.
    public init(code: UInt8, name: String, type: OptionDataType, isArray: Bool = false,
                recordFields: [OptionDataType] = [], encapsulatedSpace: String? = nil,
                specialFormat: OptionSpecialFormat? = nil) {
        precondition(type == .record ? recordFields.count >= 2 : recordFields.isEmpty,
                     "record fields belong to record options only (option \(code))")
        self.code = code
        self.name = name
        self.type = type
        self.isArray = isArray
        self.recordFields = recordFields
        self.encapsulatedSpace = encapsulatedSpace
        self.specialFormat = specialFormat
    }

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
    /// Option 143 (RFC 8572). Its tuples carry a two-octet length even in DHCPv4, as Kea does
    /// for `v4-sztp-redirect`.
    case twoOctetTupleLength
}
