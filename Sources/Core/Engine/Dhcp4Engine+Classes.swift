extension Dhcp4Engine {
    /// Whether the client's classes let it use `subnet`: the subnet's `client-class` and its
    /// shared network's, when set, must be among them.
    func admits(_ subnet: Subnet4, _ x: Exchange) -> Bool {
        if let c = subnet.clientClass, !x.classes.contains(c) { return false }
        if let n = subnet.sharedNetwork, let c = config.sharedNetworks[n].clientClass, !x.classes.contains(c) {
            return false
        }
        return true
    }

    /// Whether the client's classes let it take addresses from `pool`.
    func admits(_ pool: Pool4, _ x: Exchange) -> Bool {
        pool.clientClass.map { x.classes.contains($0) } ?? true
    }

    /// The `option-data` lists that can answer for a reply, highest precedence first, as Kea
    /// ranks them: the host reservation, the pool, the subnet, its shared network, the
    /// client's classes (in the order the packet joined them), then the global options.
    func optionLayers(_ x: Exchange, subnet: Subnet4, pool: Pool4?, reservation: Reservation4?) -> [[ConfiguredOption]] {
        var layers: [[ConfiguredOption]] = []
        if let r = reservation, !r.optionData.isEmpty { layers.append(r.optionData) }
        if let p = pool, !p.optionData.isEmpty { layers.append(p.optionData) }
        if !subnet.optionData.isEmpty { layers.append(subnet.optionData) }
        if let n = subnet.sharedNetwork, !config.sharedNetworks[n].optionData.isEmpty {
            layers.append(config.sharedNetworks[n].optionData)
        }
        for name in x.classes {
            if let c = clientClass(named: name), !c.optionData.isEmpty { layers.append(c.optionData) }
        }
        if !config.optionData.isEmpty { layers.append(config.optionData) }
        return layers
    }

    /// The configured class of that name, if any.
    func clientClass(named name: String) -> ClientClass4? {
        config.clientClasses.first { $0.name == name }
    }
}
