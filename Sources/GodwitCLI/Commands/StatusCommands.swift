import ArgumentParser
import GodwitConfiguration
import GodwitCore
import GodwitPostgres

/// `godwit status`: what is applied (batch, time) and what is pending; exits 1 if applied files are missing.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show applied migrations (batch, time) and pending ones.", aliases: ["migrate:status"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions

    @Flag(help: "Print {\"completed\":[…],\"pending\":[…],\"database\":{…}} as JSON.")
    var json = false

    @Flag(help: ArgumentHelp(
        "Exit \(StatusExitCode.pending.rawValue) when migrations are pending (or interrupted), \(StatusExitCode.changed.rawValue) when an applied migration's file changed or is gone, 0 when up to date."))
    var exitCode = false

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking)
        var verdict = StatusExitCode.upToDate
        try await withSession(request, access: .reading, quiet: json) { session in
            let state = try await session.migrator.status(startingFrom: session.snapshot)
            verdict = StatusExitCode(state)
            var output = StatusOutput(state)
            let configuration = session.configuration
            let details = await session.migrator.connection.details()
            output.database = StatusOutput.Database(
                description: "\(configuration.database)", target: target(configuration, exists: session.databaseExists),
                environment: configuration.environment, schema: configuration.schema, tls: details.tls, pooler: details.pooler)
            if json {
                Console.out(try output.json())
            } else {
                let missing = session.databaseExists ? nil : "no database yet: " + noDatabaseYet(pending: state.pending.count)
                Console.out { line in output.status(directory: configuration.migrationsDirectoryDescription, missing: missing, colors: Terminal.colorsOutput, line) }
            }
            // With --exit-code, gone files are said and answered by their exit code, as edited ones are.
            if exitCode, !state.missing.isEmpty {
                Console.error("error: \(missingFilesError(state, directory: configuration.migrationsDirectoryDescription))")
            } else {
                try failIfMissing(state, directory: configuration.migrationsDirectoryDescription)
            }
        }
        if exitCode, verdict != .upToDate { throw ExitCode(verdict.rawValue) }
    }

    private func target(_ configuration: Configuration, exists: Bool) -> StatusOutput.Target {
        switch configuration.database {
        case .sqlite(let path, _):
            return StatusOutput.Target(kind: "sqlite", path: path, exists: exists)
        case .postgres(let settings):
            return StatusOutput.Target(
                kind: "postgresql", url: settings.description, host: settings.value("host"), port: settings.value("port"),
                database: settings.value("dbname"), user: settings.value("user"))
        }
    }
}

/// `godwit list`: Knex's `migrate:list` output.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List completed and pending migrations.", aliases: ["migrate:list"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions

    @Flag(help: "Print {\"completed\":[…],\"pending\":[…]} as JSON.")
    var json = false

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking)
        try await withSession(request, access: .reading, quiet: json) { session in
            let state = try await session.migrator.status(startingFrom: session.snapshot)
            let output = StatusOutput(state)
            if json {
                Console.out(try output.json())
            } else {
                if !session.databaseExists {
                    Console.error("No database yet (\(session.configuration.database)): \(noDatabaseYet(pending: state.pending.count))")
                }
                Console.out(output.list)
            }
            try failIfMissing(state, directory: session.configuration.migrationsDirectoryDescription)
        }
    }
}

/// Applied migrations without files are shown, then reported as the error they are.
private func failIfMissing(_ state: MigrationState, directory: String) throws {
    guard state.missing.isEmpty else { throw missingFilesError(state, directory: directory) }
}

private func missingFilesError(_ state: MigrationState, directory: String) -> GodwitError {
    GodwitError.missingMigrationFiles(state.missing.map(\.name), directory: directory)
}

/// What `status --exit-code` exits with: for scripts and health checks that ask "is this database
/// migrated?" without reading the output.
enum StatusExitCode: Int32 {
    /// Every migration is applied and no applied file changed.
    case upToDate = 0
    /// Migrations are pending, or one was interrupted outside a transaction.
    case pending = 3
    /// An applied migration's file changed since it was applied, or is gone (said first, as without the flag).
    case changed = 4

    init(_ state: MigrationState) {
        if !state.edited.isEmpty || !state.missing.isEmpty {
            self = .changed
        } else if !state.pending.isEmpty || !state.interrupted.isEmpty {
            self = .pending
        } else {
            self = .upToDate
        }
    }
}

/// `godwit current-version` (Knex's `migrate:currentVersion`): the version of the newest applied
/// migration, its name up to the first `_`, as Knex reads it.
struct CurrentVersion: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "current-version",
        abstract: "Print the version of the newest applied migration (its name up to the first _), or none.",
        aliases: ["migrate:currentVersion"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking)
        try await withSession(request, access: .reading) { session in
            let state = try await session.migrator.status(startingFrom: session.snapshot)
            Console.out("Current Version: \(Self.version(of: state.completed.map(\.record.name)) ?? "none")")
        }
    }

    /// Knex's rule: the largest of the names' parts before their first `_`, compared as text.
    static func version(of names: [String]) -> String? {
        names.map { String($0.prefix { $0 != "_" }) }.max()
    }
}
