import ArgumentParser
import GodwitCore

/// The `godwit` command line: Knex's migration commands for SQL (and compiled Swift) migrations.
///
/// An executable runs it with `await Godwit.main()`.
public struct Godwit: AsyncParsableCommand {
    /// Godwit's version.
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "godwit",
        abstract: "Database migrations for Swift, compatible with Knex's knex_migrations.",
        version: version,
        subcommands: [Latest.self, Rollback.self, Up.self, Down.self, Status.self, List.self, Unlock.self, Make.self, Wait.self])

    /// Migrations compiled into the executable, run together with the folder's SQL files.
    @TaskLocal static var extraMigrations: [Migration] = []
    /// Where the executable's Swift migrations live in its package, for `make --swift`.
    @TaskLocal static var swiftMigrationsDirectory: String?

    public init() {}

    /// Parses the program's arguments and runs the command; SIGTERM or SIGINT stops it cleanly (see
    /// ``main(migrations:swiftMigrationsDirectory:)``).
    public static func main() async {
        do {
            var command = try await asyncParseAsRoot()
            if let asyncCommand = command as? any AsyncParsableCommand {
                try await StopSignals.run(asyncCommand)
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }

    /// Runs the command line with migrations compiled into the calling executable, which form one
    /// sequence with the folder's SQL files, ordered by name.
    ///
    /// The first SIGTERM or SIGINT cancels the command: the running statement is cancelled, the batch's
    /// transaction rolls back, the lock is freed, and the process exits with 128 + the signal's number
    /// after saying what was kept. A second one ends the process at once.
    ///
    /// With the Godwit plugin on the target, pass what it generates:
    ///
    /// ```swift
    /// await Godwit.main(migrations: GodwitMigrations.all, swiftMigrationsDirectory: GodwitMigrations.directory)
    /// ```
    ///
    /// - Parameters:
    ///   - migrations: the compiled migrations.
    ///   - swiftMigrationsDirectory: the folder, relative to the package, that `make --swift` writes to.
    public static func main(migrations: [Migration], swiftMigrationsDirectory: String? = nil) async {
        await $extraMigrations.withValue(migrations) {
            await $swiftMigrationsDirectory.withValue(swiftMigrationsDirectory) { await main() }
        }
    }
}
