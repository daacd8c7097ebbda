import CShim
import Glibc
import KakapoCore

/// A server's packet sockets as one reader sees them: a snapshot taken under the service lock,
/// so that a packet worker reads, parses and sends outside it (the sockets are shared; each
/// reader has its own `MessageBatch`es). A new configuration makes a new snapshot.
protocol PacketEndpoints {
    /// The descriptors to wait on.
    var descriptors: [Int32] { get }
    /// Buffers for one receive call of up to `capacity` datagrams from any of the sockets.
    static func receiveBatch(capacity: Int) -> MessageBatch
    /// Buffers for one send call.
    static func sendBatch(capacity: Int) -> MessageBatch
    /// Reads one batch (one recvmmsg, up to `limit`) from the socket behind `fd` and appends
    /// what is the server's to `out`. Returns how many datagrams were read (0: none pending).
    @discardableResult
    func read(_ fd: Int32, batch: MessageBatch, limit: Int, into out: inout [InboundDatagram]) -> Int
    /// Sends `out` in order, in as few sendmmsg calls as the sockets allow; `failed` hears the
    /// index in `out` and errno of each datagram not sent.
    func transmit(_ out: [OutboundDatagram], batch: MessageBatch, failed: (Int, Int32) -> Void)
}

/// kakapo-dhcp4's sockets: a raw socket per raw-mode interface and the UDP socket.
struct Endpoints4: PacketEndpoints {
    var raw: [Int32: RawSocket]
    var udp: UDPSocket?
    var served: [Int32: SystemInterface]
    /// Which socket a descriptor is: a raw socket by interface index, or the UDP one (-1).
    var socketByFD: [Int32: Int32]
    var descriptors: [Int32]
    var serverPort: UInt16
    var clientPort: UInt16

    static func receiveBatch(capacity: Int) -> MessageBatch { MessageBatch(capacity: capacity, slotSize: 65536 + 64, controlSize: 256) }
    static func sendBatch(capacity: Int) -> MessageBatch { MessageBatch(capacity: capacity, slotSize: 65536 + 64, controlSize: 32) }

    @discardableResult
    func read(_ fd: Int32, batch: MessageBatch, limit: Int, into out: inout [InboundDatagram]) -> Int {
        guard let idx = socketByFD[fd] else { return 0 }
        if idx == Dhcp4Server.udpToken {
            guard let sock = udp else { return 0 }
            let n = sock.receive(into: batch, limit: limit)
            for i in 0..<n {
                let r = UDPSocket.received(batch, i)
                guard let iface = served[r.interfaceIndex] else { continue }
                // What arrives on a raw-socket interface was read from the raw socket already.
                if raw[r.interfaceIndex] != nil { continue }
                out.append(InboundDatagram(bytes: r.payload, interface: iface.info, source: r.source,
                                           sourcePort: r.sourcePort, destination: r.destination))
            }
            return n
        } else {
            guard let sock = raw[idx], let iface = served[idx] else { return 0 }
            let n = sock.receive(into: batch, limit: limit)
            for i in 0..<n {
                guard case .datagram(let payload, let src, let sport, let dst, let mac) = sock.received(batch, i) else { continue }
                var d = InboundDatagram(bytes: payload, interface: iface.info, source: src, sourcePort: sport, destination: dst)
                d.linkLayerSource = mac
                out.append(d)
            }
            return n
        }
    }

    /// Where one reply goes: a raw socket (with its frame's addressing) or the UDP socket.
    enum Route {
        case raw(RawSocket, destination: IPv4Address, port: UInt16, mac: [UInt8])
        case udp(UDPSocket, destination: IPv4Address, port: UInt16)
        var fd: Int32 {
            switch self {
            case .raw(let r, _, _, _): r.fd
            case .udp(let u, _, _): u.fd
            }
        }
    }

    /// How `d` leaves: at layer 2 on a raw-socket interface, else by the UDP socket.
    func route(_ d: OutboundDatagram, destination: IPv4Address) -> Route? {
        let rawSocket = raw[d.interfaceIndex]
        switch d.delivery {
        case .linkLayerUnicast(let mac) where rawSocket != nil:
            // To a relay (port 67) or a client (68): the -p/-P test ports apply.
            return .raw(rawSocket!, destination: destination, port: d.destinationPort == 67 ? serverPort : clientPort, mac: mac)
        case .broadcast where rawSocket != nil, .linkLayerUnicast where rawSocket != nil:
            return .raw(rawSocket!, destination: .broadcast, port: d.destinationPort, mac: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        case .broadcast, .linkLayerUnicast:
            return udp.map { .udp($0, destination: .broadcast, port: d.destinationPort) }
        case .unicast:
            return udp.map { .udp($0, destination: destination, port: d.destinationPort == 67 ? serverPort : clientPort) }
        }
    }

    func transmit(_ out: [OutboundDatagram], batch: MessageBatch, failed: (Int, Int32) -> Void) {
        var currentFD: Int32 = -1
        var current: Route? = nil
        func sendStaged() {
            switch current {
            case .raw(let r, _, _, _)?: r.transmit(batch, failed: failed)
            case .udp(let u, _, _)?: u.transmit(batch, failed: failed)
            case nil: break
            }
        }
        func stage(_ r: Route, _ tag: Int, _ d: OutboundDatagram, _ source: IPv4Address) -> Bool {
            switch r {
            case .raw(let s, let destination, let port, let mac):
                s.stage(batch, tag: tag, payload: d.bytes, source: source, destination: destination, port: port, mac: mac)
            case .udp(let u, let destination, let port):
                u.stage(batch, tag: tag, payload: d.bytes, to: destination, port: port, source: source, ifindex: d.interfaceIndex)
            }
        }
        for (tag, d) in out.enumerated() {
            // A DHCPv4 server's datagrams are IPv4 both ends.
            guard let source = d.source.v4, let destination = d.destination.v4 else { continue }
            guard let r = route(d, destination: destination) else { failed(tag, EBADF); continue }
            if r.fd != currentFD {
                sendStaged()
                current = r
                currentFD = r.fd
            }
            if stage(r, tag, d, source) { continue }
            sendStaged()
            if !stage(r, tag, d, source) { failed(tag, EMSGSIZE) }
        }
        sendStaged()
    }
}

/// kakapo-dhcp6's one UDP socket.
struct Endpoints6: PacketEndpoints {
    var udp: UDP6Socket?
    var served: [Int32: SystemInterface]
    var serverPort: UInt16
    var clientPort: UInt16

    var descriptors: [Int32] { udp.map { [$0.fd] } ?? [] }
    static func receiveBatch(capacity: Int) -> MessageBatch { UDP6Socket.receiveBatch(capacity: capacity) }
    static func sendBatch(capacity: Int) -> MessageBatch { UDP6Socket.sendBatch(capacity: capacity) }

    @discardableResult
    func read(_ fd: Int32, batch: MessageBatch, limit: Int, into out: inout [InboundDatagram]) -> Int {
        guard let sock = udp, sock.fd == fd else { return 0 }
        let n = sock.receive(into: batch, limit: limit)
        for i in 0..<n {
            let r = UDP6Socket.received(batch, i)
            // Only what arrives on a served interface is the server's.
            guard let iface = served[r.interfaceIndex] else { continue }
            out.append(InboundDatagram(bytes: r.payload, interface: iface.info, source: .v6(r.source),
                                       sourcePort: r.sourcePort, destination: .v6(r.destination)))
        }
        return n
    }

    /// The destination port for a reply the engine addresses to the standard ports: -p moves
    /// the server (relay) port, -P the client port.
    func port(for standard: UInt16) -> UInt16 {
        switch standard {
        case 547: serverPort
        case 546: clientPort
        default: standard
        }
    }

    func transmit(_ out: [OutboundDatagram], batch: MessageBatch, failed: (Int, Int32) -> Void) {
        guard let u = udp else {
            for (tag, d) in out.enumerated() where d.destination.v6 != nil { failed(tag, EBADF) }
            return
        }
        for (tag, d) in out.enumerated() {
            guard let destination = d.destination.v6 else { continue }
            let port = port(for: d.destinationPort)
            if u.stage(batch, tag: tag, payload: d.bytes, to: destination, port: port, ifindex: d.interfaceIndex) { continue }
            u.transmit(batch, failed: failed)
            if !u.stage(batch, tag: tag, payload: d.bytes, to: destination, port: port, ifindex: d.interfaceIndex) {
                failed(tag, EMSGSIZE)
            }
        }
        u.transmit(batch, failed: failed)
    }
}
