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
            "\(root)/expired-leases-processing/max-reclaim-time": "a reclamation cycle is bounded by max-reclaim-leases only",
            "\(root)/expired-leases-processing/unwarned-reclaim-cycles": "no warning about leases left unreclaimed",
        ]
        let noDDNS = "no DNS update is requested yet"
        for key in ddnsScope.keys { table["\(root)/\(key)"] = noDDNS }
        for key in dhcpDdnsConnection { table["\(root)/dhcp-ddns/\(key)"] = noDDNS }
        return table
    }
}

extension KeaConfigDecoding {
    /// `expired-leases-processing`, the same six keys in both servers' grammars.
    mutating func decodeExpiredLeases(_ node: JSONNode, root: String, notActedOn: [String: String]) throws(ConfigError) -> ExpiredLeasesProcessing {
        var result = ExpiredLeasesProcessing()
        let path = "\(root)/expired-leases-processing"
        for member in try object(node) {
            noteIfNotActedOn(member, in: path, table: notActedOn)
            switch member.key {
            case "reclaim-timer-wait-time": result.reclaimTimerWaitTimeSeconds = try uint32(member)
            case "flush-reclaimed-timer-wait-time": result.flushReclaimedTimerWaitTimeSeconds = try uint32(member)
            case "hold-reclaimed-time": result.holdReclaimedTimeSeconds = try uint32(member)
            case "max-reclaim-leases": result.reclaimLeasesPerCycleMax = try uint32(member)
            case "max-reclaim-time": result.reclaimCycleMillisecondsMax = try uint32(member)
            case "unwarned-reclaim-cycles": result.unwarnedReclaimCycles = try uint32(member)
            default: try other(member, context: "expired-leases-processing", path: path)
            }
        }
        return result
    }
}
