import KakapoCore

/// The properties the fuzz targets check, one per parser of outside input. Each takes the raw
/// bytes libFuzzer (or a committed corpus file) supplies and returns nil when the property
/// holds, or a description of the violation. The fuzz entry points (Sources/Fuzz, built only by
/// `make fuzz`) trap on a violation so libFuzzer records the input; CoreTests' FuzzCorpusTests
/// replays every file under Tests/Fixtures/fuzz/<target>/ through the same functions.
///
/// Not crashing is part of every property: a trap inside Core is a finding too.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case dhcp4
    case dhcp6
    case suboptions
    case optionPayload = "option-payload"
    case keaJSON = "kea-json"
    case expression
    case leases4
    case leases6
    case control
    case dns

    /// Checks the target's property on one input.
    public func check(_ data: [UInt8]) -> String? {
        switch self {
        case .dhcp4: FuzzProperties.dhcp4(data)
        case .dhcp6: FuzzProperties.dhcp6(data)
        case .suboptions: FuzzProperties.subOptions(data)
        case .optionPayload: FuzzProperties.optionPayload(data)
        case .keaJSON: FuzzProperties.keaJSON(data)
        case .expression: FuzzProperties.expression(data)
        case .leases4: FuzzProperties.leases4(data)
        case .leases6: FuzzProperties.leases6(data)
        case .control: FuzzProperties.control(data)
        case .dns: FuzzProperties.dns(data)
        }
    }
}

public enum FuzzProperties {
    static func text(_ data: [UInt8]) -> String { String(decoding: data, as: UTF8.self) }

    // MARK: Wire codecs

    /// DHCPv4: a decoded message encodes (with room for every option, so nothing is moved into
    /// file/sname or dropped) to bytes that decode to the same message. Rejections are typed by
    /// the decoder's signature (`DHCPv4DecodeError`).
    public static func dhcp4(_ data: [UInt8]) -> String? {
        guard case .success(let message) = DHCPv4Message.decode(data) else { return nil }
        let bytes = message.encode(maxSize: 1 << 20)
        switch DHCPv4Message.decode(bytes) {
        case .failure(let e): return "re-encoded message does not decode: \(e)"
        case .success(let again):
            guard again == message else { return "decode(encode(m)) != m\n  m:     \(message)\n  again: \(again)" }
            guard again.encode(maxSize: 1 << 20) == bytes else { return "encoding is not stable" }
        }
        return nil
    }

    /// DHCPv6: an accepted message encodes back to the exact bytes it came from, and those
    /// decode to the same value.
    public static func dhcp6(_ data: [UInt8]) -> String? {
        guard case .success(let message) = DHCPv6Message.decode(data) else { return nil }
        let bytes = message.encode()
        guard bytes == data else { return "encode(decode(b)) != b: \(bytes.count) bytes vs \(data.count)" }
        guard case .success(let again) = DHCPv6Message.decode(bytes), again == message else {
            return "decode(encode(m)) != m"
        }
        return nil
    }

    /// DNS (RFC 1035/2136/8945 codec): a decoded message re-encodes (compressed anew) to
    /// bytes that decode to the same message, and that encoding is stable.
    public static func dns(_ data: [UInt8]) -> String? {
        guard case .success(let message) = DNSMessage.decode(data) else { return nil }
        let bytes = message.encode()
        switch DNSMessage.decode(bytes) {
        case .failure(let e): return "re-encoded message does not decode: \(e)"
        case .success(let again):
            guard again == message else { return "decode(encode(m)) != m\n  m:     \(message)\n  again: \(again)" }
            guard again.encode() == bytes else { return "encoding is not stable" }
        }
        return nil
    }

    /// `SubOptions.first` against a reference walk of the code-length-value list: the same
    /// sub-option (by position) for every code, with and without a filter.
    /// Input: byte 0 is the code searched for, the rest is the list.
    public static func subOptions(_ data: [UInt8]) -> String? {
        guard let code = data.first else { return nil }
        let list = data.dropFirst()
        // Reference: every whole entry up to the first truncated one.
        var entries: [Range<Int>] = [], codes: [UInt8] = []
        var i = list.startIndex
        while i + 1 < list.endIndex {
            let end = i + 2 + Int(list[i + 1])
            guard end <= list.endIndex else { break }
            entries.append((i + 2)..<end); codes.append(list[i])
            i = end
        }
        let expected = zip(codes, entries).first { $0.0 == code }?.1
        let got = SubOptions.first(code, in: list)
        guard got?.indices == expected, got.map(Array.init) == expected.map({ Array(list[$0]) }) else {
            return "SubOptions.first(\(code)) found \(String(describing: got?.indices)), expected \(String(describing: expected))"
        }
        // With a filter that refuses the first match: the next one of that code.
        let second = zip(codes, entries).filter { $0.0 == code }.dropFirst().first?.1
        let filtered = SubOptions.first(code, in: list) { $0.startIndex != expected?.lowerBound }
        guard filtered?.indices == second else { return "SubOptions.first with a filter missed the second \(code)" }
        return nil
    }

    /// Option payloads of every DHCPv4 space: rendering is total, and text rendered from a
    /// payload that decoded by its definition reads back through `OptionDataEncoder` to the same
    /// bytes (less a string's trailing NULs, which rendering drops as Kea does). Input: byte 0 picks the space (0: dhcp4), byte 1 the code, the rest is the payload.
    public static func optionPayload(_ data: [UInt8]) -> String? {
        guard data.count >= 2 else { return nil }
        let table = OptionTable.dhcp4
        let spaces = [OptionSpaceName.dhcp4] + table.spaceNames.filter { $0 != .dhcp4 }
        let space = spaces[Int(data[0]) % spaces.count]
        let code = UInt16(data[1])
        let payload = Array(data.dropFirst(2))
        let key = OptionKey(space: space, code: code)
        let rendered = table.render(key, payload: payload)
        guard table.definition(key) != nil, rendered != colonHex(payload) else { return nil }
        var spec = OptionDataSpec(position: SourcePosition(file: "fuzz", line: 1, column: 1))
        spec.code = Int(code)
        spec.space = "\(space)"
        spec.data = rendered
        do {
            let option = try OptionDataEncoder.encode(spec, table: table)
            // A string's trailing NULs are dropped, as Kea's OptionString does: the text then
            // stands for the trimmed payload (finding-string-trailing-nul).
            let lossy = option.payload.count < payload.count && payload.starts(with: option.payload)
                && payload[option.payload.count...].allSatisfy { $0 == 0 }
            guard option.payload == payload || lossy else {
                return "\(key): payload \(colonHex(payload)) renders as \"\(rendered)\", which encodes to \(colonHex(option.payload))"
            }
        } catch {
            return "\(key): payload \(colonHex(payload)) renders as \"\(rendered)\", which does not encode: \(error)"
        }
        return nil
    }

    static func colonHex(_ bytes: [UInt8]) -> String {
        bytes.map { b in String(b >> 4, radix: 16) + String(b & 15, radix: 16) }.joined(separator: ":")
    }

    // MARK: Configuration text

    /// Kea's JSON dialect with includes: the input is split at lines "@@@" into the main file
    /// and files named "1", "2", …, served from memory. An accepted document serializes
    /// (compact and pretty) to text that parses to the same value; a rejection is a
    /// `ConfigError` with a position.
    public static func keaJSON(_ data: [UInt8]) -> String? {
        let parts = text(data).split(separator: "\n@@@\n", omittingEmptySubsequences: false).map(String.init)
        var files: [String: String] = [:]
        for (n, part) in parts.dropFirst().enumerated() { files["\(n + 1)"] = part }
        let include: (String) throws -> String = { name in
            guard let text = files[name] else { throw ConfigError(message: "no such file \(name)") }
            return text
        }
        let root: JSON
        do {
            root = try KeaJSON.parse(parts[0], file: "main", include: include).plain
        } catch {
            return nil
        }
        for pretty in [false, true] {
            let out = root.serialized(pretty: pretty)
            do {
                let again = try KeaJSON.parse(out, file: "again", include: { _ in throw ConfigError(message: "no includes") }).plain
                guard again == root else { return "parse(serialize(v)) != v (pretty: \(pretty)):\n\(out)" }
            } catch {
                return "serialized text does not parse (pretty: \(pretty)): \(error)\n\(out)"
            }
        }
        return nil
    }

    // MARK: Client classification

    /// A fixed packet with the options expressions look at.
    static let packet: ClassificationInput4 = {
        var m = DHCPv4Message()
        m.xid = 0x1234_5678
        m.chaddr = [2, 0, 0, 0, 0, 1] + Array(repeating: 0, count: 10)
        m.giaddr = IPv4Address(192, 0, 2, 1)
        m.options[53] = [1]
        m.options[12] = Array("host-one".utf8)
        m.options[60] = Array("docsis3.0".utf8)
        m.options[61] = [1, 2, 0, 0, 0, 0, 1]
        m.options[82] = [1, 4, 0x65, 0x74, 0x68, 0x30, 2, 3, 1, 2, 3, 5, 4, 10, 0, 0, 1]
        m.options[124] = [0, 0, 0x11, 0x8B, 5, 4, 1, 2, 3, 4]
        m.options[125] = [0, 0, 0x11, 0x8B, 6, 2, 4, 1, 2, 3, 4]
        m.options[43] = [1, 2, 0xAB, 0xCD]
        return ClassificationInput4(message: m, interfaceName: "eth0", source: .v4(IPv4Address(192, 0, 2, 1)),
                                    destination: .v4(IPv4Address(192, 0, 2, 254)), packetLength: 300,
                                    classes: ["ALL", "KNOWN", "foo"])
    }()

    /// A fixed DHCPv6 Solicit, relayed twice (interface-id outside, remote-id inside), with
    /// the options v6 expressions look at. Built per call, not kept in a static: the relay chain
    /// sits in an indirect enum whose box pointer Swift stores with tag bits, which
    /// LeakSanitizer cannot follow, so a static copy is reported as a leak.
    static func packet6() -> ClassificationInput6 {
        var m = DHCPv6ClientMessage(messageType: .solicit, transactionID: 0xABCDEF)
        m.options.append(1, [0, 3, 0, 1, 2, 0, 0, 0, 0, 1])
        m.options.append(15, [0, 4] + Array("lab1".utf8))
        m.options.append(16, [0, 0, 0x11, 0x8B, 0, 9] + Array("docsis3.0".utf8))
        m.options.append(17, [0, 0, 0x11, 0x8B, 0, 1, 0, 2, 0, 0x20])
        m.options.append(56, [0, 3, 0, 2, 0xAA, 0xBB])
        var outerOptions = DHCPv6Options()
        outerOptions.append(18, Array("eth0/1".utf8))
        var innerOptions = DHCPv6Options()
        innerOptions.append(37, [0, 0, 0, 9, 0xCA, 0xFE])
        let inner = DHCPv6RelayMessage(direction: .forward, hopCount: 0, linkAddress: .unspecified,
                                       peerAddress: IPv6Address(high: 0xFE80_0000_0000_0000, low: 2),
                                       options: innerOptions, relayedMessage: .client(m))
        let outer = DHCPv6RelayMessage(direction: .forward, hopCount: 1,
                                       linkAddress: IPv6Address(high: 0x2001_0DB8_0001_0000, low: 1),
                                       peerAddress: IPv6Address(high: 0xFE80_0000_0000_0000, low: 1),
                                       options: outerOptions, relayedMessage: .relay(inner))
        return ClassificationInput6(message: m, relays: [outer, inner], interfaceName: "eth1", packetLength: 120,
                                    classes: ["ALL", "UNKNOWN"])
    }

    /// The expression language, with each family's table: both parse modes are total and
    /// deterministic (an error carries a position); an expression that parses evaluates totally
    /// and deterministically against a fixed packet of its family, `evaluate` agreeing with
    /// `evaluateString` for a test.
    public static func expression(_ data: [UInt8]) -> String? {
        expression(data, table: .dhcp4, packet) ?? expression(data, table: .dhcp6, packet6())
    }

    static func expression<Input: ClassificationInput>(_ data: [UInt8], table: OptionTable, _ packet: Input) -> String? {
        let source = text(data)
        for asString in [false, true] {
            let parse = asString ? ClassExpression.parseString : ClassExpression.parse
            let first: Result<ClassExpression, ConfigError>
            let second: Result<ClassExpression, ConfigError>
            do { first = .success(try parse(source, "<fuzz>", 1, 1, table)) } catch { first = .failure(error) }
            do { second = .success(try parse(source, "<fuzz>", 1, 1, table)) } catch { second = .failure(error) }
            guard first == second else { return "parse is not deterministic (string mode: \(asString))" }
            switch first {
            case .failure(let e):
                guard e.position != nil else { return "parse error without a position: \(e)" }
            case .success(let e):
                let verdict = e.evaluate(packet)
                let value = e.evaluateString(packet)
                guard verdict == e.evaluate(packet), value == e.evaluateString(packet) else {
                    return "evaluation is not deterministic: \(source)"
                }
                if case .condition = e.root, verdict != (value == .success(Array("true".utf8))) {
                    return "evaluate and evaluateString disagree: \(source)"
                }
            }
        }
        return nil
    }

    // MARK: Lease files

    /// memfile CSV (DHCPv4): whatever loads is well formed, and writing the loaded leases out
    /// and loading that text gives the same leases with no row rejected.
    public static func leases4(_ data: [UInt8]) -> String? {
        var store = MemoryLeaseStore4()
        _ = LeaseFile4.load(text: text(data), into: &store)
        let leases = store.all()
        if let bad = leases.first(where: { !$0.isWellFormed }) { return "loaded a lease that is not well formed: \(bad)" }
        let written = LeaseFile4.text(of: leases)
        var again = MemoryLeaseStore4()
        let report = LeaseFile4.load(text: written, into: &again)
        guard again.all() == leases else { return "load(text(load(x))) != load(x)\n\(written)" }
        guard report.errors.isEmpty else { return "rewritten file has rejected rows: \(report)\n\(written)" }
        return nil
    }

    /// memfile CSV (DHCPv6), as `leases4`.
    public static func leases6(_ data: [UInt8]) -> String? {
        var store = MemoryLeaseStore6()
        _ = LeaseFile6.load(text: text(data), into: &store)
        let leases = store.all()
        if let bad = leases.first(where: { !$0.isWellFormed }) { return "loaded a lease that is not well formed: \(bad)" }
        let written = LeaseFile6.text(of: leases)
        var again = MemoryLeaseStore6()
        let report = LeaseFile6.load(text: written, into: &again)
        guard again.all() == leases else { return "load(text(load(x))) != load(x)\n\(written)" }
        guard report.errors.isEmpty else { return "rewritten file has rejected rows: \(report)\n\(written)" }
        return nil
    }

    // MARK: Control channel

    /// A small engine: 192.0.2.0/24, pool .10-.19.
    static func engine(now: Now) -> Dhcp4Engine<MemoryLeaseStore4> {
        var c = Dhcp4Config()
        c.timers.validLifetimeSeconds = 3600
        var s = Subnet4(id: 1, prefix: IPv4Prefix("192.0.2.0/24")!)
        s.pools = [Pool4(first: IPv4Address(192, 0, 2, 10), last: IPv4Address(192, 0, 2, 19))]
        c.subnets = [s]
        return Dhcp4Engine(config: c, store: MemoryLeaseStore4(), now: now)
    }

    /// Control connections: the input is split at NUL bytes into connections, each fed to a
    /// framer in chunks (sizes taken from the bytes themselves) and at once; both ways give the
    /// same frame, a request being a prefix of what was sent. Each request is decoded (a request
    /// or a rejection carrying a result-1 answer) and dispatched by the command table to one
    /// engine kept across connections; every answer has an integer result and every lease in
    /// the store stays well formed.
    public static func control(_ data: [UInt8]) -> String? {
        let now = Now(wall: WallTime(secondsSinceEpoch: 1_800_000_000), monotonic: MonotonicInstant(milliseconds: 0))
        var engine = engine(now: now)
        let dispatcher = ControlDispatcher(table: DaemonCommand.table.merged(with: engine.activeCommandTable))
        for connection in data.split(separator: 0, omittingEmptySubsequences: false).prefix(16) {
            let bytes = Array(connection)
            var whole = ControlFramer(requestBytesMax: 4096)
            var frame = whole.receive(bytes)
            if frame == .incomplete { frame = whole.endOfInput() }
            var chunked = ControlFramer(requestBytesMax: 4096)
            var chunkedFrame = ControlFrame.incomplete
            var i = 0
            while i < bytes.count, chunkedFrame == .incomplete {
                let n = 1 + Int(bytes[i] % 7)
                chunkedFrame = chunked.receive(bytes[i..<min(bytes.count, i + n)])
                i += n
            }
            if chunkedFrame == .incomplete { chunkedFrame = chunked.endOfInput() }
            guard frame == chunkedFrame else { return "framing depends on chunking: \(frame) vs \(chunkedFrame)" }
            guard case .request(let request) = frame else { continue }
            guard request.count <= bytes.count, Array(bytes.prefix(request.count)) == request else {
                return "framed request is not a prefix of the input"
            }
            let answer: JSON
            switch ControlRequest.decode(text(request)) {
            case .failure(let rejection):
                guard rejection.answer["result"]?.intValue == 1 else { return "rejection without result 1: \(rejection.answer)" }
                continue
            case .success(let decoded):
                answer = dispatcher.answer(decoded, engine: { entry, request in
                    engine.handle(command: entry.name, arguments: request.arguments, now: now)?.0
                        ?? ControlDispatcher.unsupported(entry.name)
                }, daemon: { _, _ in ControlResponse.make(.success, "daemon command") })
            }
            guard answer["result"]?.intValue != nil else { return "answer without an integer result: \(answer)" }
            if let bad = engine.store.all().first(where: { !$0.isWellFormed }) { return "a command stored a malformed lease: \(bad)" }
        }
        return nil
    }
}
