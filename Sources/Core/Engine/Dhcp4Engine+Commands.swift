extension Dhcp4Engine {
    /// Commands answered by the engine itself (statistics and lease commands). Returns nil for
    /// a command the engine does not know, so the shell can answer it (config-*, shutdown...).
    /// Lease changes in the effects must be made durable like those of packets.
    public mutating func handle(command: String, arguments: JSON?, now: Now) -> (JSON, Effects4)? {
        var effects = Effects4()
        provisional = ProvisionalCounts()
        let answer: JSON
        switch command {
        case "statistic-get": answer = statisticGet(arguments)
        case "statistic-get-all": answer = statisticGetAll()
        case "statistic-reset-all":
            stats.resetAll(now: now.wall)
            answer = ControlResponse.make(.success, "All statistics reset to neutral values.")
        case "leases-reclaim":
            guard let remove = arguments?["remove"]?.boolValue else {
                answer = ControlResponse.make(.error, "'remove' parameter not specified")
                break
            }
            reclaim(limit: Int.max, remove: remove, now: now, &effects)
            answer = ControlResponse.make(.success, "Reclamation of expired leases is complete.")
        case "lease4-get": answer = leaseGet(arguments)
        case "lease4-get-all": answer = leaseGetAll(arguments)
        case "lease4-get-by-hw-address": answer = leaseGetBy(arguments, key: "hw-address")
        case "lease4-get-by-client-id": answer = leaseGetBy(arguments, key: "client-id")
        case "lease4-add": answer = leaseAdd(arguments, update: false, now: now, &effects)
        case "lease4-update": answer = leaseAdd(arguments, update: true, now: now, &effects)
        case "lease4-del": answer = leaseDel(arguments, now: now, &effects)
        case "lease4-wipe": answer = leaseWipe(arguments, now: now, &effects)
        default: return nil
        }
        seal(&effects, exchange: nil)
        return (answer, effects)
    }

    /// Names of the commands `handle(command:)` answers.
    public static var engineCommands: [String] {
        ["lease4-add", "lease4-del", "lease4-get", "lease4-get-all", "lease4-get-by-client-id",
         "lease4-get-by-hw-address", "lease4-update", "lease4-wipe", "leases-reclaim",
         "statistic-get", "statistic-get-all", "statistic-reset-all"]
    }

    func statisticGet(_ args: JSON?) -> JSON {
        guard let name = args?["name"]?.stringValue else {
            return ControlResponse.make(.error, "Missing mandatory 'name' parameter.")
        }
        guard let s = stats.sample(named: name) else {
            return ControlResponse.make(.success, arguments: .object(JSONObject()))
        }
        return ControlResponse.make(.success, arguments: .object(JSONObject([(name, Self.sampleJSON(s))])))
    }

    func statisticGetAll() -> JSON {
        ControlResponse.make(.success, arguments: .object(JSONObject(stats.all().map { ($0.name, Self.sampleJSON($0.sample)) })))
    }

    static func sampleJSON(_ s: StatSample) -> JSON {
        .array([.array([.int(s.value), .string(s.updated.timestampText)])])
    }

    /// A lease as Kea's lease4-get shows it.
    public static func leaseJSON(_ l: Lease4) -> JSON {
        var pairs: [(String, JSON)] = []
        if let c = l.clientID { pairs.append(("client-id", .string(HexText.colonSeparated(c)))) }
        pairs.append(("cltt", .int(l.cltt.secondsSinceEpoch)))
        pairs.append(("fqdn-fwd", .bool(l.fqdnForward)))
        pairs.append(("fqdn-rev", .bool(l.fqdnReverse)))
        pairs.append(("hostname", .string(l.hostname)))
        pairs.append(("hw-address", .string(l.hardwareAddress.map { HexText.colonSeparated($0.bytes) } ?? "")))
        pairs.append(("ip-address", .string(l.address.description)))
        pairs.append(("pool-id", .int(Int64(l.poolID))))
        pairs.append(("state", .int(Int64(l.state.rawValue))))
        pairs.append(("subnet-id", .int(Int64(l.subnetID))))
        pairs.append(("valid-lft", .int(Int64(l.validLifetimeSeconds))))
        return .object(JSONObject(pairs))
    }

    func leaseGet(_ args: JSON?) -> JSON {
        guard let args else { return ControlResponse.make(.error, "Parameters missing or are not a map.") }
        if let ipText = args["ip-address"]?.stringValue {
            guard let ip = IPv4Address(ipText) else { return ControlResponse.make(.error, "Failed to convert '\(ipText)' to address.") }
            guard let l = store.lease(at: ip) else { return ControlResponse.make(.empty, "Lease not found.") }
            return ControlResponse.make(.success, "IPv4 lease found.", arguments: Self.leaseJSON(l))
        }
        guard let type = args["identifier-type"]?.stringValue, let ident = args["identifier"]?.stringValue,
              let subnetID = args["subnet-id"]?.intValue else {
            return ControlResponse.make(.error, "Mandatory 'subnet-id' parameter missing.")
        }
        let found = lookup(type: type, identifier: ident).first { Int64($0.subnetID) == subnetID }
        guard let l = found else { return ControlResponse.make(.empty, "Lease not found.") }
        return ControlResponse.make(.success, "IPv4 lease found.", arguments: Self.leaseJSON(l))
    }

    func lookup(type: String, identifier: String) -> [Lease4] {
        guard let bytes = HexText.decode(identifier) else { return [] }
        switch type {
        case "hw-address": return store.leases(for: .hardwareAddress(HardwareAddress(bytes: bytes)))
        case "client-id": return store.leases(for: .clientID(bytes))
        default: return []
        }
    }

    func leaseGetBy(_ args: JSON?, key: String) -> JSON {
        guard let ident = args?[key]?.stringValue else {
            return ControlResponse.make(.error, "'\(key)' parameter not specified")
        }
        let leases = lookup(type: key, identifier: ident)
        return leaseList(leases)
    }

    func leaseGetAll(_ args: JSON?) -> JSON {
        var leases = store.all()
        if let ids = args?["subnets"]?.arrayValue {
            let wanted = Set(ids.compactMap { $0.intValue })
            leases = leases.filter { wanted.contains(Int64($0.subnetID)) }
        }
        return leaseList(leases)
    }

    func leaseList(_ leases: [Lease4]) -> JSON {
        let args: JSON = .object(JSONObject([("leases", .array(leases.map { Self.leaseJSON($0) }))]))
        return ControlResponse.make(leases.isEmpty ? .empty : .success, "\(leases.count) IPv4 lease(s) found.", arguments: args)
    }
}
