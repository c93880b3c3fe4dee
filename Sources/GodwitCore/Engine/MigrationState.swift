/// What is applied, what is pending and what is missing: the applied records matched against the files.
///
/// A record matches the file of the same name, or else the file of the same stem: a database migrated by
/// Knex records `001_initial_schema.ts`, which the file `001_initial_schema.sql` takes over. The record
/// keeps the name Knex wrote; Godwit never rewrites it.
public struct MigrationState: Sendable {
    /// A record and the migration that now stands for it (`nil` when its file is missing).
    public struct Completed: Sendable {
        /// The `knex_migrations` row.
        public let record: AppliedMigration
        /// The migrations the record was matched against: shared by every entry, not a copy each.
        private let available: [Migration]
        private let index: Int?

        /// The migration matched to it, if its file is present.
        public var migration: Migration? { index.map { available[$0] } }

        init(record: AppliedMigration, available: [Migration], index: Int?) {
            self.record = record
            self.available = available
            self.index = index
        }
    }

    /// Applied migrations in the order they were applied.
    public let completed: [Completed]
    /// Migrations not yet applied, in name order.
    public let pending: [Migration]

    /// Migrations that ran outside a transaction and did not finish.
    public let interrupted: [InterruptedMigration]

    /// Applied migrations whose file changed since it was applied (by its ``MigrationChecksum``).
    public var edited: [Completed] {
        completed.filter { entry in
            guard let kept = entry.record.checksum, let now = entry.migration?.checksum else { return false }
            return kept != now
        }
    }

    /// Applied migrations with a file but no kept checksum yet (applied by Knex, or by an older Godwit).
    var unfingerprinted: [(name: String, checksum: String)] {
        completed.compactMap { entry in
            guard entry.record.checksum == nil, let checksum = entry.migration?.checksum else { return nil }
            return (entry.record.name, checksum)
        }
    }

    /// Applied migrations whose file is gone.
    public var missing: [AppliedMigration] { completed.filter { $0.migration == nil }.map(\.record) }

    /// The highest batch number recorded, 0 when none is.
    public var lastBatch: Int { completed.map(\.record.batch).max() ?? 0 }

    /// Matches records to migrations.
    public init(applied: [AppliedMigration], available: [Migration], interrupted: [InterruptedMigration] = []) {
        self.interrupted = interrupted
        var byName: [String: Int] = Dictionary(minimumCapacity: available.count)
        for (index, migration) in available.enumerated() { byName[migration.name] = index }
        // Stems are looked up only for records that name no file (Knex's `.ts` records), usually none.
        var byStem: [Substring: Int]?
        func stemIndex(_ name: String) -> Int? {
            if byStem == nil {
                byStem = Dictionary(available.indices.map { (available[$0].stem, $0) }, uniquingKeysWith: { _, last in last })
            }
            return byStem?[Migration.stem(of: name)]
        }
        var taken = Array(repeating: false, count: available.count)
        var completed: [Completed] = []
        completed.reserveCapacity(applied.count)
        for record in applied {
            let index = byName[record.name] ?? stemIndex(record.name)
            if let index, !taken[index] {
                taken[index] = true
                completed.append(Completed(record: record, available: available, index: index))
            } else {
                completed.append(Completed(record: record, available: available, index: nil))
            }
        }
        self.completed = completed
        self.pending = available.indices.filter { !taken[$0] }.map { available[$0] }
    }
}
