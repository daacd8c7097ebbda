/// The JSON type Kea's grammar wants for a key, for bison-style type errors.
enum KeaValueKind {
    case integer, real, boolean, string, list, map

    /// Bison's token name for what was expected.
    var tokenName: String {
        switch self {
        case .integer: return "integer"
        case .real: return "floating point"
        case .boolean: return "boolean"
        case .string: return "constant string"
        case .list: return "["
        case .map: return "{"
        }
    }

    func matches(_ value: JSONNode.Value) -> Bool {
        switch (self, value) {
        case (.integer, .int), (.real, .double), (.boolean, .bool), (.string, .string),
             (.list, .array), (.map, .object):
            return true
        default:
            return false
        }
    }
}
