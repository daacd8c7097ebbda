import KakapoCore

/// A simulated server's own lease file: Kea's CSV rows, appended as the daemon appends them and
/// compacted like its lease file cleanup, kept as one byte buffer (no object per row).
///
/// Compaction needs the live leases, one row per address in address order: what the daemon's
/// loader makes of the file. The loader applies rows per address (last row wins, a
/// valid_lifetime 0 row deletes, a refused row changes nothing), and a row it reads back
/// formats to the same text, so the live rows are the last applied row of each address:
/// kept as byte ranges, compaction copies them without parsing anything.
/// (SimLeaseFileTests checks this against replaying the text through the loader.)
struct SimLeaseFile {
    /// How the loader treats a row.
    enum Replay { case upserts, deletes, skipped }

    /// The rows, each ending in a newline.
    private(set) var bytes: [UInt8] = []
    private(set) var rowCount = 0
    /// Each live address's last applied row: where it starts in `bytes`, and its length.
    private var live: [UInt32: (start: Int, count: Int)] = [:]
    /// Where the last appended row starts.
    private var lastStart = 0
    /// Rewrite the file once it holds this many rows: at least `minimumCompactAt`, and four
    /// times the live leases.
    let minimumCompactAt: Int
    private(set) var compactAt: Int

    init(minimumCompactAt: Int = 1 << 18) {
        self.minimumCompactAt = minimumCompactAt
        compactAt = minimumCompactAt
    }

    var liveCount: Int { live.count }

    /// The whole file, with the header line first.
    func text(header: String) -> String {
        var t = header
        t.reserveCapacity(header.utf8.count + 1 + bytes.count)
        t += "\n"
        t += String(decoding: bytes, as: UTF8.self)
        return t
    }

    /// Appends one row (without its newline); `noteLastRow` must follow.
    mutating func append(_ row: String) {
        lastStart = bytes.count
        bytes.append(contentsOf: row.utf8)
        bytes.append(10)
        rowCount += 1
    }

    /// Appends `LeaseFile4.row(l)` (or `deletionRow` when `deletion`), written straight into
    /// the buffer by `LeaseFile4.appendRow`. `noteLastRow` must follow.
    mutating func append(rowOf l: Lease4, deletion: Bool = false) {
        lastStart = bytes.count
        LeaseFile4.appendRow(l, deletion: deletion, to: &bytes)
        bytes.append(10)
        rowCount += 1
    }

    /// Records what the loader makes of the row just appended for `address`, then compacts
    /// when due: once the file is large and four times the live leases, it is rewritten with
    /// one row per live lease (amortized constant cost per write; bounds memory).
    mutating func noteLastRow(address: UInt32, _ replay: Replay) {
        switch replay {
        case .upserts: live[address] = (lastStart, bytes.count - lastStart)
        case .deletes: live[address] = nil
        case .skipped: break
        }
        if rowCount >= compactAt { compact() }
    }

    private mutating func compact() {
        var out: [UInt8] = []
        out.reserveCapacity(live.values.reduce(0) { $0 + $1.count })
        var moved: [UInt32: (start: Int, count: Int)] = [:]
        moved.reserveCapacity(live.count)
        for a in live.keys.sorted() {
            let r = live[a]!
            moved[a] = (out.count, r.count)
            out.append(contentsOf: bytes[r.start..<(r.start + r.count)])
        }
        bytes = out
        live = moved
        rowCount = moved.count
        compactAt = max(minimumCompactAt, 4 * rowCount)
    }
}
