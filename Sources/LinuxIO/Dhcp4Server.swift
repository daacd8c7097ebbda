import CShim
import Glibc
import KakapoCore

/// The DHCPv4 service that kakapo-dhcp4 runs inside the generic `Daemon` shell: the Core
/// engine, its raw and UDP sockets, the lease file and the executor. Each loop turn drains ready
/// sockets in a bounded batch, writes the batch's lease changes to the lease file in one write,
/// then sends the replies: a lease is on its way to disk before the ACK that announces it leaves.
public final class Dhcp4Server: DHCPServer {
    public typealias Family = DHCPv4Family
    public static let identity = ServerIdentity.dhcp4
    /// Packets read from one socket per loop turn: bounds latency and the size of a write batch.
    static let batchLimit = 256
    /// `socketByFD`'s value for the UDP socket (interface indexes are positive).
    static let udpToken: Int32 = -1

    public let options: ServerOptions
    public let logger: Logger
    public var engine: Dhcp4Engine<MemoryLeaseStore4>
    public var loaded: ConfigLoader.Loaded
    public var memfile: Memfile?
    /// The PostgreSQL lease database shared with other servers, when configured (then no
    /// memfile): read before deciding, written with conditional statements.
    var database: PGLeaseDatabase<PGLease4Table>?
    /// What the database answered around this round's conflicts, shown after settling.
    var conflictRows: (rows: [Lease4], keys: [LeaseKey4])?
    var rawSockets: [Int32: RawSocket] = [:]
    var udp: UDPSocket?
    var served: [Int32: SystemInterface] = [:]
    /// Which socket a polled descriptor is: a raw socket by interface index, or the UDP one.
    var socketByFD: [Int32: Int32] = [:]
    /// `socketByFD`'s keys, in a fixed order (polled every loop turn).
    var descriptors: [Int32] = []
    /// Carries out the engine's effects: persist, then send, then log.
    public var executor = EffectExecutor4()
    /// Whether DHCP packets are answered (`dhcp-disable`, `dhcp-enable`).
    public var serviceState = DHCPServiceState()
    public var unwritten: [Effects4] = []
    /// The DHCP-DDNS client (`dhcp-ddns` with enable-updates): nil when updates are off.
    public var nameChangeSender: NameChangeSender?
    /// Replies of this turn, sent together once its lease writes are done (`transmitPending`).
    public var outbound: [OutboundDatagram] = []
    /// The loop thread's receive and send buffers (packet workers have their own).
    let loopBatches = (receive: Endpoints4.receiveBatch(capacity: Dhcp4Server.batchLimit),
                       send: Endpoints4.sendBatch(capacity: Dhcp4Server.batchLimit))
    /// The sockets' snapshot (`endpoints`), made again after `openSockets`.
    var endpointsCache: Endpoints4?
    /// The packet workers of `multi-threading` and the lock they share with the loop.
    let threading = ServerThreading()

    /// Loads the config and leases and opens every socket; throws with the reason on failure.
    public init(options: ServerOptions, logger: Logger, now: Now) throws(ServerStartError) {
        self.options = options
        self.logger = logger
        do { loaded = try ConfigLoader.load(path: options.configPath) } catch {
            throw ServerStartError.config(error.message)
        }
        logger.apply(loaded.config.loggers, forceDebug: options.forceDebug)
        var store = MemoryLeaseStore4()
        if case .postgresql(let settings) = loaded.config.leaseDatabase.backend {
            let db = try PGLeaseDatabase<PGLease4Table>(settings: settings, logger: logger, identity: Self.identity)
            do {
                for l in try db.store.all() { store.apply(.upsert(l)) }
            } catch {
                throw ServerStartError.config("Failed to apply configuration: unable to read leases: \(error.message)")
            }
            database = db
        } else {
            memfile = try Self.openMemfile(loaded, logger: logger) { m throws(FileError) in try m.load(into: &store) }
        }
        engine = Dhcp4Engine(config: loaded.config, store: store, now: now)
        // A shared database can refuse a write that another server made first.
        engine.storeMayConflict = database != nil
        engine.seedRandomness(Self.kernelRandomSeed())
        engine.ddnsDigest = SystemCrypto.sha256
        try openSockets(loaded.config)
        startNameChangeSender(loaded.config.ddns)
        logWarnings(loaded)
    }

    public var allLeases: [Lease4] { engine.store.all() }

    /// The daemon commands every Kakapo daemon has, plus the DHCPv4 engine's that the loaded
    /// configuration enables (a hook library's commands exist only when `hooks-libraries`
    /// names it).
    public var commandTable: CommandTable { DaemonCommand.table.merged(with: engine.activeCommandTable) }

    public func engineCommand(_ name: String, arguments: JSON?, now: Now) -> (JSON, Effects4) {
        guard let command = Dhcp4EngineCommand(rawValue: name) else {
            preconditionFailure("engine-owned command '\(name)' has no Dhcp4EngineCommand case")
        }
        // Lease and statistics commands answer from the database as it is now.
        if database != nil { refreshAll(now) }
        return engine.handle(command, arguments: arguments, now: now)
    }

    /// Opens raw sockets on the configured interfaces (raw mode) and the UDP socket. A named
    /// interface that does not exist is a configuration error, as in Kea.
    func openSockets(_ c: Dhcp4Config) throws(ServerStartError) {
        let all = Interfaces.discover()
        var chosen: [SystemInterface] = []
        for e in c.interfaces.entries {
            if e.isWildcard {
                chosen.append(contentsOf: all.filter { !$0.isLoopback && $0.isUp })
                continue
            }
            guard var i = all.first(where: { $0.name == e.name }) else {
                throw ServerStartError.config("Failed to apply configuration: Failed to select interface: interface '\(e.name)' doesn't exist in the system")
            }
            if let a = e.address {
                // "eth0/192.0.2.1": that address answers (server identifier) on the interface.
                guard let k = i.addresses.firstIndex(where: { $0.address == .v4(a) }) else {
                    throw ServerStartError.config("Failed to apply configuration: Failed to select interface: interface '\(e.name)' has no address \(a)")
                }
                i.addresses.insert(i.addresses.remove(at: k), at: 0)
            }
            chosen.append(i)
        }
        let previous = rawSockets
        rawSockets = [:]
        served = [:]
        for i in chosen where served[i.index] == nil {
            served[i.index] = i
            if c.interfaces.socketType == .raw && !i.isLoopback {
                // A reconfiguration keeps an interface's socket (and the frames queued on
                // it): a new one would miss what arrived before it was bound.
                if let kept = previous[i.index], kept.interface.name == i.name, kept.interface.macAddress == i.macAddress {
                    rawSockets[i.index] = kept
                    continue
                }
                do { rawSockets[i.index] = try RawSocket(interface: i, serverPort: options.serverPort, clientPort: options.clientPort) }
                catch { throw ServerStartError.socket("failed to open raw socket on \(i.name): \(error)") }
            }
        }
        if udp == nil && !served.isEmpty {
            do { udp = try UDPSocket(port: options.serverPort) } catch {
                throw ServerStartError.socket("failed to open UDP socket on port \(options.serverPort): \(error)")
            }
        }
        // Every served interface reads from its raw socket: the UDP socket only sends.
        udp?.setReceiving(served.keys.contains { rawSockets[$0] == nil })
        endpointsCache = nil
        socketByFD = [:]
        for (idx, r) in rawSockets { socketByFD[r.fd] = idx }
        if let u = udp { socketByFD[u.fd] = Dhcp4Server.udpToken }
        descriptors = socketByFD.keys.sorted()
        engine.localAddresses = Set(served.values.flatMap { $0.addresses.compactMap(\.address.v4) })
        for i in served.values.sorted(by: { $0.index < $1.index }) {
            logger.log(.info, "DHCPSRV_CFGMGR_ADD_IFACE", "listening on interface \(i.name) (\(rawSockets[i.index] != nil ? "raw" : "UDP") socket, \(i.addresses.map { $0.address.description }.joined(separator: ", ")))", component: "dhcpsrv", debugLevel: 0)
        }
    }


}

extension Dhcp4Server {
    /// Eight bytes from the kernel's generator, for the engine's random allocator; the
    /// monotonic clock when /dev/urandom cannot be read (the allocator needs no secrecy).
    static func kernelRandomSeed() -> UInt64 {
        var seed: UInt64 = 0
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            let n = withUnsafeMutableBytes(of: &seed) { read(fd, $0.baseAddress, 8) }
            close(fd)
            if n == 8 { return seed }
        }
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(truncatingIfNeeded: ts.tv_sec) &* 1_000_000_007 ^ UInt64(truncatingIfNeeded: ts.tv_nsec)
    }
}

extension Dhcp4Server {
    /// Opens, keeps or closes the DHCP-DDNS client for the `dhcp-ddns` settings in force.
    func startNameChangeSender(_ settings: DDNSSettings) {
        guard settings.enableUpdates else { nameChangeSender = nil; return }
        if let s = nameChangeSender, s.settings == settings { return }
        nameChangeSender = nil
        nameChangeSender = NameChangeSender(settings: settings, logger: logger)
    }

    /// Name change requests of a durable transaction (or of one that wrote nothing): to the
    /// DHCP-DDNS daemon, after the replies (the executor sends those first).
    public func forward(_ nameChanges: [NameChangeRequest], _ partnerCommands: [PartnerCommand]) {
        guard !nameChanges.isEmpty, let sender = nameChangeSender else { return }
        sender.submit(nameChanges)
    }
}
