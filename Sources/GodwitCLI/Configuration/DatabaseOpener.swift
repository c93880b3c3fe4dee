import GodwitCore
import GodwitPostgres
import GodwitSQLite

extension Configuration.Database {
    /// Connects; a failure becomes one ``GodwitError`` `.connection` naming the database (password masked).
    func connect() async throws -> any DatabaseConnection {
        do {
            switch self {
            case .sqlite(let path, _):
                return try await SQLiteConnection.open(path: path)
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
