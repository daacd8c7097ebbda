/// An engine whose lease writes are settled by its shell.
public protocol LeaseEngine {
    associatedtype Family: ProtocolFamily
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
public struct EffectExecutor<Family: ProtocolFamily>: Sendable {
    private var held: [TransactionID: Effects<Family>] = [:]
    /// Outcomes reported, by kind (for statistics and tests).
    public private(set) var durableCount = 0
    public private(set) var failedCount = 0
    public private(set) var conflictCount = 0

    public init() {}

    /// Transactions whose outcome the port has not reported yet.
    public var pendingCount: Int { held.count }

    /// Carries out one input's effects.
    public mutating func execute<E: LeaseEngine, P: EffectPort>(_ effects: Effects<Family>, engine: inout E, port: P, now: Now)
    where E.Family == Family, P.Family == Family {
        guard let id = effects.transaction else {
            deliver(effects, port)
            return
        }
        held[id] = effects
        if let outcome = port.persist(effects) { settle(id, outcome, engine: &engine, port: port, now: now) }
    }

    /// Reports the outcome of transaction `id`. An unknown id (settled already, or from an
    /// engine that has since been replaced) is a no-op.
    public mutating func settle<E: LeaseEngine, P: EffectPort>(_ id: TransactionID, _ outcome: WriteOutcome<Family.Lease>,
                                                               engine: inout E, port: P, now: Now)
    where E.Family == Family, P.Family == Family {
        guard let effects = held.removeValue(forKey: id) else { return }
        switch outcome {
        case .durable: durableCount += 1
        case .failed: failedCount += 1
        case .conflict: conflictCount += 1
        }
        let next = engine.handle(outcome: outcome, of: id, now: now)
        if outcome == .durable { deliver(effects, port) }
        // A new decision is a new input; its recursion is bounded by the engine's attempts.
        if !next.isEmpty { execute(next, engine: &engine, port: port, now: now) }
    }

    /// Forgets every held transaction (the engine behind them is gone: a crash).
    public mutating func reset() { held = [:] }

    private func deliver<P: EffectPort>(_ e: Effects<Family>, _ port: P) where P.Family == Family {
        for d in e.datagrams { port.send(d) }
        if !e.nameChanges.isEmpty || !e.partnerCommands.isEmpty { port.forward(e.nameChanges, e.partnerCommands) }
        for ev in e.events { port.log(ev) }
    }
}
