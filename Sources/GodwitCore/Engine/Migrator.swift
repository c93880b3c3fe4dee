#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runs migrations against one database: Knex's commands, with batches that are all or nothing and a
/// lock that never outlives its holder.
///
/// ```swift
/// let migrator = Migrator(connection: connection, migrations: try MigrationDirectory(path: "migrations").load())
/// let report = try await migrator.latest()
/// ```
///
/// A batch whose scripts all run in its transaction runs in one transaction with the lock (the row lock on
/// `knex_migrations_lock`) and its records: it lands whole or not at all. A batch with a `transaction:false`
/// or `transaction:own` script runs step by step under a lock committed as `is_locked = 1` with a lease that
/// a dead holder's successor takes over (see the article <doc:Safety>).
///
/// - Throws: every command throws ``GodwitError``.
public struct Migrator: Sendable {
    /// How long to wait for locks, and how often to retry.
    public struct Settings: Sendable {
        /// How long a runner waits for another runner's batch before giving up. Default: 5 minutes.
        public var lockTimeout: Duration
        /// How long a migration statement in a transaction may wait for a table lock (PostgreSQL's
        /// `lock_timeout`), so that DDL queued behind a long query does not stall every query queued behind
        /// it; `nil` waits forever. Default: 5 seconds. Statements outside transactions are not bounded:
        /// `CREATE INDEX CONCURRENTLY` waits for older transactions by design.
        public var ddlLockTimeout: Duration?
        /// How many times a batch (or a migration, outside one-transaction batches) whose statement timed out
        /// waiting for a table lock is retried, with growing pauses. Default: 3.
        public var ddlRetries: Int
        /// How long the lock of a batch with `transaction:false` migrations outlives its holder if the holder
        /// dies; the holder renews it every third of this. Default: 30 seconds.
        public var leaseDuration: Duration
        /// The names new migrations are recorded under: Knex's (`.js`) while the history shows Knex
        /// runners, by default, so that a Knex runner sharing the database never applies one again.
        public var recordNames: KnexNaming
        /// Run each migration of a batch in a transaction of its own, committed before the next (as if
        /// every section were marked `transaction:own`): a failure keeps the migrations before it. Default:
        /// `false`, one transaction for the batch.
        public var transactionPerMigration: Bool
        /// Roll back migrations whose `down` section is empty as undoing nothing (as if each were marked
        /// `nothing-to-undo`). Default: `false`, such a migration cannot be rolled back.
        public var allowEmptyDown: Bool

        /// Creates settings; every parameter has the documented default.
        public init(
            lockTimeout: Duration = .seconds(300), ddlLockTimeout: Duration? = .seconds(5), ddlRetries: Int = 3,
            leaseDuration: Duration = .seconds(30), recordNames: KnexNaming = .automatic,
            transactionPerMigration: Bool = false, allowEmptyDown: Bool = false
        ) {
            self.transactionPerMigration = transactionPerMigration
            self.allowEmptyDown = allowEmptyDown
            self.leaseDuration = leaseDuration
            self.recordNames = recordNames
            self.lockTimeout = lockTimeout
            self.ddlLockTimeout = ddlLockTimeout
            self.ddlRetries = ddlRetries
        }
    }

    /// What a user allows for one migrating command.
    public struct RunOptions: Sendable {
        /// Keep the new checksums of applied files that changed, instead of refusing to run.
        public var acceptEdits: Bool
        /// How to finish a migration that was interrupted outside a transaction; `nil` refuses to run.
        public var interrupted: InterruptedMigration.Resolution?
        /// Told of each migration as it starts and ends, and of waits for the lock; `nil`: nobody is.
        public var progress: MigrationProgress.Observer?

        /// Creates options; by default edits and interrupted migrations stop the command.
        public init(
            acceptEdits: Bool = false, interrupted: InterruptedMigration.Resolution? = nil,
            progress: MigrationProgress.Observer? = nil
        ) {
            self.acceptEdits = acceptEdits
            self.interrupted = interrupted
            self.progress = progress
        }
    }

    /// The database.
    public var connection: any DatabaseConnection { engine.connection }
    /// Every known migration, in name order.
    public var migrations: [Migration] { engine.migrations }
    /// Where the migrations came from, for messages.
    public var source: String { engine.source }
    /// Lock waits and retries.
    public var settings: Settings { engine.settings }
    private var engine: MigrationEngine

    /// Creates a migrator.
    ///
    /// - Parameters:
    ///   - connection: an open connection, used by one command at a time.
    ///   - migrations: the migrations, in any order; they are sorted by name.
    ///   - source: where the migrations came from (a folder), named in messages.
    ///   - tableName: the tracking table; the lock table is its name plus `_lock`, as in Knex.
    ///   - schema: the schema of the tracking tables (Knex's `schemaName`), created if missing; `nil`: the
    ///     first schema of the search path (`public`).
    ///   - settings: lock waits and retries.
    ///   - logger: receives a line per migration at `.debug`, and lock waits and retries at `.notice`.
    public init(
        connection: any DatabaseConnection, migrations: [Migration], source: String = "migrations",
        tableName: String = "knex_migrations", schema: String? = nil, settings: Settings = Settings(),
        logger: Logger = Logger(label: "godwit")
    ) {
        let inOrder = zip(migrations, migrations.dropFirst()).allSatisfy { Migration.precedes($0.name, $1.name) }
        engine = MigrationEngine(
            connection: connection,
            migrations: inOrder ? migrations : migrations.sorted { Migration.precedes($0.name, $1.name) },
            source: source, settings: settings,
            log: MigrationLog(connection: connection, tableName: TableName(tableName, schema: schema)), logger: logger)
    }

    // MARK: Commands
    //
    // Each command takes `startingFrom`: the tracking tables as read ahead (while the files loaded), used
    // instead of a first read of its own; `nil` (the default), or a snapshot of other tables, reads them.

    /// Applies every pending migration as one new batch (`knex migrate:latest`).
    public func latest(
        _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> MigrationReport {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).migrate(.up, options, startingFrom: snapshot, planner: latestPlanner)
        }
    }

    /// What ``latest(_:startingFrom:)`` would run, sending the database nothing but the read of the tracking tables:
    /// each pending migration's statements, SQL as written and what Swift code would send.
    ///
    /// - Parameters:
    ///   - options: what the run would allow (edits accepted, an interrupted migration resumed).
    ///   - snapshot: the tracking tables as read ahead; `nil` reads them.
    public func latestDryRun(
        _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> DryRun {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).dryRun(planner: latestPlanner, options: options, rehearsing: false, startingFrom: snapshot)
        }
    }

    /// Runs what ``latest(_:startingFrom:)`` would run in a transaction that is rolled back, and returns its statements:
    /// each migration sees what the ones before it did, and a failure shows now. It takes the table locks
    /// and does the work the migrations do (on production too); only the rollback undoes it.
    public func latestRehearsal(
        _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> DryRun {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).dryRun(planner: latestPlanner, options: options, rehearsing: true, startingFrom: snapshot)
        }
    }

    /// Applies the next pending migration, or the named one, as a batch of its own (`knex migrate:up`).
    public func up(
        name: String? = nil, _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> MigrationReport {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).migrate(
                .up, options, startingFrom: snapshot, planner: MigrationPlanner.up(name: name, recordNames: settings.recordNames))
        }
    }

    /// Undoes the last batch, newest first, or every batch (`knex migrate:rollback [--all]`).
    public func rollback(
        all: Bool = false, _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> MigrationReport {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).migrate(.down, options, startingFrom: snapshot, planner: rollbackPlanner(all: all))
        }
    }

    /// What ``rollback(all:_:startingFrom:)`` would run, sending the database nothing but the read of the tracking tables.
    public func rollbackDryRun(
        all: Bool = false, _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> DryRun {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).dryRun(
                planner: rollbackPlanner(all: all), options: options, rehearsing: false, startingFrom: snapshot)
        }
    }

    /// Runs what ``rollback(all:_:startingFrom:)`` would run in a transaction that is rolled back (see
    /// ``latestRehearsal(_:startingFrom:)``).
    public func rollbackRehearsal(
        all: Bool = false, _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> DryRun {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).dryRun(
                planner: rollbackPlanner(all: all), options: options, rehearsing: true, startingFrom: snapshot)
        }
    }

    /// Undoes the last applied migration, or the named one (`knex migrate:down`).
    public func down(
        name: String? = nil, _ options: RunOptions = RunOptions(), startingFrom snapshot: TrackingSnapshot? = nil
    ) async throws -> MigrationReport {
        try await onConnectionThread {
            try await engine.reporting(to: options.progress).migrate(
                .down, options, startingFrom: snapshot,
                planner: MigrationPlanner.down(name: name, source: source, allowingEmptyDown: settings.allowEmptyDown))
        }
    }

    /// Reads what is applied, pending, edited and interrupted, changing nothing (no tables are created).
    public func status(startingFrom snapshot: TrackingSnapshot? = nil) async throws -> MigrationState {
        try await onConnectionThread {
            MigrationState(try await engine.readTracking(startingFrom: snapshot), available: migrations)
        }
    }

    /// Frees a Knex lock left at `is_locked = 1`, as `knex migrate:unlock` does, creating the tables if
    /// they are missing. Godwit's own lock never needs it: it ends with its holder.
    public func unlock() async throws {
        try await onConnectionThread {
            try await engine.unlock()
        }
    }

    /// Runs `command` with the connection's thread as its executor preference (see
    /// ``DatabaseConnection/executor``): the engine's code runs where the connection's calls run, so they
    /// need no thread switch.
    private func onConnectionThread<T>(_ command: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(connection.executor, operation: command)
    }

    private var latestPlanner: MigrationPlanner.Planner { MigrationPlanner.latest(recordNames: settings.recordNames) }

    private func rollbackPlanner(all: Bool) -> MigrationPlanner.Planner {
        MigrationPlanner.rollback(all: all, source: source, allowingEmptyDown: settings.allowEmptyDown)
    }
}
