/// Reading a leases6 file from UTF-8 bytes, in chunks: no String or Substring per line or
/// field, and never the whole text in memory. The shell feeds the complete lines of each chunk
/// (`CSVBytes.LineChunker`) to `Loader.feed`; `LeaseFile6.load(text:into:)` feeds a whole text the
/// same way. Same rules and messages as the String row parser it replaced (kept in the tests as
/// the reference, Tests/CoreTests/LeaseFileReference.swift).
extension LeaseFile6 {
    public struct Loader {
        /// Column positions, resolved once from the header (nil: the file has no such column).
        struct Columns {
            var address, duid, valid, expire, subnet, preferred, type, iaid, prefixLength: Int
            var fqdnForward, fqdnReverse, hostname: Int
            var hwaddr, state, userContext, hwtype, hwaddrSource, poolID: Int?

            init(_ layout: LeaseCSV.Layout) {
                func required(_ name: String) -> Int {
                    guard let i = layout.index[name] else { preconditionFailure("leases6 layout without \(name)") }
                    return i
                }
                address = required("address"); duid = required("duid"); valid = required("valid_lifetime")
                expire = required("expire"); subnet = required("subnet_id"); preferred = required("pref_lifetime")
                type = required("lease_type"); iaid = required("iaid"); prefixLength = required("prefix_len")
                fqdnForward = required("fqdn_fwd"); fqdnReverse = required("fqdn_rev"); hostname = required("hostname")
                hwaddr = layout.index["hwaddr"]; state = layout.index["state"]; userContext = layout.index["user_context"]
                hwtype = layout.index["hwtype"]; hwaddrSource = layout.index["hwaddr_source"]; poolID = layout.index["pool_id"]
            }
        }

        public private(set) var report = LeaseCSV.LoadReport()
        private var columns: Columns? = nil
        /// Set once the header is found missing: the rest of the file is ignored.
        private var stopped = false
        private var lineNumber = 0
        private var fields = CSVBytes.Fields()
        /// Reused decoding buffers.
        private var bytes: [UInt8] = []
        /// Rows read and not yet applied: handed to the store `batchSize` at a time (see
        /// `LeaseStore6.apply(batch:)`), and all before `feed` returns.
        private var batch: [LeaseChange6] = []
        static let batchSize = 32

        public init() {}

        /// Reads every line of `buffer` (complete lines; a last one without '\n' counts as a line)
        /// into `store`: the first non-empty line is the header, then each row is an upsert, or a
        /// deletion when its valid_lifetime is 0. Bad rows are reported and skipped.
        public mutating func feed<S: LeaseStore6>(lines buffer: UnsafeBufferPointer<UInt8>, into store: inout S) {
            CSVBytes.forEachLine(in: buffer) { line in
                guard !stopped else { return }
                lineNumber += 1
                if line.isEmpty { return }
                guard let c = columns else {
                    let header = String(decoding: line, as: UTF8.self)
                    guard let layout = LeaseCSV.Layout(header: header[...], required: LeaseFile6.requiredColumns) else {
                        report.headerMissing = true
                        stopped = true
                        return
                    }
                    columns = Columns(layout)
                    return
                }
                report.rowsRead += 1
                fields.split(line)
                let (result, warning) = parseRow(c)
                if let warning { report.warnings.append(warning) }
                switch result {
                case .failure(let e):
                    report.errors.append(e)
                case .success(let lease):
                    if lease.validLifetimeSeconds == 0 {
                        batch.append(.delete(lease))
                        report.leasesDeleted += 1
                    } else {
                        batch.append(.upsert(lease))
                        report.leasesAdded += 1
                    }
                    if batch.count >= Self.batchSize { flush(into: &store) }
                }
            }
            flush(into: &store)
        }

        private mutating func flush<S: LeaseStore6>(into store: inout S) {
            guard !batch.isEmpty else { return }
            store.apply(batch: batch)
            batch.removeAll(keepingCapacity: true)
        }

        private func fail(_ reason: String) -> (Result<Lease6, LeaseCSV.RowError>, LeaseCSV.RowError?) {
            (.failure(LeaseCSV.RowError(line: lineNumber, reason: reason)), nil)
        }

        /// One data row (already split into `fields`).
        private mutating func parseRow(_ c: Columns) -> (Result<Lease6, LeaseCSV.RowError>, LeaseCSV.RowError?) {
            let f = fields
            guard f.count >= LeaseFile6.requiredColumns.count else { return fail("too few columns (\(f.count))") }
            guard let address = f.field(c.address).flatMap(Self.ipv6) else { return fail("invalid address") }
            bytes.removeAll(keepingCapacity: true)
            guard let d = f.field(c.duid), !d.isEmpty, CSVBytes.hex(d, into: &bytes),
                  (1...LeaseFile6.duidLengthMax).contains(bytes.count) else { return fail("invalid duid") }
            let duid = bytes
            guard let valid = f.field(c.valid).flatMap({ CSVBytes.decimal($0, as: UInt32.self) }) else { return fail("invalid valid_lifetime") }
            guard let expire = f.field(c.expire).flatMap({ CSVBytes.decimal($0, as: Int64.self) }) else { return fail("invalid expire") }
            guard let subnet = f.field(c.subnet).flatMap({ CSVBytes.decimal($0, as: UInt32.self) }) else { return fail("invalid subnet_id") }
            guard let preferred = f.field(c.preferred).flatMap({ CSVBytes.decimal($0, as: UInt32.self) }) else {
                return fail("invalid pref_lifetime")
            }
            guard let type = f.field(c.type).flatMap({ CSVBytes.decimal($0, as: UInt8.self) }).flatMap(LeaseType6.init(rawValue:)) else {
                return fail("invalid lease_type")
            }
            guard let iaid = f.field(c.iaid).flatMap({ CSVBytes.decimal($0, as: UInt32.self) }) else { return fail("invalid iaid") }
            guard let length = f.field(c.prefixLength).flatMap({ CSVBytes.decimal($0, as: UInt8.self) }), length <= 128 else {
                return fail("invalid prefix_len")
            }
            var lease = Lease6(type: type, address: address, prefixLength: type == .delegatedPrefix ? length : 128,
                               duid: duid, iaid: iaid, preferredLifetimeSeconds: preferred, validLifetimeSeconds: valid,
                               expire: WallTime(secondsSinceEpoch: expire), subnetID: subnet)
            guard lease.hasValidPrefixLength else { return fail("invalid prefix_len") }
            lease.fqdnForward = f.field(c.fqdnForward).map(Self.bool) ?? false
            lease.fqdnReverse = f.field(c.fqdnReverse).map(Self.bool) ?? false
            lease.hostname = f.field(c.hostname).map(Self.text) ?? ""
            if let st = f.field(c.state), !st.isEmpty {
                guard let v = CSVBytes.decimal(st, as: UInt32.self), let state = LeaseState(rawValue: v) else { return fail("invalid state") }
                lease.state = state
            }
            lease.userContext = f.field(c.userContext).map(Self.text) ?? ""
            if let p = f.field(c.poolID), !p.isEmpty {
                guard let v = CSVBytes.decimal(p, as: UInt32.self) else { return fail("invalid pool_id") }
                lease.poolID = v
            }
            var warning: LeaseCSV.RowError? = nil
            switch hardware(c) {
            case .success(let hw):
                lease.hardwareAddress = hw?.address
                lease.hardwareAddressSource = hw?.source ?? .unknown
            case .failure(let f):
                warning = LeaseCSV.RowError(line: lineNumber, reason: f.reason + " (hwaddr dropped)")
            }
            if lease.validLifetimeSeconds != 0 && !lease.isWellFormed { return fail("lease has no DUID and is not declined") }
            return (.success(lease), warning)
        }

        /// The hwaddr, hwtype and hwaddr_source columns, as the reference parser reads them.
        private mutating func hardware(_ c: Columns) -> Result<(address: HardwareAddress, source: HardwareAddressSource)?, Failure> {
            guard let text = fields.field(c.hwaddr), !text.isEmpty else { return .success(nil) }
            var type: UInt8 = 1
            if let t = fields.field(c.hwtype), !t.isEmpty {
                guard let v = CSVBytes.decimal(t, as: UInt8.self) else { return .failure(Failure(reason: "invalid hwtype")) }
                type = v
            }
            var source = HardwareAddressSource.unknown
            if let s = fields.field(c.hwaddrSource), !s.isEmpty {
                guard let v = CSVBytes.decimal(s, as: UInt32.self) else { return .failure(Failure(reason: "invalid hwaddr_source")) }
                source = HardwareAddressSource(rawValue: v)
            }
            bytes.removeAll(keepingCapacity: true)
            guard CSVBytes.hex(text, into: &bytes) else { return .failure(Failure(reason: "invalid hwaddr")) }
            if bytes.isEmpty { return .success(nil) }
            return .success((HardwareAddress(type: type, bytes: bytes), source))
        }

        /// Why a hardware address was dropped.
        struct Failure: Error { var reason: String }

        private static func bool(_ field: CSVBytes.Bytes) -> Bool { CSVBytes.equals(field, "1") || CSVBytes.equals(field, "true") }

        /// A text column with Kea's escapes undone (invalid UTF-8 repaired, as the text path did).
        private static func text(_ field: CSVBytes.Bytes) -> String {
            guard CSVBytes.mayHaveEscapes(field) else { return String(decoding: field, as: UTF8.self) }
            var out: [UInt8] = []
            out.reserveCapacity(field.count)
            CSVBytes.unescape(field, into: &out)
            return String(decoding: out, as: UTF8.self)
        }

        /// IPv6 text straight from bytes: colon-separated groups of one to four hex digits with at
        /// most one "::". Text with a dotted quad (or anything else unusual) takes the String path,
        /// so what is accepted is exactly what `IPv6Address(String)` accepts.
        static func ipv6(_ field: CSVBytes.Bytes) -> IPv6Address? {
            var groups: (UInt64, UInt64) = (0, 0)
            var head = 0          // groups before "::" (or all, when none)
            var tail = 0          // groups after "::"
            var headBits: (UInt64, UInt64) = (0, 0)
            var gap = false
            var value: UInt64 = 0, digits = 0
            var i = 0
            let n = field.count
            guard n >= 2 else { return slowIPv6(field) }
            if field[0] == UInt8(ascii: ":") {
                guard field[1] == UInt8(ascii: ":") else { return nil }
                gap = true
                i = 2
                if i == n { return .unspecified }
            }
            // Groups are shifted into a 128-bit accumulator (two words); "::" keeps the head aside.
            func push(_ g: UInt64, _ acc: inout (UInt64, UInt64)) {
                acc.0 = acc.0 << 16 | acc.1 >> 48
                acc.1 = acc.1 << 16 | g
            }
            while i < n {
                let ch = field[i]
                if ch == UInt8(ascii: ":") {
                    guard digits > 0 else { return nil }
                    push(value, &groups)
                    if gap { tail += 1 } else { head += 1 }
                    value = 0
                    digits = 0
                    if i + 1 < n && field[i + 1] == UInt8(ascii: ":") {
                        guard !gap else { return nil }
                        gap = true
                        headBits = groups
                        groups = (0, 0)
                        i += 2
                        if i == n { break }
                        continue
                    }
                    i += 1
                    guard i < n else { return nil }
                    continue
                }
                guard let d = CSVBytes.nibble(ch) else { return ch == UInt8(ascii: ".") ? slowIPv6(field) : nil }
                guard digits < 4 else { return nil }
                value = value << 4 | UInt64(d)
                digits += 1
                i += 1
            }
            if digits > 0 {
                push(value, &groups)
                if gap { tail += 1 } else { head += 1 }
            }
            if !gap {
                guard head == 8 else { return nil }
                return IPv6Address(high: groups.0, low: groups.1)
            }
            guard head + tail <= 7 else { return nil }
            // Head groups go to the top: shift them left past the 8 - head lower groups.
            var top = headBits
            for _ in 0..<(8 - head) { push(0, &top) }
            if head == 0 { top = (0, 0) }
            return IPv6Address(high: top.0 | groups.0, low: top.1 | groups.1)
        }

        private static func slowIPv6(_ field: CSVBytes.Bytes) -> IPv6Address? {
            IPv6Address(String(decoding: field, as: UTF8.self))
        }
    }

    /// Replays a lease file's text into a store (see `LeaseFile6.Loader`): each row is an
    /// upsert, a row with valid_lifetime 0 a deletion (last row wins, as in Kea). Bad rows are
    /// reported and skipped.
    public static func load<S: LeaseStore6>(text: String, into store: inout S) -> LoadReport {
        var loader = Loader()
        var copy = text
        store.load(reserving: 0) { s in copy.withUTF8 { loader.feed(lines: $0, into: &s) } }
        return loader.report
    }
}
