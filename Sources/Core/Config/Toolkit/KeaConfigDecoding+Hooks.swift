extension KeaConfigDecoding {
    /// `hooks-libraries`: each entry names one of `available` by path or file name; any
    /// other library is an error, since Kakapo loads no shared objects.
    ///
    /// - Parameter daemon: the executable's name, for the error (`kakapo-dhcp4`).
    mutating func decodeHooksLibraries(
        _ node: JSONNode, path: String, available: [BuiltInHook], daemon: String
    ) throws(ConfigError) -> [HookLibrary] {
        var result: [HookLibrary] = []
        for entry in try array(node) {
            var parameters: JSON?
            for member in try object(entry) {
                switch member.key {
                case "library": _ = try string(member.value)
                case "parameters":
                    _ = try object(member.value)
                    parameters = member.value.plain
                default:
                    if try annotation(member) { continue }
                    try other(member, context: "hooks-libraries", path: "\(path)[\(result.count)]")
                }
            }
            let libraryMember = try require("library", in: entry, context: "hooks-libraries")
            let libraryPath = try string(libraryMember.value)
            let name = libraryPath.split(separator: "/", omittingEmptySubsequences: false).last
                .map(String.init) ?? libraryPath
            guard let hook = BuiltInHook(rawValue: name), available.contains(hook) else {
                throw ConfigError.semantic(
                    .unsupported,
                    "hooks library '\(libraryPath)' is not available: \(daemon) has these built in: "
                        + available.map(\.rawValue).joined(separator: ", "),
                    at: libraryMember.value.position)
            }
            result.append(HookLibrary(hook: hook, path: libraryPath, parameters: parameters))
        }
        return result
    }
}
