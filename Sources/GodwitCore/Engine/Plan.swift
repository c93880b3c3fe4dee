/// What a command will do, decided before anything runs: which migrations, which scripts, in what order,
/// and whether the whole batch shares one transaction.
///
/// A plan is a value: it can be printed (`--dry-run`) and tested without a database.
public struct Plan: Sendable {
    /// Applying or undoing.
    public enum Direction: String, Sendable {
        case up, down

        /// The command that runs whole batches in this direction, named in advice to users.
        var command: String { self == .up ? "latest" : "rollback" }
        /// What a migration running in this direction is doing, for messages.
        var activity: String { self == .up ? "applying" : "rolling back" }
    }

    /// One migration and the script that runs for it.
    public struct Step: Sendable {
        /// The migration.
        public let migration: Migration
        /// Its `up` or `down` script.
        public let script: MigrationScript
        /// For `down`: the record to delete once the script ran.
        public let record: AppliedMigration?
        /// The index of the statement to start from: 0, unless an interrupted migration is resumed.
        public internal(set) var firstStatement = 0

        /// The name it is tracked by: the recorded name when undoing, else the file name.
        public var trackedName: String { record?.name ?? migration.name }
    }

    /// Applying or undoing.
    public let direction: Direction
    /// The batch that `up` steps are recorded in (undone batches keep their numbers).
    public let batch: Int
    /// The steps, in the order they run.
    public internal(set) var steps: [Step]

    /// Whether the whole batch runs in one transaction with the lock: true unless a script opts out.
    public var isSingleTransaction: Bool { steps.allSatisfy(\.script.runsInTransaction) }

    /// The plan that applies `migrations` as batch `batch`.
    static func apply(_ migrations: [Migration], batch: Int) -> Plan {
        Plan(
            direction: .up, batch: batch,
            steps: migrations.map { Step(migration: $0, script: $0.up, record: nil) })
    }

    /// The plan that undoes `completed`, newest first.
    ///
    /// - Throws: ``GodwitError`` when a file is missing or a migration has no `down` section.
    static func undo(_ completed: [MigrationState.Completed], directory: String) throws -> Plan {
        let missing = completed.filter { $0.migration == nil }.map(\.record.name)
        guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: directory) }
        let ordered = completed.sorted { $0.record.id > $1.record.id }
        let steps = try ordered.map { entry -> Step in
            let migration = entry.migration!
            guard let down = migration.down, !down.isEmpty else { throw GodwitError.irreversibleMigration(migration) }
            return Step(migration: migration, script: down, record: entry.record)
        }
        return Plan(direction: .down, batch: ordered.first?.record.batch ?? 0, steps: steps)
    }
}
