#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// Runs migrations against one database: Knex's commands, with batches that are all or nothing and a
/// lock that never outlives its holder.
///
/// ```swift
/// let migrator = Migrator(connection: connection, migrations: try MigrationDirectory(path: "migrations").load())
/// let report = try await migrator.latest()
/// ```
///
/// **The lock** is the row lock on `knex_migrations_lock`'s single row, held by an open transaction and
/// never committed as `is_locked = 1`. A batch whose scripts all run in transactions holds it in its own
/// transaction, with its scripts and its `knex_migrations` rows: a failure or a crash leaves the database as
/// it was. A batch with a `transaction:false` script holds it in a transaction on a second connection
/// while each migration runs on its own. Either way, if the process dies its connections close, the server
/// ends the transaction, and the lock is free. Runners that find it taken wait (polling, so a waiter never
/// keeps a pooled connection busy) up to ``Settings/lockTimeout``. A Knex runner's `is_locked = 1` is
/// respected the same way, and Knex runners wait on Godwit's row lock.
///
/// - Throws: every command throws ``GodwitError``.
public struct Migrator: Sendable {
    /// How long to wait for locks, and how often to retry.
    public struct Settings: Sendable {
        /// How long a runner waits for another runner's batch before giving up. Default: 5 minutes.
        public var lockTimeout: Duration
        /// How long a migration statement in a transaction may wait for a table lock (PostgreSQL's
        /// `lock_timeout`), so that DDL queued behind a long query does not stall every query queued behind
        /// it; `nil` waits forever. Default: 5 seconds. Statements outside transactions are not bounded:
        /// `CREATE INDEX CONCURRENTLY` waits for older transactions by design.
        public var ddlLockTimeout: Duration?
        /// How many times a batch (or a migration, outside one-transaction batches) whose statement timed out
        /// waiting for a table lock is retried, with growing pauses. Default: 3.
        public var ddlRetries: Int
        /// How long the lock of a batch with `transaction:false` migrations outlives its holder if the holder
        /// dies; the holder renews it every third of this. Default: 30 seconds.
        public var leaseDuration: Duration
        /// The names new migrations are recorded under: Knex's (`.js`) while the history shows Knex
        /// runners, by default, so that a Knex runner sharing the database never applies one again.
        public var recordNames: KnexNaming
        /// Run each migration of a batch in a transaction of its own, committed before the next (as if
        /// every section were marked `transaction:own`): a failure keeps the migrations before it. Default:
        /// `false`, one transaction for the batch.
        public var transactionPerMigration: Bool
        /// Roll back migrations whose `down` section is empty as undoing nothing (as if each were marked
        /// `nothing-to-undo`). Default: `false`, such a migration cannot be rolled back.
        public var allowEmptyDown: Bool

        /// Creates settings; every parameter has the documented default.
        public init(
            lockTimeout: Duration = .seconds(300), ddlLockTimeout: Duration? = .seconds(5), ddlRetries: Int = 3,
            leaseDuration: Duration = .seconds(30), recordNames: KnexNaming = .automatic,
            transactionPerMigration: Bool = false, allowEmptyDown: Bool = false
        ) {
            self.transactionPerMigration = transactionPerMigration
            self.allowEmptyDown = allowEmptyDown
            self.leaseDuration = leaseDuration
            self.recordNames = recordNames
            self.lockTimeout = lockTimeout
            self.ddlLockTimeout = ddlLockTimeout
            self.ddlRetries = ddlRetries
        }
    }

    /// What a user allows for one migrating command.
    public struct RunOptions: Sendable {
        /// Keep the new checksums of applied files that changed, instead of refusing to run.
        public var acceptEdits: Bool
        /// How to finish a migration that was interrupted outside a transaction; `nil` refuses to run.
        public var interrupted: InterruptedMigration.Resolution?

        /// Creates options; by default edits and interrupted migrations stop the command.
        public init(acceptEdits: Bool = false, interrupted: InterruptedMigration.Resolution? = nil) {
            self.acceptEdits = acceptEdits
            self.interrupted = interrupted
        }
    }

    /// The database.
    public let connection: any DatabaseConnection
    /// Every known migration, in name order.
    public let migrations: [Migration]
    /// Where the migrations came from, for messages.
    public let source: String
    /// Lock waits and retries.
    public let settings: Settings
    private var log: MigrationLog
    private let logger: Logger
    /// The tracking tables as read ahead by the caller, for the first command.
    private var firstRead: FirstRead?

    /// Creates a migrator.
    ///
    /// - Parameters:
    ///   - connection: an open connection, used by one command at a time.
    ///   - migrations: the migrations, in any order; they are sorted by name.
    ///   - source: where the migrations came from (a folder), named in messages.
    ///   - tableName: the tracking table; the lock table is its name plus `_lock`, as in Knex.
    ///   - schema: the schema of the tracking tables (Knex's `schemaName`), created if missing; `nil`: the
    ///     first schema of the search path (`public`).
    ///   - settings: lock waits and retries.
    ///   - logger: receives a line per migration at `.debug`, and lock waits and retries at `.notice`.
    public init(
        connection: any DatabaseConnection, migrations: [Migration], source: String = "migrations",
        tableName: String = "knex_migrations", schema: String? = nil, settings: Settings = Settings(),
        logger: Logger = Logger(label: "godwit")
    ) {
        self.connection = connection
        let inOrder = zip(migrations, migrations.dropFirst()).allSatisfy { Migration.precedes($0.name, $1.name) }
        self.migrations = inOrder ? migrations : migrations.sorted { Migration.precedes($0.name, $1.name) }
        self.source = source
        self.settings = settings
        self.log = MigrationLog(connection: connection, tableName: TableName(tableName, schema: schema))
        self.logger = logger
    }

    /// This migrator, whose first command uses `read` (made while the migrations loaded) instead of reading
    /// the tracking tables again; a read of other tables is ignored.
    package func startingFrom(_ read: FirstRead) -> Migrator {
        var migrator = self
        migrator.firstRead = read.tableName == log.tableName ? read : nil
        return migrator
    }

    // MARK: Commands

    /// Applies every pending migration as one new batch (`knex migrate:latest`).
    public func latest(_ options: RunOptions = RunOptions()) async throws -> MigrationReport {
        try await migrate(.up, options, planner: latestPlanner)
    }

    /// What ``latest(_:)`` would run, sending the database nothing but the read of the tracking tables:
    /// each pending migration's statements, SQL as written and what Swift code would send.
    ///
    /// - Parameter options: what the run would allow (edits accepted, an interrupted migration resumed).
    public func latestDryRun(_ options: RunOptions = RunOptions()) async throws -> DryRun {
        try await dryRun(planner: latestPlanner, options: options, rehearsing: false)
    }

    /// Runs what ``latest(_:)`` would run in a transaction that is rolled back, and returns its statements:
    /// each migration sees what the ones before it did, and a failure shows now. It takes the table locks
    /// and does the work the migrations do (on production too); only the rollback undoes it.
    public func latestRehearsal(_ options: RunOptions = RunOptions()) async throws -> DryRun {
        try await dryRun(planner: latestPlanner, options: options, rehearsing: true)
    }

    private var latestPlanner: Planner {
        { [recordNames = settings.recordNames] state in
            state.pending.isEmpty
                ? nil
                : try .apply(state.pending, batch: state.lastBatch + 1, recordExtension: recordNames.recordExtension(in: state))
        }
    }

    /// Applies the next pending migration, or the named one, as a batch of its own (`knex migrate:up`).
    public func up(name: String? = nil, _ options: RunOptions = RunOptions()) async throws -> MigrationReport {
        try await migrate(.up, options) { state in
            let recordExtension = settings.recordNames.recordExtension(in: state)
            guard let name else {
                return try state.pending.first.map { try .apply([$0], batch: state.lastBatch + 1, recordExtension: recordExtension) }
            }
            guard let migration = state.pending.first(where: { Migrator.matches($0.name, name) }) else {
                throw Migrator.notFound(name, in: state, wanted: "pending")
            }
            return try .apply([migration], batch: state.lastBatch + 1, recordExtension: recordExtension)
        }
    }

    /// Undoes the last batch, newest first, or every batch (`knex migrate:rollback [--all]`).
    public func rollback(all: Bool = false, _ options: RunOptions = RunOptions()) async throws -> MigrationReport {
        try await migrate(.down, options, planner: rollbackPlanner(all: all))
    }

    /// What ``rollback(all:_:)`` would run, sending the database nothing but the read of the tracking tables.
    public func rollbackDryRun(all: Bool = false, _ options: RunOptions = RunOptions()) async throws -> DryRun {
        try await dryRun(planner: rollbackPlanner(all: all), options: options, rehearsing: false)
    }

    /// Runs what ``rollback(all:_:)`` would run in a transaction that is rolled back (see
    /// ``latestRehearsal(_:)``).
    public func rollbackRehearsal(all: Bool = false, _ options: RunOptions = RunOptions()) async throws -> DryRun {
        try await dryRun(planner: rollbackPlanner(all: all), options: options, rehearsing: true)
    }

    /// Plans from the current state and collects each step's statements.
    ///
    /// A dry run sends nothing after the read: SQL statements are taken from the files, and Swift code runs
    /// with a database that collects what it would send (its `query` returns no rows; only the catalog reads
    /// of a schema builder, ``MigrationDatabase/read(_:_:file:line:)``, reach the database). A rehearsal
    /// runs the steps that run in transactions inside one transaction that is rolled back, so later steps
    /// see what earlier ones did; a step that runs outside a transaction only has its statements collected.
    /// No migration lock is taken either way: the plan is the one of this moment.
    private func dryRun(planner: Planner, options: RunOptions, rehearsing: Bool) async throws -> DryRun {
        let state = MigrationState(try await readTracking(first: true), available: migrations)
        guard let plan = try prepared(
            Migrator.resolving(
                state.interrupted, in: try planner(state), options: options, state: state, dialect: connection.dialect),
            options, announcing: true)
        else { return DryRun(direction: nil, batch: 0, steps: []) }
        try checkRunnable(state, direction: plan.direction, options: options)
        try checkSomethingToResolve(state, options: options)
        let consequence = rehearsing ? "nothing was changed: the rehearsal's transaction was rolled back" : "nothing was sent to the database"
        func collect() async throws -> DryRun {
            var steps: [DryRun.Step] = []
            for step in plan.steps {
                let collector = StatementCollector()
                let inTransaction = step.script.runsInTransaction
                let rehearsed = rehearsing && inTransaction
                if let code = step.script.swift {
                    try await runSwift(code, of: step, consequence: consequence) {
                        MigrationDatabase(
                            connection: connection, mode: rehearsed ? .rehearsal(collector) : .dryRun(collector),
                            depth: inTransaction ? 1 : 0)
                    }
                } else {
                    let sql = step.script.sql
                    for range in connection.dialect.statementRanges(in: sql).dropFirst(step.firstStatement) {
                        await collector.add(sql.utf8Slice(range), [])
                    }
                    if rehearsed {
                        try await run(step, consequence: consequence)
                        if step.handling.contains(.resetsSession) { try await resetSession(inTransaction: true) }
                    }
                }
                steps.append(DryRun.Step(
                    name: step.migration.name, path: step.migration.path, runsInTransaction: inTransaction,
                    statements: await collector.statements))
            }
            return DryRun(direction: plan.direction, batch: plan.batch, steps: steps, rehearsed: rehearsing)
        }
        return rehearsing ? try await rehearsal(consequence: consequence, collect) : try await collect()
    }

    /// Runs `body` in a transaction that is always rolled back.
    private func rehearsal<T: Sendable>(consequence: String, _ body: () async throws -> T) async throws -> T {
        try await begin(on: connection, consequence: consequence)
        do {
            try await boundLockWaits()
            let result = try await body()
            _ = try await connection.query("ROLLBACK")
            return result
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    private func rollbackPlanner(all: Bool) -> Planner {
        { [source, settings] state in
            let batch = state.lastBatch
            let undone = all ? state.completed : state.completed.filter { $0.record.batch == batch }
            return undone.isEmpty ? nil : try .undo(undone, directory: source, allowingEmptyDown: settings.allowEmptyDown)
        }
    }

    /// Undoes the last applied migration, or the named one (`knex migrate:down`).
    public func down(name: String? = nil, _ options: RunOptions = RunOptions()) async throws -> MigrationReport {
        try await migrate(.down, options) { state in
            let allowing = settings.allowEmptyDown
            guard let name else {
                return try state.completed.last.map { try .undo([$0], directory: source, allowingEmptyDown: allowing) }
            }
            guard let entry = state.completed.last(where: { Migrator.matches($0.record.name, name) }) else {
                throw Migrator.notFound(name, in: state, wanted: "applied")
            }
            return try .undo([entry], directory: source, allowingEmptyDown: allowing)
        }
    }

    /// Reads what is applied, pending, edited and interrupted, changing nothing (no tables are created).
    public func status() async throws -> MigrationState {
        MigrationState(try await readTracking(first: true), available: migrations)
    }

    /// Frees a Knex lock left at `is_locked = 1`, as `knex migrate:unlock` does, creating the tables if
    /// they are missing. Godwit's own lock never needs it: it ends with its holder.
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
    private func migrate(
        _ direction: Plan.Direction, _ options: RunOptions, planner: @escaping Planner
    ) async throws -> MigrationReport {
        do {
            return try await migrateOnce(direction, options, planner: planner)
        } catch let error as GodwitError where error.code == .interruptedMigration {
            throw await naming(invalidIndexesIn: error)
        } catch let error as GodwitError
            where Task.isCancelled
            && error.databaseError.map({ connection.dialect.isCancellation($0) || $0.isConnectionFailure }) == true
        {
            // The statement the cancellation stopped (cancelled, or its connection shut through a pooler):
            // the failure it caused is the cancellation.
            throw await naming(invalidIndexesIn: error.asCancellation())
        }
    }

    /// Throws ``GodwitError/Code/cancelled`` if the run's task was cancelled: called between migrations,
    /// where stopping loses nothing that `consequence` does not say.
    private func stopIfCancelled(before name: String, consequence: @autoclosure () -> String) throws {
        guard Task.isCancelled else { return }
        throw GodwitError.cancelled("before \(name)", consequence: consequence())
    }

    /// An interrupted or failed `CREATE INDEX CONCURRENTLY` leaves an invalid index behind, which running
    /// the statement again would trip over: the error names them and how to remove them.
    private func naming(invalidIndexesIn error: GodwitError) async -> GodwitError {
        guard let sql = connection.dialect.invalidIndexesQuery,
            let names = try? await connection.query(sql).compactMap({ $0[0].text }), !names.isEmpty
        else { return error }
        let drops = names.map { "DROP INDEX CONCURRENTLY \($0);" }.joined(separator: " ")
        return GodwitError(
            code: error.code, summary: error.summary,
            details: error.details + [
                "invalid index\(names.count == 1 ? "" : "es") left by an interrupted or failed CREATE INDEX CONCURRENTLY: \(names.joined(separator: ", ")); before running its statement again: \(drops)",
            ], databaseError: error.databaseError)
    }

    private func migrateOnce(
        _ direction: Plan.Direction, _ options: RunOptions, planner: @escaping Planner
    ) async throws -> MigrationReport {
        let nothing = MigrationReport(
            outcome: direction == .up ? .alreadyUpToDate : .nothingToRollBack, batch: 0, migrations: [])
        var contents = try await readTracking(first: true)
        if contents?.hasGodwitTable != true {
            if contents == nil, direction == .down { return nothing }
            try await transaction(consequence: direction.nothingDone) { try await log.create() }
            contents = try await readTracking()
        }
        return try await migrate(from: contents, direction, options, planner: planner)
    }

    /// The rest of ``migrateOnce(_:_:planner:)``, from the tracking tables' contents.
    private func migrate(
        from contents: MigrationLog.Contents?, _ direction: Plan.Direction, _ options: RunOptions,
        planner: @escaping Planner
    ) async throws -> MigrationReport {
        let nothing = MigrationReport(
            outcome: direction == .up ? .alreadyUpToDate : .nothingToRollBack, batch: 0, migrations: [])
        // Under the lock, a migration marked as running outside a transaction is one whose runner died.
        let lockedPlanner: Planner = { state in
            try checkRunnable(state, direction: direction, options: options)
            return try prepared(
                Migrator.resolving(
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
        try checkRunnable(state, direction: direction, options: options)
        // --resume after a settled interruption: what it was meant to finish is finished.
        if settled.isEmpty { try checkSomethingToResolve(state, options: options) }
        let draft = try prepared(planner(state), options, announcing: true)
        if draft == nil, state.interrupted.isEmpty {
            try await keepChecksums(of: state, options: options)
            return nothing
        }
        // From here on Godwit's statements name the tracking tables where the session finds them now.
        if let schema = try await schemaOfTracking() {
            var migrator = self
            migrator.log = log.found(inSchema: schema)
            return try await migrator.run(draft, direction, options, planner: lockedPlanner)
        }
        return try await run(draft, direction, options, planner: lockedPlanner)
    }

    /// Takes the lock and runs the plan made under it, in one transaction if `draft` allows.
    private func run(
        _ draft: Plan?, _ direction: Plan.Direction, _ options: RunOptions, planner lockedPlanner: @escaping Planner
    ) async throws -> MigrationReport {
        let nothing = MigrationReport(
            outcome: direction == .up ? .alreadyUpToDate : .nothingToRollBack, batch: 0, migrations: [])
        let processLock = try await connection.acquireProcessLock(timeout: settings.lockTimeout)
        defer { processLock?.release() }
        let ran: Plan?
        if draft?.isSingleTransaction ?? true, let outcome = try await runInOneTransaction(lockedPlanner, direction, options) {
            ran = outcome
        } else {
            ran = try await runStepByStep(lockedPlanner, direction, options)
        }
        guard let plan = ran else { return nothing }
        return MigrationReport(
            outcome: direction == .up ? .applied : .rolledBack, batch: plan.batch,
            migrations: plan.steps.map(\.trackedName))
    }

    /// The lock, the scripts and the records in one transaction: all of it lands, or none of it.
    ///
    /// - Returns: the plan that ran (`nil` inside when nothing was left to do), or `nil` when the plan
    ///   made under the lock needs step-by-step running.
    private func runInOneTransaction(
        _ planner: Planner, _ direction: Plan.Direction, _ options: RunOptions
    ) async throws -> Plan?? {
        let nothingApplied = direction == .up
            ? "nothing from this batch was applied: the transaction was rolled back and the lock is free"
            : "nothing from this batch was undone: the transaction was rolled back and the lock is free"
        return try await retryingLockTimeouts(what: "the batch") {
            try await transaction(consequence: nothingApplied, locking: true) {
                let state = try await lockedState()
                guard let plan = try planner(state) else {
                    try await keepChecksums(of: state, options: options)
                    return .some(nil)
                }
                guard plan.isSingleTransaction else { return nil }
                try await boundLockWaits()
                try await runInBatchTransaction(plan.steps, consequence: nothingApplied)
                try await bookkeep(plan.steps, of: plan, state: state, options: options)
                return .some(plan)
            }
        }
    }

    /// The lock held by a lease renewed from a second connection (or, on SQLite, by the process lock), then
    /// each migration in its own transaction or none.
    private func runStepByStep(
        _ planner: Planner, _ direction: Plan.Direction, _ options: RunOptions
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
        } catch {
            await lease?.release()
            await knexLock?.release()
            throw error
        }
    }

    private func openLockConnection(_ direction: Plan.Direction) async throws -> (any DatabaseConnection)? {
        do {
            return try await connection.openAnother()
        } catch let error as DatabaseError {
            throw GodwitError(
                code: .connection, summary: "cannot open a second connection to hold the migration lock",
                details: ["database error: \(error)", direction.nothingDone], databaseError: error)
        }
    }

    private func runSteps(
        of plan: Plan, state: MigrationState, options: RunOptions, lease: MigrationLease?
    ) async throws {
        var done: [String] = []
        for (index, step) in plan.steps.enumerated() {
            try await lease?.check()
            let rest = plan.steps[(index + 1)...].map(\.migration.name)
            try stopIfCancelled(
                before: step.migration.name,
                consequence: Migrator.stoppedConsequence(plan: plan, done: done, notRun: [step.migration.name] + rest))
            let consequence = Migrator.partialConsequence(plan: plan, done: done, step: step, notRun: rest)
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
                try await runOutsideTransaction(
                    step, of: plan, state: state, options: options, consequence: consequence, lease: lease)
            }
            done.append(step.migration.name)
        }
    }

    /// Runs a `transaction:false` script statement by statement, noting each completed statement, so that
    /// an interruption leaves a record of exactly what ran.
    private func runOutsideTransaction(
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
                    consequence: Migrator.outsideTransactionConsequence(
                        plan: plan, consequence: consequence, failed: index, of: statements.count))
            }
        }
        if step.handling.contains(.resetsSession) { try await resetSession(inTransaction: false) }
        try await transaction(consequence: consequence + "; its statements all ran but it is not recorded: run the command again with --resume to record it") {
            try await bookkeep([step], of: plan, state: state, options: options, finished: true)
        }
    }

    /// Runs Swift code outside a transaction: each statement is recorded as done when it ends (with it, in
    /// one transaction, where the database allows), and `--resume` skips the ones that completed.
    private func runSwiftOutsideTransaction(
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
            throw GodwitError(
                code: error.code, summary: error.summary,
                details: error.details.dropLast() + [
                    consequence,
                    "the statements it sent before the failure completed and stay in effect; check the database, then either run the rest with 'godwit \(plan.direction.command) --resume' (skips the statements that completed) or undo them by hand and use --restart",
                ], databaseError: error.databaseError)
        }
        try await transaction(consequence: consequence + "; its statements all ran but it is not recorded: run the command again with --resume to record it") {
            try await bookkeep([step], of: plan, state: state, options: options, finished: true)
        }
    }

    /// Runs one statement of a `transaction:false` section and records that the first `done` have run: in
    /// one transaction where the database allows it, so an interruption leaves both or neither; else the
    /// statement alone, then the record (an interruption between the two is reported as "may or may not
    /// have taken effect").
    private func runRecorded(
        of name: String, done: Int, controlsTransaction: Bool, _ statement: @Sendable () async throws -> [SQLRow]
    ) async throws -> [SQLRow] {
        let dialect = connection.dialect
        if dialect.wrapsStatementsOutsideTransactions, !controlsTransaction {
            _ = try await connection.query(dialect.beginTransaction)
            do {
                let rows = try await statement()
                try await log.markProgress(name, done: done)
                _ = try await connection.query("COMMIT")
                return rows
            } catch let error where Migrator.databaseError(in: error).map(dialect.isRefusedInTransaction) == true {
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

    private static func databaseError(in error: any Error) -> DatabaseError? {
        (error as? DatabaseError) ?? (error as? MigrationStatementFailure)?.error
    }

    /// Records what ran: `knex_migrations` rows and checksums for `up`, their removal for `down`; plus the
    /// checksums first seen or accepted.
    private func bookkeep(
        _ steps: [Plan.Step], of plan: Plan, state: MigrationState, options: RunOptions, finished: Bool = false
    ) async throws {
        if plan.direction == .up {
            try await log.record(steps.lazy.map(\.trackedName), batch: plan.batch, epochMilliseconds: Migrator.now())
            let checksums = steps.lazy.compactMap { step in step.migration.checksum.map { (name: step.trackedName, checksum: $0) } }
            try await log.saveChecksums(checksums, finished: finished)
        } else {
            try await log.remove(steps.compactMap(\.record))
        }
        try await keepChecksums(of: state, options: options)
    }

    /// Keeps the checksums of applied files that have none yet (first sight), and of edited files when
    /// the user accepts the edits.
    private func keepChecksums(of state: MigrationState, options: RunOptions) async throws {
        var checksums = state.unfingerprinted
        if options.acceptEdits {
            checksums += state.edited.compactMap { entry in entry.migration?.checksum.map { (entry.record.name, $0) } }
        }
        try await log.saveChecksums(checksums)
    }

    /// Where the session finds the tracking tables, when no schema was given.
    private func schemaOfTracking() async throws -> String? {
        do {
            return try await log.schemaFoundNow()
        } catch let error as DatabaseError {
            throw GodwitError.tracking("finding the schema of", table: log.tableName, error: error, consequence: "nothing was run")
        }
    }

    /// `plan` with each step's script as it is sent, or a refusal before anything runs; the notices are
    /// logged when `announcing` (once per command: the plan made under the lock is prepared again), as
    /// warnings, which a terminal shows by default: the file says something Godwit does not do as written.
    private func prepared(_ plan: Plan?, _ options: RunOptions, announcing: Bool) throws -> Plan? {
        guard let plan else { return nil }
        let prepared = try ScriptPreparation.prepare(
            plan, dialect: connection.dialect, ownTransactions: settings.transactionPerMigration)
        if announcing {
            for notice in prepared.notices { logger.warning("\(notice)") }
        }
        return prepared.plan
    }

    /// Puts the session's settings back as they were before the batch, after a migration that changed
    /// them; in a transaction, Godwit's own transaction settings are made again.
    private func resetSession(inTransaction: Bool) async throws {
        guard let reset = connection.dialect.sessionReset else { return }
        _ = try await connection.query(reset)
        if inTransaction { try await boundLockWaits() }
    }

    /// Re-reads the state under the lock.
    private func lockedState() async throws -> MigrationState {
        MigrationState(try await readTracking(), available: migrations)
    }

    /// Reads the tracking tables, naming them if that fails; a command's first read uses the one made
    /// ahead, if any.
    private func readTracking(first: Bool = false) async throws -> MigrationLog.Contents? {
        do {
            if first, let ahead = firstRead?.take() { return try ahead.get() }
            return try await log.read()
        } catch let error as DatabaseError {
            throw GodwitError.tracking("reading", table: log.tableName, error: error, consequence: "nothing was run")
        }
    }

    /// Stops before anything runs when files are missing, or (for `up`) when applied files were edited.
    private func checkRunnable(_ state: MigrationState, direction: Plan.Direction, options: RunOptions) throws {
        let missing = state.missing.map(\.name)
        guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: source) }
        if direction == .up, !options.acceptEdits {
            let edited = state.edited
            guard edited.isEmpty else { throw GodwitError.editedMigrations(edited) }
        }
    }

    /// Clears the progress of interrupted migrations that another runner has finished since, saying so:
    /// Godwit killed during a `transaction:false` migration, then a Knex runner applied it as `.js`.
    private func settle(_ settled: [InterruptedMigration], direction: Plan.Direction) async throws {
        for entry in settled {
            logger.warning(
                "\(entry.name) was interrupted while \(entry.direction.activity), and another runner has since \(entry.direction == .up ? "applied" : "rolled back") it (knex_migrations says so): its interruption is settled, nothing of it is run again")
        }
        try await transaction(consequence: direction.nothingDone) { try await log.clearProgress(settled.map(\.name)) }
    }

    /// `--resume` and `--restart` say how to finish an interrupted migration: with none, they would do
    /// nothing, so the command refuses them rather than run as if they had not been given.
    private func checkSomethingToResolve(_ state: MigrationState, options: RunOptions) throws {
        guard let resolution = options.interrupted, state.interrupted.isEmpty else { return }
        throw GodwitError(
            code: .interruptedMigration,
            summary: "--\(resolution.rawValue): no migration was interrupted, so there is nothing to \(resolution.rawValue)",
            details: ["nothing was run; run the command without --\(resolution.rawValue)"])
    }

    /// Sets where each interrupted migration starts again, or refuses when the user has not said how.
    private static func resolving(
        _ interrupted: [InterruptedMigration], in plan: Plan?, options: RunOptions, state: MigrationState,
        dialect: any SQLDialect
    ) throws -> Plan? {
        guard !interrupted.isEmpty else { return plan }
        var plan = plan
        for entry in interrupted {
            let migration = state.completed.first { $0.record.name == entry.name }?.migration
                ?? state.pending.first { $0.name == entry.name }
            guard let resolution = options.interrupted,
                let index = plan?.steps.firstIndex(where: { $0.trackedName == entry.name }),
                plan?.direction == entry.direction
            else {
                let script = entry.direction == .up ? migration?.up : migration?.down
                let running = script.flatMap { script in
                    dialect.statementRanges(in: script.sql).dropFirst(entry.statementsDone).first.map(script.sql.utf8Slice)
                }
                throw GodwitError.interrupted(
                    entry, file: migration?.path, runningStatement: running,
                    statementsRanInTransactions: dialect.wrapsStatementsOutsideTransactions)
            }
            if resolution == .resume, entry.checksum != plan?.steps[index].migration.checksum {
                throw GodwitError(
                    code: .interruptedMigration,
                    summary: "cannot resume \(entry.name): its file changed since it was interrupted",
                    details: ["statement numbers may no longer match; undo its completed statements by hand and use --restart"])
            }
            plan?.steps[index].firstStatement = resolution == .resume ? entry.statementsDone : 0
        }
        return plan
    }

    /// Runs a batch's steps inside its transaction. Where the database gains by it, consecutive SQL scripts
    /// travel together, one message for up to ``scriptsPerMessage`` migrations.
    private func runInBatchTransaction(_ steps: [Plan.Step], consequence: String) async throws {
        func joinable(_ step: Plan.Step) -> Bool {
            step.script.swift == nil && step.firstStatement == 0 && step.handling.isDisjoint(with: [.travelsAlone, .resetsSession])
        }
        var index = 0
        while index < steps.count {
            try stopIfCancelled(before: steps[index].migration.name, consequence: consequence)
            var end = index + 1
            var bytes = steps[index].script.sql.utf8.count
            if connection.dialect.sendsScriptsTogether, joinable(steps[index]) {
                while end < steps.count, end - index < Migrator.scriptsPerMessage.count, joinable(steps[end]),
                    bytes + steps[end].script.sql.utf8.count <= Migrator.scriptsPerMessage.bytes
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
    private func runTogether(_ steps: ArraySlice<Plan.Step>, consequence: String) async throws {
        var script = ""
        var starts: [Int] = []
        for step in steps {
            announce(step)
            if !script.isEmpty { script += "\n;\n" }
            starts.append(script.utf8.count)
            script += step.script.sql
        }
        do {
            try await connection.execute(script: script)
        } catch let error as DatabaseError {
            guard let offset = error.statementOffset, let position = starts.lastIndex(where: { $0 <= offset }) else {
                let names = steps.map(\.migration.name)
                throw GodwitError(
                    code: .migrationFailed, summary: "one of the migrations \(names.first!) … \(names.last!) failed",
                    details: ["\(error.isConnectionFailure ? "connection" : "database") error: \(error)", consequence],
                    databaseError: error)
            }
            let step = steps[steps.startIndex + position]
            throw GodwitError.migrationFailed(
                step.migration, direction: step.direction.rawValue, script: step.script,
                error: error.shifted(by: -starts[position]), consequence: consequence, advice: advice(for: error, in: step))
        }
    }

    private func run(_ step: Plan.Step, consequence: String) async throws {
        announce(step)
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
    private func advice(for error: DatabaseError, in step: Plan.Step) -> String? {
        guard step.script.runsInTransaction else { return nil }
        if connection.dialect.isUncommittedEnumValue(error) {
            return "an enum value added with ALTER TYPE … ADD VALUE cannot be used until the transaction that added it commits: mark the section of the migration that adds it '-- migrate:up transaction:own' (it then commits before the next migration runs), or run this batch with --transaction-per-migration; if the value is used in the same file, mark that section transaction:false. Either way a later failure keeps the migrations committed before it (see the README's \"Transactions, the lock, and what survives a crash\")"
        }
        guard connection.dialect.isRefusedInTransaction(error) else { return nil }
        let marker = step.direction == .up ? "-- migrate:up transaction:false" : "-- migrate:down transaction:false"
        return "this statement cannot run inside a transaction: mark the section '\(marker)' in \(step.migration.name) so that it runs on its own (see the README's \"Transactions, the lock, and what survives a crash\")"
    }

    /// Logs, at debug level, that `step` starts.
    private func announce(_ step: Plan.Step) {
        logger.debug("\(step.direction == .up ? "migrating" : "rolling back") \(step.migration.name)")
    }

    /// Runs a Swift migration's code, turning what it throws into a ``GodwitError`` that names the file.
    private func runSwift(
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

    // MARK: Locks and transactions

    /// Begins a transaction on `lockLog`'s connection and takes the lock row in it, waiting (polling with
    /// growing, jittered pauses) while another transaction holds it or a Knex runner has set `is_locked`.
    private func beginLocked(_ lockLog: MigrationLog, consequence: String) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var pause = Duration.milliseconds(20)
        var announced = false
        var attempt = MigrationLog.LockAttempt.taken
        while true {
            // While a Knex runner holds its flag, it is watched with a plain read: a transaction would take
            // SQLite's write lock at each poll, and a Knex runner (no busy timeout) writing at that moment
            // fails, its lock left set.
            let knexStillHolds: Bool
            if case .heldByKnex = attempt { knexStillHolds = (try? await lockLog.isFlagSet()) ?? false } else { knexStillHolds = false }
            if !knexStillHolds {
                try await begin(on: lockLog.connection, consequence: consequence)
                do {
                    attempt = try await lockLog.tryLock()
                } catch {
                    _ = try? await lockLog.connection.query("ROLLBACK")
                    throw bookkeepingError(error, consequence: consequence)
                }
                if case .taken = attempt { return }
                _ = try? await lockLog.connection.query("ROLLBACK")
            }
            let waited = clock.now - start
            if waited >= settings.lockTimeout {
                throw await lockTimeoutError(attempt, lockLog: lockLog)
            }
            if !announced {
                announced = true
                logger.notice("another runner holds the migration lock; waiting up to \(settings.lockTimeout.limitText) s")
            }
            let jittered = pause * Double.random(in: 0.5...1.0)
            try await sleepUnlessCancelled(
                for: min(jittered, settings.lockTimeout - waited), waitingFor: "the migration lock",
                consequence: "nothing was run: this runner never held the lock")
            pause = min(pause * 2, .seconds(1))
        }
    }

    private func lockTimeoutError(_ attempt: MigrationLog.LockAttempt, lockLog: MigrationLog) async -> GodwitError {
        switch attempt {
        case .heldByKnex:
            return GodwitError.lockTimeout(
                limit: settings.lockTimeout, holder: "\(log.lockTableName).is_locked is 1",
                details: [
                    "a Knex runner is migrating, or one died while holding the lock (Godwit's own lock never stays set)",
                    "if no Knex migration is running, free it with 'godwit unlock'",
                ])
        case .busy(let leaseHolder?):
            return GodwitError.lockTimeout(
                limit: settings.lockTimeout, holder: "held by \(leaseHolder), whose lease is still being renewed",
                details: [
                    "that runner is still migrating (a batch with transaction:false migrations); if it dies, its lease expires within \(settings.leaseDuration.components.seconds) s and the lock frees by itself",
                ])
        case .busy(nil), .taken:
            guard let holder = await lockLog.holder() else {
                return GodwitError.lockTimeout(
                    limit: settings.lockTimeout, holder: "another runner is still migrating", details: [])
            }
            var description = holder.description
            if let since = holder.sinceEpochMilliseconds {
                description += ", in a transaction open since \(MigrationTime.iso8601(epochMilliseconds: since))"
            }
            return GodwitError.lockTimeout(
                limit: settings.lockTimeout, holder: "held by \(description)",
                details: [
                    "that runner is still migrating; its lock ends with its transaction, even if it crashes",
                    "if it hangs, end its session from psql: SELECT pg_terminate_backend(<backend pid>) — its transaction rolls back and the lock frees",
                ])
        }
    }

    /// Bounds how long the current transaction's statements wait for table locks.
    private func boundLockWaits() async throws {
        let milliseconds = settings.ddlLockTimeout.map { Int($0.milliseconds) }
        guard let statement = connection.dialect.transactionSettings(lockTimeoutMilliseconds: milliseconds) else { return }
        _ = try await connection.query(statement)
    }

    /// Runs `body` again, after a growing pause, when a migration statement timed out waiting for a table lock.
    private func retryingLockTimeouts<T>(what: String, _ body: () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await body()
            } catch let error as GodwitError
                where error.code == .migrationFailed && attempt < settings.ddlRetries
                && error.databaseError.map(connection.dialect.isLockNotAvailable) == true
            {
                attempt += 1
                let pause = Duration.milliseconds(500) * (1 << (attempt - 1)) * Double.random(in: 0.8...1.2)
                logger.notice(
                    "\(error.summary): a statement waited too long for a table lock (\(error.databaseError?.message ?? "")); retrying \(what) in \(pause.secondsText) s (retry \(attempt) of \(settings.ddlRetries))")
                try await sleepUnlessCancelled(
                    for: pause, waitingFor: "a retry", consequence: error.details.last ?? "nothing more was run")
            }
        }
    }

    /// Runs `body` in a transaction on `log`'s connection (the main one by default), holding the lock row
    /// when `locking`; on any error rolls back and rethrows, naming the failed phase.
    @discardableResult
    private func transaction<T: Sendable>(
        on log: MigrationLog? = nil, consequence: String, locking: Bool = false, _ body: () async throws -> T
    ) async throws -> T {
        let log = log ?? self.log
        if locking {
            try await beginLocked(log, consequence: consequence)
        } else {
            try await begin(on: log.connection, consequence: consequence)
        }
        let result: T
        do {
            result = try await body()
        } catch {
            logger.debug("rolling back after: \(error)")
            _ = try? await log.connection.query("ROLLBACK")
            throw bookkeepingError(error, consequence: consequence)
        }
        do {
            _ = try await log.connection.query("COMMIT")
        } catch let error as DatabaseError {
            throw GodwitError.transaction(phase: "commit", error: error, consequence: consequence)
        }
        return result
    }

    private func begin(on connection: any DatabaseConnection, consequence: String) async throws {
        do {
            _ = try await connection.query(connection.dialect.beginTransaction)
        } catch let error as DatabaseError {
            throw GodwitError.transaction(phase: "begin", error: error, consequence: consequence)
        }
    }

    private func bookkeepingError(_ error: any Error, consequence: String) -> any Error {
        guard let databaseError = error as? DatabaseError else { return error }
        return GodwitError.tracking("bookkeeping in", table: log.tableName, error: databaseError, consequence: consequence)
    }

    // MARK: Helpers

    /// `up NAME` / `down NAME` found no migration in the state it needs: say whether it exists at all.
    private static func notFound(_ name: String, in state: MigrationState, wanted: String) -> GodwitError {
        let applied = state.completed.contains { matches($0.record.name, name) }
        let pending = state.pending.contains { matches($0.name, name) }
        let summary = applied || pending
            ? "migration \"\(name)\" is \(applied ? "already applied" : "not applied"), so it cannot be \(wanted == "pending" ? "applied" : "undone")"
            : "no migration named \"\(name)\""
        return GodwitError(
            code: .unknownMigration, summary: summary,
            details: ["'godwit list' shows the applied and pending migrations", "nothing was run"])
    }

    static func matches(_ recorded: String, _ requested: String) -> Bool {
        recorded == requested || Migration.stem(of: recorded) == Migration.stem(of: requested)
    }

    private static func now() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    private static func outsideTransactionConsequence(
        plan: Plan, consequence: String, failed index: Int, of count: Int
    ) -> String {
        let command = plan.direction.command
        let completed = index == 0 ? "no statement of it completed" : "its statements 1–\(index) of \(count) completed and stay in effect"
        return [
            consequence, completed,
            "check the database, then either keep what completed and run the rest with 'godwit \(command) --resume' (statements \(index + 1)–\(count)), or undo it by hand and run it all again with 'godwit \(command) --restart'",
        ].joined(separator: "; ")
    }

    private static func stoppedConsequence(plan: Plan, done: [String], notRun: [String]) -> String {
        let verb = plan.direction == .up ? "applied" : "rolled back"
        return "\(verb) before the stop and kept: \(done.isEmpty ? "none" : done.joined(separator: ", ")); not run: \(notRun.joined(separator: ", ")); the lock is free"
    }

    private static func partialConsequence(plan: Plan, done: [String], step: Plan.Step, notRun: [String]) -> String {
        let verb = plan.direction == .up ? "applied" : "rolled back"
        var parts = ["\(verb) before the failure and kept: \(done.isEmpty ? "none" : done.joined(separator: ", "))"]
        if step.script.runsInTransaction {
            parts.append("\(step.migration.name) was rolled back")
        }
        if !notRun.isEmpty { parts.append("not run: \(notRun.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }
}
