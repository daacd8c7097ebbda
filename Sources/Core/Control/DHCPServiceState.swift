/// Whether a DHCP server answers packets, and until when it stays disabled: Kea's network state
/// behind `dhcp-disable` and `dhcp-enable`. Each origin (the operator, an HA partner) disables
/// the service on its own account; the service answers again only when every origin has enabled
/// it, or its `max-period` ran out. Pure: the shell (or the simulator) hands in the time, asks
/// `nextDeadline` for its timer and calls `expire` when the timer is due.
public struct DHCPServiceState: Sendable, Equatable {
    /// Who disabled the service (Kea 2.4's `origin` argument).
    public enum Origin: String, Sendable, Hashable, CaseIterable {
        /// `"user"`, the default: an operator's command.
        case user
        /// `"ha-partner"`: the HA hook of the partner server (lease synchronization).
        case haPartner = "ha-partner"
    }

    /// The origins that disabled the service and have not enabled it again.
    public private(set) var disabledBy: Set<Origin> = []
    /// When an origin's disable runs out (`max-period`), by origin.
    public private(set) var enableAt: [Origin: MonotonicInstant] = [:]

    public init() {}

    /// Whether the server answers packets (every origin enabled it or ran out).
    public var isEnabled: Bool { disabledBy.isEmpty }

    /// The earliest `max-period` end, for the shell's timer.
    public var nextDeadline: MonotonicInstant? { enableAt.values.min() }

    /// Disables the service for `origin`. With `maxPeriod`, the service comes back for that
    /// origin at `now + maxPeriod` (replacing an earlier period); without, an earlier period
    /// of the same origin still runs (as in Kea, which keeps the timer).
    public mutating func disable(_ origin: Origin, maxPeriod: Milliseconds? = nil, now: MonotonicInstant) {
        if let maxPeriod { enableAt[origin] = now + maxPeriod }
        disabledBy.insert(origin)
    }

    /// Enables the service for `origin` and drops its pending period.
    public mutating func enable(_ origin: Origin) {
        disabledBy.remove(origin)
        enableAt[origin] = nil
    }

    /// Enables every origin whose period ended by `now`; returns them (sorted by name).
    @discardableResult
    public mutating func expire(now: MonotonicInstant) -> [Origin] {
        let due = enableAt.filter { $0.value <= now }.keys.sorted { $0.rawValue < $1.rawValue }
        for origin in due { enable(origin) }
        return due
    }
}

extension DHCPServiceState {
    /// The longest `max-period` taken as given (about 68 years); longer ones are cut to it, so
    /// that the deadline cannot overflow the clock.
    static let longestPeriodSeconds: Int64 = Int64(Int32.max)

    /// Kea 2.4's `dhcp-disable` {max-period, origin}: result 0 "DHCPv4 service disabled[ for N
    /// seconds]" (`protocolName` "DHCPv4" or "DHCPv6"), or result 1 with Kea's texts, which it
    /// runs together when both arguments are wrong.
    public mutating func disableCommand(_ arguments: JSON?, protocolName: String, now: MonotonicInstant) -> JSON {
        var problem = ""
        var maxPeriod: Int64 = 0
        if let period = arguments?["max-period"] {
            if let n = period.intValue {
                maxPeriod = n
                if n <= 0 { problem += "'max-period' must be positive integer" }
            } else {
                problem += "'max-period' argument must be a number"
            }
        }
        let origin: Origin
        switch Self.origin(arguments) {
        case .success(let o): origin = o
        case .failure(let text): problem += text.text; origin = .user
        }
        guard problem.isEmpty else { return ControlResponse.make(.error, problem) }
        var text = "\(protocolName) service disabled"
        var period: Milliseconds?
        if maxPeriod > 0 {
            text += " for \(maxPeriod) seconds"
            period = Milliseconds(min(maxPeriod, Self.longestPeriodSeconds) * 1000)
        }
        disable(origin, maxPeriod: period, now: now)
        return ControlResponse.make(.success, text)
    }

    /// Kea 2.4's `dhcp-enable` {origin}: result 0 "DHCP service successfully enabled", or
    /// result 1 with Kea's text for a bad `origin`.
    public mutating func enableCommand(_ arguments: JSON?) -> JSON {
        switch Self.origin(arguments) {
        case .failure(let text): return ControlResponse.make(.error, text.text)
        case .success(let origin):
            enable(origin)
            return ControlResponse.make(.success, "DHCP service successfully enabled")
        }
    }

    /// A refused `origin`, with Kea's text.
    public struct OriginProblem: Error, Equatable {
        public let text: String
    }

    /// The `origin` argument: absent is "user"; a string other than "user" or "ha-partner",
    /// or a value that is not a string, is refused.
    public static func origin(_ arguments: JSON?) -> Result<Origin, OriginProblem> {
        guard let value = arguments?["origin"] else { return .success(.user) }
        guard let name = value.stringValue else {
            return .failure(OriginProblem(text: "'origin' argument must be a string"))
        }
        guard let origin = Origin(rawValue: name) else {
            return .failure(OriginProblem(text: "invalid value used for 'origin' parameter: \(name.isEmpty ? "(empty string)" : name)"))
        }
        return .success(origin)
    }
}
