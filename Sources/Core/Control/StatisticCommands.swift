/// What the statistic-* commands need of a daemon's statistics (`Statistics4`, `Statistics6`,
/// `D2Statistics`): each statistic's ring of samples by Kea's name, and the default limit new
/// statistics get.
public protocol StatisticsReport {
    /// The sample limit of statistics with none of their own (statistic-default-sample-count
    /// or -age, then statistic-sample-*-set-all).
    var defaultLimit: StatLimit { get set }
    /// Calls `body` with every statistic that exists, by Kea's name.
    func forEachStatistic(_ body: (String, StatRing) -> Void)
    /// One statistic by Kea's name; nil when it does not exist (unknown or removed).
    func ring(named name: String) -> StatRing?
    /// Changes the statistic `name` if it exists; false when it does not.
    mutating func modifyRing(named name: String, _ body: (inout StatRing) -> Void) -> Bool
    /// Changes every statistic (those that do not exist too: `body` must check `isPresent`).
    mutating func modifyAllRings(_ body: (inout StatRing) -> Void)
}

extension StatisticsReport {
    /// One statistic's newest sample; nil when it does not exist.
    public func sample(named name: String) -> StatSample? { ring(named: name)?.newest }

    /// Every statistic that exists with its newest sample, in `forEachStatistic`'s order.
    public func all() -> [(name: String, sample: StatSample)] {
        var out: [(name: String, sample: StatSample)] = []
        forEachStatistic { name, ring in if let s = ring.newest { out.append((name, s)) } }
        return out
    }

    /// statistic-reset-all: every statistic to one sample of 0, as Kea's reset does.
    public mutating func resetAll(now: WallTime) {
        let d = defaultLimit
        modifyAllRings { if $0.isPresent { $0.reset(at: now, defaultLimit: d) } }
    }

    /// statistic-reset: false when there is no such statistic.
    public mutating func reset(_ name: String, now: WallTime) -> Bool {
        let d = defaultLimit
        return modifyRing(named: name) { $0.reset(at: now, defaultLimit: d) }
    }

    /// statistic-remove: false when there is no such statistic. The server's next update of
    /// it brings it back, counting from zero (as Kea re-creates the observation).
    public mutating func remove(_ name: String) -> Bool {
        modifyRing(named: name) { $0.remove() }
    }

    /// statistic-remove-all.
    public mutating func removeAll() { modifyAllRings { $0.remove() } }

    /// Every statistic, and those created later, keep what `limit` allows (statistic-sample-*-set-all).
    public mutating func setLimitAll(_ limit: StatLimit) {
        defaultLimit = limit
        modifyAllRings { $0.setLimit(nil, defaultLimit: limit) }
    }

    /// `statistic-default-sample-count` / `-age` of a configuration, applied to every statistic
    /// as Kea does on (re)configuration; nothing changes when the configuration sets neither.
    public mutating func applyConfiguredLimit(sampleCount: Int64?, sampleAge: Int64?) {
        guard sampleCount != nil || sampleAge != nil else { return }
        setLimitAll(StatLimit.fromConfig(sampleCount: sampleCount, sampleAge: sampleAge))
    }
}

/// Kea's statistic-* command answers (stats_mgr), for any daemon's statistics.
public enum StatisticCommands {
    /// The statistic-* commands every Kea daemon registers.
    public static let names = ["statistic-get", "statistic-get-all", "statistic-remove", "statistic-remove-all",
                               "statistic-reset", "statistic-reset-all", "statistic-sample-age-set",
                               "statistic-sample-age-set-all", "statistic-sample-count-set",
                               "statistic-sample-count-set-all"]

    /// Each command's arguments rule, with Kea's text when arguments are missing.
    public static func argumentsRule(_ name: String) -> CommandArgumentsRule {
        switch name {
        case "statistic-get", "statistic-reset", "statistic-remove", "statistic-sample-age-set", "statistic-sample-count-set":
            .requiredMap(missingText: "Missing mandatory 'name' parameter.")
        case "statistic-sample-age-set-all": .requiredMap(missingText: "Missing mandatory 'duration' parameter.")
        case "statistic-sample-count-set-all": .requiredMap(missingText: "Missing mandatory 'max-samples' parameter.")
        default: .none
        }
    }

    /// Answers the statistic command `name`; nil when `name` is not one.
    public static func handle(_ name: String, _ args: JSON?, stats: inout some StatisticsReport, now: WallTime) -> JSON? {
        switch name {
        case "statistic-get": get(args, from: stats)
        case "statistic-get-all": getAll(from: stats)
        case "statistic-reset": reset(args, &stats, now: now)
        case "statistic-reset-all": resetAll(&stats, now: now)
        case "statistic-remove": remove(args, &stats)
        case "statistic-remove-all": removeAll(&stats)
        case "statistic-sample-age-set": sampleAgeSet(args, &stats)
        case "statistic-sample-age-set-all": sampleAgeSetAll(args, &stats)
        case "statistic-sample-count-set": sampleCountSet(args, &stats)
        case "statistic-sample-count-set-all": sampleCountSetAll(args, &stats)
        default: nil
        }
    }

    /// The statistic name of the arguments, or Kea's error answer.
    static func name(_ args: JSON?) -> Result<String, Answer> {
        guard let value = args?["name"] else { return .failure(Answer(ControlResponse.make(.error, "Missing mandatory 'name' parameter."))) }
        guard let name = value.stringValue else {
            return .failure(Answer(ControlResponse.make(.error, "'name' parameter expected to be a string.")))
        }
        return .success(name)
    }

    /// The `duration` argument in seconds, or the error answer. Kea reads it with intValue(),
    /// whose failure text names a position in the request that is not kept here; Kea crashes
    /// on a negative duration, which is refused here.
    static func duration(_ args: JSON?) -> Result<Int64, Answer> {
        guard let value = args?["duration"] else {
            return .failure(Answer(ControlResponse.make(.error, "Missing mandatory 'duration' parameter.")))
        }
        guard let seconds = value.intValue else {
            return .failure(Answer(ControlResponse.make(.error, "Error during command processing: intValue() called on non-integer Element")))
        }
        guard seconds >= 0 else { return .failure(Answer(ControlResponse.make(.error, "'duration' parameter must not be negative"))) }
        return .success(seconds)
    }

    /// The `max-samples` argument as Kea's uint32_t, or the error answer.
    static func maxSamples(_ args: JSON?) -> Result<UInt32, Answer> {
        guard let value = args?["max-samples"] else {
            return .failure(Answer(ControlResponse.make(.error, "Missing mandatory 'max-samples' parameter.")))
        }
        guard let n = value.intValue else {
            return .failure(Answer(ControlResponse.make(.error, "'max-samples' parameter expected to be an integer.")))
        }
        return .success(UInt32(truncatingIfNeeded: n))
    }

    /// An error answer carried in a `Result`.
    struct Answer: Error { let json: JSON; init(_ json: JSON) { self.json = json } }

    static func notFound(_ name: String) -> JSON { ControlResponse.make(.error, "No '\(name)' statistic found") }

    /// statistic-get: `{name: [[value, timestamp], ...]}` newest first, or an empty map for an
    /// unknown name.
    public static func get(_ args: JSON?, from stats: some StatisticsReport) -> JSON {
        let stat: String
        switch name(args) { case .failure(let a): return a.json; case .success(let n): stat = n }
        guard let ring = stats.ring(named: stat), ring.isPresent else {
            return ControlResponse.make(.success, arguments: .object(JSONObject()))
        }
        return ControlResponse.make(.success, arguments: .object(JSONObject([(stat, samplesJSON(ring))])))
    }

    /// statistic-get-all: every statistic, sorted by name as Kea's map is.
    public static func getAll(from stats: some StatisticsReport) -> JSON {
        var entries: [(String, StatRing)] = []
        stats.forEachStatistic { name, ring in if ring.isPresent { entries.append((name, ring)) } }
        entries.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return ControlResponse.make(.success, arguments: .object(JSONObject(entries.map { ($0.0, samplesJSON($0.1)) })))
    }

    /// statistic-reset.
    public static func reset(_ args: JSON?, _ stats: inout some StatisticsReport, now: WallTime) -> JSON {
        let stat: String
        switch name(args) { case .failure(let a): return a.json; case .success(let n): stat = n }
        guard stats.reset(stat, now: now) else { return notFound(stat) }
        return ControlResponse.make(.success, "Statistic '\(stat)' reset.")
    }

    /// statistic-reset-all.
    public static func resetAll(_ stats: inout some StatisticsReport, now: WallTime) -> JSON {
        stats.resetAll(now: now)
        return ControlResponse.make(.success, "All statistics reset to neutral values.")
    }

    /// statistic-remove.
    public static func remove(_ args: JSON?, _ stats: inout some StatisticsReport) -> JSON {
        let stat: String
        switch name(args) { case .failure(let a): return a.json; case .success(let n): stat = n }
        guard stats.remove(stat) else { return notFound(stat) }
        return ControlResponse.make(.success, "Statistic '\(stat)' removed.")
    }

    /// statistic-remove-all (deprecated in Kea, which says so in its answer).
    public static func removeAll(_ stats: inout some StatisticsReport) -> JSON {
        stats.removeAll()
        return ControlResponse.make(.success, "Warning: statistic-remove-all command is deprecated. All statistics removed.")
    }

    /// statistic-sample-age-set: the statistic keeps samples up to `duration` seconds old.
    public static func sampleAgeSet(_ args: JSON?, _ stats: inout some StatisticsReport) -> JSON {
        let stat: String
        switch name(args) { case .failure(let a): return a.json; case .success(let n): stat = n }
        let seconds: Int64
        switch duration(args) { case .failure(let a): return a.json; case .success(let s): seconds = s }
        let d = stats.defaultLimit
        guard stats.modifyRing(named: stat, { $0.setLimit(.age(seconds), defaultLimit: d) }) else { return notFound(stat) }
        return ControlResponse.make(.success, "Statistic '\(stat)' duration limit is set.")
    }

    /// statistic-sample-age-set-all: every statistic, and those created later.
    public static func sampleAgeSetAll(_ args: JSON?, _ stats: inout some StatisticsReport) -> JSON {
        let seconds: Int64
        switch duration(args) { case .failure(let a): return a.json; case .success(let s): seconds = s }
        stats.setLimitAll(.age(seconds))
        return ControlResponse.make(.success, "All statistics duration limit are set.")
    }

    /// statistic-sample-count-set: the statistic keeps at most `max-samples` samples. Kea
    /// accepts 0 and is left with a statistic it cannot show; here the newest sample stays.
    public static func sampleCountSet(_ args: JSON?, _ stats: inout some StatisticsReport) -> JSON {
        let stat: String
        switch name(args) { case .failure(let a): return a.json; case .success(let n): stat = n }
        let n: UInt32
        switch maxSamples(args) { case .failure(let a): return a.json; case .success(let m): n = m }
        let d = stats.defaultLimit
        guard stats.modifyRing(named: stat, { $0.setLimit(.count(n), defaultLimit: d) }) else { return notFound(stat) }
        return ControlResponse.make(.success, "Statistic '\(stat)' count limit is set.")
    }

    /// statistic-sample-count-set-all: every statistic, and those created later.
    public static func sampleCountSetAll(_ args: JSON?, _ stats: inout some StatisticsReport) -> JSON {
        let n: UInt32
        switch maxSamples(args) { case .failure(let a): return a.json; case .success(let m): n = m }
        guard n != 0 else { return ControlResponse.make(.error, "'max-samples' parameter must not be zero") }
        stats.setLimitAll(.count(n))
        return ControlResponse.make(.success, "All statistics count limit are set.")
    }

    /// A statistic's samples as Kea shows them: `[[value, "timestamp"], ...]`, newest first.
    public static func samplesJSON(_ ring: StatRing) -> JSON {
        .array(ring.samplesNewestFirst.map { .array([.int($0.value), .string($0.updated.timestampText)]) })
    }

    /// One sample as Kea shows it: `[[value, "timestamp"]]`.
    public static func sampleJSON(_ s: StatSample) -> JSON {
        .array([.array([.int(s.value), .string(s.updated.timestampText)])])
    }
}
