/// `loggers`, the DDNS keys of `Dhcp4` and the `dhcp-ddns` map.
extension Dhcp4Decoding {
    mutating func decodeLoggers(_ node: JSONNode) throws(ConfigError) -> [LoggerConfig] {
        var result: [LoggerConfig] = []
        for entry in try array(node) {
            let path = "Dhcp4/loggers[\(result.count)]"
            var logger = LoggerConfig(name: "")
            var outputsSeen = false
            for member in try object(entry) {
                switch member.key {
                case "name": logger.name = try string(member.value)
                case "severity": logger.severity = try severity(member)
                case "debuglevel": logger.debugLevel = Int(try integer(member, in: 0...99))
                // Kea 2.4 spells it output_options; later versions also accept output-options.
                case "output_options", "output-options":
                    guard !outputsSeen else {
                        throw ConfigError(
                            message: "\(member.keySpan.start): duplicate output-options entries in loggers map",
                            position: member.keySpan.start)
                    }
                    outputsSeen = true
                    logger.outputs = try decodeOutputs(member.value, path: path)
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "loggers", path: path)
                }
            }
            _ = try require("name", in: entry, context: "loggers")
            result.append(logger)
        }
        return result
    }

    private func severity(_ member: JSONNode.Member) throws(ConfigError) -> LoggerConfig.Severity {
        let text = try string(member.value)
        let upper = String(decoding: text.utf8.map { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 }, as: UTF8.self)
        guard let severity = LoggerConfig.Severity(rawValue: upper) else {
            throw ConfigError.semantic(
                "unknown severity '\(text)': expected FATAL, ERROR, WARN, INFO, DEBUG or NONE", at: member.value.position)
        }
        return severity
    }

    private mutating func decodeOutputs(_ node: JSONNode, path: String) throws(ConfigError) -> [LoggerConfig.Output] {
        var result: [LoggerConfig.Output] = []
        for entry in try array(node) {
            var output = LoggerConfig.Output(output: "")
            for member in try object(entry) {
                switch member.key {
                case "output": output.output = try string(member.value)
                case "pattern": output.pattern = try string(member.value)
                case "flush": output.flush = try bool(member.value)
                case "maxsize": output.maxSizeBytes = UInt64(try integer(member, in: 0...Int64.max))
                case "maxver": output.maxVersions = try uint32(member)
                default: try other(member, context: "output-options", path: "\(path)/output-options[\(result.count)]")
                }
            }
            guard entry.member("output") != nil else {
                throw ConfigError.semantic(
                    "output_options entry does not have a mandatory 'output' element", at: entry.position)
            }
            result.append(output)
        }
        return result
    }

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

    /// Kea's lexer takes these words in any case, and "true"/"false" as the old spellings
    /// of when-present/never.
    private func replaceClientName(_ node: JSONNode) throws(ConfigError) -> String {
        let modes = ["when-present", "never", "always", "when-not-present"]
        switch Dhcp4Decoding.lowercased(try string(node)) {
        case "true": return "when-present"
        case "false": return "never"
        default: return try keyword(node, among: modes, caseInsensitive: true)
        }
    }

    mutating func decodeDhcpDdns(_ node: JSONNode, into ddns: inout DDNSSettings) throws(ConfigError) {
        for member in try object(node) {
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
                    throw ConfigError.semantic("D2ClientConfig: NCR Protocol: TCP is not yet supported", at: member.value.position)
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
