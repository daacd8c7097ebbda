/// How to reach an SQL database (PostgreSQL or MySQL), for leases or host reservations:
/// Kea 2.4's connection keys. Absent optional values leave the choice to the database
/// client library, as Kea does.
public struct DatabaseConnectionSettings: Sendable, Equatable {
    /// `on-fail`: what the server does while the connection is lost and being recovered.
    public enum OnFail: String, Sendable, CaseIterable {
        /// Stop serving while reconnecting; exit when the tries run out (Kea's default).
        case stopRetryExit = "stop-retry-exit"
        /// Keep serving while reconnecting; exit when the tries run out.
        case serveRetryExit = "serve-retry-exit"
        /// Keep serving while reconnecting, and afterwards without the database.
        case serveRetryContinue = "serve-retry-continue"
    }

    /// `name`: the database name.
    public var name: String? = nil
    /// `host`: nil connects locally (the client library's default).
    public var host: String? = nil
    /// `port`: nil is the engine's default port.
    public var port: UInt16? = nil
    public var user: String? = nil
    public var password: String? = nil
    /// `connect-timeout`; nil: the backend's default (5 seconds in Kea).
    public var connectTimeoutSeconds: UInt32? = nil
    /// `read-timeout` (Kea uses it with MySQL); nil (Kea's 0): none.
    public var readTimeoutSeconds: UInt32? = nil
    /// `write-timeout` (Kea uses it with MySQL); nil (Kea's 0): none.
    public var writeTimeoutSeconds: UInt32? = nil
    /// `tcp-user-timeout` (Kea uses it with PostgreSQL); nil (Kea's 0): the system's.
    public var tcpUserTimeoutSeconds: UInt32? = nil
    /// `max-reconnect-tries`: 0 means a lost connection is not retried.
    public var reconnectTriesMax: UInt32 = 0
    /// `reconnect-wait-time`, between tries.
    public var reconnectWaitTimeMilliseconds: UInt32 = 0
    public var onFail: OnFail = .stopRetryExit
    /// `trust-anchor`, `cert-file`, `key-file`, `cipher-list`: TLS to the database server.
    public var trustAnchor: String? = nil
    public var certFile: String? = nil
    public var keyFile: String? = nil
    public var cipherList: String? = nil

    public init() {}
}
