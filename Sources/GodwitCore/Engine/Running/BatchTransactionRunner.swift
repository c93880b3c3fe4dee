#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization

// The runner of a batch in one transaction: the lock, every script and every record, all or nothing.
extension MigrationEngine {
    /// What a batch run in one transaction came to.
    enum BatchOutcome {
        /// The plan ran and committed.
        case ran(Plan)
        /// Under the lock, nothing was left to do (another runner did it).
        case nothingToDo
        /// The plan made under the lock has a step that cannot run in the batch's transaction: nothing ran,
        /// and the step-by-step runner takes it.
        case needsStepwise
    }

    /// The lock, the scripts and the records in one transaction: all of it lands, or none of it.
    func runInOneTransaction(
        _ planner: Planner, _ direction: MigrationDirection, _ options: RunOptions
    ) async throws -> BatchOutcome {
        let nothingApplied = Consequence.batchRolledBack(direction)
        return try await retryingLockTimeouts(what: "the batch") {
            try await transaction(consequence: nothingApplied, locking: true) {
                // First, so that the server ends this transaction (and frees the lock) if this runner falls
                // silent from now on.
                try await boundLockWaits()
                let state = try await lockedState()
                guard let plan = try planner(state) else {
                    try await keepChecksums(of: state, options: options)
                    return .nothingToDo
                }
                guard plan.isSingleTransaction else { return .needsStepwise }
                try await runInBatchTransaction(plan.steps, consequence: nothingApplied)
                try await bookkeep(plan.steps, of: plan, state: state, options: options)
                return .ran(plan)
            }
        }
    }

    /// Runs a batch's steps inside its transaction. Where the database gains by it, consecutive SQL scripts
    /// travel together, one message for up to ``scriptsPerMessage`` migrations.
    func runInBatchTransaction(_ steps: [Plan.Step], consequence: String) async throws {
        do {
            try await runEach(of: steps, consequence: consequence)
        } catch let error as GodwitError {
            // All of the batch rolls back: what ran before the failure, and the failing migration; the lock
            // row ends with the transaction.
            let names = steps.map(\.migration.name)
            let failed = error.context.migration.flatMap { names.firstIndex(of: $0.name) }
            throw error.leaving(
                kept: [], rolledBack: Array(names[..<(failed.map { $0 + 1 } ?? 0)]),
                notRun: Array(names[(failed.map { $0 + 1 } ?? 0)...]), lock: .freed)
        }
    }

    private func runEach(of steps: [Plan.Step], consequence: String) async throws {
        func joinable(_ step: Plan.Step) -> Bool {
            step.script.swift == nil && step.firstStatement == 0 && step.handling.isDisjoint(with: [.travelsAlone, .resetsSession])
        }
        var index = 0
        while index < steps.count {
            try stopIfCancelled(before: steps[index].migration.name, consequence: consequence)
            var end = index + 1
            var bytes = steps[index].script.sql.utf8.count
            if connection.dialect.sendsScriptsTogether, joinable(steps[index]) {
                while end < steps.count, end - index < MigrationEngine.scriptsPerMessage.count, joinable(steps[end]),
                    bytes + steps[end].script.sql.utf8.count <= MigrationEngine.scriptsPerMessage.bytes
                {
                    bytes += steps[end].script.sql.utf8.count
                    end += 1
                }
            }
            if end - index == 1 {
                try await run(steps[index], consequence: consequence)
                if steps[index].handling.contains(.resetsSession) { try await resetSession(inTransaction: true) }
            } else {
                try await runTogether(steps[index..<end], consequence: consequence)
            }
            index = end
        }
    }

    /// How many migrations, and how many bytes of SQL, one message may hold.
    static let scriptsPerMessage = (count: 1000, bytes: 4 << 20)

    /// Sends several SQL scripts in one message, separated so that none can run into the next (a last
    /// statement without `;`, a trailing `--` comment). A failure names the migration its statement is in.
    func runTogether(_ steps: ArraySlice<Plan.Step>, consequence: String) async throws {
        var script = ""
        var starts: [Int] = []
        for step in steps {
            announce(step)
            if !script.isEmpty { script += "\n;\n" }
            starts.append(script.utf8.count)
            script += step.script.sql
        }
        let joined = progress.map { JoinedProgress(steps, starts: starts, dialect: connection.dialect, observer: $0) }
        do {
            var statementEnded: (@Sendable (Int) -> Void)?
            if let joined { statementEnded = { offset in joined.statementEnded(at: offset) } }
            try await connection.execute(script: script, statementEnded: statementEnded)
            joined?.statementEnded(at: script.utf8.count)
        } catch let error as DatabaseError {
            guard let offset = error.statementOffset, let position = starts.lastIndex(where: { $0 <= offset }) else {
                let names = steps.map(\.migration.name)
                throw GodwitError(
                    code: .migrationFailed, summary: "one of the migrations \(names.first!) … \(names.last!) failed",
                    details: [error.detailLine, consequence],
                    databaseError: error)
            }
            let step = steps[steps.startIndex + position]
            throw GodwitError.migrationFailed(
                step.migration, direction: step.direction.rawValue, script: step.script,
                error: error.shifted(by: -starts[position]), consequence: consequence, advice: advice(for: error, in: step))
        }
    }
}

/// The progress of migrations sent together in one message: each is said to start when the one before it
/// ends, and to end when the database has finished its last statement.
final class JoinedProgress: Sendable {
    private let migrations: [(name: String, direction: MigrationDirection, lastStatementEnd: Int)]
    private let observer: MigrationProgress.Observer
    private let clock = ContinuousClock()
    /// The next migration to end, and when it started.
    private let current: Mutex<(index: Int, start: ContinuousClock.Instant)>

    init(_ steps: ArraySlice<Plan.Step>, starts: [Int], dialect: any SQLDialect, observer: @escaping MigrationProgress.Observer) {
        migrations = zip(steps, starts).map { step, start in
            let end = dialect.statementRanges(in: step.script.sql).last?.upperBound ?? 0
            return (step.migration.name, step.direction, start + end)
        }
        self.observer = observer
        current = Mutex((0, clock.now))
        if let first = migrations.first { observer(.started(name: first.name, direction: first.direction)) }
    }

    /// The database finished the statement that ends at `offset` in the joined script.
    func statementEnded(at offset: Int) {
        current.withLock { current in
            while current.index < migrations.count, migrations[current.index].lastStatementEnd <= offset {
                let ended = migrations[current.index]
                let now = clock.now
                observer(.finished(name: ended.name, direction: ended.direction, duration: now - current.start))
                current = (current.index + 1, now)
                if current.index < migrations.count {
                    observer(.started(name: migrations[current.index].name, direction: migrations[current.index].direction))
                }
            }
        }
    }
}
