/// The `Control-agent` configuration of Kea 2.4's control agent (kea-ctrl-agent), which
/// kakapo-ctrl-agent reads as it is: Kea's keys and defaults (`AgentSimpleParser`).
public struct AgentConfig: Sendable, Equatable {
    /// `http-host`: the address the REST service listens on (Kea's default 127.0.0.1).
    public var httpHost: String = "127.0.0.1"
    /// `http-port` (Kea's default 8000).
    public var httpPort: UInt16 = 8000
    /// `control-sockets`: the daemons commands are forwarded to, by service name
    /// ("dhcp4", "dhcp6", "d2"), in file order.
    public var controlSockets: [AgentControlSocket] = []
    /// `authentication`: basic HTTP authentication, nil when absent (no check).
    public var authentication: AgentAuthentication?
    /// TLS: all three or none (Kea's `checkTlsSetup`); empty strings are "not set".
    public var trustAnchor: String = ""
    public var certFile: String = ""
    public var keyFile: String = ""
    /// `cert-required` (Kea's default true): clients must present a valid certificate.
    public var certRequired: Bool = true
    public var hooksLibraries: [HookLibrary] = []
    public var loggers: [LoggerConfig] = []
    public var warnings: [ConfigWarning] = []

    public init() {}

    /// Whether the REST service speaks HTTPS (the three TLS files are set).
    public var usesTLS: Bool { !trustAnchor.isEmpty && !certFile.isEmpty && !keyFile.isEmpty }

    /// Where commands for `service` are forwarded, or nil when the configuration names none.
    public func forwardingTarget(for service: String) -> AgentControlSocket? {
        controlSockets.first { $0.service == service }
    }

    /// The services the agent forwards to, as Kea lists them (sorted by name).
    public var serviceNames: [String] { controlSockets.map(\.service).sorted() }
}

/// One `control-sockets` entry.
public struct AgentControlSocket: Sendable, Equatable {
    /// "dhcp4", "dhcp6" or "d2".
    public var service: String
    /// Kea 2.4 takes "unix" only.
    public var socketType: String = "unix"
    /// The unix socket's path ("" when the entry names none: Kea accepts that, and forwarding
    /// to it then fails).
    public var socketName: String

    public init(service: String, socketName: String) {
        self.service = service
        self.socketName = socketName
    }
}

/// `authentication` (type "basic" only in Kea 2.4's open-source agent).
public struct AgentAuthentication: Sendable, Equatable {
    /// `realm`, sent in `WWW-Authenticate` (Kea's default "kea-control-agent").
    public var realm: String = "kea-control-agent"
    /// `directory`: where `user-file` and `password-file` are looked up.
    public var directory: String = ""
    public var clients: [AgentClient] = []

    public init() {}

    /// Kea's path for a `user-file`/`password-file`: the directory, one '/', the name (a
    /// leading '/' of the name is not doubled), as `BasicHttpAuthConfig::getFileContent`.
    public func filePath(_ name: String) -> String {
        var path = directory
        if path.isEmpty || !path.hasSuffix("/") { path += "/" }
        path += name.hasPrefix("/") ? String(name.dropFirst()) : name
        return path
    }
}

/// One `clients` entry: the user and password given inline or in files.
public struct AgentClient: Sendable, Equatable {
    /// How the user is given.
    public enum Source: Sendable, Equatable {
        /// `user`: inline.
        case inline(String)
        /// `user-file`: the file's content is the user.
        case file(String)
        /// Neither: `password-file` holds "user:password".
        case inPasswordFile
    }
    public var user: Source
    /// `password` inline, or nil when `password-file` gives it.
    public var password: String?
    public var passwordFile: String?
    /// Where the entry and its file names are written, for the errors found in the files.
    public var position: SourcePosition?
    public var userFilePosition: SourcePosition?
    public var passwordFilePosition: SourcePosition?

    public init(user: Source, password: String?, passwordFile: String?) {
        self.user = user
        self.password = password
        self.passwordFile = passwordFile
    }
}
