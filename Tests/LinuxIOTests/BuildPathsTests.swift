import Foundation
import XCTest
@testable import KakapoLinuxIO

/// Install locations are resolved at run time from the executable's path and the environment
/// (nothing is written into the sources by `make install`).
final class BuildPathsTests: XCTestCase {
    private func resolve(_ exe: String?, _ env: [String: String] = [:]) -> BuildPaths.Locations {
        BuildPaths.resolve(executable: exe, environment: env)
    }

    private func at(_ sysconf: String, _ localState: String) -> BuildPaths.Locations {
        BuildPaths.Locations(sysconfDir: sysconf, localStateDir: localState)
    }

    func testUsrPrefixUsesEtcAndVar() {
        XCTAssertEqual(resolve("/usr/sbin/kakapo-dhcp4"), at("/etc", "/var"))
        XCTAssertEqual(resolve("/usr/bin/kakapo-sim"), at("/etc", "/var"))
        XCTAssertEqual(resolve("/sbin/kakapo-dhcp4"), at("/etc", "/var"))
    }

    func testOtherPrefixesUseTheirOwnEtcAndVar() {
        XCTAssertEqual(resolve("/usr/local/sbin/kakapo-dhcp4"), at("/usr/local/etc", "/usr/local/var"))
        XCTAssertEqual(resolve("/opt/kakapo/bin/kakapo-sim"), at("/opt/kakapo/etc", "/opt/kakapo/var"))
        XCTAssertEqual(resolve("/tmp/kkdest/usr/sbin/kakapo-dhcp4"), at("/tmp/kkdest/usr/etc", "/tmp/kkdest/usr/var"))
        XCTAssertEqual(resolve("//opt//kakapo/sbin/kakapo-dhcp4"), at("/opt/kakapo/etc", "/opt/kakapo/var"))
    }

    func testBuildDirectoryAndUnknownExecutableKeepTheDefaults() {
        XCTAssertEqual(resolve("/work/main/.build/debug/kakapo-dhcp4"), at("/etc", "/var"))
        XCTAssertEqual(resolve("/work/main/.build/x86_64-unknown-linux-gnu/release/kakapo-sim"), at("/etc", "/var"))
        XCTAssertEqual(resolve("/home/me/sbinx/kakapo-dhcp4"), at("/etc", "/var"))
        XCTAssertEqual(resolve("kakapo-dhcp4"), at("/etc", "/var"))
        XCTAssertEqual(resolve("sbin/kakapo-dhcp4"), at("/etc", "/var"), "a relative path names no prefix")
        XCTAssertEqual(resolve(nil), at("/etc", "/var"))
    }

    func testEnvironmentOverridesEachLocationOnItsOwn() {
        let exe = "/opt/kakapo/sbin/kakapo-dhcp4"
        XCTAssertEqual(resolve(exe, ["KAKAPO_SYSCONFDIR": "/srv/conf"]), at("/srv/conf", "/opt/kakapo/var"))
        XCTAssertEqual(resolve(exe, ["KAKAPO_LOCALSTATEDIR": "/srv/state/"]), at("/opt/kakapo/etc", "/srv/state"))
        XCTAssertEqual(resolve(nil, ["KAKAPO_SYSCONFDIR": "/a", "KAKAPO_LOCALSTATEDIR": "/b"]), at("/a", "/b"))
        XCTAssertEqual(resolve(exe, ["KAKAPO_SYSCONFDIR": "", "KAKAPO_LOCALSTATEDIR": ""]), at("/opt/kakapo/etc", "/opt/kakapo/var"),
                      "an empty variable counts as unset")
        XCTAssertEqual(resolve(exe, ["KEA_SYSCONFDIR": "/x"]), at("/opt/kakapo/etc", "/opt/kakapo/var"))
    }

    /// The test runner itself runs from the build directory: the live values are the defaults
    /// unless the environment overrides them.
    func testLiveResolutionUsesThisProcess() throws {
        let exe = try XCTUnwrap(BuildPaths.runningExecutable())
        XCTAssertTrue(exe.hasPrefix("/"), exe)
        let env = ProcessInfo.processInfo.environment
        XCTAssertEqual(BuildPaths.current, BuildPaths.resolve(executable: exe, environment: env))
        XCTAssertEqual(BuildPaths.localStateDir, BuildPaths.current.localStateDir)
        XCTAssertEqual(BuildPaths.sysconfDir, BuildPaths.current.sysconfDir)
    }
}
