/// Kea 2.4's Dhcp6 keys that Kakapo sets aside or does not act on yet. Sources: `global_param`,
/// `subnet6_param`, `shared_network_param` in Kea 2.4's `dhcp6_parser.yy`, as listed in
/// `simple_parser6.cc`. Any key in neither these tables nor the decoder's handled keys is an
/// error, as in Kea.
enum Dhcp6KeaKeys {
    static let globalIgnored: [String: KeaValueKind] = [
        "data-directory": .string,
        "mac-sources": .list,
        "relay-supplied-options": .list,
        "dhcp4o6-port": .integer,
        "dhcp-queue-control": .map,
        "config-control": .map,
        "server-tag": .string,
        "store-extended-info": .boolean,
        "statistic-default-sample-count": .integer,
        "statistic-default-sample-age": .integer,
        "ip-reservations-unique": .boolean,
        "reservations-lookup-first": .boolean,
        "parked-packet-limit": .integer,
        "early-global-reservations-lookup": .boolean,
        "allocator": .string,
        "pd-allocator": .string,
        "cache-threshold": .real,
        "cache-max-age": .integer,
    ]

    /// What subnets and shared networks both set aside.
    static let networkScopeIgnored: [String: KeaValueKind] = [
        "store-extended-info": .boolean,
        "allocator": .string,
        "pd-allocator": .string,
        "cache-threshold": .real,
        "cache-max-age": .integer,
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

    /// Keys decoded into `Dhcp6Config` that nothing acts on yet (kakapo-dhcp6 does not serve
    /// yet: these are the ones that will stay inert once it does).
    static let notActedOn: [String: String] = {
        var table: [String: String] = [
            "Dhcp6/interfaces-config/re-detect": "interfaces are detected again at every reconfiguration",
            "Dhcp6/interfaces-config/service-sockets-require-all": "a socket that does not open always fails the start-up",
            "Dhcp6/interfaces-config/service-sockets-retry-wait-time": "sockets are not retried",
            "Dhcp6/interfaces-config/service-sockets-max-retries": "sockets are not retried",
            "Dhcp6/sanity-checks": "leases are loaded without subnet checks",
            "Dhcp6/compatibility": "options are parsed strictly",
        ]
        let noDDNS = "no DNS update is requested yet"
        for key in ["ddns-send-updates", "ddns-override-no-update", "ddns-override-client-update",
                    "ddns-replace-client-name", "ddns-generated-prefix", "ddns-qualifying-suffix",
                    "ddns-update-on-renew", "ddns-use-conflict-resolution", "ddns-ttl-percent",
                    "hostname-char-set", "hostname-char-replacement"] {
            table["Dhcp6/\(key)"] = noDDNS
        }
        for key in ["enable-updates", "server-ip", "server-port", "sender-ip", "sender-port",
                    "max-queue-size", "ncr-protocol", "ncr-format"] {
            table["Dhcp6/dhcp-ddns/\(key)"] = noDDNS
        }
        return table
    }()
}
