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

    var dialect: any SQLDialect { connection.dialect }
    // The tables' names, quoted (and qualified) as statements write them.
    var table: String { tableName.quoted(in: dialect) }
    var lockTable: String { lockTableName.quoted(in: dialect) }
    var godwitTable: String { godwitTableName.quoted(in: dialect) }
    var leaseTable: String { leaseTableName.quoted(in: dialect) }

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

    /// Creates the missing tables (Knex's, then Godwit's, as the dialect writes them) and the lock row. Call
    /// it inside a transaction.
    func create() async throws {
        for statement in dialect.createTrackingTables(migrations: tableName, lock: lockTableName) {
            _ = try await connection.query(statement)
        }
        for statement in dialect.createGodwitTables(progress: godwitTableName, lease: leaseTableName) {
            _ = try await connection.query(statement)
        }
        try await ensureLockRow()
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
    func insert(
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
