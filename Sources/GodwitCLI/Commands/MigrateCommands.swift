import ArgumentParser
import GodwitCore

/// `godwit latest`: applies every pending migration as one new batch.
struct Latest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latest", abstract: "Apply every pending migration as one new batch.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var migrateOptions: MigrateOptions

    @Flag(name: .customLong("dry-run"), help: "Print the SQL that would run, from SQL and Swift migrations, changing nothing.")
    var dryRun = false

    func run() async throws {
        try await withSession(options, overrides: migrateOptions.overrides, extraMigrations: Godwit.extraMigrations) { session in
            if dryRun { return Console.out(try await session.migrator.latestDryRun().lines()) }
            Console.out(try await session.migrator.latest(migrateOptions.runOptions).lines(singleStep: false))
        }
    }
}

/// `godwit rollback`: undoes the last batch, or every batch with `--all`.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Undo the last batch of migrations (--all: every batch).")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var migrateOptions: MigrateOptions

    @Flag(help: "Undo every applied migration, not just the last batch.")
    var all = false

    @Flag(name: .customLong("dry-run"), help: "Print the SQL that would run, from SQL and Swift migrations, changing nothing.")
    var dryRun = false

    func run() async throws {
        try await withSession(options, overrides: migrateOptions.overrides, extraMigrations: Godwit.extraMigrations) { session in
            if dryRun { return Console.out(try await session.migrator.rollbackDryRun(all: all).lines()) }
            Console.out(try await session.migrator.rollback(all: all, migrateOptions.runOptions).lines(singleStep: false))
        }
    }
}

/// `godwit up [name]`: applies the next pending migration (or the named one) as a batch of its own.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Apply the next pending migration, or the named one.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var migrateOptions: MigrateOptions

    @Argument(help: "A pending migration's name (with or without extension).")
    var name: String?

    func run() async throws {
        try await withSession(options, overrides: migrateOptions.overrides, extraMigrations: Godwit.extraMigrations) { session in
            Console.out(try await session.migrator.up(name: name, migrateOptions.runOptions).lines(singleStep: true))
        }
    }
}

/// `godwit down [name]`: undoes the last applied migration (or the named one).
struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Undo the last applied migration, or the named one.")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var migrateOptions: MigrateOptions

    @Argument(help: "An applied migration's name (with or without extension).")
    var name: String?

    func run() async throws {
        try await withSession(options, overrides: migrateOptions.overrides, extraMigrations: Godwit.extraMigrations) { session in
            Console.out(try await session.migrator.down(name: name, migrateOptions.runOptions).lines(singleStep: true))
        }
    }
}
