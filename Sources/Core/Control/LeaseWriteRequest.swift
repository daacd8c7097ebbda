/// lease4-write's and lease6-write's arguments, decoded with Kea's checks and texts, in Kea's order, and the
/// texts of its answers. The shell writes the file (`LeaseFile4.text(of:)` gives its content).
public struct LeaseWriteRequest: Sendable, Equatable {
    /// Where to write the leases.
    public var filename: String

    public init(filename: String) {
        self.filename = filename
    }

    public init(arguments: JSON?) throws(ControlFailure) {
        guard let arguments else { throw ControlFailure("no parameters specified for the command") }
        guard let file = arguments["filename"] else { throw ControlFailure("'filename' parameter not specified") }
        guard let name = file.stringValue else { throw ControlFailure("'filename' parameter must be a string") }
        guard !name.isEmpty else { throw ControlFailure("'filename' parameter is empty") }
        filename = name
    }

    /// The refusal when `filename` is the lease file the server appends to: replacing it under
    /// the open file would lose every later append.
    public func leaseFileInUse(_ leaseFile: String) -> ControlFailure {
        ControlFailure("'filename' parameter must not name the lease file in use (\(leaseFile)); write to another file")
    }

    /// The answer when the file could not be written.
    public func writeFailed(_ reason: String) -> ControlFailure {
        ControlFailure("Unable to write file \(filename): \(reason)")
    }

    /// The success answer (Kea's wording) of lease4-write.
    public var success: JSON { success(.v4) }

    /// The success answer of leaseN-write for `family`.
    public func success(_ family: LeaseFileFamily) -> JSON {
        ControlResponse.make(.success, "IPv\(family == .v4 ? 4 : 6) lease database into '\(filename)'.")
    }
}
