/// The lease dashboard's files (share/dashboard: HTML, a script, a style sheet), served by the
/// agent under `/dashboard/`, behind the same authentication as its REST commands.
///
/// Seam for issue 11: this file fixes the API; the dashboard replaces the bodies.
public struct DashboardFiles: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// The installed dashboard (<prefix>/share/kakapo/dashboard) or, for a build in the
    /// repository, its share/dashboard; nil when neither exists.
    public static func defaultDirectory() -> String? { nil }

    /// The answer for a request path below `/dashboard` ("" or "/" is the page itself).
    public func response(forPath path: String) -> (status: Int, contentType: String, body: [UInt8]) {
        (404, "text/plain; charset=utf-8", Array("not found\n".utf8))
    }
}
