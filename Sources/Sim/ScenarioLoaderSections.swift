import KakapoCore
import Yams

/// The sections of a scenario file, from the top down.
extension ScenarioReader {
    static let topKeys = ["name", "description", "seed", "family", "duration", "databases", "servers", "segments", "populations", "faults", "expect", "ddns"]

    func scenario(_ root: Node) throws(ScenarioError) -> Scenario {
        let top = try fields(root, "the scenario", allowed: Self.topKeys)
        let name = try self.name(required(top, "name"), "name")
        let duration = try self.duration(required(top, "duration"), "duration", allowZero: false)
        var scenario = Scenario(name: name, durationMilliseconds: duration)
        if let node = top["description"] { scenario.description = try text(node, "description") }
        if let node = top["seed"] { scenario.seed = try seed(node) }

        var reader = self
        if let node = top["family"] {
            let value = try scalar(node, "family")
            guard value == "4" || value == "6" else { throw error("family must be 4 (DHCPv4) or 6 (DHCPv6), not '\(value)'", at: node) }
            reader.family = value == "6" ? 6 : 4
            if reader.family == 6, let db = top["databases"] {
                throw error("databases (a shared lease database) are not simulated for DHCPv6", at: db)
            }
        }
        scenario.family = reader.family
        return try reader.sections(top, into: scenario, duration: duration)
    }

    func sections(_ top: Fields, into scenario: Scenario, duration: Int64) throws(ScenarioError) -> Scenario {
        var scenario = scenario
        var known = Known(duration: duration)
        if let node = top["databases"] { scenario.databases = try databases(node, into: &known) }
        scenario.servers = try servers(required(top, "servers"), into: &known)
        scenario.segments = try segments(required(top, "segments"), into: &known)
        scenario.populations = try populations(required(top, "populations"), into: &known)
        if let node = top["faults"] {
            scenario.faults = try faults(node, known: known)
        }
        if let node = top["ddns"] {
            guard family == 4 else { throw error("ddns is simulated for DHCPv4 only", at: node) }
            scenario.ddns = try ddns(node)
        }
        if let node = top["expect"] {
            scenario.expectations = try expectations(node, known: known)
        }
        return scenario
    }

    /// What has been read so far, for checking references and totals.
    struct Known {
        var duration: Int64
        var servers: [String: ServerSpec] = [:]
        var serverOrder: [String] = []
        var databases: [String] = []
        var segments: [String: SegmentSpec] = [:]
        var segmentOrder: [String] = []
        /// Clients per segment, over all populations.
        var clientsPerSegment: [String: Int] = [:]
        var totalClients = 0
    }

    /// "server 's1'" when the mapping has a readable name, else "a server".
    func label(_ node: Node, _ kind: String, nameKey: String = "name") -> String {
        if case .mapping(let mapping) = node, case .scalar(let scalar)? = mapping[nameKey], !scalar.string.isEmpty {
            return "\(kind) '\(scalar.string)'"
        }
        return "a \(kind)"
    }

    func reference(_ node: Node, _ what: String, known: [String], kind: String) throws(ScenarioError) -> String {
        let value = try scalar(node, what)
        guard known.contains(value) else {
            let list = known.isEmpty ? "none are defined" : "known \(kind)s: \(known.joined(separator: ", "))"
            var message = "\(what) names unknown \(kind) '\(value)'; \(list)"
            if let guess = Self.closest(to: value, in: known) { message += " (did you mean '\(guess)'?)" }
            throw error(message, at: node)
        }
        return value
    }

    // MARK: Servers

    func servers(_ node: Node, into known: inout Known) throws(ScenarioError) -> [ServerSpec] {
        let items = try list(node, "servers")
        guard !items.isEmpty else { throw error("servers is empty; a scenario needs at least one server", at: node) }
        var result: [ServerSpec] = []
        for item in items {
            let f = try fields(item, label(item, "server"), allowed: ["name", "address", "config", "storage"])
            let nameNode = try required(f, "name")
            let name = try self.name(nameNode, "server name")
            guard known.servers[name] == nil else {
                throw error("a server named '\(name)' is already defined", at: nameNode)
            }
            var address = IPv4Address.zero, address6: IPv6Address? = nil
            if family == 6 {
                let a = try self.address6(required(f, "address"), "address of server '\(name)'")
                if let other = known.serverOrder.first(where: { known.servers[$0]?.address6 == a }) {
                    throw error("server '\(name)' has the same address \(a) as server '\(other)'", at: f["address"])
                }
                address6 = a
            } else {
                address = try self.address(required(f, "address"), "address of server '\(name)'")
                if let other = known.serverOrder.first(where: { known.servers[$0]?.address == address }) {
                    throw error("server '\(name)' has the same address \(address) as server '\(other)'", at: f["address"])
                }
            }
            let config = try self.config(required(f, "config"), "config of server '\(name)'")
            var server = ServerSpec(name: name, configText: config.text, configSource: config.source, address: address)
            server.address6 = address6
            if let storageNode = f["storage"] {
                server.storage = try storage(storageNode, "storage of server '\(name)'", databases: known.databases)
            }
            known.servers[name] = server
            known.serverOrder.append(name)
            result.append(server)
        }
        return result
    }

    /// A Kea config: a path (relative to the scenario's folder) or an inline mapping.
    func config(_ node: Node, _ what: String) throws(ScenarioError) -> (text: String, source: String) {
        switch node {
        case .scalar(let scalar):
            let path = scalar.string
            guard !path.isEmpty else {
                throw error("\(what) is empty; give a file path or an inline { Dhcp4: ... } mapping", at: node)
            }
            let resolved = ScenarioLoader.resolve(path, against: baseDirectory)
            do {
                return (try readFile(resolved), resolved)
            } catch {
                throw self.error("cannot read \(what) '\(resolved)': \(error)", at: node)
            }
        case .mapping:
            // Laid out so that line:column in the JSON text are those of the YAML: errors the
            // config parser reports against `source` point into the scenario file.
            var converter = YAMLToJSON(reader: self)
            return (try converter.convert(node), file)
        case .sequence:
            throw error("\(what) must be a file path or an inline { Dhcp4: ... } mapping, not a list", at: node)
        }
    }

    func storage(_ node: Node, _ what: String, databases: [String]) throws(ScenarioError) -> StorageMode {
        let hint = "write-through, { database: NAME }, { forget-every: N } or { lazy: DURATION }"
        if case .scalar(let scalar) = node {
            guard scalar.string == "write-through" else {
                throw error("\(what) must be \(hint), not '\(scalar.string)'", at: node)
            }
            return .writeThrough
        }
        let choice = try oneOf(node, what, choices: ["database", "forget-every", "lazy"], hint: hint)
        switch choice.key {
        case "database":
            return .shared(database: try reference(choice.value, "database", known: databases, kind: "database"))
        case "forget-every":
            return .forgetEveryNth(try integer(choice.value, "forget-every", min: 1))
        default:
            return .lazy(delayMilliseconds: try duration(choice.value, "lazy", allowZero: false))
        }
    }

    // MARK: Databases

    func databases(_ node: Node, into known: inout Known) throws(ScenarioError) -> [DatabaseSpec] {
        var result: [DatabaseSpec] = []
        for item in try list(node, "databases") {
            let f = try fields(item, label(item, "database"),
                               allowed: ["name", "latency", "jitter", "write-failure", "ignore-conflicts"])
            let nameNode = try required(f, "name")
            let name = try self.name(nameNode, "database name")
            guard !known.databases.contains(name) else {
                throw error("a database named '\(name)' is already defined", at: nameNode)
            }
            var db = DatabaseSpec(name: name)
            if let n = f["latency"] { db.latencyMilliseconds = try duration(n, "latency of database '\(name)'") }
            if let n = f["jitter"] { db.jitterMilliseconds = try duration(n, "jitter of database '\(name)'") }
            if let n = f["write-failure"] { db.writeFailure = try probability(n, "write-failure of database '\(name)'") }
            if let n = f["ignore-conflicts"] { db.ignoreConflicts = try bool(n, "ignore-conflicts of database '\(name)'") }
            known.databases.append(name)
            result.append(db)
        }
        return result
    }

    // MARK: Segments

    func segments(_ node: Node, into known: inout Known) throws(ScenarioError) -> [SegmentSpec] {
        let items = try list(node, "segments")
        guard !items.isEmpty else { throw error("segments is empty; a scenario needs at least one segment", at: node) }
        var result: [SegmentSpec] = []
        for item in items {
            let f = try fields(item, label(item, "segment"),
                               allowed: ["name", "prefix", "servers", "relay", "link", "conflicts"])
            let nameNode = try required(f, "name")
            let name = try self.name(nameNode, "segment name")
            guard known.segments[name] == nil else {
                throw error("a segment named '\(name)' is already defined", at: nameNode)
            }
            let what = "segment '\(name)'"
            if family == 6 {
                var segment = try segment6(f, name: name, known: known)
                if let linkNode = f["link"] { segment.link = try link(linkNode, "link of \(what)") }
                known.segments[name] = segment
                known.segmentOrder.append(name)
                result.append(segment)
                continue
            }
            let prefix = try self.prefix(required(f, "prefix"), "prefix of \(what)")
            var segment = SegmentSpec(name: name, prefix: prefix)
            if let serversNode = f["servers"] {
                for entry in try list(serversNode, "servers of \(what)") {
                    let attached = try directServer(entry, segment: segment, known: known)
                    if segment.directServers.contains(where: { $0.server == attached.server }) {
                        throw error("server '\(attached.server)' is attached to \(what) twice", at: entry)
                    }
                    if segment.directServers.contains(where: { $0.address == attached.address }) {
                        throw error("two servers on \(what) have the address \(attached.address)", at: entry)
                    }
                    segment.directServers.append(attached)
                }
            }
            if let relayNode = f["relay"] {
                segment.relay = try relay(relayNode, segment: segment, known: known)
            }
            guard !segment.directServers.isEmpty || segment.relay != nil else {
                throw error("\(what) reaches no server: give 'servers' (attached directly) or a 'relay'", at: item)
            }
            if let linkNode = f["link"] {
                segment.link = try link(linkNode, "link of \(what)")
            }
            if let conflictsNode = f["conflicts"] {
                for entry in try list(conflictsNode, "conflicts of \(what)") {
                    let address = try self.address(entry, "conflicting address")
                    guard prefix.contains(address) else {
                        throw error("conflicting address \(address) is outside the prefix \(prefix) of \(what)", at: entry)
                    }
                    guard !segment.conflictingAddresses.contains(address) else {
                        throw error("conflicting address \(address) is listed twice", at: entry)
                    }
                    segment.conflictingAddresses.append(address)
                }
            }
            known.segments[name] = segment
            known.segmentOrder.append(name)
            result.append(segment)
        }
        return result
    }

    /// `s1` (the server's own address, which must be on the link) or `{ server: s1, address: A }`.
    func directServer(_ node: Node, segment: SegmentSpec, known: Known) throws(ScenarioError) -> (server: String, address: IPv4Address) {
        let what = "segment '\(segment.name)'"
        if case .scalar = node {
            let name = try reference(node, "server attached to \(what)", known: known.serverOrder, kind: "server")
            let address = known.servers[name]!.address
            guard segment.prefix.contains(address) else {
                throw error("server '\(name)' has address \(address), outside the prefix \(segment.prefix) of \(what); "
                            + "give its address on this link: { server: \(name), address: ... }", at: node)
            }
            return (name, address)
        }
        let f = try fields(node, "server attached to \(what)", allowed: ["server", "address"])
        let name = try reference(required(f, "server"), "server attached to \(what)", known: known.serverOrder, kind: "server")
        let addressNode = try required(f, "address")
        let address = try self.address(addressNode, "address of server '\(name)' on \(what)")
        guard segment.prefix.contains(address) else {
            throw error("address \(address) of server '\(name)' is outside the prefix \(segment.prefix) of \(what)", at: addressNode)
        }
        return (name, address)
    }

    func relay(_ node: Node, segment: SegmentSpec, known: Known) throws(ScenarioError) -> RelaySpec {
        let what = "relay of segment '\(segment.name)'"
        let f = try fields(node, what, allowed: ["address", "servers", "circuit-id", "remote-id"])
        let addressNode = try required(f, "address")
        let address = try self.address(addressNode, "address of the \(what)")
        guard segment.prefix.contains(address) else {
            throw error("address \(address) of the \(what) (its giaddr) is outside the segment's prefix \(segment.prefix)", at: addressNode)
        }
        if segment.directServers.contains(where: { $0.address == address }) {
            throw error("the \(what) has the same address \(address) as a server attached to the segment", at: addressNode)
        }
        var relay = RelaySpec(address: address, servers: try relayServers(f, what: what, known: known))
        if let circuit = f["circuit-id"] { relay.circuitID = try nonEmpty(circuit, "circuit-id") }
        if let remote = f["remote-id"] { relay.remoteID = try nonEmpty(remote, "remote-id") }
        return relay
    }

    /// The servers a relay forwards to, each once.
    func relayServers(_ f: Fields, what: String, known: Known) throws(ScenarioError) -> [String] {
        var names: [String] = []
        let serversNode = try required(f, "servers")
        for entry in try list(serversNode, "servers of the \(what)") {
            let name = try reference(entry, "server of the \(what)", known: known.serverOrder, kind: "server")
            guard !names.contains(name) else { throw error("server '\(name)' is listed twice", at: entry) }
            names.append(name)
        }
        guard !names.isEmpty else { throw error("the \(what) forwards to no server", at: serversNode) }
        return names
    }

    func nonEmpty(_ node: Node, _ what: String) throws(ScenarioError) -> String {
        let value = try text(node, what)
        guard !value.isEmpty, value.utf8.count <= 255 else {
            throw error("\(what) must be 1 to 255 bytes long", at: node)
        }
        return value
    }

    func link(_ node: Node, _ what: String) throws(ScenarioError) -> LinkSpec {
        let f = try fields(node, what, allowed: ["latency", "jitter", "loss", "duplication"])
        var link = LinkSpec()
        if let n = f["latency"] { link.latencyMilliseconds = try duration(n, "latency") }
        if let n = f["jitter"] { link.jitterMilliseconds = try duration(n, "jitter") }
        if let n = f["loss"] { link.loss = try probability(n, "loss") }
        if let n = f["duplication"] { link.duplication = try probability(n, "duplication") }
        return link
    }

    // MARK: Populations

    func populations(_ node: Node, into known: inout Known) throws(ScenarioError) -> [PopulationSpec] {
        let items = try list(node, "populations")
        guard !items.isEmpty else { throw error("populations is empty; a scenario needs at least one population", at: node) }
        var result: [PopulationSpec] = []
        /// MAC ranges already taken, as 48-bit numbers (first, last), with their population.
        var macRanges: [(first: UInt64, last: UInt64, population: String)] = []
        for item in items {
            let f = try fields(item, label(item, "population"), allowed: [
                "name", "segment", "count", "arrival", "session", "release-on-leave", "rejoin", "rejoin-after",
                "reboot", "mac-prefix", family == 6 ? "ia" : "client-id", family == 6 ? "rapid-commit" : "hostnames",
            ].compactMap { $0 })
            let nameNode = try required(f, "name")
            let name = try self.name(nameNode, "population name")
            guard !result.contains(where: { $0.name == name }) else {
                throw error("a population named '\(name)' is already defined", at: nameNode)
            }
            let what = "population '\(name)'"
            let segment = try reference(required(f, "segment"), "segment of \(what)", known: known.segmentOrder, kind: "segment")
            let count = try integer(required(f, "count"), "count of \(what)", min: 1)
            var population = PopulationSpec(name: name, segment: segment, count: count)
            if let n = f["arrival"] { population.arrival = try arrival(n, what, duration: known.duration) }
            if let n = f["session"] { population.sessionMilliseconds = try distribution(n, "session of \(what)") }
            if let n = f["release-on-leave"] { population.releaseOnLeave = try probability(n, "release-on-leave") }
            if let n = f["rejoin"] { population.rejoin = try probability(n, "rejoin") }
            if let n = f["rejoin-after"] { population.rejoinAfterMilliseconds = try distribution(n, "rejoin-after of \(what)") }
            if let n = f["reboot"] { population.reboot = try probability(n, "reboot") }
            if let n = f["ia"] { population.ia = try iaRequest(n, "ia of \(what)") }
            if let n = f["rapid-commit"] { population.rapidCommit = try bool(n, "rapid-commit of \(what)") }
            if let n = f["hostnames"] {
                if case .scalar(let v) = n, v.string == "fqdn" {
                    population.hostnames = true
                    population.fqdnOption = true
                } else {
                    population.hostnames = try bool(n, "hostnames of \(what) (true, false or fqdn)")
                }
            }
            if let n = f["client-id"] {
                let value = try scalar(n, "client-id")
                guard let mode = ClientIDMode(rawValue: value) else {
                    throw error("client-id must be none, mac or duid, not '\(value)'", at: n)
                }
                population.clientID = mode
            }
            if population.rejoin > 0 {
                guard population.sessionMilliseconds != nil else {
                    throw error("\(what) has rejoin but no session: clients that never leave cannot rejoin", at: f.keyNode("rejoin"))
                }
                guard population.rejoinAfterMilliseconds != nil else {
                    throw error("\(what) has rejoin but no rejoin-after (how long clients stay away)", at: f.keyNode("rejoin"))
                }
            } else if f["rejoin-after"] != nil {
                throw error("\(what) has rejoin-after but no rejoin (the fraction of clients that come back)", at: f.keyNode("rejoin-after"))
            }
            if let n = f["mac-prefix"] { population.macPrefix = try macPrefix(n, "mac-prefix") }
            // MACs are the prefix followed by a serial number counted over all populations from 1
            // (as World.buildPopulations does): the serials must fit after the prefix, and no two
            // populations may end up with the same MACs.
            let counterBits = UInt64(8 * (6 - population.macPrefix.count))
            var base: UInt64 = 0
            for byte in population.macPrefix { base = base << 8 | UInt64(byte) }
            base <<= counterBits
            let room = (UInt64(1) << counterBits) - 1
            let firstSerial = UInt64(known.totalClients) + 1
            let lastSerial = UInt64(known.totalClients + count)
            let where_ = f["mac-prefix"] ?? item
            guard lastSerial <= room else {
                throw error("the clients of \(what) are numbered up to \(lastSerial) (counting all populations before it) "
                            + "but its mac-prefix leaves room for \(room); use a shorter mac-prefix", at: where_)
            }
            let range = (first: base + firstSerial, last: base + lastSerial, population: name)
            if let clash = macRanges.first(where: { $0.first <= range.last && range.first <= $0.last }) {
                throw error("the MAC addresses of \(what) overlap those of population '\(clash.population)'; "
                            + "give it another mac-prefix", at: where_)
            }
            macRanges.append(range)
            known.clientsPerSegment[segment, default: 0] += count
            known.totalClients += count
            result.append(population)
        }
        return result
    }

    func arrival(_ node: Node, _ population: String, duration: Int64) throws(ScenarioError) -> Arrival {
        let what = "arrival of \(population)"
        let choice = try oneOf(node, what, choices: ["uniform", "poisson"],
                               hint: "{ uniform: { start: T, window: D } } or { poisson: { start: T, rate: PER-SECOND } }")
        switch choice.key {
        case "uniform":
            let f = try fields(choice.value, "uniform \(what)", allowed: ["start", "window"])
            let start = try f["start"].map { (n) throws(ScenarioError) in try self.duration(n, "start") } ?? 0
            let window = try self.duration(required(f, "window"), "window")
            guard start + window <= duration else {
                throw error("\(what) ends at \(ScenarioLoader.formatDuration(start + window)), after the end of the scenario "
                            + "(duration \(ScenarioLoader.formatDuration(duration)))", at: choice.value)
            }
            return .uniform(startMilliseconds: start, windowMilliseconds: window)
        default:
            let f = try fields(choice.value, "poisson \(what)", allowed: ["start", "rate"])
            let start = try f["start"].map { (n) throws(ScenarioError) in try self.duration(n, "start") } ?? 0
            let rateNode = try required(f, "rate")
            let rate = try number(rateNode, "rate (arrivals per second)")
            guard rate > 0 else { throw error("rate (arrivals per second) must be more than 0", at: rateNode) }
            guard start < duration else {
                throw error("\(what) starts at \(ScenarioLoader.formatDuration(start)), not before the end of the scenario", at: choice.value)
            }
            return .poisson(startMilliseconds: start, ratePerSecond: rate)
        }
    }

    /// `1h` (fixed), `{ fixed: 1h }`, `{ uniform: [4h, 8h] }` or `{ exponential: 2h }` (the mean).
    func distribution(_ node: Node, _ what: String) throws(ScenarioError) -> Distribution {
        if case .scalar = node {
            return .fixed(try duration(node, what, allowZero: false))
        }
        let choice = try oneOf(node, what, choices: ["fixed", "uniform", "exponential"],
                               hint: "a duration, { fixed: D }, { uniform: [MIN, MAX] } or { exponential: MEAN }")
        switch choice.key {
        case "fixed":
            return .fixed(try duration(choice.value, "fixed", allowZero: false))
        case "exponential":
            return .exponential(meanMilliseconds: try duration(choice.value, "exponential mean", allowZero: false))
        default:
            let bounds = try list(choice.value, "uniform (a list [MIN, MAX])")
            guard bounds.count == 2 else {
                throw error("uniform takes two durations [MIN, MAX], not \(bounds.count)", at: choice.value)
            }
            let low = try duration(bounds[0], "uniform minimum")
            let high = try duration(bounds[1], "uniform maximum", allowZero: false)
            guard low <= high else {
                throw error("uniform maximum \(ScenarioLoader.formatDuration(high)) is less than the minimum "
                            + "\(ScenarioLoader.formatDuration(low))", at: bounds[1])
            }
            return .uniform(minMilliseconds: low, maxMilliseconds: high)
        }
    }
}

extension ScenarioReader {
    // MARK: DDNS

    func ddns(_ node: Node) throws(ScenarioError) -> DDNSSpec {
        let f = try fields(node, "ddns", allowed: ["address", "dns-server", "forward", "reverse", "latency", "jitter",
                                                   "ncr-loss", "dns-loss", "timeout", "quiet", "drop-removes"])
        let forward = try text(required(f, "forward"), "forward of ddns")
        let reverse = try text(required(f, "reverse"), "reverse of ddns")
        for (zone, key) in [(forward, "forward"), (reverse, "reverse")] {
            do { _ = try DNSName(zone) } catch { throw self.error("ddns \(key) '\(zone)' is not a domain name", at: f[key]!) }
        }
        var spec = DDNSSpec(forwardZone: forward, reverseZone: reverse)
        if let n = f["address"] { spec.address = try address(n, "address of ddns") }
        if let n = f["dns-server"] { spec.dnsServer = try address(n, "dns-server of ddns") }
        if let n = f["latency"] { spec.latencyMilliseconds = try duration(n, "latency of ddns") }
        if let n = f["jitter"] { spec.jitterMilliseconds = try duration(n, "jitter of ddns") }
        if let n = f["ncr-loss"] { spec.ncrLoss = try probability(n, "ncr-loss") }
        if let n = f["dns-loss"] { spec.dnsLoss = try probability(n, "dns-loss") }
        if let n = f["timeout"] { spec.timeoutMilliseconds = try duration(n, "timeout of ddns", allowZero: false) }
        if let n = f["quiet"] { spec.quietMilliseconds = try duration(n, "quiet of ddns", allowZero: false) }
        if let n = f["drop-removes"] { spec.dropRemoves = try bool(n, "drop-removes of ddns") }
        return spec
    }
}
