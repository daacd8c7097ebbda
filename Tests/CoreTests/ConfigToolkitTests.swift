import KakapoCore
import XCTest

/// The shared Kea-config toolkit as the Dhcp4 decoder uses it: errors as typed values (code
/// and position, Kea's text unchanged), warnings for every key accepted but not acted on,
/// and the typed shared sections (lease and host databases, multi-threading, hooks).
/// Each test decodes small inline documents whose columns are counted in the comments.
final class ConfigToolkitTests: XCTestCase {
    /// Names options by code only; these tests are not about option data.
    private static func stubEncoder(_ spec: OptionDataSpec) throws -> ConfiguredOption {
        ConfiguredOption(code: UInt8(spec.code ?? 1), payload: [])
    }

    private func decode(_ text: String) throws -> Dhcp4Config {
        let root = try KeaJSON.parse(text, file: "t.json", include: { _ in "" })
        return try Dhcp4ConfigDecoder.decode(root, optionEncoder: Self.stubEncoder)
    }

    private func decodeError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        do {
            _ = try decode(text)
            XCTFail("expected a config error", file: file, line: line)
            return nil
        } catch {
            guard let configError = error as? ConfigError else {
                XCTFail("not a ConfigError: \(error)", file: file, line: line)
                return nil
            }
            return configError
        }
    }

    /// Members of Dhcp4 on one line: the first key starts at column 14.
    private func dhcp4(_ body: String) -> String { "{ \"Dhcp4\": { \(body) } }" }

    private func at(_ line: Int, _ column: Int) -> SourcePosition {
        SourcePosition(file: "t.json", line: line, column: column)
    }

    // MARK: - Errors are typed values

    func testUnknownKeyHasItsCodeAndTheKeyPosition() {
        let error = decodeError(dhcp4("\"foo\": 1"))
        XCTAssertEqual(error?.code, .unknownKey)
        XCTAssertEqual(error?.position, at(1, 14))
        XCTAssertEqual(error?.message, "t.json:1.14-18: got unexpected keyword \"foo\" in Dhcp4 map.")
    }

    /// Kea words a type mismatch as a bison syntax error; the code still says what it is.
    func testWrongTypeIsItsOwnCodeThoughWordedAsASyntaxError() {
        // "valid-lifetime" covers columns 14-29, the value starts at 32.
        let error = decodeError(dhcp4("\"valid-lifetime\": \"x\""))
        XCTAssertEqual(error?.code, .wrongType)
        XCTAssertEqual(error?.position, at(1, 32))
        XCTAssertEqual(error?.message, "t.json:1.32-34: syntax error, unexpected constant string, expecting integer")
    }

    func testOutOfRangeNamesTheValuePosition() {
        let error = decodeError(dhcp4("\"valid-lifetime\": 4294967296"))
        XCTAssertEqual(error?.code, .outOfRange)
        XCTAssertEqual(error?.position, at(1, 32))
        XCTAssertEqual(error?.message,
                       "The 'valid-lifetime' value (4294967296) is not within expected range: (0 - 4294967295) (t.json:1:32)")
    }

    func testSyntaxErrorFromTheParser() {
        // The key "a" covers columns 14-16; the integer where ':' belongs is at 18.
        let error = decodeError(dhcp4("\"a\" 1"))
        XCTAssertEqual(error?.code, .syntax)
        XCTAssertEqual(error?.position, at(1, 18))
        XCTAssertEqual(error?.message, "t.json:1.18: syntax error, unexpected integer, expecting :")
    }

    func testMissingIncludeIsAnIncludeErrorAtThePath() {
        struct NoSuchFile: Error {}
        // `<?` at 12-13, `include` 14-20, the quoted path at 22-32.
        let text = "{ \"Dhcp4\": <?include \"nope.json\"?> }"
        XCTAssertThrowsError(try KeaJSON.parse(text, file: "t.json", include: { _ in throw NoSuchFile() })) { error in
            let error = error as? ConfigError
            XCTAssertEqual(error?.code, .include)
            XCTAssertEqual(error?.position, at(1, 22))
            XCTAssertEqual(error?.message, "t.json:1.22-32: Can't open include file nope.json")
        }
    }

    func testMissingKeyHasItsCode() {
        let error = decodeError(dhcp4("\"lease-database\": { \"name\": \"x\" }"))
        XCTAssertEqual(error?.code, .missingKey)
        XCTAssertEqual(error?.position, at(1, 32))
    }

    /// One representative document per remaining code, so that a throw site that loses its
    /// code shows up here.
    func testOtherErrorSitesCarryTheirCodes() {
        let cases: [(String, ConfigError.Code)] = [
            (dhcp4("\"valid-lifetime\": 1, \"valid-lifetime\": 2"), .duplicate),
            (dhcp4("\"interfaces-config\": { \"interfaces\": [ \"eth0\", \"eth0\" ] }"), .duplicate),
            (dhcp4("\"next-server\": \"10.0.0.300\""), .invalidValue),
            (dhcp4("\"interfaces-config\": { \"dhcp-socket-type\": \"tcp\" }"), .invalidValue),
            (dhcp4("\"subnet4\": [ { \"subnet\": \"10.0.0.0/24\", \"pools\": [ { \"pool\": \"10.0.1.1 - 10.0.1.9\" } ] } ]"),
             .conflict),
            (dhcp4("\"min-valid-lifetime\": 100, \"max-valid-lifetime\": 50, \"valid-lifetime\": 70"), .conflict),
            (dhcp4("\"hooks-libraries\": [ { \"library\": \"libdhcp_host_cmds.so\" } ]"), .unsupported),
            (dhcp4("\"user-context\": " + String(repeating: "[", count: 130) + String(repeating: "]", count: 130)),
             .nestingTooDeep),
        ]
        for (text, code) in cases {
            XCTAssertEqual(decodeError(text)?.code, code, text)
        }
    }

    /// Equality compares codes only (as `CertificateError`), and the raising line is kept.
    func testErrorsCompareByCodeAndRememberWhereTheyWereRaised() throws {
        let error = try XCTUnwrap(decodeError(dhcp4("\"foo\": 1")))
        XCTAssertEqual(error, ConfigError(code: .unknownKey, message: "another text"))
        XCTAssertNotEqual(error, ConfigError(code: .syntax, message: error.message, position: error.position))
        XCTAssertTrue(error.raisedAt.hasPrefix("KakapoCore/"), error.raisedAt)
        XCTAssertEqual(error.description, error.message)
        XCTAssertEqual(ConfigError(message: "from a shell").code, .external)
    }

    // MARK: - Warnings

    /// Kea keys Kakapo sets aside and keys it decodes without acting on them each give one
    /// warning naming the key and where it was written, in file order.
    func testAcceptedKeysNotActedOnYieldWarningsWithKeyAndPosition() throws {
        let config = try decode("""
            { "Dhcp4": {
              "multi-threading": { "enable-multi-threading": true, "thread-pool-size": 4 },
              "hosts-database": { "type": "postgresql", "name": "hosts", "readonly": true },
              "server-tag": "edge",
              "expired-leases-processing": { "max-reclaim-time": 250 }
            } }
            """)
        XCTAssertEqual(config.warnings.map(\.code), [.ignoredKey, .ignoredKey, .ignoredKey, .notActedOn])
        XCTAssertEqual(config.warnings.map(\.key),
                       ["Dhcp4/multi-threading", "Dhcp4/hosts-database", "Dhcp4/server-tag", "Dhcp4/expired-leases-processing/max-reclaim-time"])
        XCTAssertEqual(config.warnings.map(\.position), [at(2, 3), at(3, 3), at(4, 3), at(5, 34)])
        XCTAssertEqual(config.warnings[0].message,
                       "t.json:2:3: parameter 'Dhcp4/multi-threading' is accepted but not supported by Kakapo yet; ignored")
        XCTAssertEqual(config.warnings[3].message,
                       "t.json:5:34: parameter 'Dhcp4/expired-leases-processing/max-reclaim-time' is accepted but Kakapo does not act on it yet: "
                           + "a reclamation cycle is bounded by max-reclaim-leases only")
        // The sections are decoded all the same.
        XCTAssertEqual(config.multiThreading, MultiThreadingConfig(enabled: true, threadPoolSize: 4))
        XCTAssertEqual(config.hostsDatabases.map(\.engine), [.postgresql])
        XCTAssertEqual(config.hostsDatabases.first?.connection.name, "hosts")
        XCTAssertEqual(config.hostsDatabases.first?.readOnly, true)
        XCTAssertEqual(config.ignoredKeys.map(\.path), ["Dhcp4/multi-threading", "Dhcp4/hosts-database", "Dhcp4/server-tag"])
    }

    func testBuiltInHooksNotImplementedYetAreWarnedAbout() throws {
        let config = try decode(dhcp4("""
            "hooks-libraries": [ { "library": "libdhcp_lease_cmds.so" },
                                 { "library": "/usr/lib/kea/hooks/libdhcp_ha.so", "parameters": { } } ]
            """))
        XCTAssertEqual(config.hooksLibraries.map(\.hook), [.leaseCommands, .highAvailability])
        XCTAssertEqual(config.hooksLibraries[1].path, "/usr/lib/kea/hooks/libdhcp_ha.so")
        XCTAssertEqual(config.warnings.map(\.key), ["Dhcp4/hooks-libraries[1]"])
        XCTAssertEqual(config.warnings.first?.code, .notActedOn)
        XCTAssertEqual(config.warnings.first?.position, at(2, 22))
    }

    /// Kea lets a subnet's renew-timer exceed its rebind-timer with a warning; so does Kakapo.
    func testRenewTimerAboveRebindTimerInASubnetIsAWarning() throws {
        let config = try decode("""
            { "Dhcp4": { "renew-timer": 900, "rebind-timer": 800,
              "subnet4": [ { "subnet": "192.0.2.0/24", "renew-timer": 2000, "rebind-timer": 1000 } ] } }
            """)
        XCTAssertEqual(config.warnings.map(\.code), [.inconsistentValues])
        XCTAssertEqual(config.warnings.first?.key, "Dhcp4/subnet4[0]/renew-timer")
        XCTAssertEqual(config.warnings.first?.position, at(2, 59))
    }

    // MARK: - Lease and host databases

    func testPostgreSQLLeaseDatabaseDecodesIntoTheTypedChoice() throws {
        let config = try decode("""
            { "Dhcp4": { "lease-database": {
              "type": "postgresql", "name": "kea", "host": "db.example", "port": 5433,
              "user": "kea", "password": "secret", "connect-timeout": 10, "tcp-user-timeout": 8,
              "max-reconnect-tries": 5, "reconnect-wait-time": 2000, "on-fail": "serve-retry-continue",
              "read-timeout": 0, "lfc-interval": 600
            } } }
            """)
        var expected = DatabaseConnectionSettings()
        expected.name = "kea"
        expected.host = "db.example"
        expected.port = 5433
        expected.user = "kea"
        expected.password = "secret"
        expected.connectTimeoutSeconds = 10
        expected.tcpUserTimeoutSeconds = 8
        expected.reconnectTriesMax = 5
        expected.reconnectWaitTimeMilliseconds = 2000
        expected.onFail = .serveRetryContinue
        XCTAssertEqual(config.leaseDatabase.backend, .postgresql(expected))
        XCTAssertNil(config.leaseDatabase.memfile)
        XCTAssertFalse(config.leaseDatabase.persist, "an SQL backend has no lease file to persist to")
        // lfc-interval is memfile's: set aside; PostgreSQL is served (no warning for the type).
        XCTAssertEqual(config.warnings.map(\.key), ["Dhcp4/lease-database/lfc-interval"])
        XCTAssertEqual(config.warnings.map(\.code), [.ignoredKey])
    }

    func testLeaseDatabaseValuesAreCheckedAsKeaDoes() throws {
        // "on-fail" covers columns 56-64, its value 67-73.
        let onFail = decodeError(dhcp4("\"lease-database\": { \"type\": \"postgresql\", \"on-fail\": \"retry\" }"))
        XCTAssertEqual(onFail?.code, .invalidValue)
        XCTAssertEqual(onFail?.message, "t.json:1.67-73: syntax error, unexpected constant string, "
                           + "expecting stop-retry-exit or serve-retry-exit or serve-retry-continue")
        XCTAssertEqual(decodeError(dhcp4("\"lease-database\": { \"type\": \"mysql\", \"port\": 70000 }"))?.code, .outOfRange)
        XCTAssertEqual(decodeError(dhcp4("\"lease-database\": { \"type\": \"sqlite\" }"))?.code, .invalidValue)
        XCTAssertEqual(decodeError(dhcp4("\"lease-database\": { \"type\": \"memfile\", \"pool\": 1 }"))?.code, .unknownKey)

        let mysql = try decode(dhcp4("\"lease-database\": { \"type\": \"mysql\", \"read-timeout\": 3 }"))
        guard case .mysql(let settings) = mysql.leaseDatabase.backend else { return XCTFail("not mysql") }
        XCTAssertEqual(settings.readTimeoutSeconds, 3)

        let memfile = try decode(dhcp4("\"lease-database\": { \"type\": \"memfile\", \"lfc-interval\": 0, \"max-row-errors\": 5 }"))
        XCTAssertEqual(memfile.leaseDatabase.memfile, MemfileSettings(lfcIntervalSeconds: nil, rowErrorsMax: 5))
        XCTAssertEqual(memfile.leaseDatabase.lfcIntervalSeconds, 0)
        XCTAssertTrue(memfile.warnings.isEmpty)
    }

    func testKakapoFsyncIsAMemfileKeyDefaultingToOff() throws {
        XCTAssertFalse(try decode(dhcp4("\"lease-database\": { \"type\": \"memfile\" }")).leaseDatabase.fsync)
        let on = try decode(dhcp4("\"lease-database\": { \"type\": \"memfile\", \"kakapo-fsync\": true }"))
        XCTAssertEqual(on.leaseDatabase.memfile, MemfileSettings(fsync: true))
        XCTAssertTrue(on.leaseDatabase.fsync)
        XCTAssertTrue(on.warnings.isEmpty)
        let off = try decode(dhcp4("\"lease-database\": { \"type\": \"memfile\", \"kakapo-fsync\": false }"))
        XCTAssertFalse(off.leaseDatabase.fsync)
        XCTAssertNotNil(decodeError(dhcp4("\"lease-database\": { \"type\": \"memfile\", \"kakapo-fsync\": 1 }")))
        // A memfile key on an SQL backend: set aside with a warning, as lfc-interval is.
        let pg = try decode(dhcp4("\"lease-database\": { \"type\": \"postgresql\", \"kakapo-fsync\": true }"))
        XCTAssertFalse(pg.leaseDatabase.fsync)
        XCTAssertEqual(pg.warnings.map(\.key), ["Dhcp4/lease-database/kakapo-fsync"])
        let v6 = try Dhcp6ConfigDecoder.decode(text: "{ \"Dhcp6\": { \"lease-database\": { \"type\": \"memfile\", \"kakapo-fsync\": true } } }")
        XCTAssertTrue(v6.leaseDatabase.fsync)
    }

    func testHostsDatabasesUseTheSameConnectionKeys() throws {
        let config = try decode(dhcp4("""
            "hosts-databases": [ { "type": "mysql", "name": "a", "host": "h1" },
                                 { "type": "postgresql", "name": "b", "persist": true } ]
            """))
        XCTAssertEqual(config.hostsDatabases.map(\.engine), [.mysql, .postgresql])
        XCTAssertEqual(config.hostsDatabases.map(\.connection.host), ["h1", nil])
        XCTAssertEqual(config.warnings.map(\.key), ["Dhcp4/hosts-databases", "Dhcp4/hosts-databases[1]/persist"])
        let memfile = decodeError(dhcp4("\"hosts-database\": { \"type\": \"memfile\" }"))
        XCTAssertEqual(memfile?.code, .invalidValue)
        XCTAssertEqual(memfile?.position, at(1, 42))
    }

    // MARK: - Multi-threading

    func testMultiThreadingTakesKeaDefaultsAndChecks() throws {
        XCTAssertEqual(try decode(dhcp4("")).multiThreading, MultiThreadingConfig(enabled: true, threadPoolSize: nil, packetQueueSizeMax: 64))
        let off = try decode(dhcp4("\"multi-threading\": { \"enable-multi-threading\": false, \"packet-queue-size\": 0 }"))
        XCTAssertEqual(off.multiThreading, MultiThreadingConfig(enabled: false, threadPoolSize: nil, packetQueueSizeMax: nil))

        let missing = decodeError(dhcp4("\"multi-threading\": { \"thread-pool-size\": 2 }"))
        XCTAssertEqual(missing?.code, .missingKey)
        // The value of thread-pool-size sits at column 87.
        let tooBig = decodeError(dhcp4("\"multi-threading\": { \"enable-multi-threading\": true, \"thread-pool-size\": 70000 }"))
        XCTAssertEqual(tooBig?.code, .outOfRange)
        XCTAssertEqual(tooBig?.message, "invalid thread pool size '70000', it must not be greater than '65535' (t.json:1:87)")
    }
}
