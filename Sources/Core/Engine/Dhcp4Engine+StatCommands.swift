/// Which subnets a `stat-lease4-get` asks about.
enum StatLeaseSelection: Equatable {
    case allSubnets
    case subnet(Int64)
    case range(first: Int64, last: Int64)

    /// Kea's bracketed description, used in the answer's text.
    var text: String {
        switch self {
        case .allSubnets: "[all subnets]"
        case .subnet(let id): "[subnet-id=\(id)]"
        case .range(let first, let last): "[subnets \(first) through \(last)]"
        }
    }

    /// Parses the command's arguments as Kea's stat_cmds library does: none means all
    /// subnets; `subnet-id` and `subnet-range` exclude each other. The failure is Kea's text.
    static func parse(_ arguments: JSON?) -> Result<StatLeaseSelection, StatLeaseArgumentError> {
        guard let arguments else { return .success(.allSubnets) }
        guard arguments.objectValue != nil else { return .failure(StatLeaseArgumentError("'arguments' parameter is not a map")) }
        var selection = StatLeaseSelection.allSubnets
        if let value = arguments["subnet-id"] {
            guard let id = value.intValue else { return .failure(StatLeaseArgumentError("'subnet-id' parameter is not integer")) }
            guard id > 0 else { return .failure(StatLeaseArgumentError("'subnet-id' parameter must be > 0")) }
            selection = .subnet(id)
        }
        if let range = arguments["subnet-range"] {
            if case .subnet = selection {
                return .failure(StatLeaseArgumentError("cannot specify both subnet-id and subnet-range"))
            }
            guard range.objectValue != nil else { return .failure(StatLeaseArgumentError("subnet-range parameter is not a map")) }
            guard let first = range["first-subnet-id"]?.intValue else {
                return .failure(StatLeaseArgumentError("'first-subnet-id' parameter missing or not an integer"))
            }
            guard first > 0 else { return .failure(StatLeaseArgumentError("'first-subnet-id' parameter must be > 0")) }
            guard let last = range["last-subnet-id"]?.intValue else {
                return .failure(StatLeaseArgumentError("'last-subnet-id' parameter missing or not an integer"))
            }
            guard last > 0 else { return .failure(StatLeaseArgumentError("'last-subnet-id' parameter must be > 0")) }
            guard last >= first else {
                return .failure(StatLeaseArgumentError("'last-subnet-id' must be greater than 'first-subnet-id'"))
            }
            selection = .range(first: first, last: last)
        }
        return .success(selection)
    }

    /// The answer when no configured subnet is selected: result 3 with empty arguments.
    func noMatch(label: String) -> JSON {
        let why: String
        switch self {
        case .subnet(let id): why = "subnet-id: \(id) does not exist"
        case .range(let first, let last): why = "selected ID range: \(first) through \(last) includes no known subnets"
        case .allSubnets: why = "selected ID range: 0 through 0 includes no known subnets"
        }
        return ControlResponse.make(.empty, "\(label): no matching data, \(why)", arguments: .object(JSONObject()))
    }

    /// Whether the subnet with `id` is selected.
    func contains(_ id: UInt32) -> Bool {
        switch self {
        case .allSubnets: true
        case .subnet(let wanted): Int64(id) == wanted
        case .range(let first, let last): (first...last).contains(Int64(id))
        }
    }
}

/// An argument `stat-lease4-get` refuses, with Kea's text.
struct StatLeaseArgumentError: Error, Equatable {
    let text: String
    init(_ text: String) { self.text = text }
}

/// The shape of a `stat-lease4-get` answer.
enum StatLeaseResultSet {
    /// The columns of stat-lease4-get, in Kea 2.4's order.
    static let columns = ["subnet-id", "total-addresses", "cumulative-assigned-addresses",
                          "assigned-addresses", "declined-addresses"]
    /// The columns of stat-lease6-get, in Kea 2.4's order.
    static let columns6 = ["subnet-id", "total-nas", "cumulative-assigned-nas", "assigned-nas", "declined-nas",
                           "total-pds", "cumulative-assigned-pds", "assigned-pds"]

    /// `{"result-set": {"columns": [...], "rows": [...], "timestamp": "..."}}`.
    static func arguments(columns: [String] = columns, rows: [JSON], now: Now) -> JSON {
        .object(JSONObject([("result-set", .object(JSONObject([
            ("columns", .array(columns.map { .string($0) })),
            ("rows", .array(rows)),
            ("timestamp", .string(now.wall.timestampText)),
        ])))]))
    }
}

extension Dhcp4Engine {
    /// `stat-lease4-get` (libdhcp_stat_cmds.so): one row per configured subnet selected, in
    /// subnet-id order. Totals and cumulative counts come from the statistics; assigned and
    /// declined leases are counted in the store, as Kea's lease statistics query does.
    /// A valid selection that includes no configured subnet answers result 3 with empty arguments.
    func statLeaseGet(_ arguments: JSON?, now: Now) -> JSON {
        let selection: StatLeaseSelection
        switch StatLeaseSelection.parse(arguments) {
        case .failure(let error): return ControlResponse.make(.error, error.text)
        case .success(let parsed): selection = parsed
        }
        let label = "stat-lease4-get" + selection.text
        let chosen = config.subnets.map(\.id).filter { selection.contains($0) }.sorted()
        guard !chosen.isEmpty else { return selection.noMatch(label: label) }
        var assigned: [UInt32: Int64] = [:]
        var declined: [UInt32: Int64] = [:]
        let wanted = Set(chosen)
        store.forEachLease { l in
            guard wanted.contains(l.subnetID) else { return }
            switch l.state {
            case .assigned: assigned[l.subnetID, default: 0] += 1
            case .declined: declined[l.subnetID, default: 0] += 1
            case .expiredReclaimed: break
            }
        }
        let rows: [JSON] = chosen.map { id in
            .array([.int(Int64(id)),
                    .int(stats.value(.totalAddresses, subnet: id)),
                    .int(stats.value(.cumulativeAssignedAddresses, subnet: id)),
                    .int(assigned[id] ?? 0),
                    .int(declined[id] ?? 0)])
        }
        return ControlResponse.make(.success, "\(label): \(rows.count) rows found",
                                    arguments: StatLeaseResultSet.arguments(rows: rows, now: now))
    }
}
