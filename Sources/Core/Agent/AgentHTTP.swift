/// One HTTP request as the agent's shell hands it over (the HTTP codec did the parsing).
public struct AgentHTTPRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
    }

    /// The first header named `name` (case-insensitive), as HTTP names are.
    public func header(_ name: String) -> String? {
        let wanted = KeaText.lowercased(name)
        return headers.first { KeaText.lowercased($0.name) == wanted }?.value
    }

    /// The path without the query.
    public var path: String {
        String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}

/// One HTTP answer: status, headers besides Content-Length and Date (the shell adds those),
/// and the body.
public struct AgentHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [Header]
    public var body: [UInt8]

    public struct Header: Sendable, Equatable {
        public let name: String
        public let value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, headers: [Header], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Kea's stock answer for an HTTP-level status: `{ "result": 400, "text": "Bad Request" }`.
    public static func stock(_ status: Int, extraHeaders: [Header] = []) -> AgentHTTPResponse {
        let body = KeaElementText.string(.object(JSONObject([("result", .int(Int64(status))), ("text", .string(reason(status)))])))
        return AgentHTTPResponse(status: status, headers: [Header("Content-Type", "application/json")] + extraHeaders,
                                 body: Array(body.utf8))
    }

    /// 200 with a JSON body in Kea's form.
    public static func json(_ value: JSON) -> AgentHTTPResponse {
        AgentHTTPResponse(status: 200, headers: [Header("Content-Type", "application/json")],
                          body: Array(KeaElementText.string(value).utf8))
    }

    /// The reason phrases Kea's `HttpResponse::statusCodeToString` uses.
    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 413: "Payload Too Large"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Unknown"
        }
    }
}
