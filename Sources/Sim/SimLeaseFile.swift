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

    /// Appends `LeaseFile4.row(l)` (or `deletionRow` when `deletion`), formatted straight
    /// into the buffer: the same bytes without building a String per write (SimLeaseFileTests
    /// checks them against LeaseFile4's text). `noteLastRow` must follow.
    mutating func append(rowOf l: Lease4, deletion: Bool = false) {
        lastStart = bytes.count
        Self.write(l, deletion: deletion, into: &bytes)
        bytes.append(10)
        rowCount += 1
    }

    /// LeaseFile4.row's columns: address, hwaddr, client_id, valid_lifetime, expire,
    /// subnet_id, fqdn_fwd, fqdn_rev, hostname, state, user_context, pool_id. A deletion row
    /// is the lease with valid_lifetime 0 expiring at its cltt.
    static func write(_ l: Lease4, deletion: Bool, into b: inout [UInt8]) {
        let hw = l.hardwareAddress?.bytes ?? []
        let cid = l.clientID ?? []
        // Address to fqdn_rev: at most 15 + 3 per identifier octet + 10 + 20 (sign included) + 10 + 2 + 8 commas.
        raw(into: &b, atMost: 66 + 3 * (hw.count + cid.count)) { p in
            var i = 0
            @inline(__always) func put(_ c: UInt8) { p[i] = c; i += 1 }
            @inline(__always) func decimal(_ v: UInt64) { i += writeDecimal(v, at: p + i) }
            @inline(__always) func hex(_ bytes: [UInt8]) {
                for (k, x) in bytes.enumerated() {
                    if k > 0 { put(UInt8(ascii: ":")) }
                    put(digit(x >> 4))
                    put(digit(x & 0xF))
                }
            }
            let comma = UInt8(ascii: ",")
            let a = l.address.value
            decimal(UInt64(a >> 24)); put(UInt8(ascii: "."))
            decimal(UInt64(a >> 16 & 0xFF)); put(UInt8(ascii: "."))
            decimal(UInt64(a >> 8 & 0xFF)); put(UInt8(ascii: "."))
            decimal(UInt64(a & 0xFF)); put(comma)
            hex(hw); put(comma)
            hex(cid); put(comma)
            decimal(deletion ? 0 : UInt64(l.validLifetimeSeconds)); put(comma)
            let expire = deletion ? l.cltt.secondsSinceEpoch : l.expire.secondsSinceEpoch
            if expire < 0 { put(UInt8(ascii: "-")) }
            decimal(expire.magnitude); put(comma)
            decimal(UInt64(l.subnetID)); put(comma)
            put(l.fqdnForward ? UInt8(ascii: "1") : UInt8(ascii: "0")); put(comma)
            put(l.fqdnReverse ? UInt8(ascii: "1") : UInt8(ascii: "0")); put(comma)
            return i
        }
        escaped(l.hostname, into: &b)
        raw(into: &b, atMost: 22) { p in
            p[0] = UInt8(ascii: ",")
            let n = 1 + writeDecimal(UInt64(l.state.rawValue), at: p + 1)
            p[n] = UInt8(ascii: ",")
            return n + 1
        }
        escaped(l.userContext, into: &b)
        raw(into: &b, atMost: 11) { p in
            p[0] = UInt8(ascii: ",")
            return 1 + writeDecimal(UInt64(l.poolID), at: p + 1)
        }
    }

    /// Writes `v` in decimal at `p` (20 bytes at most), returning how many bytes.
    @inline(__always)
    private static func writeDecimal(_ v: UInt64, at p: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = 1, x = v
        while x >= 10 { x /= 10; digits += 1 }
        x = v
        for k in stride(from: digits - 1, through: 0, by: -1) { p[k] = 0x30 + UInt8(x % 10); x /= 10 }
        return digits
    }

    /// Appends at most `count` bytes that `write` puts at the pointer, returning how many.
    @inline(__always)
    private static func raw(into b: inout [UInt8], atMost count: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        let start = b.count
        b.append(contentsOf: repeatElement(0, count: count))
        let written = b.withUnsafeMutableBufferPointer { write($0.baseAddress! + start) }
        precondition(written <= count, "lease row overran its estimate")
        b.removeLast(count - written)
    }

    @inline(__always) private static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    /// Kea's CSV escaping (LeaseFile4.escape); most texts need none and are copied as they are.
    private static func escaped(_ s: String, into b: inout [UInt8]) {
        guard !s.isEmpty else { return }
        b.append(contentsOf: LeaseFile4.escape(s).utf8)
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
