/// Kea 2.4's Dhcp4 keys that Kakapo does not act on yet.
///
/// The `…Ignored` tables list keys Kakapo sets aside: they are accepted (after the same type
/// check Kea's grammar makes) with an `.ignoredKey` warning. Any key in neither these tables
/// nor the decoder's handled keys is an error, as in Kea. Sources: `global_param`,
/// `subnet4_param`, `pool_param` and `dhcp_ddns_param` in Kea 2.4's `dhcp4_parser.yy`, as
/// listed in `simple_parser4.cc`. `notActedOn` lists keys that are decoded but not used yet.
enum Dhcp4KeaKeys {
    static let globalIgnored: [String: KeaValueKind] = [
        "dhcp4o6-port": .integer,
        "dhcp-queue-control": .map,
        "sanity-checks": .map,
        "config-control": .map,
        "server-tag": .string,
        "store-extended-info": .boolean,
        "ip-reservations-unique": .boolean,
        "reservations-lookup-first": .boolean,
        "parked-packet-limit": .integer,
        "offer-lifetime": .integer,
    ]

    static let subnetIgnored: [String: KeaValueKind] = networkScopeIgnored.merging([
        "4o6-interface": .string,
        "4o6-interface-id": .string,
        "4o6-subnet": .string,
    ]) { a, _ in a }

    /// What subnets and shared networks both set aside: the keys of later features (their
    /// `ddns-*` keys are decoded, `decodeDDNSScopeKey`).
    static let networkScopeIgnored: [String: KeaValueKind] = [
        "store-extended-info": .boolean,
        "offer-lifetime": .integer,
    ]

    static let poolIgnored: [String: KeaValueKind] = [:]

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

    /// Hook libraries kakapo-dhcp4 has built in; any other library is an error.
    static let builtInHooks: [BuiltInHook] = BuiltInHook.allCases

    /// Built-ins whose behaviour kakapo-dhcp4 has: the lease commands are always served;
    /// stat-lease4-get exists when libdhcp_stat_cmds.so is named; BOOTP and flexible options
    /// are switched on by naming their libraries (`BuiltInHooks4`). Naming another built-in is
    /// accepted with a warning until it is implemented.
    static let implementedHooks: Set<BuiltInHook> = [.leaseCommands, .statisticsCommands, .bootp, .flexibleOption, .flexibleIdentifier]

    /// Keys decoded into `Dhcp4Config` that nothing acts on yet, by path, with what the
    /// operator gets instead. Whoever makes one of them work removes its row.
    static let notActedOn: [String: String] = {
        var table: [String: String] = [
            "Dhcp4/interfaces-config/outbound-interface": "replies leave by the interface the query came in on",
        ]
        table.merge(KeaServerKeys.notActedOn(root: "Dhcp4")) { a, _ in a }
        // kakapo-dhcp4 acts on the DDNS keys (Dhcp4Engine+ClientName, the shell's NCR sender).
        for key in KeaServerKeys.ddnsScope.keys { table["Dhcp4/\(key)"] = nil }
        for key in KeaServerKeys.dhcpDdnsConnection { table["Dhcp4/dhcp-ddns/\(key)"] = nil }
        return table
    }()
}
