import Glibc
import KakapoCore
import KakapoLinuxIO

/// `kakapo-sim load`: the simulator's virtual DHCPv4 clients in real time over UDP against a
/// real server, acting as a relay agent the way `perfdhcp -4 -l ADDRESS` does.
struct LoadOptions {
    var server = IPv4Address.zero
    var serverPort: UInt16 = 67
    /// giaddr and the local address replies come back to (port `relayPort`).
    var relay: IPv4Address?
    var relayPort: UInt16 = 67
    /// New clients starting a DORA per second (perfdhcp -r).
    var rate = 100.0
    /// Distinct clients, cycled through (perfdhcp -R).
    var clients = 1000
    /// Seconds of sending (perfdhcp -p).
    var durationSeconds = 10.0
    /// An exchange whose reply has not come within this is a drop (perfdhcp -d, 1 s).
    var timeoutMilliseconds: Int64 = 1000
    /// After the sending period, at most how long to wait for exchanges in flight (default:
    /// twice the timeout, plus the OFFER wait); the run ends as soon as none is left.
    var drainMilliseconds: Int64?
    /// How long a client collects OFFERs before it REQUESTs (0: takes the first at once, like
    /// perfdhcp; the RFC client's own window is 200 ms).
    var offerWaitMilliseconds: Int64 = 0
    var seed: UInt64 = 1
    var json = false
    /// Appends "address mac expiry" for every DHCPACK received (yiaddr not 0), as it arrives.
    var acksPath: String?

    static let usage = """
        usage: kakapo-sim load --server ADDR [--rate R] [--clients N] [--duration S]
                               [--relay-address A] [--timeout-ms T] [--json]
                               [--drain-ms D] [--offer-wait-ms W] [--seed N]
                               [--server-port P] [--relay-port P] [--acks FILE]

        Drives the simulator's virtual DHCPv4 clients (RFC 2131 state machine) in real time
        against a DHCPv4 server, as a relay agent (like perfdhcp -4 -l A): every message goes by
        UDP to ADDR:67 with giaddr A and hops 1, replies come back to A:67.

          --server ADDR        the server's IPv4 address (required)
          --rate R             new clients starting DISCOVER-OFFER-REQUEST-ACK per second
                               (perfdhcp -r; default 100)
          --clients N          distinct clients (MACs 02:00:xx:xx:xx:xx), cycled through;
                               a client still busy is skipped (perfdhcp -R; default 1000)
          --duration S         seconds of sending (perfdhcp -p; default 10), then a drain
          --relay-address A    giaddr and the local address to receive replies on (default:
                               the source address of the route towards ADDR)
          --timeout-ms T       an exchange with no reply within T ms is a drop, never
                               retransmitted (perfdhcp -d; default 1000)
          --drain-ms D         after the sending period, at most how long to wait for the
                               DORAs in flight (default: twice the timeout; 0 stops at once,
                               like perfdhcp, counting them as drops)
          --offer-wait-ms W    how long a client collects OFFERs before its REQUEST
                               (default 0: the first OFFER, like perfdhcp)
          --seed N             randomness of the clients (transaction ids); default 1
          --json               print the report as one JSON object
          --acks FILE          append one line "ADDRESS MAC EXPIRY" to FILE for every
                               DHCPACK received with a non-zero yiaddr, late or unmatched
                               ones included, written as it arrives; EXPIRY is the Unix
                               time of arrival plus the lease time (option 51; left out
                               when absent). Crash tests compare them with the lease file

        Exit status (as perfdhcp): 0 every exchange completed, 1 error, 2 bad arguments,
        3 some exchanges were dropped.
        """
}

enum LoadArgumentError: Error { case help, bad(String) }

extension LoadOptions {
    init(arguments args: [String]) throws(LoadArgumentError) {
        var i = 0
        var sawServer = false
        func value(_ name: String, _ inline: String?) throws(LoadArgumentError) -> String {
            if let v = inline { return v }
            i += 1
            guard i < args.count else { throw .bad("\(name) needs a value") }
            return args[i]
        }
        func number(_ name: String, _ text: String, min: Double) throws(LoadArgumentError) -> Double {
            guard let v = Double(text), v.isFinite, v >= min else { throw .bad("\(name): bad value '\(text)'") }
            return v
        }
        func integer(_ name: String, _ text: String, min: Int64, max: Int64 = Int64.max) throws(LoadArgumentError) -> Int64 {
            guard let v = Int64(text), v >= min, v <= max else { throw .bad("\(name): bad value '\(text)'") }
            return v
        }
        while i < args.count {
            var name = args[i]
            var inline: String? = nil
            if name.hasPrefix("--"), let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            switch name {
            case "-h", "--help": throw .help
            case "--server", "-s":
                let t = try value(name, inline)
                guard let a = IPv4Address(t) else { throw .bad("--server: not an IPv4 address: '\(t)'") }
                server = a
                sawServer = true
            case "--relay-address", "--relay", "-l":
                let t = try value(name, inline)
                guard let a = IPv4Address(t) else { throw .bad("--relay-address: not an IPv4 address: '\(t)'") }
                relay = a
            case "--rate", "-r":
                rate = try number(name, value(name, inline), min: 0)
                guard rate > 0 else { throw .bad("--rate must be more than 0") }
            case "--clients", "-R": clients = Int(try integer(name, value(name, inline), min: 1, max: 16_000_000))
            case "--duration", "-p":
                durationSeconds = try number(name, value(name, inline), min: 0)
                guard durationSeconds > 0, durationSeconds <= 86_400 else { throw .bad("--duration: between 0 and 86400 seconds") }
            case "--timeout-ms", "-d": timeoutMilliseconds = try integer(name, value(name, inline), min: 1, max: 3_600_000)
            case "--drain-ms": drainMilliseconds = try integer(name, value(name, inline), min: 0, max: 3_600_000)
            case "--offer-wait-ms": offerWaitMilliseconds = try integer(name, value(name, inline), min: 0, max: 60_000)
            case "--seed": seed = UInt64(try integer(name, value(name, inline), min: 0))
            case "--server-port": serverPort = UInt16(try integer(name, value(name, inline), min: 1, max: 65535))
            case "--relay-port": relayPort = UInt16(try integer(name, value(name, inline), min: 1, max: 65535))
            case "--json": json = true
            case "--acks":
                let t = try value(name, inline)
                guard !t.isEmpty else { throw .bad("--acks needs a file name") }
                acksPath = t
            default: throw .bad("unknown argument '\(args[i])'")
            }
            i += 1
        }
        guard sawServer else { throw .bad("--server ADDR is required") }
        guard rate * durationSeconds <= 100_000_000 else { throw .bad("--rate times --duration: at most 100,000,000 DORAs") }
    }
}

private func printError(_ text: String) {
    let bytes = Array((text + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}

/// Entry point for `kakapo-sim load ARGS...`; returns the exit status.
func runLoadCommand(_ args: [String]) -> Int32 {
    var options: LoadOptions
    do {
        options = try LoadOptions(arguments: args)
    } catch {
        switch error {
        case .help: print(LoadOptions.usage); return 0
        case .bad(let why): printError("kakapo-sim load: \(why)\n\(LoadOptions.usage)"); return 2
        }
    }
    if options.relay == nil {
        guard let a = LoadSupport.sourceAddress(toward: options.server, port: options.serverPort) else {
            printError("kakapo-sim load: no route to \(options.server); give --relay-address")
            return 1
        }
        options.relay = a
    }
    let socket: UDPSocket
    do {
        socket = try UDPSocket(port: options.relayPort, bindAddress: options.relay!)
    } catch {
        printError("kakapo-sim load: cannot receive replies on \(options.relay!):\(options.relayPort): \(error.description)"
                   + " (the relay address must be local; port 67 needs root or CAP_NET_BIND_SERVICE)")
        return 1
    }
    var ackLog: AckLog? = nil
    if let path = options.acksPath {
        guard let log = AckLog(path: path) else {
            printError("kakapo-sim load: cannot open --acks file \(path)")
            return 1
        }
        ackLog = log
    }
    let run = LoadRun(options: options, socket: socket, support: LoadSupport())
    run.ackLog = ackLog
    let report = run.run()
    if options.json {
        print(report.json().serialized())
    } else {
        print(report.text(), terminator: "")
    }
    return report.totalDrops > 0 || report.completed < report.started ? 3 : 0
}

/// `--acks FILE`: one line "ADDRESS MAC [EXPIRY]" per DHCPACK received (EXPIRY: Unix time of
/// arrival plus the lease time, option 51, when present), appended with one write(2) each
/// (O_APPEND), so the lines are in the file as soon as the ACK was seen.
final class AckLog {
    private let fd: Int32

    init?(path: String) {
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    func record(_ m: DHCPv4Message) {
        guard m.yiaddr != .zero else { return }
        let mac = m.chaddr.prefix(Int(min(m.hlen, 16))).map { b in
            let h = String(b, radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined(separator: ":")
        // The expiry the ACK promises: the wall-clock second it arrived plus option 51.
        var expiry = ""
        if let v = m.options[51], v.count == 4 {
            let lifetime = Int(v[0]) << 24 | Int(v[1]) << 16 | Int(v[2]) << 8 | Int(v[3])
            expiry = " \(Int(time(nil)) + lifetime)"
        }
        let bytes = Array("\(m.yiaddr) \(mac)\(expiry)\n".utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
