/// Plans a command from the tracking tables' state, touching no database: which migrations, in which
/// order, in which batch, and whether what the state holds lets the command run at all. Tested without a
/// database.
enum MigrationPlanner {
    /// Plans from a state; `nil` when there is nothing to do.
    typealias Planner = @Sendable (MigrationState) throws -> Plan?

    /// `latest`: every pending migration, as the next batch.
    static func latest(recordNames: KnexNaming) -> Planner {
        { state in
            state.pending.isEmpty
                ? nil
                : try .apply(state.pending, batch: state.lastBatch + 1, recordExtension: recordNames.recordExtension(in: state))
        }
    }

    /// `up`: the next pending migration, or the named one, as a batch of its own.
    static func up(name: String?, recordNames: KnexNaming) -> Planner {
        { state in
            let recordExtension = recordNames.recordExtension(in: state)
            guard let name else {
                return try state.pending.first.map { try .apply([$0], batch: state.lastBatch + 1, recordExtension: recordExtension) }
            }
            guard let migration = state.pending.first(where: { matches($0.name, name) }) else {
                throw notFound(name, in: state, wanted: "pending")
            }
            return try .apply([migration], batch: state.lastBatch + 1, recordExtension: recordExtension)
        }
    }

    /// `rollback`: the last batch, or every batch, newest first.
    static func rollback(all: Bool, source: String, allowingEmptyDown: Bool) -> Planner {
        { state in
            let batch = state.lastBatch
            let undone = all ? state.completed : state.completed.filter { $0.record.batch == batch }
            return undone.isEmpty ? nil : try .undo(undone, directory: source, allowingEmptyDown: allowingEmptyDown)
        }
    }

    /// `down`: the last applied migration, or the named one.
    static func down(name: String?, source: String, allowingEmptyDown: Bool) -> Planner {
        { state in
            guard let name else {
                return try state.completed.last.map { try .undo([$0], directory: source, allowingEmptyDown: allowingEmptyDown) }
            }
            guard let entry = state.completed.last(where: { matches($0.record.name, name) }) else {
                throw notFound(name, in: state, wanted: "applied")
            }
            return try .undo([entry], directory: source, allowingEmptyDown: allowingEmptyDown)
        }
    }

    /// Stops before anything runs when files are missing, or (for `up`) when applied files were edited.
    static func checkRunnable(
        _ state: MigrationState, direction: MigrationDirection, options: Migrator.RunOptions, source: String
    ) throws {
        let missing = state.missing.map(\.name)
        guard missing.isEmpty else { throw GodwitError.missingMigrationFiles(missing, directory: source) }
        if direction == .up, !options.acceptEdits {
            let edited = state.edited
            guard edited.isEmpty else { throw GodwitError.editedMigrations(edited) }
        }
    }

    /// `--resume` and `--restart` say how to finish an interrupted migration: with none, they would do
    /// nothing, so the command refuses them rather than run as if they had not been given.
    static func checkSomethingToResolve(_ state: MigrationState, options: Migrator.RunOptions) throws {
        guard let resolution = options.interrupted, state.interrupted.isEmpty else { return }
        throw GodwitError(
            code: .interruptedMigration,
            summary: "--\(resolution.rawValue): no migration was interrupted, so there is nothing to \(resolution.rawValue)",
            details: ["nothing was run; run the command without --\(resolution.rawValue)"])
    }

    /// Sets where each interrupted migration starts again, or refuses when the user has not said how.
    static func resolving(
        _ interrupted: [InterruptedMigration], in plan: Plan?, options: Migrator.RunOptions, state: MigrationState,
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

    /// `up NAME` / `down NAME` found no migration in the state it needs: say whether it exists at all.
    static func notFound(_ name: String, in state: MigrationState, wanted: String) -> GodwitError {
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
}
