import Glibc
import KakapoCore
import KakapoLinuxIO
import KakapoSim

/// DHCPv6 for `kakapo-sim load -6` (like `perfdhcp -6 -l`): each client (its own DUID-LL)
/// sends a Solicit, then a Request for what the Advertise offered, every message in a
/// Relay-forward with the run's link-address to the server's port 547; the Relay-reply is
/// unwrapped and matched to its client by Client Identifier and transaction id. A client
/// bound, or refused, rests until its turn comes again; no renewals (the server's T1 is
/// normally far longer than a run).
final class LoadFamily6: LoadFamily {
    enum State {
        case soliciting
        /// Holds the Advertise it will request from.
        case selecting(DHCPv6ClientMessage)
        case requesting
        case bound
        case refused
    }

    struct Client {
        var state: State
        var rng: SimRandom
        /// Bumped at each change of state, so that a timer set in an earlier state is void.
        var generation: UInt64
    }

    let names = LoadNames(
        exchanges: ["SOLICIT-ADVERTISE", "REQUEST-REPLY", "REBOOT-REPLY", "RENEW-REPLY", "REBIND-REPLY"],
        cycle: "SARR",
        messageTypes: (1...13).map { (Int($0), DHCPv6MessageType(code: UInt8($0)).description) },
        refusals: "answers without a lease")

    let socket: UDP6Socket
    let server: IPv6Address
    let serverPort: UInt16
    let linkAddress: IPv6Address
    /// The port sent in Relay Source Port (RFC 8357), when the relay does not listen on 547.
    let relaySourcePort: UInt16?
    let prefixDelegation: Bool
    let seed: UInt64
    let ackLog: AckLog?
    var clients: [Client?]

    init(socket: UDP6Socket, server: IPv6Address, serverPort: UInt16, linkAddress: IPv6Address, relayPort: UInt16,
         prefixDelegation: Bool, clients: Int, seed: UInt64, ackLog: AckLog?) {
        self.socket = socket
        self.server = server
        self.serverPort = serverPort
        self.linkAddress = linkAddress
        relaySourcePort = relayPort == 547 ? nil : relayPort
        self.prefixDelegation = prefixDelegation
        self.seed = seed
        self.ackLog = ackLog
        self.clients = Array(repeating: nil, count: clients)
    }

    var fd: Int32 { socket.fd }

    func start(_ i: Int, incarnation: UInt32, now: Int64) -> LoadStep {
        var c = Client(state: .soliciting, rng: loadRandom(seed: seed, client: i, incarnation: incarnation), generation: 0)
        let xid = UInt32(truncatingIfNeeded: c.rng.next()) & DHCPv6ClientMessage.transactionIDMax
        clients[i] = c
        let m = LoadRelay6.solicit(client: i, transactionID: xid, prefixDelegation: prefixDelegation)
        return sending(i, m, opens: .solicit)
    }

    func receive(_ i: Int, _ reply: DHCPv6ClientMessage, now: Int64) -> LoadStep {
        guard let c = clients[i] else { return LoadStep() }
        var step = LoadStep()
        switch (c.state, reply.messageType) {
        case (.soliciting, .advertise):
            enter(i, .selecting(reply))
            step.selecting = true
        case (.requesting, .reply):
            let bound = LoadRelay6.binds(reply, prefixDelegation: prefixDelegation)
            enter(i, bound ? .bound : .refused)
            step.bound = bound
            step.refused = !bound
            step.idle = true
        default:
            // Not the answer its state waits for (LoadRun matched the transaction, so only a
            // confused server sends it): the client gives up rather than wait forever.
            enter(i, .refused)
            step.refused = true
            step.idle = true
        }
        return step
    }

    /// The end of the Advertise window: the Request, or the end of the exchange when the
    /// Advertise offered nothing.
    func timerFired(_ i: Int, now: Int64) -> LoadStep {
        guard var c = clients[i], case .selecting(let advertise) = c.state else { return LoadStep() }
        let xid = UInt32(truncatingIfNeeded: c.rng.next()) & DHCPv6ClientMessage.transactionIDMax
        clients[i] = c
        guard let request = LoadRelay6.request(client: i, transactionID: xid, advertise: advertise,
                                               prefixDelegation: prefixDelegation) else {
            enter(i, .refused)
            var step = LoadStep()
            step.refused = true
            step.idle = true
            return step
        }
        return sending(i, request, opens: .request)
    }

    func timerGeneration(_ i: Int) -> UInt64? { clients[i]?.generation }

    func isSettled(_ i: Int) -> Bool {
        switch clients[i]?.state {
        case .bound, .refused, nil: true
        case .soliciting, .selecting, .requesting: false
        }
    }

    func abandon(_ i: Int) { clients[i] = nil }

    func transmit(_ bytes: [UInt8]) -> Bool {
        socket.send(payload: bytes, to: server, port: serverPort, ifindex: 0)
    }

    private func enter(_ i: Int, _ state: State) {
        clients[i]?.state = state
        clients[i]?.generation &+= 1
    }

    private func sending(_ i: Int, _ m: DHCPv6ClientMessage, opens: LoadExchange) -> LoadStep {
        enter(i, opens == .solicit ? .soliciting : .requesting)
        let bytes = LoadRelay6.relayForward(m, client: i, linkAddress: linkAddress, sourcePort: relaySourcePort)
        var step = LoadStep()
        step.sends = [LoadSend(bytes: bytes, messageType: Int(m.messageType.code), transactionID: m.transactionID, opens: opens)]
        return step
    }

    func nextInbound() -> LoadInbound<DHCPv6ClientMessage>? {
        guard let datagram = socket.receive() else { return nil }
        switch LoadRelay6.classify(datagram.payload, clients: clients.count) {
        case .undecodable: return .undecodable
        case .stray(let type): return .unmatched(messageType: Int(type.code))
        case .message(let client, let m):
            let type = m.messageType
            if type == .reply, let log = ackLog {
                for line in LoadRelay6.ackLines(m, nowSeconds: Int(time(nil))) { log.write(line) }
            }
            guard let i = client, type == .advertise || type == .reply else { return .unmatched(messageType: Int(type.code)) }
            return .reply(client: i, transactionID: m.transactionID, messageType: Int(type.code), answersRequest: type == .reply, m)
        }
    }
}
