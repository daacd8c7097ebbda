import Glibc

/// The lease dashboard's files (share/dashboard: HTML, a script, a style sheet), served by the
/// agent under `/dashboard/`, behind the same authentication as its REST commands.
///
/// Only plain file names below the directory are served: every path segment must be made of
/// letters, digits, `-`, `_` and `.`, must not start with a dot (no `..`, no hidden files), and
/// must name a regular file reached without following a symbolic link at its last step.
/// Anything else is a 404, as is a missing file.
public struct DashboardFiles: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The environment variable that names the dashboard directory, overriding the search.
    public static let directoryVariable = "KAKAPO_DASHBOARD_DIR"

    /// The largest file served.
    static let maxFileSize = 4 << 20

    /// The installed dashboard (<prefix>/share/kakapo/dashboard) or, for a build in the
    /// repository, its share/dashboard; nil when neither exists.
    public static func defaultDirectory() -> String? {
        var environment: [String: String] = [:]
        if let value = getenv(directoryVariable) { environment[directoryVariable] = String(cString: value) }
        return defaultDirectory(executable: BuildPaths.runningExecutable(), environment: environment) { path in
            var st = stat()
            return stat(path, &st) == 0
        }
    }

    /// The rule, with the file system asked through `exists`: `KAKAPO_DASHBOARD_DIR` when set
    /// and not empty; else, from the executable's directory upwards, the first
    /// `<dir>/share/kakapo/dashboard` (an installed `<prefix>/sbin/kakapo-ctrl-agent`) or
    /// `<dir>/share/dashboard` next to a `Package.swift` (a binary in `<source>/.build/...`).
    static func defaultDirectory(executable: String?, environment: [String: String], exists: (String) -> Bool) -> String? {
        if let dir = environment[directoryVariable], !dir.isEmpty { return dir }
        return BuildPaths.shareFolder("dashboard", marker: "index.html", executable: executable, exists: exists)
    }

    /// The Content-Type for a file name, by its extension.
    static func contentType(forFile name: String) -> String {
        let ext = name.split(separator: ".", omittingEmptySubsequences: false).last.map { $0.lowercased() } ?? ""
        switch ext {
        case "html", "htm": return "text/html; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        case "txt", "md": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }

    /// The path's segments below the directory, or nil when the path is not one we serve.
    /// A query (`?...`) or fragment is ignored; "" and "/" are `index.html`.
    static func segments(of path: String) -> [String]? {
        var path = Substring(path)
        if let cut = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = path[..<cut] }
        if path.isEmpty || path == "/" { return ["index.html"] }
        guard path.hasPrefix("/") else { return nil }
        var parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // "/dir/" means its index.html.
        if parts.last == "" { parts[parts.count - 1] = "index.html" }
        for part in parts {
            guard let first = part.unicodeScalars.first, first != "." else { return nil }
            let ok = part.unicodeScalars.allSatisfy { s in
                ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "_" || s == "."
            }
            guard ok else { return nil }
        }
        return parts
    }

    /// The answer for a request path below `/dashboard` ("" or "/" is the page itself).
    public func response(forPath path: String) -> (status: Int, contentType: String, body: [UInt8]) {
        let notFound = (404, "text/plain; charset=utf-8", Array("not found\n".utf8))
        guard let parts = Self.segments(of: path), let name = parts.last else { return notFound }
        let full = directory + "/" + parts.joined(separator: "/")
        let fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return notFound }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) <= Self.maxFileSize else { return notFound }
        var body = [UInt8](repeating: 0, count: Int(st.st_size))
        var off = 0
        while off < body.count {
            let n = body.withUnsafeMutableBytes { read(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            off += n
        }
        body.removeLast(body.count - off)
        return (200, Self.contentType(forFile: name), body)
    }
}
