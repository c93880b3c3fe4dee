#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

// Dry runs and rehearsals: what a command would run, sent nowhere or rolled back.
extension MigrationEngine {
    /// Plans from the current state and collects each step's statements.
    ///
    /// A dry run sends nothing after the read: SQL statements are taken from the files, and Swift code runs
    /// with a database that collects what it would send (its `query` returns no rows; only the catalog reads
    /// of a schema builder, ``MigrationDatabase/read(_:_:file:line:)``, reach the database). A rehearsal
    /// runs the steps that run in transactions inside one transaction that is rolled back, so later steps
    /// see what earlier ones did; a step that runs outside a transaction only has its statements collected.
    /// No migration lock is taken either way: the plan is the one of this moment.
    func dryRun(
        planner: Planner, options: RunOptions, rehearsing: Bool, startingFrom snapshot: TrackingSnapshot?
    ) async throws -> DryRun {
        let state = MigrationState(try await readTracking(startingFrom: snapshot), available: migrations)
        guard let plan = try prepared(
            MigrationPlanner.resolving(
                state.interrupted, in: try planner(state), options: options, state: state, dialect: connection.dialect),
            options, announcing: true)
        else { return DryRun(direction: nil, batch: 0, steps: []) }
        try MigrationPlanner.checkRunnable(state, direction: plan.direction, options: options, source: source)
        try MigrationPlanner.checkSomethingToResolve(state, options: options)
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
    func rehearsal<T: Sendable>(consequence: String, _ body: () async throws -> T) async throws -> T {
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
}
