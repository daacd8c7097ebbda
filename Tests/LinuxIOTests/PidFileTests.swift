import Foundation
import Glibc
import XCTest
@testable import KakapoLinuxIO

/// Kea's PID file: named after the config file, written with our PID, refused while another live
/// process's PID is in it, taken over when that process is gone, removed on release. The live
/// and the dead process are one child (sleep) that the test starts, checks, then kills and reaps.
final class PidFileTests: XCTestCase {
    static func contents(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    /// The file's directory is created when missing (one level, as for LOCALSTATEDIR/run/kea).
    func testAcquireCreatesDirectoryAndFileThenReleaseRemovesIt() throws {
        let path = try Fixtures.temporaryDirectory("pid") + "/kea/kea-dhcp4.kea-dhcp4.pid"
        let p = PidFile(path: path)
        guard case .written = p.acquire() else { return XCTFail("expected .written") }
        XCTAssertEqual(Self.contents(path), "\(getpid())\n")
        p.release()
        XCTAssertFalse(fileExists(path))
    }

    func testRefusesWhileHolderLivesAndTakesOverWhenItIsGone() throws {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["60"]
        try child.run()
        let pid = child.processIdentifier
        defer { if child.isRunning { child.terminate(); child.waitUntilExit() } }

        let path = try Fixtures.temporaryDirectory("pid") + "/k.kea-dhcp4.pid"
        try "\(pid)\n".write(toFile: path, atomically: false, encoding: .utf8)
        let p = PidFile(path: path)
        guard case .alreadyRunning(let holder) = p.acquire() else { return XCTFail("a live holder must be refused") }
        XCTAssertEqual(holder, pid)
        XCTAssertEqual(Self.contents(path), "\(pid)\n", "the holder's file is left alone")

        child.terminate()
        child.waitUntilExit()
        let rc = kill(pid, 0), err = errno
        XCTAssertEqual(rc, -1, "fixture: the child is gone")
        XCTAssertEqual(err, ESRCH)
        guard case .written = p.acquire() else { return XCTFail("a stale file must be taken over") }
        XCTAssertEqual(Self.contents(path), "\(getpid())\n")
    }

    /// Our own PID in the file (a restart that got the same PID) and unreadable content are not
    /// another daemon.
    func testOwnPidAndGarbageAreTakenOver() throws {
        let dir = try Fixtures.temporaryDirectory("pid")
        for (i, text) in ["\(getpid())\n", "not a pid\n", "0\n", "-1\n", ""].enumerated() {
            let path = dir + "/\(i).pid"
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            guard case .written = PidFile(path: path).acquire() else { return XCTFail("\(text.debugDescription) not taken over") }
            XCTAssertEqual(Self.contents(path), "\(getpid())\n")
        }
    }

    func testUnwritableLocationIsReported() throws {
        let file = try Fixtures.temporaryDirectory("pid") + "/plain-file"
        try "x".write(toFile: file, atomically: false, encoding: .utf8)
        guard case .unwritable = PidFile(path: file + "/k.pid").acquire() else { return XCTFail("a file is not a directory") }
    }

    /// `<dir>/<config name without its last extension>.kea-dhcp4.pid`, dir from $KEA_PIDFILE_DIR.
    func testPathFollowsConfigNameAndEnvironment() {
        let saved = getenv("KEA_PIDFILE_DIR").map { String(cString: $0) }
        defer { if let saved { setenv("KEA_PIDFILE_DIR", saved, 1) } else { unsetenv("KEA_PIDFILE_DIR") } }
        setenv("KEA_PIDFILE_DIR", "/tmp/pids", 1)
        XCTAssertEqual(PidFile(configPath: "/etc/kea/kea-dhcp4.conf").path, "/tmp/pids/kea-dhcp4.kea-dhcp4.pid")
        XCTAssertEqual(PidFile(configPath: "site.v2.json").path, "/tmp/pids/site.v2.kea-dhcp4.pid")
        XCTAssertEqual(PidFile(configPath: "/etc/kea/noext").path, "/tmp/pids/noext.kea-dhcp4.pid")
        unsetenv("KEA_PIDFILE_DIR")
        XCTAssertEqual(PidFile(configPath: "a.conf").path, "\(BuildPaths.localStateDir)/run/kea/a.kea-dhcp4.pid")
    }
}
