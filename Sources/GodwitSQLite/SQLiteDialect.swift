import GodwitCore

/// SQLite's SQL, and the tracking tables exactly as Knex's sqlite3 client creates them.
public struct SQLiteDialect: SQLDialect {
    /// Creates the dialect.
    public init() {}

    public var name: String { "SQLite" }

    public func placeholder(_ position: Int) -> String { "?\(position)" }

    /// `BEGIN IMMEDIATE`: the write lock is taken at once, so a second runner waits (busy timeout) instead of
    /// failing later when it tries to write.
    public var beginTransaction: String { "BEGIN IMMEDIATE" }

    public func createTrackingTables(migrations: String, lock: String) -> [String] {
        [
            "CREATE TABLE IF NOT EXISTS `\(migrations)` (`id` integer not null primary key autoincrement, `name` varchar(255), `batch` integer, `migration_time` datetime)",
            "CREATE TABLE IF NOT EXISTS `\(lock)` (`index` integer not null primary key autoincrement, `is_locked` integer)",
        ]
    }

    /// Knex stores epoch milliseconds; a row written as text by another tool is converted.
    public func migrationTimeAsEpochMilliseconds(column: String) -> String {
        "CASE WHEN typeof(\(column)) = 'integer' THEN \(column) ELSE CAST(strftime('%s', \(column)) AS INTEGER) * 1000 END"
    }

    public func migrationTimeValue(epochMilliseconds: Int64) -> SQLValue { .integer(epochMilliseconds) }

    public func isUndefinedTable(_ error: DatabaseError) -> Bool {
        error.message.hasPrefix("no such table")
    }
}
