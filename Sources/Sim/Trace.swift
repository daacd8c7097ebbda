import KakapoCore

/// One line of a simulation trace (JSON Lines). Every line has `t` (virtual milliseconds since
/// the start), `seq` (line number from 0) and `kind`; the other fields depend on the kind:
///
/// - `datagram`: `event` send|deliver|drop, `from`, `to` (node names: `client:<mac>`,
///   `server:<name>`, `relay:<segment>`, `rogue:<segment>`), `msg` (DHCPDISCOVER... or
///   `malformed`), `xid` ("0x..."), `mac`, and when set `ciaddr`, `yiaddr`, `giaddr`,
///   `requested`, `server_id`; for drops `reason` (loss|partition|server-down).
/// - `decision`: `server`, `event` (advertised|allocated|renewed|nak|released|declined|
///   informed|allocation-failed|dropped|reclaimed|flushed), `mac`, `address`, `reason`.
/// - `lease`: `server`, `op` upsert|delete, `address`, `mac`, `state`, `expire`, `durable`.
/// - `client`: `mac`, `state` (the new RFC 2131 state), `address`, `note`.
/// - `fault`: `fault` (crash|restart|reload|loss-burst|loss-burst-end|partition|heal|
///   clock-jump|malformed-flood), `target`, `detail`.
/// - `invariant`: `ok` true|false, `checked` (events checked since the last line), `invariant`
///   and `detail` when violated.
/// - `end`: the summary figures.
///
/// DHCPv6 runs (`family: 6`) write the same kinds: datagrams name RFC 8415 messages (SOLICIT,
/// ADVERTISE, REQUEST, REPLY, RENEW, REBIND, CONFIRM, DECLINE, RELEASE) with `xid`, `mac` (from
/// the client's DUID-LL), `address` (the IAs' addresses and prefixes) and `status`; decisions
/// carry the engine's log id as `event` and its log text as `detail`; leases give `address` as
/// a prefix (/128 for addresses); client states are SOLICIT, REQUEST, BOUND, RENEW, REBIND,
/// CONFIRM, DECLINE, LEFT.
public struct TraceRecord: Sendable {
    public var time: Int64
    public var kind: String
    /// Ordered fields after t/seq/kind; values are strings, numbers or booleans.
    public var fields: [(String, TraceValue)]

    public init(time: Int64, kind: String, _ fields: [(String, TraceValue)]) {
        self.time = time
        self.kind = kind
        self.fields = fields
    }

    /// The line, without the trailing newline. Field order is fixed, so equal runs give equal bytes.
    public func line(seq: Int) -> String {
        var s = "{\"t\":\(time),\"seq\":\(seq),\"kind\":\"\(kind)\""
        for (k, v) in fields {
            s += ",\"\(k)\":"
            switch v {
            case .string(let x): s += TraceRecord.quote(x)
            case .int(let x): s += String(x)
            case .bool(let x): s += x ? "true" : "false"
            }
        }
        return s + "}"
    }

    /// A JSON string literal, escaped by Core's serializer.
    static func quote(_ x: String) -> String { JSON.string(x).serialized() }
}

public enum TraceValue: Sendable, Equatable {
    case string(String)
    case int(Int64)
    case bool(Bool)
}

/// Where trace lines go. The simulator calls `write` only when tracing is on, so a run without
/// a trace builds no strings.
public protocol TraceSink: AnyObject {
    func write(_ line: String)
}

/// Collects lines in memory (tests, hashing).
public final class MemoryTraceSink: TraceSink {
    public private(set) var lines: [String] = []
    public init() {}
    public func write(_ line: String) { lines.append(line) }
}
