extension GodwitError {
    /// Where and when a failure happened, as values an app reads without parsing text: the migration, its
    /// statement, the phase of the transaction, what was kept, and what to do. The message
    /// (``GodwitError/description``) says the same in words.
    ///
    /// ```swift
    /// do { try await runner.latest() } catch let error as GodwitError {
    ///     if let statement = error.context.statement { print(error.context.migration?.path ?? "", statement.line) }
    /// }
    /// ```
    public struct Context: Sendable {
        /// The migration the failure is in, if one is.
        public var migration: MigrationReference?
        /// Applying or undoing it.
        public var direction: MigrationDirection?
        /// The statement that failed, if one did.
        public var statement: StatementReference?
        /// What Godwit was doing with the transaction when it failed.
        public var phase: Phase?
        /// What the failure left: what was kept, what was rolled back, what did not run.
        public var outcome: Outcome?
        /// What to do about it, when Godwit knows.
        public var advice: String?

        /// No context.
        public init() {}
    }

    /// A migration named by a failure.
    public struct MigrationReference: Sendable, Equatable {
        /// Its name (`20240101000000_create_users.sql`).
        public var name: String
        /// Its file, as named in messages.
        public var path: String

        /// Names a migration.
        public init(name: String, path: String) {
            self.name = name
            self.path = path
        }
    }

    /// A statement named by a failure: its text, and where it is in its file.
    public struct StatementReference: Sendable, Equatable {
        /// The statement as sent.
        public var text: String
        /// The 1-based line and column of the file where it starts; `nil` for a statement Swift code sent.
        public var line: Int?
        public var column: Int?
        /// Where in the file the database placed the error, when it did.
        public var errorLine: Int?
        public var errorColumn: Int?
        /// For a statement sent by a Swift migration: the call that sent it (`File.swift:12`).
        public var site: String?
    }

    /// The phase of a migration transaction.
    public enum Phase: String, Sendable {
        /// Opening the transaction.
        case begin
        /// Running the migrations' statements.
        case body
        /// Committing.
        case commit
        /// Rolling back after a failure (the rollback's own error is the database error).
        case rollback
    }

    /// What a failure left behind.
    public struct Outcome: Sendable, Equatable {
        /// Migrations applied (or undone) before the failure, and kept.
        public var kept: [String]
        /// Migrations whose work was rolled back.
        public var rolledBack: [String]
        /// Migrations that did not run.
        public var notRun: [String]
        /// The migration lock after the failure, when the run had taken it.
        public var lock: LockState?
        /// The same, as the message says it.
        public var description: String
    }

    /// The migration lock after a failure.
    public enum LockState: String, Sendable {
        /// Free: the transaction that held it ended (even if its rollback failed, the server ends it with
        /// the connection), or its lease was deleted.
        case freed
        /// Still set (`is_locked = 1`): its lease could not be deleted. The lease runs out (within the lease
        /// duration; on SQLite it is expired already) and the next Godwit runner takes the lock over; a Knex
        /// runner waits until one has, or until `godwit unlock`.
        case leftToExpire
    }
}

extension GodwitError.Context {
    /// A context naming `migration`, its direction (`up` / `down`), and what the failure left.
    init(
        _ migration: Migration? = nil, direction: String? = nil, statement: GodwitError.StatementReference? = nil,
        phase: GodwitError.Phase? = nil, outcome consequence: String? = nil, advice: String? = nil
    ) {
        self.migration = migration.map { GodwitError.MigrationReference(name: $0.name, path: $0.path) }
        self.direction = direction.flatMap(MigrationDirection.init(rawValue:))
        self.statement = statement
        self.phase = phase
        self.outcome = consequence.map { GodwitError.Outcome(kept: [], rolledBack: [], notRun: [], lock: nil, description: $0) }
        self.advice = advice
    }

    /// The context of an interrupted migration.
    static func about(_ entry: InterruptedMigration, file: String?) -> GodwitError.Context {
        var context = GodwitError.Context(direction: entry.direction.rawValue)
        context.migration = GodwitError.MigrationReference(name: entry.name, path: file ?? entry.name)
        return context
    }
}

extension GodwitError.StatementReference {
    init(text: String, line: Int? = nil, site: String? = nil) {
        self.init(text: text, line: line, column: nil, errorLine: nil, errorColumn: nil, site: site)
    }
}

extension GodwitError {
    /// This error with what the run kept, rolled back and did not run, and the lock's state (the runner
    /// knows; the step that failed does not).
    func leaving(kept: [String], rolledBack: [String], notRun: [String], lock: LockState? = nil) -> GodwitError {
        var error = self
        let description = context.outcome?.description ?? details.last ?? ""
        error.context.outcome = Outcome(
            kept: kept, rolledBack: rolledBack, notRun: notRun, lock: lock ?? context.outcome?.lock, description: description)
        return error
    }

    /// This error saying the lock's state after the run let it go; a lock left set is said in a line of its own.
    func leavingLock(_ lock: LockState) -> GodwitError {
        var context = context
        context.outcome?.lock = lock
        let details = lock == .leftToExpire
            ? details + ["the migration lock could not be freed: it is left to expire, and the next runner takes it over then"]
            : details
        return GodwitError(code: code, summary: summary, details: details, databaseError: databaseError, context: context)
    }

    /// This error with another consequence sentence in place of the one it says (its outcome's).
    func replacingConsequence(with consequence: String) -> GodwitError {
        let old = context.outcome?.description
        var details = details
        if let old, let index = details.lastIndex(of: old) { details[index] = consequence } else { details.append(consequence) }
        var context = context
        context.outcome = Outcome(
            kept: context.outcome?.kept ?? [], rolledBack: context.outcome?.rolledBack ?? [],
            notRun: context.outcome?.notRun ?? [], lock: context.outcome?.lock, description: consequence)
        return GodwitError(code: code, summary: summary, details: details, databaseError: databaseError, context: context)
    }
}
