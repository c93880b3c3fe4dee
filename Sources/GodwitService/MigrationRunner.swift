import GodwitConfiguration
import GodwitCore
import Logging
import ServiceLifecycle

/// Migrates the database from the app itself, at start-up: the same configuration, lock, transactions
/// and checks as `godwit latest`.
///
/// ```swift
/// let runner = try MigrationRunner(migrations: GodwitMigrations.all, logger: logger)
/// try await runner.latest()   // before the app serves requests
/// ```
///
/// With Hummingbird, run it in `beforeServerStarts`; with swift-service-lifecycle, use
/// ``MigrationService``. Cancelling the task that runs ``latest()``, or a graceful shutdown of the
/// service group it runs in (SIGTERM), cancels the running statement and rolls the batch back.
public struct MigrationRunner: Sendable {
    /// Where the database is and how to migrate it.
    public let configuration: Configuration
    /// The migrations compiled into the app (the Godwit plugin's `GodwitMigrations.all`); the SQL files of
    /// `Configuration/migrationsDirectory` join them.
    public let compiledMigrations: [Migration]
    private let logger: Logger

    /// A runner for a resolved configuration.
    ///
    /// - Parameters:
    ///   - configuration: the database and the settings.
    ///   - migrations: the migrations compiled into the app.
    ///   - logger: the app's logger: a line per outcome at `.info`, waits and retries at `.notice`, each
    ///     migration at `.debug`.
    public init(configuration: Configuration, migrations: [Migration] = [], logger: Logger) {
        self.configuration = configuration
        self.compiledMigrations = migrations
        self.logger = logger
    }

    /// A runner configured as the `godwit` command line is: `.env` files, `GODWIT_ENV`, `DATABASE_URL` or
    /// `SUPABASE_DB_*`, `GODWIT_MIGRATIONS_DIR`, `GODWIT_WAIT_TIMEOUT`, `GODWIT_LOCK_TIMEOUT`, ….
    ///
    /// - Parameters:
    ///   - migrations: the migrations compiled into the app (`GodwitMigrations.all`), run with the SQL files.
    ///   - environment: the environment's name (`production`); `nil`: `GODWIT_ENV`, else `NODE_ENV`, else
    ///     `development`.
    ///   - directory: where `.env` files are read from.
    ///   - sqlMigrationsDirectory: the folder of SQL migrations unless `GODWIT_MIGRATIONS_DIR` names one;
    ///     `nil` for an app whose migrations are all compiled in. A folder that does not exist is an error.
    ///   - logger: receives a line per migration at debug level, lock waits and retries at notice.
    /// - Throws: `GodwitError` `.configuration` for a malformed setting or no database.
    public init(
        migrations: [Migration] = [], environment: String? = nil, directory: String = ".",
        sqlMigrationsDirectory: String? = "migrations", logger: Logger
    ) throws {
        self.init(
            configuration: try Configuration.resolve(
                environmentName: environment, defaultMigrationsDirectory: sqlMigrationsDirectory, directory: directory),
            migrations: migrations, logger: logger)
    }

    /// Applies every pending migration as one batch, as `godwit latest` does; waits for the database
    /// first when `Configuration/waitTimeout` is set.
    ///
    /// - Returns: what was applied.
    /// - Throws: `GodwitError`: `.migrationFailed` naming the file, the statement and the database's
    ///   error (the batch rolled back); `.connection`, `.locked`, `.editedMigrations`, …; `.cancelled`
    ///   when the task was cancelled (the batch rolled back).
    @discardableResult
    public func latest() async throws -> MigrationReport {
        try await cancelWhenGracefulShutdown { try await self.migrateToLatest() }
    }

    private func migrateToLatest() async throws -> MigrationReport {
        logger.debug("migrating \(configuration.database) (\(configuration.environment))")
        let (migrator, snapshot) = try await configuration.openMigrator(compiled: compiledMigrations, logger: logger) {
            [logger] in logger.notice("\($0)")
        }
        let report = try await migrator.latest(startingFrom: snapshot)
        switch report.outcome {
        case .applied:
            logger.info(
                "applied batch \(report.batch): \(report.migrations.count) migrations",
                metadata: ["migrations": .array(report.migrations.map { .string($0) })])
        case .alreadyUpToDate, .rolledBack, .nothingToRollBack:
            logger.info("database schema is up to date")
        }
        return report
    }
}
