/// The database as a ``SwiftMigration`` sees it: Knex's `knex` argument.
///
/// Statements run in the batch's transaction (unless the migration runs outside one). Under `--dry-run`
/// nothing is sent: statements are collected to be printed, and ``query(_:_:file:line:)`` returns no rows,
/// so code that loops over rows it reads does nothing then (check ``isDryRun`` to say so, or to print
/// what it would do). Under `--rehearse` statements are collected and run in a transaction that is rolled
/// back at the end, so each migration sees what the ones before it did.
///
/// ```swift
/// try await db.execute(#"UPDATE "users" SET "email" = lower("email") WHERE "id" > $1"#, [.integer(100)])
/// let rows = try await db.query(#"SELECT count(*) FROM "users""#)
/// try await db.transaction { trx in
///     try await trx.execute(#"DELETE FROM "sessions""#)
/// }
/// ```
public struct MigrationDatabase: Sendable {
    /// How statements reach the database.
    enum Mode: Sendable {
        /// Sent as they come, in the batch's transaction or one the migration opened.
        case direct
        /// Collected for `--rehearse`, and sent in the rehearsal's transaction, which is rolled back.
        case rehearsal(StatementCollector)
        /// Collected for `--dry-run` (and for `--rehearse` of code that runs outside a transaction): nothing
        /// is sent but the catalog reads of ``read(_:_:file:line:)``.
        case dryRun(StatementCollector)
        /// Outside any transaction: each statement (or transaction block) is recorded as done when it ends,
        /// and the ones an interrupted run completed are skipped on `--resume`.
        case stepwise(StepwiseProgress)
        /// A transaction block that completed in an interrupted run: its writes are dropped.
        case skipping
    }

    /// The SQL dialect, for writing SQL that differs between databases.
    public var dialect: any SQLDialect { connection.dialect }
    /// Whether this is a dry run or a rehearsal (`--dry-run`, `--rehearse`): a migration may skip slow data
    /// work then. Under `--dry-run`, ``query(_:_:file:line:)`` returns no rows.
    public var isDryRun: Bool {
        switch mode {
        case .dryRun, .rehearsal: true
        case .direct, .stepwise, .skipping: false
        }
    }
    /// Whether statements reach the database: `false` under `--dry-run`, where they are only collected (and
    /// the catalog seen by ``read(_:_:file:line:)`` is the one from before the batch).
    public var sendsStatements: Bool {
        if case .dryRun = mode { return false }
        return true
    }
    /// Whether statements run inside a transaction: the batch's, or one opened with `transaction(_:)`.
    public var isInTransaction: Bool { depth > 0 }

    let connection: any DatabaseConnection
    let mode: Mode
    /// Open transactions around the code: 0 outside any, 1 in the batch's, more inside savepoints.
    let depth: Int

    init(connection: any DatabaseConnection, mode: Mode, depth: Int) {
        self.connection = connection
        self.mode = mode
        self.depth = depth
    }

    /// Runs a statement that changes the database (DDL, `INSERT`, `UPDATE`, …), with values bound to
    /// `$1`, `$2` … on PostgreSQL and `?1`, `?2` … on SQLite (see ``SQLDialect/placeholder(_:)``).
    ///
    /// Without bound values the text may hold several statements, as in a SQL migration file.
    public func execute(
        _ sql: String, _ bindings: [SQLValue] = [], file: String = #fileID, line: Int = #line
    ) async throws {
        _ = try await send(sql, bindings, returnsRows: false, at: CallSite(file: file, line: line))
    }

    /// Runs a statement and returns its rows: a `SELECT`, or a write with `RETURNING`.
    ///
    /// Under `--dry-run` the statement is collected, not sent, and returns no rows.
    public func query(
        _ sql: String, _ bindings: [SQLValue] = [], file: String = #fileID, line: Int = #line
    ) async throws -> [SQLRow] {
        try await send(sql, bindings, returnsRows: true, at: CallSite(file: file, line: line))
    }

    /// Reads the catalog (does a table exist? which columns has it?): runs even under `--dry-run`, and is
    /// not printed there; it sees the database as it is, not as the migrations before would leave it. For builders such as `GodwitSchema`; a migration's own reads use ``query(_:_:file:line:)``.
    public func read(
        _ sql: String, _ bindings: [SQLValue] = [], file: String = #fileID, line: Int = #line
    ) async throws -> [SQLRow] {
        try await read(sql, bindings, at: CallSite(file: file, line: line))
    }

    /// Runs `body` as a unit: in a savepoint when a transaction is open (the batch's, as the seed's
    /// `knex.transaction` inside a migration), else in a transaction of its own. An error thrown by `body`
    /// undoes what it did and is rethrown.
    public func transaction<T: Sendable>(
        file: String = #fileID, line: Int = #line, _ body: (MigrationDatabase) async throws -> T
    ) async throws -> T {
        let site = CallSite(file: file, line: line)
        switch mode {
        case .skipping:
            return try await body(self)
        case .stepwise(let progress):
            let unit = await progress.nextUnit()
            if unit.skip { return try await body(MigrationDatabase(connection: connection, mode: .skipping, depth: 1)) }
            let inner = MigrationDatabase(connection: connection, mode: .direct, depth: 1)
            return try await inner.wrapped(begin: dialect.beginTransaction, commit: "COMMIT", rollback: "ROLLBACK", at: site) {
                let result = try await body(inner)
                try await progress.record(unit.number)
                return result
            }
        case .direct, .dryRun, .rehearsal:
            let inner = MigrationDatabase(connection: connection, mode: mode, depth: depth + 1)
            if depth == 0 {
                return try await inner.wrapped(begin: dialect.beginTransaction, commit: "COMMIT", rollback: "ROLLBACK", at: site) {
                    try await body(inner)
                }
            }
            let savepoint = dialect.quote(identifier: "godwit_savepoint_\(depth)")
            return try await inner.wrapped(
                begin: "SAVEPOINT \(savepoint)", commit: "RELEASE SAVEPOINT \(savepoint)",
                rollback: "ROLLBACK TO SAVEPOINT \(savepoint)", at: site
            ) {
                try await body(inner)
            }
        }
    }

    // MARK: Sending

    private func wrapped<T: Sendable>(
        begin: String, commit: String, rollback: String, at site: CallSite, _ body: () async throws -> T
    ) async throws -> T {
        _ = try await send(begin, [], returnsRows: false, at: site)
        let result: T
        do {
            result = try await body()
        } catch {
            switch mode {
            case .dryRun(let collector):
                await collector.add(rollback, [])
            case .rehearsal(let collector):
                await collector.add(rollback, [])
                _ = try? await connection.query(rollback)
            case .direct, .stepwise, .skipping:
                _ = try? await connection.query(rollback)
            }
            throw error
        }
        _ = try await send(commit, [], returnsRows: false, at: site)
        return result
    }

    private func send(_ sql: String, _ bindings: [SQLValue], returnsRows: Bool, at site: CallSite) async throws -> [SQLRow] {
        switch mode {
        case .skipping:
            return []
        case .dryRun(let collector):
            await collector.add(sql, bindings)
            return []
        case .direct:
            // In a transaction, stopping between statements loses nothing: the batch rolls back.
            try Task.checkCancellation()
            return try await run(sql, bindings, returnsRows: returnsRows, at: site)
        case .rehearsal(let collector):
            await collector.add(sql, bindings)
            return try await run(sql, bindings, returnsRows: returnsRows, at: site)
        case .stepwise(let progress):
            let unit = await progress.nextUnit()
            if unit.skip { return [] }
            return try await progress.runAndRecord(unit.number) {
                try await run(sql, bindings, returnsRows: returnsRows, at: site)
            }
        }
    }

    private func run(_ sql: String, _ bindings: [SQLValue], returnsRows: Bool, at site: CallSite) async throws -> [SQLRow] {
        do {
            if bindings.isEmpty, !returnsRows {
                try await connection.execute(script: sql)
                return []
            }
            return try await connection.query(sql, bindings)
        } catch let error as DatabaseError {
            throw MigrationStatementFailure(error: error, statement: sql, site: site)
        }
    }

    private func read(_ sql: String, _ bindings: [SQLValue], at site: CallSite) async throws -> [SQLRow] {
        do {
            return try await connection.query(sql, bindings)
        } catch let error as DatabaseError {
            throw MigrationStatementFailure(error: error, statement: sql, site: site)
        }
    }
}

/// Where in the migration's Swift source a statement was sent from.
struct CallSite: Sendable, CustomStringConvertible {
    let file: String
    let line: Int

    var description: String { "\(file):\(line)" }
}

/// A statement sent by Swift code failed in the database.
struct MigrationStatementFailure: Error {
    let error: DatabaseError
    let statement: String
    let site: CallSite
}

extension SQLValue {
    /// The value as a SQL literal, for printing.
    var sqlLiteral: String {
        switch self {
        case .null: "NULL"
        case .integer(let value): String(value)
        case .double(let value): String(value)
        case .text(let text): "'" + text.replacing("'", with: "''") + "'"
        }
    }
}
