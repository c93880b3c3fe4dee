import GodwitCore

extension Configuration {
    /// The SQL migrations of ``migrationsDirectory`` and the compiled ones: one sequence, in which no two
    /// share a name stem.
    ///
    /// A folder that does not exist is an error, compiled migrations or not: a program run from another
    /// folder must not take "no such folder" for "no SQL migrations". Only a configuration without a
    /// folder (``migrationsDirectory`` `nil`) has none.
    ///
    /// - Throws: `GodwitError` for a missing folder, a malformed file or a shared stem.
    public func loadMigrations(compiled: [Migration] = []) throws -> [Migration] {
        guard let migrationsDirectory else { return compiled }
        let files: [Migration]
        do {
            files = try MigrationDirectory(path: migrationsDirectory).load()
        } catch let error as GodwitError where error.code == .migrationsDirectoryMissing && !compiled.isEmpty {
            throw GodwitError(
                code: error.code, summary: error.summary,
                details: [
                    "this program's Swift migrations are compiled in; its SQL migrations are read from \(migrationsDirectory), relative to the current folder: run it in the folder that holds them, or set --migrations-dir / GODWIT_MIGRATIONS_DIR",
                ])
        }
        guard !compiled.isEmpty else { return files }
        let all = files + compiled
        try MigrationDirectory.checkUniqueStems(
            all.map(\.name).sorted(by: Migration.precedes), in: migrationsDirectory + " and the compiled Swift migrations")
        return all
    }

    /// The SQL folder as shown to people: its path, or what it means to have none.
    public var migrationsDirectoryDescription: String {
        migrationsDirectory ?? "none (the program's migrations are compiled in)"
    }
}
