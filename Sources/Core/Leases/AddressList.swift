/// The lease addresses one client identity holds (a hardware address, a client id, a DUID and
/// IAID): almost always one, so no array until a second. Shared by the v4 and v6 stores.
enum AddressList<Address: Hashable & Sendable>: Sendable {
    case one(Address)
    case many([Address])

    var addresses: [Address] {
        switch self {
        case .one(let a): [a]
        case .many(let all): all
        }
    }

    /// Adds `address` to the list `index` holds for `key`.
    static func insert<Key: Hashable>(_ address: Address, into index: inout [Key: AddressList], key: Key) {
        if let existing = index[key] {
            index[key] = .many(existing.addresses + [address])
        } else {
            index[key] = .one(address)
        }
    }

    /// Removes `address` from the list `index` holds for `key`, dropping the key when empty.
    static func remove<Key: Hashable>(_ address: Address, from index: inout [Key: AddressList], key: Key) {
        switch index[key] {
        case nil: return
        case .one(let x)?: if x == address { index[key] = nil }
        case .many(let all)?:
            let rest = all.filter { $0 != address }
            index[key] = rest.count == 1 ? .one(rest[0]) : (rest.isEmpty ? nil : .many(rest))
        }
    }
}
