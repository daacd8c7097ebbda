import Foundation
import XCTest
@testable import KakapoCore

/// The catalog lists exactly the message IDs the code logs, at the severities it logs them.
/// The sources are read from disk: every `.log(.<severity>, "<ID>", ...)` call and every
/// `("<ID>", .<severity>, ...)` tuple (how `EngineEvent.logLine` and its like name a message).
/// `EngineEvent` is also checked by running `logLine` over one event of every kind.
final class LogCatalogTests: XCTestCase {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// One place in the sources that names a message ID.
    struct Use {
        var id: String
        var severity: Severity?
        var place: String
        var isLogCall: Bool
    }

    static let severities: [String: Severity] = ["debug": .debug, "info": .info, "warn": .warn, "error": .error, "fatal": .fatal]

    /// Every use of a message ID in Sources/ (the catalog's own folder aside), and the calls
    /// whose ID or severity cannot be read from the source.
    static func scan() throws -> (uses: [Use], problems: [String], dynamicCalls: Int) {
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("Core/Logging/") }
            .sorted()
        let call = try Regex(#"\.log\(\s*([^,()]+?)\s*,\s*([^,]+?)\s*,"#)
        let tuple = try Regex(#"\(\s*"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"\s*,\s*\.(debug|info|warn|error|fatal)\s*,"#)
        var uses: [Use] = []
        var problems: [String] = []
        var dynamicCalls = 0
        for f in files {
            let text = try String(contentsOf: sources.appendingPathComponent(f), encoding: .utf8)
            func place(_ i: String.Index) -> String {
                "Sources/\(f):\(text[..<i].reduce(1) { $1 == "\n" ? $0 + 1 : $0 })"
            }
            for m in text.matches(of: call) {
                let sevText = String(m.output[1].substring ?? "")
                let idText = String(m.output[2].substring ?? "")
                let at = place(m.range.lowerBound)
                guard idText.hasPrefix("\"") else {
                    // An ID held in a variable: the shell forwarding `EngineEvent.logLine`,
                    // which `testEveryEngineEventIsCatalogued` covers.
                    dynamicCalls += 1
                    continue
                }
                let id = String(idText.dropFirst().dropLast())
                guard idText.hasSuffix("\""), id.wholeMatch(of: /[A-Z][A-Z0-9]*(_[A-Z0-9]+)+/) != nil else {
                    problems.append("\(at): \(idText) is not a message ID (UPPER_CASE_WITH_UNDERSCORES)")
                    continue
                }
                guard sevText.hasPrefix("."), let s = severities[String(sevText.dropFirst())] else {
                    problems.append("\(at): \(id) is logged with severity '\(sevText)', which is not a literal .debug/.info/.warn/.error/.fatal")
                    continue
                }
                uses.append(Use(id: id, severity: s, place: at, isLogCall: true))
            }
            for m in text.matches(of: tuple) {
                let id = String(m.output[1].substring ?? "")
                let s = severities[String(m.output[2].substring ?? "")]
                uses.append(Use(id: id, severity: s, place: place(m.range.lowerBound), isLogCall: false))
            }
        }
        return (uses, problems, dynamicCalls)
    }

    func testEveryLoggedIDIsCataloguedWithItsSeverity() throws {
        let (uses, problems, dynamicCalls) = try Self.scan()
        // The scanner must see the code it is meant to police, or the test proves nothing.
        XCTAssertGreaterThan(uses.filter(\.isLogCall).count, 10)
        XCTAssertGreaterThan(uses.filter { !$0.isLogCall }.count, 20)
        XCTAssertTrue(uses.contains { $0.isLogCall && $0.id == "DHCP4_PACKET_SEND_FAIL" })
        XCTAssertTrue(uses.contains { !$0.isLogCall && $0.id == "DHCP6_STARTED" })
        XCTAssertTrue(uses.contains { !$0.isLogCall && $0.id == "DHCP4_LEASE_ALLOC" })
        XCTAssertLessThanOrEqual(dynamicCalls, 2, "a log call with a computed ID is not checked here; name the ID as a literal")
        var found = problems
        for u in uses {
            guard let entry = LogCatalog.message(u.id) else {
                found.append("\(u.place): \(u.id) is logged but missing from LogCatalog")
                continue
            }
            if let s = u.severity, s != entry.severity {
                found.append("\(u.place): \(u.id) is logged at \(s.keaName), the catalog says \(entry.severity.keaName)")
            }
        }
        XCTAssertEqual(found, [], found.joined(separator: "\n"))
    }

    func testEveryCatalogueEntryIsLogged() throws {
        let used = Set(try Self.scan().uses.map(\.id)).union(Self.sampleEvents().map(\.logLine.id))
        let unused = LogCatalog.messages.map(\.id).filter { !used.contains($0) }
        XCTAssertEqual(unused, [], "in LogCatalog but logged nowhere: \(unused)")
    }

    func testEveryEngineEventIsCatalogued() {
        for e in Self.sampleEvents() {
            let line = e.logLine
            guard let entry = LogCatalog.message(line.id) else {
                XCTFail("\(e): \(line.id) is missing from LogCatalog")
                continue
            }
            XCTAssertEqual(line.severity, entry.severity, "\(e): \(line.id)")
            XCTAssertEqual(e.severity, line.severity, "\(e): the cheap severity disagrees with logLine")
            XCTAssertFalse(line.text.isEmpty, "\(e)")
            XCTAssertFalse(line.text.contains("Optional("), "\(e): \(line.text)")
        }
    }

    func testNoDuplicateIDs() {
        let counts = Dictionary(grouping: LogCatalog.messages, by: \.id).filter { $0.value.count > 1 }.keys.sorted()
        XCTAssertEqual(counts, [], "listed more than once: \(counts)")
    }

    func testEveryEntryIsExplainedInOneLine() {
        for m in LogCatalog.messages {
            XCTAssertFalse(m.explanation.trimmingCharacters(in: .whitespaces).isEmpty, m.id)
            XCTAssertFalse(m.explanation.contains("\n"), "\(m.id): one line")
            XCTAssertTrue(m.explanation.hasSuffix("."), "\(m.id): a sentence")
            XCTAssertNotNil(m.id.wholeMatch(of: /[A-Z][A-Z0-9]*(_[A-Z0-9]+)+/), m.id)
        }
    }

    func testLookup() {
        XCTAssertEqual(LogCatalog.message("DHCP4_LEASE_ALLOC")?.severity, .info)
        XCTAssertEqual(LogCatalog.message("DHCP4_LEASE_ALLOC")?.origin, .kea)
        XCTAssertEqual(LogCatalog.message("DHCP4_CLOCK_STEPPED_BACK")?.origin, .kakapo)
        XCTAssertNil(LogCatalog.message("DHCP4_NO_SUCH_MESSAGE"))
    }

    /// Kea's wording, arguments in Kea's order, as a Kea log reader expects them.
    func testEngineLinesFollowKeaWording() {
        let c = ClientLabel(hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]), clientID: [1, 2, 0, 0, 0, 0, 1], xid: 0x6e3a2f10)
        let a = IPv4Address(192, 0, 2, 10)
        let label = "[hwtype=1 02:00:00:00:00:01], cid=[01:02:00:00:00:00:01], tid=0x6e3a2f10"
        XCTAssertEqual(EngineEvent.allocated(client: c, address: a, lifetimeSeconds: 3600).logLine.text,
                       "\(label): lease 192.0.2.10 has been allocated for 3600 seconds")
        XCTAssertEqual(EngineEvent.declined(client: c, address: a, probationSeconds: 86400).logLine.text,
                       "Received DHCPDECLINE for addr 192.0.2.10 from client \(label). The lease will be unavailable for 86400 seconds.")
        XCTAssertEqual(EngineEvent.released(client: c, address: a).logLine.text, "\(label): address 192.0.2.10 was released properly.")
        XCTAssertEqual(EngineEvent.dropped(client: c, reason: .unsupportedMessageType(2)).logLine.id, "DHCP4_PACKET_DROP_0006")
        XCTAssertEqual(EngineEvent.dropped(client: c, reason: .unsupportedMessageType(99)).logLine.id, "DHCP4_PACKET_DROP_0005")
    }

    /// One event of every kind, every drop reason and every NAK reason.
    static func sampleEvents() -> [EngineEvent] {
        let c = ClientLabel(hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]), clientID: nil, xid: 1)
        let a = IPv4Address(192, 0, 2, 10)
        let b = IPv4Address(192, 0, 2, 11)
        let mismatch = LeaseMismatch(address: a, receivedHardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]),
                                     leaseHardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 2]),
                                     receivedClientID: nil, leaseClientID: [1, 2, 0, 0, 0, 0, 2])
        let drops: [DropReason] = [
            .parseFailed(.truncatedHeader(length: 3)), .notARequest, .noMessageType, .badMessageTypeLength(2),
            .unsupportedMessageType(2), .unsupportedMessageType(99), .notForThisServer(a), .noSubnet,
            .initRebootUnknownClient(a), .noAddressAvailable, .releaseNoLease(a), .declineNoLease(a),
            .releaseWrongClient(mismatch), .declineWrongClient(mismatch),
            .missingRequestedAddress, .leaseStoreFailed, .leaseStoreConflict, .dropClass]
        let naks: [NakReason] = [.addressNotInSubnet(a), .addressInUse(a), .clientHoldsOtherAddress(requested: a, held: b),
                                 .addressNotInPool(a), .noSubnet(a), .noSubnet(nil), .unknownClient(a)]
        let others: [EngineEvent] = [
            .advertised(client: c, address: a), .allocated(client: c, address: a, lifetimeSeconds: 1),
            .renewed(client: c, address: a, lifetimeSeconds: 1), .released(client: c, address: a),
            .declined(client: c, address: a, probationSeconds: 1), .informed(client: c),
            .allocationFailed(client: c, subnetID: 1),
            .reclaimed(address: a, declined: false, hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1])),
            .reclaimed(address: a, declined: false, hardwareAddress: nil),
            .reclaimed(address: a, declined: true, hardwareAddress: nil), .flushed(count: 1),
            .leaseWriteFailed(client: c, address: a, reason: "disk full"), .leaseWriteFailed(client: nil, address: a, reason: "x"),
            .leaseConflict(client: c, address: a, attempt: 1), .leaseConflict(client: nil, address: a, attempt: 2),
            .leaseReused(client: c, address: a, lifetimeSeconds: 1), .bootp(client: c, .query), .bootp(client: c, .pack),
            .flexOption(client: c, .added(code: 66, value: [65])), .flexOption(client: c, .superseded(code: 66, value: [0])),
            .flexOption(client: c, .removed(code: 66)), .flexOption(client: c, .skippedForClass(code: 66, className: "X")),
            .flexOption(client: c, .failed("x")),
            .nameChangeQueued(hardwareAddress: HardwareAddress(bytes: [2, 0, 0, 0, 0, 1]), clientID: [1, 2],
                              NameChangeRequest(changeType: .add, forward: true, reverse: true, fqdn: "a.example.org.", address: "192.0.2.1",
                                                dhcid: [0, 0, 1], leaseExpiresOn: WallTime(secondsSinceEpoch: 0), leaseLengthSeconds: 600,
                                                useConflictResolution: true)),
            .nameChangeQueued(hardwareAddress: nil, clientID: nil,
                              NameChangeRequest(changeType: .remove, forward: false, reverse: true, fqdn: "a.", address: "192.0.2.1",
                                                dhcid: [0, 0, 1], leaseExpiresOn: WallTime(secondsSinceEpoch: 0), leaseLengthSeconds: 600,
                                                useConflictResolution: false))]
        let events = drops.map { EngineEvent.dropped(client: c, reason: $0) } + naks.map { EngineEvent.nak(client: c, reason: $0) } + others
        events.forEach(mustBeSampled)
        return events
    }

    /// Stops compiling when EngineEvent, DropReason or NakReason gains a case: add a sample
    /// of it to `sampleEvents` when you add it here.
    static func mustBeSampled(_ e: EngineEvent) {
        switch e {
        case .dropped(_, let r):
            switch r {
            case .parseFailed, .notARequest, .noMessageType, .badMessageTypeLength, .unsupportedMessageType,
                 .notForThisServer, .noSubnet, .initRebootUnknownClient, .noAddressAvailable, .releaseNoLease,
                 .releaseWrongClient, .declineNoLease, .declineWrongClient, .missingRequestedAddress,
                 .leaseStoreFailed, .leaseStoreConflict, .dropClass: break
            }
        case .nak(_, let r):
            switch r {
            case .addressNotInSubnet, .addressInUse, .clientHoldsOtherAddress, .addressNotInPool, .noSubnet, .unknownClient: break
            }
        case .advertised, .allocated, .renewed, .released, .declined, .informed, .allocationFailed, .reclaimed, .flushed,
             .leaseWriteFailed, .leaseConflict, .leaseReused, .nameChangeQueued: break
        case .bootp(_, let step):
            switch step { case .query, .pack: break }
        case .flexOption(_, let step):
            switch step { case .added, .superseded, .removed, .skippedForClass, .failed: break }
        }
    }
}
