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
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86400 : (secondsSinceEpoch - 86399) / 86400
        let secs = secondsSinceEpoch - days * 86400
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(secs / 3600)):\(two(secs % 3600 / 60)):\(two(secs % 60)).000000"
    }
}
