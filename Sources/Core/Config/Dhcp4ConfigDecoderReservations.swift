/// Host reservations, in a subnet or at the top level of Dhcp4, by `hw-address`, `duid`,
/// `circuit-id` or `client-id` (a `flex-id` needs Kea's flex_id hook and is refused), and the
/// keys that steer the lookup: `host-reservation-identifiers`, `reservations-global`,
/// `reservations-in-subnet`, `reservations-out-of-pool`, `early-global-reservations-lookup`.
extension Dhcp4Decoding {
    mutating func decodeReservations(_ node: JSONNode, path: String) throws(ConfigError) -> [Reservation4] {
        var out: [Reservation4] = []
        for (index, entry) in try array(node).enumerated() {
            out.append(try decodeReservation(entry, path: "\(path)[\(index)]"))
        }
        return out
    }

    private mutating func decodeReservation(_ node: JSONNode, path: String) throws(ConfigError) -> Reservation4 {
        var r = Reservation4(identifier: .clientID([]))
        var identifierKey: String?
        for member in try object(node) {
            if try decodeBootField(member, into: &r.bootFields) { continue }
            if let type = HostIdentifierType(rawValue: member.key) {
                if let first = identifierKey {
                    throw ConfigError.semantic(.conflict, "the '\(member.key)' and '\(first)' are mutually exclusive", at: member.value.position)
                }
                r.identifier = try decodeIdentifier(type, member.value, reservation: node.position)
                identifierKey = member.key
                continue
            }
            switch member.key {
            case "ip-address":
                let text = try string(member.value)
                guard let a = IPv4Address(text) else {
                    throw ConfigError.semantic(.invalidValue, "invalid ip-address '\(text)' in reservation", at: member.value.position)
                }
                r.address = a
            case "hostname":
                let h = try string(member.value)
                r.hostname = h.isEmpty ? nil : h
            case "option-data": r.optionData = try decodeOptionData(member.value, path: "\(path)/option-data")
            case "client-classes": r.clientClasses = try decodeClassNames(member)
            default:
                if try annotation(member) { continue }
                throw ConfigError.semantic(.unknownKey, "got unexpected keyword \"\(member.key)\" in reservations map.", at: member.value.position)
            }
        }
        guard identifierKey != nil else {
            let names = HostIdentifierType.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw ConfigError.semantic(.missingKey, "one of the supported identifiers must be specified for host reservation: \(names)", at: node.position)
        }
        return r
    }

    /// `host-reservation-identifiers` of Dhcp4: every identifier type Kea's DHCPv4 server knows.
    func decodeHostReservationIdentifiers(_ node: JSONNode) throws(ConfigError) -> [HostIdentifierType] {
        try decodeHostReservationIdentifiers(node, supported: HostIdentifierType.allCases)
    }

    /// A subnet's reservations: addresses inside the subnet, no address or identifier reserved
    /// twice (Kea's default `ip-reservations-unique: true`).
    func checkReservations(_ s: Subnet4, at position: SourcePosition) throws(ConfigError) {
        try checkReservations(s.reservations, subnetID: s.id, prefix: s.prefix, at: position)
    }

    /// Global reservations (Kea's subnet id 0): no address or identifier reserved twice.
    func checkGlobalReservations(_ reservations: [Reservation4], at position: SourcePosition) throws(ConfigError) {
        try checkReservations(reservations, subnetID: 0, prefix: nil, at: position)
    }

    private func checkReservations(_ list: [Reservation4], subnetID: UInt32, prefix: IPv4Prefix?,
                                   at position: SourcePosition) throws(ConfigError) {
        var addresses = Set<IPv4Address>()
        var identifiers = Set<HostIdentifier>()
        for r in list {
            let (hw, duid) = Self.keaHostLabels(r.identifier)
            if let a = r.address {
                if let p = prefix, !p.contains(a) {
                    throw ConfigError(code: .conflict, message: "specified reservation '\(a)' is not within the IPv4 subnet '\(p)'", position: position)
                }
                // Kea's text, its missing quote after the hardware address included.
                guard addresses.insert(a).inserted else {
                    throw ConfigError(code: .duplicate, message: "failed to add new host using the HW address '\(hw) and DUID '\(duid)' "
                                      + "to the IPv4 subnet id '\(subnetID)' for the address \(a): There's already a reservation for this address",
                                      position: position)
                }
            }
            guard identifiers.insert(Self.uniquenessKey(r.identifier)).inserted else {
                throw ConfigError(code: .duplicate, message: Self.duplicateHostText(r.identifier, subnetID: subnetID), position: position)
            }
        }
    }

    /// Hardware addresses are unique by their bytes, whatever the hardware type.
    private static func uniquenessKey(_ id: HostIdentifier) -> HostIdentifier {
        if case .hwAddress(let h) = id { return .hwAddress(HardwareAddress(bytes: h.bytes)) }
        return id
    }

    /// Kea's duplicate-host messages name the host by HW address and DUID, "(null)" when absent.
    /// Kea's `CfgHosts::add4` texts for a host added twice: by hardware address or DUID it
    /// names them, by another identifier it prints the identifier as type=hex.
    private static func duplicateHostText(_ id: HostIdentifier, subnetID: UInt32) -> String {
        switch id {
        case .hwAddress(let h):
            "failed to add new host using the HW address '\(HexText.colonSeparated(h.bytes))' to the IPv4 subnet id '\(subnetID)' as this host has already been added"
        case .duid(let d):
            "failed to add new host using the DUID '\(HexText.colonSeparated(d))' to the IPv4 subnet id '\(subnetID)' as this host has already been added"
        default:
            "failed to add duplicate IPv4 host using identifier: \(id.type.rawValue)=\(HexText.plain(id.bytes))"
        }
    }

    private static func keaHostLabels(_ id: HostIdentifier) -> (String, String) {
        switch id {
        case .hwAddress(let h): (HexText.colonSeparated(h.bytes), "(null)")
        case .duid(let d): ("(null)", HexText.colonSeparated(d))
        default: ("(null)", "(null)")
        }
    }
}
