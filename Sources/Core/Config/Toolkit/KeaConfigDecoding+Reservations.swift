/// Host-reservation and class-name keys every DHCP daemon shares: a reservation's identifier,
/// `host-reservation-identifiers`, the `reservations-*` flags and the deprecated
/// `reservation-mode`, and the keys that name classes (`client-class`, `require-client-classes`,
/// a reservation's `client-classes`).
extension KeaConfigDecoding {
    /// A hardware address as Kea writes it; any other identifier in hex ("01:02:03",
    /// "01 02 03" or "0x010203") or as text in single quotes ("'port-7'").
    /// A value that does not parse is Kea's `invalid host identifier value '…'`, at the
    /// reservation's map (`reservation`, else the value).
    func decodeIdentifier(_ type: HostIdentifierType, _ node: JSONNode, reservation: SourcePosition? = nil) throws(ConfigError) -> HostIdentifier {
        let text = try string(node)
        let invalid = ConfigError.semantic(.invalidValue, "invalid host identifier value '\(text)'", at: reservation ?? node.position)
        if type == .hwAddress {
            guard let h = HardwareAddress(text: text), !h.isEmpty else { throw invalid }
            return .hwAddress(h)
        }
        let bytes: [UInt8]
        if text.utf8.count >= 2, text.hasPrefix("'"), text.hasSuffix("'") {
            bytes = Array(text.utf8.dropFirst().dropLast())
        } else {
            bytes = HexText.decode(text) ?? []
        }
        guard !bytes.isEmpty else { throw invalid }
        switch type {
        case .hwAddress: return .hwAddress(HardwareAddress(bytes: bytes))
        case .duid: return .duid(bytes)
        case .circuitID: return .circuitID(bytes)
        case .clientID: return .clientID(bytes)
        case .flexID: return .flexID(bytes)
        }
    }

    /// `host-reservation-identifiers`, with Kea's checks: names among `supported` (the daemon's
    /// identifier types, in Kea's order), `auto` alone (it means every supported type), not empty.
    func decodeHostReservationIdentifiers(_ node: JSONNode,
                                          supported: [HostIdentifierType]) throws(ConfigError) -> [HostIdentifierType] {
        var out: [HostIdentifierType] = []
        for element in try array(node) {
            let name = try string(element)
            if name == "auto" {
                guard out.isEmpty else {
                    throw ConfigError.semantic(.conflict, "if 'auto' keyword is used, no other values can be specified within "
                                               + "'host-reservation-identifiers' list", at: element.position)
                }
                out = supported
                continue
            }
            guard let type = HostIdentifierType(rawValue: name), supported.contains(type) else {
                throw ConfigError.semantic(.invalidValue, "unsupported identifier '\(name)'", at: element.position)
            }
            out.append(type)
        }
        guard !out.isEmpty else {
            throw ConfigError.semantic(.invalidValue, "'host-reservation-identifiers' list must not be empty", at: node.position)
        }
        return out
    }

    /// `reservations-global`, `reservations-in-subnet`, `reservations-out-of-pool`.
    func decodeReservationMode(_ member: JSONNode.Member, into modes: inout ReservationModes) throws(ConfigError) -> Bool {
        switch member.key {
        case "reservations-global": modes.global = try bool(member.value)
        case "reservations-in-subnet": modes.inSubnet = try bool(member.value)
        case "reservations-out-of-pool": modes.outOfPool = try bool(member.value)
        case "reservation-mode": _ = try string(member.value)  // Applied after the map, by `applyReservationMode`.
        default: return false
        }
        return true
    }

    /// The deprecated `reservation-mode` of `node` (Dhcp4 or a subnet), turned into the three
    /// flags as Kea 2.4 does; it may not be mixed with them in one map.
    func applyReservationMode(_ node: JSONNode, into modes: inout ReservationModes) throws(ConfigError) {
        guard let member = node.member("reservation-mode") else { return }
        if ["reservations-global", "reservations-in-subnet", "reservations-out-of-pool"].contains(where: { node.member($0) != nil }) {
            throw ConfigError.semantic(.conflict, "invalid use of both 'reservation-mode' and one of 'reservations-global', "
                                       + "'reservations-in-subnet' or 'reservations-out-of-pool' parameters", at: member.keySpan.start)
        }
        let mode = try string(member.value)
        switch mode {
        case "disabled", "off":
            modes.global = false
            modes.inSubnet = false
        case "out-of-pool":
            modes.global = false
            modes.inSubnet = true
            modes.outOfPool = true
        case "global":
            modes.global = true
            modes.inSubnet = false
        case "all":
            modes.global = false
            modes.inSubnet = true
            modes.outOfPool = false
        default:
            throw ConfigError.semantic(.invalidValue, "invalid reservation-mode parameter: '\(mode)'", at: member.value.position)
        }
    }

    /// `client-class` of a subnet or pool: one class name; empty means none.
    func decodeClientClassGuard(_ member: JSONNode.Member) throws(ConfigError) -> String? {
        let name = try string(member.value)
        return name.isEmpty ? nil : name
    }

    /// `require-client-classes` of a subnet or pool, or a reservation's `client-classes`: a
    /// list of class names (Kea's grammar takes strings only; empty names are skipped).
    func decodeClassNames(_ member: JSONNode.Member) throws(ConfigError) -> [String] {
        var names: [String] = []
        for element in try array(member.value) {
            let name = try string(element)
            if !name.isEmpty, !names.contains(name) { names.append(name) }
        }
        return names
    }
}
