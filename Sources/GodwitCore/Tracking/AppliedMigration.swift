/// A row of `knex_migrations`: a migration recorded as applied.
public struct AppliedMigration: Sendable, Hashable {
    /// The row's `id`, in the order migrations were applied.
    public let id: Int64
    /// The recorded name (a file name, perhaps a Knex `.js` / `.ts` one).
    public let name: String
    /// The batch it was applied in.
    public let batch: Int
    /// When it was applied, in milliseconds since 1970; `nil` if the row has no time.
    public let epochMilliseconds: Int64?
    /// The ``MigrationChecksum`` of its file when it was applied (or first seen, for a migration Knex
    /// applied); `nil` when none is kept yet.
    public internal(set) var checksum: MigrationChecksum?

    /// Creates a record.
    public init(id: Int64, name: String, batch: Int, epochMilliseconds: Int64?, checksum: MigrationChecksum? = nil) {
        self.id = id
        self.name = name
        self.batch = batch
        self.epochMilliseconds = epochMilliseconds
        self.checksum = checksum
    }
}

/// A migration that ran outside a transaction (`transaction:false`) and did not finish: some of its
/// statements may be in effect. Godwit refuses to go on until the user says how to finish it.
public struct InterruptedMigration: Sendable, Hashable {
    /// How to finish an interrupted migration, once the database has been checked.
    public enum Resolution: String, Sendable {
        /// Run it again from the first statement not known to have completed.
        case resume
        /// Run it again from its first statement (its completed statements were undone by hand).
        case restart
    }

    /// The migration's name (as recorded, for one being undone).
    public let name: String
    /// The checksum of its file when it started.
    public let checksum: MigrationChecksum?
    /// Whether it was being applied or undone.
    public let direction: MigrationDirection
    /// How many of its statements completed.
    public let statementsDone: Int
    /// How many statements it has.
    public let statementCount: Int
    /// The database's error, when a statement failed; `nil` when the runner stopped (was killed) mid-way.
    public let failure: String?

    /// Creates the record of an interrupted migration.
    public init(
        name: String, checksum: MigrationChecksum?, direction: MigrationDirection, statementsDone: Int, statementCount: Int,
        failure: String?
    ) {
        self.name = name
        self.checksum = checksum
        self.direction = direction
        self.statementsDone = statementsDone
        self.statementCount = statementCount
        self.failure = failure
    }
}
