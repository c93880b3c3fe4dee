/// What is applied, what is pending and what is missing: the applied records matched against the files.
///
/// A record matches the file of the same name, or else the file of the same stem: a database migrated by
/// Knex records `001_initial_schema.ts`, which the file `001_initial_schema.sql` takes over. The record
/// keeps the name Knex wrote; Godwit never rewrites it.
public struct MigrationState: Sendable {
    /// A record and the migration that now stands for it (`nil` when its file is missing).
    public struct Completed: Sendable {
        // Positions in the arrays the state was made from, which every entry shares: 10,000 entries copy
        // no records and no migrations.
        private let records: [AppliedMigration]
        private let recordIndex: Int
        private let available: [Migration]
        private let migrationIndex: Int?

        /// The `knex_migrations` row.
        public var record: AppliedMigration { records[recordIndex] }

        /// The migration matched to it, if its file is present.
        public var migration: Migration? { migrationIndex.map { available[$0] } }

        init(records: [AppliedMigration], recordIndex: Int, available: [Migration], migrationIndex: Int?) {
            self.records = records
            self.recordIndex = recordIndex
            self.available = available
            self.migrationIndex = migrationIndex
        }
    }

    /// Applied migrations in the order they were applied.
    public let completed: [Completed]
    /// Migrations not yet applied, in name order.
    public let pending: [Migration]

    /// Migrations that ran outside a transaction and did not finish.
    public let interrupted: [InterruptedMigration]
    /// Interrupted migrations that another runner has since finished (a Knex runner applied the
    /// migration as `.js`, or rolled it back): nothing is left to resume; a migrating command clears them.
    public let settledInterruptions: [InterruptedMigration]

    /// Applied migrations whose file changed since it was applied (by its ``MigrationChecksum``).
    public var edited: [Completed] {
        completed.filter { entry in
            guard let kept = entry.record.checksum, let now = entry.migration?.checksum else { return false }
            return kept != now
        }
    }

    /// Applied migrations with a file but no kept checksum yet (applied by Knex, or by an older Godwit).
    var unfingerprinted: [(name: String, checksum: MigrationChecksum)] {
        completed.compactMap { entry in
            guard entry.record.checksum == nil, let checksum = entry.migration?.checksum else { return nil }
            return (entry.record.name, checksum)
        }
    }

    /// Applied migrations whose file is gone.
    public var missing: [AppliedMigration] { completed.filter { $0.migration == nil }.map(\.record) }

    /// The extension of the newest record a Knex runner wrote (`.js`, `.ts`, …), `nil` when none did.
    public var knexExtension: String? {
        for entry in completed.reversed() {
            let name = entry.record.name
            if let dot = name.lastIndex(of: "."), KnexNaming.extensions.contains(String(name[dot...])) {
                return String(name[dot...])
            }
        }
        return nil
    }

    /// The highest batch number recorded, 0 when none is.
    public var lastBatch: Int { completed.map(\.record.batch).max() ?? 0 }

    /// Matches records to migrations.
    public init(applied: [AppliedMigration], available: [Migration], interrupted: [InterruptedMigration] = []) {
        if interrupted.isEmpty {
            self.interrupted = []
            self.settledInterruptions = []
        } else {
            // Applying is finished once a record of its stem exists; undoing, once none does.
            let recorded = Set(applied.map { Migration.stem(of: $0.name) })
            let isSettled = { (entry: InterruptedMigration) in
                recorded.contains(Migration.stem(of: entry.name)) == (entry.direction == .up)
            }
            self.interrupted = interrupted.filter { !isSettled($0) }
            self.settledInterruptions = interrupted.filter(isSettled)
        }
        // Records usually come in the files' order (names sort as they were applied), so each is first
        // tried against the file after the last one matched; the names are indexed at the first that is not.
        var next = 0
        var byName: [String: Int]?
        func nameIndex(_ name: String) -> Int? {
            if next < available.count, available[next].name == name { return next }
            if byName == nil {
                byName = Dictionary(available.indices.map { (available[$0].name, $0) }, uniquingKeysWith: { _, last in last })
            }
            return byName?[name]
        }
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
        for (recordIndex, record) in applied.enumerated() {
            var match = nameIndex(record.name) ?? stemIndex(record.name)
            if let index = match, !taken[index] {
                taken[index] = true
                next = index + 1
            } else {
                match = nil
            }
            completed.append(Completed(records: applied, recordIndex: recordIndex, available: available, migrationIndex: match))
        }
        self.completed = completed
        self.pending = available.indices.filter { !taken[$0] }.map { available[$0] }
    }
}

extension MigrationState {
    /// The state of what the tracking tables hold (nothing when they do not exist).
    init(_ contents: MigrationLog.Contents?, available: [Migration]) {
        self.init(applied: contents?.applied ?? [], available: available, interrupted: contents?.interrupted ?? [])
    }
}
