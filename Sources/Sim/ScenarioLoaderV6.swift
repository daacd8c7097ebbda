import KakapoCore
import Yams

/// The parts of a `family: 6` scenario that differ from DHCPv4: IPv6 segments, relays that
/// send Relay-forward messages, and what DHCPv6 clients ask for.
extension ScenarioReader {
    /// A DHCPv6 segment: an IPv6 prefix, servers attached directly (with their global address
    /// on the link), a relay, and addresses that fail duplicate address detection.
    func segment6(_ f: Fields, name: String, known: Known) throws(ScenarioError) -> SegmentSpec {
        let what = "segment '\(name)'"
        let prefix = try prefix6(required(f, "prefix"), "prefix of \(what)")
        var segment = SegmentSpec(name: name, prefix: IPv4Prefix(network: .zero, length: 0))
        segment.prefix6 = prefix
        if let serversNode = f["servers"] {
            for entry in try list(serversNode, "servers of \(what)") {
                let attached = try directServer6(entry, prefix: prefix, what: what, known: known)
                if segment.directServers6.contains(where: { $0.server == attached.server }) {
                    throw error("server '\(attached.server)' is attached to \(what) twice", at: entry)
                }
                segment.directServers6.append(attached)
            }
        }
        if let relayNode = f["relay"] { segment.relay = try relay6(relayNode, prefix: prefix, what: what, known: known) }
        guard !segment.directServers6.isEmpty || segment.relay != nil else {
            throw error("\(what) reaches no server: give 'servers' (attached directly) or a 'relay'", at: f.node)
        }
        if let conflictsNode = f["conflicts"] {
            for entry in try list(conflictsNode, "conflicts of \(what)") {
                let address = try address6(entry, "conflicting address")
                guard prefix.contains(address) else {
                    throw error("conflicting address \(address) is outside the prefix \(prefix) of \(what)", at: entry)
                }
                segment.conflictingAddresses6.append(address)
            }
        }
        return segment
    }

    func directServer6(_ node: Node, prefix: IPv6Prefix, what: String, known: Known) throws(ScenarioError) -> (server: String, address: IPv6Address) {
        if case .scalar = node {
            let name = try reference(node, "server attached to \(what)", known: known.serverOrder, kind: "server")
            guard let address = known.servers[name]?.address6, prefix.contains(address) else {
                throw error("server '\(name)' has no address inside the prefix \(prefix) of \(what); "
                            + "give its address on this link: { server: \(name), address: ... }", at: node)
            }
            return (name, address)
        }
        let f = try fields(node, "server attached to \(what)", allowed: ["server", "address"])
        let name = try reference(required(f, "server"), "server attached to \(what)", known: known.serverOrder, kind: "server")
        let addressNode = try required(f, "address")
        let address = try address6(addressNode, "address of server '\(name)' on \(what)")
        guard prefix.contains(address) else {
            throw error("address \(address) of server '\(name)' is outside the prefix \(prefix) of \(what)", at: addressNode)
        }
        return (name, address)
    }

    /// `{ address: A, servers: [..], interface-id: TEXT, remote-id: TEXT }`: the address is the
    /// relay's on the link, sent as the Relay-forward's link-address.
    func relay6(_ node: Node, prefix: IPv6Prefix, what segment: String, known: Known) throws(ScenarioError) -> RelaySpec {
        let what = "relay of \(segment)"
        let f = try fields(node, what, allowed: ["address", "servers", "interface-id", "remote-id"])
        let addressNode = try required(f, "address")
        let address = try address6(addressNode, "address of the \(what)")
        guard prefix.contains(address) else {
            throw error("address \(address) of the \(what) (its link-address) is outside the segment's prefix \(prefix)", at: addressNode)
        }
        var relay = RelaySpec(address: .zero, servers: try relayServers(f, what: what, known: known))
        relay.address6 = address
        if let n = f["interface-id"] { relay.interfaceID = try nonEmpty(n, "interface-id") }
        if let n = f["remote-id"] { relay.remoteID = try nonEmpty(n, "remote-id") }
        return relay
    }

    /// `ia: na`, `ia: pd` or `ia: [na, pd]`.
    func iaRequest(_ node: Node, _ what: String) throws(ScenarioError) -> IARequest {
        let items: [Node]
        if case .sequence = node { items = try list(node, what) } else { items = [node] }
        var ia: IARequest = []
        for item in items {
            switch try scalar(item, what) {
            case "na": ia.insert(.na)
            case "pd": ia.insert(.pd)
            case let other: throw error("\(what) must be na, pd or [na, pd], not '\(other)'", at: item)
            }
        }
        guard !ia.isEmpty else { throw error("\(what) asks for nothing; give na, pd or [na, pd]", at: node) }
        return ia
    }
}
