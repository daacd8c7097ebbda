import Glibc
import KakapoCore

/// Kea's `kea-dhcp6-serverid` file: the server's DUID, kept so that clients see the same
/// server across restarts. The DUID itself is made by `ServerDUID` (Core); this is the I/O.
public enum ServerIDFile {
    /// Kea's location: the data directory (`<localstatedir>/lib/kea`), beside the lease files.
    public static var defaultPath: String { "\(BuildPaths.localStateDir)/lib/kea/kea-dhcp6-serverid" }

    public struct Outcome: Equatable {
        public var duid: [UInt8]
        /// The file held a DUID (whether or not it was kept).
        public var loaded: Bool
        /// The file was (re)written with `duid`.
        public var written: Bool
        /// Why writing failed, if it did.
        public var writeFailure: String?
    }

    /// The DUID to serve with: the stored one when the configuration allows (`persist`, and its
    /// type and values agree), else a new one, written to `path` when `persist` is set and it
    /// differs from what the file holds.
    public static func establish(_ c: ServerIDConfig, path: String, interfaces: [SystemInterface],
                                 wall: WallTime, random: [UInt8]) -> Outcome {
        let stored = c.persist ? (try? readFile(path)).flatMap(ServerDUID.parseFile) : nil
        let duid = ServerDUID.make(c, stored: stored, linkLayer: linkLayer(interfaces), wall: wall, random: random)
        var outcome = Outcome(duid: duid, loaded: stored != nil, written: false, writeFailure: nil)
        guard c.persist, duid != stored else { return outcome }
        do {
            try writeFileAtomically(path, ServerDUID.fileText(duid))
            outcome.written = true
        } catch {
            outcome.writeFailure = error.description
        }
        return outcome
    }

    /// The first interface with a usable link-layer address (not loopback, at least 6 bytes,
    /// not all zero), as Kea picks one for a DUID-LLT or DUID-LL; Ethernet hardware type.
    public static func linkLayer(_ interfaces: [SystemInterface]) -> ServerDUID.LinkLayer? {
        interfaces.first { !$0.isLoopback && $0.macAddress.count >= 6 && $0.macAddress.contains { $0 != 0 } }
            .map { ServerDUID.LinkLayer(htype: ServerDUID.ethernet, address: $0.macAddress) }
    }

    /// `count` bytes from the kernel's generator (for an EN identifier, or a link-layer address
    /// when no interface has one); the clocks mixed when /dev/urandom cannot be read.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            let n = out.withUnsafeMutableBytes { read(fd, $0.baseAddress, count) }
            close(fd)
            if n == count { return out }
        }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var x = UInt64(truncatingIfNeeded: ts.tv_nsec) ^ UInt64(truncatingIfNeeded: ts.tv_sec) &* 0x9E37_79B9_7F4A_7C15
        for i in 0..<count {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            out[i] = UInt8(truncatingIfNeeded: x >> 56)
        }
        return out
    }
}
