import CShim
import Glibc
import KakapoCore

/// A pthread mutex: the one lock around a server's engine, executor, lease file and logger
/// when packet workers run (`multi-threading`). Uncontended with a single loop.
final class ServiceLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

/// Kea's `multi-threading` settings as they take effect: 0 threads means one per processor
/// (Kea's auto-detection); multi-threading off, or one thread, is the single loop.
struct ThreadingPlan: Equatable {
    var enabled: Bool
    var threads: Int
    var queueSize: Int

    init(_ c: MultiThreadingConfig, processors: Int = ThreadingPlan.processors) {
        enabled = c.enabled
        threads = c.enabled ? (c.threadPoolSize.map { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? processors) : 0
        queueSize = c.enabled ? Int(c.packetQueueSizeMax ?? 0) : 0
    }

    /// Whether packet workers serve (more than one thread).
    var usesWorkers: Bool { enabled && threads > 1 }

    static var processors: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

/// Kea's packet-queue-statistics: the average number of packets waiting when a worker takes
/// its next batch, over about the last 10, 100 and 1000 batches.
struct QueueAverages {
    var averages: [Double] = [0, 0, 0]
    mutating func note(_ waiting: Int) {
        for (i, n) in [10.0, 100.0, 1000.0].enumerated() {
            averages[i] += (Double(waiting) - averages[i]) / n
        }
    }
}

/// What a server shares with its packet workers: the lock, the plan in force and the
/// running workers. The loop thread owns the fields; the workers only take the lock.
final class ServerThreading: @unchecked Sendable {
    let lock = ServiceLock()
    /// Set when a configuration was applied: the plan is re-read (and workers restarted)
    /// before the loop's next turn.
    var stale = true
    private(set) var plan: ThreadingPlan?
    private var stopWorkers: (() -> Void)?
    /// Under the lock.
    var queue = QueueAverages()

    var workersRunning: Bool { stopWorkers != nil }

    func running(_ plan: ThreadingPlan, stop: (() -> Void)?) {
        self.plan = plan
        stopWorkers = stop
    }

    /// Stops and joins the workers (outside the lock: they take it).
    func stop() {
        stopWorkers?()
        stopWorkers = nil
    }
}

/// A thread running `body`, created with every signal blocked (the loop's signalfd takes
/// SIGHUP, SIGTERM and SIGINT; a worker must not).
func startThread(_ body: @escaping () -> Void) -> pthread_t? {
    final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
    var all = sigset_t(), old = sigset_t()
    sigfillset(&all)
    pthread_sigmask(SIG_SETMASK, &all, &old)
    defer { pthread_sigmask(SIG_SETMASK, &old, nil) }
    var t = pthread_t()
    let ctx = Unmanaged.passRetained(Box(body)).toOpaque()
    let rc = pthread_create(&t, nil, { p in
        Unmanaged<Box>.fromOpaque(p!).takeRetainedValue().body()
        return nil
    }, ctx)
    guard rc == 0 else { Unmanaged<Box>.fromOpaque(ctx).release(); return nil }
    return t
}

/// The packet workers of one plan: each waits on the server's sockets through its own epoll
/// set (EPOLLEXCLUSIVE: one worker is woken per burst), reads a batch (recvmmsg) and parses
/// it outside the lock, takes the lock for the engine's decisions and the batch's durable
/// lease write (so the lease file follows the engine's order of changes), then sends the
/// replies (sendmmsg) outside it.
final class WorkerSet<S: PacketServer>: @unchecked Sendable {
    let server: S
    let endpoints: S.Endpoints
    let limit: Int
    let wake: Int32
    var threads: [pthread_t] = []

    init?(server: S, endpoints: S.Endpoints, plan: ThreadingPlan) {
        self.server = server
        self.endpoints = endpoints
        limit = plan.queueSize > 0 ? min(plan.queueSize, S.batchLimit) : S.batchLimit
        wake = kakapo_eventfd()
        guard wake >= 0 else { return nil }
        for i in 0..<plan.threads {
            guard let t = startThread({ [self] in
                kakapo_name_thread("kakapo-pkt\(i)")
                self.run()
            }) else { break }
            threads.append(t)
        }
        if threads.isEmpty { close(wake); return nil }
    }

    /// Wakes every worker, waits for each to finish its batch and leave.
    func stop() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
        for t in threads { pthread_join(t, nil) }
        threads = []
        close(wake)
    }

    func run() {
        let ep = kakapo_epoll_create()
        guard ep >= 0 else { return }
        defer { close(ep) }
        for fd in endpoints.descriptors { _ = kakapo_epoll_add(ep, fd, 1) }
        _ = kakapo_epoll_add(ep, wake, 0)
        let rx = S.Endpoints.receiveBatch(capacity: limit)
        let tx = S.Endpoints.sendBatch(capacity: limit)
        var clock = SystemClock()
        var ready = [Int32](repeating: 0, count: 16)
        var datagrams: [InboundDatagram] = []
        var failures: [(Int, Int32)] = []
        while true {
            let n = ready.withUnsafeMutableBufferPointer { kakapo_epoll_wait(ep, $0.baseAddress, 16, -1) }
            if n < 0 {
                if errno == EINTR { continue }
                return
            }
            var stopping = false
            datagrams.removeAll(keepingCapacity: true)
            for i in 0..<Int(n) {
                if ready[i] == wake { stopping = true; continue }
                endpoints.read(ready[i], batch: rx, limit: limit, into: &datagrams)
            }
            if !datagrams.isEmpty {
                let out = server.threading.lock.withLock { () -> [OutboundDatagram] in
                    let now = clock.now()
                    server.logger.beginBatch()
                    server.threading.queue.note(datagrams.count)
                    server.handle(datagrams, now: now)
                    server.flush(now)
                    let out = server.outbound
                    server.outbound.removeAll(keepingCapacity: true)
                    server.logger.endBatch()
                    return out
                }
                failures.removeAll(keepingCapacity: true)
                endpoints.transmit(out, batch: tx) { failures.append(($0, $1)) }
                if !failures.isEmpty {
                    server.threading.lock.withLock {
                        for (tag, code) in failures { server.logSendFailure(out[tag], code) }
                    }
                }
            }
            if stopping { return }
        }
    }
}
