import CSSL
import Glibc
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
/// The context is an SSL_CTX made with TLS_method, so the host's OpenSSL configuration
/// (system default cipher lists, security level) applies; only the floor is raised to TLS 1.2
/// and renegotiation is refused. The context is read-only once made, so one may be shared by
/// connections on every event loop.
public final class TLSContext: @unchecked Sendable {
    let ctx: OpaquePointer
    let isServer: Bool

    private init(ctx: OpaquePointer, isServer: Bool) {
        self.ctx = ctx
        self.isServer = isServer
    }

    deinit { SSL_CTX_free(ctx) }

    /// A server context: `certFile`/`keyFile` in PEM; `trustAnchor` (a CA file or directory)
    /// verifies client certificates; `certRequired` refuses clients without a valid one.
    public static func server(certFile: String, keyFile: String, trustAnchor: String?,
                              certRequired: Bool) throws(TLSSetupError) -> TLSContext {
        let context = try makeContext(isServer: true)
        try context.loadIdentity(certFile: certFile, keyFile: keyFile)
        try context.loadTrustAnchor(trustAnchor, advertiseToClients: true)
        // Without certRequired a client that offers a certificate still has it checked.
        let mode = certRequired ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER
        SSL_CTX_set_verify(context.ctx, mode, nil)
        // A server that verifies peers needs a session id context, or resumption fails.
        let sid = Array("kakapo-ctrl-agent".utf8)
        _ = SSL_CTX_set_session_id_context(context.ctx, sid, UInt32(sid.count))
        return context
    }

    /// A client context: `trustAnchor` (a CA file or directory) verifies the server; a client
    /// certificate and key are sent when both are given.
    public static func client(trustAnchor: String?, certFile: String?,
                              keyFile: String?) throws(TLSSetupError) -> TLSContext {
        let context = try makeContext(isServer: false)
        switch (certFile, keyFile) {
        case let (cert?, key?):
            try context.loadIdentity(certFile: cert, keyFile: key)
        case (nil, nil):
            break
        default:
            throw TLSSetupError("a client certificate and its key must be given together")
        }
        try context.loadTrustAnchor(trustAnchor, advertiseToClients: false)
        SSL_CTX_set_verify(context.ctx, SSL_VERIFY_PEER, nil)
        return context
    }

    /// A new handler for one connection (server or client, as the context was made);
    /// `serverName` is the name a client checks and sends as SNI.
    public func makeHandler(serverName: String? = nil) -> any ChannelHandler {
        TLSHandler(context: self, serverName: isServer ? nil : serverName)
    }

    // MARK: - Setup

    private static func makeContext(isServer: Bool) throws(TLSSetupError) -> TLSContext {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_method()) else {
            throw TLSSetupError("cannot create a TLS context: \(openSSLErrors())")
        }
        let context = TLSContext(ctx: ctx, isServer: isServer)
        guard kk_ssl_ctx_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 else {
            throw TLSSetupError("cannot set TLS 1.2 as the minimum version: \(openSSLErrors())")
        }
        _ = SSL_CTX_set_options(ctx, kk_ssl_op_no_renegotiation())
        // An encrypted key must not make OpenSSL prompt on a terminal: it fails instead.
        SSL_CTX_set_default_passwd_cb(ctx) { _, _, _, _ in 0 }
        return context
    }

    private func loadIdentity(certFile: String, keyFile: String) throws(TLSSetupError) {
        try Self.checkReadable(certFile, what: "certificate file")
        try Self.checkReadable(keyFile, what: "key file")
        ERR_clear_error()
        guard SSL_CTX_use_certificate_chain_file(ctx, certFile) == 1 else {
            throw TLSSetupError("cannot load the certificate file '\(certFile)': \(Self.openSSLErrors())")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, keyFile, SSL_FILETYPE_PEM) == 1 else {
            let reason = Self.openSSLErrors()
            if reason.contains("key values mismatch") {
                throw TLSSetupError("the key file '\(keyFile)' does not match the certificate file "
                                    + "'\(certFile)': \(reason)")
            }
            throw TLSSetupError("cannot load the key file '\(keyFile)': \(reason)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw TLSSetupError("the key file '\(keyFile)' does not match the certificate file "
                                + "'\(certFile)': \(Self.openSSLErrors())")
        }
    }

    /// A CA file or a hashed CA directory (c_rehash/openssl rehash), as Kea's trust-anchor;
    /// nil means the system's default verify paths.
    private func loadTrustAnchor(_ anchor: String?, advertiseToClients: Bool) throws(TLSSetupError) {
        ERR_clear_error()
        guard let anchor, !anchor.isEmpty else {
            guard SSL_CTX_set_default_verify_paths(ctx) == 1 else {
                throw TLSSetupError("cannot load the system's trusted CAs: \(Self.openSSLErrors())")
            }
            return
        }
        var info = stat()
        guard stat(anchor, &info) == 0 else {
            throw TLSSetupError("cannot use the trust anchor '\(anchor)': \(String(cString: strerror(errno)))")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            guard SSL_CTX_load_verify_dir(ctx, anchor) == 1 else {
                throw TLSSetupError("cannot use the trust anchor directory '\(anchor)': \(Self.openSSLErrors())")
            }
        } else {
            try Self.checkReadable(anchor, what: "trust anchor")
            guard SSL_CTX_load_verify_file(ctx, anchor) == 1 else {
                throw TLSSetupError("cannot load the trust anchor file '\(anchor)': \(Self.openSSLErrors())")
            }
            // Tell clients which CAs are accepted (CertificateRequest's list), as Kea does.
            if advertiseToClients, let names = SSL_load_client_CA_file(anchor) {
                SSL_CTX_set_client_CA_list(ctx, names)
            }
            ERR_clear_error()
        }
    }

    private static func checkReadable(_ path: String, what: String) throws(TLSSetupError) {
        if access(path, R_OK) != 0 {
            throw TLSSetupError("cannot read the \(what) '\(path)': \(String(cString: strerror(errno)))")
        }
    }

    /// This thread's OpenSSL error queue, drained, as "text; text".
    static func openSSLErrors() -> String {
        var texts: [String] = []
        var buffer = [CChar](repeating: 0, count: 256)
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            ERR_error_string_n(code, &buffer, buffer.count)
            texts.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return texts.isEmpty ? "unknown OpenSSL error" : texts.joined(separator: "; ")
    }
}
