import KakapoCore

/// kakapo-dhcp6 on a PostgreSQL lease database shared with other servers, as kakapo-dhcp4
/// (`Dhcp4Server+PostgreSQL.swift`): each batch's rows are read in one round trip before it is
/// decided, the turn's writes are conditional, and a write that lost a race is rolled back
/// with the winning row shown (the client's retransmission is decided on it).
extension Dhcp6Server {
    public var usesSharedDatabase: Bool { database != nil }
    public var exitRequest: Int32? { database?.exitCode }

    /// Shows the engine every row of the database (lease commands, after a reconnect).
    func refreshAll(_ now: Now) {
        guard let db = database, db.isUp else { return }
        if !unwritten.isEmpty { flush(now) }
        do { engine.showAllStoreRows(try db.store.all(), now: now.wall) } catch { db.readFailed(error, now: now) }
    }

    /// One batch of datagrams with a shared database (see `Dhcp4Server.handleShared`).
    func handleShared(_ datagrams: [InboundDatagram], _ now: Now) {
        guard let db = database, !datagrams.isEmpty else { return }
        if db.isUp {
            if !unwritten.isEmpty { flush(now) }
            var keys: [LeaseKey6] = []
            for d in datagrams { keys.append(contentsOf: Dhcp6Engine<MemoryLeaseStore6>.leaseKeys(of: d)) }
            do { engine.showStoreRows(try db.store.rows(for: keys), forKeys: keys, now: now.wall) } catch { db.readFailed(error, now: now) }
        }
        if db.stopsService {
            engine.countDropped(datagrams.count, now: now.wall)
            return
        }
        for d in datagrams { process(engine.handle(datagram: d, now: now), now) }
    }

    public func writeShared(_ batch: [Effects6], now: Now) -> [WriteOutcome6?] {
        guard let db = database, db.isUp else {
            return batch.map { $0.writes.isEmpty ? nil : .failed(reason: "the lease database is not connected") }
        }
        let r = db.store.write(batch)
        if let e = r.lost { db.lost(e, now: now) }
        return r.outcomes
    }
}
