import ArgumentParser
import GodwitConfiguration
import GodwitCore

/// `godwit unlock`: frees the migration lock, as `knex migrate:unlock` does.
struct Unlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Free the migration lock (after a runner died holding it).", aliases: ["migrate:unlock"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions

    @Option(help: "The PostgreSQL schema of the tracking tables, as Knex's schemaName (default: GODWIT_SCHEMA, else the search path's, public).")
    var schema: String?

    func run() async throws {
        let request = ConfigurationRequest(environment, database, overrides: .init(schema: schema))
        try await withSession(request, access: .lockOnly) { session in
            try await session.migrator.unlock()
            Console.out("Unlocked the migrations lock table")
        }
    }
}
