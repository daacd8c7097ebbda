/// The parts of Kea's lease_cmds that do not depend on the protocol family: argument checks
/// with Kea's texts, the lease-list answers and the fields both lease kinds show alike. The
/// DHCPv4 and DHCPv6 engines' lease commands are built on them.
public enum LeaseCommandSupport {
    /// Kea's check of the optional `update-ddns` flag of leaseX-get / leaseX-del.
    public static func updateDDNSProblem(_ args: JSON?) -> JSON? {
        guard let value = args?["update-ddns"], value.boolValue == nil else { return nil }
        return ControlResponse.make(.error, "'update-ddns' is not a boolean")
    }

    /// leaseX-get-all's `subnets`, with Kea's texts.
    public static func subnetList(_ args: JSON) throws(ControlFailure) -> [Int64] {
        guard let subnets = args["subnets"] else { throw ControlFailure("'subnets' parameter not specified") }
        guard let items = subnets.arrayValue else { throw ControlFailure("'subnets' parameter must be a list") }
        var ids: [Int64] = []
        for item in items {
            guard let id = item.intValue else { throw ControlFailure("listed subnet identifiers must be numbers") }
            ids.append(id)
        }
        return ids
    }

    /// leaseX-get-by-hostname's `hostname`, lowered as Kea lowers it (see `asciiLowercased`).
    public static func hostnameArgument(_ args: JSON?) throws(ControlFailure) -> String {
        guard let args, args.objectValue != nil else { throw ControlFailure("Command arguments missing or a not a map.") }
        guard let value = args["hostname"] else { throw ControlFailure("'hostname' parameter not specified") }
        guard let hostname = value.stringValue else { throw ControlFailure("'hostname' parameter must be a string") }
        guard !hostname.isEmpty else { throw ControlFailure("'hostname' parameter is empty") }
        return asciiLowercased(hostname)
    }

    /// Whether a lease's hostname is `wanted` (already lowered), ignoring ASCII case.
    public static func hostname(_ hostname: String, matches wanted: String) -> Bool {
        hostname.utf8.count == wanted.utf8.count && asciiLowercased(hostname) == wanted
    }

    /// `s` with A-Z lowered, other bytes as they are (Kea lowers hostnames in the C locale).
    public static func asciiLowercased(_ s: String) -> String {
        String(decoding: s.utf8.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// leaseX-get-page's `limit`, with Kea's checks and texts (read after `from`).
    public static func pageLimit(_ arguments: JSON) throws(ControlFailure) -> Int {
        guard let limitValue = arguments["limit"] else { throw ControlFailure("'limit' parameter not specified") }
        guard let pageSize = limitValue.intValue else { throw ControlFailure("'limit' parameter must be a number") }
        // Kea reads the limit as an unsigned size: a negative one is "greater than" the maximum.
        guard pageSize != 0 else { throw ControlFailure("page size of retrieved leases must not be 0") }
        guard pageSize > 0, pageSize <= Int64(UInt32.max) else {
            throw ControlFailure("page size of retrieved leases must not be greater than \(UInt32.max)")
        }
        return Int(pageSize)
    }

    /// A list of leases already shown as JSON: `{"leases": [...]}`, result 3 when empty, with
    /// Kea's "N IPv4 lease(s) found." (`family` is "IPv4" or "IPv6").
    public static func leaseList(_ leases: [JSON], family: String) -> JSON {
        let args: JSON = .object(JSONObject([("leases", .array(leases))]))
        return ControlResponse.make(leases.isEmpty ? .empty : .success, "\(leases.count) \(family) lease(s) found.", arguments: args)
    }

    /// One page of leases: `{"count": n, "leases": [...]}`.
    public static func leasePage(_ leases: [JSON], family: String) -> JSON {
        let arguments: JSON = .object(JSONObject([
            ("count", .int(Int64(leases.count))),
            ("leases", .array(leases)),
        ]))
        return ControlResponse.make(leases.isEmpty ? .empty : .success, "\(leases.count) \(family) lease(s) found.",
                                    arguments: arguments)
    }

    /// The fields every lease shows alike (Kea's Lease::toElement common part), to which each
    /// family adds its own; the whole is sorted by key, the order Kakapo shows.
    public struct CommonFields {
        public var address: String
        public var cltt: WallTime
        public var validLifetimeSeconds: UInt32
        public var subnetID: UInt32
        public var poolID: UInt32
        public var fqdnForward: Bool
        public var fqdnReverse: Bool
        public var hostname: String
        public var state: LeaseState

        public init(address: String, cltt: WallTime, validLifetimeSeconds: UInt32, subnetID: UInt32, poolID: UInt32,
                    fqdnForward: Bool, fqdnReverse: Bool, hostname: String, state: LeaseState) {
            self.address = address
            self.cltt = cltt
            self.validLifetimeSeconds = validLifetimeSeconds
            self.subnetID = subnetID
            self.poolID = poolID
            self.fqdnForward = fqdnForward
            self.fqdnReverse = fqdnReverse
            self.hostname = hostname
            self.state = state
        }

        /// The lease as JSON: these fields plus `extra`, sorted by key.
        public func json(adding extra: [(String, JSON)]) -> JSON {
            var pairs: [(String, JSON)] = [
                ("cltt", .int(cltt.secondsSinceEpoch)),
                ("fqdn-fwd", .bool(fqdnForward)),
                ("fqdn-rev", .bool(fqdnReverse)),
                ("hostname", .string(hostname)),
                ("ip-address", .string(address)),
                ("pool-id", .int(Int64(poolID))),
                ("state", .int(Int64(state.rawValue))),
                ("subnet-id", .int(Int64(subnetID))),
                ("valid-lft", .int(Int64(validLifetimeSeconds))),
            ]
            pairs += extra
            pairs.sort { $0.0 < $1.0 }
            return .object(JSONObject(pairs))
        }
    }

    /// Kea's optional boolean lease fields (`fqdn-fwd`, `force-create`...): absent is `default`.
    public static func flag(_ args: JSON, _ key: String, default value: Bool = false) throws(ControlFailure) -> Bool {
        guard let given = args[key] else { return value }
        guard let flag = given.boolValue else { throw ControlFailure("invalid type specified for parameter '\(key)'") }
        return flag
    }
}
