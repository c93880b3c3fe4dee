import GodwitCore
import GodwitPostgres
import GodwitSQLite

extension Configuration.Database {
    /// Connects; a failure becomes one ``GodwitError`` `.connection` naming the database (password masked).
    ///
    /// - Parameter lockTimeout: how long SQLite waits for another process's write lock.
    func connect(lockTimeout: Duration) async throws -> any DatabaseConnection {
        do {
            switch self {
            case .sqlite(let path, _):
                return try await SQLiteConnection.open(path: path, busyTimeout: lockTimeout)
            case .postgres(let settings):
                return try await PostgresConnection.connect(settings)
            }
        } catch let error as DatabaseError {
            throw GodwitError(
                code: .connection, summary: "cannot connect to \(self)", details: [error.message],
                databaseError: error)
        }
    }
}
