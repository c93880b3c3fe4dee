/// The tracking tables as read at one moment, before the migrations were known: a caller that loads the
/// files while the database answers passes it to the command it runs (``Migrator/latest(_:startingFrom:)``,
/// ``Migrator/status(startingFrom:)``, …), which uses it instead of reading again. It is a value: a read
/// under the lock, or any later command, reads afresh.
public struct TrackingSnapshot: Sendable {
    /// The tables it read: a migrator of other tables ignores it.
    let tableName: TableName
    /// What the read found (`nil`: no tracking tables), or its failure, thrown by the command that uses it
    /// (after any failure to load the migrations, which the caller reports first).
    let outcome: Result<MigrationLog.Contents?, any Error>

    /// Reads the tracking tables as ``Migrator/status(startingFrom:)`` would.
    package static func read(
        on connection: any DatabaseConnection, tableName: String = "knex_migrations", schema: String? = nil
    ) async -> TrackingSnapshot {
        let log = MigrationLog(connection: connection, tableName: TableName(tableName, schema: schema))
        do {
            return TrackingSnapshot(tableName: log.tableName, outcome: .success(try await log.read()))
        } catch {
            return TrackingSnapshot(tableName: log.tableName, outcome: .failure(error))
        }
    }
}
