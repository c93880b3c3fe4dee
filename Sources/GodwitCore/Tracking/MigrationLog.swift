/// The tracking tables: Knex's `knex_migrations` (what was applied, in which batch) and
/// `knex_migrations_lock` (one row, whose row lock keeps runners apart), plus Godwit's own
/// `knex_migrations_godwit` and `knex_migrations_godwit_lease`, which Knex never reads: each applied file's
/// checksum, the progress of a migration running outside a transaction, and the lease of a runner that
/// holds the lock across transactions.
///
/// Every method runs in whatever transaction the caller holds; the ``Migrator`` decides the transactions.
struct MigrationLog: Sendable {
    let connection: any DatabaseConnection
    let tableName: TableName
    let lockTableName: TableName
    let godwitTableName: TableName
    let leaseTableName: TableName

    private var dialect: any SQLDialect { connection.dialect }
    private var table: String { tableName.quoted(in: dialect) }
    private var lockTable: String { lockTableName.quoted(in: dialect) }
    private var godwitTable: String { godwitTableName.quoted(in: dialect) }
    private var leaseTable: String { leaseTableName.quoted(in: dialect) }

    init(connection: any DatabaseConnection, tableName: TableName = TableName("knex_migrations")) {
        self.connection = connection
        self.tableName = tableName
        self.lockTableName = tableName.sibling(tableName.name + "_lock")
        self.godwitTableName = tableName.sibling(tableName.name + "_godwit")
        self.leaseTableName = tableName.sibling(tableName.name + "_godwit_lease")
    }

    /// The same tables, named in `schema` (where the session finds them now) by every later statement.
    func found(inSchema schema: String) -> MigrationLog {
        var tableName = tableName
        tableName.foundInSchema = schema
        return MigrationLog(connection: connection, tableName: tableName)
    }

    /// Where the session finds the tables now, when no schema is given and the database has schemas.
    func schemaFoundNow() async throws -> String? {
        guard tableName.schema == nil, tableName.foundInSchema == nil, let query = dialect.schemaOfTableQuery else { return nil }
        return try await connection.query(query, [.text(table)]).first?[0].text
    }

    /// The same tables, through another connection.
    func on(_ connection: any DatabaseConnection) -> MigrationLog {
        MigrationLog(connection: connection, tableName: tableName)
    }

    /// What the tables hold, collected row by row from ``read()``'s query, and joined here.
    struct Contents: SQLRowCollector {
        /// The applied migrations in the order they were applied, each with its checksum if one is kept.
        var applied: [AppliedMigration] = []
        /// Migrations that ran outside a transaction and did not finish.
        var interrupted: [InterruptedMigration] = []
        /// Whether Godwit's own table exists (a database Knex created has only Knex's two).
        var hasGodwitTable: Bool
        /// Where the next checksum's record probably is: checksums are stored in the order records are.
        private var next = 0
        /// Checksums that did not come in their record's order, given to it at the end.
        private var unmatched: [String: MigrationChecksum] = [:]

        init(hasGodwitTable: Bool) {
            self.hasGodwitTable = hasGodwitTable
        }

        /// Two kinds of row. A record: id, name, batch, time in epoch seconds, and the number of records (so
        /// that the first makes room for all). Godwit's row of a migration (no id): name, checksum, and for
        /// an interrupted migration direction, statements done, statement count and failure.
        mutating func collect(_ row: some SQLRowReader) {
            if let id = row.integer(0) {
                if applied.isEmpty { applied.reserveCapacity(Int(row.integer(4) ?? 0)) }
                applied.append(
                    AppliedMigration(
                        id: id, name: row.text(1) ?? "", batch: Int(row.integer(2) ?? 0),
                        epochMilliseconds: row.double(3).map(MigrationTime.epochMilliseconds(epochSeconds:))))
                return
            }
            let name = row.text(1) ?? ""
            let checksum = MigrationLog.checksum(row.text(5))
            if let direction = row.text(6) {
                interrupted.append(
                    InterruptedMigration(
                        name: name, checksum: checksum, direction: MigrationDirection(rawValue: direction) ?? .up,
                        statementsDone: Int(row.integer(7) ?? 0), statementCount: Int(row.integer(8) ?? 0),
                        failure: row.text(9)))
            }
            if let checksum { keep(checksum, of: name) }
        }

        private mutating func keep(_ checksum: MigrationChecksum, of name: String) {
            if next < applied.count, applied[next].name == name {
                applied[next].checksum = checksum
                next += 1
            } else {
                unmatched[name] = checksum
            }
        }

        /// Gives records the checksums that came out of order, and puts the records in the order they were
        /// applied: a scan returns rows in storage order, which is that order unless rows were deleted and
        /// inserted again.
        fileprivate mutating func finish() {
            if !unmatched.isEmpty {
                for index in applied.indices where applied[index].checksum == nil {
                    applied[index].checksum = unmatched[applied[index].name]
                }
            }
            if zip(applied, applied.dropFirst()).contains(where: { $0.id > $1.id }) {
                applied.sort { $0.id < $1.id }
            }
        }
    }

    /// A kept checksum; one that is not 64 hex digits (changed by hand) matches no file.
    private static func checksum(_ text: String?) -> MigrationChecksum? {
        text.map { MigrationChecksum(hex: $0) ?? .unreadable }
    }

    /// Reads the applied and interrupted migrations in one query; `nil` when `knex_migrations` does not exist.
    ///
    /// The query is kept cheap for a new server connection, whose first query pays for each catalog lookup
    /// it needs: the records and Godwit's rows come one after the other and are joined and sorted here,
    /// with no arithmetic or casts, and the count as a window. On a new connection to a server on the same
    /// machine that takes it 1.3–1.8 ms, where a join, `ORDER BY` and time in milliseconds took 2.4–3.
    func read() async throws -> Contents? {
        let time = dialect.migrationTimeAsEpochSeconds(column: dialect.quote(identifier: "migration_time"))
        let records = #"SELECT "id", "name", "batch", \#(time), count(*) OVER ()"#
        var contents: Contents
        do {
            contents = try await connection.query(
                #"""
                \#(records), NULL, NULL, NULL, NULL, NULL FROM \#(table) UNION ALL \#
                SELECT NULL, "name", NULL, NULL, NULL, "checksum", "direction", "statements_done", "statement_count", \#
                "failure" FROM \#(godwitTable)
                """#, [], into: Contents(hasGodwitTable: true))
        } catch let error as DatabaseError where error.kind == .undefinedTable {
            do {
                contents = try await connection.query(#"\#(records) FROM \#(table)"#, [], into: Contents(hasGodwitTable: false))
            } catch let error as DatabaseError where error.kind == .undefinedTable {
                return nil
            }
        }
        contents.finish()
        return contents
    }

    /// Creates the missing tables and the lock row. Call it inside a transaction.
    func create() async throws {
        for statement in dialect.createTrackingTables(migrations: tableName, lock: lockTableName) {
            _ = try await connection.query(statement)
        }
        _ = try await connection.query(
            #"""
            CREATE TABLE IF NOT EXISTS \#(godwitTable) ("name" varchar(255) PRIMARY KEY, "checksum" varchar(64), \#
            "direction" varchar(4), "statements_done" integer, "statement_count" integer, "failure" text)
            """#)
        _ = try await connection.query(
            #"""
            CREATE TABLE IF NOT EXISTS \#(leaseTable) ("id" integer PRIMARY KEY, "token" varchar(64) NOT NULL, \#
            "holder" varchar(255) NOT NULL, "expires_at" bigint NOT NULL)
            """#)
        try await ensureLockRow()
    }

    // MARK: The lock

    /// What an attempt to take the lock found.
    enum LockAttempt: Sendable {
        /// The lock row is this transaction's until it ends.
        case taken
        /// Another runner holds the lock: in an open transaction (`holder` unknown), or by a lease.
        case busy(holder: String?)
        /// `is_locked` is 1 with no lease: a Knex runner holds the lock, or died holding it.
        case heldByKnex
    }

    /// Tries to take the lock row inside the caller's transaction, without waiting.
    ///
    /// The row stays locked until the transaction ends, by commit, rollback or a lost connection, so this
    /// lock can never outlive its holder. Knex's `UPDATE … SET is_locked = 1` waits on the same row.
    /// `is_locked = 1` means a runner holds the lock across transactions: Godwit's with a lease in
    /// `knex_migrations_godwit_lease`, or Knex's without one. An expired lease (its holder died) is cleared
    /// in the caller's transaction and the lock is taken. After `.busy` the transaction may be aborted:
    /// the caller rolls it back.
    func tryLock() async throws -> LockAttempt {
        let rows: [SQLRow]
        do {
            rows = try await connection.query(dialect.lockRowQuery(lockTable: lockTableName))
        } catch let error as DatabaseError where error.kind == .lockNotAvailable {
            return .busy(holder: nil)
        }
        if rows.isEmpty {
            try await ensureLockRow()
            return .taken
        }
        guard rows.contains(where: { $0[0].integer == 1 }) else { return .taken }
        let lease = try await connection.query(
            #"SELECT "holder", "expires_at" - \#(dialect.currentEpochMilliseconds) FROM \#(leaseTable)"#)
        guard let holder = lease.first?[0].text, let remaining = lease.first?[1].integer else { return .heldByKnex }
        guard remaining <= 0 else { return .busy(holder: holder) }
        // The lease ran out: its holder died (or stalled) without freeing the lock.
        _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 0"#)
        _ = try await connection.query(#"DELETE FROM \#(leaseTable)"#)
        return .taken
    }

    /// Whether `is_locked` is 1, read outside any transaction (a Knex runner's flag is watched this way).
    func isFlagSet() async throws -> Bool {
        try await !connection.query(#"SELECT 1 FROM \#(lockTable) WHERE "is_locked" = 1"#).isEmpty
    }

    /// Turns the lock row taken in the caller's transaction into a lease that outlives it: `is_locked = 1`
    /// (which Knex respects) and a lease row that expires `milliseconds` from now unless renewed.
    func takeLease(token: String, holder: String, milliseconds: Int64) async throws {
        _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 1"#)
        try await insert(
            into: leaseTable, columns: ["id", "token", "holder", "expires_at"],
            rows: [[.integer(1), .text(token), .text(holder), .integer(0)]],
            suffix: #" ON CONFLICT ("id") DO UPDATE SET "token" = excluded."token", "holder" = excluded."holder""#)
        guard try await renewLease(token: token, milliseconds: milliseconds) else {
            throw DatabaseError(message: "the lease row vanished while being taken")
        }
    }

    /// Pushes the lease's expiry `milliseconds` past now; `false` when the lease is no longer `token`'s.
    func renewLease(token: String, milliseconds: Int64) async throws -> Bool {
        !(try await connection.query(
            #"""
            UPDATE \#(leaseTable) SET "expires_at" = \#(dialect.currentEpochMilliseconds) + \#(dialect.placeholder(1)) \#
            WHERE "token" = \#(dialect.placeholder(2)) RETURNING "id"
            """#, [.integer(milliseconds), .text(token)]).isEmpty)
    }

    /// Frees the lock held by lease `token` (if it is still that lease's). Call it inside a transaction.
    func releaseLease(token: String) async throws {
        let removed = try await connection.query(
            #"DELETE FROM \#(leaseTable) WHERE "token" = \#(dialect.placeholder(1)) RETURNING "id""#, [.text(token)])
        if !removed.isEmpty {
            _ = try await connection.query(#"UPDATE \#(lockTable) SET "is_locked" = 0"#)
        }
    }

    /// Who holds the lock row in an open transaction, and since when; `nil` when unknown.
    func holder() async -> (description: String, sinceEpochMilliseconds: Int64?)? {
        guard let sql = dialect.lockHolderQuery,
            let row = try? await connection.query(sql, [.text(lockTable)]).first, let description = row[0].text
        else { return nil }
        return (description, row[1].integer)
    }

    /// Frees a stuck Knex lock as `knex migrate:unlock` does: every row deleted, one free row inserted.
    func forceUnlock() async throws {
        _ = try await connection.query(#"DELETE FROM \#(lockTable)"#)
        try await ensureLockRow()
    }

    /// Inserts the lock row, unlocked, when the table has none (as Knex does).
    private func ensureLockRow() async throws {
        _ = try await connection.query(
            #"INSERT INTO \#(lockTable) ("is_locked") SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM \#(lockTable))"#)
    }

    // MARK: Records

    /// Records migrations as applied in `batch`, in one statement.
    func record(_ names: some Collection<String>, batch: Int, epochMilliseconds: Int64) async throws {
        guard !names.isEmpty else { return }
        let time = dialect.migrationTimeValue(epochMilliseconds: epochMilliseconds)
        try await insert(
            into: table, columns: ["name", "batch", "migration_time"],
            rows: names.lazy.map { [.text($0), .integer(Int64(batch)), time] })
    }

    /// Removes the records of undone migrations, and their checksums, in two statements.
    func remove(_ migrations: [AppliedMigration]) async throws {
        guard !migrations.isEmpty else { return }
        let placeholders = migrations.indices.map { dialect.placeholder($0 + 1) }.joined(separator: ", ")
        _ = try await connection.query(
            #"DELETE FROM \#(table) WHERE "id" IN (\#(placeholders))"#, migrations.map { .integer($0.id) })
        _ = try await connection.query(
            #"DELETE FROM \#(godwitTable) WHERE "name" IN (\#(placeholders))"#, migrations.map { .text($0.name) })
    }

    /// Keeps checksums, replacing older ones; `finished` also clears any progress kept for those names.
    func saveChecksums(
        _ checksums: some Collection<(name: String, checksum: MigrationChecksum)>, finished: Bool = false
    ) async throws {
        guard !checksums.isEmpty else { return }
        let clear = finished
            ? #", "direction" = NULL, "statements_done" = NULL, "statement_count" = NULL, "failure" = NULL"# : ""
        try await insert(
            into: godwitTable, columns: ["name", "checksum"], rows: checksums.lazy.map { [.text($0.name), .text($0.checksum.hex)] },
            suffix: #" ON CONFLICT ("name") DO UPDATE SET "checksum" = excluded."checksum""# + clear)
    }

    // MARK: Progress outside a transaction

    /// Notes, committed at once, that `name` starts running outside a transaction at statement `done + 1`.
    func markStarted(
        _ name: String, direction: MigrationDirection, checksum: MigrationChecksum?, done: Int, count: Int
    ) async throws {
        try await insert(
            into: godwitTable, columns: ["name", "checksum", "direction", "statements_done", "statement_count"],
            rows: [[.text(name), checksum.map { .text($0.hex) } ?? .null, .text(direction.rawValue), .integer(Int64(done)), .integer(Int64(count))]],
            suffix: #"""
                 ON CONFLICT ("name") DO UPDATE SET "direction" = excluded."direction", \#
                "statements_done" = excluded."statements_done", "statement_count" = excluded."statement_count", "failure" = NULL
                """#)
    }

    /// Notes that the first `done` statements of `name` have run.
    func markProgress(_ name: String, done: Int) async throws {
        _ = try await connection.query(
            #"UPDATE \#(godwitTable) SET "statements_done" = \#(dialect.placeholder(1)) WHERE "name" = \#(dialect.placeholder(2))"#,
            [.integer(Int64(done)), .text(name)])
    }

    /// Forgets the progress kept for `names`: their interruptions were settled by another runner.
    func clearProgress(_ names: [String]) async throws {
        guard !names.isEmpty else { return }
        let placeholders = names.indices.map { dialect.placeholder($0 + 1) }.joined(separator: ", ")
        _ = try await connection.query(
            #"""
            UPDATE \#(godwitTable) SET "direction" = NULL, "statements_done" = NULL, "statement_count" = NULL, \#
            "failure" = NULL WHERE "name" IN (\#(placeholders))
            """#, names.map { .text($0) })
    }

    /// Notes the error that stopped `name`.
    func markFailed(_ name: String, failure: String) async throws {
        _ = try await connection.query(
            #"UPDATE \#(godwitTable) SET "failure" = \#(dialect.placeholder(1)) WHERE "name" = \#(dialect.placeholder(2))"#,
            [.text(failure), .text(name)])
    }

    /// Inserts `rows`, as many per statement as ``maxBindingsPerStatement`` allows.
    private func insert(
        into table: String, columns: [String], rows: some Collection<[SQLValue]>, suffix: String = ""
    ) async throws {
        let columnList = columns.map { dialect.quote(identifier: $0) }.joined(separator: ", ")
        let rowsPerStatement = max(1, Self.maxBindingsPerStatement / max(1, columns.count))
        var start = rows.startIndex
        while start != rows.endIndex {
            let end = rows.index(start, offsetBy: rowsPerStatement, limitedBy: rows.endIndex) ?? rows.endIndex
            var values: [String] = []
            var bindings: [SQLValue] = []
            for row in rows[start..<end] {
                let placeholders = row.indices.map { dialect.placeholderInOrder(bindings.count + $0 + 1) }
                values.append("(" + placeholders.joined(separator: ", ") + ")")
                bindings += row
            }
            _ = try await connection.query(
                "INSERT INTO \(table) (\(columnList)) VALUES \(values.joined(separator: ", "))\(suffix)", bindings)
            start = end
        }
    }

    /// Bound values per statement: within every SQLite build's limit (999 before 3.32) and far below
    /// PostgreSQL's 65,535, and small enough that SQLite's lookup of numbered parameters, linear in their
    /// number, stays cheap (one 30,000-value statement spent a third of a 10,000-migration run there).
    static let maxBindingsPerStatement = 999
}
