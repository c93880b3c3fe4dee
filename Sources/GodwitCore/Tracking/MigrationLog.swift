/// The tracking tables Knex uses: `knex_migrations` (what was applied, in which batch) and
/// `knex_migrations_lock` (one row; `is_locked` 0→1 excludes other runners, Godwit's and Knex's alike).
///
/// Every method runs in whatever transaction the caller holds; the ``Migrator`` decides the transactions.
struct MigrationLog: Sendable {
    let connection: any DatabaseConnection
    let tableName: String
    let lockTableName: String

    private var dialect: any SQLDialect { connection.dialect }
    private var table: String { dialect.quote(identifier: tableName) }
    private var lockTable: String { dialect.quote(identifier: lockTableName) }

    init(connection: any DatabaseConnection, tableName: String = "knex_migrations") {
        self.connection = connection
        self.tableName = tableName
        self.lockTableName = tableName + "_lock"
    }

    /// Reads the applied migrations in the order they were applied; `nil` when the table does not exist yet.
    func applied() async throws -> [AppliedMigration]? {
        let time = dialect.migrationTimeAsEpochMilliseconds(column: dialect.quote(identifier: "migration_time"))
        let rows: [SQLRow]
        do {
            rows = try await connection.query(
                #"SELECT "id", "name", "batch", \#(time) FROM \#(table) ORDER BY "id""#)
        } catch let error as DatabaseError where dialect.isUndefinedTable(error) {
            return nil
        }
        return rows.map { row in
            AppliedMigration(
                id: row[0].integer ?? 0, name: row[1].text ?? "", batch: Int(row[2].integer ?? 0),
                epochMilliseconds: row[3].integer)
        }
    }

    /// Creates both tables and the lock row when they are missing. Call it inside a transaction.
    func create() async throws {
        for statement in dialect.createTrackingTables(migrations: tableName, lock: lockTableName) {
            _ = try await connection.query(statement)
        }
        try await ensureLockRow(locked: false)
    }

    /// Takes the lock the way Knex does: `is_locked` 0→1 on the single row, inside the caller's transaction.
    ///
    /// While the caller's transaction is open, a concurrent runner's update waits on the row; once this
    /// transaction commits (with the lock released again) it proceeds.
    ///
    /// - Throws: ``GodwitError`` `.locked` when the row says another runner holds the lock.
    func lock() async throws {
        let taken = try await connection.query(
            #"UPDATE \#(lockTable) SET "is_locked" = 1 WHERE "is_locked" = 0 RETURNING "index""#)
        if taken.count == 1 { return }
        if taken.isEmpty, try await connection.query(#"SELECT 1 FROM \#(lockTable)"#).isEmpty {
            try await ensureLockRow(locked: true)
            return
        }
        throw GodwitError.locked(table: lockTableName)
    }

    /// Releases the lock: `is_locked` back to 0.
    func unlock() async throws {
        _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 0"#)
    }

    /// Frees a stuck lock as `knex migrate:unlock` does: every row deleted, one free row inserted.
    func forceUnlock() async throws {
        _ = try await connection.query(#"DELETE FROM \#(lockTable)"#)
        try await ensureLockRow(locked: false)
    }

    /// Records migrations as applied in `batch`, in one statement.
    func record(_ names: [String], batch: Int, epochMilliseconds: Int64) async throws {
        guard !names.isEmpty else { return }
        var values: [String] = []
        var bindings: [SQLValue] = []
        let time = dialect.migrationTimeValue(epochMilliseconds: epochMilliseconds)
        for name in names {
            let base = bindings.count
            values.append(
                "(\(dialect.placeholder(base + 1)), \(dialect.placeholder(base + 2)), \(dialect.placeholder(base + 3)))")
            bindings += [.text(name), .integer(Int64(batch)), time]
        }
        _ = try await connection.query(
            #"INSERT INTO \#(table) ("name", "batch", "migration_time") VALUES \#(values.joined(separator: ", "))"#,
            bindings)
    }

    /// Removes the records of undone migrations, in one statement.
    func remove(_ migrations: [AppliedMigration]) async throws {
        guard !migrations.isEmpty else { return }
        let placeholders = migrations.indices.map { dialect.placeholder($0 + 1) }.joined(separator: ", ")
        _ = try await connection.query(
            #"DELETE FROM \#(table) WHERE "id" IN (\#(placeholders))"#, migrations.map { .integer($0.id) })
    }

    private func ensureLockRow(locked: Bool) async throws {
        _ = try await connection.query(
            #"INSERT INTO \#(lockTable) ("is_locked") SELECT \#(locked ? 1 : 0) WHERE NOT EXISTS (SELECT 1 FROM \#(lockTable))"#)
    }
}
