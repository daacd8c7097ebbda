import Glibc
import NIOCore
import NIOPosix

/// Why a command could not be forwarded, in the system's words ("No such file or directory").
struct ForwardFailure: Error {
    let reason: String
}

/// Forwards one command to a daemon's unix control socket the way Kea's agent does: connect,
/// write the JSON, read the whole answer until the daemon closes. Everything runs on the
/// agent's event loop (non-blocking), bounded in time and in answer size.
enum AgentForwarder {
    /// Kea's agent gives a daemon 10 s to answer (TIMEOUT_AGENT_FORWARD_COMMAND).
    static let timeout = TimeAmount.seconds(10)
    /// The largest answer taken (lease4-get-all of a large pool fits).
    static let replyBytesMax = 64 << 20

    static func forward(_ text: String, to path: String, on loop: any EventLoop) -> EventLoopFuture<String> {
        let promise = loop.makePromise(of: String.self)
        guard !path.isEmpty else {
            promise.fail(ForwardFailure(reason: String(cString: strerror(ENOENT))))
            return promise.futureResult
        }
        let connected = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ForwardReplyHandler(promise: promise))
                }
            }
            .connect(unixDomainSocketPath: path)
        connected.whenComplete { result in
            switch result {
            case .failure(let error):
                promise.fail(ForwardFailure(reason: describe(error)))
            case .success(let channel):
                let deadline = loop.scheduleTask(in: timeout) {
                    promise.fail(ForwardFailure(reason: String(cString: strerror(ETIMEDOUT))))
                    channel.close(promise: nil)
                }
                promise.futureResult.whenComplete { _ in deadline.cancel() }
                channel.writeAndFlush(ByteBuffer(string: text)).whenFailure { error in
                    promise.fail(ForwardFailure(reason: describe(error)))
                    channel.close(promise: nil)
                }
            }
        }
        return promise.futureResult
    }

    /// The system's words for a socket error.
    static func describe(_ error: any Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        if let channel = error as? ChannelError, case .connectTimeout = channel { return String(cString: strerror(ETIMEDOUT)) }
        if let failure = error as? ForwardFailure { return failure.reason }
        if let connection = error as? NIOConnectionError, let first = connection.connectionErrors.first {
            return describe(first.error)
        }
        return "\(error)"
    }
}

/// Collects a daemon's answer until it closes the connection.
final class ForwardReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let promise: EventLoopPromise<String>
    var reply: [UInt8] = []
    var done = false

    init(promise: EventLoopPromise<String>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if let bytes = buffer.readBytes(length: buffer.readableBytes) { reply += bytes }
        if reply.count > AgentForwarder.replyBytesMax, !done {
            done = true
            promise.fail(ForwardFailure(reason: "answer larger than \(AgentForwarder.replyBytesMax) bytes"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !done {
            done = true
            promise.succeed(String(decoding: reply, as: UTF8.self))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !done {
            done = true
            promise.fail(ForwardFailure(reason: AgentForwarder.describe(error)))
        }
        context.close(promise: nil)
    }
}
