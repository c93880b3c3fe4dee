import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// A rolling deploy from Node to Swift: Knex runners (``KnexRunner``, the protocol step by step) and
/// Godwit runners on one database at the same moment, Knex's `.js` files and Godwit's `.sql` files of the
/// same stems. No migration may run twice; every run succeeds or fails with Knex's own message.
@Suite("Knex and Godwit on one database at once")
struct KnexTogetherTests {
    /// A statement that takes a moment, so that the two runners overlap.
    static func moment(_ kind: DatabaseKind) -> String {
        kind.isPostgres
            ? "SELECT pg_sleep(0.1);"
            : "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c;"
    }

    static let initial = "CREATE TABLE runs (migration varchar(32), runner varchar(8));"

    /// A database that a Knex runner migrated (`001_init.js`), with `002_data` pending in both folders.
    func prepared(_ kind: DatabaseKind, transactional: Bool) async throws -> (TestDatabase, KnexRunner) {
        let database = try await TestDatabase.make(kind)
        let data = "INSERT INTO runs VALUES ('002', '%@');\n" + Self.moment(kind)
        try database.writeMigrations([
            "001_init.sql": sqlMigration(up: Self.initial, down: "DROP TABLE runs;"),
            "002_data.sql": sqlMigration(
                up: data.replacingOccurrences(of: "%@", with: "godwit"), down: "DELETE FROM runs WHERE migration = '002';",
                upOptions: transactional ? "" : "transaction:false"),
        ])
        // The tracking tables as Knex makes them, then Knex's first batch.
        let first = KnexRunner(database: database, files: [.init("001_init.js", sql: Self.initial)])
        try await first.createTables()
        guard await first.latest() == .applied(["001_init.js"]) else { throw TestSetupError("Knex's first batch failed") }
        let knex = KnexRunner(
            database: database,
            files: [.init("001_init.js", sql: Self.initial), .init("002_data.js", sql: data.replacingOccurrences(of: "%@", with: "knex"))],
            transactional: transactional)
        return (database, knex)
    }

    /// Waits (polling, up to 10 s) until the Godwit runner migrates: its statement is running on
    /// PostgreSQL, or it holds its lock on SQLite (its lock file names it); returns early if it ended.
    func waitUntilMigrating(_ kind: DatabaseKind, database: TestDatabase, runner: RunningGodwit) async throws {
        let monitor = kind.isPostgres ? try await database.connect() : nil
        let lockFile = String(database.url.dropFirst("sqlite:".count)) + ".godwit-lock"
        for _ in 0..<2000 {
            if let monitor {
                let running = try await monitor.query(
                    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND position('pg_sleep(0.1)' in query) > 0 AND state = 'active'")
                if !running.isEmpty { return }
            } else if (try? String(contentsOfFile: lockFile, encoding: .utf8))?.isEmpty == false {
                return
            }
            if runner.outputSoFar().split(separator: "\n").count > 1 { return }  // it printed its outcome: done
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    static let raceCases: [(DatabaseKind, Bool)] = DatabaseKind.allCases.flatMap { kind in [(kind, true), (kind, false)] }

    @Test("50 races of a Knex runner and a Godwit runner: each migration runs once, recorded as Knex names it", arguments: raceCases)
    func races(kind: DatabaseKind, transactional: Bool) async throws {
        var outcomes: [String: Int] = [:]
        let (database, knex) = try await prepared(kind, transactional: transactional)
        let connection = try await database.connect()
        for round in 0..<50 {
            if round > 0 {
                // Back to Knex's first batch only, for the next race.
                for statement in [
                    "DELETE FROM runs", #"DELETE FROM "knex_migrations" WHERE "name" <> '001_init.js'"#,
                    #"DELETE FROM "knex_migrations_godwit""#, #"DELETE FROM "knex_migrations_godwit_lease""#,
                    #"UPDATE "knex_migrations_lock" SET "is_locked" = 0"#,
                ] {
                    _ = try? await connection.query(statement)  // Godwit's tables exist once it has run
                }
            }
            // A lock Knex leaves set (it can, below) is waited out for 15 s, not the default 300.
            let runner = try await RunningGodwit(
                ["latest", "--lock-timeout", "15"], in: database.folder, environment: ["DATABASE_URL": database.url])
            // Start Knex at different moments of Godwit's run: at once (Knex, in-process, is usually first),
            // once Godwit holds its lock and migrates, or a little later.
            switch round % 3 {
            case 0: break
            case 1: try await waitUntilMigrating(kind, database: database, runner: runner)
            default: try await Task.sleep(for: .milliseconds(Double(round % 10) * 12))
            }
            let knexOutcome = await knex.latest()
            let result = try await runner.wait()
            let runs = try await connection.query("SELECT runner FROM runs WHERE migration = '002'").compactMap { $0[0].text }
            let records = try await connection.query(#"SELECT "name", "batch" FROM "knex_migrations" ORDER BY "id""#)
            if case .failed(let message) = knexOutcome, runs != ["godwit"], result.status != 0 {
                // SQLite, outside a transaction: Knex committed its flag, then one of its own writes (before
                // or after its migration) met another writer (it waits for none) and failed, the flag left
                // set, as it is after a crash. Godwit does not take over a Knex lock: it waits, then says so.
                // Nothing ran twice; what Knex ran is recorded.
                #expect(kind == .sqlite && !transactional && message.contains("database is locked"), "round \(round): \(message)")
                #expect(result.stderr.contains("knex_migrations_lock.is_locked is 1"), "round \(round): \(result)")
                #expect(runs.count <= 1 && runs.allSatisfy { $0 == "knex" }, "round \(round): \(runs)")
                let knexRecorded: [[SQLValue]] = runs.isEmpty ? [] : [[.text("002_data.js"), .integer(2)]]
                #expect(records == [[.text("001_init.js"), .integer(1)]] + knexRecorded, "round \(round): \(records)")
                outcomes["knex failed holding its lock (\(runs.isEmpty ? "before" : "after") its migration)", default: 0] += 1
                continue
            }
            #expect(runs.count == 1, "round \(round): 002 ran \(runs.count) times (\(runs)); Knex: \(knexOutcome); Godwit: \(result)")
            #expect(records == [[.text("001_init.js"), .integer(1)], [.text("002_data.js"), .integer(2)]], "round \(round): \(records)")
            #expect(result.status == 0, "round \(round): \(result)")
            switch knexOutcome {
            case .applied(let names):
                #expect(names == ["002_data.js"] && runs == ["knex"])
                #expect(result.stdoutLines.last == "Already up to date", "round \(round): \(result)")
                outcomes["knex applied", default: 0] += 1
            case .upToDate:
                #expect(runs == ["godwit"])
                outcomes["godwit applied, knex found it done", default: 0] += 1
            case .failed(let message) where runs == ["knex"]:
                // SQLite, outside a transaction: Knex ran and recorded 002, then its unlock met Godwit's read
                // (Knex waits for no other connection) and failed, its flag left set. Godwit found nothing to do.
                #expect(kind == .sqlite && !transactional && message.contains("database is locked"), "round \(round): \(message)")
                #expect(result.stdoutLines.last == "Already up to date", "round \(round): \(result)")
                outcomes["knex applied, then failed freeing its lock", default: 0] += 1
            case .failed(let message):
                #expect(
                    message.contains("Migration table is already locked") || message.contains("database is locked"),
                    "round \(round): Knex failed with a message of its own: \(message)")
                #expect(runs == ["godwit"])
                outcomes["godwit applied, knex refused: \(message.contains("locked") ? "locked" : message)", default: 0] += 1
            }
        }
        // Not every race can be forced, but the rounds must not all have ended one way.
        #expect(outcomes.count >= 2, "\(outcomes)")
    }

    @Test("GODWIT_KNEX_NAMES: off records the files' names; js records Knex names on a fresh database", arguments: [DatabaseKind.sqlite])
    func naming(kind: DatabaseKind) async throws {
        let (database, _) = try await prepared(kind, transactional: true)
        let off = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url, "GODWIT_KNEX_NAMES": "off"])
        #expect(off.stdoutLines.last == "002_data.sql", "\(off)")
        let fresh = try await TestDatabase.make(kind)
        try fresh.writeMigrations(["001_init.sql": sqlMigration(up: Self.initial)])
        let forced = try await godwit("latest", in: fresh.folder, environment: ["DATABASE_URL": fresh.url, "GODWIT_KNEX_NAMES": "js"])
        #expect(forced.stdoutLines.last == "001_init.js", "\(forced)")
        let list = try await godwit("list", in: fresh.folder, environment: ["DATABASE_URL": fresh.url])
        #expect(list.stdoutLines.contains("001_init.js (file 001_init.sql)"), "\(list)")
        let bad = try await godwit("latest", in: fresh.folder, environment: ["DATABASE_URL": fresh.url, "GODWIT_KNEX_NAMES": "py"])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("invalid GODWIT_KNEX_NAMES 'py': expected auto, off, or one of"), "\(bad)")
    }

    @Test("Godwit killed in a transaction:false migration, Knex applies it as .js: Godwit settles it with a notice, no wall",
          arguments: DatabaseKind.allCases)
    func mixedRecovery(kind: DatabaseKind) async throws {
        let safety = SafetyTests()
        let database = try await TestDatabase.make(kind)
        let env = ["DATABASE_URL": database.url]
        let connection = try await database.connect()
        try await safety.makeSlowConfig(60, on: connection)
        try database.writeMigrations([
            "001_init.sql": sqlMigration(up: Self.initial, down: "DROP TABLE runs;"),
            "002_slow.sql": sqlMigration(
                up: "INSERT INTO runs VALUES ('002', 'godwit');\n" + SafetyTests.slowStatement(kind),
                down: "DELETE FROM runs WHERE migration = '002';", upOptions: "transaction:false"),
        ])
        #expect(try await godwit("up", in: database.folder, environment: env).status == 0)
        let runner = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        try await safety.waitUntilSlowStatementRuns(kind, database: database, on: connection)
        // Outside a transaction its first statement commits at once: once it shows, the migration is
        // recorded as started and its slow statement runs (on SQLite the lock file alone says neither).
        for _ in 0..<2000 where try await connection.query("SELECT count(*) FROM runs WHERE migration = '002'") == [[.integer(0)]] {
            try await Task.sleep(for: .milliseconds(5))
        }
        runner.kill()
        _ = try await runner.wait()

        // The Node replica: its lock is held (Godwit's lease, or on SQLite the flag of a dead holder), so an
        // operator unlocks, and Knex applies the migration as 002_slow.js.
        let knex = KnexRunner(
            database: database,
            files: [.init("001_init.js", sql: Self.initial), .init("002_slow.js", sql: "INSERT INTO runs VALUES ('002', 'knex');")],
            transactional: false)
        _ = try await connection.query(#"UPDATE "knex_migrations" SET "name" = '001_init.js'"#)
        #expect(await knex.latest() == .failed("Migration table is already locked"), "a dead Godwit's lock keeps Knex out until unlocked")
        try await knex.unlock()
        #expect(await knex.latest() == .applied(["002_slow.js"]))

        // The first Godwit command after it, whichever it is (the one the old error advised, too), settles it.
        let first: [String] = switch kind {
        case .sqlite: ["latest", "--resume"]
        case .postgres: ["latest"]
        case .pgbouncer: ["up"]
        }
        let latest = try await runGodwit(first, in: database.folder, environment: env)
        #expect(latest.status == 0, "\(first): \(latest)")
        #expect(latest.stdoutLines.last == "Already up to date", "\(first): \(latest)")
        #expect(latest.stderr.contains("002_slow.sql was interrupted while applying, and another runner has since applied it"), "\(latest)")
        let status = try await godwit("status", in: database.folder, environment: env)
        #expect(!status.stdout.contains("Interrupted"), "\(status)")
        for command in [["latest", "--resume"], ["latest", "--restart"]] {
            let result = try await runGodwit(command, in: database.folder, environment: env)
            #expect(result.status == 1 && result.stderr.contains("no migration was interrupted"), "\(command): \(result)")
        }
        let rollback = try await godwit("rollback", in: database.folder, environment: env)
        #expect(rollback.stdoutLines.suffix(2) == ["Batch 2 rolled back: 1 migrations", "002_slow.js"], "\(rollback)")
        #expect(try await connection.query("SELECT count(*) FROM runs WHERE migration = '002'") == [[.integer(0)]])
    }

    @Test("SQLite: a transaction:false batch holds Knex's is_locked while it runs, and frees it after")
    func sqliteStepwiseLock() async throws {
        let database = try await TestDatabase.make(.sqlite)
        // A fresh database that Knex runners will share: Knex's names from the first migration on.
        let env = ["DATABASE_URL": database.url, "GODWIT_KNEX_NAMES": "js"]
        let connection = try await database.connect()
        let slow = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) SELECT count(*) FROM c;"
        try database.writeMigrations(["001_slow.sql": sqlMigration(up: slow, upOptions: "transaction:false")])
        #expect(try await godwit("unlock", in: database.folder, environment: env).status == 0)
        let runner = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        var flagged = false
        for _ in 0..<2000 where !flagged && runner.outputSoFar().split(separator: "\n").count < 2 {
            flagged = try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#) == [[.integer(1)]]
            if !flagged { try await Task.sleep(for: .milliseconds(5)) }
        }
        #expect(flagged, "Knex's flag is set while the batch runs")
        let knex = KnexRunner(database: database, files: [.init("001_slow.js", sql: "SELECT 1;")], transactional: false)
        let outcome = await knex.latest()
        #expect(outcome == .failed("Migration table is already locked") || outcome == .failed("database is locked"), "\(outcome)")
        #expect(try await runner.wait().status == 0)
        #expect(await knex.latest() == .upToDate, "Godwit recorded 001_slow under the name Knex looks for")
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#) == [[.integer(0)]])
    }
}
