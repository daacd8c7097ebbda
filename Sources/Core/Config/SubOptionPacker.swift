/// Packs the options of one level into the options that encapsulate their spaces.
struct SubOptionPacker {
    /// One encoded `option-data` entry of a level, with its space and where it was written.
    struct Entry {
        var space: OptionSpaceName
        var option: ConfiguredOption
        var path: String
        var position: SourcePosition
    }

    let entries: [Entry]
    let table: OptionTable
    /// The indices of the entries of each space, in file order.
    private let indicesBySpace: [OptionSpaceName: [Int]]
    /// The entries packed into some option so far.
    private(set) var packed: Set<Int> = []
    /// Entries left out because an earlier entry of the level has the same space and code.
    private(set) var shadowed: Set<Int> = []

    init(entries: [Entry], table: OptionTable) {
        self.entries = entries
        self.table = table
        var indices: [OptionSpaceName: [Int]] = [:]
        for (index, entry) in entries.enumerated() { indices[entry.space, default: []].append(index) }
        indicesBySpace = indices
    }

    /// The sub-options `carrier` carries: the level's options in the space its definition
    /// encapsulates, each with its own sub-options, ordered by code (Kea keeps the first of a
    /// code). Bounded: a space already being packed on the way down is not entered again, so
    /// the depth is at most the number of spaces.
    mutating func subOptions(of carrier: Entry,
                             enclosing: Set<OptionSpaceName>) throws(ConfigError) -> [UInt8] {
        let key = OptionKey(space: carrier.space, code: UInt16(carrier.option.code))
        guard let space = table.definition(key)?.encapsulatedSpace,
              !enclosing.contains(space), space != .dhcp4, space != .dhcp6,
              let members = indicesBySpace[space] else { return [] }
        let ordered = members.sorted { (entries[$0].option.code, $0) < (entries[$1].option.code, $1) }
        var codes: Set<UInt8> = []
        var bytes: [UInt8] = []
        for index in ordered {
            let member = entries[index]
            guard codes.insert(member.option.code).inserted else {
                shadowed.insert(index)
                continue
            }
            packed.insert(index)
            let payload = member.option.payload + (try subOptions(of: member, enclosing: enclosing.union([space])))
            guard payload.count <= 255 else {
                throw ConfigError.semantic(
                    .invalidValue, "option '\(space).\(member.option.code)' is \(payload.count) octets long, more "
                        + "than the 255 a sub-option can carry", at: member.position)
            }
            bytes += [member.option.code, UInt8(payload.count)] + payload
        }
        return bytes
    }
}
