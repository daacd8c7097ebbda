import CShim
import Glibc
import KakapoCore

/// Log sinks as Kea's loggers configure them: stdout, stderr, syslog[:name] or a file with
/// size-based rotation (maxsize, maxver). Lines follow Kea's pattern language:
/// %D{strftime} (with %q = milliseconds), %d (default date), %p / %-5p severity, %c logger,
/// %i pid, %t thread, %m message ("ID text"), %n newline.
public final class Logger {
    /// Kea's default pattern for files and the console.
    public static let defaultPattern = "%D{%Y-%m-%d %H:%M:%S.%q} %-5p [%c/%i.%t] %m\n"
    public static let defaultSyslogPattern = "%-5p [%c.%t] %m\n"

    final class Sink {
        enum Kind { case stdout, stderr, syslog(String), file(String) }
        let kind: Kind
        let pattern: String
        let flush: Bool
        let maxSize: UInt64
        let maxVersions: UInt32
        var fd: Int32 = -1
        var size: UInt64 = 0
        var pending = ""

        init(kind: Kind, pattern: String?, flush: Bool, maxSize: UInt64, maxVersions: UInt32) {
            self.kind = kind
            if case .syslog = kind { self.pattern = pattern ?? Logger.defaultSyslogPattern } else {
                self.pattern = pattern ?? Logger.defaultPattern
            }
            self.flush = flush
            self.maxSize = maxSize
            self.maxVersions = maxVersions
        }
    }

    public let name: String
    public let component: String
    public private(set) var severity: Severity
    public private(set) var debugLevel: Int
    private var sinks: [Sink]
    private let pid = getpid()
    /// The last events logged (whatever the sinks), for the dashboard's kakapo-log-get.
    public private(set) var recent = RecentLogEvents()

    /// A console logger used until the configuration's loggers are applied.
    /// `component` is the daemon's own logger under `name` (kea-dhcp4.dhcp4, kea-dhcp6.dhcp6),
    /// used when a line names no other.
    public init(name: String, component: String = "dhcp4", severity: Severity = .info, debugLevel: Int = 0) {
        self.name = name
        self.component = component
        self.severity = severity
        self.debugLevel = debugLevel
        sinks = [Sink(kind: .stdout, pattern: nil, flush: true, maxSize: 0, maxVersions: 0)]
    }

    deinit { closeFiles() }

    /// Applies the `loggers` entry for this daemon (matched by name prefix), if any.
    /// `forceDebug` (-d) keeps DEBUG/99 whatever the config says.
    public func apply(_ configs: [LoggerConfig], forceDebug: Bool) {
        guard let c = configs.first(where: { $0.name == name || name.hasPrefix($0.name + ".") || $0.name.hasPrefix(name) }) else { return }
        // Lines batched this turn go to the sinks they were logged for (a reload's own
        // "reconfiguring" line would otherwise be lost with the sinks it replaces).
        flushPending()
        closeFiles()
        severity = forceDebug ? .debug : Logger.severity(c.severity)
        debugLevel = forceDebug ? 99 : c.debugLevel
        sinks = c.outputs.map { o in
            let kind: Sink.Kind
            switch o.output {
            case "stdout": kind = .stdout
            case "stderr": kind = .stderr
            case let s where s == "syslog" || s.hasPrefix("syslog:"):
                kind = .syslog(s == "syslog" ? name : String(s.dropFirst(7)))
            default: kind = .file(o.output)
            }
            return Sink(kind: kind, pattern: o.pattern, flush: o.flush, maxSize: o.maxSizeBytes, maxVersions: o.maxVersions)
        }
        if sinks.isEmpty { sinks = [Sink(kind: .stdout, pattern: nil, flush: true, maxSize: 0, maxVersions: 0)] }
    }

    static func severity(_ s: LoggerConfig.Severity) -> Severity {
        switch s {
        case .debug: .debug
        case .info: .info
        case .warn: .warn
        case .error: .error
        case .fatal, .none: .fatal
        }
    }

    /// While batching, lines are collected and written once per loop turn (one syscall per
    /// sink instead of one per line); `endBatch` writes them.
    public private(set) var batching = false

    public func beginBatch() { batching = true }

    public func endBatch() {
        batching = false
        flushPending()
    }

    /// Writes the lines batched so far to their sinks.
    private func flushPending() {
        for sink in sinks where !sink.pending.isEmpty {
            let text = sink.pending
            sink.pending = ""
            write(text, to: sink)
        }
    }

    public func isEnabled(_ s: Severity, debugLevel level: Int = 0) -> Bool {
        s >= severity && (s != .debug || level <= debugLevel)
    }

    /// Logs an engine's decision (its own message ID and severity) under `name.component`;
    /// debug-level events at debug level 40, as Kea logs packet details.
    public func log(event: some LoggableEvent, component: String) {
        let level = event.severity == .debug ? 40 : 0
        guard isEnabled(event.severity, debugLevel: level) else { return }
        let (id, sev, text) = event.logLine
        log(sev, id, text, component: component, debugLevel: level)
    }

    /// Logs "ID text" under logger `name.component`.
    public func log(_ s: Severity, _ id: String, _ text: String, component: String? = nil, debugLevel level: Int = 0) {
        guard isEnabled(s, debugLevel: level) else { return }
        let component = component ?? self.component
        let (sec, usec) = SystemClock.wallMicroseconds()
        recent.append(RecentLogEvents.Event(sec: sec, usec: usec, severity: s, logger: "\(name).\(component)", id: id, text: text))
        for sink in sinks {
            let line = render(sink.pattern, severity: s, logger: "\(name).\(component)", message: "\(id) \(text)", sec: sec, usec: usec)
            if batching, case .syslog = sink.kind {
                write(line, to: sink)
            } else if batching {
                sink.pending += line
            } else {
                write(line, to: sink)
            }
        }
    }

    func render(_ pattern: String, severity s: Severity, logger: String, message: String, sec: Int, usec: Int) -> String {
        var out = ""
        var chars = Array(pattern)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            guard ch == "%", i + 1 < chars.count else {
                if ch == "\\" && i + 1 < chars.count && chars[i + 1] == "n" { out.append("\n"); i += 2; continue }
                out.append(ch); i += 1; continue
            }
            var j = i + 1
            var width = 0
            var leftAlign = false
            if chars[j] == "-" { leftAlign = true; j += 1 }
            while j < chars.count, let d = chars[j].wholeNumberValue { width = width * 10 + d; j += 1 }
            guard j < chars.count else { break }
            var field = ""
            switch chars[j] {
            case "D":
                var fmt = "%Y-%m-%d %H:%M:%S.%q"
                if j + 1 < chars.count, chars[j + 1] == "{", let close = chars[(j + 1)...].firstIndex(of: "}") {
                    fmt = String(chars[(j + 2)..<close])
                    j = close
                }
                field = Logger.formatTime(fmt, sec: sec, usec: usec)
            case "d": field = Logger.formatTime("%Y-%m-%d %H:%M:%S.%q", sec: sec, usec: usec)
            case "p": field = s.keaName
            case "c": field = logger
            case "i": field = String(pid)
            case "t": field = String(UInt(bitPattern: Int(bitPattern: UInt(pthread_self()))))
            case "m": field = message
            case "n": field = "\n"
            case "%": field = "%"
            default: field = String(chars[j])
            }
            if field.count < width {
                let pad = String(repeating: " ", count: width - field.count)
                field = leftAlign ? field + pad : pad + field
            }
            out += field
            i = j + 1
        }
        chars.removeAll()
        return out
    }

    static func formatTime(_ fmt: String, sec: Int, usec: Int) -> String {
        var t = time_t(sec)
        var tmv = tm()
        localtime_r(&t, &tmv)
        var ms = String(usec / 1000)
        while ms.count < 3 { ms = "0" + ms }
        let f = fmt.replacingAll("%q", with: ms)
        var buf = [CChar](repeating: 0, count: 256)
        let n = strftime(&buf, buf.count, f, &tmv)
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func write(_ line: String, to sink: Sink) {
        switch sink.kind {
        case .stdout: writeFD(1, line)
        case .stderr: writeFD(2, line)
        case .syslog(let ident):
            openlog(ident, LOG_PID, LOG_DAEMON)
            let trimmed = line.hasSuffix("\n") ? String(line.dropLast()) : line
            withVaList([]) { vsyslog(LOG_INFO, trimmed.replacingAll("%", with: "%%"), $0) }
        case .file(let path):
            if sink.fd < 0 {
                sink.fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                var st = stat()
                if sink.fd >= 0, fstat(sink.fd, &st) == 0 { sink.size = UInt64(st.st_size) }
            }
            guard sink.fd >= 0 else { writeFD(2, line); return }
            let n = UInt64(line.utf8.count)
            // Rotate before a write that would pass maxsize, so the current file always exists.
            if sink.maxSize > 0 && sink.size > 0 && sink.size + n > sink.maxSize {
                rotate(sink, path)
                return write(line, to: sink)
            }
            writeFD(sink.fd, line)
            sink.size += n
        }
    }

    private func rotate(_ sink: Sink, _ path: String) {
        close(sink.fd)
        sink.fd = -1
        sink.size = 0
        guard sink.maxVersions > 0 else { unlink(path); return }
        var v = Int(sink.maxVersions)
        unlink("\(path).\(v)")
        while v > 1 {
            rename("\(path).\(v - 1)", "\(path).\(v)")
            v -= 1
        }
        rename(path, "\(path).1")
    }

    private func writeFD(_ fd: Int32, _ s: String) {
        var bytes = Array(s.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            off += n
        }
    }

    private func closeFiles() {
        for s in sinks where s.fd >= 0 { close(s.fd); s.fd = -1 }
    }
}

/// A bounded ring of the last events a logger logged (time, severity, logger, log ID, text):
/// what `kakapo-log-get` (a Kakapo extension, for the dashboard) answers.
public struct RecentLogEvents {
    public struct Event {
        public var sec: Int
        public var usec: Int
        public var severity: Severity
        public var logger: String
        public var id: String
        public var text: String
    }

    /// How many events are kept.
    public static let capacity = 200

    private var ring: [Event] = []
    private var next = 0

    public init() {}

    public var count: Int { ring.count }

    mutating func append(_ event: Event) {
        if ring.count < Self.capacity {
            ring.append(event)
        } else {
            ring[next] = event
        }
        next = (next + 1) % Self.capacity
    }

    /// Up to `limit` events, newest first.
    public func newest(_ limit: Int) -> [Event] {
        guard !ring.isEmpty, limit > 0 else { return [] }
        var out: [Event] = []
        out.reserveCapacity(min(limit, ring.count))
        var i = ring.count < Self.capacity ? ring.count - 1 : (next + Self.capacity - 1) % Self.capacity
        while out.count < min(limit, ring.count) {
            out.append(ring[i])
            i = (i + ring.count - 1) % ring.count
        }
        return out
    }

    /// The answer to `kakapo-log-get`: arguments `{"limit": N}` (optional, 0 to `capacity`),
    /// `{"events": [{"time", "timestamp", "severity", "logger", "id", "text"}, ...]}` newest first.
    public func answer(_ args: JSON?) -> JSON {
        var limit = Self.capacity
        if let l = args?["limit"] {
            guard let n = l.intValue, n >= 0 else {
                return ControlResponse.make(.error, "'limit' must be a non-negative integer")
            }
            limit = Int(min(n, Int64(Self.capacity)))
        }
        let events = newest(limit).map { e -> JSON in
            .object(JSONObject([
                ("time", .string(Logger.formatTime("%Y-%m-%d %H:%M:%S.%q", sec: e.sec, usec: e.usec))),
                ("timestamp", .double(Double(e.sec) + Double(e.usec) / 1_000_000)),
                ("severity", .string(e.severity.keaName)),
                ("logger", .string(e.logger)),
                ("id", .string(e.id)),
                ("text", .string(e.text)),
            ]))
        }
        return ControlResponse.make(.success, "\(events.count) events", arguments: .object(JSONObject([("events", .array(events))])))
    }
}

extension String {
    /// Foundation-free replace-all.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: target) {
            out += rest[rest.startIndex..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
