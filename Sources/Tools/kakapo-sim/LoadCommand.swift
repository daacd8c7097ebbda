import Glibc
import KakapoCore
import KakapoLinuxIO

/// `kakapo-sim load`: virtual clients in real time over UDP against a real server, acting as
/// a relay agent the way `perfdhcp -4 -l ADDRESS` (or `perfdhcp -6 -l`, with `-6`) does.
struct LoadOptions {
    /// DHCPv6 (`-6`) rather than DHCPv4.
    var family6 = false
    var server = IPAddress.v4(.zero)
    /// 67, or 547 with -6, unless given.
    var serverPort: UInt16 = 67
    /// giaddr (DHCPv4) and the local address replies come back to (port `relayPort`).
    var relay: IPAddress?
    var relayPort: UInt16 = 67
    /// DHCPv6: the Relay-forward's link-address, by which the server selects the subnet
    /// (default: the relay address).
    var linkAddress: IPv6Address?
    /// DHCPv6: an IA_PD besides the IA_NA in every Solicit and Request (perfdhcp -e
    /// address-and-prefix); the exchange completes only with both.
    var prefixDelegation = false
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
        usage: kakapo-sim load [-6] --server ADDR [--rate R] [--clients N] [--duration S]
                               [--relay-address A] [--timeout-ms T] [--json]
                               [--drain-ms D] [--offer-wait-ms W] [--seed N]
                               [--server-port P] [--relay-port P] [--acks FILE]
                               [--link-address L] [--pd]

        Drives the simulator's virtual DHCPv4 clients (RFC 2131 state machine) in real time
        against a DHCPv4 server, as a relay agent (like perfdhcp -4 -l A): every message goes by
        UDP to ADDR:67 with giaddr A and hops 1, replies come back to A:67.

        With -6, DHCPv6 clients (DUID-LL 00:03:00:01:02:00:xx:xx:xx:xx) against a DHCPv6 server,
        like perfdhcp -6 -l: Solicit, then Request for what the Advertise offered, each in a
        Relay-forward (link-address L) to [ADDR]:547; Relay-replies come back to [A]:547.

          -6                   DHCPv6 (default: DHCPv4; -4 says so)
          --server ADDR        the server's address, IPv4 or with -6 IPv6 (required)
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
                               when absent). Crash tests compare them with the lease file.
                               With -6: "ADDRESS-OR-PREFIX DUID EXPIRY" for each address
                               and prefix with a non-zero valid lifetime in a Reply
          --link-address L     -6: the Relay-forward's link-address, which selects the
                               subnet (relay.ip-addresses or the subnet's prefix);
                               default the relay address
          --pd                 -6: ask for a prefix (IA_PD) too; also -e address-and-prefix
                               (-e address-only is the default)

        Exit status (as perfdhcp): 0 every exchange completed, 1 error, 2 bad arguments,
        3 some exchanges were dropped.
        """
}

enum LoadArgumentError: Error { case help, bad(String) }

extension LoadOptions {
    init(arguments args: [String]) throws(LoadArgumentError) {
        var i = 0
        var serverText: String? = nil
        var relayText: String? = nil
        var serverPortGiven: UInt16? = nil
        var relayPortGiven: UInt16? = nil
        var linkText: String? = nil
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
            case "-6": family6 = true
            case "-4": family6 = false
            case "--server", "-s": serverText = try value(name, inline)
            case "--relay-address", "--relay", "-l": relayText = try value(name, inline)
            case "--link-address": linkText = try value(name, inline)
            case "--pd": prefixDelegation = true
            case "-e":
                switch try value(name, inline) {
                case "address-only": prefixDelegation = false
                case "address-and-prefix": prefixDelegation = true
                case let t: throw .bad("-e: 'address-only' or 'address-and-prefix', not '\(t)'")
                }
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
            case "--server-port": serverPortGiven = UInt16(try integer(name, value(name, inline), min: 1, max: 65535))
            case "--relay-port": relayPortGiven = UInt16(try integer(name, value(name, inline), min: 1, max: 65535))
            case "--json": json = true
            case "--acks":
                let t = try value(name, inline)
                guard !t.isEmpty else { throw .bad("--acks needs a file name") }
                acksPath = t
            default: throw .bad("unknown argument '\(args[i])'")
            }
            i += 1
        }
        // The addresses are read once the family is known (-6 may come after them).
        let familyName = family6 ? "IPv6" : "IPv4"
        func address(_ option: String, _ text: String) throws(LoadArgumentError) -> IPAddress {
            guard let a = IPAddress(text), (a.v6 != nil) == family6 else {
                throw .bad("\(option): not an \(familyName) address: '\(text)'")
            }
            return a
        }
        guard let serverText else { throw .bad("--server ADDR is required") }
        server = try address("--server", serverText)
        if let relayText { relay = try address("--relay-address", relayText) }
        if let linkText {
            guard family6 else { throw .bad("--link-address is for -6") }
            guard case .v6(let a) = try address("--link-address", linkText) else { throw .bad("--link-address: not IPv6") }
            linkAddress = a
        }
        if prefixDelegation && !family6 { throw .bad("--pd is for -6") }
        serverPort = serverPortGiven ?? (family6 ? 547 : 67)
        relayPort = relayPortGiven ?? (family6 ? 547 : 67)
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
    var ackLog: AckLog? = nil
    if let path = options.acksPath {
        guard let log = AckLog(path: path) else {
            printError("kakapo-sim load: cannot open --acks file \(path)")
            return 1
        }
        ackLog = log
    }
    let report: LoadReport
    switch options.server {
    case .v4(let server):
        guard let relay = options.relay?.v4 ?? LoadSupport.sourceAddress(toward: server, port: options.serverPort) else {
            printError("kakapo-sim load: no route to \(server); give --relay-address")
            return 1
        }
        options.relay = .v4(relay)
        let socket: UDPSocket
        do {
            socket = try UDPSocket(port: options.relayPort, bindAddress: relay)
        } catch {
            return cannotReceive(options, error)
        }
        let family = LoadFamily4(socket: socket, server: server, serverPort: options.serverPort, relay: relay,
                                 clients: options.clients, seed: options.seed, ackLog: ackLog)
        report = LoadRun(options: options, family: family, support: LoadSupport()).run()
    case .v6(let server):
        guard let relay = options.relay?.v6 ?? LoadSupport.sourceAddress(toward: server, port: options.serverPort) else {
            printError("kakapo-sim load: no route to \(server); give --relay-address")
            return 1
        }
        options.relay = .v6(relay)
        if options.linkAddress == nil { options.linkAddress = relay }
        let socket: UDP6Socket
        do {
            socket = try UDP6Socket(port: options.relayPort, bindAddress: relay)
        } catch {
            return cannotReceive(options, error)
        }
        let family = LoadFamily6(socket: socket, server: server, serverPort: options.serverPort,
                                 linkAddress: options.linkAddress ?? relay, relayPort: options.relayPort,
                                 prefixDelegation: options.prefixDelegation, clients: options.clients,
                                 seed: options.seed, ackLog: ackLog)
        report = LoadRun(options: options, family: family, support: LoadSupport()).run()
    }
    if options.json {
        print(report.json().serialized())
    } else {
        print(report.text(), terminator: "")
    }
    return report.totalDrops > 0 || report.completed < report.started ? 3 : 0
}

private func cannotReceive(_ options: LoadOptions, _ error: SocketError) -> Int32 {
    let privileged = options.relayPort < 1024 ? "; port \(options.relayPort) needs root or CAP_NET_BIND_SERVICE" : ""
    printError("kakapo-sim load: cannot receive replies on \(options.relayEndpoint): \(error.description)"
               + " (the relay address must be local\(privileged))")
    return 1
}

extension LoadOptions {
    /// "192.0.2.1:67", "[2001:db8::1]:547".
    static func endpoint(_ a: IPAddress, _ port: UInt16) -> String {
        a.v6 != nil ? "[\(a)]:\(port)" : "\(a):\(port)"
    }
    var serverEndpoint: String { Self.endpoint(server, serverPort) }
    var relayEndpoint: String { relay.map { Self.endpoint($0, relayPort) } ?? "-" }
}

/// `--acks FILE`: one line "ADDRESS MAC [EXPIRY]" per DHCPACK received (EXPIRY: Unix time of
/// arrival plus the lease time, option 51, when present), or with -6 one line per address and
/// prefix a Reply binds, appended with one write(2) each (O_APPEND), so the lines are in the
/// file as soon as the answer was seen.
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
        write("\(m.yiaddr) \(mac)\(expiry)")
    }

    /// Appends one line (a newline is added).
    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
