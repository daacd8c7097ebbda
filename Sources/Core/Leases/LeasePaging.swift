/// Walks a lease store page by page in address order, for either protocol's store: `page`
/// returns up to `pageSize` leases with addresses strictly above its argument (from the lowest
/// when nil). No copy of the whole store is made. Bounded by the store's size: every page
/// must advance past the previous one (checked).
enum LeasePaging {
    static func forEach<Lease: LeaseRecord>(pageSize: Int, page: (Lease.Address?) -> [Lease], _ body: (Lease) -> Void) {
        var cursor: Lease.Address? = nil
        while true {
            let leases = page(cursor)
            leases.forEach(body)
            guard leases.count == pageSize, let last = leases.last else { return }
            precondition(cursor.map { last.address > $0 } ?? true, "lease page did not advance past \(last.address)")
            cursor = last.address
        }
    }
}
