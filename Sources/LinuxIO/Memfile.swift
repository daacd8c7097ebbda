import CShim
import Glibc
import KakapoCore

/// What a memfile needs of a lease file format: Kea's leases4 and leases6 CSV (`LeaseFile4`,
/// `LeaseFile6`) differ only in their rows; loading is per family (see the extensions below).
public protocol MemfileFormat {
    associatedtype Lease: LeaseRecord
    static var header: String { get }
    /// Appends one row (without its newline) as bytes: a lease, or with `deletion` the row
    /// that records its deletion.
    static func appendRow(_ lease: Lease, deletion: Bool, to bytes: inout [UInt8])
    /// A whole file of `leases`: the header, then one row each.
    static func text(of leases: [Lease]) -> String
    /// Which family's leaseN-write this format answers.
    static var family: LeaseFileFamily { get }
}

extension LeaseFile4: MemfileFormat { public static var family: LeaseFileFamily { .v4 } }
extension LeaseFile6: MemfileFormat { public static var family: LeaseFileFamily { .v6 } }

/// kakapo-dhcp4's lease file (`kea-leases4.csv`).
public typealias Memfile = LeaseMemfile<LeaseFile4>
/// kakapo-dhcp6's lease file (`kea-leases6.csv`).
public typealias Memfile6 = LeaseMemfile<LeaseFile6>

/// Kea's memfile lease file, for either family: loading (with Kea's LFC leftovers) and appending.
///
/// Durability: each batch of lease changes (a loop turn's, see `DHCPServer.flush`) is written
/// with one write(2) before the replies that announce them are sent, so a kill -9 of the
/// daemon loses nothing acknowledged (the data is in the kernel). Like Kea, there is no fsync
/// per write by default. With `syncEachAppend` (the `kakapo-fsync` key) each append is
/// followed by one fdatasync(2), and the append reports success only once it returned, so the
/// turn's replies, which wait for it, announce only leases that are on disk: one sync per
/// turn, shared by every reply of the turn (group commit).
///
/// Cleanup (LFC), crash-safe: the whole in-memory state is written to `<name>.completed.tmp`,
/// fsynced and renamed to `<name>.completed`; then `<name>` is replaced by a header-only file
/// the same way, and `<name>.1` / `<name>.2` are removed. Kea loads `<name>.completed` (else
/// `.2` then `.1`) and then `<name>`, and so does Kakapo, so at every instant the files on disk
/// replay to the current state, and Kea can read them too.
public final class LeaseMemfile<Format: MemfileFormat> {
    public let path: String
    private var fd: Int32 = -1
    /// Whether each append is made durable (fdatasync) before it reports success.
    public var syncEachAppend: Bool

    public init(path: String, syncEachAppend: Bool = false) {
        self.path = path
        self.syncEachAppend = syncEachAppend
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Files to replay, in order, as Kea does.
    public var loadOrder: [String] {
        var files: [String] = []
        if fileExists(path + ".completed") {
            files.append(path + ".completed")
        } else {
            for suffix in [".2", ".1"] where fileExists(path + suffix) { files.append(path + suffix) }
        }
        if fileExists(path) { files.append(path) }
        return files
    }

    /// The files a load reads (`loadOrder`) and their total size, to size the store first.
    var loadFiles: (paths: [String], bytes: Int) {
        let files = loadOrder
        var bytes = 0
        for f in files {
            var st = stat()
            if stat(f, &st) == 0 { bytes += Int(st.st_size) }
        }
        return (files, bytes)
    }

    /// Opens the file for appending, writing the header if it is new or empty.
    public func openForAppend() throws(FileError) {
        if fd >= 0 { close(fd) }
        isWedged = false
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError("cannot open lease file \(path)") }
        var st = stat()
        if fstat(fd, &st) == 0 && st.st_size == 0 {
            try writeAll(Format.header + "\n")
            // A new file's name must be on disk too before a synced append can count.
            if syncEachAppend {
                guard fdatasync(fd) == 0 else { throw FileError("fdatasync \(path)") }
                syncDirectory(of: path)
            }
        }
    }

    /// Appends rows for `changes` in one write (then one fdatasync with `syncEachAppend`).
    /// Returns false on failure (the caller must then not send the replies that depend on them).
    ///
    /// A write that fails part way (disk full, file size limit) would leave half a row at the
    /// end of the file, and the next append would glue a good row to it: that lease would be
    /// lost at the next load. So the file is cut back to its size before the failed append;
    /// if even that fails, every later append is refused (`isWedged`) until a cleanup writes
    /// the file anew.
    public func append(_ changes: [LeaseChange<Format.Lease>]) -> Bool {
        guard !changes.isEmpty else { return true }
        guard !isWedged else {
            lastFailure = "lease file \(path) ends with a partial row that could not be removed"
            return false
        }
        // The turn's rows as bytes, written by the format straight into one buffer.
        var text: [UInt8] = []
        text.reserveCapacity(changes.count * 160)
        for c in changes {
            switch c {
            case .upsert(let l): Format.appendRow(l, deletion: false, to: &text)
            case .delete(let l): Format.appendRow(l, deletion: true, to: &text)
            }
            text.append(UInt8(ascii: "\n"))
        }
        // How many of this append's bytes reached the file: on failure the file is cut back
        // by that much (only this process appends to it), so a turn costs no fstat.
        var written = 0
        do throws(FileError) {
            try writeAll(text, written: &written)
            if syncEachAppend {
                // A failed sync leaves the rows' fate on disk unknown: they are cut off like
                // a failed write's, and the turn's replies are withheld.
                guard fdatasync(fd) == 0 else { throw FileError("fdatasync \(path)") }
            }
        } catch {
            lastFailure = error.description
            var st = stat()
            let sizeBefore: off_t = fstat(fd, &st) == 0 ? st.st_size - off_t(written) : -1
            if sizeBefore < 0 || ftruncate(fd, sizeBefore) != 0 { isWedged = true }
            return false
        }
        lastFailure = nil
        return true
    }

    /// Why the last append failed (with errno's text); nil after a success.
    public private(set) var lastFailure: String?
    /// A failed append could not be cut back off the file; appends are refused until cleanup.
    public private(set) var isWedged = false

    private func writeAll(_ text: String) throws(FileError) {
        var written = 0
        try writeAll(Array(text.utf8), written: &written)
    }

    /// Writes `bytes`; `written` counts the bytes that reached the file, also when a later
    /// write fails.
    private func writeAll(_ text: [UInt8], written: inout Int) throws(FileError) {
        let failed = text.withUnsafeBufferPointer { bytes -> Bool in
            while written < bytes.count {
                let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                written += n
            }
            return false
        }
        if failed { throw FileError("write to \(path)") }
    }

    /// Lease file cleanup: see the type's documentation for the crash-safety argument.
    /// The snapshot is written with `Format.text(of:)`, as kakapo-lfc writes its merge
    /// (`LeaseFileCleanup`), so both give the same file for the same leases.
    public func cleanup(leases: [Format.Lease]) throws(FileError) {
        try atomicWrite(path + ".completed", Format.text(of: leases))
        try atomicWrite(path, Format.header + "\n")
        unlink(path + ".1")
        unlink(path + ".2")
        try openForAppend()
    }

    private func atomicWrite(_ target: String, _ text: String) throws(FileError) {
        let tmp = target + ".tmp"
        let f = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard f >= 0 else { throw FileError("cannot create \(tmp)") }
        var bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(f, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { close(f); throw FileError("write \(tmp)") }
            off += n
        }
        guard fsync(f) == 0 else { close(f); throw FileError("fsync \(tmp)") }
        close(f)
        guard rename(tmp, target) == 0 else { throw FileError("rename \(tmp)") }
        syncDirectory(of: target)
    }

    private func syncDirectory(of file: String) {
        let dir = file.lastIndex(of: "/").map { String(file[..<$0]) } ?? "."
        let d = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if d >= 0 { fsync(d); close(d) }
    }
}

extension LeaseMemfile where Format == LeaseFile4 {
    /// Loads every file into `store`, streaming each in chunks (the text is never held whole);
    /// returns one report per file.
    public func load<S: LeaseStore4>(into store: inout S) throws(FileError) -> [(String, LeaseFile4.LoadReport)] {
        var reports: [(String, LeaseFile4.LoadReport)] = []
        let (files, bytes) = loadFiles
        // At least ~48 bytes a row: room for at most that many leases (see reserveCapacity).
        store.reserveCapacity(bytes / 48)
        for f in files {
            var loader = LeaseFile4.Loader()
            try readLines(f) { loader.feed(lines: $0, into: &store) }
            reports.append((f, loader.report))
        }
        return reports
    }
}

/// Reads a file with read(2) in chunks of `chunkSize` bytes and hands `lines` buffers of
/// complete lines (the last one possibly without '\n'); memory is about one chunk plus the
/// longest line, whatever the file's size.
public func readLines(_ path: String, chunkSize: Int = 4 << 20, _ lines: (UnsafeBufferPointer<UInt8>) -> Void) throws(FileError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("cannot open \(path)") }
    defer { close(fd) }
    var chunker = CSVBytes.LineChunker(chunkSize: chunkSize)
    while !chunker.isFinished {
        let n = chunker.next(read: { read(fd, $0.baseAddress, $0.count) }, lines: lines)
        if n < 0 && errno != EINTR { throw FileError("read \(path)") }
    }
}

extension LeaseMemfile where Format == LeaseFile6 {
    /// Loads every file into `store`, streaming each in chunks through `LeaseFile6.Loader` (the
    /// text is never held whole); returns one report per file.
    public func load<S: LeaseStore6>(into store: inout S) throws(FileError) -> [(String, LeaseFile6.LoadReport)] {
        var reports: [(String, LeaseFile6.LoadReport)] = []
        let (files, bytes) = loadFiles
        // Rows of generated and real leases6 files run 110 to 160 bytes: room for that many,
        // so that the indexes are sized once (a file of shorter rows grows them on the way).
        // The load's temporaries (the index build's sort buffers, tens of MB for a million
        // leases) sit freed in the heap below the mmap threshold glibc raised on the way:
        // give them back to the kernel.
        defer { malloc_trim(0) }
        try store.load(reserving: bytes / 110) { (store: inout S) throws(FileError) in
            for f in files {
                var loader = LeaseFile6.Loader()
                try readLines(f) { loader.feed(lines: $0, into: &store) }
                reports.append((f, loader.report))
            }
        }
        return reports
    }
}

/// A failed file operation with errno text.
public struct FileError: Error, CustomStringConvertible {
    public var description: String
    public init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
    public init(message: String) { description = message }
}

public func fileExists(_ path: String) -> Bool {
    var st = stat()
    return stat(path, &st) == 0
}

/// Reads a whole file as UTF-8 text.
public func readFile(_ path: String) throws(FileError) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw FileError("cannot open \(path)") }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        guard n >= 0 else { throw FileError("read \(path)") }
        if n == 0 { break }
        out.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Writes a whole file (config-write), replacing it atomically.
public func writeFileAtomically(_ path: String, _ text: String) throws(FileError) {
    let tmp = path + ".tmp"
    let f = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard f >= 0 else { throw FileError("cannot create \(tmp)") }
    let ok = Array(text.utf8).withUnsafeBytes { write(f, $0.baseAddress, $0.count) == $0.count }
    close(f)
    guard ok, rename(tmp, path) == 0 else { throw FileError("cannot write \(path)") }
}
