/// The data types an option (or one field of a record option) can carry, as Kea names them in
/// `std_option_defs.h` and in `option-def` entries. The raw value is Kea's spelling, so a
/// configuration's `"type": "ipv4-address"` maps straight onto a case.
///
/// A `record` option lists its fields separately (`OptionDefinition.recordFields`), as Kea
/// does, so that this enum stays a plain, comparable value.
public enum OptionDataType: String, Sendable, Equatable, CaseIterable {
    /// No payload at all (or only encapsulated sub-options).
    case empty
    /// Opaque bytes, written in configuration as hexadecimal.
    case binary
    /// One octet, 0 or 1; written as "true"/"false" or "1"/"0".
    case boolean
    /// An unsigned octet; written in decimal or hexadecimal ("0x1f", or "1f" as Kea also takes).
    case uint8
    /// An unsigned 16-bit integer, network byte order.
    case uint16
    /// An unsigned 32-bit integer, network byte order (lease times, enterprise numbers).
    case uint32
    /// A signed octet, two's complement.
    case int8
    /// A signed 16-bit integer, two's complement, network byte order.
    case int16
    /// A signed 32-bit integer, two's complement, network byte order (time-offset).
    case int32
    /// Four octets, written as a dotted quad.
    case ipv4Address = "ipv4-address"
    /// Text taken as UTF-8 bytes, without a terminating NUL.
    case string
    /// A domain name in DNS wire format (RFC 1035 labels, no compression) ending in the root label.
    case fqdn
    /// A length-prefixed string (one length octet in DHCPv4, two for option 143).
    case tuple
    /// A port-set identifier (RFC 7597): a length octet and 16 bits, written as "psid/length".
    case psid
    /// Sixteen octets, written in RFC 4291 text form.
    case ipv6Address = "ipv6-address"
    /// A length octet followed by the significant octets of an IPv6 prefix ("2001:db8::/32").
    case ipv6Prefix = "ipv6-prefix"
    /// A format Kea handles with a dedicated class (here: option 121); see
    /// `OptionDefinition.specialFormat`.
    case `internal`
    /// A sequence of fields of other types; the field types are on the definition.
    case record

    /// Kea's name for the type, as used in `option-def` and in error messages.
    public var keaName: String { rawValue }

    /// The number of octets a value of this type always occupies on the wire, or nil when the
    /// size depends on the value (strings, names, binary, tuples, prefixes, records).
    public var fixedWireSize: Int? {
        switch self {
        case .boolean, .uint8, .int8: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .ipv4Address: 4
        case .psid: 3
        case .ipv6Address: 16
        case .empty: 0
        case .binary, .string, .fqdn, .tuple, .ipv6Prefix, .internal, .record: nil
        }
    }

    /// True for the integer types, which accept decimal or hexadecimal text.
    var isInteger: Bool {
        switch self {
        case .uint8, .uint16, .uint32, .int8, .int16, .int32: true
        case .empty, .binary, .boolean, .ipv4Address, .string, .fqdn, .tuple, .psid,
             .ipv6Address, .ipv6Prefix, .internal, .record: false
        }
    }
}
