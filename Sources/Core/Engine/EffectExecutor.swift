/// An engine whose lease writes are settled by its shell.
public protocol LeaseEngine {
    /// Called once per transaction with what the store made of its writes; returns what to
    /// do next (for a lost race, a new decision).
    mutating func handle(outcome: WriteOutcome, of id: TransactionID, now: Now) -> Effects
}

extension Dhcp4Engine: LeaseEngine {}

/// Where an executor's effects go: the daemon's files and sockets, or the simulator's world.
public protocol EffectPort: AnyObject {
    /// Starts making `effects.writes` durable. Returns the outcome when it is known at once,
    /// or nil when the port will report it later through `EffectExecutor.settle`.
    func persist(_ effects: Effects) -> WriteOutcome?
    func send(_ datagram: OutboundDatagram)
    func log(_ event: EngineEvent)
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
public struct EffectExecutor: Sendable {
    private var held: [TransactionID: Effects] = [:]
    /// Outcomes reported, by kind (for statistics and tests).
    public private(set) var durableCount = 0
    public private(set) var failedCount = 0
    public private(set) var conflictCount = 0

    public init() {}

    /// Transactions whose outcome the port has not reported yet.
    public var pendingCount: Int { held.count }

    /// Carries out one input's effects.
    public mutating func execute<E: LeaseEngine>(_ effects: Effects, engine: inout E, port: some EffectPort, now: Now) {
        guard let id = effects.transaction else {
            deliver(effects, port)
            return
        }
        held[id] = effects
        if let outcome = port.persist(effects) { settle(id, outcome, engine: &engine, port: port, now: now) }
    }

    /// Reports the outcome of transaction `id`. An unknown id (settled already, or from an
    /// engine that has since been replaced) is a no-op.
    public mutating func settle<E: LeaseEngine>(_ id: TransactionID, _ outcome: WriteOutcome, engine: inout E,
                                                port: some EffectPort, now: Now) {
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

    private func deliver(_ e: Effects, _ port: some EffectPort) {
        for d in e.datagrams { port.send(d) }
        if !e.nameChanges.isEmpty || !e.partnerCommands.isEmpty { port.forward(e.nameChanges, e.partnerCommands) }
        for ev in e.events { port.log(ev) }
    }
}
