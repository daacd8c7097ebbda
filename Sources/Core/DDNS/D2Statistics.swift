/// Kea 2.4's DHCP-DDNS statistics (ARM "DHCP-DDNS Server Statistics"): the global counters
/// and, per TSIG key of the configuration, `key[<name>].update-sent` and its like, where the
/// name is the key's DNS name with its final dot, as Kea's D2 names them ("key[d2.key.]...").
public struct D2Statistics: Sendable, StatisticsReport {
    /// The global counters, in the order statistic-get-all shows them.
    public static let globalNames = ["ncr-received", "ncr-invalid", "ncr-error", "update-sent", "update-signed",
                                     "update-unsigned", "update-success", "update-timeout", "update-error"]
    /// The counters kept per key.
    public static let keyNames = ["update-sent", "update-success", "update-timeout", "update-error"]

    /// Name and samples, in creation order; a removed statistic holds no samples and is not
    /// reported until counted again.
    var rings: [(name: String, ring: StatRing)] = []
    /// The sample limit of statistics without their own.
    public var defaultLimit = StatLimit.keaDefault

    /// The statistic `name` of `key`.
    public static func keyStat(_ key: TSIGKey, _ name: String) -> String { "key[\(key.name.description)].\(name)" }

    /// Every global counter at zero, and those of each configured key (`keys`: DNS names as text).
    public init(keys: [String], now: WallTime) {
        for n in Self.globalNames { rings.append((n, StatRing(value: 0, at: now))) }
        for k in keys { addKey(k, now: now) }
    }

    /// The counters of the key named `key` (DNS name as text), at zero.
    public mutating func addKey(_ key: String, now: WallTime) {
        for n in Self.keyNames { rings.append(("key[\(key)].\(n)", StatRing(value: 0, at: now))) }
    }

    /// Adds one to `name` (creating it when it was removed, as Kea's statistics manager does).
    public mutating func count(_ name: String, now: WallTime) {
        if let i = rings.firstIndex(where: { $0.name == name }) {
            rings[i].ring.add(1, at: now, defaultLimit: defaultLimit)
        } else {
            rings.append((name, StatRing(value: 1, at: now)))
        }
    }

    public func value(_ name: String) -> Int64? { sample(named: name)?.value }

    public func forEachStatistic(_ body: (String, StatRing) -> Void) {
        for (name, ring) in rings where ring.isPresent { body(name, ring) }
    }

    public func ring(named name: String) -> StatRing? {
        guard let r = rings.first(where: { $0.name == name })?.ring, r.isPresent else { return nil }
        return r
    }

    public mutating func modifyRing(named name: String, _ body: (inout StatRing) -> Void) -> Bool {
        guard let i = rings.firstIndex(where: { $0.name == name }), rings[i].ring.isPresent else { return false }
        body(&rings[i].ring)
        return true
    }

    public mutating func modifyAllRings(_ body: (inout StatRing) -> Void) {
        for i in rings.indices { body(&rings[i].ring) }
    }
}
