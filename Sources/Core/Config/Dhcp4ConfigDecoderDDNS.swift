/// The DDNS keys of `Dhcp4` and the `dhcp-ddns` map. The global `ddns-*` keys are the same in
/// every DHCP daemon; kea-dhcp4 2.4 takes them in subnets and shared networks too.
extension KeaConfigDecoding {
    /// The global `ddns-*` and hostname sanitizing keys.
    func decodeDDNSKey(_ member: JSONNode.Member, into ddns: inout DDNSSettings) throws(ConfigError) -> Bool {
        switch member.key {
        case "ddns-send-updates": ddns.sendUpdates = try bool(member.value)
        case "ddns-override-no-update": ddns.overrideNoUpdate = try bool(member.value)
        case "ddns-override-client-update": ddns.overrideClientUpdate = try bool(member.value)
        case "ddns-replace-client-name": ddns.replaceClientName = try replaceClientName(member.value)
        case "ddns-generated-prefix": ddns.generatedPrefix = try string(member.value)
        case "ddns-qualifying-suffix": ddns.qualifyingSuffix = try string(member.value)
        case "ddns-update-on-renew": ddns.updateOnRenew = try bool(member.value)
        case "ddns-use-conflict-resolution": ddns.useConflictResolution = try bool(member.value)
        case "ddns-ttl-percent": ddns.ttlPercent = try real(member.value)
        case "hostname-char-set": ddns.hostnameCharSet = try string(member.value)
        case "hostname-char-replacement": ddns.hostnameCharReplacement = try string(member.value)
        default: return false
        }
        return true
    }

    /// A per-scope `ddns-*` key of a subnet or shared network (the same types and checks).
    func decodeDDNSScopeKey(_ member: JSONNode.Member, into scope: inout DDNSScope) throws(ConfigError) -> Bool {
        guard KeaServerKeys.ddnsScope[member.key] != nil else { return false }
        var d = DDNSSettings()
        _ = try decodeDDNSKey(member, into: &d)
        switch member.key {
        case "ddns-send-updates": scope.sendUpdates = d.sendUpdates
        case "ddns-override-no-update": scope.overrideNoUpdate = d.overrideNoUpdate
        case "ddns-override-client-update": scope.overrideClientUpdate = d.overrideClientUpdate
        case "ddns-replace-client-name": scope.replaceClientName = d.replaceClientName
        case "ddns-generated-prefix": scope.generatedPrefix = d.generatedPrefix
        case "ddns-qualifying-suffix": scope.qualifyingSuffix = d.qualifyingSuffix
        case "ddns-update-on-renew": scope.updateOnRenew = d.updateOnRenew
        case "ddns-use-conflict-resolution": scope.useConflictResolution = d.useConflictResolution
        case "ddns-ttl-percent": scope.ttlPercent = d.ttlPercent
        case "hostname-char-set": scope.hostnameCharSet = d.hostnameCharSet
        case "hostname-char-replacement": scope.hostnameCharReplacement = d.hostnameCharReplacement
        default: return false
        }
        return true
    }

    /// Kea's lexer takes these words in any case, and "true"/"false" as the old spellings
    /// of when-present/never.
    private func replaceClientName(_ node: JSONNode) throws(ConfigError) -> String {
        let modes = ["when-present", "never", "always", "when-not-present"]
        switch KeaText.lowercased(try string(node)) {
        case "true": return "when-present"
        case "false": return "never"
        default: return try keyword(node, among: modes, caseInsensitive: true)
        }
    }
}

extension Dhcp4Decoding {
    mutating func decodeDhcpDdns(_ node: JSONNode, into ddns: inout DDNSSettings) throws(ConfigError) {
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp4/dhcp-ddns", table: Dhcp4KeaKeys.notActedOn)
            switch member.key {
            case "enable-updates": ddns.enableUpdates = try bool(member.value)
            case "server-ip": ddns.serverIP = try ipv4(member)
            case "server-port": ddns.serverPort = try uint16(member)
            case "sender-ip": ddns.senderIP = try senderIP(member)
            case "sender-port": ddns.senderPort = try uint16(member)
            case "max-queue-size": ddns.maxQueueSize = try uint32(member)
            case "ncr-protocol":
                ddns.ncrProtocol = try keyword(member.value, among: ["UDP", "TCP"], caseInsensitive: true)
                guard ddns.ncrProtocol == "UDP" else {
                    throw ConfigError.semantic(
                        .unsupported, "D2ClientConfig: NCR Protocol: TCP is not yet supported", at: member.value.position)
                }
            case "ncr-format": ddns.ncrFormat = try keyword(member.value, among: ["JSON"])
            default:
                if try annotation(member) { continue }
                try other(member, context: "dhcp-ddns", path: "Dhcp4/dhcp-ddns", ignorable: Dhcp4KeaKeys.dhcpDdnsIgnored)
            }
        }
    }

    /// Empty means "any address of the server's family", as in Kea.
    private func senderIP(_ member: JSONNode.Member) throws(ConfigError) -> String {
        let text = try string(member.value)
        if !text.isEmpty { _ = try ipv4(member) }
        return text
    }
}
