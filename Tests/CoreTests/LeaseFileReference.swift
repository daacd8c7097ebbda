@testable import KakapoCore

/// The String-based leases6 reader that the byte-level `LeaseFile6.Loader` replaced, kept only
/// as the reference the loader tests compare with (it was product code until nothing but those
/// tests used it). Same rules: the first non-empty line is the header, then each row is an
/// upsert, or a deletion when valid_lifetime is 0; bad rows are reported and skipped.
enum LeaseFileReference {
    /// One parsed row: the lease, or why it was skipped; `warning` when a field was dropped.
    struct ParsedRow<Lease: LeaseRecord> {
        var result: Result<Lease, LeaseCSV.RowError>
        var warning: LeaseCSV.RowError? = nil
    }

    /// Replays a lease file's text through `apply`: a file without a header yields
    /// `headerMissing` and nothing else. Lines are split on Character "\n", so a CRLF file is
    /// not read as the byte loader reads it (the tests feed this "\n" line ends only).
    static func replay<Lease: LeaseRecord>(
        text: String, required: [String],
        parse: (Substring, LeaseCSV.Layout, Int) -> ParsedRow<Lease>,
        isDeletion: (Lease) -> Bool,
        apply: (LeaseChange<Lease>) -> Void
    ) -> LeaseCSV.LoadReport {
        var report = LeaseCSV.LoadReport()
        var layout: LeaseCSV.Layout? = nil
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            if line.isEmpty { continue }
            guard let current = layout else {
                guard let l = LeaseCSV.Layout(header: line, required: required) else {
                    report.headerMissing = true
                    return report
                }
                layout = l
                continue
            }
            report.rowsRead += 1
            let parsed = parse(line, current, lineNumber)
            if let w = parsed.warning { report.warnings.append(w) }
            switch parsed.result {
            case .failure(let e):
                report.errors.append(e)
            case .success(let lease):
                if isDeletion(lease) {
                    apply(.delete(lease))
                    report.leasesDeleted += 1
                } else {
                    apply(.upsert(lease))
                    report.leasesAdded += 1
                }
            }
        }
        return report
    }

    /// Replays a leases6 text into a `MemoryLeaseStore6` with `parse6`.
    static func load6(_ text: String) -> (LeaseCSV.LoadReport, [Lease6]) {
        var store = MemoryLeaseStore6()
        let report = replay(text: text, required: LeaseFile6.requiredColumns, parse: parse6,
                            isDeletion: { $0.validLifetimeSeconds == 0 }, apply: { store.apply($0) })
        return (report, store.all())
    }

    /// Parses one leases6 data row. A row with valid_lifetime 0 is returned with that lifetime
    /// (the caller treats it as a deletion). A hardware address that does not parse is dropped
    /// with a warning and the row kept, as Kea does.
    static func parse6(row: Substring, layout: LeaseCSV.Layout, line: Int) -> ParsedRow<Lease6> {
        let f = row.split(separator: ",", omittingEmptySubsequences: false)
        func col(_ name: String) -> Substring? {
            guard let i = layout.index[name], i < f.count else { return nil }
            return f[i]
        }
        func fail(_ r: String) -> ParsedRow<Lease6> { ParsedRow(result: .failure(LeaseCSV.RowError(line: line, reason: r))) }
        func bool(_ s: Substring) -> Bool { s == "1" || s == "true" }
        guard f.count >= LeaseFile6.requiredColumns.count else { return fail("too few columns (\(f.count))") }
        guard var lease = parseRequired6(col) else { return fail(requiredFailure6(col)) }
        guard lease.hasValidPrefixLength else { return fail("invalid prefix_len") }
        lease.fqdnForward = col("fqdn_fwd").map(bool) ?? false
        lease.fqdnReverse = col("fqdn_rev").map(bool) ?? false
        lease.hostname = LeaseCSV.unescape(col("hostname") ?? "")
        if let st = col("state"), !st.isEmpty {
            guard let v = UInt32(st), let state = LeaseState(rawValue: v) else { return fail("invalid state") }
            lease.state = state
        }
        lease.userContext = LeaseCSV.unescape(col("user_context") ?? "")
        if let p = col("pool_id"), !p.isEmpty {
            guard let v = UInt32(p) else { return fail("invalid pool_id") }
            lease.poolID = v
        }
        var warning: LeaseCSV.RowError? = nil
        switch parseHardware6(col) {
        case .success(let hw):
            lease.hardwareAddress = hw?.address
            lease.hardwareAddressSource = hw?.source ?? .unknown
        case .failure(let e):
            warning = LeaseCSV.RowError(line: line, reason: e.reason + " (hwaddr dropped)")
        }
        if lease.validLifetimeSeconds != 0 && !lease.isWellFormed {
            return fail("lease has no DUID and is not declined")
        }
        return ParsedRow(result: .success(lease), warning: warning)
    }

    /// The schema 1.0 columns; nil when one is missing or invalid (`requiredFailure6` says which).
    /// An address lease's prefix_len is taken as 128 whatever the row says, as Kea's Lease6 does.
    private static func parseRequired6(_ col: (String) -> Substring?) -> Lease6? {
        guard let address = col("address").flatMap({ IPv6Address($0) }),
              let duid = col("duid").flatMap(parseDUID),
              let valid = col("valid_lifetime").flatMap({ UInt32($0) }),
              let expire = col("expire").flatMap({ Int64($0) }),
              let subnet = col("subnet_id").flatMap({ UInt32($0) }),
              let preferred = col("pref_lifetime").flatMap({ UInt32($0) }),
              let type = col("lease_type").flatMap({ UInt8($0) }).flatMap(LeaseType6.init(rawValue:)),
              let iaid = col("iaid").flatMap({ UInt32($0) }),
              let length = col("prefix_len").flatMap({ UInt8($0) }), length <= 128
        else { return nil }
        return Lease6(type: type, address: address, prefixLength: type == .delegatedPrefix ? length : 128,
                      duid: duid, iaid: iaid, preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                      expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
    }

    /// Names the first invalid schema 1.0 column (only called when `parseRequired6` failed).
    private static func requiredFailure6(_ col: (String) -> Substring?) -> String {
        let checks: [(String, (Substring) -> Bool)] = [
            ("address", { IPv6Address($0) != nil }),
            ("duid", { parseDUID($0) != nil }),
            ("valid_lifetime", { UInt32($0) != nil }),
            ("expire", { Int64($0) != nil }),
            ("subnet_id", { UInt32($0) != nil }),
            ("pref_lifetime", { UInt32($0) != nil }),
            ("lease_type", { UInt8($0).flatMap(LeaseType6.init(rawValue:)) != nil }),
            ("iaid", { UInt32($0) != nil }),
            ("prefix_len", { UInt8($0).map { $0 <= 128 } ?? false }),
        ]
        for (name, isValid) in checks where !(col(name).map(isValid) ?? false) { return "invalid \(name)" }
        preconditionFailure("parseRequired6 failed on a row whose required columns all parse")
    }

    /// A DUID as Kea reads it: hex, 1 to 130 bytes ("0" is the empty DUID of a declined lease).
    private static func parseDUID(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, let bytes = HexText.decode(text), (1...LeaseFile6.duidLengthMax).contains(bytes.count) else { return nil }
        return bytes
    }

    /// The hwaddr, hwtype and hwaddr_source columns: nil when hwaddr is empty; hwtype defaults
    /// to 1 (Ethernet) and hwaddr_source to unknown when absent (files before schema 4.0).
    /// A failure is the reason the hardware address is dropped.
    private static func parseHardware6(_ col: (String) -> Substring?)
        -> Result<(address: HardwareAddress, source: HardwareAddressSource)?, HardwareError> {
        let text = col("hwaddr") ?? ""
        if text.isEmpty { return .success(nil) }
        var type: UInt8 = 1
        if let t = col("hwtype"), !t.isEmpty {
            guard let v = UInt8(t) else { return .failure(HardwareError("invalid hwtype")) }
            type = v
        }
        var source = HardwareAddressSource.unknown
        if let s = col("hwaddr_source"), !s.isEmpty {
            guard let v = UInt32(s) else { return .failure(HardwareError("invalid hwaddr_source")) }
            source = HardwareAddressSource(rawValue: v)
        }
        guard let hw = HardwareAddress(text: text, type: type) else { return .failure(HardwareError("invalid hwaddr")) }
        if hw.isEmpty { return .success(nil) }
        return .success((hw, source))
    }

    struct HardwareError: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

/// The leases6 row writer that `LeaseFile6.appendRow` replaced (field by field into a byte
/// array, IPv6 and hex text through String), kept as the reference the byte writer is held to.
enum LeaseRow6Reference {
    struct RowBuilder {
        var bytes: [UInt8] = []
        init(capacity: Int) { bytes.reserveCapacity(capacity) }
        mutating func text(_ s: String) { bytes.append(contentsOf: s.utf8) }
        mutating func comma() { bytes.append(UInt8(ascii: ",")) }
        /// Decimal, as String(describing:) writes it.
        mutating func number<T: BinaryInteger>(_ v: T) {
            if v < 0 { bytes.append(UInt8(ascii: "-")) }
            var m = UInt64(truncatingIfNeeded: v.magnitude)
            let start = bytes.count
            repeat {
                bytes.append(UInt8(ascii: "0") + UInt8(m % 10))
                m /= 10
            } while m > 0
            bytes[start...].reverse()
        }
        var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// RFC 5952 text the way the old formatter wrote it: groups in an array, the longest run of
    /// two or more zero groups (the first on a tie) as "::".
    static func text(_ a: IPv6Address) -> String {
        let bytes = a.bytes
        var groups = [UInt16](repeating: 0, count: 8)
        for (i, b) in bytes.enumerated() { groups[i / 2] = groups[i / 2] << 8 | UInt16(b) }
        var best: Range<Int>? = nil
        var start: Int? = nil
        for position in 0...8 {
            if position < 8, groups[position] == 0 {
                if start == nil { start = position }
            } else if let runStart = start {
                let run = runStart..<position
                if run.count >= 2, run.count > (best?.count ?? 0) { best = run }
                start = nil
            }
        }
        var out = ""
        for i in 0..<8 {
            if let best, best.contains(i) {
                if i == best.lowerBound { out += "::" }
                continue
            }
            if i > 0 && best?.upperBound != i { out += ":" }
            out += String(groups[i], radix: 16)
        }
        return out
    }

    static func row(_ source: Lease6, deletion: Bool) -> String {
        var l = source
        if deletion {
            l.expire = source.cltt
            l.validLifetimeSeconds = 0
        }
        var r = RowBuilder(capacity: 192)
        r.text(text(l.address))
        r.comma(); r.text(HexText.colonSeparated(l.duid))
        r.comma(); r.number(l.validLifetimeSeconds)
        r.comma(); r.number(l.expire.secondsSinceEpoch)
        r.comma(); r.number(l.subnetID)
        r.comma(); r.number(l.preferredLifetimeSeconds)
        r.comma(); r.number(l.type.rawValue)
        r.comma(); r.number(l.iaid)
        r.comma(); r.number(l.prefixLength)
        r.comma(); r.number(l.fqdnForward ? 1 : 0)
        r.comma(); r.number(l.fqdnReverse ? 1 : 0)
        r.comma(); r.text(LeaseCSV.escape(l.hostname))
        r.comma(); if let hw = l.hardwareAddress { r.text(HexText.colonSeparated(hw.bytes)) }
        r.comma(); r.number(l.state.rawValue)
        r.comma(); r.text(LeaseCSV.escape(l.userContext))
        r.comma(); if let hw = l.hardwareAddress { r.number(hw.type) }
        r.comma(); if l.hardwareAddress != nil { r.number(l.hardwareAddressSource.rawValue) }
        r.comma(); r.number(l.poolID)
        return r.string
    }
}
