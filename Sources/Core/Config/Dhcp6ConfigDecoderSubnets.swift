/// A decoded `subnet6` entry awaiting the checks that need the rest of `Dhcp6`.
struct Subnet6Draft {
    var subnet: Subnet6
    var timerScope: TimerScope
    var path: String
}

/// A decoded `shared-networks` entry with its subnets.
struct SharedNetwork6Draft {
    var network: SharedNetwork6
    var timers: LeaseTimers6
    var timerScope: TimerScope
    var reservationModes: ReservationModes
    var subnets: [Subnet6Draft]
}

/// `subnet6` entries, their `pools` and `pd-pools`, and `shared-networks`.
extension Dhcp6Decoding {
    mutating func decodeSubnets6(_ node: JSONNode, path: String) throws(ConfigError) -> [Subnet6Draft] {
        var drafts: [Subnet6Draft] = []
        for (index, entry) in try array(node).enumerated() {
            drafts.append(try decodeSubnet6(entry, path: "\(path)[\(index)]"))
        }
        return drafts
    }

    private mutating func decodeSubnet6(_ node: JSONNode, path: String) throws(ConfigError) -> Subnet6Draft {
        var s = Subnet6(id: 0, prefix: IPv6Prefix(network: .unspecified, length: 0))
        var pools: [Pool6] = []
        var pdPools: [(PDPool6, SourcePosition)] = []
        var scope = TimerScope(name: "subnet6", position: node.position)
        for member in try object(node) {
            if try decodeTimer6(member, into: &s.timers, scope: &scope) { continue }
            if try decodeReservationMode(member, into: &s.reservationModes) { continue }
            if try decodeDDNSScopeKey(member, into: &s.ddns) { continue }
            switch member.key {
            case "id": s.id = UInt32(try integer(member, in: 0...4_294_967_294))
            case "subnet": _ = try string(member.value)
            case "pools": pools = try decodePools6(member.value, path: "\(path)/pools")
            case "pd-pools": pdPools = try decodePDPools(member.value, path: "\(path)/pd-pools")
            case "option-data": s.optionData = try decodeOptionData6(member.value, path: "\(path)/option-data")
            case "relay": s.relayAddresses = try decodeRelay(member.value, as: IPv6Prefix.self)
            case "interface":
                let name = try string(member.value)
                s.interface = name.isEmpty ? nil : name
            case "interface-id":
                let text = try string(member.value)
                s.interfaceID = text.isEmpty ? nil : Array(text.utf8)
            case "rapid-commit": s.rapidCommit = try bool(member.value)
            case "reservations": s.reservations = try decodeReservations6(member.value, path: "\(path)/reservations")
            case "client-class": s.clientClass = try decodeClientClassGuard(member)
            case "require-client-classes": s.requireClientClasses = try decodeClassNames(member)
            default:
                if try annotation(member) { continue }
                try other(member, context: "subnet6", path: path, ignorable: Dhcp6KeaKeys.networkScopeIgnored)
            }
        }
        try applyReservationMode(node, into: &s.reservationModes)
        s.prefix = try subnetPrefix(try require("subnet", in: node, context: "subnet6"), as: IPv6Prefix.self)
        if s.interface != nil, s.interfaceID != nil {
            throw ConfigError.semantic(
                .conflict, "subnet configuration failed: interface (defined for locally reachable subnets) and "
                    + "interface-id (defined for subnets reachable via relays) cannot be defined at the same time for "
                    + "subnet \(s.prefix)", at: node.position)
        }
        s.pools = pools
        try checkPoolRanges(pools.map { ($0.first, $0.last) }, in: s.prefix, subnet: node.position)
        s.pdPools = pdPools.map(\.0)
        try checkReservations6(s.reservations, prefix: s.prefix, subnetID: s.id, at: node.position)
        return Subnet6Draft(subnet: s, timerScope: scope, path: path)
    }

    private mutating func decodePools6(_ node: JSONNode, path: String) throws(ConfigError) -> [Pool6] {
        var pools: [Pool6] = []
        for (index, entry) in try array(node).enumerated() {
            var options: [ConfiguredOption6] = []
            var clientClass: String?
            var required: [String] = []
            for member in try object(entry) {
                switch member.key {
                case "pool": _ = try string(member.value)
                case "pool-id": _ = try uint32(member)
                case "option-data": options = try decodeOptionData6(member.value, path: "\(path)[\(index)]/option-data")
                case "client-class": clientClass = try decodeClientClassGuard(member)
                case "require-client-classes": required = try decodeClassNames(member)
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "pools", path: "\(path)[\(index)]")
                }
            }
            let poolMember = try require("pool", in: entry, context: "pools")
            let (first, last) = try poolRange(poolMember.value, as: IPv6Prefix.self)
            var pool = Pool6(first: first, last: last)
            pool.optionData = options
            pool.clientClass = clientClass
            pool.requireClientClasses = required
            pools.append(pool)
        }
        return pools
    }

    /// `pd-pools`: `prefix`, `prefix-len`, `delegated-len` required; an excluded prefix needs
    /// both its keys and must lie in the pool's prefix, longer than the delegated length.
    private mutating func decodePDPools(_ node: JSONNode, path: String) throws(ConfigError) -> [(PDPool6, SourcePosition)] {
        var pools: [(PDPool6, SourcePosition)] = []
        for (index, entry) in try array(node).enumerated() {
            var prefixText = "", prefixLength: Int64 = 0, delegated: Int64 = 0
            var excludedText = "", excludedLength: Int64 = 0
            var options: [ConfiguredOption6] = []
            var clientClass: String?
            var required: [String] = []
            for member in try object(entry) {
                switch member.key {
                case "prefix": prefixText = try string(member.value)
                case "prefix-len": prefixLength = try integer(member.value)
                case "delegated-len": delegated = try integer(member.value)
                case "excluded-prefix": excludedText = try string(member.value)
                case "excluded-prefix-len": excludedLength = try integer(member.value)
                case "pool-id": _ = try uint32(member)
                case "option-data": options = try decodeOptionData6(member.value, path: "\(path)[\(index)]/option-data")
                case "client-class": clientClass = try decodeClientClassGuard(member)
                case "require-client-classes": required = try decodeClassNames(member)
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "pd-pools", path: "\(path)[\(index)]")
                }
            }
            for key in ["prefix", "prefix-len", "delegated-len"] { _ = try require(key, in: entry, context: "pd-pools") }
            let position = entry.position
            guard let address = IPv6Address(prefixText) else {
                throw ConfigError.semantic(.invalidValue, "Failed to convert string to address '\(prefixText)': Invalid argument",
                                           at: position)
            }
            guard (0...128).contains(prefixLength), (0...128).contains(delegated) else {
                throw ConfigError.semantic(.outOfRange, "Invalid prefix length: \(prefixLength)/\(delegated)", at: position)
            }
            guard delegated >= prefixLength else {
                throw ConfigError.semantic(
                    .conflict, "Delegated length (\(delegated)) must be longer than or equal to prefix length "
                        + "(\(prefixLength))", at: position)
            }
            var pool = PDPool6(prefix: IPv6Prefix(network: address, length: Int(prefixLength)), delegatedLength: Int(delegated))
            if !excludedText.isEmpty || excludedLength != 0 {
                guard let excluded = IPv6Address(excludedText), (1...128).contains(excludedLength) else {
                    throw ConfigError.semantic(.invalidValue, "excluded-prefix '\(excludedText)/\(excludedLength)' is not a valid "
                                               + "IPv6 prefix", at: position)
                }
                guard excludedLength > delegated else {
                    throw ConfigError.semantic(
                        .conflict, "length of the excluded prefix \(excludedText)/\(excludedLength) must be greater than the "
                            + "length of the delegated prefix \(pool.prefix.network)/\(delegated)", at: position)
                }
                guard pool.prefix.contains(excluded) else {
                    throw ConfigError.semantic(
                        .conflict, "excluded prefix \(excludedText)/\(excludedLength) must be in the delegated pool prefix "
                            + "\(pool.prefix)", at: position)
                }
                pool.excludedPrefix = IPv6Prefix(network: excluded, length: Int(excludedLength))
            }
            pool.optionData = options
            pool.clientClass = clientClass
            pool.requireClientClasses = required
            if pools.contains(where: { $0.0.prefix.contains(pool.prefix.network) || pool.prefix.contains($0.0.prefix.network) }) {
                throw ConfigError.semantic(
                    .conflict, "subnet configuration failed: a pool of type IA_PD, with the following address range: "
                        + "\(pool.prefix) overlaps with an existing pool", at: position)
            }
            pools.append((pool, position))
        }
        return pools
    }

    mutating func decodeSharedNetworks6(_ node: JSONNode) throws(ConfigError) -> [SharedNetwork6Draft] {
        var drafts: [SharedNetwork6Draft] = []
        for (index, entry) in try array(node).enumerated() {
            let path = "Dhcp6/shared-networks[\(index)]"
            var network = SharedNetwork6(name: "")
            var timers = LeaseTimers6()
            var scope = TimerScope(name: "shared-network", position: entry.position)
            var modes = ReservationModes()
            var subnets: [Subnet6Draft] = []
            for member in try object(entry) {
                if try decodeTimer6(member, into: &timers, scope: &scope) { continue }
                if try decodeReservationMode(member, into: &modes) { continue }
                if try decodeDDNSScopeKey(member, into: &network.ddns) { continue }
                switch member.key {
                case "name": network.name = try string(member.value)
                case "subnet6": subnets = try decodeSubnets6(member.value, path: "\(path)/subnet6")
                case "option-data": network.optionData = try decodeOptionData6(member.value, path: "\(path)/option-data")
                case "relay": network.relayAddresses = try decodeRelay(member.value, as: IPv6Prefix.self)
                case "interface":
                    let name = try string(member.value)
                    network.interface = name.isEmpty ? nil : name
                case "interface-id":
                    let text = try string(member.value)
                    network.interfaceID = text.isEmpty ? nil : Array(text.utf8)
                case "rapid-commit": network.rapidCommit = try bool(member.value)
                case "client-class": network.clientClass = try decodeClientClassGuard(member)
                case "require-client-classes": network.requireClientClasses = try decodeClassNames(member)
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "shared-network", path: path, ignorable: Dhcp6KeaKeys.networkScopeIgnored)
                }
            }
            try applyReservationMode(entry, into: &modes)
            let nameMember = try require("name", in: entry, context: "shared-network")
            if network.name.isEmpty {
                throw ConfigError.semantic(.invalidValue, "Shared-network with subnets  is missing mandatory 'name' parameter",
                                           at: entry.position)
            }
            if drafts.contains(where: { $0.network.name == network.name }) {
                throw ConfigError.semantic(.duplicate, "A shared-network with name \(network.name) already exists",
                                           at: nameMember.value.position)
            }
            drafts.append(SharedNetwork6Draft(network: network, timers: timers, timerScope: scope,
                                              reservationModes: modes, subnets: subnets))
        }
        return drafts
    }

    /// Folds networks into their subnets (subnet value, else network, else global for timers;
    /// relay, interface, interface-id, rapid-commit and class guard from the network when the
    /// subnet has none), numbers subnets without an id in file order (top-level subnets first,
    /// as Kea parses `subnet6` before `shared-networks`), then checks ids and prefixes.
    mutating func finishSharedNetworks6(_ networks: [SharedNetwork6Draft], topLevel: [Subnet6Draft],
                                        into config: inout Dhcp6Config) throws(ConfigError) {
        var all: [(Subnet6Draft, Int?)] = topLevel.map { ($0, nil) }
        for (index, network) in networks.enumerated() {
            try validateTimers6(network.timers.inheriting(from: config.timers), scope: network.timerScope, prefix: "")
            for var draft in network.subnets {
                draft.subnet.timers = draft.subnet.timers.inheriting(from: network.timers)
                draft.subnet.reservationModes = draft.subnet.reservationModes.inheriting(from: network.reservationModes)
                draft.subnet.ddns = draft.subnet.ddns.inheriting(from: network.network.ddns)
                if draft.subnet.relayAddresses.isEmpty { draft.subnet.relayAddresses = network.network.relayAddresses }
                draft.subnet.interface = draft.subnet.interface ?? network.network.interface
                draft.subnet.interfaceID = draft.subnet.interfaceID ?? network.network.interfaceID
                draft.subnet.rapidCommit = draft.subnet.rapidCommit ?? network.network.rapidCommit
                draft.subnet.clientClass = draft.subnet.clientClass ?? network.network.clientClass
                draft.subnet.sharedNetwork = index
                all.append((draft, index))
            }
        }
        var nextID: UInt32 = 1
        var subnets: [Subnet6] = []
        var sharedNetworks = networks.map(\.network)
        for (draft, network) in all {
            var subnet = draft.subnet
            let position = draft.timerScope.position
            try validateTimers6(subnet.timers.inheriting(from: config.timers), scope: draft.timerScope,
                                prefix: "subnet configuration failed: ")
            if subnet.id == 0 {
                subnet.id = nextID
                nextID += 1
            }
            if subnets.contains(where: { $0.id == subnet.id }) {
                throw ConfigError.semantic(.duplicate, "ID of the new IPv6 subnet '\(subnet.id)' is already in use", at: position)
            }
            if subnets.contains(where: { $0.prefix == subnet.prefix }) {
                throw ConfigError.semantic(.duplicate, "subnet with the prefix of '\(subnet.prefix)' already exists", at: position)
            }
            if let network { sharedNetworks[network].subnetIDs.append(subnet.id) }
            subnets.append(subnet)
        }
        config.subnets = subnets
        config.sharedNetworks = sharedNetworks
    }
}
