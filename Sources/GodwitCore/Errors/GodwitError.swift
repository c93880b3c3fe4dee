/// A failure Godwit reports to its user: what went wrong, where, and what to do next.
///
/// ```swift
/// do { try await migrator.latest() } catch let error as GodwitError where error.code == .migrationFailed {
///     print(error)   // names the file, the statement, the database's own message
/// }
/// ```
public struct GodwitError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case migrationFailed, invalidMigrationFile, invalidMigrationName, duplicateMigrationStem
            case migrationsDirectoryMissing, migrationsDirectoryIsFile, cannotRead, cannotWrite
            case missingMigrationFiles, irreversibleMigration, unknownMigration, locked
            case configuration, connection, transaction
        }

        private let base: Base

        private init(_ base: Base) { self.base = base }

        /// A migration's SQL failed in the database.
        public static let migrationFailed = Code(.migrationFailed)
        /// A migration file is not in dbmate's format or cannot be read as text.
        public static let invalidMigrationFile = Code(.invalidMigrationFile)
        /// `make` was given a name that would make a bad file name.
        public static let invalidMigrationName = Code(.invalidMigrationName)
        /// Two migration files share a name stem.
        public static let duplicateMigrationStem = Code(.duplicateMigrationStem)
        /// The migrations folder does not exist.
        public static let migrationsDirectoryMissing = Code(.migrationsDirectoryMissing)
        /// The migrations folder is a file.
        public static let migrationsDirectoryIsFile = Code(.migrationsDirectoryIsFile)
        /// A file or folder could not be read.
        public static let cannotRead = Code(.cannotRead)
        /// A file or folder could not be written.
        public static let cannotWrite = Code(.cannotWrite)
        /// Migrations recorded as applied have no file.
        public static let missingMigrationFiles = Code(.missingMigrationFiles)
        /// A migration to undo has no `down` section.
        public static let irreversibleMigration = Code(.irreversibleMigration)
        /// A migration named on the command line does not exist or is in the wrong state.
        public static let unknownMigration = Code(.unknownMigration)
        /// Another runner holds the migration lock.
        public static let locked = Code(.locked)
        /// The configuration is incomplete or malformed.
        public static let configuration = Code(.configuration)
        /// The database could not be reached or refused the connection.
        public static let connection = Code(.connection)
        /// Beginning, committing or rolling back a transaction failed.
        public static let transaction = Code(.transaction)

        /// The code's name, e.g. `migrationFailed`.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// One line saying what went wrong.
    public let summary: String
    /// Further lines: where, the database's own words, what to do next.
    public let details: [String]
    /// The database's error, when the database reported one.
    public let databaseError: DatabaseError?

    /// Creates an error; prefer the named constructors.
    public init(code: Code, summary: String, details: [String] = [], databaseError: DatabaseError? = nil) {
        self.code = code
        self.summary = summary
        self.details = details
        self.databaseError = databaseError
    }

    /// The summary and every detail, one per line.
    public var description: String {
        ([summary] + details.map { "  " + $0 }).joined(separator: "\n")
    }
}

extension GodwitError {
    static func invalidMigrationFile(path: String, line: Int?, reason: String) -> GodwitError {
        let place = line.map { "\(path):\($0)" } ?? path
        return GodwitError(code: .invalidMigrationFile, summary: "invalid migration file \(place): \(reason)")
    }

    static func invalidMigrationName(_ name: String) -> GodwitError {
        GodwitError(
            code: .invalidMigrationName,
            summary: "invalid migration name '\(name)'",
            details: ["use letters, digits, '_' and '-' only, e.g. create_users"])
    }

    static func duplicateMigrationStem(_ stem: String, files: [String], directory: String) -> GodwitError {
        GodwitError(
            code: .duplicateMigrationStem,
            summary: "two migrations in \(directory) share the name '\(stem)': \(files.joined(separator: ", "))",
            details: ["a migration is identified by its name without extension; rename or remove one of them"])
    }

    static func migrationsDirectoryMissing(path: String) -> GodwitError {
        GodwitError(
            code: .migrationsDirectoryMissing,
            summary: "the migrations folder '\(path)' does not exist",
            details: ["create it with 'godwit make <name>', or point to it with --migrations-dir or GODWIT_MIGRATIONS_DIR"])
    }

    static func migrationsDirectoryIsFile(path: String) -> GodwitError {
        GodwitError(
            code: .migrationsDirectoryIsFile,
            summary: "the migrations folder '\(path)' is a file, not a folder",
            details: ["point to the folder with --migrations-dir or GODWIT_MIGRATIONS_DIR"])
    }

    static func cannotRead(path: String, reason: String) -> GodwitError {
        GodwitError(code: .cannotRead, summary: "cannot read '\(path)': \(reason)")
    }

    static func cannotWrite(path: String, reason: String) -> GodwitError {
        GodwitError(code: .cannotWrite, summary: "cannot write '\(path)': \(reason)")
    }

    /// Applied migrations have no file: Knex's "migration directory is corrupt" error.
    public static func missingMigrationFiles(_ names: [String], directory: String) -> GodwitError {
        GodwitError(
            code: .missingMigrationFiles,
            summary: "the migration directory is corrupt, the following files are missing: \(names.joined(separator: ", "))",
            details: [
                "these migrations are recorded as applied in knex_migrations but have no file in \(directory)",
                "restore the files (a .sql file with the same name before the extension counts)",
            ])
    }

    static func irreversibleMigration(_ migration: Migration) -> GodwitError {
        GodwitError(
            code: .irreversibleMigration,
            summary: "cannot roll back \(migration.name): its '-- migrate:down' section is empty",
            details: ["file: \(migration.path)", "nothing was rolled back; write the down section first"])
    }

    static func locked(table: String) -> GodwitError {
        GodwitError(
            code: .locked,
            summary: "can't take lock to run migrations: migration table is already locked",
            details: [
                "\(table).is_locked is 1: another runner (Godwit or Knex) is migrating, or one died while holding it",
                "if you are sure no migrations are running, release it with 'godwit unlock'",
            ])
    }

    /// A migration's SQL failed: names the file, the statement and where it starts, and the database's message.
    static func migrationFailed(
        _ migration: Migration, direction: String, script: MigrationScript, error: DatabaseError, consequence: String
    ) -> GodwitError {
        var details = ["file: \(migration.path) (\(direction))"]
        if let offset = error.statementOffset {
            let start = script.location(ofUTF8Offset: offset)
            var place = "statement at line \(start.line), column \(start.column)"
            if let errorOffset = error.errorOffset {
                let at = script.location(ofUTF8Offset: errorOffset)
                place += "; error at line \(at.line), column \(at.column)"
            }
            details.append(place)
        }
        if let statement = error.statement {
            details.append("statement: \(abbreviate(statement))")
        }
        details.append("\(error.isConnectionFailure ? "connection" : "database") error: \(error)")
        details.append(consequence)
        return GodwitError(
            code: .migrationFailed, summary: "migration \(migration.name) failed", details: details,
            databaseError: error)
    }

    static func transaction(phase: String, error: DatabaseError, consequence: String) -> GodwitError {
        GodwitError(
            code: .transaction, summary: "could not \(phase) the transaction",
            details: ["database error: \(error)", consequence], databaseError: error)
    }

    private static func abbreviate(_ statement: String) -> String {
        let oneLine = statement.split(whereSeparator: \.isNewline).map { $0.drop(while: \.isWhitespace) }
            .joined(separator: " ")
        return oneLine.count > 400 ? String(oneLine.prefix(400)) + " …" : oneLine
    }
}
