extension Dhcp4ConfigDecoder {
    /// config-get shows the effective subnet ids, including the ones numbered automatically.
    public static func withSubnetIDs(_ json: JSON, _ config: Dhcp4Config) -> JSON {
        guard var dhcp4 = json["Dhcp4"], let subnets = dhcp4["subnet4"]?.arrayValue,
              subnets.count == config.subnets.count else { return json }
        var numbered: [JSON] = []
        for (s, c) in zip(subnets, config.subnets) {
            guard var obj = s.objectValue else { numbered.append(s); continue }
            if obj["id"]?.intValue ?? 0 == 0 {
                obj = JSONObject([("id", JSON.int(Int64(c.id)))] + obj.members.filter { $0.key != "id" }.map { ($0.key, $0.value) })
            }
            numbered.append(.object(obj))
        }
        dhcp4["subnet4"] = .array(numbered)
        var out = json
        out["Dhcp4"] = dhcp4
        return out
    }
}
