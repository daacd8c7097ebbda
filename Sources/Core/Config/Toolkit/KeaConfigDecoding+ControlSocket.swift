extension KeaConfigDecoding {
    /// `control-socket`: a unix socket whose name fits `sun_path` (107 bytes and a NUL).
    mutating func decodeControlSocket(_ node: JSONNode, path: String) throws(ConfigError) -> ControlSocketConfig {
        var socketType = "unix"
        for member in try object(node) {
            switch member.key {
            case "socket-type":
                socketType = try string(member.value)
                guard socketType == "unix" else {
                    throw ConfigError.semantic(
                        .unsupported, "unsupported 'socket-type' value '\(socketType)', only 'unix' is supported",
                        at: member.value.position)
                }
            case "socket-name": _ = try string(member.value)
            default:
                if try annotation(member) { continue }
                try other(member, context: "control-socket", path: path)
            }
        }
        let nameMember = try require("socket-name", in: node, context: "control-socket")
        let name = try string(nameMember.value)
        guard !name.isEmpty, name.utf8.count <= 107 else {
            throw ConfigError.semantic(
                .outOfRange, "invalid 'socket-name' '\(name)': it must be 1 to 107 bytes long", at: nameMember.value.position)
        }
        var result = ControlSocketConfig(socketName: name)
        result.socketType = socketType
        return result
    }
}
