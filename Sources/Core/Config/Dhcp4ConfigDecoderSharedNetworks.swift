/// A decoded `shared-networks` entry: the network, the scalars its subnets inherit, and its
/// subnets, not yet numbered nor checked against the rest of `Dhcp4`.
struct SharedNetworkDraft {
    var network: SharedNetwork4
    /// Where the network's map starts.
    var position: SourcePosition
    var timers = LeaseTimers()
    var timerScope: TimerScope
    var authoritative: Bool?
    var matchClientID: Bool?
    var bootFields = BootFields()
    var reservationModes = ReservationModes()
    /// `allocator`, `cache-threshold`, `cache-max-age` (Dhcp4ConfigAllocation.swift).
    var allocation = AllocationSettings()
    /// The network's `ddns-*` keys.
    var ddns = DDNSScope()
    /// `relay`; nil when the network has none.
    var relayAddresses: [IPv4Address]?
    var interface: String?
    var subnets: [SubnetDraft] = []
}

extension Dhcp4KeaKeys {
    /// Kea 2.4's `shared_network_param` keys (dhcp4_parser.yy) that Kakapo sets aside.
    static let sharedNetworkIgnored: [String: KeaValueKind] = networkScopeIgnored
}

/// `shared-networks`: subnets on one link, with parameters their subnets inherit.
///
/// As Kea 2.4: `name` is mandatory (`SharedNetwork4Parser`) and unique (`CfgSharedNetworks4::add`);
/// the networks' subnets are parsed before the top-level `subnet4` list, so automatic subnet
/// ids go to them first; a subnet's value wins over its network's, which wins over the global
/// one; afterwards (`sharedNetworksSanityChecks`) every subnet must have the network's
/// authoritative setting, and subnets naming an interface must agree with each other and with
/// the network.
extension Dhcp4Decoding {
    /// `key` is where `shared-networks` is written: Kea's duplicate-name error points there.
    mutating func decodeSharedNetworks(_ node: JSONNode, key: SourcePosition) throws(ConfigError) -> [SharedNetworkDraft] {
        var drafts: [SharedNetworkDraft] = []
        for (index, entry) in try array(node).enumerated() {
            let draft = try decodeSharedNetwork(entry, path: "Dhcp4/shared-networks[\(index)]")
            // CfgSharedNetworks4::add, its message completed by the list parser with the list's position.
            if drafts.contains(where: { $0.network.name == draft.network.name }) {
                throw ConfigError.semantic(
                    .duplicate, "duplicate network '\(draft.network.name)' found in the configuration", at: key)
            }
            drafts.append(draft)
        }
        return drafts
    }

    private mutating func decodeSharedNetwork(_ node: JSONNode, path: String) throws(ConfigError) -> SharedNetworkDraft {
        let members = try object(node)
        // SimpleParser::getString's message, completed by SharedNetwork4Parser with the map's position.
        guard let nameMember = node.member("name") else {
            throw ConfigError(code: .missingKey, message: "missing parameter 'name' (\(node.position))", position: node.position)
        }
        var draft = SharedNetworkDraft(
            network: SharedNetwork4(name: try string(nameMember.value)), position: node.position,
            timerScope: TimerScope(name: "shared-network", position: node.position))
        for member in members {
            if try decodeTimer(member, into: &draft.timers, scope: &draft.timerScope) { continue }
            if try decodeBootField(member, into: &draft.bootFields) { continue }
            if try decodeReservationMode(member, into: &draft.reservationModes) { continue }
            if try decodeAllocationKey(member, into: &draft.allocation) { continue }
            if try decodeDDNSScopeKey(member, into: &draft.ddns) { continue }
            switch member.key {
            case "name": break
            case "subnet4": draft.subnets = try decodeSubnets(member.value, path: "\(path)/subnet4")
            case "interface":
                let name = try string(member.value)
                draft.interface = name.isEmpty ? nil : name
            case "relay": draft.relayAddresses = try decodeRelay(member.value, as: IPv4Prefix.self)
            case "option-data":
                draft.network.optionData = try decodeOptionData(member.value, path: "\(path)/option-data")
            case "client-class":
                let name = try string(member.value)
                draft.network.clientClass = name.isEmpty ? nil : name
            case "require-client-classes":
                var names: [String] = []
                for element in try array(member.value) {
                    let name = try string(element)
                    if !name.isEmpty && !names.contains(name) { names.append(name) }
                }
                draft.network.requireClientClasses = names
            case "authoritative": draft.authoritative = try bool(member.value)
            case "match-client-id": draft.matchClientID = try bool(member.value)
            default:
                if try annotation(member) { continue }
                try other(member, context: "shared-networks", path: path, ignorable: Dhcp4KeaKeys.sharedNetworkIgnored)
            }
        }
        try applyReservationMode(node, into: &draft.reservationModes)
        return draft
    }

    /// Numbers and checks every subnet, the networks' first (Kea parses `shared-networks`
    /// before `subnet4`), folds each network's parameters into its subnets, then makes Kea's
    /// shared-network sanity checks. Fills `config.subnets` and `config.sharedNetworks`.
    mutating func finishSharedNetworks(
        _ networks: [SharedNetworkDraft], topLevel: [SubnetDraft], into config: inout Dhcp4Config
    ) throws(ConfigError) {
        var drafts: [SubnetDraft] = []
        var owner: [Int?] = []
        for (index, network) in networks.enumerated() {
            try validateTimers(network.timers.inheriting(from: config.timers), scope: network.timerScope, prefix: "")
            for var s in network.subnets {
                inherit(&s.subnet, from: network)
                drafts.append(s)
                owner.append(index)
            }
        }
        drafts += topLevel
        owner += Array(repeating: nil, count: topLevel.count)
        var subnets = try finishSubnets(drafts, global: config.timers)
        var shared: [SharedNetwork4] = networks.map(\.network)
        for i in subnets.indices {
            guard let n = owner[i] else { continue }
            subnets[i].sharedNetwork = n
            shared[n].subnetIDs.append(subnets[i].id)
        }
        for (index, network) in networks.enumerated() {
            try checkSharedNetwork(network, subnets: subnets.filter { $0.sharedNetwork == index },
                                   positions: zip(drafts, owner).filter { $0.1 == index }.map(\.0.timerScope.position),
                                   global: config.authoritative)
        }
        config.subnets = subnets
        config.sharedNetworks = shared
    }

    /// Subnet value, else the network's (the global one is applied later, at run time).
    private func inherit(_ subnet: inout Subnet4, from network: SharedNetworkDraft) {
        subnet.timers = subnet.timers.inheriting(from: network.timers)
        subnet.authoritative = subnet.authoritative ?? network.authoritative
        subnet.matchClientID = subnet.matchClientID ?? network.matchClientID
        subnet.bootFields = subnet.bootFields.inheriting(from: network.bootFields)
        subnet.reservationModes = subnet.reservationModes.inheriting(from: network.reservationModes)
        subnet.allocation = subnet.allocation.inheriting(from: network.allocation)
        subnet.ddns = subnet.ddns.inheriting(from: network.ddns)
        if subnet.relayAddresses.isEmpty, let relay = network.relayAddresses { subnet.relayAddresses = relay }
        subnet.interface = subnet.interface ?? network.interface
    }

    /// Kea's `sharedNetworksSanityChecks`, worded as Kea; the position is the subnet's (or,
    /// for the name, the network's).
    private func checkSharedNetwork(
        _ network: SharedNetworkDraft, subnets: [Subnet4], positions: [SourcePosition], global: Bool
    ) throws(ConfigError) {
        let authoritative = network.authoritative ?? global
        var interface = network.interface
        for (subnet, position) in zip(subnets, positions) {
            let own = subnet.authoritative ?? global
            if own != authoritative {
                throw ConfigError.semantic(
                    .conflict, "Subnet \(subnet.prefix) has different authoritative setting \(own) "
                        + "than the shared-network itself: \(authoritative)", at: position)
            }
            guard let name = subnet.interface else { continue }
            guard let used = interface else {
                interface = name
                continue
            }
            if name != used {
                throw ConfigError.semantic(
                    .conflict, "Subnet \(subnet.prefix) has specified interface \(name), but earlier subnet "
                        + "in the same shared-network or the shared-network itself used \(used)", at: position)
            }
        }
        if network.network.name.isEmpty {
            let listed = subnets.map { "\($0.prefix) " }.joined()
            throw ConfigError.semantic(
                .missingKey, "Shared-network with subnets \(listed) is missing mandatory 'name' parameter",
                at: network.position)
        }
    }
}
