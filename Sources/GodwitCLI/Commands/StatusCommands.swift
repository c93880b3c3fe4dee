import ArgumentParser
import GodwitConfiguration
import GodwitCore

/// `godwit status`: what is applied (batch, time) and what is pending; exits 1 if applied files are missing.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show applied migrations (batch, time) and pending ones.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print {\"completed\":[…],\"pending\":[…]} as JSON.")
    var json = false

    func run() async throws {
        try await withSession(options, extraMigrations: Godwit.extraMigrations, quiet: json) { session in
            let state = try await session.migrator.status()
            var output = StatusOutput(state)
            let configuration = session.configuration
            let details = await session.migrator.connection.details()
            output.database = StatusOutput.Database(
                url: "\(configuration.database)", environment: configuration.environment, schema: configuration.schema,
                tls: details.tls, pooler: details.pooler)
            if json {
                Console.out(try output.json())
            } else {
                Console.out { line in output.status(directory: configuration.migrationsDirectory, line) }
            }
            try failIfMissing(state, directory: session.configuration.migrationsDirectory)
        }
    }
}

/// `godwit list`: Knex's `migrate:list` output.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List completed and pending migrations.")

    @OptionGroup var options: GlobalOptions

    @Flag(help: "Print {\"completed\":[…],\"pending\":[…]} as JSON.")
    var json = false

    func run() async throws {
        try await withSession(options, extraMigrations: Godwit.extraMigrations, quiet: json) { session in
            let state = try await session.migrator.status()
            let output = StatusOutput(state)
            if json {
                Console.out(try output.json())
            } else {
                Console.out(output.list)
            }
            try failIfMissing(state, directory: session.configuration.migrationsDirectory)
        }
    }
}

/// Applied migrations without files are shown, then reported as the error they are.
private func failIfMissing(_ state: MigrationState, directory: String) throws {
    let missing = state.missing.map(\.name)
    guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: directory) }
}
