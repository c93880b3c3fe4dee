import Foundation
import PackagePlugin

/// Generates `GodwitMigrations.swift`, the list of a target's Swift migrations, from the names of its
/// migration files (`20261125093000_create_users.swift`): a new file is picked up at the next build,
/// without anyone editing a list.
@main
struct GodwitMigrationsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target.sourceModule else { return [] }
        let migrations = module.sourceFiles(withSuffix: "swift").map(\.url)
            .filter { isMigrationFileName($0.lastPathComponent) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appending(path: "GodwitMigrations.swift")
        let defaultDirectory = module.directoryURL.appending(path: "Migrations")
        let arguments = [
            "--output", output.path(percentEncoded: false),
            "--package-root", context.package.directoryURL.path(percentEncoded: false),
            "--default-directory", defaultDirectory.path(percentEncoded: false),
        ] + migrations.map { $0.path(percentEncoded: false) }
        return [
            .buildCommand(
                displayName: "Listing \(migrations.count) Swift migration(s) of \(target.name)",
                executable: try context.tool(named: "GodwitRegistryGenerator").url,
                arguments: arguments,
                inputFiles: migrations,
                outputFiles: [output])
        ]
    }

    /// Knex's migration names: digits, then `_`, then the rest (`001_x.swift`, `20261125093000_x.swift`).
    private func isMigrationFileName(_ name: String) -> Bool {
        let digits = name.prefix { $0.isASCII && $0.isNumber }
        return !digits.isEmpty && name.dropFirst(digits.count).first == "_"
    }
}
