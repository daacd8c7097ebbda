import KakapoCore
import KakapoLinuxIO
import KakapoSim

/// DHCPv4 for `kakapo-sim load`: the simulator's virtual clients (RFC 2131 state machine),
/// each message sent as a relay agent would (giaddr the relay address, hops 1) to the
/// server; replies matched to their client by chaddr.
final class LoadFamily4: LoadFamily {
    let names = LoadNames(
        exchanges: ["DISCOVER-OFFER", "REQUEST-ACK", "REBOOT-ACK", "RENEW-ACK", "REBIND-ACK"],
        cycle: "DORA",
        messageTypes: DHCPv4MessageType.allCases.map { (Int($0.rawValue), String($0.keaName.dropFirst(4))) },
        refusals: "NAKs")

    let socket: UDPSocket
    let server: IPv4Address
    let serverPort: UInt16
    let relay: IPv4Address
    let seed: UInt64
    /// `--acks FILE`: every DHCPACK received is recorded, whatever exchange it answers.
    let ackLog: AckLog?
    var clients: [VirtualClient?]

    init(socket: UDPSocket, server: IPv4Address, serverPort: UInt16, relay: IPv4Address, clients: Int, seed: UInt64,
         ackLog: AckLog?) {
        self.socket = socket
        self.server = server
        self.serverPort = serverPort
        self.relay = relay
        self.seed = seed
        self.ackLog = ackLog
        self.clients = Array(repeating: nil, count: clients)
    }

    var fd: Int32 { socket.fd }

    /// Client n's MAC, 02:00:nn:nn:nn:nn: the DHCPv6 load's clients have the same (their
    /// DUID-LLs are made of it).
    static func mac(_ index: Int) -> [UInt8] { LoadRelay6.mac(client: index) }

    func clientIndex(_ chaddr: [UInt8]) -> Int? { LoadRelay6.client(mac: chaddr[...], clients: clients.count) }

    func start(_ i: Int, incarnation: UInt32, now: Int64) -> LoadStep {
        clients[i] = VirtualClient(mac: Self.mac(i), clientID: nil, rng: loadRandom(seed: seed, client: i, incarnation: incarnation))
        return step(i, clients[i]!.start(now: now / 1000))
    }

    func receive(_ i: Int, _ reply: DHCPv4Message, now: Int64) -> LoadStep {
        guard clients[i] != nil else { return LoadStep() }
        return step(i, clients[i]!.receive(reply, now: now / 1000))
    }

    func timerFired(_ i: Int, now: Int64) -> LoadStep {
        guard clients[i] != nil else { return LoadStep() }
        return step(i, clients[i]!.timerFired(now: now / 1000))
    }

    func timerGeneration(_ i: Int) -> UInt64? { clients[i]?.timerGeneration }

    func isSettled(_ i: Int) -> Bool { clients[i]?.state == .bound || clients[i]?.state == .left }

    func abandon(_ i: Int) { clients[i] = nil }

    func transmit(_ bytes: [UInt8]) -> Bool {
        socket.send(payload: bytes, to: server, port: serverPort, source: relay, ifindex: 0)
    }

    /// What the client's output means for the run: its messages relayed (every one, broadcast
    /// or unicast, goes to the server), the exchange each opens, its events and timer.
    func step(_ i: Int, _ out: VirtualClient.Output) -> LoadStep {
        guard let client = clients[i] else { return LoadStep() }
        var step = LoadStep()
        for (message, _) in out.sends {
            var m = message
            m.giaddr = relay
            m.hops = 1
            guard let type = m.messageType else { continue }
            let kind: LoadExchange?
            switch type {
            case .discover: kind = .solicit
            case .request:
                switch client.state {
                case .rebooting: kind = .reboot
                case .renewing: kind = .renew
                case .rebinding: kind = .rebind
                default: kind = .request
                }
            default: kind = nil
            }
            step.sends.append(LoadSend(bytes: m.encode(), messageType: Int(type.rawValue), transactionID: m.xid, opens: kind))
        }
        for event in out.events {
            switch event {
            case .bound(_, let renewal):
                if renewal { step.renewed = true } else { step.bound = true }
                step.idle = true
            case .nak: step.refused = true
            case .declined: step.declines += 1
            case .released: step.releases += 1
            case .lost, .stateChanged: break
            }
        }
        step.selecting = client.state == .selecting
        if let at = client.timerAt { step.timer = (at, client.timerGeneration) }
        return step
    }

    func nextInbound() -> LoadInbound<DHCPv4Message>? {
        guard let datagram = socket.receive() else { return nil }
        guard case .success(let m) = DHCPv4Message.decode(datagram.payload) else { return .undecodable }
        guard m.op == DHCPv4Message.bootReply, let type = m.messageType else { return .unmatched(messageType: nil) }
        if type == .ack { ackLog?.record(m) }
        guard let i = clientIndex(m.chaddr), type == .offer || type == .ack || type == .nak else {
            return .unmatched(messageType: Int(type.rawValue))
        }
        return .reply(client: i, transactionID: m.xid, messageType: Int(type.rawValue), answersRequest: type != .offer, m)
    }
}

/// A client's randomness (transaction ids) in its `incarnation`-th life: one stream per
/// (seed, client, life), the same whatever else the run does.
func loadRandom(seed: UInt64, client: Int, incarnation: UInt32) -> SimRandom {
    SimRandom.stream(seed: seed, subsystem: 0x4C4F_4144, index: UInt64(client) << 32 | UInt64(incarnation))   // "LOAD"
}
