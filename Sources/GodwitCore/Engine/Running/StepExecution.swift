#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

// Running one step's script, whichever runner runs it, and recording what ran.
extension MigrationEngine {
    func run(_ step: Plan.Step, consequence: String) async throws {
        try await reportingProgress(of: step) { try await runUnreported(step, consequence: consequence) }
    }

    /// Runs `body`, the whole of `step`, said at debug level and to the progress observer as it starts and ends.
    func reportingProgress(of step: Plan.Step, _ body: () async throws -> Void) async throws {
        announce(step)
        guard let progress else { return try await body() }
        let clock = ContinuousClock()
        let start = clock.now
        progress(.started(name: step.migration.name, direction: step.direction))
        try await body()
        progress(.finished(name: step.migration.name, direction: step.direction, duration: clock.now - start))
    }

    private func runUnreported(_ step: Plan.Step, consequence: String) async throws {
        if let code = step.script.swift {
            try await runSwift(code, of: step, consequence: consequence) {
                MigrationDatabase(connection: connection, mode: .direct, depth: 1)
            }
            return
        }
        var sql = step.script.sql
        var base = 0
        if step.firstStatement > 0 {
            let statements = connection.dialect.statementRanges(in: sql)
            base = step.firstStatement < statements.count ? statements[step.firstStatement].lowerBound : sql.utf8.count
            sql = sql.utf8Slice(base..<sql.utf8.count)
        }
        do {
            try await connection.execute(script: sql)
        } catch let error as DatabaseError {
            throw GodwitError.migrationFailed(
                step.migration, direction: step.direction.rawValue, script: step.script,
                error: error.shifted(by: base), consequence: consequence, advice: advice(for: error, in: step))
        }
    }

    /// What to do about a statement that the database refuses inside a transaction (`CREATE INDEX
    /// CONCURRENTLY`, `VACUUM`, `ALTER SYSTEM`) in a section that runs in one.
    func advice(for error: DatabaseError, in step: Plan.Step) -> String? {
        if error.kind == .statementTimeout {
            // Godwit leaves the server's statement_timeout as the role or database has it: it is the owner's
            // guard, and Supabase sets one per role. A migration that needs longer says so itself.
            let raise = step.script.runsInTransaction
                ? "put SET LOCAL statement_timeout = '30min'; (or 0, no limit) first in its section: it lasts until Godwit's transaction ends"
                : "raise it for the role that migrates (ALTER ROLE … SET statement_timeout = '30min'), since outside a transaction a SET may reach another server connection through a pooler"
            return "the server stopped the statement at its statement_timeout, set for this role or database (SHOW statement_timeout says what it is); if \(step.migration.name) needs longer, \(raise)"
        }
        if error.kind == .diskFull {
            return "the database has no room left to write: free space on the volume the statement writes to (the server's data directory or the tablespace it names; for SQLite the database file's folder), or grow it, then run \(step.migration.name) again"
        }
        guard step.script.runsInTransaction else { return nil }
        if error.kind == .uncommittedEnumValue {
            return "an enum value added with ALTER TYPE … ADD VALUE cannot be used until the transaction that added it commits: mark the section of the migration that adds it '-- migrate:up transaction:own' (it then commits before the next migration runs), or run this batch with --transaction-per-migration; if the value is used in the same file, mark that section transaction:false. Either way a later failure keeps the migrations committed before it (see Godwit's article \"Safety: what is guaranteed, and what is not\", Sources/GodwitCore/GodwitCore.docc/Safety.md)"
        }
        guard error.kind == .refusedInTransaction else { return nil }
        let marker = step.direction == .up ? "-- migrate:up transaction:false" : "-- migrate:down transaction:false"
        return "this statement cannot run inside a transaction: mark the section '\(marker)' in \(step.migration.name) so that it runs on its own (see Godwit's article \"Safety: what is guaranteed, and what is not\", Sources/GodwitCore/GodwitCore.docc/Safety.md)"
    }

    /// Logs, at debug level, that `step` starts.
    func announce(_ step: Plan.Step) {
        logger.debug("\(step.direction == .up ? "migrating" : "rolling back") \(step.migration.name)")
    }

    /// Runs a Swift migration's code, turning what it throws into a ``GodwitError`` that names the file.
    func runSwift(
        _ code: @Sendable (MigrationDatabase) async throws -> Void, of step: Plan.Step,
        consequence: @autoclosure () -> String, database: () -> MigrationDatabase
    ) async throws {
        do {
            try await code(database())
        } catch let failure as MigrationStatementFailure {
            throw GodwitError.swiftMigrationFailed(
                step.migration, direction: step.direction.rawValue, statement: failure.statement,
                site: failure.site.description, error: failure.error, consequence: consequence())
        } catch let error as GodwitError {
            throw error
        } catch is CancellationError {
            throw GodwitError.cancelled("in \(step.migration.name)", consequence: consequence())
        } catch {
            throw GodwitError.swiftMigrationFailed(
                step.migration, direction: step.direction.rawValue, thrown: error, consequence: consequence())
        }
    }

    /// Puts the session's settings back as they were before the batch, after a migration that changed
    /// them; in a transaction, Godwit's own transaction settings are made again.
    func resetSession(inTransaction: Bool) async throws {
        guard let reset = connection.dialect.sessionReset else { return }
        _ = try await connection.query(reset)
        if inTransaction { try await boundLockWaits() }
    }

    /// Records what ran: `knex_migrations` rows and checksums for `up`, their removal for `down`; plus the
    /// checksums first seen or accepted.
    func bookkeep(
        _ steps: [Plan.Step], of plan: Plan, state: MigrationState, options: RunOptions, finished: Bool = false
    ) async throws {
        if plan.direction == .up {
            try await log.record(steps.lazy.map(\.trackedName), batch: plan.batch, epochMilliseconds: MigrationEngine.now())
            let checksums = steps.lazy.compactMap { step in step.migration.checksum.map { (name: step.trackedName, checksum: $0) } }
            try await log.saveChecksums(checksums, finished: finished)
        } else {
            try await log.remove(steps.compactMap(\.record))
        }
        try await keepChecksums(of: state, options: options)
    }

    /// Keeps the checksums of applied files that have none yet (first sight), and of edited files when
    /// the user accepts the edits.
    func keepChecksums(of state: MigrationState, options: RunOptions) async throws {
        var checksums = state.unfingerprinted
        if options.acceptEdits {
            checksums += state.edited.compactMap { entry in entry.migration?.checksum.map { (entry.record.name, $0) } }
        }
        try await log.saveChecksums(checksums)
    }

    /// Re-reads the state under the lock.
    func lockedState() async throws -> MigrationState {
        MigrationState(try await readTracking(), available: migrations)
    }

    /// Reads the tracking tables, naming them if that fails; a command's first read uses `snapshot`, the
    /// read made ahead, when it is of these tables.
    func readTracking(startingFrom snapshot: TrackingSnapshot? = nil) async throws -> MigrationLog.Contents? {
        do {
            if let snapshot, snapshot.tableName == log.tableName { return try snapshot.outcome.get() }
            return try await log.read()
        } catch let error as DatabaseError {
            throw GodwitError.tracking("reading", table: log.tableName, error: error, consequence: "nothing was run")
        }
    }

    static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}
