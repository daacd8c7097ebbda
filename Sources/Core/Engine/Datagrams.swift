/// An address configured on an interface, with its prefix length (either family).
public struct InterfaceAddress: Sendable, Equatable {
    public var address: IPAddress
    public var prefixLength: Int
    public init(address: IPAddress, prefixLength: Int) {
        self.address = address
        self.prefixLength = prefixLength
    }
    public init(address: IPv4Address, prefixLength: Int) {
        self.init(address: .v4(address), prefixLength: prefixLength)
    }
    /// The IPv4 prefix, or nil for an IPv6 address.
    public var prefix: IPv4Prefix? { address.v4.map { IPv4Prefix(network: $0, length: prefixLength) } }
}

/// What an engine needs to know about the interface a datagram arrived on.
public struct InterfaceInfo: Sendable, Equatable {
    public var name: String
    public var index: Int32
    public var addresses: [InterfaceAddress]
    public init(name: String, index: Int32, addresses: [InterfaceAddress]) {
        self.name = name
        self.index = index
        self.addresses = addresses
    }
}

/// A datagram handed to an engine by a shell (UDP payload, either family).
public struct InboundDatagram: Sendable {
    public var bytes: [UInt8]
    public var interface: InterfaceInfo
    public var source: IPAddress
    public var sourcePort: UInt16
    /// The IP destination: a broadcast or multicast address, or one of the server's.
    public var destination: IPAddress
    /// The link-layer source of the frame, when it was read from a raw (AF_PACKET) socket: a
    /// reply to it goes back the same way, to this address, whatever its IP destination.
    public var linkLayerSource: [UInt8]?
    public init(bytes: [UInt8], interface: InterfaceInfo, source: IPAddress, sourcePort: UInt16, destination: IPAddress) {
        self.bytes = bytes
        self.interface = interface
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
    }
    public init(bytes: [UInt8], interface: InterfaceInfo, source: IPv4Address, sourcePort: UInt16, destination: IPv4Address) {
        self.init(bytes: bytes, interface: interface, source: .v4(source), sourcePort: sourcePort, destination: .v4(destination))
    }
}

/// A datagram to send. `delivery` says how it must reach the client (RFC 2131 §4.1 for v4;
/// v6 replies are unicast to the client's link-local address or to a relay).
public struct OutboundDatagram: Sendable, Equatable {
    public enum Delivery: Sendable, Equatable {
        /// Ordinary IP unicast (to a relay, or to a client that has an address).
        case unicast
        /// Limited broadcast on the interface (IPv4).
        case broadcast
        /// Link-layer unicast to the client's hardware address, IP destination yiaddr; the
        /// client has no address yet, so no ARP can be done (IPv4).
        case linkLayerUnicast(hardwareAddress: [UInt8])
    }
    public var bytes: [UInt8]
    public var interfaceIndex: Int32
    public var source: IPAddress
    public var destination: IPAddress
    public var destinationPort: UInt16
    public var delivery: Delivery
    public init(bytes: [UInt8], interfaceIndex: Int32, source: IPAddress, destination: IPAddress,
                destinationPort: UInt16, delivery: Delivery) {
        self.bytes = bytes
        self.interfaceIndex = interfaceIndex
        self.source = source
        self.destination = destination
        self.destinationPort = destinationPort
        self.delivery = delivery
    }
}

/// What one input produced. When `transaction` is set, `writes` must be made durable before
/// any of `datagrams` is sent or `events` logged, and the outcome reported back to the engine
/// (`EffectExecutor` does both, for the daemons and the simulator alike). Without a transaction
/// there is nothing to write and everything can go at once.
public struct Effects<Family: ProtocolFamily>: Sendable {
    /// Set when `writes` is not empty: the engine waits for this transaction's outcome.
    public var transaction: TransactionID?
    /// The proposed lease writes, in order.
    @inlinable
    public var writes: [LeaseWrite<Family.Lease>] {
        get { storedWrites }
        set {
            storedWrites = newValue
            dropWriteIndex()
        }
        // In place (no copy of the array), but any change made through here drops
        // `expectedRow(at:view:)`'s index: the engines append with `appendWrite`, which keeps it.
        _modify {
            defer { dropWriteIndex() }
            yield &storedWrites
        }
    }

    /// Appends one proposed write, keeping `expectedRow(at:view:)`'s index (it covers a prefix
    /// of `writes`, which an append does not change).
    @inlinable
    public mutating func appendWrite(_ write: LeaseWrite<Family.Lease>) {
        storedWrites.append(write)
    }
    public var datagrams: [OutboundDatagram] = []
    public var events: [Family.Event] = []
    /// Requests for the DHCP-DDNS daemon, sent once the transaction is durable.
    public var nameChanges: [NameChangeRequest] = []
    /// Commands to a partner server (high availability), sent once the transaction is durable.
    public var partnerCommands: [PartnerCommand] = []
    @usableFromInline var storedWrites: [LeaseWrite<Family.Lease>] = []
    /// `expectedRow(at:view:)`'s index, once `writes` outgrows a short scan: the position of
    /// the last write at each address in `writes[..<indexedWrites]`. Exact while `writes` is
    /// only appended to; `writes` drops it on any other change.
    @usableFromInline var lastWriteAt: [Family.Lease.Address: Int] = [:]
    @usableFromInline var indexedWrites = 0
    @inlinable
    public init() {}

    /// The proposed changes, in order.
    @inlinable
    public var leaseChanges: [LeaseChange<Family.Lease>] { writes.map(\.change) }

    /// Whether nothing at all is to be done.
    @inlinable
    public var isEmpty: Bool {
        writes.isEmpty && datagrams.isEmpty && events.isEmpty && nameChanges.isEmpty && partnerCommands.isEmpty
    }
}
