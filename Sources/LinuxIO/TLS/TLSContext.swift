import NIOCore

/// Why a TLS context could not be made (a missing or unreadable file, a key that does not
/// match its certificate, a bad trust anchor), in words an operator can act on.
public struct TLSSetupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// TLS through the system's OpenSSL (libssl, CSSL), for the control agent (server side) and
/// kakapo-shell (client side). One context per configuration; `makeHandler` gives each
/// connection its own handler, to be put first in its channel pipeline.
///
/// Seam for issue 11: this file fixes the API; the OpenSSL implementation replaces the bodies.
public final class TLSContext: @unchecked Sendable {
    /// A server context: `certFile`/`keyFile` in PEM; `trustAnchor` (a CA file or directory)
    /// verifies client certificates; `certRequired` refuses clients without a valid one.
    public static func server(certFile: String, keyFile: String, trustAnchor: String?,
                              certRequired: Bool) throws(TLSSetupError) -> TLSContext {
        throw TLSSetupError("TLS is not available in this build yet")
    }

    /// A client context: `trustAnchor` (a CA file or directory) verifies the server; a client
    /// certificate and key are sent when both are given.
    public static func client(trustAnchor: String?, certFile: String?,
                              keyFile: String?) throws(TLSSetupError) -> TLSContext {
        throw TLSSetupError("TLS is not available in this build yet")
    }

    /// A new handler for one connection (server or client, as the context was made);
    /// `serverName` is the name a client checks and sends as SNI.
    public func makeHandler(serverName: String? = nil) -> any ChannelHandler {
        preconditionFailure("TLS is not available in this build yet")
    }
}
