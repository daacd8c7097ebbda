/// The maps inside `Dhcp4` other than subnets and logging.
extension Dhcp4Decoding {
    mutating func decodeInterfaces(_ node: JSONNode) throws(ConfigError) -> InterfacesConfig {
        var result = InterfacesConfig()
        for member in try object(node) {
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
                throw ConfigError.semantic("empty interface name used in configuration", at: element.position)
            }
            var entry = InterfacesConfig.Entry(name: name)
            if parts.count == 2 {
                guard name != "*" else {
                    throw ConfigError.semantic(
                        "wildcard interface name '*' must not be used in conjunction with an address", at: element.position)
                }
                guard let address = IPv4Address(parts[1]) else {
                    throw ConfigError.semantic(
                        "invalid address '\(parts[1])' specified for interface '\(name)'", at: element.position)
                }
                entry.address = address
            }
            guard !seen.contains(text) else {
                throw ConfigError.semantic("interface '\(text)' has already been specified", at: element.position)
            }
            seen.append(text)
            entries.append(entry)
        }
        return entries
    }

    /// Only memfile is served here; Kea's grammar also names mysql and postgresql.
    mutating func decodeLeaseDatabase(_ node: JSONNode) throws(ConfigError) -> LeaseDatabaseConfig {
        var result = LeaseDatabaseConfig()
        for member in try object(node) {
            switch member.key {
            case "type":
                let type = try keyword(member.value, among: ["memfile", "mysql", "postgresql"])
                guard type == "memfile" else {
                    throw ConfigError.semantic(
                        "lease-database type '\(type)' is not supported by kakapo-dhcp4, only 'memfile'",
                        at: member.value.position)
                }
                result.type = type
            case "name": result.name = try string(member.value)
            case "persist": result.persist = try bool(member.value)
            case "lfc-interval": result.lfcIntervalSeconds = try uint32(member)
            case "max-row-errors": result.maxRowErrors = try uint32(member)
            default:
                try other(member, context: "lease-database", path: "Dhcp4/lease-database",
                          ignorable: Dhcp4KeaKeys.leaseDatabaseIgnored)
            }
        }
        _ = try require("type", in: node, context: "lease-database")
        return result
    }

    mutating func decodeExpiredLeases(_ node: JSONNode) throws(ConfigError) -> ExpiredLeasesProcessing {
        var result = ExpiredLeasesProcessing()
        for member in try object(node) {
            switch member.key {
            case "reclaim-timer-wait-time": result.reclaimTimerWaitTimeSeconds = try uint32(member)
            case "flush-reclaimed-timer-wait-time": result.flushReclaimedTimerWaitTimeSeconds = try uint32(member)
            case "hold-reclaimed-time": result.holdReclaimedTimeSeconds = try uint32(member)
            case "max-reclaim-leases": result.reclaimLeasesPerCycleMax = try uint32(member)
            case "max-reclaim-time": result.reclaimCycleMillisecondsMax = try uint32(member)
            case "unwarned-reclaim-cycles": result.unwarnedReclaimCycles = try uint32(member)
            default:
                try other(member, context: "expired-leases-processing", path: "Dhcp4/expired-leases-processing")
            }
        }
        return result
    }

    /// Unix control socket; the name must fit `sun_path` (107 bytes and a NUL).
    mutating func decodeControlSocket(_ node: JSONNode) throws(ConfigError) -> ControlSocketConfig {
        var socketType = "unix"
        for member in try object(node) {
            switch member.key {
            case "socket-type":
                socketType = try string(member.value)
                guard socketType == "unix" else {
                    throw ConfigError.semantic(
                        "unsupported 'socket-type' value '\(socketType)', only 'unix' is supported", at: member.value.position)
                }
            case "socket-name": _ = try string(member.value)
            default:
                if try annotation(member) { continue }
                try other(member, context: "control-socket", path: "Dhcp4/control-socket")
            }
        }
        let nameMember = try require("socket-name", in: node, context: "control-socket")
        let name = try string(nameMember.value)
        guard !name.isEmpty, name.utf8.count <= 107 else {
            throw ConfigError.semantic(
                "invalid 'socket-name' '\(name)': it must be 1 to 107 bytes long", at: nameMember.value.position)
        }
        var result = ControlSocketConfig(socketName: name)
        result.socketType = socketType
        return result
    }

    /// `hooks-libraries`: only the built-in libraries, named by path or file name.
    mutating func decodeHooks(_ node: JSONNode) throws(ConfigError) -> [HookLibrary] {
        var result: [HookLibrary] = []
        for entry in try array(node) {
            var parameters: JSON?
            for member in try object(entry) {
                switch member.key {
                case "library": _ = try string(member.value)
                case "parameters":
                    _ = try object(member.value)
                    parameters = member.value.plain
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "hooks-libraries", path: "Dhcp4/hooks-libraries[\(result.count)]")
                }
            }
            let libraryMember = try require("library", in: entry, context: "hooks-libraries")
            let path = try string(libraryMember.value)
            let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
            guard Dhcp4KeaKeys.builtInHooks.contains(name) else {
                throw ConfigError.semantic(
                    "hooks library '\(path)' is not available: kakapo-dhcp4 has these built in: "
                        + Dhcp4KeaKeys.builtInHooks.joined(separator: ", "),
                    at: libraryMember.value.position)
            }
            result.append(HookLibrary(library: name, parameters: parameters))
        }
        return result
    }
}
