import KakapoCore

/// kakapo-dhcp4 on a PostgreSQL lease database shared with other servers: each turn's
/// datagrams are decided on the database's current rows for their clients (one round trip),
/// the turn's writes are conditional statements (one round trip, one commit), and what lost a
/// race is decided again on the row that won.
extension Dhcp4Server {
    public var usesSharedDatabase: Bool { database != nil }
    public var exitRequest: Int32? { database?.exitCode }

    /// Shows the engine every row of the database (lease commands, after a reconnect). The
    /// turn's unwritten proposals are written first: the view must hold none when it is reset.
    func refreshAll(_ now: Now) {
        guard let db = database, db.isUp else { return }
        if !unwritten.isEmpty { flush(now) }
        do { engine.showAllStoreRows(try db.store.all(), now: now.wall) } catch { db.readFailed(error, now: now) }
    }

    /// One socket's batch of datagrams: the database's rows for every lease key they name are
    /// fetched in one pipeline and shown to the engine, then each datagram is handled. While
    /// reconnecting under stop-retry-exit the service is stopped: datagrams are dropped and
    /// counted. Otherwise, with the database away, the view serves what needs no write.
    func handleShared(_ datagrams: [InboundDatagram], _ now: Now) {
        guard let db = database, !datagrams.isEmpty else { return }
        if db.isUp {
            // Proposals still unwritten (another socket this turn) go first: the view then
            // holds nothing the database has not settled.
            if !unwritten.isEmpty { flush(now) }
            var keys: [LeaseKey4] = []
            keys.reserveCapacity(datagrams.count * 3)
            for d in datagrams { keys.append(contentsOf: Dhcp4Engine<MemoryLeaseStore4>.leaseKeys(of: d)) }
            do { engine.showStoreRows(try db.store.rows(for: keys), forKeys: keys, now: now.wall) } catch { db.readFailed(error, now: now) }
        }
        if db.stopsService {
            engine.countDropped(datagrams.count, now: now.wall)
            return
        }
        var held: [(datagram: InboundDatagram, effects: Effects4, address: IPv4Address)] = []
        for d in datagrams {
            let e = engine.handle(datagram: d, now: now)
            if db.isUp, let a = engine.newlyOfferedAddress(in: e) {
                held.append((d, e, a))
                continue
            }
            process(e, now)
        }
        if !held.isEmpty { checkOffers(held, now) }
    }

    /// Offers of addresses the view holds no row for are checked against the database before
    /// they go out, in one round trip (with the rows of a window from each, other servers'
    /// nearby allocations): an address another server holds is not offered; the client's
    /// DISCOVER is decided again on the rows now shown (a bounded number of times).
    func checkOffers(_ held: [(datagram: InboundDatagram, effects: Effects4, address: IPv4Address)], _ now: Now) {
        guard let db = database else { return }
        var pending = held
        for _ in 0..<3 {
            guard !pending.isEmpty, db.isUp else { break }
            var starts: [IPv4Address] = []
            for p in pending where !starts.contains(where: { $0 <= p.address && p.address.value - $0.value < 256 }) {
                starts.append(p.address)
            }
            let rows: [Lease4]
            do {
                rows = try db.store.select(starts.map {
                    .prepared("\(PGLease4Table.prefix)_range", [String($0.value), String(PGLease4Table.windowEnd($0).value)])
                })
            } catch {
                db.readFailed(error, now: now)
                break
            }
            var keys: [LeaseKey4] = []
            for s in starts { for v in s.value...PGLease4Table.windowEnd(s).value { keys.append(.address(IPv4Address(v))) } }
            showOutsidePending(rows, keys, now)
            var again: [(datagram: InboundDatagram, effects: Effects4, address: IPv4Address)] = []
            for p in pending {
                guard engine.store.lease(at: p.address) != nil else {
                    process(p.effects, now)
                    continue
                }
                // Another server holds it: decide again on what is now shown.
                engine.withdrawOffer(now: now.wall)
                let e = engine.handle(datagram: p.datagram, now: now)
                if let a = engine.newlyOfferedAddress(in: e) { again.append((p.datagram, e, a)) } else { process(e, now) }
            }
            pending = again
        }
        // Not checked (the database went away, or the bound was reached): sent as decided.
        for p in pending { process(p.effects, now) }
    }

    /// Shows the rows for `keys`, except at addresses with a write not yet made durable.
    func showOutsidePending(_ rows: [Lease4], _ keys: [LeaseKey4], _ now: Now) {
        var pending = Set<IPv4Address>()
        for e in unwritten { for w in e.writes { pending.insert(w.change.lease.address) } }
        let k = pending.isEmpty ? keys : keys.filter { if case .address(let a) = $0 { !pending.contains(a) } else { true } }
        let r = pending.isEmpty ? rows : rows.filter { !pending.contains($0.address) }
        engine.showStoreRows(r, forKeys: k, now: now.wall)
    }

    public func writeShared(_ batch: [Effects4], now: Now) -> [WriteOutcome4?] {
        guard let db = database, db.isUp else {
            return batch.map { $0.writes.isEmpty ? nil : .failed(reason: "the lease database is not connected") }
        }
        let r = db.store.write(batch)
        if let e = r.lost { db.lost(e, now: now) }
        if !r.windows.isEmpty {
            var keys: [LeaseKey4] = []
            for (lo, hi) in r.windows { for v in lo.value...hi.value { keys.append(.address(IPv4Address(v))) } }
            conflictRows = (r.shown, keys)
        }
        return r.outcomes
    }

    /// After settling a round: the rows around its conflicts (other servers' allocations) go
    /// into the view, except at addresses the redecisions have just proposed writes for.
    public func settledShared(now: Now) {
        guard let c = conflictRows else { return }
        conflictRows = nil
        showOutsidePending(c.rows, c.keys, now)
    }
}
