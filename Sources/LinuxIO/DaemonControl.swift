import Glibc
import KakapoCore

/// The control-channel work every Kakapo daemon does the same way, whatever its protocol:
/// decoding a request and logging it as Kea does, and the family-neutral daemon commands'
/// answers (status-get, config-write).
public enum DaemonControl {
    /// Answers one request's text: a malformed one gets its rejection (result 1), a decoded
    /// one is logged and handed to `body`; an answer too large for the socket's queue is logged.
    public static func answer(_ text: String, logger: Logger, _ body: (ControlRequest) -> JSON) -> String {
        let request: ControlRequest
        switch ControlRequest.decode(text) {
        case .failure(let rejection):
            if let detail = rejection.invalidJSON {
                logger.log(.warn, "COMMAND_PROCESS_ERROR1", "Error while processing command: invalid JSON: \(detail)", component: "commands")
            }
            return rejection.answer.serialized()
        case .success(let decoded): request = decoded
        }
        logger.log(.info, "COMMAND_RECEIVED", "Received command '\(request.command)'", component: "commands")
        let response = body(request).serialized()
        if response.utf8.count > ControlSocket.queuedBytesMax {
            logger.log(.error, "COMMAND_SOCKET_WRITE_FAIL", "answer to '\(request.command)' is \(response.utf8.count) bytes, more than the control socket queues (\(ControlSocket.queuedBytesMax)); connection closed unanswered", component: "commands")
        }
        return response
    }

    /// status-get: the process, its uptime and the time since the last reconfiguration, and
    /// as Kea 2.4 answers: "multi-threading-enabled", and with multi-threading on the thread
    /// count, the packet queue size and its statistics (averages over about the last 10, 100
    /// and 1000 packets), which Kea leaves out when it is off.
    public static func status(_ daemon: Daemon, now: Now,
                              multiThreading: (threads: Int, queueSize: Int, queueStatistics: [Double])? = nil) -> JSON {
        let uptime = (now.monotonic - daemon.startedAt).value / 1000
        let reload = (now.monotonic - daemon.reloadedAt).value / 1000
        var fields: [(String, JSON)] = [
            ("pid", .int(Int64(getpid()))),
            ("uptime", .int(uptime)),
            ("reload", .int(reload)),
            ("multi-threading-enabled", .bool(multiThreading != nil)),
        ]
        if let m = multiThreading {
            fields.append(("thread-pool-size", .int(Int64(m.threads))))
            fields.append(("packet-queue-size", .int(Int64(m.queueSize))))
            fields.append(("packet-queue-statistics", .array(m.queueStatistics.map { .double($0) })))
        }
        fields.append(("sockets", .object(JSONObject([("status", .string("ready"))]))))
        return ControlResponse.make(.success, arguments: .object(JSONObject(fields)))
    }

    /// config-write: the running configuration to `filename` (default: the file it came from).
    public static func configWrite(_ args: JSON?, configPath: String, running: JSON) -> JSON {
        let file = args?["filename"]?.stringValue ?? configPath
        let text = running.serialized(pretty: true) + "\n"
        do { try writeFileAtomically(file, text) } catch { return ControlResponse.make(.error, "Unable to write file \(file): \(error)") }
        return ControlResponse.make(.success, "Configuration written to \(file) successfully", arguments: .object(JSONObject([
            ("filename", .string(file)), ("size", .int(Int64(text.utf8.count)))])))
    }
}
