import Foundation
import KakapoCore
import Yams

/// A scenario file that cannot be used: what is wrong and where (1-based line and column).
public struct ScenarioError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public var file: String
    public var line: Int
    public var column: Int

    public init(message: String, file: String, line: Int, column: Int) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:LINE:COLUMN: message`, as compilers print it.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}

/// Reads a scenario file (YAML) into a `Scenario`, checking everything it can without running:
/// unknown keys, value syntax (durations, probabilities, addresses), names that refer to
/// nothing, values that contradict each other. Every error names the line and column of the
/// offending key or value. The format is described in `scenarios/README.md`.
///
/// Deterministic: no clock, no randomness; the only input besides the text is `readFile`
/// (server config files named by the scenario).
public enum ScenarioLoader {
    /// Reads the scenario at `path`; config files it names are relative to its folder.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let text: String
        do {
            text = try readTextFile(path)
        } catch {
            throw ScenarioError(message: "cannot read scenario file: \(error)", file: path, line: 1, column: 1)
        }
        return try load(yaml: text, file: path, baseDirectory: directory(of: path), readFile: readTextFile)
    }

    /// Reads a scenario from `yaml`. `file` names it in errors; relative config paths are
    /// resolved against `baseDirectory` and read with `readFile`.
    public static func load(
        yaml: String, file: String, baseDirectory: String, readFile: (String) throws -> String
    ) throws(ScenarioError) -> Scenario {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error, file: file, yaml: yaml)
        } catch {
            throw ScenarioError(message: "YAML error: \(error)", file: file, line: 1, column: 1)
        }
        guard let root else {
            throw ScenarioError(message: "the scenario file is empty", file: file, line: 1, column: 1)
        }
        let result: Result<Scenario, ScenarioError> = withoutActuallyEscaping(readFile) { readFile in
            let reader = ScenarioReader(file: file, baseDirectory: baseDirectory, readFile: readFile)
            do throws(ScenarioError) {
                return .success(try reader.scenario(root))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses a duration such as `500ms`, `30s`, `30m`, `2h`, `1d` or `1h30m` (units in
    /// decreasing order, each at most once; a leading `-` for negative) into milliseconds.
    /// Nil for anything else, including a bare number.
    public static func parseDuration(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)[...]
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        // Units from largest to smallest; each component must use a smaller unit than the last.
        let units: [(String, Int64)] = [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        var total: Int64 = 0
        var lastUnit = -1
        while !bytes.isEmpty {
            var number: Int64 = 0
            var digits = 0
            while let b = bytes.first, b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") {
                let (times10, o1) = number.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int64(b - UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                number = sum
                digits += 1
                bytes = bytes.dropFirst()
            }
            guard digits > 0 else { return nil }
            var unitText = ""
            while let b = bytes.first, (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) {
                unitText.append(Character(Unicode.Scalar(b)))
                bytes = bytes.dropFirst()
            }
            guard let index = units.firstIndex(where: { $0.0 == unitText }), index > lastUnit else { return nil }
            lastUnit = index
            let (part, o3) = number.multipliedReportingOverflow(by: units[index].1)
            let (sum, o4) = total.addingReportingOverflow(part)
            guard !o3, !o4 else { return nil }
            total = sum
        }
        return negative ? -total : total
    }

    /// Formats milliseconds the way scenario files write them (`1h30m`, `500ms`, `0s`).
    public static func formatDuration(_ milliseconds: Int64) -> String {
        if milliseconds == 0 { return "0s" }
        var rest = milliseconds.magnitude
        var text = milliseconds < 0 ? "-" : ""
        for (unit, size) in [("d", UInt64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        where rest >= size {
            text += "\(rest / size)\(unit)"
            rest %= size
        }
        return text
    }

    // MARK: - Files

    static func readTextFile(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") || base.isEmpty || base == "." { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    // MARK: - YAML syntax errors

    static func syntaxError(_ error: YamlError, file: String, yaml: String) -> ScenarioError {
        func made(_ kind: String, _ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ScenarioError {
            var message = "YAML \(kind) error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ScenarioError(message: message, file: file, line: mark.line, column: mark.column)
        }
        switch error {
        case let .scanner(context, problem, mark, _):
            return made("syntax", context, problem, mark)
        case let .parser(context, problem, mark, _):
            return made("syntax", context, problem, mark)
        case let .composer(context, problem, mark, _):
            return made("structure", context, problem, mark)
        case let .reader(problem, offset, _, _):
            var line = 1
            var column = 1
            if let offset {
                for character in yaml.prefix(offset) {
                    if character == "\n" || character == "\r\n" {
                        line += 1
                        column = 1
                    } else {
                        column += 1
                    }
                }
            }
            return ScenarioError(message: "cannot read the YAML text: \(problem)", file: file, line: line, column: column)
        default:
            return ScenarioError(message: "YAML error: \(error)", file: file, line: 1, column: 1)
        }
    }
}
