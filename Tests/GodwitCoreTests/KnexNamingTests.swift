@testable import GodwitCore
import Testing

/// What Knex runners sharing a database need from Godwit's state and plans, without a database.
@Suite("Knex names and settled interruptions")
struct KnexNamingTests {
    static func migration(_ name: String) -> Migration {
        Migration(
            name: name, up: MigrationScript(sql: "CREATE TABLE t (id integer);"), down: MigrationScript(sql: "DROP TABLE t;"),
            path: "migrations/\(name)")
    }

    static func record(_ id: Int64, _ name: String) -> AppliedMigration {
        AppliedMigration(id: id, name: name, batch: 1, epochMilliseconds: 0)
    }

    @Test("the newest Knex-written record's extension names new records; off and a forced extension do as they say")
    func recordExtension() throws {
        let files = ["001_a.sql", "002_b.sql", "003_c.swift"].map(Self.migration)
        let mixed = MigrationState(applied: [Self.record(1, "001_a.ts"), Self.record(2, "002_b.js")], available: files)
        #expect(mixed.knexExtension == ".js")
        #expect(KnexNaming.automatic.recordExtension(in: mixed) == ".js")
        #expect(KnexNaming.fileNames.recordExtension(in: mixed) == nil)
        let plan = try Plan.apply(mixed.pending, batch: 2, recordExtension: ".js")
        #expect(plan.steps.map(\.trackedName) == ["003_c.js"])
        #expect(plan.steps.map(\.migration.name) == ["003_c.swift"])

        let own = MigrationState(applied: [Self.record(1, "001_a.sql")], available: files)
        #expect(own.knexExtension == nil)
        #expect(KnexNaming.automatic.recordExtension(in: own) == nil)
        #expect(KnexNaming.knex(extension: ".ts").recordExtension(in: own) == ".ts")
        #expect(try Plan.apply(own.pending, batch: 2).steps.map(\.trackedName) == ["002_b.sql", "003_c.swift"])
    }

    @Test("an interruption is settled once another runner finished it: applied (a record of its stem), or undone (none)")
    func settledInterruptions() {
        let files = ["001_a.sql", "002_b.sql"].map(Self.migration)
        func interrupted(_ name: String, _ direction: Plan.Direction) -> InterruptedMigration {
            InterruptedMigration(name: name, checksum: nil, direction: direction, statementsDone: 1, statementCount: 2, failure: nil)
        }
        let appliedByKnex = MigrationState(
            applied: [Self.record(1, "001_a.sql"), Self.record(2, "002_b.js")], available: files,
            interrupted: [interrupted("002_b.sql", .up)])
        #expect(appliedByKnex.settledInterruptions.map(\.name) == ["002_b.sql"])
        #expect(appliedByKnex.interrupted.isEmpty)

        let stillRunning = MigrationState(
            applied: [Self.record(1, "001_a.sql")], available: files, interrupted: [interrupted("002_b.sql", .up)])
        #expect(stillRunning.interrupted.map(\.name) == ["002_b.sql"])
        #expect(stillRunning.settledInterruptions.isEmpty)

        let undoneByKnex = MigrationState(
            applied: [Self.record(1, "001_a.sql")], available: files, interrupted: [interrupted("002_b.js", .down)])
        #expect(undoneByKnex.settledInterruptions.map(\.name) == ["002_b.js"])
        let undoing = MigrationState(
            applied: [Self.record(1, "001_a.sql"), Self.record(2, "002_b.js")], available: files,
            interrupted: [interrupted("002_b.js", .down)])
        #expect(undoing.interrupted.map(\.name) == ["002_b.js"])
    }
}
