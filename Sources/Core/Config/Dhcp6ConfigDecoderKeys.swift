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
    ]

    /// Keys decoded into `Dhcp6Config` that nothing acts on yet (kakapo-dhcp6 does not serve
    /// yet: these are the ones that will stay inert once it does).
    static let notActedOn: [String: String] = {
        var table: [String: String] = [
            "Dhcp6/sanity-checks": "leases are loaded without subnet checks",
            "Dhcp6/compatibility": "options are parsed strictly",
        ]
        table.merge(KeaServerKeys.notActedOn(root: "Dhcp6")) { a, _ in a }
        // kakapo-dhcp6 acts on the DDNS keys (Dhcp6Engine+ClientFQDN, the shell's NCR sender).
        for key in KeaServerKeys.ddnsScope.keys { table["Dhcp6/\(key)"] = nil }
        for key in KeaServerKeys.dhcpDdnsConnection { table["Dhcp6/dhcp-ddns/\(key)"] = nil }
        return table
    }()
}
