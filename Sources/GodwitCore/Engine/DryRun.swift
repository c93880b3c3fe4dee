/// What a command would run, found without changing anything (`--dry-run`).
public struct DryRun: Sendable {
    /// One migration and the statements it would send.
    public struct Step: Sendable {
        /// The migration's name (its file name).
        public let name: String
        /// Its file, for messages.
        public let path: String
        /// Whether it runs in the batch's transaction.
        public let runsInTransaction: Bool
        /// The statements, in order: a SQL file's statements as written; what Swift code would send.
        public let statements: [String]
    }

    /// Applying or undoing; `nil` when there is nothing to do.
    public let direction: MigrationDirection?
    /// The batch the migrations would be recorded in (for `up`), or the batch undone (for `down`).
    public let batch: Int
    /// The migrations, in the order they would run.
    public let steps: [Step]
    /// Whether the steps that run in transactions were run, in one transaction that was rolled back
    /// (`--rehearse`), rather than only collected (`--dry-run`).
    public internal(set) var rehearsed = false

    /// Whether the whole batch would run in one transaction.
    public var isSingleTransaction: Bool { steps.allSatisfy(\.runsInTransaction) }
}
