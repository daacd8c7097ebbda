import CShim
import Glibc
import KakapoCore

/// The DHCPv4 service that kakapo-dhcp4 runs inside the generic `Daemon` shell: the Core
/// engine, its raw and UDP sockets, the lease file and the executor. Each loop turn drains ready
/// sockets in a bounded batch, writes the batch's lease changes to the lease file in one write,
/// then sends the replies: a lease is on its way to disk before the ACK that announces it leaves.
public final class Dhcp4Server: DaemonService {
    public struct Options {
        public var configPath: String
        public var serverPort: UInt16 = 67
        public var clientPort: UInt16 = 68
        public var forceDebug = false
        public init(configPath: String) { self.configPath = configPath }
    }

    public static let version = "0.1.0"
    /// Packets read from one socket per loop turn: bounds latency and the size of a write batch.
    static let batchLimit = 256
    /// Write-and-settle rounds per loop turn (a settled conflict may propose new writes).
    static let flushRoundsMax = 4
    /// `socketByFD`'s value for the UDP socket (interface indexes are positive).
    static let udpToken: Int32 = -1

    let options: Options
    public let logger: Logger
    var engine: Dhcp4Engine<MemoryLeaseStore4>
    var loaded: ConfigLoader.Loaded
    var memfile: Memfile?
    var rawSockets: [Int32: RawSocket] = [:]
    var udp: UDPSocket?
    var served: [Int32: SystemInterface] = [:]
    /// Which socket a polled descriptor is: a raw socket by interface index, or the UDP one.
    var socketByFD: [Int32: Int32] = [:]
    /// `socketByFD`'s keys, in a fixed order (polled every loop turn).
    var descriptors: [Int32] = []
    /// Carries out the engine's effects: persist, then send, then log.
    var executor = EffectExecutor4()
    /// Transactions handed over this loop turn and not yet written (see `flush`).
    var unwritten: [Effects4] = []

    /// Loads the config and leases and opens every socket; throws with the reason on failure.
    public init(options: Options, logger: Logger, now: Now) throws(StartError) {
        self.options = options
        self.logger = logger
        do { loaded = try ConfigLoader.load(path: options.configPath) } catch {
            throw StartError.config(error.message)
        }
        logger.apply(loaded.config.loggers, forceDebug: options.forceDebug)
        var store = MemoryLeaseStore4()
        let m = Dhcp4Server.memfile(for: loaded.config)
        if let m {
            do {
                let reports = try m.load(into: &store)
                if let refusal = m.logLoad(reports, logger: logger, maxRowErrors: Int(loaded.config.leaseDatabase.maxRowErrors)) {
                    throw StartError.config(refusal)
                }
                try m.openForAppend()
            } catch let e as FileError {
                throw StartError.config("Failed to apply configuration: lease database: \(e)")
            } catch let e as StartError { throw e } catch { throw StartError.config("\(error)") }
        }
        memfile = m
        engine = Dhcp4Engine(config: loaded.config, store: store, now: now)
        engine.seedRandomness(Self.kernelRandomSeed())
        try openSockets(loaded.config)
        logWarnings(loaded)
    }

    public enum StartError: Error, CustomStringConvertible {
        case config(String)
        case socket(String)
        public var description: String {
            switch self {
            case .config(let s), .socket(let s): s
            }
        }
    }

    static func memfile(for c: Dhcp4Config) -> Memfile? {
        guard c.leaseDatabase.persist else { return nil }
        return Memfile(path: c.leaseDatabase.name ?? "\(BuildPaths.localStateDir)/lib/kea/kea-leases4.csv")
    }


    /// Opens raw sockets on the configured interfaces (raw mode) and the UDP socket. A named
    /// interface that does not exist is a configuration error, as in Kea.
    func openSockets(_ c: Dhcp4Config) throws(StartError) {
        let all = Interfaces.discover()
        var chosen: [SystemInterface] = []
        for e in c.interfaces.entries {
            if e.isWildcard {
                chosen.append(contentsOf: all.filter { !$0.isLoopback && $0.isUp })
                continue
            }
            guard var i = all.first(where: { $0.name == e.name }) else {
                throw StartError.config("Failed to apply configuration: Failed to select interface: interface '\(e.name)' doesn't exist in the system")
            }
            if let a = e.address {
                // "eth0/192.0.2.1": that address answers (server identifier) on the interface.
                guard let k = i.addresses.firstIndex(where: { $0.address == .v4(a) }) else {
                    throw StartError.config("Failed to apply configuration: Failed to select interface: interface '\(e.name)' has no address \(a)")
                }
                i.addresses.insert(i.addresses.remove(at: k), at: 0)
            }
            chosen.append(i)
        }
        rawSockets = [:]
        served = [:]
        for i in chosen where served[i.index] == nil {
            served[i.index] = i
            if c.interfaces.socketType == .raw && !i.isLoopback {
                do { rawSockets[i.index] = try RawSocket(interface: i, serverPort: options.serverPort, clientPort: options.clientPort) }
                catch { throw StartError.socket("failed to open raw socket on \(i.name): \(error)") }
            }
        }
        if udp == nil && !served.isEmpty {
            do { udp = try UDPSocket(port: options.serverPort) } catch {
                throw StartError.socket("failed to open UDP socket on port \(options.serverPort): \(error)")
            }
        }
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

/// The daemon as the executor sees it: a memfile, sockets and the logger.
extension Dhcp4Server: EffectPort {
    public func persist(_ effects: Effects4) -> WriteOutcome4? {
        guard memfile != nil else { return .durable }
        unwritten.append(effects)
        return nil
    }

    public func log(_ ev: EngineEvent) {
        logger.log(event: ev, component: "dhcp4")
    }
}

extension Dhcp4Server {
    /// Every configuration warning is logged: Kea's syntax warning for a trailing comma, and
    /// Kakapo's own for keys accepted but not acted on.
    func logWarnings(_ l: ConfigLoader.Loaded) {
        for w in l.configWarnings {
            switch w.code {
            case .extraneousComma:
                logger.log(.warn, "DHCP4_CONFIG_SYNTAX_WARNING", "configuration syntax warning: \(w.message)")
            case .ignoredKey, .notActedOn, .inconsistentValues:
                logger.log(.warn, "DHCP4_CONFIG_UNSUPPORTED", w.message)
            }
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
