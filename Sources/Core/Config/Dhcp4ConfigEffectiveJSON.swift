extension Dhcp4ConfigDecoder {
    /// config-get shows the effective subnet ids, including the ones numbered automatically.
    /// Subnets stay where they were written: inside their shared network or in `subnet4`
    /// (`config.subnets` holds the networks' subnets first, as the decoder numbers them).
    public static func withSubnetIDs(_ json: JSON, _ config: Dhcp4Config) -> JSON {
        guard var dhcp4 = json["Dhcp4"] else { return json }
        let networks = dhcp4["shared-networks"]?.arrayValue ?? []
        let nested = networks.map { $0["subnet4"]?.arrayValue ?? [] }
        let topLevel = dhcp4["subnet4"]?.arrayValue ?? []
        guard nested.reduce(0, { $0 + $1.count }) + topLevel.count == config.subnets.count else { return json }
        var ids = config.subnets.map(\.id)[...]
        if !networks.isEmpty {
            var numberedNetworks: [JSON] = []
            for (network, subnets) in zip(networks, nested) {
                let numbered = number(subnets, ids.prefix(subnets.count))
                ids = ids.dropFirst(subnets.count)
                guard var n = network.objectValue, n["subnet4"] != nil else { numberedNetworks.append(network); continue }
                n["subnet4"] = .array(numbered)
                numberedNetworks.append(.object(n))
            }
            dhcp4["shared-networks"] = .array(numberedNetworks)
        }
        if dhcp4["subnet4"] != nil { dhcp4["subnet4"] = .array(number(topLevel, ids)) }
        var out = json
        out["Dhcp4"] = dhcp4
        return out
    }

    /// Each subnet map without an id (or with 0) gets its effective id, first.
    private static func number(_ subnets: [JSON], _ ids: ArraySlice<UInt32>) -> [JSON] {
        var numbered: [JSON] = []
        for (s, id) in zip(subnets, ids) {
            guard var obj = s.objectValue else { numbered.append(s); continue }
            if obj["id"]?.intValue ?? 0 == 0 {
                obj = JSONObject([("id", JSON.int(Int64(id)))] + obj.members.filter { $0.key != "id" }.map { ($0.key, $0.value) })
            }
            numbered.append(.object(obj))
        }
        return numbered
    }
}
