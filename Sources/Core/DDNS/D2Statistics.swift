/// Kea 2.4's DHCP-DDNS statistics (ARM "DHCP-DDNS Server Statistics"): the global counters
/// and, per TSIG key of the configuration, `key[<name>].update-sent` and its like, where the
/// name is the key's DNS name with its final dot, as Kea's D2 names them ("key[d2.key.]...").
public struct D2Statistics: Sendable, StatisticsReport {
    /// The global counters, in the order statistic-get-all shows them.
    public static let globalNames = ["ncr-received", "ncr-invalid", "ncr-error", "update-sent", "update-signed",
                                     "update-unsigned", "update-success", "update-timeout", "update-error"]
    /// The counters kept per key.
    public static let keyNames = ["update-sent", "update-success", "update-timeout", "update-error"]

    /// Name and sample, in creation order; a removed statistic is gone until counted again.
    var samples: [(name: String, sample: StatSample)] = []

    /// The statistic `name` of `key`.
    public static func keyStat(_ key: TSIGKey, _ name: String) -> String { "key[\(key.name.description)].\(name)" }

    /// Every global counter at zero, and those of each configured key (`keys`: DNS names as text).
    public init(keys: [String], now: WallTime) {
        for n in Self.globalNames { samples.append((n, StatSample(value: 0, updated: now))) }
        for k in keys {
            for n in Self.keyNames { samples.append(("key[\(k)].\(n)", StatSample(value: 0, updated: now))) }
        }
    }

    /// Adds one to `name` (creating it when it was removed, as Kea's statistics manager does).
    public mutating func count(_ name: String, now: WallTime) {
        if let i = samples.firstIndex(where: { $0.name == name }) {
            samples[i].sample.value += 1
            samples[i].sample.updated = now
        } else {
            samples.append((name, StatSample(value: 1, updated: now)))
        }
    }

    public func value(_ name: String) -> Int64? { sample(named: name)?.value }

    public func all() -> [(name: String, sample: StatSample)] { samples }

    public func sample(named name: String) -> StatSample? { samples.first(where: { $0.name == name })?.sample }

    public mutating func resetAll(now: WallTime) {
        for i in samples.indices { samples[i].sample = StatSample(value: 0, updated: now) }
    }

    /// statistic-reset: false when there is no such statistic.
    public mutating func reset(_ name: String, now: WallTime) -> Bool {
        guard let i = samples.firstIndex(where: { $0.name == name }) else { return false }
        samples[i].sample = StatSample(value: 0, updated: now)
        return true
    }

    /// statistic-remove: false when there is no such statistic.
    public mutating func remove(_ name: String) -> Bool {
        guard let i = samples.firstIndex(where: { $0.name == name }) else { return false }
        samples.remove(at: i)
        return true
    }

    public mutating func removeAll() { samples = [] }
}
