/// Key tables kea-dhcp4's and kea-dhcp6's grammars share, which both of Kakapo's server
/// decoders set aside or decode without acting on yet.
enum KeaServerKeys {
    /// The per-scope DDNS keys (global, shared network, subnet), with their grammar types.
    static let ddnsScope: [String: KeaValueKind] = [
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

    /// The `dhcp-ddns` connection keys.
    static let dhcpDdnsConnection = ["enable-updates", "server-ip", "server-port", "sender-ip", "sender-port",
                                     "max-queue-size", "ncr-protocol", "ncr-format"]

    /// What both servers decode and do not act on yet, under `root` ("Dhcp4"), by path, with
    /// what the operator gets instead.
    static func notActedOn(root: String) -> [String: String] {
        var table: [String: String] = [
            "\(root)/interfaces-config/re-detect": "interfaces are detected again at every reconfiguration",
            "\(root)/interfaces-config/service-sockets-require-all": "a socket that does not open always fails the start-up",
            "\(root)/interfaces-config/service-sockets-retry-wait-time": "sockets are not retried",
            "\(root)/interfaces-config/service-sockets-max-retries": "sockets are not retried",
        ]
        let noDDNS = "no DNS update is requested yet"
        for key in ddnsScope.keys { table["\(root)/\(key)"] = noDDNS }
        for key in dhcpDdnsConnection { table["\(root)/dhcp-ddns/\(key)"] = noDDNS }
        return table
    }
}
