import Foundation
import Testing
@testable import KakapoCore

@Suite struct AgentConfigDecoderTests {
    static let seedPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/configs/seed/kea-ctrl-agent.conf").path

    /// The seed misses a comma after "output" (line 28): Kea 2.2's kea-ctrl-agent -t says
    /// `FILE:29.13-21: syntax error, unexpected pattern, expecting "," or }`.
    @Test func seedIsRejectedAtKeasPosition() throws {
        let text = try String(contentsOfFile: Self.seedPath, encoding: .utf8)
        do {
            _ = try AgentConfigDecoder.decode(text: text, file: "seed.conf")
            Issue.record("the seed was accepted")
        } catch {
            #expect(error.message == "seed.conf:29.13-21: syntax error, unexpected pattern, expecting \",\" or }")
            #expect(error.isGrammarError)
        }
        let fixed = text.replacingOccurrences(of: "\"/var/log/kea-ctrl-agent.log\"", with: "\"/var/log/kea-ctrl-agent.log\",")
        let c = try AgentConfigDecoder.decode(text: fixed, file: "seed.conf")
        #expect(c.httpHost == "127.0.0.1" && c.httpPort == 8000)
        #expect(c.serviceNames == ["d2", "dhcp4", "dhcp6"])
        #expect(c.forwardingTarget(for: "dhcp4")?.socketName == "/run/kea4-ctrl-socket")
        #expect(c.loggers.first?.name == "kea-ctrl-agent")
        #expect(c.authentication == nil && !c.usesTLS && c.certRequired)
    }

    func error(_ body: String) -> String? {
        do { _ = try AgentConfigDecoder.decode(text: "{\"Control-agent\": {\(body)}}", file: "t.conf"); return nil } catch { return error.message }
    }

    /// Each text below is what Kea 2.2's kea-ctrl-agent -t printed for the same file.
    @Test func keasChecksAndWording() {
        #expect(error("\"bogus\": 1") == "t.conf:1.20-26: got unexpected keyword \"bogus\" in Control-agent map.")
        #expect(error("\"cert-file\": \"/x\"") == "trust-anchor parameter is missing or empty: all or none of TLS parameters must be set")
        #expect(error("\"trust-anchor\": \"/x\", \"cert-file\": \"/y\"") == "key-file parameter is missing or empty: all or none of TLS parameters must be set")
        #expect(error("\"control-sockets\": {\"dhcp4\": {\"socket-type\": \"tcp\", \"socket-name\": \"/x\"}}") == "t.conf:1.65-69: syntax error, unexpected constant string, expecting unix")
        #expect(error("\"control-sockets\": {\"foo\": {\"socket-name\": \"/x\"}}") == "t.conf:1.40-44: got unexpected keyword \"foo\" in control-sockets map.")
        #expect(error("\"authentication\": {\"type\": \"digest\"}") == "t.conf:1.47-54: syntax error, unexpected constant string, expecting basic")
        #expect(error("\"authentication\": {\"clients\": [{\"password\": \"x\"}]}")?.hasPrefix("missing parameter 'type' (") == true)
        #expect(error("\"authentication\": {\"type\": \"basic\", \"clients\": [{\"user\": \"a\", \"password\": \"x\", \"bogus\": 1}]}") == "t.conf:1.99-105: got unexpected keyword \"bogus\" in clients map.")
        #expect(error("\"http-port\": 70000") == "out of range value (70000) specified for parameter 'http-port' (t.conf:1:33)")
        #expect(error("\"http-port\": \"x\"") == "t.conf:1.33-35: syntax error, unexpected constant string, expecting integer")
        #expect(error("\"cert-required\": 1") == "t.conf:1.37: syntax error, unexpected integer, expecting boolean")
        #expect(error("\"control-sockets\": {\"dhcp4\": {\"socket-type\": \"unix\"}}") == nil)
        #expect(error("\"hooks-libraries\": [{\"library\": \"/x.so\"}]")?.contains("is not available") == true)
    }

    @Test func basicAuthClientChecks() {
        func auth(_ clients: String) -> String? { error("\"authentication\": {\"type\": \"basic\", \"clients\": [\(clients)]}") }
        #expect(auth("{\"user\": \"a:b\", \"password\": \"x\"}")?.hasPrefix("user must not contain a ':': 'a:b' (t.conf:") == true)
        #expect(auth("{\"user\": \"\", \"password\": \"x\"}")?.hasPrefix("user must not be empty (t.conf:") == true)
        #expect(auth("{\"password\": \"x\"}")?.hasPrefix("user is required in clients items (t.conf:") == true)
        #expect(auth("{\"user\": \"a\", \"password\": \"x\", \"password-file\": \"f\"}")?.hasSuffix(") are mutually exclusive") == true)
        #expect(auth("{\"user\": \"a\", \"user-file\": \"u\", \"password\": \"x\"}")?.hasPrefix("user (t.conf:") == true)
        #expect(auth("{\"user\": \"a\", \"password\": \"x\", \"user-context\": {\"k\": 1}, \"comment\": \"c\"}") == nil)
        #expect(auth("{\"password-file\": \"both\"}") == nil)
    }

    @Test func defaultsAndValues() throws {
        let c = try AgentConfigDecoder.decode(text: """
        {"Control-agent": {"http-host": "::1", "http-port": 8001, "trust-anchor": "/ca", "cert-file": "/c", "key-file": "/k",
          "cert-required": false, "authentication": {"type": "basic", "directory": "/etc/kea",
          "clients": [{"user": "u", "password": "p"}, {"user-file": "uf", "password-file": "pf"}]},
          "control-sockets": {"dhcp6": {"socket-name": "/s6", "comment": "x", "user-context": {}}}, "user-context": {"a": 1}}}
        """)
        #expect(c.httpHost == "::1" && c.httpPort == 8001 && c.usesTLS && !c.certRequired)
        #expect(c.authentication?.realm == "kea-control-agent")
        #expect(c.authentication?.clients.count == 2)
        #expect(c.authentication?.filePath("uf") == "/etc/kea/uf")
        #expect(c.authentication?.filePath("/uf") == "/etc/kea/uf")
        #expect(c.controlSockets == [AgentControlSocket(service: "dhcp6", socketName: "/s6")])
        #expect(AgentAuthentication().filePath("x") == "/x")
    }
}

@Suite struct AgentRequestTests {
    static let config: AgentConfig = {
        var c = AgentConfig()
        c.controlSockets = [AgentControlSocket(service: "dhcp4", socketName: "/run/k4"), AgentControlSocket(service: "dhcp6", socketName: "/run/k6")]
        return c
    }()
    let router = AgentRouter(config: AgentRequestTests.config,
                             authenticator: BasicAuthenticator(realm: "kea-control-agent", users: [("admin", "secret"), ("bob", "pw\n")]))

    func post(_ body: String, auth: String? = "Basic YWRtaW46c2VjcmV0", type: String? = "application/json", method: String = "POST", uri: String = "/") -> AgentRouter.Decision {
        var headers: [(name: String, value: String)] = []
        if let type { headers.append(("Content-Type", type)) }
        if let auth { headers.append(("authorization", auth)) }
        return router.route(AgentHTTPRequest(method: method, uri: uri, headers: headers, body: Array(body.utf8)))
    }

    func steps(_ body: String) -> [AgentRouter.CommandStep] {
        guard case .commands(_, let steps) = post(body).route else { return [] }
        return steps
    }

    func text(_ step: AgentRouter.CommandStep?) -> String? {
        guard case .answer(let a)? = step else { return nil }
        return a["text"]?.stringValue
    }

    @Test func base64AndConstantTimeCompare() {
        #expect(Base64.encode(Array("admin:secret".utf8)) == "YWRtaW46c2VjcmV0")
        #expect(Base64.encode(Array("a".utf8)) == "YQ==" && Base64.encode(Array("ab".utf8)) == "YWI=" && Base64.encode([]) == "")
        #expect(Base64.decode(Base64.encode(Array(0...255))) == Array(0...255))
        #expect(BasicAuthenticator.constantTimeEqual([1, 2], [1, 2]))
        #expect(!BasicAuthenticator.constantTimeEqual([1, 2], [1, 2, 0]))
        #expect(!BasicAuthenticator.constantTimeEqual([1, 2], [1, 3]))
    }

    @Test func authenticationAsKeaChecksIt() throws {
        let a = try #require(router.authenticator)
        #expect(a.check(authorization: nil) == .noHeader)
        #expect(a.check(authorization: "Basic") == .malformed(reason: "header content is too short"))
        #expect(a.check(authorization: "Bearer xyzxyz") == .malformed(reason: "not basic authentication"))
        #expect(a.check(authorization: "  bAsIc   YWRtaW46c2VjcmV0  ") == .authorized(user: "admin"))
        #expect(a.check(authorization: "Basic YWRtaW46d3Jvbmc=") == .notAuthorized)
        // A password file's newline is part of the password, as in Kea.
        #expect(a.check(authorization: "Basic " + Base64.encode(Array("bob:pw".utf8))) == .notAuthorized)
        #expect(a.check(authorization: "Basic " + Base64.encode(Array("bob:pw\n".utf8))) == .authorized(user: "bob"))
        #expect(a.challenge == "Basic realm=\"kea-control-agent\"")
    }

    @Test func httpLevelStatuses() {
        guard case .respond(let r) = post("{\"command\":\"list-commands\"}", auth: nil).route else { Issue.record("no 401"); return }
        #expect(r.status == 401)
        #expect(r.headers.contains(.init("WWW-Authenticate", "Basic realm=\"kea-control-agent\"")))
        #expect(String(decoding: r.body, as: UTF8.self) == "{ \"result\": 401, \"text\": \"Unauthorized\" }")
        guard case .respond(let wrong) = post("{\"command\":\"list-commands\"}", auth: "Basic YWRtaW46eA==").route else { Issue.record("no 401"); return }
        #expect(wrong.status == 401)
        for d in [post("{}", type: "text/plain"), post("{}", type: "application/json; charset=utf-8"), post("{}", type: nil),
                  post("{\"command\"", auth: nil), post("{}", method: "PUT"), post("", method: "GET")] {
            guard case .respond(let bad) = d.route else { Issue.record("not refused"); continue }
            #expect(bad.status == 400)
            #expect(String(decoding: bad.body, as: UTF8.self) == "{ \"result\": 400, \"text\": \"Bad Request\" }")
            #expect(d.badRequest != nil)
        }
        guard case .commands = post("{\"command\":\"list-commands\"}", type: "Application/JSON").route else { Issue.record("case"); return }
        guard case .metrics = post("", method: "GET", uri: "/metrics").route else { Issue.record("metrics"); return }
        guard case .dashboard(let p) = post("", method: "GET", uri: "/dashboard/app.js?x=1").route else { Issue.record("dash"); return }
        #expect(p == "/app.js")
        guard case .respond(let r2) = post("", auth: nil, method: "GET", uri: "/metrics").route else { Issue.record("metrics auth"); return }
        #expect(r2.status == 401)
    }

    @Test func envelopeErrorsWithKeasTexts() {
        #expect(text(steps("").first) == "Command processing failed: NULL command parameter")
        #expect(text(steps("[1]").first) == "Error during command processing: Invalid command Element specified, expected map")
        #expect(text(steps("{}").first) == "Error during command processing: Invalid answer specified, does not contain mandatory 'command'")
        #expect(text(steps("{\"command\":1}").first) == "Error during command processing: 'command' element in command message is not a string")
        #expect(text(steps("{\"command\":\"list-commands\",\"extra\":1}").first) == "Error during command processing: Received command contains unsupported parameter 'extra'")
        #expect(text(steps("{\"command\":\"version-get\",\"service\":\"dhcp4\"}").first) == "service value must be a list")
        #expect(text(steps("{\"command\":\"foo\"}").first) == AgentRouter.notSupportedText("foo"))
        #expect(text(steps("{\"command\":\"config-test\"}").first) == "Missing mandatory 'arguments' parameter.")
        #expect(AgentRouter.notSupportedText("foo").hasPrefix("'foo' command not supported. You did not include \"service\" parameter"))
    }

    @Test func routingToTheAgentAndTheServices() {
        #expect(steps("{\"command\":\"status-get\"}") == [.own(ControlRequest(command: "status-get"))])
        #expect(steps("{\"command\":\"status-get\",\"service\":[]}") == [.own(ControlRequest(command: "status-get"))])
        let forwarded = steps("{\"command\":\"lease4-get\",\"service\":[\"dhcp4\",\"d2\",\"dhcp6\"],\"arguments\":{\"ip-address\":\"192.0.2.1\"}}")
        #expect(forwarded.count == 3)
        guard case .forward(let s, let path, let body) = forwarded.first else { Issue.record("not forwarded"); return }
        #expect(s == "dhcp4" && path == "/run/k4")
        #expect(body == "{\"command\":\"lease4-get\",\"arguments\":{\"ip-address\":\"192.0.2.1\"}}")
        #expect(text(forwarded[1]) == "forwarding socket is not configured for the server type d2")
        guard case .forward(let s6, _, _) = forwarded[2] else { Issue.record("dhcp6"); return }
        #expect(s6 == "dhcp6")
        #expect(AgentRouter.commandTable.names == ["build-report", "config-get", "config-hash-get", "config-reload", "config-set",
                                                  "config-test", "config-write", "list-commands", "shutdown", "status-get", "version-get"])
        #expect(AgentRouter.unreachableText("dhcp4", reason: "No such file or directory")
                == "unable to forward command to the dhcp4 service: No such file or directory. The server is likely to be offline")
    }

    @Test func keaElementText() {
        let answer = ControlResponse.make(.success, "t", arguments: .array([]))
        #expect(KeaElementText.string(.array([answer])) == "[ { \"arguments\": [  ], \"result\": 0, \"text\": \"t\" } ]")
        #expect(KeaElementText.string(.object(JSONObject())) == "{  }")
        #expect(String(decoding: AgentRouter.response([ControlResponse.make(.error, "x")]).body, as: UTF8.self) == "[ { \"result\": 1, \"text\": \"x\" } ]")
    }

    @Test func credentialFiles() throws {
        var auth = AgentAuthentication()
        auth.directory = "/etc/kea/"
        auth.clients = [AgentClient(user: .file("u"), password: nil, passwordFile: "p"),
                        AgentClient(user: .inPasswordFile, password: nil, passwordFile: "/both")]
        let files = ["/etc/kea/u": "carol", "/etc/kea/p": "pw3", "/etc/kea/both": "dave:pw:4"]
        let a = try AgentCredentials.resolve(auth) { (path: String) throws(ConfigError) -> String in
            guard let t = files[path] else { throw ConfigError(message: "can't open file '\(path)': No such file or directory") }
            return t
        }
        #expect(a.clients.map(\.user) == ["carol", "dave"])
        #expect(a.check(authorization: "Basic " + Base64.encode(Array("dave:pw:4".utf8))) == .authorized(user: "dave"))
        auth.clients = [AgentClient(user: .inPasswordFile, password: nil, passwordFile: "u")]
        #expect(throws: ConfigError.self) { _ = try AgentCredentials.resolve(auth) { (path: String) throws(ConfigError) -> String in files[path] ?? "" } }
        auth.clients = [AgentClient(user: .file("missing"), password: "x", passwordFile: nil)]
        do {
            _ = try AgentCredentials.resolve(auth) { (path: String) throws(ConfigError) -> String in
                throw ConfigError(message: "can't open file '\(path)': No such file or directory")
            }
            Issue.record("accepted")
        } catch {
            #expect(error.message == "can't open file '/etc/kea/missing': No such file or directory")
        }
    }
}
