/// Where a set of lease timers was written, for Kea's timer-consistency messages.
struct TimerScope {
    /// The map's name (`Dhcp4`, `subnet6`), for messages.
    var name: String
    var position: SourcePosition
    /// Value positions of the timer keys written in this scope.
    var positions: [String: SourcePosition] = [:]
}

extension KeaConfigDecoding {
    /// The lifetime and renew/rebind keys shared by the daemon's map, its subnets and shared networks (Dhcp6 adds the
    /// preferred-lifetime triplet on its own).
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

    /// Kea's checks on effective timers: the valid-lifetime triplet (min <= default <= max)
    /// and, when T1/T2 are calculated, the percentages (0 < t1 < t2 < 1). A renew timer above
    /// the rebind timer is only a warning in Kea (the server then omits it): see
    /// `warnRenewAfterRebind`.
    func validateTimers(_ timers: LeaseTimers, scope: TimerScope, prefix: String) throws(ConfigError) {
        if let problem = KeaTimerRules.tripletProblem(
            name: "valid-lifetime", value: timers.validLifetimeSeconds,
            minimum: timers.minValidLifetimeSeconds, maximum: timers.maxValidLifetimeSeconds) {
            // Kea's text names no position here.
            let position = scope.positions["valid-lifetime"] ?? scope.position
            throw ConfigError(code: .conflict, message: prefix + problem, position: position)
        }
        guard timers.calculateTeeTimes == true else { return }
        if let problem = KeaTimerRules.teePercentProblem(t1: timers.t1Percent, t2: timers.t2Percent) {
            let position = scope.positions["t1-percent"] ?? scope.positions["t2-percent"] ?? scope.position
            throw ConfigError.semantic(.outOfRange, prefix + problem, at: position)
        }
    }

}
