/// Kea's JSON config dialect, parsed with positions.
///
/// Accepts what Kea 2.4's daemons accept: `#`, `//` and `/* */` comments; `<?include "path"?>`
/// anywhere a token may appear (textual inclusion, nested at most 10 deep, positions inside
/// naming the included file); a trailing comma before `}` or `]` (with a warning, as Kea).
/// A key repeated in one object is an error, and the document must be one object.
/// Errors are worded like Kea's bison parser, for example
/// `kea-ctrl-agent.conf:29.13-21: syntax error, unexpected constant string, expecting "," or }`.
public enum KeaJSON {
    /// Parses `text`, read from `file` (used in positions and messages).
    ///
    /// - Parameter include: returns the text of the file an include directive names, exactly
    ///   as written in the directive; Core itself reads no files. A `ConfigError` it throws is
    ///   passed on unchanged; any other error becomes Kea's "Can't open include file …".
    public static func parse(_ text: String, file: String, include: (String) throws -> String) throws(ConfigError) -> JSONNode {
        try parseWithWarnings(text, file: file, include: include).root
    }

    /// Like `parse`, also returning what Kea would log as configuration syntax warnings.
    public static func parseWithWarnings(
        _ text: String, file: String, include: (String) throws -> String
    ) throws(ConfigError) -> (root: JSONNode, warnings: [ConfigWarning]) {
        let result: Result<(root: JSONNode, warnings: [ConfigWarning]), ConfigError> =
            withoutActuallyEscaping(include) { include in
                var parser = KeaJSONParser(text: text, file: file, dialect: .kea, include: include)
                do throws(ConfigError) {
                    let root = try parser.parseDocument()
                    return .success((root: root, warnings: parser.warnings))
                } catch {
                    return .failure(error)
                }
            }
        return try result.get()
    }
}
