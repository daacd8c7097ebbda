/// What the protocol-neutral storage seam needs of a lease, whichever protocol it belongs to:
/// memfile rows, database rows, conditional writes and the expiry index work on this.
public protocol LeaseRecord: Sendable, Equatable {
    associatedtype Address: Hashable & Comparable & Sendable
    var address: Address { get }
    var state: LeaseState { get }
    /// Wall-clock expiry.
    var expire: WallTime { get }
    /// The invariant checked before a write and after a read.
    var isWellFormed: Bool { get }
    /// The same row version (owner, state, lifetime, expiry): what a conditional write compares.
    func sameVersion(as other: Self) -> Bool
}

/// An engine's decision, as a shell logs it: the severity is known without formatting text.
public protocol LoggableEvent: Sendable, Equatable {
    var severity: Severity { get }
    var logLine: (id: String, severity: Severity, text: String) { get }
}

/// One protocol's vocabulary: what its leases and events are. Effects, writes, outcomes and
/// the executor are written once over a family; DHCPv4 is one, DHCPv6 the next.
public protocol ProtocolFamily {
    associatedtype Lease: LeaseRecord
    associatedtype Event: LoggableEvent
}

/// DHCPv4: `Lease4` rows and `EngineEvent` decisions.
public enum DHCPv4Family: ProtocolFamily {
    public typealias Lease = Lease4
    public typealias Event = EngineEvent
}

public typealias Effects4 = Effects<DHCPv4Family>
public typealias LeaseChange4 = LeaseChange<Lease4>
public typealias LeaseWrite4 = LeaseWrite<Lease4>
public typealias WriteOutcome4 = WriteOutcome<Lease4>
public typealias EffectExecutor4 = EffectExecutor<DHCPv4Family>

extension Lease4: LeaseRecord {}
extension EngineEvent: LoggableEvent {}
