/// One entry of `hosts-database` / `hosts-databases`: an SQL database holding host
/// reservations, with the same connection keys as a lease database.
public struct HostsDatabaseConfig: Sendable, Equatable {
    /// Host backends Kea 2.4 has (memfile holds no host reservations).
    public enum Engine: String, Sendable, CaseIterable {
        case mysql, postgresql
    }

    public var engine: Engine
    public var connection: DatabaseConnectionSettings
    /// `readonly`: the server only reads reservations from this database.
    public var readOnly: Bool = false

    public init(
        engine: Engine, connection: DatabaseConnectionSettings = DatabaseConnectionSettings(), readOnly: Bool = false
    ) {
        self.engine = engine
        self.connection = connection
        self.readOnly = readOnly
    }
}
