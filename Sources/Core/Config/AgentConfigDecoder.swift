/// Builds an `AgentConfig` from a parsed Kea config file as Kea 2.4's kea-ctrl-agent reads it:
/// one top-level `Control-agent` object, its grammar's keys (an unknown key is an error at its
/// position), the defaults of `AgentSimpleParser`, the TLS consistency check (all or none of
/// `trust-anchor`, `cert-file`, `key-file`) and `BasicHttpAuthConfig`'s checks, with Kea's texts.
///
/// The contents of `user-file` and `password-file` are not read here (Core does no I/O): the
/// shell reads them and `AgentCredentials.resolve` finishes the check.
public enum AgentConfigDecoder {
    public static func decode(_ root: JSONNode) throws(ConfigError) -> AgentConfig {
        var decoding = AgentDecoding()
        let node = try decoding.topLevel(root, daemon: "Control-agent")
        var config = try decoding.decodeAgent(node)
        config.warnings = decoding.warnings
        return config
    }

    /// Parses `text` (Kea's JSON dialect) and decodes it.
    public static func decode(text: String, file: String = "<string>") throws(ConfigError) -> AgentConfig {
        try decode(try KeaJSON.parse(text, file: file, include: { name in
            throw ConfigError(code: .include, message: "Can't open include file \(name)")
        }))
    }

    /// Kea's `checkTlsSetup` texts.
    static func tlsMissing(_ key: String) -> String {
        "\(key) parameter is missing or empty: all or none of TLS parameters must be set"
    }
}

struct AgentDecoding: KeaConfigDecoding {
    var warnings: [ConfigWarning] = []

    mutating func decodeAgent(_ node: JSONNode) throws(ConfigError) -> AgentConfig {
        var config = AgentConfig()
        for member in try object(node) {
            switch member.key {
            case "http-host": config.httpHost = try string(member.value)
            case "http-port":
                let port = try integer(member.value)
                guard (0...Int64(UInt16.max)).contains(port) else {
                    throw ConfigError.semantic(
                        .outOfRange, "out of range value (\(port)) specified for parameter 'http-port'",
                        at: member.value.position)
                }
                config.httpPort = UInt16(port)
            case "trust-anchor": config.trustAnchor = try string(member.value)
            case "cert-file": config.certFile = try string(member.value)
            case "key-file": config.keyFile = try string(member.value)
            case "cert-required": config.certRequired = try bool(member.value)
            case "control-sockets": config.controlSockets = try decodeSockets(member.value)
            case "authentication": config.authentication = try decodeAuthentication(member.value)
            case "hooks-libraries":
                config.hooksLibraries = try decodeHooksLibraries(
                    member.value, path: "Control-agent/hooks-libraries", available: [], daemon: "kakapo-ctrl-agent")
            case "loggers": config.loggers = try decodeLoggers(member.value, path: "Control-agent/loggers")
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "Control-agent")
            }
        }
        // Kea checks TLS before the rest of its parse, with no position.
        let given = [config.trustAnchor, config.certFile, config.keyFile].map { !$0.isEmpty }
        if given.contains(true) {
            for (key, present) in zip(["trust-anchor", "cert-file", "key-file"], given) where !present {
                throw ConfigError(code: .conflict, message: AgentConfigDecoder.tlsMissing(key))
            }
        }
        return config
    }

    func decodeSockets(_ node: JSONNode) throws(ConfigError) -> [AgentControlSocket] {
        var result: [AgentControlSocket] = []
        for member in try object(node) {
            switch member.key {
            case "dhcp4", "dhcp6", "d2":
                var socket = AgentControlSocket(service: member.key, socketName: "")
                for field in try object(member.value) {
                    switch field.key {
                    case "socket-type": socket.socketType = try keyword(field.value, among: ["unix"])
                    case "socket-name":
                        let name = try string(field.value)
                        guard name.utf8.count <= 107 else {
                            throw ConfigError.semantic(
                                .outOfRange, "invalid 'socket-name' '\(name)': it must be 1 to 107 bytes long",
                                at: field.value.position)
                        }
                        socket.socketName = name
                    default:
                        if try annotation(field) { continue }
                        throw unknownKey(field, context: member.key)
                    }
                }
                result.removeAll { $0.service == member.key }
                result.append(socket)
            default:
                throw unknownKey(member, context: "control-sockets")
            }
        }
        return result
    }

    func decodeAuthentication(_ node: JSONNode) throws(ConfigError) -> AgentAuthentication {
        var auth = AgentAuthentication()
        for member in try object(node) {
            switch member.key {
            case "type": _ = try keyword(member.value, among: ["basic"])
            case "realm": auth.realm = try string(member.value)
            case "directory": auth.directory = try string(member.value)
            case "clients":
                for entry in try array(member.value) { auth.clients.append(try decodeClient(entry)) }
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "authentication")
            }
        }
        _ = try require("type", in: node, context: "authentication")
        return auth
    }

    /// One client, with `BasicHttpAuthConfig::parse`'s checks on what is written (the file
    /// contents are checked when the shell has read them).
    func decodeClient(_ node: JSONNode) throws(ConfigError) -> AgentClient {
        var user: (String, SourcePosition)?, userFile: (String, SourcePosition)?
        var password: (String, SourcePosition)?, passwordFile: (String, SourcePosition)?
        for member in try object(node) {
            switch member.key {
            case "user": user = (try string(member.value), member.value.position)
            case "user-file": userFile = (try string(member.value), member.value.position)
            case "password": password = (try string(member.value), member.value.position)
            case "password-file": passwordFile = (try string(member.value), member.value.position)
            default:
                if try annotation(member) { continue }
                throw unknownKey(member, context: "clients")
            }
        }
        if let p = password, let f = passwordFile {
            throw ConfigError(
                code: .conflict, message: "password (\(p.1)) and password-file (\(f.1)) are mutually exclusive",
                position: f.1)
        }
        let source: AgentClient.Source
        switch (user, userFile) {
        case (nil, nil):
            guard passwordFile != nil else {
                throw ConfigError.semantic(.missingKey, "user is required in clients items", at: node.position)
            }
            source = .inPasswordFile
        case (let u?, nil):
            guard !u.0.isEmpty else { throw ConfigError.semantic(.invalidValue, "user must not be empty", at: u.1) }
            guard !u.0.contains(":") else {
                throw ConfigError.semantic(.invalidValue, "user must not contain a ':': '\(u.0)'", at: u.1)
            }
            source = .inline(u.0)
        case (nil, let f?): source = .file(f.0)
        case (let u?, let f?):
            throw ConfigError(
                code: .conflict, message: "user (\(u.1)) and user-file (\(f.1)) are mutually exclusive", position: f.1)
        }
        var client = AgentClient(user: source, password: password?.0, passwordFile: passwordFile?.0)
        client.userFilePosition = userFile?.1
        client.passwordFilePosition = passwordFile?.1
        client.position = node.position
        return client
    }
}
