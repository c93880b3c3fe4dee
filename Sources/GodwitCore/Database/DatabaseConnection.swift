/// An open connection to one database: the only way the engine reaches a database.
///
/// A driver (`GodwitPostgres`, `GodwitSQLite`) implements this protocol; the engine never sees libpq or
/// sqlite3 types. Calls are made one at a time by a single task. A connection closes when the last
/// reference to it goes away.
///
/// - Throws: every method throws ``DatabaseError`` for a failure reported by the database or the driver.
public protocol DatabaseConnection: Sendable {
    /// The SQL dialect of this database.
    var dialect: any SQLDialect { get }

    /// Runs a script of one or more statements, as the database's own shell would run it.
    ///
    /// Inside a transaction the statements run in it; outside one, each statement runs on its own, so a
    /// script may hold statements that refuse to run in a transaction block (`CREATE INDEX CONCURRENTLY`).
    /// A failure carries the UTF-8 offset of the failing statement within `script`.
    func execute(script: String) async throws

    /// Runs one statement with bound values and returns its rows (none for a statement that returns none).
    func query(_ sql: String, _ bindings: [SQLValue]) async throws -> [SQLRow]
}

extension DatabaseConnection {
    /// Runs one statement without bound values and returns its rows.
    public func query(_ sql: String) async throws -> [SQLRow] {
        try await query(sql, [])
    }
}
