/// The DHCPv6 engine's decisions. A placeholder with no cases yet: the DHCPv6 engine fills it
/// in (allocate, renew, release, decline, reclaim, drop, each with its Kea DHCP6_* message ID,
/// as `EngineEvent` does for DHCPv4). Until then no value can exist, so the switches below
/// are empty and complete.
public enum Engine6Event: Sendable, Equatable {}

extension Engine6Event: LoggableEvent {
    public var severity: Severity {
        switch self {}
    }

    public var logLine: (id: String, severity: Severity, text: String) {
        switch self {}
    }
}

/// DHCPv6: `Lease6` rows and `Engine6Event` decisions.
public enum DHCPv6Family: ProtocolFamily {
    public typealias Lease = Lease6
    public typealias Event = Engine6Event
}

public typealias Effects6 = Effects<DHCPv6Family>
