/// What a command will do, decided before anything runs: which migrations, which scripts, in what order,
/// and whether the whole batch shares one transaction.
///
/// A plan is a value: it can be printed (`--dry-run`) and tested without a database. Internal: commands
/// take their plans from ``MigrationPlanner``; what users see of one is a ``DryRun`` or a ``MigrationReport``.
struct Plan: Sendable {
    /// Applying or undoing.
    typealias Direction = MigrationDirection

    /// One migration and the script that runs for it.
    struct Step: Sendable {
        /// The migration.
        let migration: Migration
        /// The index of the statement to start from: 0, unless an interrupted migration is resumed.
        var firstStatement = 0
        // An undo's record and script are boxed (`indirect`): a plan applying 10,000 migrations keeps
        // 24 bytes per step, not room for a record it does not have.
        private var work: Work

        private enum Work: Sendable {
            case apply
            /// Applying, recorded under another name than the file's (Knex's `.js` for a `.sql` file).
            indirect case applyAs(String)
            indirect case undo(record: AppliedMigration, script: MigrationScript)
            /// The same work with its script as it is sent (see ``ScriptPreparation``).
            indirect case prepared(Work, script: MigrationScript, handling: Handling)

            var script: MigrationScript? {
                switch self {
                case .apply, .applyAs: nil
                case .undo(_, let script), .prepared(_, let script, _): script
                }
            }

            var base: Work {
                if case .prepared(let work, _, _) = self { return work.base }
                return self
            }
        }

        /// How a step's script must be sent, beyond running its statements in order.
        struct Handling: OptionSet, Sendable {
            let rawValue: UInt8
            init(rawValue: UInt8) { self.rawValue = rawValue }
            /// It may not share a message with other migrations' scripts: it holds a `COPY … FROM STDIN`, or
            /// a statement after which the server reads SQL differently.
            static let travelsAlone = Handling(rawValue: 1)
            /// It changes the session's settings: they are reset before the next migration.
            static let resetsSession = Handling(rawValue: 2)
            /// It runs in a transaction of its own, committed before the next migration
            /// (`transaction:own`, or ``Migrator/Settings/transactionPerMigration``).
            static let ownTransaction = Handling(rawValue: 4)
        }

        /// How its script must be sent.
        var handling: Handling {
            if case .prepared(_, _, let handling) = work { return handling }
            return []
        }

        /// This step with its script as it is sent.
        func prepared(_ script: MigrationScript, handling: Handling) -> Step {
            var step = self
            step.work = .prepared(work.base, script: script, handling: handling)
            return step
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
        var script: MigrationScript { work.script ?? migration.up }

        /// Applying or undoing.
        var direction: Direction {
            if case .undo = work.base { return .down }
            return .up
        }

        /// For `down`: the record to delete once the script ran.
        var record: AppliedMigration? {
            if case .undo(let record, _) = work.base { return record }
            return nil
        }

        /// The name it is tracked by in `knex_migrations`: the recorded name when undoing; when applying,
        /// the file's name, or the Knex name it is recorded under (see ``Migrator/Settings/recordNames``).
        var trackedName: String {
            switch work.base {
            case .apply, .prepared: migration.name
            case .applyAs(let name): name
            case .undo(let record, _): record.name
            }
        }
    }

    /// Applying or undoing.
    let direction: Direction
    /// The batch that `up` steps are recorded in (undone batches keep their numbers).
    let batch: Int
    /// The steps, in the order they run.
    var steps: [Step]

    /// Whether the whole batch runs in one transaction with the lock: true unless a script opts out, or
    /// asks for a transaction of its own.
    var isSingleTransaction: Bool {
        steps.allSatisfy { $0.script.runsInTransaction && !$0.handling.contains(.ownTransaction) }
    }

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
    /// An empty `down` section is taken as undoing nothing when it is marked `nothing-to-undo`, or when
    /// `allowingEmptyDown`.
    ///
    /// - Throws: ``GodwitError`` when a file is missing or a migration has no `down` section (or an empty one).
    static func undo(
        _ completed: [MigrationState.Completed], directory: String, allowingEmptyDown: Bool = false
    ) throws -> Plan {
        let missing = completed.filter { $0.migration == nil }.map(\.record.name)
        guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: directory) }
        let ordered = completed.sorted { $0.record.id > $1.record.id }
        let steps = try ordered.map { entry -> Step in
            let migration = entry.migration!
            guard let down = migration.down, !down.isEmpty || down.nothingToUndo || allowingEmptyDown else {
                throw GodwitError.irreversibleMigration(migration)
            }
            return .undoing(entry.record, with: migration, script: down)
        }
        return Plan(direction: .down, batch: ordered.first?.record.batch ?? 0, steps: steps)
    }
}

/// Whether a migration is being applied (`up`) or undone (`down`).
public enum MigrationDirection: String, Sendable {
    case up, down

    /// The command that runs whole batches in this direction, named in advice to users.
    var command: String { self == .up ? "latest" : "rollback" }
    /// What a failure before any migration ran leaves: nothing applied, or nothing undone.
    var nothingDone: String { Consequence.nothing(self) }
    /// What a migration running in this direction is doing, for messages.
    var activity: String { self == .up ? "applying" : "rolling back" }
}
