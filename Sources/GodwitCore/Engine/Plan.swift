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
        /// What a failure before any migration ran leaves: nothing applied, or nothing undone.
        var nothingDone: String { self == .up ? "nothing was applied" : "nothing was undone" }
        /// What a migration running in this direction is doing, for messages.
        var activity: String { self == .up ? "applying" : "rolling back" }
    }

    /// One migration and the script that runs for it.
    public struct Step: Sendable {
        /// The migration.
        public let migration: Migration
        /// The index of the statement to start from: 0, unless an interrupted migration is resumed.
        public internal(set) var firstStatement = 0
        // An undo's record and script are boxed (`indirect`): a plan applying 10,000 migrations keeps
        // 24 bytes per step, not room for a record it does not have.
        private let work: Work

        private enum Work: Sendable {
            case apply
            /// Applying, recorded under another name than the file's (Knex's `.js` for a `.sql` file).
            indirect case applyAs(String)
            indirect case undo(record: AppliedMigration, script: MigrationScript)
        }

        /// A step applying `migration` with its `up` script, recorded under `recordedName` (default: the
        /// file's name).
        static func applying(_ migration: Migration, recordedAs recordedName: String? = nil) -> Step {
            guard let recordedName, recordedName != migration.name else { return Step(migration: migration, work: .apply) }
            return Step(migration: migration, work: .applyAs(recordedName))
        }

        /// A step undoing `record` with the `down` script of `migration`, the file that stands for it.
        static func undoing(_ record: AppliedMigration, with migration: Migration, script: MigrationScript) -> Step {
            Step(migration: migration, work: .undo(record: record, script: script))
        }

        /// Its `up` or `down` script.
        public var script: MigrationScript {
            switch work {
            case .apply, .applyAs: migration.up
            case .undo(_, let script): script
            }
        }

        /// Applying or undoing.
        var direction: Direction {
            switch work {
            case .apply, .applyAs: .up
            case .undo: .down
            }
        }

        /// For `down`: the record to delete once the script ran.
        public var record: AppliedMigration? {
            switch work {
            case .apply, .applyAs: nil
            case .undo(let record, _): record
            }
        }

        /// The name it is tracked by in `knex_migrations`: the recorded name when undoing; when applying,
        /// the file's name, or the Knex name it is recorded under (see ``Migrator/Settings/recordNames``).
        public var trackedName: String {
            switch work {
            case .apply: migration.name
            case .applyAs(let name): name
            case .undo(let record, _): record.name
            }
        }
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
    ///
    /// - Throws: ``GodwitError`` when a SQL migration's `up` section holds no statement (an untouched
    ///   `make` template): applying it would record a migration that did nothing.
    ///
    /// - Parameter recordExtension: the extension the migrations are recorded with (`.js`, so that Knex
    ///   runners sharing the database find them done); `nil`: their files' own names.
    static func apply(_ migrations: [Migration], batch: Int, recordExtension: String? = nil) throws -> Plan {
        if let empty = migrations.first(where: \.up.isEmpty) { throw GodwitError.emptyUpSection(empty) }
        return Plan(
            direction: .up, batch: batch,
            steps: migrations.map { migration in
                Step.applying(migration, recordedAs: recordExtension.map { migration.stem + $0 })
            })
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
            return .undoing(entry.record, with: migration, script: down)
        }
        return Plan(direction: .down, batch: ordered.first?.record.batch ?? 0, steps: steps)
    }
}
