/// One entry of `loggers`: a Kea logger name, its severity and where its lines go.
public struct LoggerConfig: Sendable, Equatable {
    public enum Severity: String, Sendable, Comparable {
        case fatal = "FATAL", error = "ERROR", warn = "WARN", info = "INFO", debug = "DEBUG", none = "NONE"
        var rank: Int {
            switch self {
            case .debug: 0
            case .info: 1
            case .warn: 2
            case .error: 3
            case .fatal: 4
            case .none: 5
            }
        }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }
    public struct Output: Sendable, Equatable {
        /// "stdout", "stderr", "syslog", "syslog:name", or a file path.
        public var output: String
        public var pattern: String?
        public var flush: Bool = true
        public var maxSizeBytes: UInt64 = 10_240_000
        public var maxVersions: UInt32 = 1
        public init(output: String) { self.output = output }
    }
    public var name: String
    public var severity: Severity = .info
    public var debugLevel: Int = 0
    public var outputs: [Output] = []
    public init(name: String) { self.name = name }
}
