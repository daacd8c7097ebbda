/// The JSON type Kea's grammar wants for a key, for bison-style type errors.
enum KeaValueKind {
    case integer, real, boolean, string, list, map

    /// Bison's token name for what was expected.
    var tokenName: String {
        switch self {
        case .integer: return "integer"
        case .real: return "floating point"
        case .boolean: return "boolean"
        case .string: return "constant string"
        case .list: return "["
        case .map: return "{"
        }
    }

    func matches(_ value: JSONNode.Value) -> Bool {
        switch (self, value) {
        case (.integer, .int), (.real, .double), (.boolean, .bool), (.string, .string),
             (.list, .array), (.map, .object):
            return true
        default:
            return false
        }
    }
}

/// Keys that Kea 2.4's Dhcp4 grammar knows but Kakapo does not act on yet.
///
/// They are accepted (after the same type check Kea's grammar makes) and reported as
/// `IgnoredKey`s so the daemon can warn. Any key in neither these tables nor the decoder's
/// handled keys is an error, as in Kea. Sources: `global_param`, `subnet4_param`,
/// `pool_param`, `database_map_param` and `dhcp_ddns_param` in Kea 2.4's `dhcp4_parser.yy`,
/// as listed in `simple_parser4.cc`.
enum Dhcp4KeaKeys {
    static let globalIgnored: [String: KeaValueKind] = [
        "shared-networks": .list,
        "hosts-database": .map,
        "hosts-databases": .list,
        "host-reservation-identifiers": .list,
        "client-classes": .list,
        "option-def": .list,
        "dhcp4o6-port": .integer,
        "dhcp-queue-control": .map,
        "sanity-checks": .map,
        "reservations": .list,
        "config-control": .map,
        "server-tag": .string,
        "reservation-mode": .string,
        "reservations-global": .boolean,
        "reservations-in-subnet": .boolean,
        "reservations-out-of-pool": .boolean,
        "store-extended-info": .boolean,
        "statistic-default-sample-count": .integer,
        "statistic-default-sample-age": .integer,
        "multi-threading": .map,
        "cache-threshold": .real,
        "cache-max-age": .integer,
        "early-global-reservations-lookup": .boolean,
        "ip-reservations-unique": .boolean,
        "reservations-lookup-first": .boolean,
        "compatibility": .map,
        "parked-packet-limit": .integer,
        "allocator": .string,
        "offer-lifetime": .integer,
    ]

    static let subnetIgnored: [String: KeaValueKind] = [
        "client-class": .string,
        "require-client-classes": .list,
        "reservation-mode": .string,
        "reservations-global": .boolean,
        "reservations-in-subnet": .boolean,
        "reservations-out-of-pool": .boolean,
        "4o6-interface": .string,
        "4o6-interface-id": .string,
        "4o6-subnet": .string,
        "store-extended-info": .boolean,
        "cache-threshold": .real,
        "cache-max-age": .integer,
        "allocator": .string,
        "offer-lifetime": .integer,
        "ddns-send-updates": .boolean,
        "ddns-override-no-update": .boolean,
        "ddns-override-client-update": .boolean,
        "ddns-replace-client-name": .string,
        "ddns-generated-prefix": .string,
        "ddns-qualifying-suffix": .string,
        "hostname-char-set": .string,
        "hostname-char-replacement": .string,
        "ddns-update-on-renew": .boolean,
        "ddns-use-conflict-resolution": .boolean,
        "ddns-ttl-percent": .real,
    ]

    static let poolIgnored: [String: KeaValueKind] = [
        "client-class": .string,
        "require-client-classes": .list,
    ]

    /// SQL connection settings: meaningless for memfile, accepted as Kea does.
    static let leaseDatabaseIgnored: [String: KeaValueKind] = [
        "user": .string,
        "password": .string,
        "host": .string,
        "port": .integer,
        "connect-timeout": .integer,
        "read-timeout": .integer,
        "write-timeout": .integer,
        "tcp-user-timeout": .integer,
        "max-reconnect-tries": .integer,
        "reconnect-wait-time": .integer,
        "on-fail": .string,
        "retry-on-startup": .boolean,
        "trust-anchor": .string,
        "cert-file": .string,
        "key-file": .string,
        "cipher-list": .string,
    ]

    /// Old spellings inside `dhcp-ddns` that Kea 2.x still parses (moved to global ddns-* keys).
    static let dhcpDdnsIgnored: [String: KeaValueKind] = [
        "qualifying-suffix": .string,
        "override-no-update": .boolean,
        "override-client-update": .boolean,
        "replace-client-name": .string,
        "generated-prefix": .string,
        "hostname-char-set": .string,
        "hostname-char-replacement": .string,
    ]

    /// Hook libraries Kakapo has built in, by file name; any other library is an error.
    static let builtInHooks: [String] = [
        "libdhcp_lease_cmds.so",
        "libdhcp_stat_cmds.so",
        "libdhcp_ha.so",
        "libdhcp_bootp.so",
        "libdhcp_flex_option.so",
        "libdhcp_run_script.so",
    ]
}
