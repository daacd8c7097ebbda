/// The standard options of Kea's `dhcp6` space and the spaces they encapsulate, as rows for
/// `OptionTable.dhcp6`: the one table that gives DHCPv6 option names, codes and types to the
/// configuration decoder, the encoder, the renderer and the codec's `DHCPv6Option` keys.
///
/// Transcribed from `STANDARD_V6_OPTION_DEFINITIONS`, `ISC_V6_OPTION_DEFINITIONS` and the
/// softwire (s46) tables in Kea 2.4's `src/lib/dhcp/std_option_defs.h`, plus `ntp-server` (56,
/// RFC 5908) and its `v6-ntp-server-suboptions` space, which Kea added after 2.4 (2.5/2.6) and
/// which configurations written for newer Kea use. As in DHCPv6 every tuple carries a two-octet
/// length, the tuple options are marked `.twoOctetTupleLength`.
enum DHCPv6StandardOptions {
    static let ntpServerSuboptions: OptionSpaceName = "v6-ntp-server-suboptions"
    static let isc4o6: OptionSpaceName = "4o6"
    static let mapeOptions: OptionSpaceName = "s46-cont-mape-options"
    static let maptOptions: OptionSpaceName = "s46-cont-mapt-options"
    static let lwOptions: OptionSpaceName = "s46-cont-lw-options"
    static let ruleOptions: OptionSpaceName = "s46-rule-options"
    static let bindOptions: OptionSpaceName = "s46-v4v6bind-options"

    /// Every standard `dhcp6` option definition, ordered by code.
    static let rows: [OptionDefinition] = [
        row(1, "clientid", .binary),
        row(2, "serverid", .binary),
        row(3, "ia-na", .record, fields: [.uint32, .uint32, .uint32]),
        row(4, "ia-ta", .uint32),
        row(5, "iaaddr", .record, fields: [.ipv6Address, .uint32, .uint32]),
        row(6, "oro", .uint16, array: true),
        row(7, "preference", .uint8),
        row(8, "elapsed-time", .uint16),
        row(9, "relay-msg", .binary),
        row(11, "auth", .binary),
        row(12, "unicast", .ipv6Address),
        row(13, "status-code", .record, fields: [.uint16, .string]),
        row(14, "rapid-commit", .empty),
        row(15, "user-class", .binary),
        row(16, "vendor-class", .record, fields: [.uint32, .binary]),
        row(17, "vendor-opts", .uint32),
        row(18, "interface-id", .binary),
        row(19, "reconf-msg", .uint8),
        row(20, "reconf-accept", .empty),
        row(21, "sip-server-dns", .fqdn, array: true),
        row(22, "sip-server-addr", .ipv6Address, array: true),
        row(23, "dns-servers", .ipv6Address, array: true),
        row(24, "domain-search", .fqdn, array: true),
        row(25, "ia-pd", .record, fields: [.uint32, .uint32, .uint32]),
        row(26, "iaprefix", .record, fields: [.uint32, .uint32, .uint8, .ipv6Address]),
        row(27, "nis-servers", .ipv6Address, array: true),
        row(28, "nisp-servers", .ipv6Address, array: true),
        row(29, "nis-domain-name", .fqdn, array: true),
        row(30, "nisp-domain-name", .fqdn, array: true),
        row(31, "sntp-servers", .ipv6Address, array: true),
        row(32, "information-refresh-time", .uint32),
        row(33, "bcmcs-server-dns", .fqdn, array: true),
        row(34, "bcmcs-server-addr", .ipv6Address, array: true),
        row(36, "geoconf-civic", .record, fields: [.uint8, .uint16, .binary]),
        row(37, "remote-id", .record, fields: [.uint32, .binary]),
        row(38, "subscriber-id", .binary),
        row(39, "client-fqdn", .record, fields: [.uint8, .fqdn]),
        row(40, "pana-agent", .ipv6Address, array: true),
        row(41, "new-posix-timezone", .string),
        row(42, "new-tzdb-timezone", .string),
        row(43, "ero", .uint16, array: true),
        row(44, "lq-query", .record, fields: [.uint8, .ipv6Address], encapsulates: .dhcp6),
        row(45, "client-data", .empty, encapsulates: .dhcp6),
        row(46, "clt-time", .uint32),
        row(47, "lq-relay-data", .record, fields: [.ipv6Address, .binary]),
        row(48, "lq-client-link", .ipv6Address, array: true),
        row(51, "v6-lost", .fqdn),
        row(52, "capwap-ac-v6", .ipv6Address, array: true),
        row(53, "relay-id", .binary),
        row(56, "ntp-server", .empty, encapsulates: ntpServerSuboptions),
        row(57, "v6-access-domain", .fqdn),
        row(58, "sip-ua-cs-list", .fqdn, array: true),
        row(59, "bootfile-url", .string),
        row(60, "bootfile-param", .tuple, array: true, special: .twoOctetTupleLength),
        row(61, "client-arch-type", .uint16, array: true),
        row(62, "nii", .record, fields: [.uint8, .uint8, .uint8]),
        row(64, "aftr-name", .fqdn),
        row(65, "erp-local-domain-name", .fqdn),
        row(66, "rsoo", .empty, encapsulates: "rsoo-opts"),
        row(67, "pd-exclude", .ipv6Prefix),
        row(74, "rdnss-selection", .record, array: true, fields: [.ipv6Address, .uint8, .fqdn]),
        row(79, "client-linklayer-addr", .binary),
        row(80, "link-address", .ipv6Address),
        row(82, "solmax-rt", .uint32),
        row(83, "inf-max-rt", .uint32),
        row(87, "dhcpv4-message", .binary),
        row(88, "dhcp4o6-server-addr", .ipv6Address, array: true),
        row(94, "s46-cont-mape", .empty, encapsulates: mapeOptions),
        row(95, "s46-cont-mapt", .empty, encapsulates: maptOptions),
        row(96, "s46-cont-lw", .empty, encapsulates: lwOptions),
        row(103, "v6-captive-portal", .string),
        row(135, "relay-source-port", .uint16),
        row(136, "v6-sztp-redirect", .tuple, array: true, special: .twoOctetTupleLength),
        row(143, "ipv6-address-andsf", .ipv6Address, array: true),
        row(144, "v6-dnr", .record, fields: [.uint16, .uint16, .fqdn, .binary]),
    ]

    /// RFC 5908's NTP server sub-options, as Kea 2.6 names them.
    static let ntpServerRows: [OptionDefinition] = [
        row(1, "ntp-server-address", .ipv6Address, in: ntpServerSuboptions),
        row(2, "ntp-server-multicast", .ipv6Address, in: ntpServerSuboptions),
        row(3, "ntp-server-fqdn", .fqdn, in: ntpServerSuboptions),
    ]

    /// `ISC_V6_OPTION_DEFINITIONS`: Kea's DHCPv4-over-DHCPv6 inter-process options.
    static let isc4o6Rows: [OptionDefinition] = [
        row(60000, "4o6-interface", .string, in: isc4o6),
        row(60001, "4o6-source-address", .ipv6Address, in: isc4o6),
        row(60002, "4o6-source-port", .uint16, in: isc4o6),
    ]

    /// The softwire (RFC 7598) containers' options: MAP-E, MAP-T, lightweight 4over6, and the
    /// rule and binding options' port parameters.
    static let softwireRows: [OptionDefinition] = [
        row(89, "s46-rule", .record, fields: s46Rule, in: mapeOptions, encapsulates: ruleOptions),
        row(90, "s46-br", .ipv6Address, in: mapeOptions),
        row(89, "s46-rule", .record, fields: s46Rule, in: maptOptions, encapsulates: ruleOptions),
        row(91, "s46-dmr", .ipv6Prefix, in: maptOptions),
        row(90, "s46-br", .ipv6Address, in: lwOptions),
        row(92, "s46-v4v6bind", .record, fields: [.ipv4Address, .ipv6Prefix], in: lwOptions, encapsulates: bindOptions),
        row(93, "s46-portparams", .record, fields: [.uint8, .psid], in: ruleOptions),
        row(93, "s46-portparams", .record, fields: [.uint8, .psid], in: bindOptions),
    ]

    private static let s46Rule: [OptionDataType] = [.uint8, .uint8, .uint8, .ipv4Address, .ipv6Prefix]

    /// Kea's `DOCSIS3_V6_OPTION_DEFINITIONS`, CableLabs' options in `vendor-4491`, which a
    /// configuration may override with its own `option-def`.
    static let cableLabsVendorRows: [OptionDefinition] = {
        let space = OptionSpaceName.vendor(enterpriseNumber: 4491)
        return [
            row(1, "oro", .uint16, array: true, in: space),
            row(2, "device-type", .string, in: space),
            row(10, "vendor-type", .string, in: space),
            row(32, "tftp-servers", .ipv6Address, array: true, in: space),
            row(33, "config-file", .string, in: space),
            row(34, "syslog-servers", .ipv6Address, array: true, in: space),
            row(36, "device-id", .binary, in: space),
            row(37, "time-servers", .ipv6Address, array: true, in: space),
            row(38, "time-offset", .int32, in: space),
            row(1026, "cmts-cm-mac", .binary, in: space),
        ]
    }()

    /// `optionRow` with `dhcp6` as the default space.
    private static func row(_ code: UInt16, _ name: String, _ type: OptionDataType, array: Bool = false,
                            fields: [OptionDataType] = [], in space: OptionSpaceName = .dhcp6,
                            encapsulates: OptionSpaceName? = nil, special: OptionSpecialFormat? = nil) -> OptionDefinition {
        optionRow(code, name, type, in: space, array: array, fields: fields, encapsulates: encapsulates, special: special)
    }
}
