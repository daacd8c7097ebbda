/// A decoded subnet awaiting the checks that need the rest of `Dhcp4` (inherited timers, ids).
struct SubnetDraft {
    var subnet: Subnet4
    var timerScope: TimerScope
    /// Where the entry sits (`Dhcp4/subnet4[0]`), for warnings.
    var path: String
}

/// `subnet4` entries, their pools and relays.
extension Dhcp4Decoding {
    mutating func decodeSubnets(_ node: JSONNode, path: String = "Dhcp4/subnet4") throws(ConfigError) -> [SubnetDraft] {
        var drafts: [SubnetDraft] = []
        for (index, entry) in try array(node).enumerated() {
            drafts.append(try decodeSubnet(entry, path: "\(path)[\(index)]"))
        }
        return drafts
    }

    /// Checks each subnet's effective timers and numbers those without `id` (or with 0) as
    /// Kea 2.4 does: `Subnet::generateNextID` hands out 1, 2, 3… in file order to such subnets
    /// only, without skipping ids written explicitly, so a clash is the usual duplicate-id error.
    mutating func finishSubnets(_ drafts: [SubnetDraft], global: LeaseTimers) throws(ConfigError) -> [Subnet4] {
        var subnets: [Subnet4] = []
        var nextID: UInt32 = 1
        for draft in drafts {
            warnRenewAfterRebind(draft, path: draft.path)
            var subnet = draft.subnet
            let position = draft.timerScope.position
            try validateTimers(subnet.timers.inheriting(from: global), scope: draft.timerScope,
                               prefix: "subnet configuration failed: ")
            if subnet.id == 0 {
                subnet.id = nextID
                nextID += 1
            }
            if subnets.contains(where: { $0.id == subnet.id }) {
                throw ConfigError.semantic(.duplicate, "ID of the new IPv4 subnet '\(subnet.id)' is already in use", at: position)
            }
            if subnets.contains(where: { $0.prefix == subnet.prefix }) {
                throw ConfigError.semantic(.duplicate, "subnet with the prefix of '\(subnet.prefix)' already exists", at: position)
            }
            subnets.append(subnet)
        }
        return subnets
    }

    private mutating func decodeSubnet(_ node: JSONNode, path: String) throws(ConfigError) -> SubnetDraft {
        var draft = Subnet4(id: 0, prefix: IPv4Prefix(network: .zero, length: 0))
        var pools: [Pool4] = []
        var scope = TimerScope(name: "subnet4", position: node.position)
        for member in try object(node) {
            if try decodeTimer(member, into: &draft.timers, scope: &scope) { continue }
            if try decodeBootField(member, into: &draft.bootFields) { continue }
            if try decodeReservationMode(member, into: &draft.reservationModes) { continue }
            if try decodeAllocationKey(member, into: &draft.allocation) { continue }
            if try decodeDDNSScopeKey(member, into: &draft.ddns) { continue }
            switch member.key {
            case "id": draft.id = UInt32(try integer(member, in: 0...4_294_967_294))
            case "subnet": _ = try string(member.value)
            case "pools": pools = try decodePools(member.value, path: "\(path)/pools")
            case "option-data": draft.optionData = try decodeOptionData(member.value, path: "\(path)/option-data")
            case "relay": draft.relayAddresses = try decodeRelay(member.value, as: IPv4Prefix.self)
            case "interface":
                let name = try string(member.value)
                draft.interface = name.isEmpty ? nil : name
            case "authoritative": draft.authoritative = try bool(member.value)
            case "match-client-id": draft.matchClientID = try bool(member.value)
            case "reservations": draft.reservations = try decodeReservations(member.value, path: "\(path)/reservations")
            case "client-class": draft.clientClass = try decodeClientClassGuard(member)
            case "require-client-classes": draft.requireClientClasses = try decodeClassNames(member)
            default:
                if try annotation(member) { continue }
                try other(member, context: "subnet4", path: path, ignorable: Dhcp4KeaKeys.subnetIgnored)
            }
        }
        try applyReservationMode(node, into: &draft.reservationModes)
        draft.prefix = try subnetPrefix(try require("subnet", in: node, context: "subnet4"), as: IPv4Prefix.self)
        draft.pools = pools
        try checkPoolRanges(draft.pools.map { ($0.first, $0.last) }, in: draft.prefix, subnet: node.position)
        try checkReservations(draft, at: node.position)
        return SubnetDraft(subnet: draft, timerScope: scope, path: path)
    }

    private mutating func decodePools(_ node: JSONNode, path: String) throws(ConfigError) -> [Pool4] {
        var pools: [Pool4] = []
        for (index, entry) in try array(node).enumerated() {
            var poolID: UInt32 = 0
            var options: [ConfiguredOption] = []
            var clientClass: String?
            var required: [String] = []
            for member in try object(entry) {
                switch member.key {
                case "pool": _ = try string(member.value)
                case "pool-id": poolID = try uint32(member)
                case "option-data": options = try decodeOptionData(member.value, path: "\(path)[\(index)]/option-data")
                case "client-class": clientClass = try decodeClientClassGuard(member)
                case "require-client-classes": required = try decodeClassNames(member)
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "pools", path: "\(path)[\(index)]", ignorable: Dhcp4KeaKeys.poolIgnored)
                }
            }
            let poolMember = try require("pool", in: entry, context: "pools")
            let (first, last) = try poolRange(poolMember.value, as: IPv4Prefix.self)
            var pool = Pool4(first: first, last: last, poolID: poolID, optionData: options)
            pool.clientClass = clientClass
            pool.requireClientClasses = required
            pools.append(pool)
        }
        return pools
    }
}
