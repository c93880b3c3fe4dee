import GodwitCore

extension Configuration {
    /// The SQL migrations of ``migrationsDirectory`` and the compiled ones: one sequence, in which no two
    /// share a name stem. With compiled migrations, the folder may be missing.
    ///
    /// - Throws: ``GodwitError`` for a missing folder (without compiled migrations), a malformed file or a
    ///   shared stem.
    public func loadMigrations(compiled: [Migration] = []) throws -> [Migration] {
        let files: [Migration]
        do {
            files = try MigrationDirectory(path: migrationsDirectory).load()
        } catch let error as GodwitError where error.code == .migrationsDirectoryMissing && !compiled.isEmpty {
            files = []
        }
        guard !compiled.isEmpty else { return files }
        let all = files + compiled
        try MigrationDirectory.checkUniqueStems(
            all.map(\.name).sorted(by: Migration.precedes), in: migrationsDirectory + " and the compiled Swift migrations")
        return all
    }
}
