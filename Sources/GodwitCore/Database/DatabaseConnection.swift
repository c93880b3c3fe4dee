/// An open connection to one database: the only way the engine reaches a database.
///
/// A driver (`GodwitPostgres`, `GodwitSQLite`) implements this protocol; the engine never sees libpq or
/// sqlite3 types. Calls are made one at a time by a single task. A connection closes when the last
/// reference to it goes away.
///
/// A driver whose calls block (a C library) runs them on a ``ConnectionThread`` of its own and names it as
/// its ``executor``; the engine then runs each command there, so its calls need no thread switch and no
/// thread of Swift's cooperative pool ever waits for the database.
///
/// - Throws: every method throws ``DatabaseError`` for a failure reported by the database or the driver.
public protocol DatabaseConnection: Sendable {
    /// The SQL dialect of this database.
    var dialect: any SQLDialect { get }

    /// Where this connection's calls run, if somewhere of their own (a ``ConnectionThread``); the engine
    /// runs its commands with it as their executor preference. `nil` (the default) for a driver whose calls
    /// never block a thread.
    var executor: (any TaskExecutor)? { get }

    /// Runs a script of one or more statements, as the database's own shell would run it.
    ///
    /// Inside a transaction the statements run in it; outside one, each statement runs on its own, so a
    /// script may hold statements that refuse to run in a transaction block (`CREATE INDEX CONCURRENTLY`).
    /// A failure carries the UTF-8 offset of the failing statement within `script`.
    ///
    /// - Parameters:
    ///   - script: the statements, as a file's section holds them.
    ///   - statementEnded: called, on the connection's thread, as the database finishes each statement,
    ///     with the UTF-8 offset in `script` where that statement ends; a driver that learns it only for
    ///     several statements at once calls it for the last of them. `nil`: nobody is told.
    func execute(script: String, statementEnded: (@Sendable (Int) -> Void)?) async throws

    /// Runs one statement with bound values and hands its rows (none for a statement that returns none) to
    /// `collector`, in order, as they are read; returns the collector.
    func query<Collector: SQLRowCollector>(
        _ sql: String, _ bindings: [SQLValue], into collector: Collector
    ) async throws -> Collector

    /// Opens a transaction (the dialect's ``SQLDialect/beginTransaction``), then runs `setup` in it (one
    /// statement, the transaction's settings), in one round trip where the database allows it.
    ///
    /// On failure the transaction may be open: roll back.
    func beginTransaction(then setup: String?) async throws

    /// Opens a second connection to the same database, or returns `nil` when the database cannot hold a
    /// lock on one connection while another writes (SQLite).
    ///
    /// While a batch runs step by step, the migration lock is committed as `is_locked = 1` with a lease,
    /// which this second connection renews while the first runs the migrations: if the process dies, the
    /// lease stops being renewed and the next runner takes the lock over once it expires.
    func openAnother() async throws -> (any DatabaseConnection)?

    /// Takes a lock, outside the database, that keeps other Godwit processes from migrating this database
    /// and that the operating system frees if this process dies; `nil` when the database needs none
    /// (PostgreSQL, whose lock row is enough).
    ///
    /// - Parameters:
    ///   - timeout: how long to wait for another process to free it.
    ///   - whileWaiting: called when the wait begins and about every ``MigrationProgress/waitReportInterval``
    ///     after, with who holds the lock (and since when) and how long this process has waited.
    /// - Throws: ``GodwitError`` `.locked`, naming the holder, when it is not free in time.
    func acquireProcessLock(
        timeout: Duration, whileWaiting: (@Sendable (_ holder: String, _ waited: Duration) -> Void)?
    ) async throws -> (any ProcessLock)?

    /// How this connection reaches the database: encryption, and any pooler in between. It may ask the
    /// server; it never fails (what cannot be found out is said so in the text).
    func details() async -> ConnectionDetails
}

/// A lock held by this process; ``release()`` frees it, and so does the process ending.
public protocol ProcessLock: AnyObject, Sendable {
    /// Frees the lock. Calling it again does nothing.
    func release()
}

extension DatabaseConnection {
    /// Runs a script of one or more statements, as the database's own shell would run it (see
    /// ``execute(script:statementEnded:)``).
    public func execute(script: String) async throws {
        try await execute(script: script, statementEnded: nil)
    }

    /// Takes the process lock, waiting up to `timeout` (see ``acquireProcessLock(timeout:whileWaiting:)``).
    public func acquireProcessLock(timeout: Duration) async throws -> (any ProcessLock)? {
        try await acquireProcessLock(timeout: timeout, whileWaiting: nil)
    }

    /// `BEGIN`, then the setup, one statement at a time by default.
    public func beginTransaction(then setup: String?) async throws {
        _ = try await query(dialect.beginTransaction)
        if let setup { _ = try await query(setup) }
    }

    /// No executor of its own by default.
    public var executor: (any TaskExecutor)? { nil }

    /// No second connection by default.
    public func openAnother() async throws -> (any DatabaseConnection)? { nil }

    /// No lock outside the database by default.
    public func acquireProcessLock(
        timeout: Duration, whileWaiting: (@Sendable (_ holder: String, _ waited: Duration) -> Void)?
    ) async throws -> (any ProcessLock)? { nil }

    /// Nothing to tell by default.
    public func details() async -> ConnectionDetails { ConnectionDetails() }

    /// Runs one statement with bound values and returns its rows.
    public func query(_ sql: String, _ bindings: [SQLValue]) async throws -> [SQLRow] {
        try await query(sql, bindings, into: SQLRowArray()).rows
    }

    /// Runs one statement without bound values and returns its rows.
    public func query(_ sql: String) async throws -> [SQLRow] {
        try await query(sql, [])
    }
}
