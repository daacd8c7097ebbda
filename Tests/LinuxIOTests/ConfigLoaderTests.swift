import KakapoCore
import KakapoLinuxIO
import XCTest

/// How the daemon loads a configuration: the parser's and the decoder's warnings are kept
/// for the log, and a lease backend kakapo-dhcp4 cannot serve passes a check (`-t`) but
/// not a start. Inline documents, with their columns counted in the comments.
final class ConfigLoaderTests: XCTestCase {
    /// Members of Dhcp4 on one line: the first key starts at column 14.
    private func dhcp4(_ body: String) -> String { "{ \"Dhcp4\": { \(body) } }" }

    private func at(_ line: Int, _ column: Int) -> SourcePosition {
        SourcePosition(file: "t.json", line: line, column: column)
    }

    /// The loader keeps the parser's warnings (a trailing comma) ahead of the decoder's, so the
    /// daemon logs them instead of dropping them.
    func testLoaderKeepsParserAndDecoderWarnings() throws {
        let text = """
            { "Dhcp4": {
              "expired-leases-processing": { "max-reclaim-time": 250 },
              "valid-lifetime": 600,
            } }
            """
        let loaded = try ConfigLoader.load(text: text, file: "t.json")
        XCTAssertEqual(loaded.configWarnings.map(\.code), [.extraneousComma, .notActedOn])
        XCTAssertEqual(loaded.configWarnings.map(\.key), [nil, "Dhcp4/expired-leases-processing/max-reclaim-time"])
        XCTAssertEqual(loaded.configWarnings.map(\.position), [at(3, 24), at(2, 34)])
        XCTAssertEqual(loaded.warnings.first,
                       "t.json:3.24: Extraneous comma. A piece of configuration may have been omitted.")
    }

    /// kakapo-dhcp4 serves PostgreSQL but not MySQL: loading MySQL to serve fails with a clear
    /// error at the type, while a configuration check (`-t`) accepts the file with a warning.
    func testLoaderRefusesToServeMySQLButACheckAcceptsIt() throws {
        // "type" at 34-39, its value at 42-48.
        let text = dhcp4("\"lease-database\": { \"type\": \"mysql\" }")
        XCTAssertThrowsError(try ConfigLoader.load(text: text, file: "t.json")) { error in
            let error = error as? ConfigError
            XCTAssertEqual(error?.code, .unsupported)
            XCTAssertEqual(error?.position, at(1, 42))
            XCTAssertEqual(error?.message,
                           "lease-database type 'mysql' is not supported by kakapo-dhcp4 yet, only 'memfile' and 'postgresql' (t.json:1:42)")
        }
        let checked = try ConfigLoader.load(text: text, file: "t.json", for: .check)
        XCTAssertEqual(checked.config.leaseDatabase.type, "mysql")
        XCTAssertEqual(checked.configWarnings.map(\.key), ["Dhcp4/lease-database/type"])
        XCTAssertEqual(checked.configWarnings.first?.position, at(1, 34))
        XCTAssertNoThrow(try ConfigLoader.load(text: dhcp4("\"lease-database\": { \"type\": \"memfile\", \"persist\": false }"),
                                               file: "t.json"))
        let pg = try ConfigLoader.load(text: dhcp4("\"lease-database\": { \"type\": \"postgresql\", \"name\": \"kea\" }"), file: "t.json")
        XCTAssertEqual(pg.config.leaseDatabase.type, "postgresql")
        XCTAssertFalse(pg.configWarnings.contains { $0.key == "Dhcp4/lease-database/type" }, "postgresql is served: no warning")
    }
}

/// The configurations `make install` puts in place load and serve as they are.
final class ExampleConfigTests: XCTestCase {
    static let examples = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    func testInstalledExamplesLoad() throws {
        let v4 = try ConfigLoader.load(path: Self.examples.appendingPathComponent("kakapo-dhcp4.conf").path)
        XCTAssertEqual(v4.config.subnets.count, 1)
        XCTAssertEqual(v4.warnings, [])
        let v6 = try ConfigLoader6.load(path: Self.examples.appendingPathComponent("kakapo-dhcp6.conf").path)
        XCTAssertEqual(v6.config.subnets.map(\.pdPools.count), [1])
        XCTAssertEqual(v6.warnings, [])
        XCTAssertEqual(v6.config.controlSocket?.socketName, "/run/kakapo6-ctrl-socket")
    }
}
