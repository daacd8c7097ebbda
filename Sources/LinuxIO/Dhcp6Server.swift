import CShim
import Glibc
import KakapoCore

/// The DHCPv6 service that kakapo-dhcp6 runs inside the generic `Daemon` shell: the Core
/// engine, one UDP socket on [::]:547 joined to ff02::1:2 on every served interface, the
/// leases6 memfile and the executor. As in kakapo-dhcp4, a loop turn's lease changes are
/// written in one append before the replies that announce them are sent.
public final class Dhcp6Server: DHCPServer {
    public typealias Family = DHCPv6Family
    public static let identity = ServerIdentity.dhcp6
    /// Packets read per loop turn: bounds latency and the size of a write batch. A turn's
    /// replies leave together once its writes are done, so this is also the largest burst a
    /// relay receives: 256 overflowed perfdhcp's default 208 KiB receive buffer (drops at
    /// 6,000 exchanges/s with the server at 30% of a core); 32 keeps bursts small and still
    /// amortizes the poll and the lease-file write.
    static let batchLimit = 32

    public let options: ServerOptions
    public let logger: Logger
    public var engine: Dhcp6Engine<MemoryLeaseStore6>
    public var loaded: ConfigLoader6.Loaded
    public var memfile: Memfile6?
    /// The PostgreSQL lease database shared with other servers, when configured (then no
    /// memfile): see Postgres/Dhcp6Server+PostgreSQL.swift.
    var database: PGLeaseDatabase<PGLease6Table>?
    var udp: UDP6Socket?
    /// Served interfaces by index.
    var served: [Int32: SystemInterface] = [:]
    /// Interfaces whose socket has joined ff02::1:2.
    var joined: Set<Int32> = []
    public var executor = EffectExecutor<DHCPv6Family>()
    /// Transactions handed over this loop turn and not yet written (see `flush`).
    /// Whether DHCP packets are answered (`dhcp-disable`, `dhcp-enable`).
    public var serviceState = DHCPServiceState()
    public var unwritten: [Effects6] = []
    /// Where the server DUID came from (for the startup log line).
    public let serverID: ServerIDFile.Outcome
    public let serverIDPath: String
    /// The DHCP-DDNS client (`dhcp-ddns` with enable-updates): nil when updates are off.
    public var nameChangeSender: NameChangeSender?
    /// Replies of this turn, sent together once its lease writes are done (`transmitPending`).
    public var outbound: [OutboundDatagram] = []
    /// The loop thread's receive and send buffers (packet workers have their own).
    let loopBatches = (receive: Endpoints6.receiveBatch(capacity: Dhcp6Server.batchLimit),
                       send: Endpoints6.sendBatch(capacity: Dhcp6Server.batchLimit))
    /// The sockets' snapshot (`endpoints`), made again after `openSockets`.
    var endpointsCache: Endpoints6?
    /// The packet workers of `multi-threading` and the lock they share with the loop.
    let threading = ServerThreading()

    public init(options: ServerOptions, logger: Logger, now: Now) throws(ServerStartError) {
        self.options = options
        self.logger = logger
        do { loaded = try ConfigLoader6.load(path: options.configPath) } catch {
            throw ServerStartError.config(error.message)
        }
        logger.apply(loaded.config.loggers, forceDebug: options.forceDebug)
        var store = MemoryLeaseStore6()
        if case .postgresql(let settings) = loaded.config.leaseDatabase.backend {
            let db = try PGLeaseDatabase<PGLease6Table>(settings: settings, logger: logger, identity: Self.identity)
            do {
                let leases = try db.store.all()
                // As a memfile load: the identity and hardware indexes are built once at the end.
                store.load(reserving: leases.count) { for l in leases { $0.apply(.upsert(l)) } }
            } catch {
                throw ServerStartError.config("Failed to apply configuration: unable to read leases: \(error.message)")
            }
            database = db
        } else {
            memfile = try Self.openMemfile(loaded, logger: logger) { m throws(FileError) in try m.load(into: &store) }
        }
        serverIDPath = options.serverIDPath ?? ServerIDFile.defaultPath
        serverID = ServerIDFile.establish(loaded.config.serverID, path: serverIDPath, interfaces: Interfaces.discover(),
                                          wall: now.wall, random: ServerIDFile.randomBytes(8))
        engine = Dhcp6Engine(config: loaded.config, store: store, serverDUID: serverID.duid, now: now)
        engine.storeMayConflict = database != nil
        engine.ddnsDigest = SystemCrypto.sha256
        try openSockets(loaded.config)
        startNameChangeSender(loaded.config.ddns)
        logServerID()
        logWarnings(loaded)
    }

    public var allLeases: [Lease6] { engine.store.all() }

    /// The daemon commands every Kakapo daemon has, with lease6-write (not lease4-write), plus
    /// the DHCPv6 engine's lease6-* and statistic-* commands and those of the hook libraries
    /// the configuration names (stat-lease6-get).
    public var commandTable: CommandTable { DaemonCommand.table(for: .v6).merged(with: engine.activeCommandTable) }
    /// Every command some configuration enables.
    static let commands = DaemonCommand.table(for: .v6).merged(with: Dhcp6EngineCommand.table)

    public func engineCommand(_ name: String, arguments: JSON?, now: Now) -> (JSON, Effects6) {
        guard let command = Dhcp6EngineCommand(rawValue: name) else {
            preconditionFailure("engine-owned command '\(name)' has no Dhcp6EngineCommand case")
        }
        // Lease and statistics commands answer from the database as it is now.
        if database != nil { refreshAll(now) }
        return engine.handle(command, arguments: arguments, now: now)
    }

    /// The interfaces a configuration serves: "*" is every up, non-loopback interface with an
    /// IPv6 address; a named interface that does not exist is an error, as in Kea, and so is
    /// "name/address" naming an address the interface does not have.
    static func chooseInterfaces(_ c: Dhcp6Config, from all: [SystemInterface]) throws(ServerStartError) -> [SystemInterface] {
        var chosen: [SystemInterface] = []
        for e in c.interfaces.entries {
            if e.isWildcard {
                chosen.append(contentsOf: all.filter { !$0.isLoopback && $0.isUp && $0.addresses.contains { $0.address.v6 != nil } })
                continue
            }
            guard let i = all.first(where: { $0.name == e.name }) else {
                throw ServerStartError.config("Failed to apply configuration: Failed to select interface: interface '\(e.name)' doesn't exist in the system")
            }
            if let u = e.unicast, !i.addresses.contains(where: { $0.address == .v6(u) }) {
                throw ServerStartError.config("Failed to apply configuration: Failed to select interface: interface '\(e.name)' has no address \(u)")
            }
            chosen.append(i)
        }
        return chosen
    }

    /// Opens the socket (once) and joins ff02::1:2 on every newly served interface. Kea's
    /// unicast entries need no socket of their own: [::] receives unicast too.
    func openSockets(_ c: Dhcp6Config) throws(ServerStartError) {
        let chosen = try Dhcp6Server.chooseInterfaces(c, from: Interfaces.discover())
        var next: [Int32: SystemInterface] = [:]
        for i in chosen where next[i.index] == nil { next[i.index] = i }
        if udp == nil && !next.isEmpty {
            do { udp = try UDP6Socket(port: options.serverPort) } catch {
                throw ServerStartError.socket("failed to open UDP6 socket on port \(options.serverPort): \(error)")
            }
        }
        served = next
        endpointsCache = nil
        for i in served.values.sorted(by: { $0.index < $1.index }) {
            if let u = udp, !joined.contains(i.index), !i.isLoopback {
                do {
                    try u.join(group: UDP6Socket.allRelayAgentsAndServers, interfaceIndex: i.index)
                    joined.insert(i.index)
                } catch {
                    logger.log(.error, "DHCP6_MULTICAST_JOIN_FAIL", "failed to join ff02::1:2 on interface \(i.name): \(error)")
                }
            }
            logger.log(.info, "DHCPSRV_CFGMGR_ADD_IFACE", "listening on interface \(i.name) (UDP socket, \(i.addresses.filter { $0.address.v6 != nil }.map { $0.address.description }.joined(separator: ", ")))", component: "dhcpsrv", debugLevel: 0)
        }
    }

    func logServerID() {
        let how = serverID.written ? "written to" : serverID.loaded ? "read from" : "not kept in"
        logger.log(.info, "DHCP6_SERVERID", "server DUID \(HexText.colonSeparated(serverID.duid)) (\(how) \(loaded.config.serverID.persist ? serverIDPath : "any file: server-id persist is false"))")
        if let why = serverID.writeFailure {
            logger.log(.warn, "DHCP6_SERVERID_WRITE_FAIL", "cannot write server-id file \(serverIDPath): \(why)")
        }
    }

    /// Swaps a new configuration in whole; interfaces are chosen first so that a bad one
    /// leaves the old configuration running.
    public func apply(_ l: ConfigLoader6.Loaded, now: Now) throws(ServerStartError) {
        try openSockets(l.config)
        warnIfLeaseDatabaseChanged(l)
        if l.config.serverID != loaded.config.serverID {
            logger.log(.warn, "DHCP6_CONFIG_UNSUPPORTED", "server-id changes need a restart; keeping DUID \(HexText.colonSeparated(serverID.duid))")
        }
        loaded = l
        logger.apply(l.config.loggers, forceDebug: options.forceDebug)
        engine.reconfigure(l.config, now: now)
        startNameChangeSender(l.config.ddns)
        logWarnings(l)
        // Workers restart (with the new sockets and plan) before the loop's next turn.
        threading.stale = true
    }
}

extension Dhcp6Server {
    /// Opens, keeps or closes the DHCP-DDNS client for the `dhcp-ddns` settings in force.
    func startNameChangeSender(_ settings: DDNSSettings) {
        guard settings.enableUpdates else { nameChangeSender = nil; return }
        if let s = nameChangeSender, s.settings == settings { return }
        nameChangeSender = nil
        nameChangeSender = NameChangeSender(settings: settings, logger: logger, v6: true)
    }

    /// Name change requests of a durable transaction (or of one that wrote nothing): to the
    /// DHCP-DDNS daemon, after the replies (the executor sends those first).
    public func forward(_ nameChanges: [NameChangeRequest], _ partnerCommands: [PartnerCommand]) {
        guard !nameChanges.isEmpty, let sender = nameChangeSender else { return }
        sender.submit(nameChanges)
    }
}
