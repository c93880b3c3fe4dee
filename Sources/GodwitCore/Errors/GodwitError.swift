#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A failure Godwit reports to its user: what went wrong, where, and what to do next.
///
/// ```swift
/// do { try await migrator.latest() } catch let error as GodwitError where error.code == .migrationFailed {
///     print(error)   // names the file, the statement, the database's own message
/// }
/// ```
public struct GodwitError: Error, Sendable, CustomStringConvertible, LocalizedError {
    /// What kind of failure this is; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case migrationFailed, invalidMigrationFile, invalidMigrationName, duplicateMigrationStem
            case migrationsDirectoryMissing, migrationsDirectoryIsFile, cannotRead, cannotWrite
            case missingMigrationFiles, irreversibleMigration, unknownMigration, locked
            case editedMigrations, interruptedMigration, cancelled
            case configuration, connection, transaction, tracking
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
        /// Another runner held the migration lock for longer than the lock timeout.
        public static let locked = Code(.locked)
        /// Applied migration files changed since they were applied.
        public static let editedMigrations = Code(.editedMigrations)
        /// A migration that runs outside a transaction did not finish; the user must say how to go on.
        public static let interruptedMigration = Code(.interruptedMigration)
        /// The run was cancelled (its task, e.g. on SIGTERM or an app's shutdown) and stopped at a safe point:
        /// the running statement was cancelled and the batch rolled back, or a wait ended.
        public static let cancelled = Code(.cancelled)
        /// The configuration is incomplete or malformed.
        public static let configuration = Code(.configuration)
        /// The database could not be reached or refused the connection.
        public static let connection = Code(.connection)
        /// Beginning, committing or rolling back a transaction failed.
        public static let transaction = Code(.transaction)
        /// The tracking tables could not be read or written: not laid out as Knex makes them, or no
        /// privilege on them.
        public static let tracking = Code(.tracking)

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
    /// The failure's where and when, as values (see ``Context``).
    public internal(set) var context: Context

    /// Creates an error; prefer the named constructors.
    public init(
        code: Code, summary: String, details: [String] = [], databaseError: DatabaseError? = nil,
        context: Context = Context()
    ) {
        self.code = code
        self.summary = summary
        self.details = details
        self.databaseError = databaseError
        self.context = context
    }

    /// The summary and every detail, one per line: how every failure is printed.
    public var description: String {
        ([summary] + details.map { "  " + $0 }).joined(separator: "\n")
    }

    /// The message, for `LocalizedError`.
    public var errorDescription: String? { description }
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
        guard migration.down != nil else {
            return GodwitError(
                code: .irreversibleMigration,
                summary: "cannot roll back \(migration.name): it has no '-- migrate:down' section",
                details: ["file: \(migration.path)", "nothing was rolled back; write the down section first"])
        }
        return GodwitError(
            code: .irreversibleMigration,
            summary: "cannot roll back \(migration.name): its '-- migrate:down' section is empty",
            details: [
                "file: \(migration.path)",
                "nothing was rolled back; write the down section first, or, if there is nothing to undo, mark it '-- migrate:down nothing-to-undo' (or allow every empty down section for this run with --allow-empty-down / GODWIT_ALLOW_EMPTY_DOWN=1)",
            ])
    }

    static func emptyUpSection(_ migration: Migration) -> GodwitError {
        GodwitError(
            code: .invalidMigrationFile,
            summary: "cannot apply \(migration.name): its '-- migrate:up' section holds no statement",
            details: ["file: \(migration.path)", "nothing was applied; write the up section (an untouched 'make' template), or delete the file"])
    }

    static func editedMigrations(_ edited: [MigrationState.Completed]) -> GodwitError {
        let names = edited.map { $0.migration?.path ?? $0.record.name }
        return GodwitError(
            code: .editedMigrations,
            summary: "applied migration\(names.count == 1 ? "" : "s") changed since applied: \(names.joined(separator: ", "))",
            details: [
                "a migration that has run is history: the database will not run the edited version",
                "undo the edit and write a new migration for the change, or, if the edit is deliberate (a comment, a fix that matches the database), run again with --accept-edits to keep the new checksums",
                "nothing was applied",
            ])
    }

    /// A `transaction:false` migration that did not finish: what completed, what was running, what to do.
    ///
    /// - Parameters:
    ///   - runningStatement: the statement after the completed ones, when the file still has it.
    ///   - statementsRanInTransactions: whether each statement ran in a transaction with its record
    ///     (PostgreSQL), so that only one that cannot run in a transaction may have half-happened.
    static func interrupted(
        _ entry: InterruptedMigration, file: String?, runningStatement: String?, statementsRanInTransactions: Bool
    ) -> GodwitError {
        let done = entry.statementsDone
        let command = entry.direction.command
        var details = ["file: \(file ?? entry.name); it runs outside a transaction (transaction:false)"]
        guard entry.statementCount > 0 else {
            // Swift code: how many statements it sends is known only when it has run.
            details.append(done == 0 ? "no statement of it completed" : "its first \(done) statements (a transaction block counts as one) completed and are in effect")
            if let failure = entry.failure { details.append("the next one failed: \(failure)") }
            details += [
                "the statement after them may have been running when its runner stopped",
                "check the database, then either:",
                "  keep what completed and run the rest: godwit \(command) --resume (runs its code again, skipping the first \(done) statements)",
                "  or undo what completed by hand and run it all again: godwit \(command) --restart",
            ]
            return GodwitError(
                code: .interruptedMigration, summary: "\(entry.name) did not finish \(entry.direction.activity)",
                details: details, context: .about(entry, file: file))
        }
        let total = entry.statementCount
        let next = done + 1
        details.append(done == 0 ? "no statement of it completed" : "statements 1–\(done) of \(total) completed and are in effect")
        if let failure = entry.failure {
            details.append("statement \(next) of \(total) failed: \(failure)")
        } else if next <= total {
            let statement = runningStatement.map { " (\(firstLine(of: $0)))" } ?? ""
            details.append(
                statementsRanInTransactions
                    ? "statement \(next) of \(total)\(statement) was running when its runner stopped: it ran in a transaction with its progress record and was rolled back, unless it is one that runs only outside a transaction (CREATE INDEX CONCURRENTLY, VACUUM, …): such a statement may or may not have taken effect"
                    : "statement \(next) of \(total)\(statement) was running when its runner stopped: it may or may not have taken effect")
        }
        if done >= total {
            details += [
                "all its statements completed, but it was not recorded as \(entry.direction == .up ? "applied" : "undone")",
                "record it with: godwit \(command) --resume (runs no statement)",
            ]
        } else {
            details += [
                "nothing else has run since; the lock is free",
                "check the database, then either:",
                "  keep what completed and run the rest: godwit \(command) --resume (runs statements \(next)–\(total))",
                "  or undo what completed by hand and run it all again: godwit \(command) --restart",
            ]
        }
        return GodwitError(
            code: .interruptedMigration, summary: "\(entry.name) did not finish \(entry.direction.activity)",
            details: details, context: .about(entry, file: file))
    }

    /// The run's task was cancelled: `consequence` says what was kept.
    static func cancelled(_ what: String, consequence: String) -> GodwitError {
        GodwitError(
            code: .cancelled, summary: "stopped on request \(what)", details: [consequence],
            context: Context(outcome: consequence))
    }

    /// A failure caused by the cancellation (the statement it cancelled, say) as a cancellation: its
    /// details (file, statement, what was kept) stay.
    func asCancellation() -> GodwitError {
        code == .cancelled ? self : GodwitError(
            code: .cancelled, summary: "stopped on request: \(summary)", details: details, databaseError: databaseError,
            context: context)
    }

    /// The lock was not free within `limit` (the lock timeout, which the message names rather than the time
    /// measured, so a slow machine says the same).
    static func lockTimeout(limit: Duration, holder: String, details more: [String]) -> GodwitError {
        GodwitError(
            code: .locked,
            summary: "gave up waiting for the migration lock after \(limit.limitText) s: \(holder)",
            details: more + ["wait longer with --lock-timeout SECONDS or GODWIT_LOCK_TIMEOUT", "nothing was run"],
            context: Context(outcome: "nothing was run", advice: more.last))
    }

    /// A migration's SQL failed: names the file, the statement and where it starts, and the database's message.
    static func migrationFailed(
        _ migration: Migration, direction: String, script: MigrationScript, error: DatabaseError, consequence: String,
        advice: String? = nil
    ) -> GodwitError {
        var details = ["file: \(migration.path) (\(direction))"]
        var context = Context(migration, direction: direction, phase: .body, outcome: consequence, advice: advice)
        if let statement = error.statement { context.statement = StatementReference(text: statement) }
        if let offset = error.statementOffset {
            let start = script.location(ofUTF8Offset: offset)
            var place = "statement at line \(start.line), column \(start.column)"
            context.statement?.line = start.line
            context.statement?.column = start.column
            if let errorOffset = error.errorOffset {
                let at = script.location(ofUTF8Offset: errorOffset)
                place += "; error at line \(at.line), column \(at.column)"
                context.statement?.errorLine = at.line
                context.statement?.errorColumn = at.column
            }
            details.append(place)
        }
        if let statement = error.statement {
            details.append("statement:" + GodwitError.prefixedStatement(statement))
        }
        details.append(error.detailLine)
        if let advice { details.append(advice) }
        details.append(consequence)
        return GodwitError(
            code: .migrationFailed, summary: "migration \(migration.name) failed", details: details,
            databaseError: error, context: context)
    }

    /// A statement sent by a Swift migration failed: names the file, the call that sent it, the statement
    /// and the database's message.
    static func swiftMigrationFailed(
        _ migration: Migration, direction: String, statement: String, site: String, error: DatabaseError,
        consequence: String
    ) -> GodwitError {
        GodwitError(
            code: .migrationFailed, summary: "migration \(migration.name) failed",
            details: [
                "file: \(migration.path) (\(direction)), statement sent from \(site)",
                "statement:" + GodwitError.prefixedStatement(statement),
                error.detailLine,
                consequence,
            ], databaseError: error,
            context: Context(
                migration, direction: direction, statement: StatementReference(text: statement, site: site), phase: .body,
                outcome: consequence))
    }

    /// A Swift migration threw an error of its own.
    static func swiftMigrationFailed(
        _ migration: Migration, direction: String, thrown: any Error, consequence: String
    ) -> GodwitError {
        GodwitError(
            code: .migrationFailed, summary: "migration \(migration.name) failed",
            details: ["file: \(migration.path) (\(direction))", "error: \(thrown)", consequence],
            context: Context(migration, direction: direction, phase: .body, outcome: consequence))
    }

    static func transaction(phase: Phase, error: DatabaseError, consequence: String) -> GodwitError {
        GodwitError(
            code: .transaction, summary: "could not \(phase.rawValue) the transaction",
            details: [error.detailLine, consequence], databaseError: error,
            context: Context(phase: phase, outcome: consequence))
    }

    /// Reading or writing the tracking tables failed: names them, the statement and the database's error.
    static func tracking(
        _ what: String, table: TableName, error: DatabaseError, consequence: String
    ) -> GodwitError {
        var details = error.statement.map { ["statement:" + GodwitError.prefixedStatement($0)] } ?? []
        details.append(error.detailLine)
        if !error.isConnectionFailure {
            details.append(
                "\(table) must be as Knex makes it (id, name, batch, migration_time), and the user allowed to read and write it")
        }
        details.append(consequence)
        return GodwitError(
            code: error.isConnectionFailure ? .connection : .tracking, summary: "\(what) \(table) failed",
            details: details, databaseError: error)
    }

    /// A statement for a detail line: one line as it is; more with their line breaks, each indented under
    /// the detail (their common indentation removed), cut at ``statementLines`` lines of at most
    /// ``statementLineLength`` characters, each cut marked.
    static func abbreviate(_ statement: String) -> String {
        var lines = statement.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingEnd(while: \.isWhitespace) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        while lines.first?.isEmpty == true { lines.removeFirst() }
        func cut(_ line: Substring) -> String {
            line.count > statementLineLength ? line.prefix(statementLineLength) + " …" : String(line)
        }
        guard lines.count > 1 else { return lines.first.map(cut) ?? "" }
        let indent = lines.dropFirst().filter { !$0.isEmpty }.map { $0.prefix(while: \.isWhitespace).count }.min() ?? 0
        var shown = [cut(lines[0])] + lines.dropFirst().prefix(statementLines - 1).map { cut($0.dropFirst(min(indent, $0.count))) }
        if lines.count > statementLines { shown.append("… (\(lines.count - statementLines) more lines)") }
        return shown.map { "\n    " + $0 }.joined()
    }

    /// A statement's first line, its cut marked, for a statement named inside a sentence.
    static func firstLine(of statement: String) -> String {
        let shown = abbreviate(statement)
        guard shown.hasPrefix("\n") else { return shown }
        return shown.dropFirst(5).prefix { $0 != "\n" } + " …"
    }

    /// The statement after `statement:`: a space before one line, line breaks before more.
    static func prefixedStatement(_ statement: String) -> String {
        let shown = abbreviate(statement)
        return shown.hasPrefix("\n") ? shown : " " + shown
    }

    /// How many lines of a failed statement a message shows.
    static let statementLines = 12
    /// How many characters of each line a message shows.
    static let statementLineLength = 200
}
