/// Lease file cleanup (Kea's LFC), the pure part: lease file texts in, one compacted file out.
///
/// The inputs are replayed in order into an empty in-memory store, exactly as a daemon loads
/// them (each row an upsert, a row with valid_lifetime 0 a deletion, the later row winning),
/// and the result is written with one row per live lease in address order, under the current
/// header: `LeaseFile4.text(of:)` / `LeaseFile6.text(of:)`, the same function the daemons'
/// in-process cleanup writes its snapshot with, so both give the same file for the same rows.
///
/// kakapo-lfc passes the previous file (`-x`, Kea's `<name>.2`) then the copy (`-i`,
/// `<name>.1`); a file that does not exist is passed as nil.
public enum LeaseFileCleanup {
    /// Kea's LFC gives up on a file with more invalid rows than this (MAX_LEASE_ERRORS).
    public static let rowErrorsMax = 100

    /// One input file: its name (for messages) and text, nil when the file does not exist.
    public struct Input: Sendable {
        public var name: String
        public var text: String?
        public init(name: String, text: String?) {
            self.name = name
            self.text = text
        }
    }

    /// What reading one input did, counted as Kea's CSV lease files count: `attempts` is one
    /// per row plus the read that finds the end of the file; `leases` the rows read as leases
    /// (deletions included); `errors` the rows skipped.
    public struct FileReport: Sendable, Equatable {
        public var name: String
        /// Whether its rows were read (Kea logs the load): false for a missing or empty file.
        public var loaded: Bool
        public var leases = 0
        public var attempts = 0
        public var errors: [LeaseCSV.RowError] = []
        /// Rows read with a field dropped (a leases6 hwaddr that does not parse).
        public var warnings: [LeaseCSV.RowError] = []
        public var leasesAdded = 0
        public var leasesDeleted = 0
    }

    /// What a cleanup did: one report per input, and the counts of Kea's LFC_READ_STATS and
    /// LFC_WRITE_STATS lines.
    public struct Report: Sendable, Equatable {
        public var files: [FileReport] = []
        public var leasesWritten = 0
        public var leasesRead: Int { files.reduce(0) { $0 + $1.leases } }
        public var readAttempts: Int { files.reduce(0) { $0 + $1.attempts } }
        public var readErrors: Int { files.reduce(0) { $0 + $1.errors.count } }
        /// One append per lease, none of which can fail in memory.
        public var writeAttempts: Int { leasesWritten }
        public var writeErrors: Int { 0 }
        public init() {}
    }

    /// The merged file and how it was made.
    public struct Outcome: Sendable {
        public var text: String
        public var report: Report
    }

    /// Why a cleanup produced nothing; the descriptions are Kea's LFC_FAIL_PROCESS texts.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The file's first line is not a header with the required columns.
        case invalidHeader(file: String, header: String)
        /// More than `rowErrorsMax` invalid rows in one file.
        case tooManyErrors(file: String, limit: Int)
        public var description: String {
            switch self {
            case .invalidHeader(let f, let h):
                "invalid header '\(h)' in CSV file '\(f)'"
            case .tooManyErrors(let f, let limit):
                "exceeded maximum number of failures \(limit) to read a lease from the lease file \(f)"
            }
        }
    }

    /// Merges leases4 files (see the type's documentation).
    public static func merge4(_ inputs: [Input], rowErrorsMax: Int = rowErrorsMax) -> Result<Outcome, Failure> {
        var report = Report()
        return merge4(inputs, rowErrorsMax: rowErrorsMax, report: &report).map { Outcome(text: $0, report: report) }
    }

    /// Merges leases4 files; `report` says what was read also when the merge fails (up to and
    /// including the file that failed, whose errors stop at the one over the limit, as Kea's).
    public static func merge4(_ inputs: [Input], rowErrorsMax: Int = rowErrorsMax, report: inout Report) -> Result<String, Failure> {
        var store = MemoryLeaseStore4()
        return merge(inputs, rowErrorsMax: rowErrorsMax, report: &report,
                     load: { LeaseFile4.load(text: $0, into: &store) },
                     finish: { let all = store.all(); return (LeaseFile4.text(of: all), all.count) })
    }

    /// Merges leases6 files (see the type's documentation).
    public static func merge6(_ inputs: [Input], rowErrorsMax: Int = rowErrorsMax) -> Result<Outcome, Failure> {
        var report = Report()
        return merge6(inputs, rowErrorsMax: rowErrorsMax, report: &report).map { Outcome(text: $0, report: report) }
    }

    /// Merges leases6 files, reporting as `merge4(_:rowErrorsMax:report:)`.
    public static func merge6(_ inputs: [Input], rowErrorsMax: Int = rowErrorsMax, report: inout Report) -> Result<String, Failure> {
        var store = MemoryLeaseStore6()
        return merge(inputs, rowErrorsMax: rowErrorsMax, report: &report,
                     load: { LeaseFile6.load(text: $0, into: &store) },
                     finish: { let all = store.all(); return (LeaseFile6.text(of: all), all.count) })
    }

    /// The family-neutral merge: `load` replays one text into the store, `finish` writes it.
    static func merge(_ inputs: [Input], rowErrorsMax: Int, report: inout Report,
                      load: (String) -> LeaseCSV.LoadReport,
                      finish: () -> (String, Int)) -> Result<String, Failure> {
        report = Report()
        for input in inputs {
            var file = FileReport(name: input.name, loaded: false)
            guard let text = input.text else {
                report.files.append(file)
                continue
            }
            // Kea counts the read that finds the end even in an empty file, and loads nothing.
            file.attempts = 1
            guard text.contains(where: { !$0.isWhitespace }) else {
                report.files.append(file)
                continue
            }
            file.loaded = true
            let r = load(text)
            if r.headerMissing {
                report.files.append(file)
                let first = text.split(separator: "\n", maxSplits: 1).first.map { String($0) } ?? ""
                return .failure(.invalidHeader(file: input.name, header: first.hasSuffix("\r") ? String(first.dropLast()) : first))
            }
            file.errors = r.errors
            if rowErrorsMax > 0 && r.errors.count > rowErrorsMax {
                file.errors = Array(r.errors.prefix(rowErrorsMax + 1))
                report.files.append(file)
                return .failure(.tooManyErrors(file: input.name, limit: rowErrorsMax))
            }
            file.attempts += r.rowsRead
            file.leases = r.leasesAdded + r.leasesDeleted
            file.warnings = r.warnings
            file.leasesAdded = r.leasesAdded
            file.leasesDeleted = r.leasesDeleted
            report.files.append(file)
        }
        let (text, count) = finish()
        report.leasesWritten = count
        return .success(text)
    }
}
