import KakapoLinuxIO

/// Where the schema scripts are and which upgrade scripts a database needs. Pure: the file
/// system is asked through the closures given.
///
/// The scripts directory holds `pgsql/dhcpdb_create.pgsql` and `pgsql/upgrade_NNN_to_MMM.pgsql`
/// (kea-admin's `-d` names the same kind of directory). Without `-d`:
/// - an installed binary (`<prefix>/bin/kakapo-admin`, `make install`) uses `<prefix>/share/kakapo`;
/// - a binary run from a build directory (`<source>/.build/...`) uses `<source>/share`.
enum SchemaScripts {
    /// The schema version a fresh `db-init` gives.
    static let currentVersion = "18.0"

    static func defaultDirectory(executable: String?, exists: (String) -> Bool) -> String? {
        // The scripts directory is the one holding pgsql/.
        BuildPaths.shareFolder("pgsql", marker: "dhcpdb_create.pgsql", executable: executable, exists: exists)
            .map { String($0.dropLast("/pgsql".count)) }
    }

    /// Whether `version` ("13.0") is below `currentVersion` (false when it does not parse).
    static func isOlderThanCurrent(_ version: String) -> Bool {
        func parts(_ v: String) -> [Int]? {
            let p = v.split(separator: ".").map { Int($0) }
            guard p.count == 2, let a = p[0], let b = p[1] else { return nil }
            return [a, b]
        }
        guard let v = parts(version), let c = parts(currentVersion) else { return false }
        return v.lexicographicallyPrecedes(c)
    }

    /// An upgrade script's name: `upgrade_013_to_014.pgsql` is (13, 14).
    static func upgradeStep(fileName: String) -> (from: Int, to: Int)? {
        guard fileName.hasPrefix("upgrade_"), fileName.hasSuffix(".pgsql") else { return nil }
        let core = fileName.dropFirst("upgrade_".count).dropLast(".pgsql".count)
        let halves = core.split(separator: "_", omittingEmptySubsequences: false)
        guard halves.count == 3, halves[1] == "to", let a = Int(halves[0]), let b = Int(halves[2]), b > a else { return nil }
        return (a, b)
    }

    /// The scripts to run, in order, for a database at `version` ("13.0"): from the one that
    /// starts at its major version on, each starting where the last ended. Empty when the
    /// database is current (or newer than any script knows).
    static func upgradePlan(version: String, files: [String]) -> [String] {
        let fields = version.split(separator: ".")
        guard let first = fields.first, var major = Int(first) else { return [] }
        var steps: [Int: (to: Int, name: String)] = [:]
        for f in files { if let s = upgradeStep(fileName: f) { steps[s.from] = (s.to, f) } }
        var plan: [String] = []
        while let next = steps[major] {
            plan.append(next.name)
            major = next.to
        }
        return plan
    }
}
