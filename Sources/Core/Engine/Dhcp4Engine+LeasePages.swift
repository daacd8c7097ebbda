/// lease4-get-page's arguments, decoded with Kea's checks and texts, in Kea's order.
public struct LeasePageQuery: Sendable, Equatable {
    /// The page starts after this address; nil for `"from": "start"`.
    public var after: IPv4Address?
    /// Most leases on the page (1 to 2^32 - 1, as Kea's LeasePageSize allows).
    public var limit: Int

    public init(after: IPv4Address?, limit: Int) {
        self.after = after
        self.limit = limit
    }

    public init(arguments: JSON?) throws(ControlFailure) {
        guard let arguments else { throw ControlFailure("no parameters specified for the lease4-get-page command") }
        guard let from = arguments["from"] else { throw ControlFailure("'from' parameter not specified") }
        guard let fromText = from.stringValue else { throw ControlFailure("'from' parameter must be a string") }
        if fromText == "start" {
            after = nil
        } else if let address = IPv4Address(fromText) {
            after = address
        } else if let v6 = OptionIPv6Text.parse(fromText) {
            throw ControlFailure("'from' parameter value \(OptionIPv6Text.format(v6)) is not an IPv4 address")
        } else {
            throw ControlFailure("'from' parameter value is neither 'start' keyword nor a valid IPv4 address")
        }
        guard let limitValue = arguments["limit"] else { throw ControlFailure("'limit' parameter not specified") }
        guard let pageSize = limitValue.intValue else { throw ControlFailure("'limit' parameter must be a number") }
        // Kea reads the limit as an unsigned size: a negative one is "greater than" the maximum.
        guard pageSize != 0 else { throw ControlFailure("page size of retrieved leases must not be 0") }
        guard pageSize > 0, pageSize <= Int64(UInt32.max) else {
            throw ControlFailure("page size of retrieved leases must not be greater than \(UInt32.max)")
        }
        limit = Int(pageSize)
    }
}

extension Dhcp4Engine {
    /// lease4-get-page: one page of leases in address order, read through the store's
    /// address-order index.
    func leaseGetPage(_ args: JSON?) -> JSON {
        let query: LeasePageQuery
        do { query = try LeasePageQuery(arguments: args) } catch { return error.answer }
        let leases = store.leases(after: query.after, limit: query.limit)
        let arguments: JSON = .object(JSONObject([
            ("count", .int(Int64(leases.count))),
            ("leases", .array(leases.map { Self.leaseJSON($0) })),
        ]))
        return ControlResponse.make(leases.isEmpty ? .empty : .success, "\(leases.count) IPv4 lease(s) found.",
                                    arguments: arguments)
    }

    /// lease4-get-all: every lease in address order, or those of the listed subnets (grouped
    /// by subnet in the order listed, as Kea answers). Pages through the store.
    func leaseGetAll(_ args: JSON?) -> JSON {
        guard let args else {
            var leases: [Lease4] = []
            leases.reserveCapacity(store.count)
            store.forEachLease { leases.append($0) }
            return leaseList(leases)
        }
        let subnetIDs: [Int64]
        do { subnetIDs = try Self.subnetList(args) } catch { return error.answer }
        var bySubnet: [Int64: [Lease4]] = [:]
        for id in subnetIDs { bySubnet[id] = [] }
        store.forEachLease { bySubnet[Int64($0.subnetID)]?.append($0) }
        return leaseList(subnetIDs.flatMap { bySubnet[$0] ?? [] })
    }

    /// lease4-get-all's `subnets`, with Kea's texts.
    static func subnetList(_ args: JSON) throws(ControlFailure) -> [Int64] {
        guard let subnets = args["subnets"] else { throw ControlFailure("'subnets' parameter not specified") }
        guard let items = subnets.arrayValue else { throw ControlFailure("'subnets' parameter must be a list") }
        var ids: [Int64] = []
        for item in items {
            guard let id = item.intValue else { throw ControlFailure("listed subnet identifiers must be numbers") }
            ids.append(id)
        }
        return ids
    }
}
