/// A value type's fields in one shared, copy-on-write box: copying the value costs one
/// reference count however many fields it has (`Subnet4` and `Subnet6`, which every exchange
/// carries), and a change to a copy never shows in another. Equal when both share the box or
/// their fields are equal.
struct CopyOnWriteFields<Fields: Sendable & Equatable>: Sendable, Equatable {
    final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }
    private var storage: Storage

    init(_ fields: Fields) { storage = Storage(fields) }

    var fields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
    }

    static func == (a: Self, b: Self) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }
}
