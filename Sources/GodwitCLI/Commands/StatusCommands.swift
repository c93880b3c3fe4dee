import ArgumentParser
import GodwitConfiguration
import GodwitCore
import GodwitPostgres

/// `godwit status`: what is applied (batch, time) and what is pending; exits 1 if applied files are missing.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show applied migrations (batch, time) and pending ones.")

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions

    @Flag(help: "Print {\"completed\":[…],\"pending\":[…],\"database\":{…}} as JSON.")
    var json = false

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking)
        try await withSession(request, access: .reading, quiet: json) { session in
            let state = try await session.migrator.status(startingFrom: session.snapshot)
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
                Console.out { line in output.status(directory: configuration.migrationsDirectoryDescription, missing: missing, line) }
            }
            try failIfMissing(state, directory: configuration.migrationsDirectoryDescription)
        }
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
        commandName: "list", abstract: "List completed and pending migrations.")

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
    let missing = state.missing.map(\.name)
    guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: directory) }
}
