/// Basic HTTP authentication as Kea's `BasicHttpAuthConfig::checkAuth` does it: each client's
/// credential is base64("user:password"); the `Authorization` header, trimmed, must start with
/// "basic" (any case) and the rest, trimmed, must be one of the credentials. Comparisons take
/// the same time whatever the header (every credential is compared in full, without early exit).
public struct BasicAuthenticator: Sendable, Equatable {
    /// One client: the user (for the log) and the credential the header must carry.
    public struct Client: Sendable, Equatable {
        public let user: String
        public let credential: [UInt8]
    }

    public let realm: String
    public let clients: [Client]

    public init(realm: String, users: [(user: String, password: String)]) {
        self.realm = realm
        self.clients = users.map { Client(user: $0.user, credential: Array(Base64.encode(Array("\($0.user):\($0.password)".utf8)).utf8)) }
    }

    /// What the header check found, each with the log line Kea writes for it.
    public enum Outcome: Sendable, Equatable {
        /// No clients configured (Kea then lets every request in) or a match.
        case authorized(user: String?)
        case noHeader
        case malformed(reason: String)
        case notAuthorized

        public var isAuthorized: Bool { if case .authorized = self { true } else { false } }
    }

    public func check(authorization header: String?) -> Outcome {
        guard !clients.isEmpty else { return .authorized(user: nil) }
        guard let header else { return .noHeader }
        let value = Array(Self.trim(header).utf8)
        guard value.count >= 8 else { return .malformed(reason: "header content is too short") }
        let scheme = value[0..<5].map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        guard scheme == Array("basic".utf8) else { return .malformed(reason: "not basic authentication") }
        let given = Array(Self.trim(String(decoding: value[5...], as: UTF8.self)).utf8)
        var found: String?
        for client in clients where Self.constantTimeEqual(client.credential, given) && found == nil {
            found = client.user
        }
        return found.map { .authorized(user: $0) } ?? .notAuthorized
    }

    /// Equal lengths and bytes, in time that depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            difference |= x ^ y
        }
        return difference == 0
    }

    /// Kea's `str::trim`: spaces, tabs, CR and LF off both ends.
    static func trim(_ text: String) -> String {
        let bytes = Array(text.utf8)
        func blank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 10 || b == 13 }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    /// Kea's `WWW-Authenticate` value for a 401.
    public var challenge: String { "Basic realm=\"\(realm)\"" }
}

extension Base64 {
    /// RFC 4648 base64 with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let v = b0 << 16 | b1 << 8 | b2
            out.append(table[Int(v >> 18 & 63)])
            out.append(table[Int(v >> 12 & 63)])
            out.append(i + 1 < bytes.count ? table[Int(v >> 6 & 63)] : 61)
            out.append(i + 2 < bytes.count ? table[Int(v & 63)] : 61)
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The clients' users and passwords once the shell has read their files: Kea's checks on
/// the contents (`BasicHttpAuthConfig::parse`), with its texts and the positions of the keys.
public enum AgentCredentials {
    /// `read` gets a file's path (`AgentAuthentication.filePath`) and returns its whole content,
    /// or throws Kea's text for a file it cannot read ("can't open file '…': …").
    public static func resolve(
        _ auth: AgentAuthentication, read: (String) throws(ConfigError) -> String
    ) throws(ConfigError) -> BasicAuthenticator {
        var users: [(user: String, password: String)] = []
        for client in auth.clients {
            var user = "", password = client.password ?? ""
            switch client.user {
            case .inline(let u): user = u
            case .file(let name):
                user = try read(auth.filePath(name))
                let at = client.userFilePosition.map { " (\($0))" } ?? ""
                guard !user.isEmpty else {
                    throw ConfigError(code: .invalidValue, message: "user must not be empty from user-file '\(name)'\(at)",
                                      position: client.userFilePosition)
                }
                guard !user.contains(":") else {
                    throw ConfigError(code: .invalidValue, message: "user must not contain a ':' from user-file '\(name)'\(at)",
                                      position: client.userFilePosition)
                }
            case .inPasswordFile: break
            }
            if let name = client.passwordFile {
                let content = try read(auth.filePath(name))
                if case .inPasswordFile = client.user {
                    guard let colon = content.firstIndex(of: ":") else {
                        let at = client.passwordFilePosition.map { " (\($0))" } ?? ""
                        throw ConfigError(code: .invalidValue, message: "can't find the user id part in password-file '\(name)'\(at)",
                                          position: client.passwordFilePosition)
                    }
                    user = String(content[..<colon])
                    password = String(content[content.index(after: colon)...])
                } else {
                    password = content
                }
            }
            users.append((user, password))
        }
        return BasicAuthenticator(realm: auth.realm, users: users)
    }
}
