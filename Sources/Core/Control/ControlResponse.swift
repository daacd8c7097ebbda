/// Kea's control-channel result codes.
public enum ControlResult: Int64, Sendable {
    case success = 0, error = 1, unsupported = 2, empty = 3, conflict = 4
}

/// Builds Kea-shaped answers: `{"result": n, "text": "...", "arguments": {...}}`.
public enum ControlResponse {
    public static func make(_ result: ControlResult, _ text: String? = nil, arguments: JSON? = nil) -> JSON {
        var pairs: [(String, JSON)] = []
        if let a = arguments { pairs.append(("arguments", a)) }
        pairs.append(("result", .int(result.rawValue)))
        if let t = text { pairs.append(("text", .string(t))) }
        return .object(JSONObject(pairs))
    }
}

extension WallTime {
    /// "YYYY-MM-DD HH:MM:SS.000000" in UTC, the shape of Kea's statistic timestamps.
    public var timestampText: String {
        let (y, m, d, secs) = Self.civil(secondsSinceEpoch)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)).000000"
    }
}
