#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ArgumentParser
import GodwitConfiguration
import GodwitCore
import Logging

/// The options every database command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The environment: reads .env.<env> over .env (default: GODWIT_ENV, else development).")
    var env: String?

    @Option(name: .customLong("database-url"), help: "postgres://… or sqlite:PATH (default: DATABASE_URL, else SUPABASE_DB_*).")
    var databaseURL: String?

    @Option(name: .customLong("migrations-dir"), help: "The folder of SQL migrations (default: GODWIT_MIGRATIONS_DIR, else migrations).")
    var migrationsDirectory: String?

    @Option(help: "The PostgreSQL schema of the tracking tables, as Knex's schemaName (default: GODWIT_SCHEMA, else the search path's, public).")
    var schema: String?

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp(
        "Seconds to wait for PostgreSQL to answer a connection (default: GODWIT_CONNECT_TIMEOUT, else 10).", valueName: "seconds"))
    var connectTimeout: String?

    func configuration(overrides: [String: String] = [:]) throws -> Configuration {
        var overrides = overrides
        overrides["GODWIT_SCHEMA"] = schema
        overrides["GODWIT_CONNECT_TIMEOUT"] = connectTimeout
        return try Configuration.resolve(
            environmentName: env, databaseURL: databaseURL, migrationsDirectory: migrationsDirectory,
            overrides: overrides)
    }
}

/// The options of the commands that migrate: lock waits, and what a user allows for this run.
struct MigrateOptions: ParsableArguments {
    @Option(name: .customLong("lock-timeout"), help: ArgumentHelp(
        "Seconds to wait while another runner migrates (default: GODWIT_LOCK_TIMEOUT, else 300).", valueName: "seconds"))
    var lockTimeout: String?

    @Option(name: .customLong("ddl-lock-timeout"), help: ArgumentHelp(
        "Seconds a migration statement may wait for a table lock on PostgreSQL before the batch is retried; 0: no limit (default: GODWIT_DDL_LOCK_TIMEOUT, else 5).",
        valueName: "seconds"))
    var ddlLockTimeout: String?

    @Option(name: .customLong("ddl-retries"), help: ArgumentHelp(
        "How many times to retry after a table-lock timeout (default: GODWIT_DDL_RETRIES, else 3).", valueName: "count"))
    var ddlRetries: String?

    @Option(name: .customLong("wait"), help: ArgumentHelp(
        "Seconds to wait for the database to accept connections, retrying while it starts (default: GODWIT_WAIT_TIMEOUT, else no wait).",
        valueName: "seconds"))
    var wait: String?

    @Flag(name: .customLong("accept-edits"), help: "Accept changes to applied migration files: keep their new checksums.")
    var acceptEdits = false

    @Flag(help: "Finish an interrupted transaction:false migration from the first statement not known to have completed.")
    var resume = false

    @Flag(help: "Run an interrupted transaction:false migration again from its first statement (after undoing it by hand).")
    var restart = false

    func validate() throws {
        if resume && restart { throw ValidationError("--resume and --restart exclude each other: choose one") }
    }

    /// The settings given as flags, by the name of their variable.
    var overrides: [String: String] {
        var overrides: [String: String] = [:]
        overrides["GODWIT_LOCK_TIMEOUT"] = lockTimeout
        overrides["GODWIT_DDL_LOCK_TIMEOUT"] = ddlLockTimeout
        overrides["GODWIT_DDL_RETRIES"] = ddlRetries
        overrides["GODWIT_WAIT_TIMEOUT"] = wait
        return overrides
    }

    var runOptions: Migrator.RunOptions {
        Migrator.RunOptions(acceptEdits: acceptEdits, interrupted: resume ? .resume : restart ? .restart : nil)
    }
}

/// What a database command does once configured and connected.
struct Session {
    let configuration: Configuration
    let migrator: Migrator
}

/// Runs a command: resolves the configuration, prints the environment line as Knex does, loads the
/// migrations, connects, and turns any failure into one message on standard error and exit status 1.
///
/// - Parameters:
///   - quiet: the environment line goes to standard error (for `--json`, whose output is data).
///   - readingAhead: whether the command starts by reading the tracking tables (all but `unlock`).
func withSession(
    _ options: GlobalOptions, overrides: [String: String] = [:], extraMigrations: [Migration], quiet: Bool = false,
    readingAhead: Bool = true, _ body: (Session) async throws -> Void
) async throws {
    do {
        let configuration = try options.configuration(overrides: overrides)
        let using = "Using environment: \(configuration.environment)"
        quiet ? Console.error(using) : Console.out(using)
        if case .sqlite(let path, true) = configuration.database {
            Console.error("No database configured: using the SQLite file \(path) (set DATABASE_URL to change this)")
        }
        let migrator = try await configuration.openMigrator(
            compiled: extraMigrations, readingAhead: readingAhead, logger: GodwitLogging.logger, report: Console.error)
        try await body(Session(configuration: configuration, migrator: migrator))
    } catch let error as GodwitError {
        Console.error("error: \(error)")
        throw ExitCode.failure
    } catch let error as DatabaseError {
        Console.error("error: \(error)")
        throw ExitCode.failure
    }
}

/// The CLI's logger: standard error, level from `LOG_LEVEL` (default `warning`).
enum GodwitLogging {
    static let logger: Logger = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        var logger = Logger(label: "godwit")
        if let name = ProcessInfo.processInfo.environment["LOG_LEVEL"]?.lowercased(), let level = Logger.Level(rawValue: name) {
            logger.logLevel = level
        }
        return logger
    }()
}
