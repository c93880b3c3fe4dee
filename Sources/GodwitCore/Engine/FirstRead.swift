import Synchronization

/// The tracking tables read ahead, before the migrations are known: a caller that loads the files while
/// the database answers hands it to ``Migrator/startingFrom(_:)``, and the migrator's first command uses
/// it instead of reading again. Used once: a later command, or a read under the lock, reads afresh.
package final class FirstRead: Sendable {
    /// The tables it read: a migrator of other tables ignores it.
    let tableName: TableName
    private let outcome: Mutex<Result<MigrationLog.Contents?, any Error>?>

    /// Reads the tracking tables as ``Migrator/status()`` would; a failure is kept, to be thrown by the
    /// command that uses the read (after any failure to load the migrations, which the caller reports first).
    package static func read(
        on connection: any DatabaseConnection, tableName: String = "knex_migrations", schema: String? = nil
    ) async -> FirstRead {
        let log = MigrationLog(connection: connection, tableName: TableName(tableName, schema: schema))
        let outcome: Result<MigrationLog.Contents?, any Error>
        do {
            outcome = .success(try await log.read())
        } catch {
            outcome = .failure(error)
        }
        return FirstRead(tableName: log.tableName, outcome: outcome)
    }

    private init(tableName: TableName, outcome: sending Result<MigrationLog.Contents?, any Error>) {
        self.tableName = tableName
        self.outcome = Mutex(outcome)
    }

    /// The read, the first time it is asked for; `nil` after.
    func take() -> Result<MigrationLog.Contents?, any Error>? {
        outcome.withLock { outcome in
            defer { outcome = nil }
            return outcome
        }
    }
}
