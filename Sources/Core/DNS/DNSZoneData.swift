/// Authoritative zone data that takes RFC 2136 updates: the semantics of a DNS server's update
/// processing (prerequisites §3.2, update section §3.4), in memory. The simulator's virtual DNS
/// server runs on it, and the DDNS transaction tests check the updates Kakapo builds against it.
/// TSIG is checked by the caller.
public struct DNSZoneData: Sendable, Equatable {
    /// The zones this server is authoritative for.
    public private(set) var zones: [DNSName]
    /// Records by owner name (lower-cased), then type; each RR's data in canonical form.
    public private(set) var records: [DNSName: [DNSType: [RData]]] = [:]

    /// One record's data and TTL. Names inside data are compared case-insensitively.
    public struct RData: Sendable, Equatable, Hashable {
        public var data: DNSRData
        public var ttl: UInt32
        public static func == (a: RData, b: RData) -> Bool { a.data.canonical == b.data.canonical }
        public func hash(into h: inout Hasher) { h.combine(data.canonical) }
    }

    public init(zones: [DNSName]) { self.zones = zones.map(\.lowercased) }

    /// The records of one RRset (empty when there is none).
    public func rrset(_ name: DNSName, _ type: DNSType) -> [DNSRData] {
        records[name.lowercased]?[type]?.map(\.data) ?? []
    }

    /// Every owner name with at least one record.
    public var names: [DNSName] { records.keys.sorted { $0.description < $1.description } }

    /// Applies an UPDATE as a server would and returns the response code; the zone changes only
    /// on NOERROR (all or nothing).
    public mutating func apply(_ m: DNSMessage) -> DNSRcode {
        guard m.opcode == .update, m.questions.count == 1, m.questions[0].type == .soa else { return .formErr }
        let zone = m.questions[0].name.lowercased
        guard zones.contains(zone) else { return .notAuth }
        // Prerequisites (RFC 2136 §3.2).
        var valueDependent: [DNSName: [DNSType: Set<RData>]] = [:]
        for p in m.prerequisites {
            guard p.ttl == 0 else { return .formErr }
            let name = p.name.lowercased
            guard name.isSubdomain(of: zone) else { return .notZone }
            let present = records[name] ?? [:]
            switch (p.rrClass, p.type) {
            case (.any, .any):
                guard p.data.isEmpty else { return .formErr }
                if present.isEmpty { return .nxDomain }
            case (.any, let t):
                guard p.data.isEmpty else { return .formErr }
                if (present[t] ?? []).isEmpty { return .nxRRSet }
            case (.none, .any):
                guard p.data.isEmpty else { return .formErr }
                if !present.isEmpty { return .yxDomain }
            case (.none, let t):
                guard p.data.isEmpty else { return .formErr }
                if !(present[t] ?? []).isEmpty { return .yxRRSet }
            case (.in, let t):
                valueDependent[name, default: [:]][t, default: []].insert(RData(data: p.data, ttl: 0))
            default:
                return .formErr
            }
        }
        for (name, types) in valueDependent {
            for (t, wanted) in types where Set(records[name]?[t] ?? []) != wanted { return .nxRRSet }
        }
        // Updates (§3.4): checked first, then applied.
        for u in m.updates {
            guard u.name.lowercased.isSubdomain(of: zone) else { return .notZone }
            switch u.rrClass {
            case .in, .any, .none: break
            default: return .formErr
            }
        }
        for u in m.updates {
            let name = u.name.lowercased
            switch (u.rrClass, u.type) {
            case (.in, let t):
                var set = records[name]?[t] ?? []
                let r = RData(data: u.data, ttl: u.ttl)
                if let i = set.firstIndex(of: r) { set[i] = r } else { set.append(r) }
                records[name, default: [:]][t] = set
            case (.any, .any):
                // The apex keeps its SOA and NS.
                if name == zone {
                    records[name] = records[name]?.filter { $0.key == .soa || $0.key == .ns }
                } else {
                    records[name] = nil
                }
            case (.any, let t):
                records[name]?[t] = nil
            case (.none, let t):
                records[name]?[t]?.removeAll { $0 == RData(data: u.data, ttl: 0) }
                if records[name]?[t]?.isEmpty == true { records[name]?[t] = nil }
            default:
                break
            }
            if records[name]?.isEmpty == true { records[name] = nil }
        }
        return .noError
    }
}

extension DNSRData {
    /// Octets that identify the data for comparison: names lower-cased and uncompressed.
    var canonical: [UInt8] {
        switch self {
        case .a(let a): return [1] + [UInt8(a.value >> 24), UInt8(a.value >> 16 & 0xFF), UInt8(a.value >> 8 & 0xFF), UInt8(a.value & 0xFF)]
        case .aaaa(let a): return [2] + a.bytes
        case .name(let n): return [3] + n.lowercased.wire
        case .tsig(let t): return [4] + t.rdata
        case .raw(let b): return [5] + b
        }
    }

    /// No data (the RRset operations of an update).
    public var isEmpty: Bool {
        if case .raw(let b) = self { return b.isEmpty }
        return false
    }
}
