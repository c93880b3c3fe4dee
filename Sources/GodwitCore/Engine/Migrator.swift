#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runs migrations against one database: Knex's commands, with batches that are all or nothing.
///
/// ```swift
/// let migrator = Migrator(connection: connection, migrations: try MigrationDirectory(path: "migrations").load())
/// let report = try await migrator.latest()
/// ```
///
/// A batch whose scripts all run in transactions runs in one transaction with its lock and its
/// `knex_migrations` rows: a failure, or a crash, leaves the database as it was. A batch with a
/// `transaction:false` script takes the lock in a transaction of its own, runs each migration on its own,
/// and frees the lock at the end, as Knex does.
///
/// - Throws: every command throws ``GodwitError``.
public struct Migrator: Sendable {
    /// The database.
    public let connection: any DatabaseConnection
    /// Every known migration, in name order.
    public let migrations: [Migration]
    /// Where the migrations came from, for messages.
    public let source: String
    private let log: MigrationLog
    private let logger: Logger

    /// Creates a migrator.
    ///
    /// - Parameters:
    ///   - connection: an open connection, used by one command at a time.
    ///   - migrations: the migrations, in any order; they are sorted by name.
    ///   - source: where the migrations came from (a folder), named in messages.
    ///   - tableName: the tracking table; the lock table is its name plus `_lock`, as in Knex.
    ///   - logger: receives a line per migration and per rolled-back transaction at `.debug`.
    public init(
        connection: any DatabaseConnection, migrations: [Migration], source: String = "migrations",
        tableName: String = "knex_migrations", logger: Logger = Logger(label: "godwit")
    ) {
        self.connection = connection
        self.migrations = migrations.sorted { Migration.precedes($0.name, $1.name) }
        self.source = source
        self.log = MigrationLog(connection: connection, tableName: tableName)
        self.logger = logger
    }

    // MARK: Commands

    /// Applies every pending migration as one new batch (`knex migrate:latest`).
    public func latest() async throws -> MigrationReport {
        try await migrate(.up) { state in
            state.pending.isEmpty ? nil : .apply(state.pending, batch: state.lastBatch + 1)
        }
    }

    /// Applies the next pending migration, or the named one, as a batch of its own (`knex migrate:up`).
    public func up(name: String? = nil) async throws -> MigrationReport {
        try await migrate(.up) { state in
            guard let name else { return state.pending.first.map { .apply([$0], batch: state.lastBatch + 1) } }
            guard let migration = state.pending.first(where: { Migrator.matches($0.name, name) }) else {
                throw GodwitError(
                    code: .unknownMigration, summary: "migration \"\(name)\" is not pending",
                    details: ["'godwit list' shows the pending migrations"])
            }
            return .apply([migration], batch: state.lastBatch + 1)
        }
    }

    /// Undoes the last batch, newest first, or every batch (`knex migrate:rollback [--all]`).
    public func rollback(all: Bool = false) async throws -> MigrationReport {
        try await migrate(.down) { state in
            let batch = state.lastBatch
            let undone = all ? state.completed : state.completed.filter { $0.record.batch == batch }
            return undone.isEmpty ? nil : try .undo(undone, directory: source)
        }
    }

    /// Undoes the last applied migration, or the named one (`knex migrate:down`).
    public func down(name: String? = nil) async throws -> MigrationReport {
        try await migrate(.down) { state in
            guard let name else { return try state.completed.last.map { try .undo([$0], directory: source) } }
            guard let entry = state.completed.last(where: { Migrator.matches($0.record.name, name) }) else {
                throw GodwitError(
                    code: .unknownMigration, summary: "migration \"\(name)\" is not applied",
                    details: ["'godwit list' shows the applied migrations"])
            }
            return try .undo([entry], directory: source)
        }
    }

    /// Reads what is applied and what is pending, changing nothing (no tables are created).
    public func status() async throws -> MigrationState {
        MigrationState(applied: try await log.applied() ?? [], available: migrations)
    }

    /// Frees the lock, as `knex migrate:unlock` does, creating the tables if they are missing.
    public func unlock() async throws {
        try await transaction(consequence: "the lock was not changed") {
            try await log.create()
            try await log.forceUnlock()
        }
    }

    // MARK: Running a plan

    private typealias Planner = @Sendable (MigrationState) throws -> Plan?

    /// Plans from the current state; if there is work, takes the lock, plans again from what the lock
    /// protects (another runner may have finished meanwhile), and runs that plan.
    private func migrate(_ direction: Plan.Direction, planner: Planner) async throws -> MigrationReport {
        let nothing = MigrationReport(
            outcome: direction == .up ? .alreadyUpToDate : .nothingToRollBack, batch: 0, migrations: [])
        guard let applied = try await log.applied() else {
            if direction == .down { return nothing }
            try await transaction(consequence: "nothing was applied") { try await log.create() }
            return try await migrate(direction, planner: planner)
        }
        let state = MigrationState(applied: applied, available: migrations)
        try checkNoneMissing(state)
        guard let draft = try planner(state) else { return nothing }
        let ran = draft.isSingleTransaction
            ? try await runInOneTransaction(planner)
            : try await runStepByStep(planner)
        guard let plan = ran else { return nothing }
        return MigrationReport(
            outcome: direction == .up ? .applied : .rolledBack, batch: plan.batch,
            migrations: plan.steps.map(\.migration.name))
    }

    /// The lock, the scripts and the records in one transaction: all of it lands, or none of it.
    private func runInOneTransaction(_ planner: Planner) async throws -> Plan? {
        let nothingApplied = "nothing from this batch was applied: the transaction was rolled back and the lock is free"
        let outcome: Plan?? = try await transaction(consequence: nothingApplied) {
            try await log.lock()
            guard let plan = try await lockedPlan(planner) else {
                try await log.unlock()
                return .some(nil)
            }
            guard plan.isSingleTransaction else {
                try await log.unlock()
                return nil
            }
            let time = Migrator.now()
            for step in plan.steps {
                try await run(step, consequence: nothingApplied)
            }
            if plan.direction == .up {
                try await log.record(plan.steps.map(\.migration.name), batch: plan.batch, epochMilliseconds: time)
            } else {
                try await log.remove(plan.steps.compactMap(\.record))
            }
            try await log.unlock()
            return .some(plan)
        }
        // The plan changed under the lock to one that needs step-by-step running (a rare race).
        guard let outcome else { return try await runStepByStep(planner) }
        return outcome
    }

    /// The lock committed on its own, then each migration in its own transaction (or none), then unlock.
    private func runStepByStep(_ planner: Planner) async throws -> Plan? {
        try await transaction(consequence: "nothing was applied") { try await log.lock() }
        do {
            let plan = try await lockedPlan(planner)
            if let plan { try await runSteps(of: plan) }
            try await transaction(consequence: "the lock is still held; run 'godwit unlock'") { try await log.unlock() }
            return plan
        } catch {
            try? await transaction(consequence: "") { try await log.unlock() }
            throw error
        }
    }

    private func runSteps(of plan: Plan) async throws {
        var done: [String] = []
        for (index, step) in plan.steps.enumerated() {
            let rest = plan.steps[(index + 1)...].map(\.migration.name)
            let consequence = Migrator.partialConsequence(plan: plan, done: done, step: step, notRun: rest)
            let time = Migrator.now()
            let runAndRecord = {
                try await run(step, consequence: consequence)
                if let record = step.record {
                    try await log.remove([record])
                } else {
                    try await log.record([step.migration.name], batch: plan.batch, epochMilliseconds: time)
                }
            }
            if step.script.runsInTransaction {
                try await transaction(consequence: consequence, runAndRecord)
            } else {
                try await runAndRecord()
            }
            done.append(step.migration.name)
        }
    }

    /// Re-reads the state under the lock and plans from it.
    private func lockedPlan(_ planner: Planner) async throws -> Plan? {
        let state = MigrationState(applied: try await log.applied() ?? [], available: migrations)
        try checkNoneMissing(state)
        return try planner(state)
    }

    private func run(_ step: Plan.Step, consequence: String) async throws {
        logger.debug("\(step.record == nil ? "migrating" : "rolling back") \(step.migration.name)")
        do {
            try await connection.execute(script: step.script.sql)
        } catch let error as DatabaseError {
            throw GodwitError.migrationFailed(
                step.migration, direction: step.record == nil ? "up" : "down", script: step.script, error: error,
                consequence: consequence)
        }
    }

    private func checkNoneMissing(_ state: MigrationState) throws {
        let missing = state.missing.map(\.name)
        guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: source) }
    }

    /// Runs `body` in a transaction; on any error rolls back and rethrows, naming the failed phase.
    @discardableResult
    private func transaction<T: Sendable>(
        consequence: String, _ body: () async throws -> T
    ) async throws -> T {
        do {
            _ = try await connection.query(connection.dialect.beginTransaction)
        } catch let error as DatabaseError {
            throw GodwitError.transaction(phase: "begin", error: error, consequence: consequence)
        }
        let result: T
        do {
            result = try await body()
        } catch {
            logger.debug("rolling back after: \(error)")
            _ = try? await connection.query("ROLLBACK")
            if let databaseError = error as? DatabaseError {
                throw GodwitError(
                    code: databaseError.isConnectionFailure ? .connection : .transaction,
                    summary: "bookkeeping in \(log.tableName) failed",
                    details: ["database error: \(databaseError)", consequence], databaseError: databaseError)
            }
            throw error
        }
        do {
            _ = try await connection.query("COMMIT")
        } catch let error as DatabaseError {
            throw GodwitError.transaction(phase: "commit", error: error, consequence: consequence)
        }
        return result
    }

    // MARK: Helpers

    static func matches(_ recorded: String, _ requested: String) -> Bool {
        recorded == requested || Migration.stem(of: recorded) == Migration.stem(of: requested)
    }

    private static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    private static func partialConsequence(plan: Plan, done: [String], step: Plan.Step, notRun: [String]) -> String {
        let verb = plan.direction == .up ? "applied" : "rolled back"
        var parts = ["\(verb) before the failure and kept: \(done.isEmpty ? "none" : done.joined(separator: ", "))"]
        if !step.script.runsInTransaction {
            parts.append(
                "\(step.migration.name) ran outside a transaction: its statements before the failing one stay in effect; undo them by hand before running again"
            )
        } else {
            parts.append("\(step.migration.name) was rolled back")
        }
        if !notRun.isEmpty { parts.append("not run: \(notRun.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
