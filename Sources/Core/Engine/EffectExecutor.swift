/// An engine whose lease writes are settled by its shell.
public protocol LeaseEngine {
    associatedtype Family: ProtocolFamily
    /// Decides one datagram (a daemon's packet, the simulator's virtual client's).
    mutating func handle(datagram: InboundDatagram, now: Now) -> Effects<Family>
    /// The timers' work that is due (reclamation, statistics flush).
    mutating func handleDeadline(now: Now) -> Effects<Family>
    /// The earliest time `handleDeadline` wants to be called, if any.
    var nextDeadline: MonotonicInstant? { get }
    /// Called once per transaction with what the store made of its writes; returns what to
    /// do next (for a lost race, a new decision).
    mutating func handle(outcome: WriteOutcome<Family.Lease>, of id: TransactionID, now: Now) -> Effects<Family>
}

extension Dhcp4Engine: LeaseEngine {
    public typealias Family = DHCPv4Family
}

/// Where an executor's effects go: the daemon's files and sockets, or the simulator's world.
public protocol EffectPort<Family>: AnyObject {
    associatedtype Family: ProtocolFamily
    /// Starts making `effects.writes` durable. Returns the outcome when it is known at once,
    /// or nil when the port will report it later through `EffectExecutor.settle`.
    func persist(_ effects: Effects<Family>) -> WriteOutcome<Family.Lease>?
    func send(_ datagram: OutboundDatagram)
    func log(_ event: Family.Event)
    /// Effects for other daemons (DDNS requests, partner commands); default: none expected.
    func forward(_ nameChanges: [NameChangeRequest], _ partnerCommands: [PartnerCommand])
}

extension EffectPort {
    public func forward(_ nameChanges: [NameChangeRequest], _ partnerCommands: [PartnerCommand]) {}
}

/// Carries out an engine's effects in the one order both the daemons and the simulator obey:
/// persist, then send, then log. What depends on a transaction is held until the port reports
/// its outcome; nothing is sent for writes that did not become durable, and the engine's new
/// decision is carried out in turn.
///
/// Inlinable so that each shell gets a copy specialized for its engine and port: unspecialized,
/// every call would look up generic metadata at run time (measured: ~20% more CPU per exchange).
public struct EffectExecutor<Family: ProtocolFamily>: Sendable {
    @usableFromInline var held: [TransactionID: Effects<Family>] = [:]
    /// Outcomes reported, by kind (for statistics and tests).
    @usableFromInline var durable = 0, failed = 0, conflicts = 0
    public var durableCount: Int { durable }
    public var failedCount: Int { failed }
    public var conflictCount: Int { conflicts }

    @inlinable
    public init() {}

    /// Transactions whose outcome the port has not reported yet.
    @inlinable
    public var pendingCount: Int { held.count }

    /// Carries out one input's effects, and the engine's new decisions while the port reports
    /// outcomes at once (bounded: each new decision is another attempt, and attempts are).
    @inlinable
    public mutating func execute<E: LeaseEngine, P: EffectPort>(_ effects: Effects<Family>, engine: inout E, port: P, now: Now)
    where E.Family == Family, P.Family == Family {
        var current = effects
        while true {
            guard let id = current.transaction else {
                deliver(current, port)
                return
            }
            held[id] = current
            guard let outcome = port.persist(current) else { return }
            current = settleOne(id, outcome, engine: &engine, port: port, now: now)
            if current.isEmpty { return }
        }
    }

    /// Reports the outcome of transaction `id`. An unknown id (settled already, or from an
    /// engine that has since been replaced) is a no-op.
    @inlinable
    public mutating func settle<E: LeaseEngine, P: EffectPort>(_ id: TransactionID, _ outcome: WriteOutcome<Family.Lease>,
                                                               engine: inout E, port: P, now: Now)
    where E.Family == Family, P.Family == Family {
        let next = settleOne(id, outcome, engine: &engine, port: port, now: now)
        if !next.isEmpty { execute(next, engine: &engine, port: port, now: now) }
    }

    /// Settles one transaction: the engine hears the outcome; a durable transaction's replies
    /// and events go out. Returns the engine's new decision (empty when there is none).
    @inlinable
    mutating func settleOne<E: LeaseEngine, P: EffectPort>(_ id: TransactionID, _ outcome: WriteOutcome<Family.Lease>,
                                                          engine: inout E, port: P, now: Now) -> Effects<Family>
    where E.Family == Family, P.Family == Family {
        guard let effects = held.removeValue(forKey: id) else { return Effects() }
        let next = engine.handle(outcome: outcome, of: id, now: now)
        switch outcome {
        case .durable:
            durable += 1
            deliver(effects, port)
        case .failed: failed += 1
        case .conflict: conflicts += 1
        }
        return next
    }

    /// Forgets every held transaction (the engine behind them is gone: a crash).
    @inlinable
    public mutating func reset() { held = [:] }

    @inlinable
    func deliver<P: EffectPort>(_ e: Effects<Family>, _ port: P) where P.Family == Family {
        for d in e.datagrams { port.send(d) }
        if !e.nameChanges.isEmpty || !e.partnerCommands.isEmpty { port.forward(e.nameChanges, e.partnerCommands) }
        for ev in e.events { port.log(ev) }
    }
}
