import CShim
import Glibc
import KakapoCore

/// What the generic daemon tells a service happened, for the service to log with its own
/// message IDs (Kea's DHCP4_*, DHCP6_*, DCTL_* ...).
public enum DaemonEvent: Sendable, Equatable {
    case started
    case stopping
    /// SIGTERM/SIGINT (or a shutdown command).
    case shutdownRequested(signal: Int32?)
    /// The wall clock moved by this many seconds more than the monotonic clock (negative:
    /// backwards). Lease expiry uses wall time; timers are unaffected.
    case wallClockStepped(seconds: Int64)
    case pollFailed(errno: Int32)
    /// The control socket a new configuration names could not be opened (the old one is gone).
    case controlSocketFailed(reason: String)
}

/// A protocol daemon as the generic shell drives it: kakapo-dhcp4 today, kakapo-dhcp6 next.
/// The service owns its engine, sockets and lease storage; the shell owns the loop, the
/// clock, signals, the control socket and the timers around them.
public protocol DaemonService: AnyObject {
    var logger: Logger { get }
    /// Sockets to poll for input.
    var inputDescriptors: [Int32] { get }
    /// Drains a readable socket (bounded per call).
    func readable(_ fd: Int32, now: Now)
    /// End of a loop turn: make the turn's lease writes durable and send what waited on them.
    func endOfTurn(now: Now)
    /// The earliest time the service wants `deadline(now:)`.
    var nextDeadline: MonotonicInstant? { get }
    func deadline(now: Now)
    /// The control socket the configuration asks for.
    var controlSocketPath: String? { get }
    /// Answers one complete control request (its text); `daemon` offers shutdown and uptime.
    func answer(_ request: String, daemon: Daemon, now: Now) -> String
    /// Re-reads the configuration file (SIGHUP): the running configuration stays on failure.
    func reload(now: Now) -> (ok: Bool, text: String)
    /// Time between lease-file cleanups, or nil for none.
    var leaseFileCleanupInterval: Milliseconds? { get }
    func cleanUpLeaseFile()
    func log(_ event: DaemonEvent)
    /// Set when the service cannot go on (its lease database is gone for good): the loop
    /// stops after the turn and the process exits with it.
    var exitRequest: Int32? { get }
    /// Runs `body` holding the lock the service shares with its own threads (packet workers):
    /// every loop turn, but its poll, runs in it.
    func withServiceLock(_ body: () -> Void)
    /// Before each turn, outside the lock: the service may start or stop its own threads.
    func beforeTurn()
    /// After the last turn, outside the lock: the service stops its threads.
    func loopEnded()
}

extension DaemonService {
    public var exitRequest: Int32? { nil }
    public func withServiceLock(_ body: () -> Void) { body() }
    public func beforeTurn() {}
    public func loopEnded() {}
}

/// The one daemon shell every Kakapo server runs in: a poll loop over the
/// service's sockets, a signalfd (SIGHUP reload, SIGTERM/SIGINT stop), the unix control socket,
/// the service's timers and lease-file cleanup. The clock is read once per turn, after poll:
/// everything the turn does sees that one time, and a wall-clock step seen by that read is
/// logged in the same turn (the clock keeps steps until they are taken).
public final class Daemon {
    public let service: any DaemonService
    var clock = SystemClock()
    /// The current turn's time.
    public private(set) var now: Now
    public let startedAt: MonotonicInstant
    public private(set) var reloadedAt: MonotonicInstant
    var running = true
    var signalFD: Int32 = -1
    var control: ControlSocket?
    var nextCleanup: MonotonicInstant?
    var exitCode: Int32 = 0
    /// The PID file the process claimed before starting the service; removed when `run` ends.
    let pidFile: PidFile?

    /// Control requests answered per connection read; the rest wait for the next turn.
    static let pollIdleMilliseconds: Int64 = 1000

    public init(service: any DaemonService, pidFile: PidFile?) throws(SocketError) {
        self.service = service
        self.pidFile = pidFile
        now = clock.now()
        startedAt = now.monotonic
        reloadedAt = now.monotonic
        setupSignals()
        try openControlSocket()
        scheduleCleanup()
    }

    /// Serves until SIGTERM, SIGINT or `requestShutdown`. Returns the exit code.
    public func run() -> Int32 {
        // Workers (multi-threading) start before the started line, as Kea logs its
        // DHCPx_MULTI_THREADING_INFO before DHCPx_STARTED.
        service.beforeTurn()
        service.withServiceLock { service.log(.started) }
        var fds: [pollfd] = []
        var kinds: [Source] = []
        fds.reserveCapacity(16)
        kinds.reserveCapacity(16)
        while running {
            service.beforeTurn()
            fds.removeAll(keepingCapacity: true)
            kinds.removeAll(keepingCapacity: true)
            var timeout: Int32 = 0
            service.withServiceLock {
                func add(_ fd: Int32, _ k: Source) { fds.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)); kinds.append(k) }
                for fd in service.inputDescriptors { add(fd, .service(fd)) }
                if signalFD >= 0 { add(signalFD, .signal) }
                if let c = control {
                    // The listening socket and each connection, with POLLOUT for queued answers.
                    for (cfd, events) in c.pollInterests() {
                        fds.append(pollfd(fd: cfd, events: events, revents: 0))
                        kinds.append(.control(cfd))
                    }
                }
                timeout = pollTimeout()
            }
            let rc = poll(&fds, nfds_t(fds.count), timeout)
            let pollErrno = errno
            service.withServiceLock {
                if rc < 0 && pollErrno != EINTR { service.log(.pollFailed(errno: pollErrno)) }
                now = clock.now()
                if let step = clock.takeWallStep() { service.log(.wallClockStepped(seconds: step)) }
                service.logger.beginBatch()
                if rc > 0 {
                    for (i, p) in fds.enumerated() where p.revents != 0 { handle(kinds[i]) }
                }
                service.endOfTurn(now: now)
                timers()
                service.logger.endBatch()
                if let code = service.exitRequest { requestShutdown(exitCode: code) }
            }
        }
        service.loopEnded()
        service.log(.stopping)
        pidFile?.release()
        return exitCode
    }

    enum Source { case service(Int32), signal, control(Int32) }

    /// Until the earliest deadline, measured from this turn's time (so a deadline may be met
    /// a turn's work late, never early).
    func pollTimeout() -> Int32 {
        var wake = now.monotonic + Milliseconds(Daemon.pollIdleMilliseconds)
        if let d = service.nextDeadline, d < wake { wake = d }
        if let l = nextCleanup, l < wake { wake = l }
        return Int32(max(0, (wake - now.monotonic).value))
    }

    func handle(_ source: Source) {
        switch source {
        case .service(let fd): service.readable(fd, now: now)
        case .signal: readSignals()
        case .control(let cfd):
            control?.service(fd: cfd, nowMilliseconds: now.monotonic.milliseconds, handler: { [unowned self] text in
                self.service.answer(text, daemon: self, now: self.now)
            })
        }
    }

    func timers() {
        if let d = service.nextDeadline, d <= now.monotonic {
            service.deadline(now: now)
            service.endOfTurn(now: now)
        }
        if let l = nextCleanup, l <= now.monotonic {
            service.cleanUpLeaseFile()
            scheduleCleanup()
        }
        control?.expireStale(nowMilliseconds: now.monotonic.milliseconds)
    }

    func scheduleCleanup() {
        nextCleanup = service.leaseFileCleanupInterval.map { now.monotonic + $0 }
    }

    /// Stops the loop after this turn (the shutdown command, a signal).
    public func requestShutdown(exitCode code: Int32 = 0) {
        running = false
        exitCode = code
    }

    /// After a configuration was swapped in: the control socket follows it, timers restart.
    public func configurationChanged() throws(SocketError) {
        reloadedAt = now.monotonic
        try openControlSocket()
        scheduleCleanup()
    }

    func openControlSocket() throws(SocketError) {
        guard let path = service.controlSocketPath else { control = nil; return }
        if control?.path == path { return }
        control = nil
        control = try ControlSocket(path: path)
    }

    func setupSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for s in [SIGHUP, SIGTERM, SIGINT] { sigaddset(&set, s) }
        sigprocmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        // A file-size limit reached by the lease file is a failed write (EFBIG), handled like
        // a full disk: nothing is acknowledged, the daemon keeps serving.
        signal(SIGXFSZ, SIG_IGN)
        signalFD = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
    }

    func readSignals() {
        var info = signalfd_siginfo()
        while read(signalFD, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            switch Int32(info.ssi_signo) {
            case SIGHUP:
                guard service.reload(now: now).ok else { break }
                do { try configurationChanged() } catch { service.log(.controlSocketFailed(reason: error.description)) }
            case SIGTERM, SIGINT:
                service.log(.shutdownRequested(signal: Int32(info.ssi_signo)))
                requestShutdown()
            default: break
            }
        }
    }
}
