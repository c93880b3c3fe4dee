import ArgumentParser
import GodwitCore

/// `godwit make <name>`: writes `migrations/<timestamp>_<name>.sql` from the template.
struct Make: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a new SQL migration from the template.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The migration's name: letters, digits, '_' and '-' (e.g. create_users).")
    var name: String

    func run() async throws {
        do {
            let configuration = try options.configuration()
            Console.out("Using environment: \(configuration.environment)")
            let path = try MigrationDirectory(path: configuration.migrationsDirectory).make(name: name)
            Console.out("Created Migration: \(path)")
        } catch let error as GodwitError {
            Console.error("error: \(error)")
            throw ExitCode.failure
        }
    }
}
