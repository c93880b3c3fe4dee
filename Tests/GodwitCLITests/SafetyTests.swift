import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// Real processes against real servers: runners started together, runners killed mid-batch.
@Suite("safety: concurrent runners and crashes")
struct SafetyTests {
    /// A statement that runs for a long time unless `slow_config.n` is small: `pg_sleep` on PostgreSQL,
    /// a long count on SQLite (which has no sleep).
    static func slowStatement(_ kind: DatabaseKind) -> String {
        switch kind {
        case .postgres, .pgbouncer: "SELECT pg_sleep(n) FROM slow_config;"
        case .sqlite:
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < (SELECT n * 20000000 FROM slow_config)) SELECT count(*) FROM c;"
        }
    }

    /// Creates `slow_config` with `n`, the seconds (roughly, on SQLite) that ``slowStatement(_:)`` runs.
    func makeSlowConfig(_ n: Int, on connection: any DatabaseConnection) async throws {
        _ = try await connection.query("CREATE TABLE slow_config (n integer)")
        _ = try await connection.query("INSERT INTO slow_config VALUES (\(n))")
    }

    func scalars(_ sql: String, on connection: any DatabaseConnection) async throws -> [String] {
        try await connection.query(sql).map { $0[0].text ?? $0[0].integer.map(String.init) ?? "NULL" }
    }

    /// Polls until `condition` holds (at most 30 s).
    func waitUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
        for _ in 0..<600 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("timed out waiting until \(what)")
    }

    /// A database whose batch is `001_users` then `002_slow` (a table `half`, then ``slowStatement(_:)``
    /// for 60 s), then `more`; and a connection to it.
    func slowBatch(_ kind: DatabaseKind, then more: [String: String] = [:]) async throws -> (TestDatabase, any DatabaseConnection) {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        try await makeSlowConfig(60, on: connection)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key);"),
            "002_slow.sql": sqlMigration(up: "CREATE TABLE half (id integer);\n" + Self.slowStatement(kind)),
        ].merging(more) { $1 })
        return (database, connection)
    }

    /// Waits until a runner is inside ``slowStatement(_:)``: seen in `pg_stat_activity` on PostgreSQL; on
    /// SQLite, its lock file names it and a moment has passed.
    func waitUntilSlowStatementRuns(_ kind: DatabaseKind, database: TestDatabase, on connection: any DatabaseConnection) async throws {
        switch kind {
        case .postgres, .pgbouncer:
            try await waitUntilRunning("slow_config", on: connection)
        case .sqlite:
            let lockFile = String(database.url.dropFirst("sqlite:".count)) + ".godwit-lock"
            try await waitUntil("the runner holds its lock") {
                (try? String(contentsOfFile: lockFile, encoding: .utf8))?.isEmpty == false
            }
            try await Task.sleep(for: .milliseconds(300))
        }
    }

    @Test("runners started together, with a transaction:false migration: all exit 0, each migration runs once, one batch",
          arguments: DatabaseKind.allCases)
    func runnersTogether(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let concurrently = kind.isPostgres ? "CONCURRENTLY " : ""
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key, email varchar(255));"),
            "002_email_index.sql": sqlMigration(
                up: "CREATE INDEX \(concurrently)users_email_index ON users (email);", upOptions: "transaction:false"),
            "003_posts.sql": sqlMigration(up: "CREATE TABLE posts (id integer primary key);"),
        ])
        let env = ["DATABASE_URL": database.url, "GODWIT_LOCK_LEASE": "2"]
        let runners = try await (0..<8).asyncMap { _ in try await RunningGodwit(["latest"], in: database.folder, environment: env) }
        var results: [CommandResult] = []
        for runner in runners { results.append(try await runner.wait()) }
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.filter { $0.status != 0 })")
        #expect(results.filter { $0.stdout.contains("Batch 1 run: 3 migrations") }.count == 1)
        #expect(results.filter { $0.stdout.contains("Already up to date") }.count == 7)
        let connection = try await database.connect()
        #expect(try await scalars(#"SELECT "name" || ':' || "batch" FROM "knex_migrations" ORDER BY "id""#, on: connection)
            == ["001_users.sql:1", "002_email_index.sql:1", "003_posts.sql:1"])
        #expect(try await scalars(#"SELECT "is_locked" FROM "knex_migrations_lock""#, on: connection) == ["0"])
        #expect(try await scalars(#"SELECT count(*) FROM "knex_migrations_godwit_lease""#, on: connection) == ["0"])
    }

    @Test("SIGKILL in the middle of a transactional batch: nothing applied, no lock left, the next run proceeds by itself",
          arguments: DatabaseKind.allCases)
    func killTransactional(kind: DatabaseKind) async throws {
        let (database, connection) = try await slowBatch(kind, then: [
            "003_posts.sql": sqlMigration(up: "CREATE TABLE posts (id integer primary key);"),
        ])
        let env = ["DATABASE_URL": database.url]
        // Kill during the slow statement of migration 2, after migration 1 and a statement of 2 ran.
        let runner = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        try await waitUntilSlowStatementRuns(kind, database: database, on: connection)
        runner.kill()
        #expect(try await runner.wait().status != 0)

        _ = try await connection.query("UPDATE slow_config SET n = 0")
        let next = try await godwit("latest", "--lock-timeout", "30", in: database.folder, environment: env)
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout.contains("Batch 1 run: 3 migrations"), "the killed batch left nothing behind: \(next)")
        #expect(try await scalars(#"SELECT "is_locked" FROM "knex_migrations_lock""#, on: connection) == ["0"])
    }

    @Test("SIGKILL during a transaction:false migration: the lease frees the lock, the next run says what ran, --resume finishes it",
          arguments: DatabaseKind.allCases)
    func killOutsideTransaction(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        try await makeSlowConfig(60, on: connection)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer primary key);"),
            "002_backfill.sql": sqlMigration(
                up: "CREATE TABLE side (id integer);\n" + Self.slowStatement(kind) + "\nCREATE TABLE after_slow (id integer);",
                upOptions: "transaction:false"),
        ])
        let env = ["DATABASE_URL": database.url, "GODWIT_LOCK_LEASE": "1"]
        let runner = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        try await waitUntil("statement 1 of 002 has completed") {
            (try? await scalars(#"SELECT "statements_done" FROM "knex_migrations_godwit" WHERE "name" = '002_backfill.sql'"#, on: connection)) == ["1"]
        }
        try await Task.sleep(for: .milliseconds(200))
        runner.kill()
        #expect(try await runner.wait().status != 0)

        // No unlock needed: the lease runs out, and the next run stops on the interrupted migration instead.
        let next = try await godwit("latest", "--lock-timeout", "30", in: database.folder, environment: env)
        #expect(next.status == 1)
        #expect(next.stderr.contains("002_backfill.sql did not finish applying"), "\(next)")
        #expect(next.stderr.contains("statements 1–1 of 3 completed and are in effect"))
        #expect(next.stderr.contains("statement 2 of 3 (\(Self.slowStatement(kind).dropLast())"), "\(next)")
        #expect(next.stderr.contains(kind.isPostgres
            ? "it ran in a transaction with its progress record and was rolled back" : "it may or may not have taken effect"))
        #expect(next.stderr.contains("godwit latest --resume (runs statements 2–3)"))
        #expect(next.stderr.contains("godwit latest --restart"))
        #expect(!next.stderr.contains("is_locked"), "the lock is not what stops it")
        let status = try await godwit("status", in: database.folder, environment: env)
        #expect(status.stdout.contains("002_backfill.sql (interrupted while applying: 1 of 3 statements completed)"), "\(status)")
        let json = try await godwit("status", "--json", in: database.folder, environment: env)
        #expect(json.stdout.contains(#""interrupted":[{"direction":"up","name":"002_backfill.sql","statement_count":3,"statements_done":1}]"#), "\(json)")

        _ = try await connection.query("UPDATE slow_config SET n = 0")
        let resumed = try await godwit("latest", "--resume", "--lock-timeout", "30", in: database.folder, environment: env)
        #expect(resumed.status == 0, "\(resumed)")
        #expect(try await database.hasTable("after_slow", on: connection))
        #expect(try await scalars(#"SELECT "name" FROM "knex_migrations" ORDER BY "id""#, on: connection)
            == ["001_users.sql", "002_backfill.sql"])
        #expect(try await scalars(#"SELECT "is_locked" FROM "knex_migrations_lock""#, on: connection) == ["0"])
        let list = try await godwit("list", in: database.folder, environment: env)
        #expect(list.status == 0, "\(list)")
        #expect(!list.stdout.contains("interrupted"))
    }

    @Test("SIGKILL during CREATE INDEX CONCURRENTLY: the next run names the invalid index it left and how to drop it",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func killDuringConcurrentIndex(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        _ = try await connection.query("CREATE TABLE users (id integer primary key, email text)")
        try database.writeMigrations([
            "001_email_index.sql": sqlMigration(
                up: "CREATE INDEX CONCURRENTLY users_email_index ON users (email);", down: "DROP INDEX users_email_index;",
                upOptions: "transaction:false"),
        ])
        // An open transaction with a snapshot: the build waits for it before it marks the index valid.
        let reader = try await database.connect()
        _ = try await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ")
        _ = try await reader.query("SELECT count(*) FROM users")
        let env = ["DATABASE_URL": database.url, "GODWIT_LOCK_LEASE": "1"]
        let runner = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        try await waitUntil("the index exists, not yet valid") {
            try await !scalars("SELECT indisvalid::text FROM pg_index WHERE indexrelid = to_regclass('users_email_index')", on: connection).isEmpty
        }
        runner.kill()
        _ = try await runner.wait()
        // The server notices the dead client only when the build next checks (a killed pod's statement
        // may run on); ending it as an operator would, the build stops and its index stays invalid.
        _ = try await connection.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'CREATE INDEX CONCURRENTLY%'")
        _ = try await reader.query("ROLLBACK")

        let next = try await godwit("latest", "--lock-timeout", "30", in: database.folder, environment: env)
        #expect(next.status == 1)
        #expect(next.stderr.contains("001_email_index.sql did not finish applying"), "\(next)")
        #expect(next.stderr.contains("such a statement may or may not have taken effect"))
        #expect(next.stderr.contains("invalid index left by an interrupted or failed CREATE INDEX CONCURRENTLY: users_email_index; before running its statement again: DROP INDEX CONCURRENTLY users_email_index;"), "\(next)")

        _ = try await connection.query("DROP INDEX CONCURRENTLY users_email_index")
        let restarted = try await godwit("latest", "--restart", "--lock-timeout", "30", in: database.folder, environment: env)
        #expect(restarted.status == 0, "\(restarted)")
        #expect(try await scalars("SELECT indisvalid::text FROM pg_index WHERE indexrelid = to_regclass('users_email_index')", on: connection) == ["true"])
    }

    @Test("a runner that waits too long says who holds the lock and since when", arguments: DatabaseKind.allCases)
    func lockTimeoutNamesHolder(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        try await makeSlowConfig(60, on: connection)
        try database.writeMigrations(["001_slow.sql": sqlMigration(up: Self.slowStatement(kind))])
        let env = ["DATABASE_URL": database.url]
        let holder = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        defer { holder.kill() }
        try await waitUntilSlowStatementRuns(kind, database: database, on: connection)
        let waiter = try await godwit("latest", "--lock-timeout", "1", in: database.folder, environment: env)
        holder.kill()
        let held = try await holder.wait()
        #expect(waiter.status == 1, "waiter: \(waiter)\nholder: \(held)")
        #expect(waiter.stderr.contains("gave up waiting for the migration lock after 1 s: held by "), "\(waiter)")
        switch kind {
        case .postgres, .pgbouncer:
            #expect(waiter.stderr.contains("application godwit"))
            #expect(waiter.stderr.contains("in a transaction open since 20"))
            #expect(waiter.stderr.contains("pg_terminate_backend"))
        case .sqlite:
            #expect(waiter.stderr.contains("godwit pid "))
        }
        #expect(waiter.stderr.contains("--lock-timeout"))
    }
}
