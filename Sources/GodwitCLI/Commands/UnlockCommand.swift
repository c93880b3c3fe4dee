import ArgumentParser
import GodwitCore

/// `godwit unlock`: frees the migration lock, as `knex migrate:unlock` does.
struct Unlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Free the migration lock (after a runner died holding it).")

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await withSession(options, extraMigrations: [], readingAhead: false) { session in
            try await session.migrator.unlock()
            Console.out("Unlocked the migrations lock table")
        }
    }
}
