/// Lifetime and renew/rebind values, shared by Dhcp4 and Dhcp6 (which adds the preferred
/// lifetime triplet), with Kea's own checks and wording.
extension KeaConfigDecoding {
    /// `renew-timer`, `rebind-timer`: Kea rejects a negative value with its own wording
    /// before the usual range check.
    func teeTimer(_ member: JSONNode.Member) throws(ConfigError) -> UInt32 {
        let number = try integer(member.value)
        guard number >= 0 else {
            throw ConfigError.semantic(
                .outOfRange, "the value of \(member.key) (\(number)) must be a positive number", at: member.value.position)
        }
        return try uint32(member)
    }
}

/// Kea's consistency checks on effective (inherited) timer values; each returns Kea's text,
/// or nil when the values are consistent. The caller frames it with a position.
enum KeaTimerRules {
    /// `SimpleParser::parseIntTriplet`: min <= default <= max for `name` (`valid-lifetime`,
    /// `preferred-lifetime`); an absent bound is the default value itself.
    static func tripletProblem(name: String, value: UInt32?, minimum: UInt32?, maximum: UInt32?) -> String? {
        guard let value else { return nil }
        let low = minimum ?? value
        let high = maximum ?? value
        if low > high {
            switch (minimum, maximum) {
            case (.some, .some):
                return "the value of min-\(name) (\(low)) is not less than max-\(name) (\(high))"
            case (.some, nil):
                return "the value of min-\(name) (\(low)) is not less than (default) \(name) (\(value))"
            default:
                return "the value of (default) \(name) (\(value)) is not less than max-\(name) (\(high))"
            }
        }
        if value < low || value > high {
            return "the value of (default) \(name) (\(value)) is not between min-\(name) (\(low)) "
                + "and max-\(name) (\(high))"
        }
        return nil
    }

    /// `BaseNetworkParser::parseTeePercents`: 0 < t1 < t2 < 1, Kea's wording (double spaces
    /// included).
    static func teePercentProblem(t1: Double?, t2: Double?) -> String? {
        if let t2, t2 <= 0.0 || t2 >= 1.0 {
            return "t2-percent:  \(KeaText.number(t2)) is invalid, it must be greater than 0.0 and less than 1.0"
        }
        if let t1, t1 <= 0.0 || t1 >= 1.0 {
            return "t1-percent:  \(KeaText.number(t1)) is invalid it must be greater than 0.0 and less than 1.0"
        }
        if let t1, let t2, t1 >= t2 {
            return "t1-percent:  \(KeaText.number(t1)) is invalid, it must be less than t2-percent: \(KeaText.number(t2))"
        }
        return nil
    }
}
