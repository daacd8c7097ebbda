import KakapoCore
import Yams

/// The `faults` and `expect` sections.
extension ScenarioReader {
    static let faultKinds = ["crash", "reload", "loss-burst", "partition", "clock-jump", "malformed-flood"]

    func faults(_ node: Node, known: Known) throws(ScenarioError) -> [FaultSpec] {
        var result: [FaultSpec] = []
        for item in try list(node, "faults") {
            let f = try fields(item, "a fault", allowed: ["at"] + Self.faultKinds)
            let atNode = try required(f, "at")
            let at = try duration(atNode, "at")
            guard at <= known.duration else {
                throw error("fault at \(ScenarioLoader.formatDuration(at)) comes after the end of the scenario "
                            + "(duration \(ScenarioLoader.formatDuration(known.duration)))", at: atNode)
            }
            let kinds = f.entries.filter { $0.key != "at" }
            guard let kind = kinds.first else {
                throw error("a fault needs one of: \(Self.faultKinds.joined(separator: ", "))", at: item)
            }
            guard kinds.count == 1 else {
                throw error("a fault entry has exactly one kind; found '\(kinds[0].key)' and '\(kinds[1].key)' (write two entries)",
                            at: kinds[1].keyNode)
            }
            result.append(FaultSpec(atMilliseconds: at, kind: try faultKind(kind.key, kind.value, known: known)))
        }
        return result
    }

    func faultKind(_ kind: String, _ node: Node, known: Known) throws(ScenarioError) -> FaultKind {
        let what = "\(kind) fault"
        func server(_ f: Fields) throws(ScenarioError) -> String {
            try reference(required(f, "server"), "server of the \(what)", known: known.serverOrder, kind: "server")
        }
        func segment(_ f: Fields) throws(ScenarioError) -> String {
            try reference(required(f, "segment"), "segment of the \(what)", known: known.segmentOrder, kind: "segment")
        }
        switch kind {
        case "crash":
            let f = try fields(node, what, allowed: ["server", "down-for"])
            return .crash(server: try server(f), downForMilliseconds: try duration(required(f, "down-for"), "down-for"))
        case "reload":
            let f = try fields(node, what, allowed: ["server", "config"])
            let name = try server(f)
            let text = try f["config"].map { (n) throws(ScenarioError) in try config(n, "config of the reload fault").text }
            return .reload(server: name, configText: text)
        case "loss-burst":
            let f = try fields(node, what, allowed: ["segment", "loss", "duration"])
            return .lossBurst(segment: try segment(f), loss: try probability(required(f, "loss"), "loss"),
                              durationMilliseconds: try duration(required(f, "duration"), "duration", allowZero: false))
        case "partition":
            let f = try fields(node, what, allowed: ["segment", "duration"])
            return .partition(segment: try segment(f),
                              durationMilliseconds: try duration(required(f, "duration"), "duration", allowZero: false))
        case "clock-jump":
            let f = try fields(node, what, allowed: ["server", "by"])
            let name = try server(f)
            let byNode = try required(f, "by")
            let by = try duration(byNode, "by", allowNegative: true, allowZero: false)
            guard by % 1000 == 0 else {
                throw error("by must be whole seconds (the server's clock counts seconds), not \(ScenarioLoader.formatDuration(by))",
                            at: byNode)
            }
            return .clockJump(server: name, seconds: by / 1000)
        default:
            guard family == 4 else { throw error("malformed-flood is simulated for DHCPv4 only", at: node) }
            let f = try fields(node, what, allowed: ["segment", "count", "duration"])
            return .malformedFlood(segment: try segment(f), count: try integer(required(f, "count"), "count", min: 1),
                                   durationMilliseconds: try duration(required(f, "duration"), "duration"))
        }
    }

    // MARK: Expectations

    static let expectKeys = [
        "all-bound-within", "max-naks", "min-utilization", "min-bound", "max-bound", "min-parse-failed",
        "min-declines", "min-unavailable", "invariants", "segments",
    ]

    func expectations(_ node: Node, known: Known) throws(ScenarioError) -> Expectations {
        let f = try fields(node, "expect", allowed: Self.expectKeys)
        var e = Expectations()
        if let n = f["all-bound-within"] { e.allBoundWithinMilliseconds = try duration(n, "all-bound-within", allowZero: false) }
        if let n = f["max-naks"] { e.maxNaks = try integer(n, "max-naks") }
        if let n = f["min-utilization"] { e.minUtilization = try probability(n, "min-utilization") }
        if let n = f["min-bound"] {
            let value = try integer(n, "min-bound")
            guard value <= known.totalClients else {
                throw error("min-bound \(value) is more than the \(known.totalClients) clients of all populations", at: n)
            }
            e.minBound = value
        }
        if let n = f["max-bound"] {
            let value = try integer(n, "max-bound")
            if let low = e.minBound, low > value {
                throw error("max-bound \(value) is less than min-bound \(low)", at: n)
            }
            e.maxBound = value
        }
        if let n = f["min-parse-failed"] { e.minParseFailed = try integer(n, "min-parse-failed") }
        if let n = f["min-declines"] { e.minDeclines = try integer(n, "min-declines") }
        if let n = f["min-unavailable"] { e.minUnavailable = try integer(n, "min-unavailable") }
        if let n = f["invariants"] { e.invariants = try bool(n, "invariants") }
        if let n = f["segments"] { e.segments = try segmentExpectations(n, known: known) }
        return e
    }

    /// `segments: { office: { min-bound: 10, max-bound: 20 } }`
    func segmentExpectations(_ node: Node, known: Known) throws(ScenarioError) -> [SegmentExpectation] {
        let f = try fields(node, "expect segments", allowed: known.segmentOrder)
        var result: [SegmentExpectation] = []
        for entry in f.entries {
            let name = entry.key
            let what = "expectations of segment '\(name)'"
            let g = try fields(entry.value, what, allowed: ["min-bound", "max-bound"])
            var e = SegmentExpectation(segment: name)
            let clients = known.clientsPerSegment[name, default: 0]
            if let n = g["min-bound"] {
                let value = try integer(n, "min-bound")
                guard value <= clients else {
                    throw error("min-bound \(value) is more than the \(clients) clients on segment '\(name)'", at: n)
                }
                e.minBound = value
            }
            if let n = g["max-bound"] {
                let value = try integer(n, "max-bound")
                if let low = e.minBound, low > value {
                    throw error("max-bound \(value) is less than min-bound \(low)", at: n)
                }
                e.maxBound = value
            }
            result.append(e)
        }
        return result
    }
}
