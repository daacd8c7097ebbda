/// A decoded pool with what its error messages need.
struct PoolDraft {
    var pool: Pool4
    var position: SourcePosition
}

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
        var pools: [PoolDraft] = []
        var scope = TimerScope(name: "subnet4", position: node.position)
        for member in try object(node) {
            if try decodeTimer(member, into: &draft.timers, scope: &scope) { continue }
            if try decodeBootField(member, into: &draft.bootFields) { continue }
            if try decodeReservationMode(member, into: &draft.reservationModes) { continue }
            if try decodeAllocationKey(member, into: &draft.allocation) { continue }
            switch member.key {
            case "id": draft.id = UInt32(try integer(member, in: 0...4_294_967_294))
            case "subnet": _ = try string(member.value)
            case "pools": pools = try decodePools(member.value, path: "\(path)/pools")
            case "option-data": draft.optionData = try decodeOptionData(member.value, path: "\(path)/option-data")
            case "relay": draft.relayAddresses = try decodeRelay(member.value)
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
        draft.prefix = try subnetPrefix(try require("subnet", in: node, context: "subnet4"))
        draft.pools = try checkPools(pools, in: draft.prefix, subnet: node.position)
        try checkReservations(draft, at: node.position)
        return SubnetDraft(subnet: draft, timerScope: scope, path: path)
    }

    /// "192.0.2.0/24", spaces allowed as in Kea; host bits are cleared.
    private func subnetPrefix(_ member: JSONNode.Member) throws(ConfigError) -> IPv4Prefix {
        let text = String(try string(member.value).filter { $0 != " " && $0 != "\t" })
        let position = member.value.position
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw ConfigError.semantic(.invalidValue, "subnet configuration failed: Invalid subnet syntax (prefix/len expected):\(text)", at: position)
        }
        guard let address = IPv4Address(parts[0]) else {
            throw ConfigError.semantic(
                .invalidValue, "subnet configuration failed: Failed to convert string to address '\(parts[0])': Invalid argument", at: position)
        }
        guard let length = Int(parts[1]), (0...32).contains(length) else {
            throw ConfigError.semantic(
                .invalidValue, "subnet configuration failed: Invalid prefix length specified for subnet: \(parts[1])", at: position)
        }
        return IPv4Prefix(network: address, length: length)
    }

    private mutating func decodePools(_ node: JSONNode, path: String) throws(ConfigError) -> [PoolDraft] {
        var pools: [PoolDraft] = []
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
            let (first, last) = try poolRange(poolMember.value)
            var pool = Pool4(first: first, last: last, poolID: poolID, optionData: options)
            pool.clientClass = clientClass
            pool.requireClientClasses = required
            pools.append(PoolDraft(pool: pool, position: poolMember.value.position))
        }
        return pools
    }

    /// `"first - last"` or `"prefix/len"`, with Kea's `PoolParser` messages.
    private func poolRange(_ node: JSONNode) throws(ConfigError) -> (IPv4Address, IPv4Address) {
        let original = try string(node)
        let text = String(original.filter { $0 != " " && $0 != "\t" })
        let position = node.position
        if text.contains("/") {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard let address = IPv4Address(parts[0]), let length = Int(parts[1]), (0...255).contains(length) else {
                throw ConfigError.semantic(.invalidValue, "Failed to parse pool definition: \(text)", at: position)
            }
            guard length <= 32 else { throw ConfigError.semantic(.invalidValue, "Failed to create pool defined by: \(text)", at: position) }
            let prefix = IPv4Prefix(network: address, length: length)
            return (prefix.first, prefix.last)
        }
        if text.contains("-") {
            let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let first = IPv4Address(parts[0]), let last = IPv4Address(parts[1]) else {
                throw ConfigError.semantic(.invalidValue, "Failed to parse pool definition: \(text)", at: position)
            }
            guard first <= last else { throw ConfigError.semantic(.invalidValue, "Failed to create pool defined by: \(text)", at: position) }
            return (first, last)
        }
        throw ConfigError.semantic(
            .invalidValue, "invalid pool definition: \(original). There are two acceptable formats <min address-max address> or <prefix/len>",
            at: position)
    }

    /// Kea's `Subnet::addPool` checks: inside the subnet, no overlap with an earlier pool.
    /// Errors point at the subnet's map, as Kea's do.
    private func checkPools(_ drafts: [PoolDraft], in prefix: IPv4Prefix, subnet position: SourcePosition) throws(ConfigError) -> [Pool4] {
        var pools: [Pool4] = []
        for draft in drafts {
            let pool = draft.pool
            let range = "a pool of type V4, with the following address range: \(pool.first)-\(pool.last)"
            guard prefix.contains(pool.first), prefix.contains(pool.last) else {
                throw ConfigError.semantic(
                    .conflict, "subnet configuration failed: \(range) does not match the prefix of a subnet: "
                        + "\(prefix) to which it is being added", at: position)
            }
            if pools.contains(where: { $0.first <= pool.last && pool.first <= $0.last }) {
                throw ConfigError.semantic(
                    .conflict, "subnet configuration failed: \(range) overlaps with an existing pool in the subnet: "
                        + "\(prefix) to which it is being added", at: position)
            }
            pools.append(pool)
        }
        return pools
    }

    /// `relay`: `ip-addresses` (a list), or the older single `ip-address`, not both.
    /// An address of `relay`, with Kea's `RelayInfoParser` text (sic) at the key's position.
    private func relayAddress(_ node: JSONNode, key: SourcePosition) throws(ConfigError) -> IPv4Address {
        let text = try string(node)
        guard let address = IPv4Address(text) else {
            throw ConfigError.semantic(.invalidValue, "address \(text) is not a valid: IPv4address", at: key)
        }
        return address
    }

    mutating func decodeRelay(_ node: JSONNode) throws(ConfigError) -> [IPv4Address] {
        var addresses: [IPv4Address] = []
        var forms = 0
        for member in try object(node) {
            switch member.key {
            case "ip-addresses":
                addresses = []
                for element in try array(member.value) { addresses.append(try relayAddress(element, key: member.keySpan.start)) }
                forms += 1
            case "ip-address":
                addresses = [try relayAddress(member.value, key: member.keySpan.start)]
                forms += 1
            default:
                try other(member, context: "relay", path: "relay")
            }
        }
        guard forms < 2 else {
            throw ConfigError.semantic(.conflict, "specify either ip-address or ip-addresses, not both", at: node.position)
        }
        return addresses
    }
}
