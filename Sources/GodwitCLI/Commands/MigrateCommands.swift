import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GodwitConfiguration
import GodwitCore

/// `godwit latest`: applies every pending migration as one new batch.
struct Latest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latest", abstract: "Apply every pending migration as one new batch.", aliases: ["migrate:latest"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var migrateOptions: MigrateOptions
    @OptionGroup var preview: PreviewOptions

    func validate() throws { try preview.check(against: migrateOptions) }

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking, overrides: migrateOptions.overrides)
        let previewing = preview.dryRun || preview.rehearse
        try await withSession(request, access: previewing ? .reading : .migrating, verbose: migrateOptions.verbose) { session in
            let options = migrateOptions.runOptions
            if previewing {
                let plan = try await preview.dryRun
                    ? session.migrator.latestDryRun(options, startingFrom: session.snapshot) : session.migrator.latestRehearsal(options, startingFrom: session.snapshot)
                if !session.databaseExists {
                    Console.error("No database yet (\(session.configuration.database)): \(noDatabaseYet(pending: plan.steps.count))")
                }
                return Console.out(plan.lines())
            }
            Console.out(try await session.migrator.latest(options, startingFrom: session.snapshot).lines(singleStep: false))
        }
    }
}

/// `godwit rollback`: undoes the last batch, or every batch with `--all`.
struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Undo the last batch of migrations (--all: every batch).", aliases: ["migrate:rollback"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var migrateOptions: MigrateOptions
    @OptionGroup var preview: PreviewOptions

    @Flag(help: "Undo every applied migration, not just the last batch.")
    var all = false

    @Flag(name: [.customShort("y"), .long], help: "Do not ask before undoing migrations outside development (only a terminal is asked).")
    var yes = false

    func validate() throws { try preview.check(against: migrateOptions) }

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking, overrides: migrateOptions.overrides)
        // Nothing to roll back in a database that does not exist: it is not created.
        try await withSession(request, access: .reading, verbose: migrateOptions.verbose) { session in
            let options = migrateOptions.runOptions
            if preview.dryRun { return Console.out(try await session.migrator.rollbackDryRun(all: all, options, startingFrom: session.snapshot).lines()) }
            if preview.rehearse { return Console.out(try await session.migrator.rollbackRehearsal(all: all, options, startingFrom: session.snapshot).lines()) }
            if !yes, Terminal.inputIsTerminal {
                let plan = try await session.migrator.rollbackDryRun(all: all, options, startingFrom: session.snapshot)
                try await Confirmation.confirmUndoing(plan.steps.map(\.name), environment: session.configuration.environment, skip: yes)
            }
            Console.out(try await session.migrator.rollback(all: all, options, startingFrom: session.snapshot).lines(singleStep: false))
        }
    }
}

/// `godwit up [name]`: applies the next pending migration (or the named one) as a batch of its own.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Apply the next pending migration, or the named one.", aliases: ["migrate:up"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var migrateOptions: MigrateOptions

    @Argument(help: "A pending migration's name (with or without extension).", completion: MigrationNameCompletion.kind)
    var name: String?

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking, overrides: migrateOptions.overrides)
        try await withSession(request, verbose: migrateOptions.verbose) { session in
            Console.out(try await session.migrator.up(name: name, migrateOptions.runOptions, startingFrom: session.snapshot).lines(singleStep: true))
        }
    }
}

/// `godwit down [name]`: undoes the last applied migration (or the named one).
struct Down: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down", abstract: "Undo the last applied migration, or the named one.", aliases: ["migrate:down"])

    @OptionGroup var environment: EnvironmentOption
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var tracking: TrackingOptions
    @OptionGroup var migrateOptions: MigrateOptions

    @Argument(help: "An applied migration's name (with or without extension).", completion: MigrationNameCompletion.kind)
    var name: String?

    @Flag(name: [.customShort("y"), .long], help: "Do not ask before undoing a migration outside development (only a terminal is asked).")
    var yes = false

    func run() async throws {
        let request = ConfigurationRequest(environment, database, tracking, overrides: migrateOptions.overrides)
        try await withSession(request, access: .reading, verbose: migrateOptions.verbose) { session in
            if !yes, Terminal.inputIsTerminal {
                let state = try await session.migrator.status(startingFrom: session.snapshot)
                let undone = name ?? state.completed.last?.record.name
                try await Confirmation.confirmUndoing(undone.map { [$0] } ?? [], environment: session.configuration.environment, skip: yes)
            }
            Console.out(try await session.migrator.down(name: name, migrateOptions.runOptions, startingFrom: session.snapshot).lines(singleStep: true))
        }
    }
}

/// What the shell completes after `up` and `down`: the migrations' names, the folder's SQL files and the
/// Swift migrations built in. No database is read while a person types, so `up` is offered applied
/// migrations too.
enum MigrationNameCompletion {
    static let kind = CompletionKind.custom { arguments, _, prefix in names(arguments: arguments, prefix: prefix) }

    static func names(arguments: [String], prefix: String) -> [String] {
        var folder = ProcessInfo.processInfo.environment["GODWIT_MIGRATIONS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "migrations"
        if let flag = arguments.firstIndex(of: "--migrations-dir"), flag + 1 < arguments.count { folder = arguments[flag + 1] }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".sql") && !$0.hasPrefix(".") }
        return (files + Godwit.extraMigrations.map(\.name)).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
