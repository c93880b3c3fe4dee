/// The progress of Swift code running outside a transaction: which statements (or transaction blocks,
/// each a unit) completed, recorded as each ends.
actor StepwiseProgress {
    /// Units that completed in an interrupted run, skipped when resuming.
    private let skipped: Int
    /// Units started so far.
    private var started = 0
    /// Runs a statement and records that the first `done` units completed, together where the database
    /// allows it.
    nonisolated let runAndRecord: @Sendable (_ done: Int, _ statement: @Sendable () async throws -> [SQLRow]) async throws -> [SQLRow]
    /// Records, inside a unit's own transaction, that the first `done` units completed.
    nonisolated let record: @Sendable (_ done: Int) async throws -> Void

    init(
        skipping skipped: Int,
        runAndRecord: @escaping @Sendable (Int, @Sendable () async throws -> [SQLRow]) async throws -> [SQLRow],
        record: @escaping @Sendable (Int) async throws -> Void
    ) {
        self.skipped = skipped
        self.runAndRecord = runAndRecord
        self.record = record
    }

    /// The next unit's number (1-based), and whether an interrupted run completed it.
    func nextUnit() -> (number: Int, skip: Bool) {
        started += 1
        return (started, started <= skipped)
    }
}
