/// The members of a JSON object, in the order they were written or added.
///
/// Order is kept because operators diff `config-get` output against their files and Kea keeps
/// it too. Lookups are linear, which suits the small objects of configs and commands. Two
/// objects are equal when they hold the same keys with equal values, whatever the order.
public struct JSONObject: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    /// One member.
    public typealias Member = (key: String, value: JSON)

    /// The members in order; keys are unique.
    public private(set) var members: [Member] = []

    /// An empty object.
    public init() {}

    /// Builds an object from pairs; a repeated key keeps its first place and its last value.
    public init(_ pairs: some Sequence<(String, JSON)>) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }

    /// The value for `key`. Setting replaces in place or appends; setting nil removes.
    public subscript(key: String) -> JSON? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            let index = members.firstIndex(where: { $0.key == key })
            switch (index, newValue) {
            case (let index?, let value?): members[index].value = value
            case (let index?, nil): members.remove(at: index)
            case (nil, let value?): members.append((key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The number of members.
    public var count: Int { members.count }

    /// True when there are no members.
    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        return lhs.members.allSatisfy { member in rhs[member.key] == member.value }
    }
}
