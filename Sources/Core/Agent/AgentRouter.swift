/// The control agent's request logic, without I/O: Kea 2.4's kea-ctrl-agent order of checks
/// (the HTTP request first, 400; then basic authentication, 401 with `WWW-Authenticate`; then
/// the command envelope, always answered 200 with a JSON list), and the routing of a command to
/// the agent itself (no `service`, or an empty list) or to each named service's socket.
public struct AgentRouter: Sendable {
    public let config: AgentConfig
    /// nil when `authentication` is absent or has no clients: every request is let in.
    public let authenticator: BasicAuthenticator?
    /// The agent's own commands (`CommandOwner.agent`).
    public let table: CommandTable

    /// Kea 2.4's kea-ctrl-agent commands.
    public static let commandTable = CommandTable(
        [DaemonCommand.buildReport, .configGet, .configReload, .configSet, .configTest, .configWrite, .listCommands,
         .shutdown, .statusGet, .versionGet].map { CommandEntry($0.rawValue, owner: .agent, arguments: $0.arguments) }
        + [CommandEntry("config-hash-get", owner: .agent, arguments: .none)])

    public init(config: AgentConfig, authenticator: BasicAuthenticator?) {
        self.config = config
        self.authenticator = authenticator.flatMap { $0.clients.isEmpty ? nil : $0 }
        self.table = Self.commandTable
    }

    /// What to do with a request.
    public enum Route: Sendable {
        /// Answer at once (a 400, a 401).
        case respond(AgentHTTPResponse)
        /// Carry out these command steps, in order; their answers form the JSON list returned.
        case commands(command: String, steps: [CommandStep])
        /// `GET /metrics`: every configured service's statistics.
        case metrics
        /// `GET /dashboard...`: the path below `/dashboard`.
        case dashboard(path: String)
    }

    /// One element of the answer list.
    public enum CommandStep: Sendable, Equatable {
        /// An answer already known (an envelope error, an unconfigured service).
        case answer(JSON)
        /// One of the agent's own commands, arguments checked against the table.
        case own(ControlRequest)
        /// `text` to send to `service`'s unix socket at `socketName`.
        case forward(service: String, socketName: String, text: String)
    }

    /// The decision and what the shell logs about it.
    public struct Decision: Sendable {
        public let route: Route
        /// The authentication check's outcome (nil when no check was made).
        public let auth: BasicAuthenticator.Outcome?
        /// Why the request was refused with 400 (Kea's HTTP_BAD_CLIENT_REQUEST_RECEIVED detail).
        public let badRequest: String?
    }

    public func route(_ request: AgentHTTPRequest) -> Decision {
        let path = request.path
        if request.method == "GET" || request.method == "HEAD" {
            if path == "/metrics" || path == "/dashboard" || path.hasPrefix("/dashboard/") {
                let outcome = authenticator?.check(authorization: request.header("Authorization"))
                if let outcome, !outcome.isAuthorized { return Decision(route: .respond(unauthorized), auth: outcome, badRequest: nil) }
                let route: Route = path == "/metrics" ? .metrics : .dashboard(path: String(path.dropFirst("/dashboard".count)))
                return Decision(route: route, auth: outcome, badRequest: nil)
            }
        }
        guard request.method == "POST" else {
            return bad("unsupported HTTP method \(request.method)")
        }
        guard let contentType = request.header("Content-Type") else {
            return bad("required header Content-Type not found")
        }
        guard KeaText.lowercased(BasicAuthenticator.trim(contentType)) == "application/json" else {
            return bad("required header's content-type value is application/json, but \(contentType) was found")
        }
        var body: JSON?
        if !request.body.isEmpty {
            do { body = try JSON.parse(String(decoding: request.body, as: UTF8.self)) } catch {
                return bad("unable to parse the body of the HTTP request: \(error.message)")
            }
        }
        let outcome = authenticator?.check(authorization: request.header("Authorization"))
        if let outcome, !outcome.isAuthorized { return Decision(route: .respond(unauthorized), auth: outcome, badRequest: nil) }
        let (command, steps) = plan(body)
        return Decision(route: .commands(command: command, steps: steps), auth: outcome, badRequest: nil)
    }

    var unauthorized: AgentHTTPResponse {
        AgentHTTPResponse.stock(401, extraHeaders: [.init("WWW-Authenticate", authenticator?.challenge ?? "Basic realm=\"\(AgentAuthentication().realm)\"")])
    }

    func bad(_ reason: String) -> Decision {
        Decision(route: .respond(.stock(400)), auth: nil, badRequest: reason)
    }

    static let processingError = "Error during command processing: "
    static let allowedKeys: Set<String> = ["command", "arguments", "service", "remote-address"]

    /// Kea's `processCommand` and the agent's `handleCommand`: the envelope's checks, then
    /// the agent itself or each named service. Returns the command name ("" when unknown).
    public func plan(_ body: JSON?) -> (String, [CommandStep]) {
        func fail(_ text: String) -> [CommandStep] { [.answer(ControlResponse.make(.error, Self.processingError + text))] }
        guard let body else { return ("", [.answer(ControlResponse.make(.error, "Command processing failed: NULL command parameter"))]) }
        guard let object = body.objectValue else { return ("", fail("Invalid command Element specified, expected map")) }
        guard let commandValue = object["command"] else {
            return ("", fail("Invalid answer specified, does not contain mandatory 'command'"))
        }
        guard let command = commandValue.stringValue else {
            return ("", fail("'command' element in command message is not a string"))
        }
        if let extra = object.keys.sorted().first(where: { !Self.allowedKeys.contains($0) }) {
            return (command, fail("Received command contains unsupported parameter '\(extra)'"))
        }
        let arguments = object["arguments"]
        var services: [String] = []
        if let given = object["service"] {
            guard let list = given.arrayValue else {
                return (command, [.answer(ControlResponse.make(.error, "service value must be a list"))])
            }
            for element in list {
                guard let name = element.stringValue else {
                    return (command, fail("stringValue() called on non-string Element"))
                }
                services.append(name)
            }
        }
        guard !services.isEmpty else {
            guard let entry = table.entry(named: command) else {
                return (command, [.answer(ControlResponse.make(.unsupported, Self.notSupportedText(command)))])
            }
            if let problem = entry.argumentsProblem(arguments) { return (command, [.answer(problem)]) }
            return (command, [.own(ControlRequest(command: command, arguments: arguments))])
        }
        // What the daemons get: the envelope without "service".
        var forwarded: [(String, JSON)] = [("command", .string(command))]
        if let arguments { forwarded.append(("arguments", arguments)) }
        if let remote = object["remote-address"] { forwarded.append(("remote-address", remote)) }
        let text = JSON.object(JSONObject(forwarded)).serialized()
        return (command, services.map { service -> CommandStep in
            guard let socket = config.forwardingTarget(for: service) else {
                return .answer(ControlResponse.make(.error, Self.notConfiguredText(service)))
            }
            return .forward(service: service, socketName: socket.socketName, text: text)
        })
    }

    /// Kea's text for a service with no `control-sockets` entry.
    public static func notConfiguredText(_ service: String) -> String {
        "forwarding socket is not configured for the server type \(service)"
    }

    /// Kea's text when a service's socket cannot be reached (`reason`: the system's words).
    public static func unreachableText(_ service: String, reason: String) -> String {
        "unable to forward command to the \(service) service: \(reason). The server is likely to be offline"
    }

    /// Kea's text for a command the agent does not have, sent without `service`.
    public static func notSupportedText(_ command: String) -> String {
        "'\(command)' command not supported. You did not include \"service\" parameter in the command, which indicates that Kea Control Agent should process this command rather than forward it to one or more Kea servers. If you aimed to send this command to one of the Kea servers you should include the \"service\" parameter in your request, e.g. \"service\": [ \"dhcp4\" ] to forward the command to the DHCPv4 server, or \"service\": [ \"dhcp4\", \"dhcp6\", \"d2\" ] to forward it to DHCPv4, DHCPv6 and D2 servers etc."
    }

    /// A service's reply text as one element of the answer list: its JSON, or an error
    /// answer when it is not JSON.
    public static func forwardedAnswer(_ service: String, reply: String) -> JSON {
        do { return try JSON.parse(reply) } catch {
            return ControlResponse.make(.error, "unable to parse the response from the \(service) service: \(error.message)")
        }
    }

    /// The 200 answer for a command's list of answers (Kea always answers with a list).
    public static func response(_ answers: [JSON]) -> AgentHTTPResponse {
        .json(.array(answers))
    }
}
