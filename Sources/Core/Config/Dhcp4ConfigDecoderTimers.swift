/// Where a set of lease timers was written, for Kea's timer-consistency messages.
struct TimerScope {
    /// "Dhcp4", or "subnet4" for a subnet.
    var name: String
    var position: SourcePosition
    /// Value positions of the timer keys written in this scope.
    var positions: [String: SourcePosition] = [:]
}

extension Dhcp4Decoding {
    /// The lifetime and renew/rebind keys shared by `Dhcp4` and `subnet4` entries.
    func decodeTimer(_ member: JSONNode.Member, into timers: inout LeaseTimers, scope: inout TimerScope) throws(ConfigError) -> Bool {
        switch member.key {
        case "renew-timer": timers.renewTimerSeconds = try teeTimer(member)
        case "rebind-timer": timers.rebindTimerSeconds = try teeTimer(member)
        case "valid-lifetime": timers.validLifetimeSeconds = try uint32(member)
        case "min-valid-lifetime": timers.minValidLifetimeSeconds = try uint32(member)
        case "max-valid-lifetime": timers.maxValidLifetimeSeconds = try uint32(member)
        case "calculate-tee-times": timers.calculateTeeTimes = try bool(member.value)
        case "t1-percent": timers.t1Percent = try real(member.value)
        case "t2-percent": timers.t2Percent = try real(member.value)
        default: return false
        }
        scope.positions[member.key] = member.value.position
        return true
    }

    /// Kea rejects a negative renew/rebind timer with its own wording.
    private func teeTimer(_ member: JSONNode.Member) throws(ConfigError) -> UInt32 {
        let number = try integer(member.value)
        guard number >= 0 else {
            throw ConfigError.semantic(
                "the value of \(member.key) (\(number)) must be a positive number", at: member.value.position)
        }
        return try uint32(member)
    }

    /// Kea's checks on effective timers: the valid-lifetime triplet (min <= default <= max)
    /// and, when T1/T2 are calculated, the percentages (0 < t1 < t2 < 1). A renew timer above
    /// the rebind timer is only a warning in Kea (the server then omits it), so it passes.
    func validateTimers(_ timers: LeaseTimers, scope: TimerScope, prefix: String) throws(ConfigError) {
        if let problem = Dhcp4Decoding.lifetimeProblem(timers) {
            let position = scope.positions["valid-lifetime"] ?? scope.position
            throw ConfigError.semantic(prefix + problem, at: position)
        }
        guard timers.calculateTeeTimes == true else { return }
        if let problem = Dhcp4Decoding.teePercentProblem(timers) {
            let position = scope.positions["t1-percent"] ?? scope.positions["t2-percent"] ?? scope.position
            throw ConfigError.semantic(prefix + problem, at: position)
        }
    }

    /// `SimpleParser::parseIntTriplet`'s checks, on values already inherited.
    static func lifetimeProblem(_ timers: LeaseTimers) -> String? {
        guard let value = timers.validLifetimeSeconds else { return nil }
        let name = "valid-lifetime"
        let minimum = timers.minValidLifetimeSeconds ?? value
        let maximum = timers.maxValidLifetimeSeconds ?? value
        if minimum > maximum {
            switch (timers.minValidLifetimeSeconds, timers.maxValidLifetimeSeconds) {
            case (.some, .some):
                return "the value of min-\(name) (\(minimum)) is not less than max-\(name) (\(maximum))"
            case (.some, nil):
                return "the value of min-\(name) (\(minimum)) is not less than (default) \(name) (\(value))"
            default:
                return "the value of (default) \(name) (\(value)) is not less than max-\(name) (\(maximum))"
            }
        }
        if value < minimum || value > maximum {
            return "the value of (default) \(name) (\(value)) is not between min-\(name) (\(minimum)) "
                + "and max-\(name) (\(maximum))"
        }
        return nil
    }

    /// `BaseNetworkParser::parseTeePercents`'s checks, Kea's wording (double spaces included).
    static func teePercentProblem(_ timers: LeaseTimers) -> String? {
        if let t2 = timers.t2Percent, t2 <= 0.0 || t2 >= 1.0 {
            return "t2-percent:  \(keaNumber(t2)) is invalid, it must be greater than 0.0 and less than 1.0"
        }
        if let t1 = timers.t1Percent, t1 <= 0.0 || t1 >= 1.0 {
            return "t1-percent:  \(keaNumber(t1)) is invalid it must be greater than 0.0 and less than 1.0"
        }
        if let t1 = timers.t1Percent, let t2 = timers.t2Percent, t1 >= t2 {
            return "t1-percent:  \(keaNumber(t1)) is invalid, it must be less than t2-percent: \(keaNumber(t2))"
        }
        return nil
    }

    /// A double as C++ streams print it in Kea's messages: `1` rather than `1.0`.
    static func keaNumber(_ number: Double) -> String {
        if number.isFinite, number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return number.description
    }
}
