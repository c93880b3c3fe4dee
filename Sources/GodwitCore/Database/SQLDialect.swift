/// What the engine must know about a database's SQL: the differences between databases, in one place.
///
/// Adding a database means a new driver with its own dialect, never a change to the engine.
public protocol SQLDialect: Sendable {
    /// The database's name as users know it ("PostgreSQL", "SQLite"), used in messages.
    var name: String { get }

    /// Which SQL this is, for code that writes SQL of its own (the schema builder): a typed value, never
    /// the name.
    var family: DatabaseFamily { get }

    /// Whether the database has schemas (namespaces within a database, `CREATE SCHEMA`). Defaults to `false`.
    var hasSchemas: Bool { get }

    /// Quotes an identifier (a table or column name) for use in SQL. Defaults to SQL's double quotes.
    func quote(identifier: String) -> String

    /// The placeholder for the bound value at `position` (1-based): `$1` on PostgreSQL, `?1` on SQLite.
    func placeholder(_ position: Int) -> String

    /// The placeholder for the bound value at `position` in a statement that binds its values in order:
    /// ``placeholder(_:)`` by default; SQLite's bare `?`, which it numbers without looking it up.
    func placeholderInOrder(_ position: Int) -> String

    /// The statement that opens a transaction which will write.
    ///
    /// SQLite's `BEGIN IMMEDIATE` takes the write lock at once, so concurrent runners queue there.
    var beginTransaction: String { get }

    /// The statements that create the tracking tables, exactly as Knex creates them on this database, and
    /// their schema when they have one and it is missing.
    ///
    /// Each must be idempotent (`IF NOT EXISTS`): concurrent runners may race to create them.
    func createTrackingTables(migrations: TableName, lock: TableName) -> [String]

    /// The statements that create Godwit's own tables beside Knex's: `progress` (a checksum per migration,
    /// and the progress of one interrupted outside a transaction) and `lease` (the lock held across
    /// transactions). Run after ``createTrackingTables(migrations:lock:)`` in the same transaction, which
    /// serialises concurrent creators where the database needs it. Idempotent. The default is portable SQL.
    func createGodwitTables(progress: TableName, lease: TableName) -> [String]

    /// The select-list expression that reads `migration_time` as seconds since 1970, a number with a
    /// fraction (milliseconds and finer). Kept cheap for a new connection: no operators or casts to look up.
    func migrationTimeAsEpochSeconds(column: String) -> String

    /// The value to store in `migration_time` for `epochMilliseconds`, as Knex stores it on this database.
    func migrationTimeValue(epochMilliseconds: Int64) -> SQLValue

    /// The query that takes the lock row inside the current transaction, returning its `is_locked` values.
    ///
    /// It must not wait for another transaction that holds the row: it fails at once instead (PostgreSQL's
    /// `FOR UPDATE NOWAIT`), so a waiting runner never keeps a pooled server connection while it waits.
    func lockRowQuery(lockTable: TableName) -> String

    /// Whether the scripts of consecutive migrations in one transaction travel in one message, saving a
    /// round trip per migration where there is a network between Godwit and the database (PostgreSQL).
    /// Defaults to `false`.
    var sendsScriptsTogether: Bool { get }

    /// Whether a `transaction:false` statement is first tried in a transaction of its own together with the
    /// record of its progress, so that an interruption never leaves it done but unrecorded. A statement the
    /// database refuses there (``DatabaseError/Kind/refusedInTransaction``) then runs alone. `false` where wrapping could
    /// change what a statement does (SQLite ignores `PRAGMA foreign_keys` inside a transaction).
    var wrapsStatementsOutsideTransactions: Bool { get }

    /// A query for the indexes a failed or interrupted concurrent build left invalid, one name per row;
    /// `nil` when the database has no such builds. Defaults to `nil`.
    var invalidIndexesQuery: String? { get }

    /// One statement with the settings of a migration transaction, ending with it: how long a statement
    /// may wait for a table lock (0: no limit; `nil`: as the session has it), how long the client may stay
    /// silent between statements before the server ends the transaction, and that a dead client's
    /// statements stop soon; `nil` when the database has no such settings.
    func transactionSettings(lockTimeoutMilliseconds: Int?, idleLimitMilliseconds: Int) -> String?

    /// A query returning who holds the lock row in an open transaction: one row of
    /// (description, epoch milliseconds since the transaction began), given the lock table's quoted name
    /// as its first bound value; `nil` when the database cannot tell.
    var lockHolderQuery: String? { get }

    /// An expression for the database server's current time in epoch milliseconds (the lease clock: every
    /// runner reads the same clock).
    var currentEpochMilliseconds: String { get }

    /// The statements of `script`, split as the database's own shell splits them, with the shell's own
    /// commands and what each statement is (see ``ScriptStatement``).
    func statements(in script: String) -> [ScriptStatement]

    /// The statement that puts the session's settings back as they were when it connected (PostgreSQL's
    /// `RESET ALL`), run after a migration that changed them, as psql's next file would start in a new
    /// session; `nil` when the database has none. Defaults to `nil`.
    var sessionReset: String? { get }

    /// A query for the schema of the table whose quoted name is its first bound value, as the session
    /// finds it now (one row: the schema's name); `nil` when the database has no schemas. Defaults to `nil`.
    var schemaOfTableQuery: String? { get }
}

extension SQLDialect {
    public func placeholderInOrder(_ position: Int) -> String { placeholder(position) }

    public var invalidIndexesQuery: String? { nil }
    public var sendsScriptsTogether: Bool { false }
    public var sessionReset: String? { nil }
    public var hasSchemas: Bool { false }
    public var schemaOfTableQuery: String? { nil }

    public func createGodwitTables(progress: TableName, lease: TableName) -> [String] {
        [
            #"""
            CREATE TABLE IF NOT EXISTS \#(progress.quoted(in: self)) ("name" varchar(255) PRIMARY KEY, "checksum" varchar(64), \#
            "direction" varchar(4), "statements_done" integer, "statement_count" integer, "failure" text)
            """#,
            #"""
            CREATE TABLE IF NOT EXISTS \#(lease.quoted(in: self)) ("id" integer PRIMARY KEY, "token" varchar(64) NOT NULL, \#
            "holder" varchar(255) NOT NULL, "expires_at" bigint NOT NULL)
            """#,
        ]
    }

    /// The UTF-8 ranges of the statements in `script` that reach the database (its shell commands left out).
    public func statementRanges(in script: String) -> [Range<Int>] {
        statements(in: script).filter { !$0.isShellCommand }.map(\.range)
    }

    /// SQL's standard quoting, which PostgreSQL and SQLite share: `"name"`, with `"` doubled.
    public func quote(identifier: String) -> String {
        "\"" + identifier.replacing("\"", with: "\"\"") + "\""
    }
}

/// A family of SQL: the databases that share one dialect. Extensible: a new driver declares its own.
public struct DatabaseFamily: Hashable, Sendable, CustomStringConvertible {
    /// A short identifier (`postgresql`, `sqlite`).
    public let identifier: String

    /// Declares a family.
    public init(_ identifier: String) {
        self.identifier = identifier
    }

    /// PostgreSQL and the servers that speak its SQL.
    public static let postgreSQL = DatabaseFamily("postgresql")
    /// SQLite.
    public static let sqlite = DatabaseFamily("sqlite")

    public var description: String { identifier }
}
