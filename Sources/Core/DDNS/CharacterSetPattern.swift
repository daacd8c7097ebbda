/// A one-bracket regular expression such as Kea's default hostname-char-set `[^A-Za-z0-9.-]`:
/// a set (or negated set) of characters and ranges. Other patterns are not understood (nil),
/// and names are then left as the client sent them.
struct CharacterSetPattern {
    var negated: Bool
    var members: [ClosedRange<Character>]

    init?(_ pattern: String) {
        var chars = Array(pattern)
        guard chars.count >= 3, chars.first == "[", chars.last == "]" else { return nil }
        chars = Array(chars[1..<(chars.count - 1)])
        negated = chars.first == "^"
        if negated { chars.removeFirst() }
        members = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" || c == "[" { return nil }
            if i + 2 < chars.count, chars[i + 1] == "-" {
                guard c <= chars[i + 2] else { return nil }
                members.append(c...chars[i + 2])
                i += 3
            } else {
                members.append(c...c)
                i += 1
            }
        }
    }

    func matches(_ c: Character) -> Bool {
        members.contains { $0.contains(c) } != negated
    }
}
