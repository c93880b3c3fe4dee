#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import GodwitConfiguration
import GodwitCore
import Logging

/// `--env`, which every command takes.
struct EnvironmentOption: ParsableArguments {
    @Option(name: .long, help: "The environment: reads .env.<env> over .env (default: GODWIT_ENV, else NODE_ENV, else development).")
    var env: String?
}

/// Where the database is: the commands that connect.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: "postgres://… or sqlite:PATH (default: DATABASE_URL, else SUPABASE_DB_*).")
    var databaseURL: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp(
        "Seconds to wait for PostgreSQL to answer a connection (default: GODWIT_CONNECT_TIMEOUT, else 10).", valueName: "seconds"))
    var connectTimeout: Double?

    func validate() throws {
        try checkSeconds(connectTimeout, "--connect-timeout")
    }
}

/// Where the migrations and their tracking tables are: the commands that read them.
struct TrackingOptions: ParsableArguments {
    @Option(name: .customLong("migrations-dir"), help: "The folder of SQL migrations (default: GODWIT_MIGRATIONS_DIR, else migrations).")
    var migrationsDirectory: String?

    @Option(help: "The PostgreSQL schema of the tracking tables, as Knex's schemaName (default: GODWIT_SCHEMA, else the search path's, public).")
    var schema: String?
}

/// The options of the commands that migrate: lock waits, and what a user allows for this run.
struct MigrateOptions: ParsableArguments {
    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp(
        "Seconds to wait while another runner migrates (default: GODWIT_LOCK_TIMEOUT, else 300).", valueName: "seconds"))
    var lockTimeout: Double?

    @Option(name: .customLong("ddl-lock-timeout"), help: ArgumentHelp(
        "Seconds a migration statement may wait for a table lock on PostgreSQL before the batch is retried; 0: no limit (default: GODWIT_DDL_LOCK_TIMEOUT, else 5).",
        valueName: "seconds"))
    var ddlLockTimeout: Double?

    @Option(name: .customLong("ddl-retries"), help: ArgumentHelp(
        "How many times to retry after a table-lock timeout (default: GODWIT_DDL_RETRIES, else 3).", valueName: "count"))
    var ddlRetries: Int?

    @Option(name: .customLong("wait"), help: ArgumentHelp(
        "Seconds to wait for the database to accept connections, retrying while it starts (default: GODWIT_WAIT_TIMEOUT, else no wait).",
        valueName: "seconds"))
    var wait: Double?

    @Flag(name: .customLong("accept-edits"), help: "Accept changes to applied migration files: keep their new checksums.")
    var acceptEdits = false

    @Flag(help: "Finish an interrupted transaction:false migration from the first statement not known to have completed.")
    var resume = false

    @Flag(help: "Run an interrupted transaction:false migration again from its first statement (after undoing it by hand).")
    var restart = false

    @Flag(name: .customLong("transaction-per-migration"), help: "Commit each migration before the next runs, instead of one transaction for the batch: a later failure keeps the earlier ones (GODWIT_TRANSACTION_PER_MIGRATION).")
    var transactionPerMigration = false

    @Flag(name: .customLong("allow-empty-down"), help: "Roll back migrations with an empty down section as undoing nothing (GODWIT_ALLOW_EMPTY_DOWN).")
    var allowEmptyDown = false

    @Flag(help: "Say each migration as it starts, on standard error (as LOG_LEVEL=debug does; Knex's --verbose).")
    var verbose = false

    func validate() throws {
        if resume && restart { throw ValidationError("--resume and --restart exclude each other: choose one") }
        try checkSeconds(lockTimeout, "--lock-timeout")
        try checkSeconds(ddlLockTimeout, "--ddl-lock-timeout")
        try checkSeconds(wait, "--wait")
        if let ddlRetries, ddlRetries < 0 { throw ValidationError("--ddl-retries must be 0 or more, not \(ddlRetries)") }
    }

    /// Whether a lock or retry flag was given: a dry run takes no lock, so they would do nothing there.
    var setsLockWaits: Bool { lockTimeout != nil || ddlLockTimeout != nil || ddlRetries != nil }

    /// The flags' settings, over their variables.
    var overrides: Configuration.Overrides {
        Configuration.Overrides(
            lockTimeout: lockTimeout.map(Duration.seconds(fractional:)),
            ddlLockTimeout: ddlLockTimeout.map(Duration.seconds(fractional:)), ddlRetries: ddlRetries,
            waitTimeout: wait.map(Duration.seconds(fractional:)),
            transactionPerMigration: transactionPerMigration ? true : nil, allowEmptyDown: allowEmptyDown ? true : nil)
    }

    var runOptions: Migrator.RunOptions {
        Migrator.RunOptions(
            acceptEdits: acceptEdits, interrupted: resume ? .resume : restart ? .restart : nil, progress: ProgressLines.show)
    }
}

/// The modes of `latest` and `rollback` that only show what would run.
struct PreviewOptions: ParsableArguments {
    @Flag(name: .customLong("dry-run"), help: "Print the plan and every statement, SQL and Swift; sends the database nothing but the read of the tracking tables.")
    var dryRun = false

    @Flag(help: "Run the batch in a transaction that is rolled back, printing every statement: takes the table locks and does the work (on production too), then undoes it.")
    var rehearse = false

    func check(against migrate: MigrateOptions) throws {
        if dryRun && rehearse { throw ValidationError("--dry-run and --rehearse exclude each other: choose one") }
        if (dryRun || rehearse) && migrate.setsLockWaits {
            throw ValidationError("--\(dryRun ? "dry-run" : "rehearse") takes no migration lock and retries nothing: --lock-timeout, --ddl-lock-timeout and --ddl-retries do not apply")
        }
    }
}

/// A number of seconds must be one: not negative, not infinite.
func checkSeconds(_ value: Double?, _ flag: String) throws {
    guard let value else { return }
    guard value >= 0, value.isFinite else { throw ValidationError("\(flag) must be a number of seconds, 0 or more, not \(value)") }
}

extension Duration {
    /// A duration of `seconds`, to the millisecond.
    static func seconds(fractional seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }
}

/// What a command needs to find its configuration: the flags it was given.
struct ConfigurationRequest {
    var environment: String?
    var databaseURL: String?
    var migrationsDirectory: String?
    var overrides = Configuration.Overrides()

    init(
        _ environment: EnvironmentOption, _ database: DatabaseOptions? = nil, _ tracking: TrackingOptions? = nil,
        overrides: Configuration.Overrides = Configuration.Overrides()
    ) {
        self.environment = environment.env
        self.databaseURL = database?.databaseURL
        self.migrationsDirectory = tracking?.migrationsDirectory
        self.overrides = overrides
        self.overrides.schema = tracking?.schema ?? overrides.schema
        self.overrides.connectTimeout = database?.connectTimeout.map(Duration.seconds(fractional:)) ?? overrides.connectTimeout
    }

    /// Prints the environment line as Knex does (before anything can fail), then resolves.
    ///
    /// - Parameter quiet: the line goes to standard error (for `--json`, whose output is data).
    func resolve(quiet: Bool = false) throws -> Configuration {
        Console.usingEnvironment(flag: environment, quiet: quiet)
        return try Configuration.resolve(
            environmentName: environment, databaseURL: databaseURL, migrationsDirectory: migrationsDirectory,
            overrides: overrides, defaultMigrationsDirectory: Godwit.defaultMigrationsDirectory)
    }
}

/// What a command that only reads says of a SQLite file that does not exist yet (and that it leaves so).
func noDatabaseYet(pending: Int) -> String {
    "\(pending) pending; the first migrating command creates it"
}

/// What a database command does once configured and connected.
struct Session {
    let configuration: Configuration
    let migrator: Migrator
    /// The tracking tables as read ahead, for the command's first read.
    let snapshot: TrackingSnapshot?
    /// Whether the database was there: `false` for a SQLite file that does not exist yet, which a command
    /// that only reads leaves uncreated.
    let databaseExists: Bool
}

/// How a command uses the database.
enum Access {
    /// Changes it: a SQLite file that does not exist is created.
    case migrating
    /// Only reads (or finds nothing to do without one): a SQLite file that does not exist is not created.
    case reading
    /// Only writes the lock table, reading nothing first (`unlock`).
    case lockOnly
}

/// Runs a command: resolves the configuration, prints the environment line as Knex does, loads the
/// migrations, connects, and turns a failure into one message on standard error and exit status 1.
///
/// - Parameters:
///   - quiet: the environment line goes to standard error (for `--json`, whose output is data).
///   - verbose: each migration is logged as it starts (`--verbose`).
func withSession(
    _ request: ConfigurationRequest, access: Access = .migrating, quiet: Bool = false, verbose: Bool = false,
    _ body: (Session) async throws -> Void
) async throws {
    try await reportingFailures {
        let configuration = try request.resolve(quiet: quiet)
        if case .sqlite(let path, true) = configuration.database {
            Console.error("No database configured: using the SQLite file \(path) (set DATABASE_URL to change this)")
        }
        let exists = !configuration.isMissingSQLiteFile
        var logger = GodwitLogging.logger
        if verbose, logger.logLevel > .debug { logger.logLevel = .debug }
        let (migrator, snapshot) = try await configuration.openMigrator(
            compiled: Godwit.extraMigrations, readingAhead: access != .lockOnly, creating: access != .reading,
            logger: logger, report: Console.error)
        try await body(
            Session(
                configuration: configuration, migrator: migrator, snapshot: snapshot,
                databaseExists: exists || access != .reading))
    }
}

/// Runs `body`; a `GodwitError` or `DatabaseError` it throws is printed as one message on standard
/// error, and the command exits 1.
func reportingFailures(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error where error is GodwitError || error is DatabaseError {
        // Both print as their message (GodwitError's `description`, its `errorDescription` too).
        Console.error("\(TextStyle.failure.apply("error:", Terminal.colorsErrors)) \(error)")
        throw ExitCode.failure
    }
}

/// The CLI's logger: standard error, level from `LOG_LEVEL` (default `warning`).
enum GodwitLogging {
    /// The levels `LOG_LEVEL` takes, with the names other tools use for some of them.
    static let levels: [String: Logger.Level] = {
        var levels = Dictionary(uniqueKeysWithValues: Logger.Level.allCases.map { ($0.rawValue, $0) })
        levels["warn"] = .warning
        levels["fatal"] = .critical
        return levels
    }()

    static let logger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var logger = Logger(label: "godwit")
        logger.logLevel = .warning
        if let name = ProcessInfo.processInfo.environment["LOG_LEVEL"], !name.isEmpty {
            if let level = levels[name.lowercased()] {
                logger.logLevel = level
            } else {
                Console.error(
                    "godwit: LOG_LEVEL '\(name)' is not a level (\(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))): using warning")
            }
        }
        return logger
    }()
}
