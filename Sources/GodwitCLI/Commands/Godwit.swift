import ArgumentParser
import GodwitCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `godwit` command line: Knex's migration commands for SQL (and compiled Swift) migrations.
///
/// An executable runs it with `await Godwit.main()`.
public struct Godwit: AsyncParsableCommand {
    /// Godwit's version.
    public static let version = "0.2.0"

    public static let configuration = CommandConfiguration(
        commandName: "godwit",
        abstract: "Database migrations for Swift, compatible with Knex's knex_migrations.",
        version: version,
        subcommands: [
            Latest.self, Rollback.self, Up.self, Down.self, Status.self, List.self, CurrentVersion.self, Unlock.self, Make.self,
            Init.self, Wait.self,
        ])

    /// Migrations compiled into the executable, run together with the folder's SQL files.
    @TaskLocal static var extraMigrations: [Migration] = []
    /// Where the executable's Swift migrations live in its package, for `make --swift`.
    @TaskLocal static var swiftMigrationsDirectory: String?
    /// The SQL migrations folder when neither `--migrations-dir` nor `GODWIT_MIGRATIONS_DIR` names one;
    /// `nil` for an executable whose migrations are all compiled in.
    @TaskLocal static var defaultMigrationsDirectory: String? = "migrations"

    public init() {}

    /// Parses the program's arguments and runs the command; SIGTERM or SIGINT stops it cleanly (see
    /// ``main(migrations:swiftMigrationsDirectory:sqlMigrationsDirectory:)``).
    ///
    /// The process then ends with the command's status (see the README's table of exit codes) and without
    /// running the C libraries' exit handlers: a connection attempt still inside libpq on another thread
    /// (the files failed to load while it connected) must not race libkrb5's handlers.
    public static func main() async {
        _ = GodwitLogging.logger  // says at once if LOG_LEVEL is not a level
        let status: Int32
        do {
            try checkCommandName(Array(CommandLine.arguments.dropFirst()))
            var command = try await asyncParseAsRoot()
            if let asyncCommand = command as? any AsyncParsableCommand {
                try await StopSignals.run(asyncCommand)
            } else {
                try command.run()
            }
            status = 0
        } catch {
            status = report(error)
        }
        fflush(nil)
        _exit(status)
    }

    /// Every name a command answers to, Knex's `migrate:*` ones included.
    static var commandNames: [String] {
        var names = ["help"]
        for command in configuration.subcommands {
            if let name = command.configuration.commandName { names.append(name) }
            names += command.configuration.aliases
        }
        return names
    }

    /// Refuses a first argument that is no command's name, suggesting the nearest one (`lates`: did you
    /// mean `latest`?).
    private static func checkCommandName(_ arguments: [String]) throws {
        guard let first = arguments.first, !first.hasPrefix("-") else { return }
        let names = commandNames
        guard !names.contains(first) else { return }
        var nearest: String?
        var nearestDistance = Int.max
        for name in names {
            let distance = CommandSpelling.distance(first.lowercased(), name.lowercased())
            if distance < nearestDistance { (nearest, nearestDistance) = (name, distance) }
        }
        var message = "unknown command '\(first)'."
        if let nearest, nearestDistance <= max(2, first.count / 3) { message += " Did you mean '\(nearest)'?" }
        let commands = configuration.subcommands.compactMap { $0.configuration.commandName }
        throw ValidationError(message + " The commands: \(commands.joined(separator: ", ")).")
    }

    /// Prints what ArgumentParser says about `error` (help and the version on standard output, usage
    /// errors with the usage line on standard error) and returns the exit status it stands for.
    private static func report(_ error: any Error) -> Int32 {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if !message.isEmpty {
            if code == .success { Console.out(message) } else { Console.error(message) }
        }
        return code.rawValue
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
    /// The SQL migrations are read from `sqlMigrationsDirectory`, relative to the current folder, unless
    /// `--migrations-dir` or `GODWIT_MIGRATIONS_DIR` say otherwise. A folder that does not exist is an
    /// error: run from another folder, the program must not run its Swift migrations alone.
    ///
    /// - Parameters:
    ///   - migrations: the compiled migrations.
    ///   - swiftMigrationsDirectory: the folder, relative to the package, that `make --swift` writes to.
    ///   - sqlMigrationsDirectory: the folder of SQL migrations (in an image, where the migrations were
    ///     copied: `/app/migrations`); `nil` when the program has none, all its migrations compiled in.
    public static func main(
        migrations: [Migration], swiftMigrationsDirectory: String? = nil, sqlMigrationsDirectory: String? = "migrations"
    ) async {
        await $extraMigrations.withValue(migrations) {
            await $swiftMigrationsDirectory.withValue(swiftMigrationsDirectory) {
                await $defaultMigrationsDirectory.withValue(sqlMigrationsDirectory) { await main() }
            }
        }
    }
}
