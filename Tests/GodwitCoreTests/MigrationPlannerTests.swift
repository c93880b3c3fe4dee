@testable import GodwitCore
import GodwitPostgres
import GodwitSQLite
import Testing

/// The planner and the script preparation, from states and files made here: no database.
@Suite("Planning without a database")
struct MigrationPlannerTests {
    static func file(_ name: String, up: String = "CREATE TABLE t (id int);", down: String? = "DROP TABLE t;", upOptions: String = "", downOptions: String = "") throws -> Migration {
        var text = "-- migrate:up\(upOptions.isEmpty ? "" : " " + upOptions)\n\(up)\n"
        if let down { text += "-- migrate:down\(downOptions.isEmpty ? "" : " " + downOptions)\n\(down)\n" }
        return try SQLMigrationFile.parse(text, name: name, path: "migrations/\(name)")
    }

    static func record(_ id: Int64, _ name: String, batch: Int, of migration: Migration? = nil) -> AppliedMigration {
        AppliedMigration(id: id, name: name, batch: batch, epochMilliseconds: nil, checksum: migration?.checksum)
    }

    let one: Migration
    let two: Migration
    let three: Migration

    init() throws {
        one = try Self.file("001_one.sql")
        two = try Self.file("002_two.sql")
        three = try Self.file("003_three.sql")
    }

    @Test("latest: nothing pending plans nothing; pending migrations become the next batch, in name order")
    func latest() throws {
        let planner = MigrationPlanner.latest(recordNames: .fileNames)
        let done = MigrationState(applied: [Self.record(1, "001_one.sql", batch: 1, of: one)], available: [one])
        #expect(try planner(done) == nil)
        let state = MigrationState(applied: [Self.record(1, "001_one.sql", batch: 4, of: one)], available: [one, two, three])
        let plan = try #require(try planner(state))
        #expect(plan.direction == .up)
        #expect(plan.batch == 5)
        #expect(plan.steps.map(\.trackedName) == ["002_two.sql", "003_three.sql"])
        #expect(plan.isSingleTransaction)
    }

    @Test("latest beside Knex runners records new migrations under Knex's extension; off keeps the files' names")
    func latestKnexNames() throws {
        let state = MigrationState(applied: [Self.record(1, "001_one.js", batch: 1)], available: [one, two])
        #expect(try MigrationPlanner.latest(recordNames: .automatic)(state)?.steps.map(\.trackedName) == ["002_two.js"])
        #expect(try MigrationPlanner.latest(recordNames: .fileNames)(state)?.steps.map(\.trackedName) == ["002_two.sql"])
    }

    @Test("latest refuses a migration whose up section is empty")
    func emptyUp() throws {
        let empty = try Self.file("002_empty.sql", up: "-- nothing yet")
        let error = #expect(throws: GodwitError.self) {
            try MigrationPlanner.latest(recordNames: .fileNames)(MigrationState(applied: [], available: [one, empty]))
        }
        #expect(error?.summary == "cannot apply 002_empty.sql: its '-- migrate:up' section holds no statement")
    }

    @Test("up: the next pending only, or the named one; a wrong name says whether it exists")
    func up() throws {
        let state = MigrationState(applied: [Self.record(1, "001_one.sql", batch: 1, of: one)], available: [one, two, three])
        #expect(try MigrationPlanner.up(name: nil, recordNames: .fileNames)(state)?.steps.map(\.trackedName) == ["002_two.sql"])
        #expect(try MigrationPlanner.up(name: "003_three", recordNames: .fileNames)(state)?.steps.map(\.trackedName) == ["003_three.sql"])
        let applied = #expect(throws: GodwitError.self) { try MigrationPlanner.up(name: "001_one.sql", recordNames: .fileNames)(state) }
        #expect(applied?.summary == "migration \"001_one.sql\" is already applied, so it cannot be applied")
        let unknown = #expect(throws: GodwitError.self) { try MigrationPlanner.up(name: "009_nine", recordNames: .fileNames)(state) }
        #expect(unknown?.code == .unknownMigration)
        #expect(unknown?.summary == "no migration named \"009_nine\"")
    }

    @Test("rollback: the last batch newest first (by record id), or every batch; down: the last or the named one")
    func rollback() throws {
        let state = MigrationState(
            applied: [
                Self.record(1, "001_one.sql", batch: 1, of: one), Self.record(3, "003_three.sql", batch: 2, of: three),
                Self.record(2, "002_two.sql", batch: 2, of: two),
            ],
            available: [one, two, three])
        let last = try #require(try MigrationPlanner.rollback(all: false, source: "migrations", allowingEmptyDown: false)(state))
        #expect(last.direction == .down)
        #expect(last.batch == 2)
        #expect(last.steps.map(\.trackedName) == ["003_three.sql", "002_two.sql"])
        let all = try MigrationPlanner.rollback(all: true, source: "migrations", allowingEmptyDown: false)(state)
        #expect(all?.steps.map(\.trackedName) == ["003_three.sql", "002_two.sql", "001_one.sql"])
        #expect(try MigrationPlanner.down(name: nil, source: "migrations", allowingEmptyDown: false)(state)?.steps.map(\.trackedName)
            == ["002_two.sql"], "the last applied is the last record in the order applied")
        #expect(try MigrationPlanner.down(name: "001_one", source: "migrations", allowingEmptyDown: false)(state)?.steps.map(\.trackedName)
            == ["001_one.sql"])
        #expect(try MigrationPlanner.rollback(all: false, source: "m", allowingEmptyDown: false)(MigrationState(applied: [], available: [one])) == nil)
    }

    @Test("rollback: an empty down is refused unless marked nothing-to-undo or allowed; a missing one always")
    func emptyDown() throws {
        let empty = try Self.file("002_seed.sql", down: "")
        let marked = try Self.file("002_seed.sql", down: "", downOptions: "nothing-to-undo")
        let missing = try Self.file("002_seed.sql", down: nil)
        func plan(_ migration: Migration, allowing: Bool) throws -> Plan? {
            let state = MigrationState(applied: [Self.record(1, "002_seed.sql", batch: 1, of: migration)], available: [migration])
            return try MigrationPlanner.rollback(all: false, source: "migrations", allowingEmptyDown: allowing)(state)
        }
        let refused = #expect(throws: GodwitError.self) { try plan(empty, allowing: false) }
        #expect(refused?.code == .irreversibleMigration)
        #expect(refused?.description.contains("nothing-to-undo") == true)
        #expect(try plan(empty, allowing: true)?.steps.count == 1)
        #expect(try plan(marked, allowing: false)?.steps.count == 1)
        let noSection = #expect(throws: GodwitError.self) { try plan(missing, allowing: true) }
        #expect(noSection?.summary == "cannot roll back 002_seed.sql: it has no '-- migrate:down' section")
    }

    @Test("a command stops before anything runs on a missing file, or (latest) an edited one unless edits are accepted")
    func checkRunnable() throws {
        let edited = try Self.file("002_two.sql", up: "CREATE TABLE changed (id int);")
        let state = MigrationState(
            applied: [Self.record(1, "001_one.sql", batch: 1, of: one), Self.record(2, "002_two.sql", batch: 1, of: two)],
            available: [one, edited])
        let error = #expect(throws: GodwitError.self) {
            try MigrationPlanner.checkRunnable(state, direction: .up, options: .init(), source: "migrations")
        }
        #expect(error?.code == .editedMigrations)
        try MigrationPlanner.checkRunnable(state, direction: .up, options: .init(acceptEdits: true), source: "migrations")
        try MigrationPlanner.checkRunnable(state, direction: .down, options: .init(), source: "migrations")
        let gone = MigrationState(applied: [Self.record(1, "001_one.sql", batch: 1, of: one)], available: [two])
        let missing = #expect(throws: GodwitError.self) {
            try MigrationPlanner.checkRunnable(gone, direction: .down, options: .init(), source: "migrations")
        }
        #expect(missing?.code == .missingMigrationFiles)
    }

    @Test("an interrupted migration: refused without --resume/--restart; resumed from where it stopped; --resume on nothing refused")
    func interrupted() throws {
        let outside = try Self.file("002_index.sql", up: "SELECT 1;\nSELECT 2;\nSELECT 3;", upOptions: "transaction:false")
        let entry = InterruptedMigration(
            name: "002_index.sql", checksum: outside.checksum, direction: .up, statementsDone: 2, statementCount: 3, failure: nil)
        let state = MigrationState(applied: [Self.record(1, "001_one.sql", batch: 1, of: one)], available: [one, outside], interrupted: [entry])
        let plan = try MigrationPlanner.latest(recordNames: .fileNames)(state)
        #expect(plan?.isSingleTransaction == false)
        let refused = #expect(throws: GodwitError.self) {
            try MigrationPlanner.resolving([entry], in: plan, options: .init(), state: state, dialect: PostgresDialect())
        }
        #expect(refused?.code == .interruptedMigration)
        #expect(refused?.description.contains("statement 3 of 3 (SELECT 3)") == true, "\(String(describing: refused))")
        let resumed = try MigrationPlanner.resolving([entry], in: plan, options: .init(interrupted: .resume), state: state, dialect: PostgresDialect())
        #expect(resumed?.steps.first?.firstStatement == 2)
        let restarted = try MigrationPlanner.resolving([entry], in: plan, options: .init(interrupted: .restart), state: state, dialect: PostgresDialect())
        #expect(restarted?.steps.first?.firstStatement == 0)
        let changed = InterruptedMigration(
            name: "002_index.sql", checksum: one.checksum, direction: .up, statementsDone: 2, statementCount: 3, failure: nil)
        let cannot = #expect(throws: GodwitError.self) {
            try MigrationPlanner.resolving([changed], in: plan, options: .init(interrupted: .resume), state: state, dialect: PostgresDialect())
        }
        #expect(cannot?.summary == "cannot resume 002_index.sql: its file changed since it was interrupted")
        let nothing = #expect(throws: GodwitError.self) {
            try MigrationPlanner.checkSomethingToResolve(MigrationState(applied: [], available: [one]), options: .init(interrupted: .resume))
        }
        #expect(nothing?.summary == "--resume: no migration was interrupted, so there is nothing to resume")
    }

    @Test("preparation: a wrapping BEGIN … COMMIT is blanked (lines and offsets kept); transaction:own and COPY change how the step runs")
    func preparation() throws {
        let wrapped = try Self.file("001_wrapped.sql", up: "BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;")
        let copy = try Self.file("002_copy.sql", up: "COPY t FROM stdin;\n1\n\\.\n")
        let own = try Self.file("003_own.sql", upOptions: "transaction:own")
        let plan = try #require(try MigrationPlanner.latest(recordNames: .fileNames)(MigrationState(applied: [], available: [wrapped, copy, own])))
        #expect(plan.isSingleTransaction)
        let prepared = try ScriptPreparation.prepare(plan, dialect: PostgresDialect(), ownTransactions: false)
        #expect(prepared.plan.steps[0].script.sql == "     ;\nCREATE TABLE t (id int);\n      ;")
        #expect(prepared.plan.steps[0].script.sql.utf8.count == wrapped.up.sql.utf8.count)
        #expect(prepared.notices.count == 1)
        #expect(prepared.plan.steps[1].handling.contains(.travelsAlone))
        #expect(prepared.plan.steps[2].handling == [.ownTransaction])
        #expect(!prepared.plan.isSingleTransaction)
        #expect(prepared.plan.steps.map(\.trackedName) == ["001_wrapped.sql", "002_copy.sql", "003_own.sql"])
        #expect(throws: GodwitError.self, "SQLite has no COPY") {
            try ScriptPreparation.prepare(plan, dialect: SQLiteDialect(), ownTransactions: false)
        }
        let noCopy = try #require(try MigrationPlanner.latest(recordNames: .fileNames)(MigrationState(applied: [], available: [wrapped, own])))
        let everyOne = try ScriptPreparation.prepare(noCopy, dialect: SQLiteDialect(), ownTransactions: true)
        #expect(everyOne.plan.steps.allSatisfy { $0.handling.contains(.ownTransaction) })
    }
}
