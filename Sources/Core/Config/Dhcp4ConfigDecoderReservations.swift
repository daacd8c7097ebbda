/// `reservations` of a subnet: by `hw-address` or `client-id` (Kea's other identifiers,
/// `duid`, `circuit-id` and `flex-id`, are refused with a clear message until supported).
extension Dhcp4Decoding {
    mutating func decodeReservations(_ node: JSONNode, path: String) throws(ConfigError) -> [Reservation4] {
        var out: [Reservation4] = []
        for (index, entry) in try array(node).enumerated() {
            out.append(try decodeReservation(entry, path: "\(path)[\(index)]"))
        }
        return out
    }

    private mutating func decodeReservation(_ node: JSONNode, path: String) throws(ConfigError) -> Reservation4 {
        var r = Reservation4()
        var identifiers = 0
        for member in try object(node) {
            if try decodeBootField(member, into: &r.bootFields) { continue }
            switch member.key {
            case "hw-address":
                guard let h = HardwareAddress(text: try string(member.value)), !h.isEmpty else {
                    throw ConfigError.semantic(.invalidValue, "invalid hw-address '\(try string(member.value))' in reservation", at: member.value.position)
                }
                r.hardwareAddress = h
                identifiers += 1
            case "client-id":
                let text = try string(member.value)
                guard let c = HexText.decode(text), !c.isEmpty else {
                    throw ConfigError.semantic(.invalidValue, "invalid client-id '\(text)' in reservation", at: member.value.position)
                }
                r.clientID = c
                identifiers += 1
            case "duid", "circuit-id", "flex-id":
                throw ConfigError.semantic(.unsupported, "reservations by '\(member.key)' are not supported by Kakapo yet; use hw-address or client-id",
                                           at: member.value.position)
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
            case "client-classes":
                _ = try array(member.value)
                setAside("\(path)/client-classes", at: member.value.position)
            default:
                if try annotation(member) { continue }
                throw ConfigError.semantic(.unknownKey, "got unexpected keyword \"\(member.key)\" in reservations map.", at: member.value.position)
            }
        }
        guard identifiers == 1 else {
            throw ConfigError.semantic(identifiers == 0 ? .missingKey : .conflict, "exactly one identifier (hw-address or client-id) must be specified for a reservation", at: node.position)
        }
        return r
    }

    /// Addresses inside the subnet, and no address or identifier reserved twice (Kea's
    /// default `ip-reservations-unique: true`).
    func checkReservations(_ s: Subnet4, at position: SourcePosition) throws(ConfigError) {
        var addresses = Set<IPv4Address>()
        var hws = Set<HardwareAddress>()
        var cids = Set<[UInt8]>()
        for r in s.reservations {
            if let a = r.address {
                guard s.prefix.contains(a) else {
                    throw ConfigError.semantic(.conflict, "specified reservation for address \(a) is not within the IPv4 subnet \(s.prefix)", at: position)
                }
                guard addresses.insert(a).inserted else {
                    throw ConfigError.semantic(.duplicate, "failed to add new host using the HW address and DHCPv4 subnet id \(s.id) to the IPv4 address \(a): There's already a reservation for this address", at: position)
                }
            }
            if let h = r.hardwareAddress, !hws.insert(h).inserted {
                throw ConfigError.semantic(.duplicate, "failed to add new host using the HW address '\(h)' to the subnet: already reserved", at: position)
            }
            if let c = r.clientID, !cids.insert(c).inserted {
                throw ConfigError.semantic(.duplicate, "failed to add new host using the client-id '\(HexText.colonSeparated(c))' to the subnet: already reserved", at: position)
            }
        }
    }
}
