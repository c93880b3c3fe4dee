import ArgumentParser
import GodwitConfiguration
import GodwitCore

/// `godwit make <name>`: writes `migrations/<timestamp>_<name>.sql` from the template, or with `--swift`
/// a Swift migration into the Swift migrations folder.
struct Make: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make", abstract: "Create a new migration (SQL, or Swift with --swift) from the template.")

    /// Where Swift migrations go when nothing says otherwise: the `migrate` target of the package.
    static let defaultSwiftDirectory = "Sources/migrate/Migrations"

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The migration's name: letters, digits, '_' and '-' (e.g. create_users).")
    var name: String

    @Flag(help: "Write a Swift migration (<timestamp>_<name>.swift) instead of a SQL file.")
    var swift = false

    @Option(name: .customLong("swift-dir"), help: ArgumentHelp(
        "The folder of Swift migrations (default: GODWIT_SWIFT_MIGRATIONS_DIR, else the executable's own, else \(Make.defaultSwiftDirectory)).",
        valueName: "path"))
    var swiftDirectory: String?

    func run() async throws {
        do {
            let configuration = try options.configuration()
            Console.out("Using environment: \(configuration.environment)")
            let directory = swift
                ? swiftDirectory ?? configuration.swiftMigrationsDirectory ?? Godwit.swiftMigrationsDirectory ?? Make.defaultSwiftDirectory
                : configuration.migrationsDirectory
            let path = try MigrationDirectory(path: directory).make(name: name, swift: swift)
            Console.out("Created Migration: \(path)")
            if swift { Console.out("It runs once the executable is built again (swift run migrate latest builds it).") }
        } catch let error as GodwitError {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}
