/// How Kea's statistics become Prometheus metrics (docs/metrics.md is the operator's view).
///
/// A statistic `[scope[ID].]...name` of service `S` ("dhcp4", "dhcp6", "d2") becomes:
/// - the name `kea_S_` + the scope part + the statistic's name with every character other than
///   a letter, digit or `_` turned into `_`; the scope part is the innermost scope's word and
///   `_` (`subnet_`, `pool_`, `pd_pool_`, `key_`), none for a global statistic;
/// - one label per scope: `subnet[ID]` → `subnet_id`, `pool[ID]` and `pd-pool[ID]` → `pool_id`,
///   `key[NAME]` → `key`, any other `word[X]` → `word_id`;
/// - a gauge for the statistics that go down as well as up (`total-*`, `assigned-*`,
///   `declined-addresses`), else a counter, whose name ends in `_total`.
///
/// So `subnet[1].pool[0].assigned-addresses` of dhcp4 is
/// `kea_dhcp4_pool_assigned_addresses{subnet_id="1",pool_id="0"}` (a gauge) and
/// `pkt4-received` is `kea_dhcp4_pkt4_received_total` (a counter). A global statistic and its
/// per-subnet twin have different names, so `sum()` over one never counts twice.
public enum MetricNames {
    public enum Kind: String, Sendable, Equatable {
        case counter, gauge
    }

    public struct Label: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// One statistic as a metric: its name, labels, kind and help text.
    public struct Metric: Sendable, Equatable {
        public var name: String
        public var labels: [Label]
        public var kind: Kind
        public var help: String
    }

    /// One sample ready for the exposition.
    public struct Sample: Sendable, Equatable {
        public var metric: Metric
        public var value: Double
    }

    /// The metric for statistic `statistic` of `service`; nil when the name does not parse
    /// (an unclosed `[`, an empty scope word or statistic name, a scope given twice).
    public static func metric(service: String, statistic: String) -> Metric? {
        var rest = Substring(statistic)
        var scopes: [(word: String, id: String)] = []
        // Scopes: `word[ID].`; an ID may hold dots (key[d2.key.]), never `]`.
        while let open = rest.firstIndex(of: "["), !rest[..<open].contains(".") {
            let word = String(rest[..<open])
            guard !word.isEmpty, let close = rest[open...].firstIndex(of: "]") else { return nil }
            let id = String(rest[rest.index(after: open)..<close])
            let after = rest.index(after: close)
            guard after < rest.endIndex, rest[after] == "." else { return nil }
            scopes.append((word, id))
            rest = rest[rest.index(after: after)...]
        }
        guard !rest.isEmpty, !rest.contains("["), !rest.contains("]") else { return nil }
        let stat = sanitized(String(rest))
        let metricKind = kind(ofSanitized: stat)
        var name = "kea_" + sanitized(service) + "_"
        if let inner = scopes.last { name += sanitized(inner.word) + "_" }
        name += stat
        if metricKind == .counter, !name.hasSuffix("_total") { name += "_total" }
        let labels = scopes.map { Label(labelName(forScope: $0.word), $0.id) }
        // A label twice (`subnet[1].subnet[2].x`) has no exposition.
        guard Set(labels.map(\.name)).count == labels.count else { return nil }
        let pattern = scopes.map { "\($0.word)[\(placeholder(forScope: $0.word))]." }.joined() + rest
        return Metric(name: name, labels: labels, kind: metricKind, help: "Kea \(service) statistic \(pattern)")
    }

    /// The label a scope word gives.
    public static func labelName(forScope word: String) -> String {
        switch word {
        case "subnet": "subnet_id"
        case "pool", "pd-pool": "pool_id"
        case "key": "key"
        default: sanitized(word) + "_id"
        }
    }

    static func placeholder(forScope word: String) -> String {
        word == "key" ? "NAME" : "ID"
    }

    /// Gauges: the statistics that describe configuration or current leases.
    static func kind(ofSanitized stat: String) -> Kind {
        if stat.hasPrefix("total_") || stat.hasPrefix("assigned_") || stat == "declined_addresses" { return .gauge }
        return .counter
    }

    /// Every character outside [A-Za-z0-9_] as `_`.
    public static func sanitized(_ text: String) -> String {
        var out = ""
        for s in text.unicodeScalars {
            let kept = ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "_"
            out.unicodeScalars.append(kept ? s : "_")
        }
        return out
    }

    /// A daemon's whole answer to statistic-get-all (`{"result": 0, "arguments": {...}}`, or
    /// the agent's forwarded form, an array holding that): whether it answered, and its samples.
    /// A statistic's value is its newest sample (the first `[value, time]` pair); non-numeric
    /// values, names that do not parse and negative counter values are left out.
    public static func samples(service: String, answer: JSON) -> (up: Bool, samples: [Sample]) {
        var answer = answer
        if let first = answer.arrayValue?.first { answer = first }
        guard answer["result"]?.intValue == 0, let stats = answer["arguments"]?.objectValue else { return (false, []) }
        var out: [Sample] = []
        for (statistic, value) in stats {
            guard let metric = metric(service: service, statistic: statistic) else { continue }
            let newest = value[0]?[0] ?? value
            guard let number = newest.doubleValue, number.isFinite else { continue }
            if metric.kind == .counter, number < 0 { continue }
            out.append(Sample(metric: metric, value: number))
        }
        return (true, out)
    }
}
