import Foundation
import XCTest
@testable import KakapoCore
@testable import KakapoLinuxIO

/// The dashboard's static files: what is served, with which type, and that nothing outside
/// the directory is.
final class DashboardFilesTests: XCTestCase {
    var root = ""
    var files: DashboardFiles!

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "kakapo-dash-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/dashboard/sub", withIntermediateDirectories: true)
        try "<html>page</html>".write(toFile: root + "/dashboard/index.html", atomically: true, encoding: .utf8)
        try "let x = 1;".write(toFile: root + "/dashboard/dashboard.js", atomically: true, encoding: .utf8)
        try "body {}".write(toFile: root + "/dashboard/dashboard.css", atomically: true, encoding: .utf8)
        try "nested".write(toFile: root + "/dashboard/sub/inner.txt", atomically: true, encoding: .utf8)
        try "hidden".write(toFile: root + "/dashboard/.secret", atomically: true, encoding: .utf8)
        try "outside".write(toFile: root + "/outside.txt", atomically: true, encoding: .utf8)
        try fm.createSymbolicLink(atPath: root + "/dashboard/link.txt", withDestinationPath: root + "/outside.txt")
        files = DashboardFiles(directory: root + "/dashboard")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func body(_ r: (status: Int, contentType: String, body: [UInt8])) -> String {
        String(decoding: r.body, as: UTF8.self)
    }

    func testThePageAndItsFiles() {
        for path in ["", "/", "/index.html", "/?x=1"] {
            let r = files.response(forPath: path)
            XCTAssertEqual(r.status, 200, path)
            XCTAssertEqual(r.contentType, "text/html; charset=utf-8", path)
            XCTAssertEqual(body(r), "<html>page</html>", path)
        }
        let js = files.response(forPath: "/dashboard.js?v=2")
        XCTAssertEqual(js.status, 200)
        XCTAssertEqual(js.contentType, "text/javascript; charset=utf-8")
        XCTAssertEqual(body(js), "let x = 1;")
        XCTAssertEqual(files.response(forPath: "/dashboard.css").contentType, "text/css; charset=utf-8")
        XCTAssertEqual(body(files.response(forPath: "/sub/inner.txt")), "nested")
    }

    func testTraversalHiddenFilesLinksAndDirectoriesAreRefused() {
        for path in ["/../outside.txt", "/sub/../../outside.txt", "/sub/../index.html", "/./index.html", "/..",
                     "/%2e%2e/outside.txt", "/..%2foutside.txt", "//outside.txt", "/sub//inner.txt", "/.secret",
                     "/link.txt", "/sub", "/missing.html", "\\..\\outside.txt", "/index.html\u{0}", "/ä.html",
                     "../outside.txt", "/sub/./inner.txt"] {
            let r = files.response(forPath: path)
            XCTAssertEqual(r.status, 404, path)
            XCTAssertEqual(body(r), "not found\n", path)
        }
        XCTAssertEqual(DashboardFiles(directory: root + "/none").response(forPath: "/").status, 404)
    }

    func testWhereTheDirectoryIsLookedFor() {
        func find(_ exe: String?, _ env: [String: String] = [:], _ existing: Set<String>) -> String? {
            DashboardFiles.defaultDirectory(executable: exe, environment: env) { existing.contains($0) }
        }
        let installed: Set = ["/opt/k/share/kakapo/dashboard/index.html"]
        XCTAssertEqual(find("/opt/k/sbin/kakapo-ctrl-agent", [:], installed), "/opt/k/share/kakapo/dashboard")
        let repo: Set = ["/src/kakapo/Package.swift", "/src/kakapo/share/dashboard/index.html"]
        XCTAssertEqual(find("/src/kakapo/.build/debug/kakapo-ctrl-agent", [:], repo), "/src/kakapo/share/dashboard")
        // share/dashboard without a Package.swift beside it is not a source tree.
        XCTAssertNil(find("/src/kakapo/.build/debug/kakapo-ctrl-agent", [:], ["/src/kakapo/share/dashboard/index.html"]))
        XCTAssertNil(find("/usr/sbin/kakapo-ctrl-agent", [:], []))
        XCTAssertNil(find(nil, [:], installed))
        XCTAssertEqual(find("/opt/k/sbin/kakapo-ctrl-agent", ["KAKAPO_DASHBOARD_DIR": "/srv/dash"], installed), "/srv/dash")
        XCTAssertEqual(find("/opt/k/sbin/kakapo-ctrl-agent", ["KAKAPO_DASHBOARD_DIR": ""], installed), "/opt/k/share/kakapo/dashboard")
    }

    /// The repository's own dashboard: found from a build in the tree, complete, and loading
    /// nothing from elsewhere.
    func testTheRepositorysDashboardIsSelfContained() throws {
        // The rule as the agent runs it, from this test binary inside the tree, with the
        // environment variable left out so that a developer's setting cannot change the answer.
        let dir = try XCTUnwrap(DashboardFiles.defaultDirectory(executable: BuildPaths.runningExecutable(), environment: [:]) {
            access($0, F_OK) == 0
        })
        XCTAssertTrue(dir.hasSuffix("/share/dashboard"), dir)
        let served = DashboardFiles(directory: dir)
        for name in ["/", "/dashboard.js", "/dashboard.css"] {
            let r = served.response(forPath: name)
            XCTAssertEqual(r.status, 200, name)
            let text = body(r)
            for external in ["http://", "https://", "src=\"//", "href=\"//", "url(", "@import"] {
                XCTAssertFalse(text.contains(external), "\(name) refers to \(external)")
            }
        }
        let page = body(served.response(forPath: "/"))
        XCTAssertTrue(page.contains("/dashboard/dashboard.js"))
        XCTAssertTrue(page.contains("/dashboard/dashboard.css"))
    }
}
