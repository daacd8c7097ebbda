import KakapoCore

/// The agent's `GET /metrics`: every daemon's statistics in Prometheus' text format.
///
/// Seam for issue 11: this file fixes the API; the swift-prometheus exposition replaces the body.
public enum AgentMetrics {
    /// The Content-Type of the answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition for `answers`: per service ("dhcp4", "dhcp6", "d2"), that daemon's whole
    /// answer to `statistic-get-all` (`{"result": 0, "arguments": {...}}`), or an error answer
    /// when the daemon could not be reached.
    public static func render(_ answers: [(service: String, answer: JSON)]) -> String {
        ""
    }
}
