/// What the statistic-* commands need of a family's statistics (`Statistics4`, `Statistics6`):
/// every sample by Kea's name, and Kea's statistic-reset-all.
public protocol StatisticsReport {
    /// Every statistic with its sample, by Kea's name, in the order statistic-get-all shows.
    func all() -> [(name: String, sample: StatSample)]
    /// One statistic by Kea's name; nil when it does not exist.
    func sample(named name: String) -> StatSample?
    /// statistic-reset-all: values to zero, keeping gauges that describe configuration or leases.
    mutating func resetAll(now: WallTime)
}

/// Kea's statistic-get, statistic-get-all and statistic-reset-all answers, for either family.
public enum StatisticCommands {
    /// statistic-get: `{name: [[value, timestamp]]}`, or an empty map for an unknown name.
    public static func get(_ args: JSON?, from stats: some StatisticsReport) -> JSON {
        guard let name = args?["name"]?.stringValue else {
            return ControlResponse.make(.error, "Missing mandatory 'name' parameter.")
        }
        guard let s = stats.sample(named: name) else {
            return ControlResponse.make(.success, arguments: .object(JSONObject()))
        }
        return ControlResponse.make(.success, arguments: .object(JSONObject([(name, sampleJSON(s))])))
    }

    /// statistic-get-all: every statistic.
    public static func getAll(from stats: some StatisticsReport) -> JSON {
        ControlResponse.make(.success, arguments: .object(JSONObject(stats.all().map { ($0.name, sampleJSON($0.sample)) })))
    }

    /// statistic-reset-all.
    public static func resetAll(_ stats: inout some StatisticsReport, now: WallTime) -> JSON {
        stats.resetAll(now: now)
        return ControlResponse.make(.success, "All statistics reset to neutral values.")
    }

    /// One sample as Kea shows it: `[[value, "timestamp"]]`.
    public static func sampleJSON(_ s: StatSample) -> JSON {
        .array([.array([.int(s.value), .string(s.updated.timestampText)])])
    }
}
