import CShim
import Glibc

/// Kea's PID file: `<dir>/<config stem>.kea-dhcp4.pid`, where dir is $KEA_PIDFILE_DIR or
/// LOCALSTATEDIR/run/kea. A second daemon on the same config refuses to start while the
/// first one's PID is alive.
public final class PidFile {
    public let path: String

    public init(configPath: String, daemon: String = "kea-dhcp4") {
        let env = getenv("KEA_PIDFILE_DIR").map { String(cString: $0) }
        let dir = env ?? "\(BuildPaths.localStateDir)/run/kea"
        let base = configPath.split(separator: "/").last.map(String.init) ?? configPath
        let stem = base.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
        path = "\(dir)/\(stem.isEmpty ? base : stem).\(daemon).pid"
    }

    /// A PID file at an explicit path (the tests use a temporary directory).
    init(path: String) { self.path = path }

    public enum Outcome { case written, alreadyRunning(Int32), unwritable(String) }

    /// Writes our PID unless another live process holds the file. Our own PID in it (a restart
    /// that got the same PID, as in a container) does not count as another daemon.
    public func acquire() -> Outcome {
        if let text = try? readFile(path), let pid = Int32(text.trimmedASCII), pid > 0,
           pid != getpid(), kill(pid, 0) == 0 {
            return .alreadyRunning(pid)
        }
        let dir = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        mkdir(dir, 0o755)
        do { try writeFileAtomically(path, "\(getpid())\n") } catch { return .unwritable(error.description) }
        return .written
    }

    public func release() { unlink(path) }
}
