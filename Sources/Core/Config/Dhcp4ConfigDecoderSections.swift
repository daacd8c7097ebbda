/// `interfaces-config`, `expired-leases-processing` and `compatibility`; the sections every daemon shares are
/// decoded by `KeaConfigDecoding`.
extension Dhcp4Decoding {
    mutating func decodeInterfaces(_ node: JSONNode) throws(ConfigError) -> InterfacesConfig {
        var result = InterfacesConfig()
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp4/interfaces-config", table: Dhcp4KeaKeys.notActedOn)
            switch member.key {
            case "interfaces":
                result.entries = try interfaceEntries(member.value)
            case "dhcp-socket-type":
                let word = try keyword(member.value, among: ["raw", "udp"])
                result.socketType = word == "raw" ? .raw : .udp
            case "outbound-interface":
                let word = try keyword(member.value, among: ["same-as-inbound", "use-routing"])
                result.outboundInterface = word == "use-routing" ? .useRouting : .sameAsInbound
            case "re-detect": result.reDetect = try bool(member.value)
            case "service-sockets-require-all": result.serviceSocketsRequireAll = try bool(member.value)
            case "service-sockets-retry-wait-time": result.serviceSocketsRetryWaitTimeMilliseconds = try uint32(member)
            case "service-sockets-max-retries": result.serviceSocketsMaxRetries = try uint32(member)
            default:
                if try annotation(member) { continue }
                try other(member, context: "interfaces-config", path: "Dhcp4/interfaces-config")
            }
        }
        return result
    }

    /// `"eth0"`, `"*"` or `"eth0/192.0.2.1"`; whether the interface exists is the shell's check.
    private func interfaceEntries(_ node: JSONNode) throws(ConfigError) -> [InterfacesConfig.Entry] {
        var entries: [InterfacesConfig.Entry] = []
        var seen: [String] = []
        for element in try array(node) {
            let text = try string(element)
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard !name.isEmpty else {
                throw ConfigError.semantic(.invalidValue, "empty interface name used in configuration", at: element.position)
            }
            var entry = InterfacesConfig.Entry(name: name)
            if parts.count == 2 {
                guard name != "*" else {
                    throw ConfigError.semantic(
                        .invalidValue, "wildcard interface name '*' must not be used in conjunction with an address", at: element.position)
                }
                guard let address = IPv4Address(parts[1]) else {
                    throw ConfigError.semantic(
                        .invalidValue, "invalid address '\(parts[1])' specified for interface '\(name)'", at: element.position)
                }
                entry.address = address
            }
            guard !seen.contains(text) else {
                throw ConfigError.semantic(.duplicate, "interface '\(text)' has already been specified", at: element.position)
            }
            seen.append(text)
            entries.append(entry)
        }
        return entries
    }

    /// `compatibility`: Kea 2.4's four flags, nothing else (Kea's grammar takes no comment or
    /// user-context here).
    mutating func decodeCompatibility(_ node: JSONNode) throws(ConfigError) -> Compatibility4 {
        var result = Compatibility4()
        for member in try object(node) {
            noteIfNotActedOn(member, in: "Dhcp4/compatibility", table: Dhcp4KeaKeys.notActedOn)
            switch member.key {
            case "lenient-option-parsing": result.lenientOptionParsing = try bool(member.value)
            case "ignore-dhcp-server-identifier": result.ignoreDHCPServerIdentifier = try bool(member.value)
            case "ignore-rai-link-selection": result.ignoreRAILinkSelection = try bool(member.value)
            case "exclude-first-last-24": result.excludeFirstLast24 = try bool(member.value)
            default: try other(member, context: "compatibility", path: "Dhcp4/compatibility")
            }
        }
        return result
    }
}
