import KakapoCore
import Prometheus

/// The agent's `GET /metrics`: every daemon's statistics in Prometheus' text format.
///
/// Names, labels and kinds come from `MetricNames` (Core; docs/metrics.md); swift-prometheus'
/// registry does the exposition (HELP/TYPE lines, label escaping). A fresh registry per scrape:
/// the daemons own the values, the agent keeps none.
public enum AgentMetrics {
    /// The Content-Type of the answer.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The metric saying whether the agent reached each daemon.
    public static let upMetric = "kakapo_up"

    /// The exposition for `answers`: per service ("dhcp4", "dhcp6", "d2"), that daemon's whole
    /// answer to `statistic-get-all` (`{"result": 0, "arguments": {...}}`), or an error answer
    /// when the daemon could not be reached.
    /// A whole name (no namespace, subsystem or unit: `MetricNames` made it).
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    public static func render(_ answers: [(service: String, answer: JSON)]) -> String {
        let registry = PrometheusCollectorRegistry()
        // What each name was registered as: the registry traps on a second registration of a
        // name with another type, help text or label names, so such a sample is left out.
        var registered: [String: (kind: MetricNames.Kind, help: String, labels: [String])] = [:]
        func admit(_ m: MetricNames.Metric) -> Bool {
            let shape = (kind: m.kind, help: m.help, labels: m.labels.map(\.name))
            guard let known = registered[m.name] else {
                registered[m.name] = shape
                return true
            }
            return known.kind == shape.kind && known.help == shape.help && known.labels == shape.labels
        }
        let upHelp = "1 when the agent reached the daemon and it answered statistic-get-all, else 0"
        registered[upMetric] = (.gauge, upHelp, ["service"])
        for (service, answer) in answers {
            let (up, samples) = MetricNames.samples(service: service, answer: answer)
            registry.makeGauge(descriptor: descriptor(upMetric, upHelp), labels: [("service", service)]).set(up ? 1.0 : 0.0)
            for s in samples where admit(s.metric) {
                let labels = s.metric.labels.map { ($0.name, $0.value) }
                switch s.metric.kind {
                case .gauge:
                    registry.makeGauge(descriptor: descriptor(s.metric.name, s.metric.help), labels: labels).set(s.value)
                case .counter:
                    let counter = registry.makeCounter(descriptor: descriptor(s.metric.name, s.metric.help), labels: labels)
                    counter.reset()
                    if s.value == s.value.rounded(), let whole = Int64(exactly: s.value) {
                        counter.increment(by: whole)
                    } else {
                        counter.increment(by: s.value)
                    }
                }
            }
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
