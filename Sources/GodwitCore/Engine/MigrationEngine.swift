#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// What a command runs on: the connection, the migrations, the tracking tables, the settings and the
/// logger. ``Migrator`` is its public face; its parts live in their own files: planning
/// (``MigrationPlanner``, pure), the two runners (`BatchTransactionRunner.swift`, `StepwiseRunner.swift`),
/// running one step (`StepExecution.swift`), dry runs, the lock (`Lock/`) and transactions.
///
/// **The lock** is the row lock on `knex_migrations_lock`'s single row, taken in a transaction. A batch whose
/// scripts all run in its transaction holds it there, with its scripts and its `knex_migrations` rows: a
/// failure or a crash leaves the database as it was, and the lock ends with the transaction. A batch run step
/// by step (a `transaction:false` or `transaction:own` script) commits `is_locked = 1` with a lease in
/// `knex_migrations_godwit_lease`, renewed from a second connection; a runner that finds the lease expired
/// (its holder died) takes the lock over. On SQLite a `flock` on a file beside the database excludes other
/// Godwit runners, and a step-by-step batch commits `is_locked = 1` for Knex runners. Runners that find the
/// lock taken wait (polling, so a waiter never keeps a pooled connection busy) up to the lock timeout; a Knex
/// runner's `is_locked = 1` is respected the same way, and Knex runners wait on Godwit's row lock.
struct MigrationEngine: Sendable {
    typealias Settings = Migrator.Settings
    typealias RunOptions = Migrator.RunOptions
    typealias Planner = MigrationPlanner.Planner

    let connection: any DatabaseConnection
    /// Every known migration, in name order.
    let migrations: [Migration]
    /// Where the migrations came from, for messages.
    let source: String
    let settings: Settings
    var log: MigrationLog
    let logger: Logger
    /// Told of each migration as it starts and ends, and of lock waits.
    var progress: MigrationProgress.Observer? = nil

    /// This engine, reporting its progress to `observer`.
    func reporting(to observer: MigrationProgress.Observer?) -> MigrationEngine {
        var engine = self
        engine.progress = observer
        return engine
    }
}

extension MigrationEngine {
    /// Plans from the current state; if there is work, takes the lock, plans again from what the lock
    /// protects (another runner may have finished meanwhile), and runs that plan.
    func migrate(
        _ direction: MigrationDirection, _ options: RunOptions, startingFrom snapshot: TrackingSnapshot?,
        planner: @escaping Planner
    ) async throws -> MigrationReport {
        do {
            return try await migrateOnce(direction, options, startingFrom: snapshot, planner: planner)
        } catch let error as GodwitError where error.code == .interruptedMigration {
            throw await naming(invalidIndexesIn: error)
        } catch let error as GodwitError
            where Task.isCancelled
            && error.databaseError.map({ $0.kind == .cancelled || $0.isConnectionFailure }) == true
        {
            // The statement the cancellation stopped (cancelled, or its connection shut through a pooler):
            // the failure it caused is the cancellation.
            throw await naming(invalidIndexesIn: error.asCancellation())
        }
    }

    /// Throws ``GodwitError/Code/cancelled`` if the run's task was cancelled: called between migrations,
    /// where stopping loses nothing that `consequence` does not say.
    func stopIfCancelled(before name: String, consequence: @autoclosure () -> String) throws {
        guard Task.isCancelled else { return }
        throw GodwitError.cancelled("before \(name)", consequence: consequence())
    }

    /// An interrupted or failed `CREATE INDEX CONCURRENTLY` leaves an invalid index behind, which running
    /// the statement again would trip over: the error names them and how to remove them.
    func naming(invalidIndexesIn error: GodwitError) async -> GodwitError {
        guard let sql = connection.dialect.invalidIndexesQuery,
            let names = try? await connection.query(sql).compactMap({ $0[0].text }), !names.isEmpty
        else { return error }
        let drops = names.map { "DROP INDEX CONCURRENTLY \($0);" }.joined(separator: " ")
        return GodwitError(
            code: error.code, summary: error.summary,
            details: error.details + [
                "invalid index\(names.count == 1 ? "" : "es") left by an interrupted or failed CREATE INDEX CONCURRENTLY: \(names.joined(separator: ", ")); before running its statement again: \(drops)",
            ], databaseError: error.databaseError, context: error.context)
    }

    func migrateOnce(
        _ direction: MigrationDirection, _ options: RunOptions, startingFrom snapshot: TrackingSnapshot?,
        planner: @escaping Planner
    ) async throws -> MigrationReport {
        var contents = try await readTracking(startingFrom: snapshot)
        if contents?.hasGodwitTable != true {
            if contents == nil, direction == .down { return .nothingToDo(direction) }
            try await transaction(consequence: direction.nothingDone) { try await log.create() }
            contents = try await readTracking()
        }
        return try await migrate(from: contents, direction, options, planner: planner)
    }

    /// The rest of ``migrateOnce(_:_:startingFrom:planner:)``, from the tracking tables' contents.
    func migrate(
        from contents: MigrationLog.Contents?, _ direction: MigrationDirection, _ options: RunOptions,
        planner: @escaping Planner
    ) async throws -> MigrationReport {
        // Under the lock, a migration marked as running outside a transaction is one whose runner died.
        let lockedPlanner: Planner = { state in
            try MigrationPlanner.checkRunnable(state, direction: direction, options: options, source: source)
            return try prepared(
                MigrationPlanner.resolving(
                    state.interrupted, in: try planner(state), options: options, state: state, dialect: connection.dialect),
                options, announcing: false)
        }
        // Before the lock, it may be running now: it is decided under the lock.
        var state = MigrationState(contents, available: migrations)
        let settled = state.settledInterruptions
        if !settled.isEmpty {
            try await settle(settled, direction: direction)
            state = MigrationState(try await readTracking(), available: migrations)
        }
        try MigrationPlanner.checkRunnable(state, direction: direction, options: options, source: source)
        // --resume after a settled interruption: what it was meant to finish is finished.
        if settled.isEmpty { try MigrationPlanner.checkSomethingToResolve(state, options: options) }
        let draft = try prepared(planner(state), options, announcing: true)
        if draft == nil, state.interrupted.isEmpty {
            try await keepChecksums(of: state, options: options)
            return .nothingToDo(direction)
        }
        // From here on Godwit's statements name the tracking tables where the session finds them now.
        var engine = self
        if let schema = try await schemaOfTracking() { engine.log = log.found(inSchema: schema) }
        return try await engine.run(draft, direction, options, planner: lockedPlanner)
    }

    /// Takes the lock and runs the plan made under it, in one transaction if `draft` allows.
    func run(
        _ draft: Plan?, _ direction: MigrationDirection, _ options: RunOptions, planner lockedPlanner: @escaping Planner
    ) async throws -> MigrationReport {
        let ran: Plan? = try await holdingProcessLock {
            if draft?.isSingleTransaction ?? true {
                switch try await runInOneTransaction(lockedPlanner, direction, options) {
                case .ran(let plan): return plan
                case .nothingToDo: return nil
                case .needsStepwise: break
                }
            }
            return try await runStepByStep(lockedPlanner, direction, options)
        }
        guard let plan = ran else { return .nothingToDo(direction) }
        return MigrationReport(
            outcome: direction == .up ? .applied : .rolledBack, batch: plan.batch,
            migrations: plan.steps.map(\.trackedName))
    }

    /// Where the session finds the tracking tables, when no schema was given.
    func schemaOfTracking() async throws -> String? {
        do {
            return try await log.schemaFoundNow()
        } catch let error as DatabaseError {
            throw GodwitError.tracking("finding the schema of", table: log.tableName, error: error, consequence: "nothing was run")
        }
    }

    /// `plan` with each step's script as it is sent, or a refusal before anything runs; the notices are
    /// logged when `announcing` (once per command: the plan made under the lock is prepared again), as
    /// warnings, which a terminal shows by default: the file says something Godwit does not do as written.
    func prepared(_ plan: Plan?, _ options: RunOptions, announcing: Bool) throws -> Plan? {
        guard let plan else { return nil }
        let prepared = try ScriptPreparation.prepare(
            plan, dialect: connection.dialect, ownTransactions: settings.transactionPerMigration)
        if announcing {
            for notice in prepared.notices { logger.warning("\(notice)") }
        }
        return prepared.plan
    }

    /// Clears the progress of interrupted migrations that another runner has finished since, saying so:
    /// Godwit killed during a `transaction:false` migration, then a Knex runner applied it as `.js`.
    func settle(_ settled: [InterruptedMigration], direction: MigrationDirection) async throws {
        for entry in settled {
            logger.warning(
                "\(entry.name) was interrupted while \(entry.direction.activity), and another runner has since \(entry.direction.pastTense) it (knex_migrations says so): its interruption is settled, nothing of it is run again")
        }
        try await transaction(consequence: direction.nothingDone) { try await log.clearProgress(settled.map(\.name)) }
    }

    /// Frees a Knex lock left at `is_locked = 1`, creating the tables if they are missing.
    func unlock() async throws {
        try await transaction(consequence: "the lock was not changed") {
            try await log.create()
            try await log.forceUnlock()
        }
    }
}
