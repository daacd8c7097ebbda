import KakapoCore

/// A server on a shared lease database runs the store protocol kakapo-dhcp4 runs on
/// PostgreSQL (Sources/LinuxIO/Postgres/Dhcp4Server+PostgreSQL.swift), on the same Core calls:
/// the engine decides from its own view; before each datagram the view is shown the database's
/// rows for the datagram's lease keys (`Dhcp4Engine.leaseKeys`, `showStoreRows`); an OFFER of
/// an address the view has no row for is checked against the database first (with the rows of
/// a window from it) and decided again if another server holds it; writes are conditional
/// (`SharedLeaseDatabase.commit`, `LeaseWrite.isApplicable`, the condition the PostgreSQL
/// store puts in its WHERE clauses); after a conflict the window of rows from the lost address
/// is shown. Rows at addresses with the server's own write on its way are not shown over
/// (the view keeps its proposal until the database answers).
///
/// The database reads before a decision are instant here; the daemon pays one round trip for
/// them. Writes cross the database link with its latency, as before.
extension World {
    func handleShared(_ d: InboundDatagram, server s: Int) {
        let server = servers[s]
        guard let db = server.database, server.engine != nil else { return }
        let keys = Dhcp4Engine<MemoryLeaseStore4>.leaseKeys(of: d)
        show(db.rows(for: keys), keys: keys, server: s)
        var e = server.engine!.handle(datagram: d, now: server.now(now))
        for _ in 0..<3 {
            guard let a = server.engine!.newlyOfferedAddress(in: e) else { break }
            showWindow(from: a, server: s)
            guard server.engine!.store.lease(at: a) != nil else { break }
            // Another server holds it: decide again on what is now shown.
            server.engine!.withdrawOffer(now: server.now(now).wall)
            e = server.engine!.handle(datagram: d, now: server.now(now))
        }
        carryOut(e, server: s)
    }

    /// Shows the database's rows of the window from `address`.
    func showWindow(from address: IPv4Address, server s: Int) {
        guard let db = servers[s].database else { return }
        let window: UInt32 = 256
        let end = address.value > UInt32.max - (window - 1) ? UInt32.max : address.value + (window - 1)
        var keys: [LeaseKey4] = []
        keys.reserveCapacity(Int(window))
        for v in address.value...end { keys.append(.address(IPv4Address(v))) }
        show(db.rows(from: address, window: window), keys: keys, server: s)
    }

    /// `showStoreRows`, except at addresses with a write of this server not yet answered: there
    /// the view keeps its proposal. A client key (hwaddr, client id) is shown as the addresses
    /// it finds in the view and in the database, minus the pending ones.
    func show(_ rows: [Lease4], keys: [LeaseKey4], server s: Int) {
        let server = servers[s]
        guard server.engine != nil else { return }
        let pending = server.pendingWrites
        guard !pending.isEmpty else {
            server.engine!.showStoreRows(rows, forKeys: keys, now: server.now(now).wall)
            return
        }
        var shown: [LeaseKey4] = []
        for key in keys {
            switch key {
            case .address(let a):
                if pending[a] == nil { shown.append(key) }
            case .hardwareAddress, .clientID:
                for l in server.engine!.store.leases(for: key) where pending[l.address] == nil { shown.append(.address(l.address)) }
                for l in rows where pending[l.address] == nil && Self.matches(l, key) { shown.append(.address(l.address)) }
            }
        }
        server.engine!.showStoreRows(rows.filter { pending[$0.address] == nil }, forKeys: shown, now: server.now(now).wall)
    }

    static func matches(_ l: Lease4, _ key: LeaseKey4) -> Bool {
        switch key {
        case .address(let a): return l.address == a
        case .hardwareAddress(let h): return l.hardwareAddress == h
        case .clientID(let c): return l.clientID == c
        }
    }

    /// A transaction's writes left for the database.
    func noteSent(_ writes: [LeaseWrite4], _ id: TransactionID, server s: Int) {
        let server = servers[s]
        let addresses = writes.map(\.change.lease.address)
        server.pendingByTransaction[id] = addresses
        for a in addresses { server.pendingWrites[a, default: 0] += 1 }
    }

    /// The database answered a transaction.
    func noteAnswered(_ id: TransactionID, server s: Int) {
        let server = servers[s]
        guard let addresses = server.pendingByTransaction.removeValue(forKey: id) else { return }
        for a in addresses {
            let n = (server.pendingWrites[a] ?? 1) - 1
            server.pendingWrites[a] = n > 0 ? n : nil
        }
    }
}
