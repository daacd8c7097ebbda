/// The standard options of Kea's `dhcp4` space: the one table that gives option names, codes and
/// types to the configuration decoder, the option encoder and the renderer.
///
/// Transcribed from `STANDARD_V4_OPTION_DEFINITIONS` in Kea 2.4's `src/lib/dhcp/std_option_defs.h`,
/// plus `vendor-encapsulated-options` (43, Kea's "last resort" definition) and
/// `classless-static-route` (121, Kea's `OptionClasslessStaticRoute`, added to Kea in 2023).
/// Note that Kea types `domain-name` (15) as a string, although its manual's table says fqdn.
public enum DHCPv4OptionTable {
    /// Every standard DHCPv4 option definition, ordered by code.
    public static let all: [DHCPv4OptionDefinition] = [
        optionRow(1, "subnet-mask", .ipv4Address),
        optionRow(2, "time-offset", .int32),
        optionRow(3, "routers", .ipv4Address, array: true),
        optionRow(4, "time-servers", .ipv4Address, array: true),
        optionRow(5, "name-servers", .ipv4Address, array: true),
        optionRow(6, "domain-name-servers", .ipv4Address, array: true),
        optionRow(7, "log-servers", .ipv4Address, array: true),
        optionRow(8, "cookie-servers", .ipv4Address, array: true),
        optionRow(9, "lpr-servers", .ipv4Address, array: true),
        optionRow(10, "impress-servers", .ipv4Address, array: true),
        optionRow(11, "resource-location-servers", .ipv4Address, array: true),
        optionRow(12, "host-name", .string),
        optionRow(13, "boot-size", .uint16),
        optionRow(14, "merit-dump", .string),
        optionRow(15, "domain-name", .string),
        optionRow(16, "swap-server", .ipv4Address),
        optionRow(17, "root-path", .string),
        optionRow(18, "extensions-path", .string),
        optionRow(19, "ip-forwarding", .boolean),
        optionRow(20, "non-local-source-routing", .boolean),
        optionRow(21, "policy-filter", .ipv4Address, array: true),
        optionRow(22, "max-dgram-reassembly", .uint16),
        optionRow(23, "default-ip-ttl", .uint8),
        optionRow(24, "path-mtu-aging-timeout", .uint32),
        optionRow(25, "path-mtu-plateau-table", .uint16, array: true),
        optionRow(26, "interface-mtu", .uint16),
        optionRow(27, "all-subnets-local", .boolean),
        optionRow(28, "broadcast-address", .ipv4Address),
        optionRow(29, "perform-mask-discovery", .boolean),
        optionRow(30, "mask-supplier", .boolean),
        optionRow(31, "router-discovery", .boolean),
        optionRow(32, "router-solicitation-address", .ipv4Address),
        optionRow(33, "static-routes", .ipv4Address, array: true),
        optionRow(34, "trailer-encapsulation", .boolean),
        optionRow(35, "arp-cache-timeout", .uint32),
        optionRow(36, "ieee802-3-encapsulation", .boolean),
        optionRow(37, "default-tcp-ttl", .uint8),
        optionRow(38, "tcp-keepalive-interval", .uint32),
        optionRow(39, "tcp-keepalive-garbage", .boolean),
        optionRow(40, "nis-domain", .string),
        optionRow(41, "nis-servers", .ipv4Address, array: true),
        optionRow(42, "ntp-servers", .ipv4Address, array: true),
        optionRow(43, "vendor-encapsulated-options", .empty,
            encapsulates: "vendor-encapsulated-options-space"),
        optionRow(44, "netbios-name-servers", .ipv4Address, array: true),
        optionRow(45, "netbios-dd-server", .ipv4Address, array: true),
        optionRow(46, "netbios-node-type", .uint8),
        optionRow(47, "netbios-scope", .string),
        optionRow(48, "font-servers", .ipv4Address, array: true),
        optionRow(49, "x-display-manager", .ipv4Address, array: true),
        optionRow(50, "dhcp-requested-address", .ipv4Address),
        optionRow(51, "dhcp-lease-time", .uint32),
        optionRow(52, "dhcp-option-overload", .uint8),
        optionRow(53, "dhcp-message-type", .uint8),
        optionRow(54, "dhcp-server-identifier", .ipv4Address),
        optionRow(55, "dhcp-parameter-request-list", .uint8, array: true),
        optionRow(56, "dhcp-message", .string),
        optionRow(57, "dhcp-max-message-size", .uint16),
        optionRow(58, "dhcp-renewal-time", .uint32),
        optionRow(59, "dhcp-rebinding-time", .uint32),
        optionRow(60, "vendor-class-identifier", .string),
        optionRow(61, "dhcp-client-identifier", .binary),
        optionRow(62, "nwip-domain-name", .string),
        optionRow(63, "nwip-suboptions", .binary),
        optionRow(64, "nisplus-domain-name", .string),
        optionRow(65, "nisplus-servers", .ipv4Address, array: true),
        optionRow(66, "tftp-server-name", .string),
        optionRow(67, "boot-file-name", .string),
        optionRow(68, "mobile-ip-home-agent", .ipv4Address, array: true),
        optionRow(69, "smtp-server", .ipv4Address, array: true),
        optionRow(70, "pop-server", .ipv4Address, array: true),
        optionRow(71, "nntp-server", .ipv4Address, array: true),
        optionRow(72, "www-server", .ipv4Address, array: true),
        optionRow(73, "finger-server", .ipv4Address, array: true),
        optionRow(74, "irc-server", .ipv4Address, array: true),
        optionRow(75, "streettalk-server", .ipv4Address, array: true),
        optionRow(76, "streettalk-directory-assistance-server", .ipv4Address, array: true),
        optionRow(77, "user-class", .binary),
        optionRow(78, "slp-directory-agent", .record, array: true, fields: [.boolean, .ipv4Address]),
        optionRow(79, "slp-service-scope", .record, fields: [.boolean, .string]),
        optionRow(81, "fqdn", .record, fields: [.uint8, .uint8, .uint8, .fqdn]),
        optionRow(82, "dhcp-agent-options", .empty, encapsulates: "dhcp-agent-options-space"),
        optionRow(85, "nds-servers", .ipv4Address, array: true),
        optionRow(86, "nds-tree-name", .string),
        optionRow(87, "nds-context", .string),
        optionRow(88, "bcms-controller-names", .fqdn, array: true),
        optionRow(89, "bcms-controller-address", .ipv4Address, array: true),
        optionRow(90, "authenticate", .binary),
        optionRow(91, "client-last-transaction-time", .uint32),
        optionRow(92, "associated-ip", .ipv4Address, array: true),
        optionRow(93, "client-system", .uint16, array: true),
        optionRow(94, "client-ndi", .record, fields: [.uint8, .uint8, .uint8]),
        optionRow(97, "uuid-guid", .record, fields: [.uint8, .binary]),
        optionRow(98, "uap-servers", .string),
        optionRow(99, "geoconf-civic", .binary),
        optionRow(100, "pcode", .string),
        optionRow(101, "tcode", .string),
        optionRow(108, "v6-only-preferred", .uint32),
        optionRow(112, "netinfo-server-address", .ipv4Address, array: true),
        optionRow(113, "netinfo-server-tag", .string),
        optionRow(114, "v4-captive-portal", .string),
        optionRow(116, "auto-config", .uint8),
        optionRow(117, "name-service-search", .uint16, array: true),
        optionRow(118, "subnet-selection", .ipv4Address),
        optionRow(119, "domain-search", .fqdn, array: true),
        optionRow(121, "classless-static-route", .internal, special: .classlessStaticRoutes),
        optionRow(124, "vivco-suboptions", .record, fields: [.uint32, .binary]),
        optionRow(125, "vivso-suboptions", .uint32, special: .vendorIdentifyingVendorSpecific),
        optionRow(136, "pana-agent", .ipv4Address, array: true),
        optionRow(137, "v4-lost", .fqdn),
        optionRow(138, "capwap-ac-v4", .ipv4Address, array: true),
        optionRow(141, "sip-ua-cs-domains", .fqdn, array: true),
        optionRow(143, "v4-sztp-redirect", .tuple, array: true, special: .twoOctetTupleLength),
        optionRow(146, "rdnss-selection", .record, array: true,
            fields: [.uint8, .ipv4Address, .ipv4Address, .fqdn]),
        optionRow(151, "status-code", .record, fields: [.uint8, .string]),
        optionRow(152, "base-time", .uint32),
        optionRow(153, "start-time-of-state", .uint32),
        optionRow(154, "query-start-time", .uint32),
        optionRow(155, "query-end-time", .uint32),
        optionRow(156, "dhcp-state", .uint8),
        optionRow(157, "data-source", .uint8),
        optionRow(159, "v4-portparams", .record, fields: [.uint8, .psid]),
        optionRow(162, "v4-dnr", .record, fields: [.uint16, .uint16, .uint8, .fqdn, .binary]),
        optionRow(212, "option-6rd", .record, array: true,
            fields: [.uint8, .uint8, .ipv6Address, .ipv4Address]),
        optionRow(213, "v4-access-domain", .fqdn),
    ]

    private static let index = OptionDefinitionIndex(all)

    /// The definition a configuration names with `"name": …`, or nil for a name Kea does not define.
    public static func definition(named name: String) -> DHCPv4OptionDefinition? {
        index.definition(named: name)
    }

    /// The definition of a code, or nil for codes Kea has no standard definition for (their data
    /// must be configured as hexadecimal and is sent byte for byte).
    public static func definition(code: UInt8) -> DHCPv4OptionDefinition? {
        index.definition(code: code)
    }
}

/// Lookup by code and by name over one option table, built once. Duplicate codes or names in a
/// table are a programmer error.
struct OptionDefinitionIndex: Sendable {
    private let definitions: [DHCPv4OptionDefinition]
    private let positionByCode: [UInt8: Int]
    private let positionByName: [String: Int]

    init(_ definitions: [DHCPv4OptionDefinition]) {
        var byCode: [UInt8: Int] = [:]
        var byName: [String: Int] = [:]
        for (position, definition) in definitions.enumerated() {
            precondition(byCode.updateValue(position, forKey: definition.code) == nil,
                         "duplicate option code \(definition.code) in an option table")
            precondition(byName.updateValue(position, forKey: definition.name) == nil,
                         "duplicate option name \(definition.name) in an option table")
        }
        self.definitions = definitions
        self.positionByCode = byCode
        self.positionByName = byName
    }

    func definition(named name: String) -> DHCPv4OptionDefinition? {
        positionByName[name].map { definitions[$0] }
    }

    func definition(code: UInt8) -> DHCPv4OptionDefinition? {
        positionByCode[code].map { definitions[$0] }
    }
}

/// A table row in the shape of Kea's `OptionDefParams` initializers, to keep the table readable.
func optionRow(_ code: UInt8, _ name: String, _ type: OptionDataType, array: Bool = false,
         fields: [OptionDataType] = [], encapsulates: String? = nil,
         special: OptionSpecialFormat? = nil) -> DHCPv4OptionDefinition {
    DHCPv4OptionDefinition(code: code, name: name, type: type, isArray: array,
                           recordFields: fields, encapsulatedSpace: encapsulates,
                           specialFormat: special)
}
