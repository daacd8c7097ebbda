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
        limit = try LeaseCommandSupport.pageLimit(arguments)
    }
}

extension Dhcp4Engine {
    /// lease4-get-page: one page of leases in address order, read through the store's
    /// address-order index.
    func leaseGetPage(_ args: JSON?) -> JSON {
        let query: LeasePageQuery
        do { query = try LeasePageQuery(arguments: args) } catch { return error.answer }
        let leases = store.leases(after: query.after, limit: query.limit)
        return LeaseCommandSupport.leasePage(leases.map { Self.leaseJSON($0) }, family: "IPv4")
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
        do { subnetIDs = try LeaseCommandSupport.subnetList(args) } catch { return error.answer }
        var bySubnet: [Int64: [Lease4]] = [:]
        for id in subnetIDs { bySubnet[id] = [] }
        store.forEachLease { bySubnet[Int64($0.subnetID)]?.append($0) }
        return leaseList(subnetIDs.flatMap { bySubnet[$0] ?? [] })
    }
}
