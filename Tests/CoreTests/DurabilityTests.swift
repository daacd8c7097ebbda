@testable import KakapoCore
import XCTest

/// The storage seam: the engine proposes lease writes, the shell reports what the store made
/// of them, and the engine never keeps state (leases, gauges, counters) for writes that did
/// not become durable. Each test drives one engine on a virtual clock and settles by hand.
final class DurabilityTests: XCTestCase {
    func request(_ h: EngineHarness, mac: [UInt8], address: IPv4Address, xid: UInt32 = 9) -> DHCPv4Message {
        EngineHarness.message(.request, mac: mac, xid: xid, options: [
            (DHCPv4Option.dhcpRequestedAddress.code, address.bytes), (DHCPv4Option.dhcpServerIdentifier.code, [192, 0, 2, 1])])
    }

    func assigned(_ h: EngineHarness) -> Int64 { h.engine.stats.value(.assignedAddresses, subnet: 1) }

    /// A REQUEST's ACK waits on a transaction whose write is conditional on the row it saw.
    func testAckWaitsOnAConditionalWrite() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        let e = h.send(request(h, mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 10))).effects
        let id = try XCTUnwrap(e.transaction)
        XCTAssertEqual(e.writes.count, 1)
        XCTAssertNil(e.writes[0].expected, "a new lease is written over no row")
        XCTAssertEqual(e.datagrams.count, 1, "the ACK travels with its transaction")
        XCTAssertEqual(h.engine.transactionsInFlight, 1)
        XCTAssertTrue(h.engine.handle(outcome: .durable, of: id, now: h.now).isEmpty)
        XCTAssertEqual(h.engine.transactionsInFlight, 0)
        XCTAssertTrue(h.engine.handle(outcome: .durable, of: id, now: h.now).isEmpty, "a second outcome is a no-op")
        XCTAssertEqual(assigned(h), 1)
    }

    /// A failed write is rolled back whole: no lease, no gauge, no ACK counted, and the
    /// exchange is dropped with a logged reason.
    func testFailedWriteRollsBackLeaseGaugesAndCounters() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        let a = IPv4Address(192, 0, 2, 10)
        let e = h.send(request(h, mac: EngineHarness.mac(1), address: a)).effects
        XCTAssertNotNil(h.engine.store.lease(at: a), "the view holds the proposal meanwhile")
        XCTAssertEqual(h.engine.stats.value(.pktAckSent), 1)
        let next = h.engine.handle(outcome: .failed(reason: "disk full"), of: try XCTUnwrap(e.transaction), now: h.now)
        XCTAssertNil(h.engine.store.lease(at: a))
        XCTAssertEqual(assigned(h), 0)
        XCTAssertEqual(h.engine.stats.value(.pktAckSent), 0)
        XCTAssertEqual(h.engine.stats.value(.pktSent), 0)
        XCTAssertEqual(h.engine.stats.value(.cumulativeAssignedAddresses), 0)
        XCTAssertTrue(next.datagrams.isEmpty, "nothing is sent for a write that failed")
        XCTAssertNil(next.transaction)
        XCTAssertTrue(next.events.contains { if case .leaseWriteFailed = $0 { true } else { false } })
        XCTAssertTrue(next.events.contains(.dropped(client: ClientLabel(request(h, mac: EngineHarness.mac(1), address: a)), reason: .leaseStoreFailed)))
    }

    /// A renewal whose write fails leaves the lease as it was before the renewal.
    func testFailedRenewalRestoresThePreviousRow() throws {
        var h = EngineHarness()
        let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        let before = try XCTUnwrap(h.engine.store.lease(at: ack.yiaddr))
        h.advance(seconds: 100)
        h.settlesAutomatically = false
        var renew = EngineHarness.message(.request, mac: EngineHarness.mac(1), xid: 11)
        renew.ciaddr = ack.yiaddr
        let e = h.send(renew).effects
        XCTAssertEqual(e.writes.first?.expected, before, "the renewal is conditional on the row it renews")
        XCTAssertNotEqual(h.engine.store.lease(at: ack.yiaddr)?.expire, before.expire)
        _ = h.engine.handle(outcome: .failed(reason: "io"), of: try XCTUnwrap(e.transaction), now: h.now)
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr), before)
        XCTAssertEqual(assigned(h), 1)
    }

    /// Another server gave the requested address to another client first: the engine shows
    /// the winning row and decides again; the requested address is taken, so it NAKs.
    func testConflictWithAnotherClientEndsInANak() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        h.engine.storeMayConflict = true
        let a = IPv4Address(192, 0, 2, 10)
        let e = h.send(request(h, mac: EngineHarness.mac(1), address: a)).effects
        let winner = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(2)), clientID: nil,
                            validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(3600), subnetID: 1)
        let next = h.engine.handle(outcome: .conflict(address: a, current: winner), of: try XCTUnwrap(e.transaction), now: h.now)
        XCTAssertEqual(h.engine.store.lease(at: a), winner, "the view shows the row that won")
        XCTAssertEqual(assigned(h), 1, "the gauge counts the winner's lease, once")
        XCTAssertNil(next.transaction)
        let reply = try DHCPv4Message.decode(try XCTUnwrap(next.datagrams.first).bytes).get()
        XCTAssertEqual(reply.messageType, .nak)
        XCTAssertTrue(next.events.contains { if case .leaseConflict(_, a, 1) = $0 { true } else { false } })
    }

    /// The client's lease was written by another server (it moved): after the conflict the
    /// engine finds it and renews it, conditional on that row, so the client keeps its address.
    func testConflictWithTheClientsOwnLeaseRenewsIt() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        h.engine.storeMayConflict = true
        let a = IPv4Address(192, 0, 2, 15)
        var rebind = EngineHarness.message(.request, mac: EngineHarness.mac(3), xid: 12)
        rebind.ciaddr = a
        let e = h.send(rebind).effects
        XCTAssertNil(e.writes.first?.expected, "this server had no row for the client")
        let theirs = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(3)), clientID: nil,
                            validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(1000), subnetID: 1)
        let next = h.engine.handle(outcome: .conflict(address: a, current: theirs), of: try XCTUnwrap(e.transaction), now: h.now)
        XCTAssertNotNil(next.transaction, "a second attempt is proposed")
        XCTAssertEqual(next.writes.first?.expected, theirs)
        let reply = try DHCPv4Message.decode(try XCTUnwrap(next.datagrams.first).bytes).get()
        XCTAssertEqual(reply.messageType, .ack)
        XCTAssertEqual(reply.yiaddr, a)
    }

    /// Attempts are bounded: a client that keeps losing races is dropped, not retried forever.
    func testConflictsAreBounded() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        h.engine.storeMayConflict = true
        let a = IPv4Address(192, 0, 2, 16)
        var rebind = EngineHarness.message(.request, mac: EngineHarness.mac(4), xid: 13)
        rebind.ciaddr = a
        var e = h.send(rebind).effects
        var rounds = 0
        while let id = e.transaction, rounds < 10 {
            // The client's own lease keeps changing under it (another server renews it).
            let theirs = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(4)), clientID: nil,
                                validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(Int64(100 + rounds)), subnetID: 1)
            e = h.engine.handle(outcome: .conflict(address: a, current: theirs), of: id, now: h.now)
            rounds += 1
        }
        XCTAssertEqual(rounds, Dhcp4Engine<MemoryLeaseStore4>.attemptsMax)
        XCTAssertTrue(e.datagrams.isEmpty)
        XCTAssertTrue(e.events.contains { if case .dropped(_, .leaseStoreConflict) = $0 { true } else { false } })
        XCTAssertEqual(h.engine.transactionsInFlight, 0)
    }

    /// The executor holds replies until the port reports the outcome, and carries out the
    /// engine's new decision.
    func testExecutorHoldsRepliesUntilDurable() throws {
        final class Port: EffectPort {
            var held: [Effects4] = []
            var sent: [OutboundDatagram] = []
            var logged: [EngineEvent] = []
            func persist(_ effects: Effects4) -> WriteOutcome4? { held.append(effects); return nil }
            func send(_ datagram: OutboundDatagram) { sent.append(datagram) }
            func log(_ event: EngineEvent) { logged.append(event) }
        }
        var h = EngineHarness()
        h.settlesAutomatically = false
        let port = Port()
        var executor = EffectExecutor4()
        let e = h.send(request(h, mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 10))).effects
        executor.execute(e, engine: &h.engine, port: port, now: h.now)
        XCTAssertTrue(port.sent.isEmpty, "nothing leaves before the write is durable")
        XCTAssertTrue(port.logged.isEmpty)
        XCTAssertEqual(executor.pendingCount, 1)
        executor.settle(try XCTUnwrap(e.transaction), .durable, engine: &h.engine, port: port, now: h.now)
        XCTAssertEqual(port.sent.count, 1)
        XCTAssertFalse(port.logged.isEmpty)
        XCTAssertEqual(executor.pendingCount, 0)
        // A failed one: nothing is sent, the engine's drop is logged.
        let e2 = h.send(request(h, mac: EngineHarness.mac(2), address: IPv4Address(192, 0, 2, 11), xid: 21)).effects
        executor.execute(e2, engine: &h.engine, port: port, now: h.now)
        executor.settle(try XCTUnwrap(e2.transaction), .failed(reason: "x"), engine: &h.engine, port: port, now: h.now)
        XCTAssertEqual(port.sent.count, 1)
        XCTAssertTrue(port.logged.contains { if case .leaseWriteFailed = $0 { true } else { false } })
    }

    /// A reclamation whose write fails leaves the lease assigned and the counters as they were;
    /// the next cycle tries again.
    func testFailedReclamationIsRetried() throws {
        var h = EngineHarness()
        let ack = try XCTUnwrap(h.dora(mac: EngineHarness.mac(1)))
        h.advance(seconds: 4000)
        let e = h.engine.handleDeadline(now: h.now)
        let id = try XCTUnwrap(e.transaction, "the expired lease is reclaimed")
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.state, .expiredReclaimed)
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 1)
        _ = h.engine.handle(outcome: .failed(reason: "io"), of: id, now: h.now)
        XCTAssertEqual(h.engine.store.lease(at: ack.yiaddr)?.state, .assigned)
        XCTAssertEqual(h.engine.stats.value(.reclaimedLeases), 0)
        XCTAssertEqual(assigned(h), 1)
        h.advance(seconds: 60)
        let again = h.engine.handleDeadline(now: h.now)
        XCTAssertEqual(again.writes.first?.change.lease.address, ack.yiaddr, "the next cycle reclaims it again")
    }

    /// With an exclusive store (memfile) the engine keeps no exchange to decide again: a
    /// conflict, which such a store never reports, is rolled back and the exchange dropped.
    func testExclusiveStoreDoesNotDecideAgain() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        XCTAssertFalse(h.engine.storeMayConflict)
        let a = IPv4Address(192, 0, 2, 10)
        let e = h.send(request(h, mac: EngineHarness.mac(1), address: a)).effects
        let winner = Lease4(address: a, hardwareAddress: HardwareAddress(bytes: EngineHarness.mac(2)), clientID: nil,
                            validLifetimeSeconds: 3600, expire: h.now.wall + Seconds(3600), subnetID: 1)
        let next = h.engine.handle(outcome: .conflict(address: a, current: winner), of: try XCTUnwrap(e.transaction), now: h.now)
        XCTAssertTrue(next.datagrams.isEmpty)
        XCTAssertNil(next.transaction)
        XCTAssertEqual(h.engine.store.lease(at: a), winner)
    }

    /// statistic-reset-all between a proposal and its failure: the rollback takes back only
    /// what is there, never driving a counter below zero.
    func testRollbackAfterAStatisticsResetStaysAtZero() throws {
        var h = EngineHarness()
        h.settlesAutomatically = false
        let e = h.send(request(h, mac: EngineHarness.mac(1), address: IPv4Address(192, 0, 2, 10))).effects
        _ = h.engine.handle(command: "statistic-reset-all", arguments: nil, now: h.now)
        _ = h.engine.handle(outcome: .failed(reason: "io"), of: try XCTUnwrap(e.transaction), now: h.now)
        XCTAssertEqual(h.engine.stats.value(.pktAckSent), 0)
        XCTAssertEqual(h.engine.stats.value(.pktSent), 0)
        XCTAssertEqual(h.engine.stats.value(.cumulativeAssignedAddresses), 0)
    }
}
