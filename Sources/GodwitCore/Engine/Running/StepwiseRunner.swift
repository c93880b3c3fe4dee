#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

// The runner of a batch step by step: the lock held by a lease (or SQLite's process lock and Knex's flag),
// each migration in a transaction of its own or, for `transaction:false`, statement by statement with its
// progress recorded.
extension MigrationEngine {
    /// The lock held by a lease renewed from a second connection (or, on SQLite, by the process lock), then
    /// each migration in its own transaction or none.
    func runStepByStep(
        _ planner: Planner, _ direction: MigrationDirection, _ options: RunOptions
    ) async throws -> Plan? {
        let lease: MigrationLease?
        var knexLock: MigrationLease?
        if let companion = try await openLockConnection(direction) {
            let leaseLog = log.on(companion)
            let taken = MigrationLease(log: leaseLog, duration: settings.leaseDuration)
            try await transaction(on: leaseLog, consequence: direction.nothingDone, locking: true) {
                try await taken.take()
            }
            await taken.start()
            lease = taken
        } else {
            // The process lock (SQLite's flock) excludes Godwit runners. Knex runners are kept out by
            // `is_locked = 1`, committed with a lease row that is expired from the start: only a runner
            // holding the process lock ever reads it, so a lease it finds is one whose holder died, and it
            // takes the lock over. Taking it waits out a Knex runner's own lock.
            let held = MigrationLease(log: log, duration: .zero)
            try await transaction(consequence: direction.nothingDone, locking: true) { try await held.take() }
            knexLock = held
            lease = nil
        }
        do {
            let state = try await lockedState()
            let plan = try planner(state)
            if let plan { try await runSteps(of: plan, state: state, options: options, lease: lease) }
            await lease?.release()
            await knexLock?.release()
            return plan
        } catch let error as GodwitError {
            let released = await lease?.release() ?? true
            let knexReleased = await knexLock?.release() ?? true
            throw error.leavingLock(released && knexReleased ? .freed : .leftToExpire)
        } catch {
            await lease?.release()
            await knexLock?.release()
            throw error
        }
    }

    func openLockConnection(_ direction: MigrationDirection) async throws -> (any DatabaseConnection)? {
        do {
            return try await connection.openAnother()
        } catch let error as DatabaseError {
            throw GodwitError(
                code: .connection, summary: "cannot open a second connection to hold the migration lock",
                details: [error.detailLine, direction.nothingDone], databaseError: error)
        }
    }

    func runSteps(
        of plan: Plan, state: MigrationState, options: RunOptions, lease: MigrationLease?
    ) async throws {
        var done: [String] = []
        for (index, step) in plan.steps.enumerated() {
            let rest = plan.steps[(index + 1)...].map(\.migration.name)
            do {
                try await runStep(step, of: plan, state: state, options: options, lease: lease, done: done, rest: rest)
            } catch let error as GodwitError {
                // A failure inside the step names it; one before it (a stop, a lost lease) does not.
                let ranIt = error.context.migration?.name == step.migration.name
                throw error.leaving(
                    kept: done, rolledBack: ranIt && step.script.runsInTransaction ? [step.migration.name] : [],
                    notRun: ranIt ? rest : [step.migration.name] + rest)
            }
            done.append(step.migration.name)
        }
    }

    /// Runs one step of a step-by-step batch: in a transaction of its own, or statement by statement.
    private func runStep(
        _ step: Plan.Step, of plan: Plan, state: MigrationState, options: RunOptions, lease: MigrationLease?,
        done: [String], rest: [String]
    ) async throws {
        try await lease?.check()
        try stopIfCancelled(
            before: step.migration.name,
            consequence: Consequence.stopped(plan.direction, kept: done, notRun: [step.migration.name] + rest))
        let consequence = Consequence.failedStep(
            plan.direction, kept: done, rolledBack: step.script.runsInTransaction ? step.migration.name : nil, notRun: rest)
        if step.script.runsInTransaction {
            try await retryingLockTimeouts(what: step.migration.name) {
                try await transaction(consequence: consequence) {
                    try await boundLockWaits()
                    try await run(step, consequence: consequence)
                    if step.handling.contains(.resetsSession) { try await resetSession(inTransaction: true) }
                    try await bookkeep([step], of: plan, state: state, options: options)
                }
            }
        } else {
            try await reportingProgress(of: step) {
                try await runOutsideTransaction(
                    step, of: plan, state: state, options: options, consequence: consequence, lease: lease)
            }
        }
    }

    /// Runs a `transaction:false` script statement by statement, noting each completed statement, so that
    /// an interruption leaves a record of exactly what ran.
    func runOutsideTransaction(
        _ step: Plan.Step, of plan: Plan, state: MigrationState, options: RunOptions, consequence: String,
        lease: MigrationLease?
    ) async throws {
        if let code = step.script.swift {
            return try await runSwiftOutsideTransaction(
                code, step, of: plan, state: state, options: options, consequence: consequence, lease: lease)
        }
        let statements = connection.dialect.statements(in: step.script.sql).filter { !$0.isShellCommand }
        let name = step.trackedName
        try await log.markStarted(
            name, direction: plan.direction, checksum: step.migration.checksum, done: step.firstStatement,
            count: statements.count)
        for index in step.firstStatement..<statements.count {
            let range = statements[index].range
            try await lease?.check()
            logger.debug("\(name): statement \(index + 1) of \(statements.count)")
            // A COPY's rows travel with it.
            let statement = step.script.sql.utf8Slice(statements[index].extent)
            let controlsTransaction = SQLTrivia.controlsTransaction(step.script.sql.utf8Slice(range))
            do {
                _ = try await runRecorded(of: name, done: index + 1, controlsTransaction: controlsTransaction) {
                    try await connection.execute(script: statement)
                    return []
                }
            } catch let error as DatabaseError {
                let error = error.shifted(by: range.lowerBound)
                try? await log.markFailed(name, failure: error.description)
                throw GodwitError.migrationFailed(
                    step.migration, direction: plan.direction.rawValue, script: step.script, error: error,
                    consequence: Consequence.outsideTransaction(
                        plan.direction, consequence, failedStatement: index, of: statements.count),
                    advice: advice(for: error, in: step))
            }
        }
        if step.handling.contains(.resetsSession) { try await resetSession(inTransaction: false) }
        try await transaction(consequence: Consequence.unrecorded(consequence)) {
            try await bookkeep([step], of: plan, state: state, options: options, finished: true)
        }
    }

    /// Runs Swift code outside a transaction: each statement is recorded as done when it ends (with it, in
    /// one transaction, where the database allows), and `--resume` skips the ones that completed.
    func runSwiftOutsideTransaction(
        _ code: @Sendable (MigrationDatabase) async throws -> Void, _ step: Plan.Step, of plan: Plan,
        state: MigrationState, options: RunOptions, consequence: String, lease: MigrationLease?
    ) async throws {
        let name = step.trackedName
        // The number of statements is known only once the code has run: 0 stands for "not known".
        try await log.markStarted(
            name, direction: plan.direction, checksum: step.migration.checksum, done: step.firstStatement, count: 0)
        let progress = StepwiseProgress(
            skipping: step.firstStatement,
            runAndRecord: { [self] done, statement in
                try await lease?.check()
                return try await runRecorded(of: name, done: done, controlsTransaction: false, statement)
            },
            record: { [log] done in try await log.markProgress(name, done: done) })
        do {
            try await runSwift(code, of: step, consequence: "") {
                MigrationDatabase(connection: connection, mode: .stepwise(progress), depth: 0)
            }
        } catch let error as GodwitError where error.code == .migrationFailed {
            try? await log.markFailed(name, failure: error.databaseError?.description ?? error.summary)
            let replaced = error.replacingConsequence(with: consequence)
            var context = replaced.context
            context.advice = "the statements it sent before the failure completed and stay in effect; check the database, then either run the rest with 'godwit \(plan.direction.command) --resume' (skips the statements that completed) or undo them by hand and use --restart"
            throw GodwitError(
                code: error.code, summary: error.summary, details: replaced.details + [context.advice!],
                databaseError: error.databaseError, context: context)
        }
        try await transaction(consequence: Consequence.unrecorded(consequence)) {
            try await bookkeep([step], of: plan, state: state, options: options, finished: true)
        }
    }

    /// Runs one statement of a `transaction:false` section and records that the first `done` have run: in
    /// one transaction where the database allows it, so an interruption leaves both or neither; else the
    /// statement alone, then the record (an interruption between the two is reported as "may or may not
    /// have taken effect").
    func runRecorded(
        of name: String, done: Int, controlsTransaction: Bool, _ statement: @Sendable () async throws -> [SQLRow]
    ) async throws -> [SQLRow] {
        let dialect = connection.dialect
        if dialect.wrapsStatementsOutsideTransactions, !controlsTransaction {
            do {
                // A client that died or went silent: the server stops the statement and rolls back both.
                // The settings travel with the BEGIN: no round trip of their own.
                try await connection.beginTransaction(then: deadClientSettings())
                let rows = try await statement()
                try await log.markProgress(name, done: done)
                _ = try await connection.query("COMMIT")
                return rows
            } catch let error where MigrationEngine.databaseError(in: error)?.kind == .refusedInTransaction {
                _ = try? await connection.query("ROLLBACK")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
        }
        let rows = try await statement()
        try await log.markProgress(name, done: done)
        return rows
    }

    static func databaseError(in error: any Error) -> DatabaseError? {
        (error as? DatabaseError) ?? (error as? MigrationStatementFailure)?.error
    }
}
