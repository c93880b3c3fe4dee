import ArgumentParser
import GodwitConfiguration
import GodwitCore

/// `godwit make <name>`: writes `migrations/<timestamp>_<name>.sql` from the template, or with `--swift`
/// a Swift migration into the Swift migrations folder.
struct Make: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make", abstract: "Create a new migration (SQL, or Swift with --swift) from the template.", aliases: ["migrate:make"])

    /// Where Swift migrations go when nothing says otherwise: the `migrate` target of the package.
    static let defaultSwiftDirectory = "Sources/migrate/Migrations"

    @OptionGroup var environment: EnvironmentOption

    @Option(name: .customLong("migrations-dir"), help: "The folder of SQL migrations (default: GODWIT_MIGRATIONS_DIR, else migrations).")
    var migrationsDirectory: String?

    @Argument(help: "The migration's name: letters, digits, '_' and '-' (e.g. create_users).")
    var name: String

    @Flag(help: "Write a Swift migration (<timestamp>_<name>.swift) instead of a SQL file.")
    var swift = false

    @Option(name: .customLong("swift-dir"), help: ArgumentHelp(
        "The folder of Swift migrations, relative to the package (default: GODWIT_SWIFT_MIGRATIONS_DIR, else the executable's own, else \(Make.defaultSwiftDirectory)).",
        valueName: "path"))
    var swiftDirectory: String?

    func validate() throws {
        if swiftDirectory != nil && !swift { throw ValidationError("--swift-dir is for Swift migrations: add --swift") }
        if migrationsDirectory != nil && swift { throw ValidationError("--migrations-dir is the SQL folder: --swift writes to --swift-dir") }
    }

    func run() async throws {
        try await reportingFailures {
            Console.usingEnvironment(flag: environment.env)
            let folders = try Configuration.resolveFolders(environmentName: environment.env, migrationsDirectory: migrationsDirectory)
            let directory = swift
                ? swiftDirectory ?? folders.swiftMigrationsDirectory ?? Godwit.swiftMigrationsDirectory ?? Make.defaultSwiftDirectory
                : folders.migrationsDirectory
            let path = try MigrationDirectory(path: directory).make(name: name, swift: swift)
            Console.out("Created Migration: \(path)")
            if swift { Console.out("It runs once the executable is built again (swift run migrate latest builds it).") }
        }
    }
}
