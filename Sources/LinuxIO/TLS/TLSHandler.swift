import CSSL
import NIOConcurrencyHelpers
import NIOCore

/// Why a TLS connection failed after its context was made (a handshake the peer or we refused,
/// a corrupt record, a connection closed mid-handshake), with OpenSSL's own words. The handler
/// fires it through `errorCaught` and closes the connection; the agent logs it.
public struct TLSConnectionError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// One connection's TLS: OpenSSL's SSL object over two memory BIOs. Ciphertext from the
/// network goes into the read BIO; whatever OpenSSL puts in the write BIO (handshake
/// messages, records, alerts, close_notify) is written to the channel. Application data
/// written before the handshake ends waits for it. Everything runs on the channel's event
/// loop; the SSL object (which owns both BIOs) is freed with the handler.
final class TLSHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State { case idle, handshaking, open, closing, closed }

    private let tlsContext: TLSContext   // keeps the SSL_CTX alive as long as the SSL
    private let ssl: OpaquePointer?
    private let readBIO: OpaquePointer?
    private let writeBIO: OpaquePointer?
    private let setupError: String?
    private var state = State.idle
    private var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var pendingFlush = false
    private var deliveredData = false

    /// How many SSL objects are alive (made and not yet freed): the tests check that failed
    /// handshakes leave none behind.
    static let liveSSLObjects = NIOLockedValueBox(0)

    /// The largest plaintext piece handed to SSL_write (one TLS record).
    private static let recordSize = 16384

    init(context: TLSContext, serverName: String?) {
        tlsContext = context
        ERR_clear_error()
        var failure: String?
        let ssl = SSL_new(context.ctx)
        let rbio = BIO_new(BIO_s_mem())
        let wbio = BIO_new(BIO_s_mem())
        if let ssl, let rbio, let wbio {
            SSL_set_bio(ssl, rbio, wbio)            // the SSL owns the BIOs from here; deinit frees it
            Self.liveSSLObjects.withLockedValue { $0 += 1 }
            self.ssl = ssl
            readBIO = rbio
            writeBIO = wbio
            if context.isServer {
                SSL_set_accept_state(ssl)
            } else {
                SSL_set_connect_state(ssl)
                if let name = serverName, !name.isEmpty {
                    failure = Self.setPeerName(ssl, name)
                }
            }
        } else {
            failure = "cannot create a TLS connection: \(TLSContext.openSSLErrors())"
            if let ssl { SSL_free(ssl) }
            if let rbio { BIO_free(rbio) }
            if let wbio { BIO_free(wbio) }
            self.ssl = nil
            readBIO = nil
            writeBIO = nil
        }
        setupError = failure
    }

    deinit {
        if let ssl {
            SSL_free(ssl)
            Self.liveSSLObjects.withLockedValue { $0 -= 1 }
        }
    }

    /// The name the server's certificate must carry: an address is checked against the
    /// certificate's IP entries (and sent as no SNI, as RFC 6066 says), a host name against
    /// its DNS entries and sent as SNI.
    private static func setPeerName(_ ssl: OpaquePointer, _ name: String) -> String? {
        let param = SSL_get0_param(ssl)
        if X509_VERIFY_PARAM_set1_ip_asc(param, name) == 1 {
            return nil
        }
        ERR_clear_error()
        guard kk_ssl_set_tlsext_host_name(ssl, name) == 1, SSL_set1_host(ssl, name) == 1 else {
            return "cannot use '\(name)' as the TLS server name: \(TLSContext.openSSLErrors())"
        }
        return nil
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard state == .idle else { return }
        if let setupError {
            fail(context: context, setupError)
            return
        }
        state = .handshaking
        if !tlsContext.isServer { advanceHandshake(context: context) }   // the ClientHello
    }

    func channelInactive(context: ChannelHandlerContext) {
        let wasHandshaking = state == .handshaking
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        if wasHandshaking {
            context.fireErrorCaught(TLSConnectionError("TLS handshake failed: the peer closed the connection"))
        }
        context.fireChannelInactive()
    }

    // MARK: - Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard ssl != nil, state == .handshaking || state == .open || state == .closing else { return }
        let bytes = unwrapInboundIn(data)
        let written = bytes.withUnsafeReadableBytes { raw -> Int32 in
            guard let base = raw.baseAddress, raw.count > 0 else { return 0 }
            return BIO_write(readBIO, base, Int32(raw.count))
        }
        if bytes.readableBytes > 0 && written != Int32(bytes.readableBytes) {
            fail(context: context, "TLS: cannot buffer incoming data: \(TLSContext.openSSLErrors())")
            return
        }
        if state == .handshaking { advanceHandshake(context: context) }
        if state == .open || state == .closing { readPlaintext(context: context) }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Handshake bytes produce nothing downstream; ask for more so that a pipeline
        // without autoRead does not stall mid-handshake.
        if !deliveredData && state == .handshaking { context.read() }
        deliveredData = false
        context.fireChannelReadComplete()
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard let ssl else { return }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = .open
            writeOutput(context: context, flush: false)
            flushPendingWrites(context: context)
            context.flush()
            return
        }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
            writeOutput(context: context, flush: true)
            return
        }
        fail(context: context, "TLS handshake failed: \(describeFailure(code))")
    }

    private func readPlaintext(context: ChannelHandlerContext) {
        guard let ssl else { return }
        while state == .open || state == .closing {
            var buffer = context.channel.allocator.buffer(capacity: Self.recordSize)
            var result: Int32 = 0
            ERR_clear_error()
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: Self.recordSize) { raw in
                result = SSL_read(ssl, raw.baseAddress, Int32(min(raw.count, Int(Int32.max))))
                return result > 0 ? Int(result) : 0
            }
            if result > 0 {
                deliveredData = true
                context.fireChannelRead(wrapInboundOut(buffer))
                continue
            }
            let code = SSL_get_error(ssl, result)
            switch code {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                writeOutput(context: context, flush: true)   // e.g. a KeyUpdate answer
                return
            case SSL_ERROR_ZERO_RETURN:
                // The peer's close_notify: answer it and close.
                if state == .open {
                    sendCloseNotifyAndClose(context: context, mode: .all, promise: nil)
                } else {
                    context.close(promise: nil)
                }
                return
            default:
                fail(context: context, "TLS error: \(describeFailure(code))")
                return
            }
        }
    }

    // MARK: - Outbound

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking:
            pendingWrites.append((buffer, promise))
        case .open:
            encryptAndWrite(context: context, buffer, promise: promise)
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    func flush(context: ChannelHandlerContext) {
        switch state {
        case .idle, .handshaking: pendingFlush = true
        default: context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode != .input, state == .open else {
            if mode != .input {
                state = .closed
                failPendingWrites(ChannelError.ioOnClosedChannel)
            }
            context.close(mode: mode, promise: promise)
            return
        }
        sendCloseNotifyAndClose(context: context, mode: mode, promise: promise)
    }

    /// close_notify first, then the TCP close once it is on the wire (or failed to be).
    private func sendCloseNotifyAndClose(context: ChannelHandlerContext, mode: CloseMode,
                                         promise: EventLoopPromise<Void>?) {
        state = .closing
        if let ssl {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)
            ERR_clear_error()
        }
        guard let output = drainOutput(context: context) else {
            context.close(mode: mode, promise: promise)
            return
        }
        context.writeAndFlush(wrapOutboundOut(output)).assumeIsolated().whenComplete { _ in
            context.close(mode: mode, promise: promise)
        }
    }

    private func encryptAndWrite(context: ChannelHandlerContext, _ plaintext: ByteBuffer,
                                 promise: EventLoopPromise<Void>?) {
        guard let ssl else { promise?.fail(ChannelError.ioOnClosedChannel); return }
        var plaintext = plaintext
        var output = context.channel.allocator.buffer(capacity: 0)
        while plaintext.readableBytes > 0 {
            let piece = min(plaintext.readableBytes, Self.recordSize)
            ERR_clear_error()
            let result = plaintext.withUnsafeReadableBytes { raw in
                SSL_write(ssl, raw.baseAddress, Int32(piece))
            }
            guard result > 0 else {
                let code = SSL_get_error(ssl, result)
                promise?.fail(TLSConnectionError("TLS write failed: \(describeFailure(code))"))
                fail(context: context, "TLS write failed: \(describeFailure(code))")
                return
            }
            plaintext.moveReaderIndex(forwardBy: Int(result))
            if var produced = drainOutput(context: context) { output.writeBuffer(&produced) }
        }
        context.write(wrapOutboundOut(output), promise: promise)
    }

    private func flushPendingWrites(context: ChannelHandlerContext) {
        let writes = pendingWrites
        pendingWrites = []
        for (buffer, promise) in writes {
            guard state == .open else { promise?.fail(ChannelError.ioOnClosedChannel); continue }
            encryptAndWrite(context: context, buffer, promise: promise)
        }
        if pendingFlush {
            pendingFlush = false
            context.flush()
        }
    }

    private func failPendingWrites(_ error: any Error) {
        let writes = pendingWrites
        pendingWrites = []
        pendingFlush = false
        for (_, promise) in writes { promise?.fail(error) }
    }

    /// What OpenSSL has queued for the network, if anything.
    private func drainOutput(context: ChannelHandlerContext) -> ByteBuffer? {
        guard let writeBIO else { return nil }
        var pending = BIO_ctrl_pending(writeBIO)
        guard pending > 0 else { return nil }
        var buffer = context.channel.allocator.buffer(capacity: Int(pending))
        while pending > 0 {
            let want = Int(pending)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
                let got = BIO_read(writeBIO, raw.baseAddress, Int32(min(want, raw.count)))
                return got > 0 ? Int(got) : 0
            }
            pending = BIO_ctrl_pending(writeBIO)
        }
        return buffer
    }

    private func writeOutput(context: ChannelHandlerContext, flush: Bool) {
        guard let output = drainOutput(context: context) else { return }
        if flush {
            context.writeAndFlush(wrapOutboundOut(output), promise: nil)
        } else {
            context.write(wrapOutboundOut(output), promise: nil)
        }
    }

    // MARK: - Failure

    /// OpenSSL's reason (its error queue, and the certificate check's verdict when that
    /// failed).
    private func describeFailure(_ code: Int32) -> String {
        var parts: [String] = []
        if ERR_peek_error() != 0 { parts.append(TLSContext.openSSLErrors()) }
        if let ssl {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK, let text = X509_verify_cert_error_string(verify) {
                parts.append("certificate verification: \(String(cString: text))")
            }
        }
        if parts.isEmpty {
            switch code {
            case SSL_ERROR_SYSCALL: parts.append("unexpected end of data")
            default: parts.append("OpenSSL error code \(code)")
            }
        }
        return parts.joined(separator: "; ")
    }

    /// Sends whatever alert OpenSSL queued, reports the error and closes the connection.
    private func fail(context: ChannelHandlerContext, _ message: String) {
        guard state != .closed else { return }
        state = .closed
        let error = TLSConnectionError(message)
        failPendingWrites(error)
        if let alert = drainOutput(context: context) {
            context.writeAndFlush(wrapOutboundOut(alert), promise: nil)
        }
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
