import CShim
import Glibc
import KakapoCore

/// kakapo-lfc's command line, as kea-lfc 2.2 reads it (getopt "46dvVWhp:x:i:o:c:f:": flags
/// may be grouped, an argument may be attached or the next word, "--" ends the options and
/// GNU getopt's permutation lets a stray word anywhere count as an extraneous parameter).
public struct LFCOptions: Equatable, Sendable {
    public var family = 0
    public var debug = false
    public var pidFile = ""
    public var previousFile = ""
    public var copyFile = ""
    public var outputFile = ""
    public var finishFile = ""
    public var configFile = ""
    public init() {}

    /// What the command line asks for.
    public enum Parsed: Equatable, Sendable {
        case run(LFCOptions)
        case version, extendedVersion, configReport, help
        /// A usage error, with kea-lfc's text ("Unknown argument", "PID file not specified", ...).
        case usageError(String)
    }

    public static func parse(_ arguments: [String]) -> Parsed {
        var o = LFCOptions()
        var extraneous = false
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            i += 1
            if a == "--" {
                if i < arguments.count { extraneous = true }
                break
            }
            guard a.hasPrefix("-"), a.count > 1 else {
                extraneous = true
                continue
            }
            var flags = Substring(a.dropFirst())
            while let f = flags.first {
                flags = flags.dropFirst()
                switch f {
                case "4": o.family = 4
                case "6": o.family = 6
                case "d": o.debug = true
                // -v, -V, -W and -h act at once, as getopt meets them.
                case "v": return .version
                case "V": return .extendedVersion
                case "W": return .configReport
                case "h": return .help
                case "p", "x", "i", "o", "c", "f":
                    let value: String
                    if !flags.isEmpty {
                        value = String(flags)
                        flags = ""
                    } else if i < arguments.count {
                        value = arguments[i]
                        i += 1
                    } else {
                        return .usageError("Missing option argument")
                    }
                    switch f {
                    case "p": o.pidFile = value
                    case "x": o.previousFile = value
                    case "i": o.copyFile = value
                    case "o": o.outputFile = value
                    case "c": o.configFile = value
                    default: o.finishFile = value
                    }
                default:
                    return .usageError("Unknown argument")
                }
            }
        }
        if extraneous { return .usageError("Extraneous parameters.") }
        let required: [(String, String)] = [
            (o.family == 0 ? "" : "x", "DHCP version required"),
            (o.pidFile, "PID file not specified"),
            (o.previousFile, "Previous file not specified"),
            (o.copyFile, "Copy file not specified"),
            (o.outputFile, "Output file not specified"),
            (o.finishFile, "Finish file not specified"),
            (o.configFile, "Config file not specified"),
        ]
        if let missing = required.first(where: { $0.0.isEmpty }) { return .usageError(missing.1) }
        return .run(o)
    }

    /// kea-lfc's usage text (on stderr), with its spelling.
    public static let usage = """
        Usage: kakapo-lfc
         [-4|-6] -p file -x file -i file -o file -f file -c file
           -4 or -6 clean a set of v4 or v6 lease files
           -p <file>: PID file
           -x <file>: previous or ex lease file
           -i <file>: copy of lease file
           -o <file>: output lease file
           -f <file>: finish file
           -c <file>: configuration file
           -v: print version number and exit
           -V: print extended version information and exit
           -d: optional, verbose output 
           -h: print this message 


        """

    /// What -d echoes on stdout before starting.
    public var echo: String {
        """
        Protocol version:    DHCPv\(family)
        Previous or ex lease file: \(previousFile)
        Copy lease file:           \(copyFile)
        Output lease file:         \(outputFile)
        Finish file:               \(finishFile)
        Config file:               \(configFile)
        PID file:                  \(pidFile)


        """
    }
}

/// One run of the lease file cleanup, as kea-lfc does it. Given the lease file L, the daemon
/// has renamed L to L.1 (the copy, -i); L.2 (-x) is the result of the previous cleanup.
///
/// 1. The PID file (-p) names a live process: LFC_RUNNING, nothing touched. Else our PID is
///    written to it.
/// 2. Unless the finish file (-f, L.completed) exists: the previous file then the copy are
///    merged (`LeaseFileCleanup`) into the output file (-o, L.output), which is then renamed to
///    the finish file. Any failure here (LFC_FAIL_PROCESS) leaves every input as it was and
///    skips step 3.
/// 3. Rotation: the previous and copy files are removed and the finish file is renamed to the
///    previous file. A finish file found at the start (an interrupted run) is rotated the same
///    way without merging. A failure stops the rotation where it is (LFC_FAIL_ROTATE); the
///    files left are still loadable in Kea's order (.completed, else .2 then .1, then L).
/// 4. The PID file is removed.
///
/// Like kea-lfc the run exits 0 once the command line is accepted, whatever happened, except
/// when the PID file cannot be read ("Service failed", 1).
public final class LeaseFileCleanupRun {
    let options: LFCOptions
    private let logger: Logger
    private let useConsole: Bool

    public init(options: LFCOptions) {
        self.options = options
        // Kea's LFC logs to the console with -d and to syslog otherwise; the lines name the
        // logger DhcpLFC (the file loading lines DhcpLFC.dhcpsrv), as kea-lfc's do.
        logger = Logger(name: "DhcpLFC", component: "lfc")
        useConsole = options.debug
        if !useConsole { openlog("kakapo-lfc", LOG_PID, LOG_LOCAL0) }
    }

    /// Runs the cleanup; returns the exit status.
    public func run() -> Int32 {
        self.log(.info, "LFC_START", "Starting lease file cleanup")
        switch checkPidFile() {
        case .failure(let message):
            writeStandardError("Service failed: \(message)\n")
            return 1
        case .success(true):
            self.log(.fatal, "LFC_RUNNING", "LFC instance already running")
            return 0
        case .success(false):
            break
        }
        do {
            try writeFileAtomically(options.pidFile, "\(getpid())\n")
        } catch {
            self.log(.fatal, "LFC_FAIL_PID_CREATE", ": Unable to open PID file '\(options.pidFile)' for write")
            return 0
        }
        var rotate = true
        if !fileExists(options.finishFile) {
            self.log(.info, "LFC_PROCESSING", "Previous file: \(options.previousFile), copy file: \(options.copyFile)")
            do {
                try process()
            } catch {
                rotate = false
                self.log(.fatal, "LFC_FAIL_PROCESS", ": \(error.description)")
            }
        }
        if rotate {
            self.log(.info, "LFC_ROTATING", "LFC rotating files")
            do {
                try rotateFiles()
            } catch {
                self.log(.fatal, "LFC_FAIL_ROTATE", ": \(error.description)")
            }
        }
        if unlink(options.pidFile) != 0 && errno != ENOENT {
            self.log(.fatal, "LFC_FAIL_PID_DEL", ": Unable to delete PID file '\(options.pidFile)'")
        }
        self.log(.info, "LFC_TERMINATE", "LFC finished processing")
        return 0
    }

    /// Whether the PID file names a live process (kill(pid, 0) succeeds or fails other than
    /// with ESRCH); a missing file names none; a file without a number is an error.
    func checkPidFile() -> Result<Bool, FileError> {
        guard fileExists(options.pidFile) else { return .success(false) }
        guard let text = try? readFile(options.pidFile) else { return .success(false) }
        // Kea reads an integer and wants the stream still good: something must follow it.
        let body = text.drop(while: { $0 == " " || $0 == "\t" || $0 == "\n" })
        let digits = body.prefix(while: { $0.isASCII && ($0.isNumber || $0 == "-") })
        guard let pid = Int32(digits), digits.count < body.count else {
            return .failure(FileError(message: "Unable to read PID from file '\(options.pidFile)'"))
        }
        if kill(pid, 0) == 0 { return .success(true) }
        return .success(errno != ESRCH)
    }

    /// Reads a file for the merge: nil when it does not exist.
    private func input(_ path: String) throws(FileError) -> LeaseFileCleanup.Input {
        guard fileExists(path) else { return LeaseFileCleanup.Input(name: path, text: nil) }
        return LeaseFileCleanup.Input(name: path, text: try readFile(path))
    }

    /// Step 2: merge into the output file, then rename it to the finish file.
    func process() throws(FileError) {
        let inputs = [try input(options.previousFile), try input(options.copyFile)]
        var report = LeaseFileCleanup.Report()
        let result = options.family == 4 ? LeaseFileCleanup.merge4(inputs, report: &report)
                                         : LeaseFileCleanup.merge6(inputs, report: &report)
        // Kea logs each file's load and its discarded rows as it reads them, so also those read
        // before a failure.
        for f in report.files where f.loaded {
            logLoad(f.name)
            for e in f.errors {
                // Kea numbers rows from the header (row 0).
                self.log(.error, "DHCPSRV_MEMFILE_LEASE_LOAD_ROW_ERROR", "discarding row \(e.line - 1), error: \(e.reason)", component: "dhcpsrv")
            }
        }
        let text: String
        switch result {
        case .failure(let f): throw FileError(message: f.description)
        case .success(let t): text = t
        }
        try writeDurably(options.outputFile, text)
        let r = report
        self.log(.info, "LFC_READ_STATS", "Leases: \(r.leasesRead), attempts: \(r.readAttempts), errors: \(r.readErrors).")
        self.log(.info, "LFC_WRITE_STATS", "Leases: \(r.leasesWritten), attempts: \(r.writeAttempts), errors: \(r.writeErrors).")
        guard rename(options.outputFile, options.finishFile) == 0 else {
            throw FileError(message: "Unable to move output (\(options.outputFile)) to complete (\(options.finishFile)) error: \(errnoText())")
        }
        syncDirectory(of: options.finishFile)
    }

    private func logLoad(_ name: String) {
        self.log(.info, "DHCPSRV_MEMFILE_LEASE_FILE_LOAD", "loading leases from file \(name)", component: "dhcpsrv")
    }

    /// Step 3: previous and copy removed, finish renamed to previous.
    func rotateFiles() throws(FileError) {
        if unlink(options.previousFile) != 0 && errno != ENOENT {
            throw FileError(message: "Unable to delete previous file '\(options.previousFile)' error: \(errnoText())")
        }
        if unlink(options.copyFile) != 0 && errno != ENOENT {
            throw FileError(message: "Unable to delete copy file '\(options.copyFile)' error: \(errnoText())")
        }
        guard rename(options.finishFile, options.previousFile) == 0 else {
            throw FileError(message: "Unable to move finish (\(options.finishFile)) to previous (\(options.previousFile)) error: \(errnoText())")
        }
        syncDirectory(of: options.previousFile)
    }

    /// Creates or truncates `path` with `text`, fsynced before it is renamed into place.
    private func writeDurably(_ path: String, _ text: String) throws(FileError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(message: "unable to open '\(path)'") }
        defer { close(fd) }
        var bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw FileError(message: "unable to write to '\(path)': \(errnoText())") }
            off += n
        }
        guard fsync(fd) == 0 else { throw FileError(message: "unable to write to '\(path)': \(errnoText())") }
    }

    private func syncDirectory(of file: String) {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let d = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 { fsync(d); close(d) }
    }

    private func errnoText() -> String { String(cString: strerror(errno)) }

    /// One line in Kea's console layout on stderr (-d), else to syslog.
    private func log(_ s: Severity, _ id: String, _ text: String, component: String? = nil) {
        let name = component.map { "DhcpLFC.\($0)" } ?? "DhcpLFC"
        let (sec, usec) = SystemClock.wallMicroseconds()
        if useConsole {
            writeStandardError(logger.render(Logger.defaultPattern, severity: s, logger: name,
                                             message: "\(id) \(text)", sec: sec, usec: usec))
        } else {
            let line = logger.render(Logger.defaultSyslogPattern, severity: s, logger: name,
                                     message: "\(id) \(text)", sec: sec, usec: usec)
            let trimmed = line.hasSuffix("\n") ? String(line.dropLast()) : line
            let priority: Int32 = s >= .error ? LOG_ERR : LOG_INFO
            withVaList([]) { vsyslog(priority, trimmed.replacingAll("%", with: "%%"), $0) }
        }
    }
}

/// kakapo-lfc's whole program; returns only through `exit`.
public func runLeaseFileCleanup(arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
    switch LFCOptions.parse(arguments) {
    case .version:
        print(kakapoVersion)
        exit(0)
    case .extendedVersion:
        print("\(kakapoVersion)\nKakapo lease file cleanup, Kea 2.4 compatible; database: memfile")
        exit(0)
    case .configReport:
        print(lfcConfigReport())
        exit(0)
    case .help:
        writeStandardError(LFCOptions.usage)
        exit(0)
    case .usageError(let message):
        writeStandardError("Usage error: \(message)\n" + LFCOptions.usage + "Service failed: \(message)\n")
        exit(1)
    case .run(let options):
        if options.debug { print(options.echo, terminator: "") }
        exit(LeaseFileCleanupRun(options: options).run())
    }
}

/// -W: the build report, in the shape of kea-lfc's configuration report.
func lfcConfigReport() -> String {
    """
     
           Kakapo build report:
         -=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-=-
     
     Package:
       Name:              kakapo
       Version:           \(kakapoVersion)
       Extended version:  \(kakapoVersion) (Swift build)
       OS Family:         Linux
     
       Sysconf directory: \(BuildPaths.sysconfDir)
       Localstate dir:    \(BuildPaths.localStateDir)
     
     Lease backends:
       memfile:           yes (leases4 schema 3.0, leases6 schema 5.0)
     
    """
}
