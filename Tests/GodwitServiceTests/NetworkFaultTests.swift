import Foundation
import GodwitConfiguration
import GodwitCore
import GodwitPostgres
import GodwitService
import GodwitTestSupport
import Logging
import Synchronization
import Testing

/// Faults from outside the client: the network between Godwit and PostgreSQL goes silent (every packet
/// lost, nothing said to either side), the server restarts. Each server here is a PostgreSQL of the test's
/// own (``LatePostgres``), in a network namespace the test can cut (``NetworkPath``); the test watches it
/// through its Unix socket, which the cut does not reach.
@Suite("Faults: a silent network, a restarted server")
struct NetworkFaultTests {
    /// Short dead-peer limits for the tests that do not check the standard ones: a silent peer is given
    /// up after about 3 s at both ends.
    static let shortLimits = "keepalives_idle=1&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000"

    /// How long a migration that sleeps on `fault_sleep.seconds` sleeps: long until the test says otherwise.
    static let sleeping = "SELECT pg_sleep(coalesce(nullif(current_setting('fault_sleep.seconds', true), ''), '0')::float8)"

    func runner(_ url: String, _ folder: URL, lease: Int = 30, migrations: [Migration] = []) throws -> MigrationRunner {
        let configuration = try Configuration.resolve(
            databaseURL: url, migrationsDirectory: folder.appendingPathComponent("migrations").path,
            processEnvironment: ["GODWIT_LOCK_LEASE": String(lease)], directory: folder.path)
        return MigrationRunner(configuration: configuration, migrations: migrations, logger: Logger(label: "test"))
    }

    /// Waits (up to `seconds`) until no session of Godwit's is left on the server: the server noticed its
    /// client was gone and ended it, its transaction rolled back. With `idleAllowed`, until none is in a
    /// statement or a transaction: a session that was idle when its client vanished (the lease's, between
    /// renewals) holds nothing, and the server ends it at its own TCP keepalive time.
    func waitUntilGodwitGone(_ watcher: any DatabaseConnection, seconds: Int, idleAllowed: Bool = false) async throws {
        let sessions = "FROM pg_stat_activity WHERE application_name = 'godwit' AND datname = current_database() AND pid <> pg_backend_pid()"
            + (idleAllowed ? " AND state <> 'idle'" : "")
        for _ in 0..<(seconds * 10) {
            let left = try await watcher.query("SELECT count(*) \(sessions)")
            if left.first?[0] == .integer(0) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let left = try await watcher.query("SELECT state || ': ' || left(query, 80) \(sessions)")
        Issue.record("the server still holds Godwit's sessions after \(seconds) s: \(left.map { $0[0] })")
    }

    /// The lock row is free: no transaction holds it and `is_locked` is 0.
    func expectLockFree(_ watcher: any DatabaseConnection) async throws {
        _ = try await watcher.query("BEGIN")
        let row = try await watcher.query(#"SELECT "is_locked" FROM "knex_migrations_lock" FOR UPDATE NOWAIT"#)
        _ = try await watcher.query("ROLLBACK")
        #expect(row.map { $0[0] } == [.integer(0)])
    }

    func tables(_ watcher: any DatabaseConnection) async throws -> [SQLValue] {
        try await watcher.query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'knex%' ORDER BY 1")
            .map { $0[0] }
    }

    /// Writes a batch of two migrations whose second sleeps, and makes `database`'s sessions sleep long.
    func writeSlowBatch(_ database: TestDatabase, sleepingIn name: String, watcher: any DatabaseConnection) async throws {
        try database.writeMigrations([
            "001_first.sql": sqlMigration(up: "CREATE TABLE first (id int);"),
            "002_slow.sql": sqlMigration(up: "CREATE TABLE second (id int);\n\(Self.sleeping);"),
        ])
        _ = try await watcher.query("ALTER DATABASE \"\(name)\" SET fault_sleep.seconds = '600'")
    }

    /// Starts `latest` of the slow batch (``writeSlowBatch(_:sleepingIn:watcher:)``) through `url`, and
    /// returns once its second migration sleeps: the runner, and the run to cancel when the test ends.
    func startSlowBatch(
        _ database: TestDatabase, through url: String, sleepingIn name: String, watcher: any DatabaseConnection
    ) async throws -> (runner: MigrationRunner, run: Task<MigrationReport, any Error>) {
        try await writeSlowBatch(database, sleepingIn: name, watcher: watcher)
        let runner = try runner(url, database.folder)
        let run = Task { try await runner.latest() }
        try await waitUntilRunning("pg_sleep", on: watcher)
        return (runner, run)
    }

    /// Lets the sessions of database `name` sleep no more; `runner` then applies the slow batch whole.
    func expectAppliedWhole(by runner: MigrationRunner, database name: String, watcher: any DatabaseConnection) async throws {
        _ = try await watcher.query("ALTER DATABASE \"\(name)\" SET fault_sleep.seconds = '0'")
        let report = try await runner.latest()
        #expect(report.migrations == ["001_first.sql", "002_slow.sql"])
        #expect(try await tables(watcher) == [.text("first"), .text("second")])
    }

    @Test("the network goes silent while a batch's statement runs: with Godwit's standard limits the run fails as a lost connection within a minute, the server rolls back and frees the lock, the next run applies the batch whole")
    func silentDuringStatement() async throws {
        try await NetworkPath.with { path in try await LatePostgres.with(on: path) { server in
            try await server.start()
            let watcher = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try server.socketURL()))
            let (runner, run) = try await startSlowBatch(
                try server.database(), through: try server.url(), sleepingIn: "postgres", watcher: watcher)
            defer { run.cancel() }
            try await path.cut()
            let clock = ContinuousClock()
            let cutAt = clock.now
            let error = try await #require(throws: GodwitError.self) { try await run.value }
            let waited = clock.now - cutAt
            #expect(waited < .seconds(60), "the standard limits gave up after \(waited)")
            #expect(error.databaseError?.isConnectionFailure == true, "\(error)")
            #expect(error.context.outcome?.kept == [], "\(error)")
            #expect(error.description.contains("002_slow.sql") || error.description.contains("rolled back"), "\(error)")
            // The server noticed too (its keepalives, set for the transaction) and rolled the batch back.
            try await waitUntilGodwitGone(watcher, seconds: 60)
            try await expectLockFree(watcher)
            #expect(try await tables(watcher) == [])
            #expect(try await watcher.query(#"SELECT count(*) FROM "knex_migrations""#)[0][0] == .integer(0))

            try await path.restore()
            try await expectAppliedWhole(by: runner, database: "postgres", watcher: watcher)
        } }
    }

    @Test("the network goes silent between two statements of a migration: the run fails within seconds, the server ends the idle transaction, nothing is applied, the next run applies it")
    func silentBetweenStatements() async throws {
        try await NetworkPath.with { path in try await LatePostgres.with(on: path) { server in
            try await server.start()
            let folder = try TestFolder.make()
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
            let gate = Gate()
            let migration = Migration.swift("001_between.swift") { db in
                try await db.execute("CREATE TABLE between_statements (id int)")
                await gate.pass()
                try await db.execute("INSERT INTO between_statements VALUES (1)")
            }
            let url = try server.url(parameters: Self.shortLimits)
            let runner = try runner(url, folder, migrations: [migration])
            let watcher = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try server.socketURL()))
            let run = Task { try await runner.latest() }
            defer { run.cancel() }
            await gate.waitUntilReached()
            try await path.cut()
            gate.open()
            let clock = ContinuousClock()
            let cutAt = clock.now
            let error = try await #require(throws: GodwitError.self) { try await run.value }
            #expect(clock.now - cutAt < .seconds(30), "gave up after \(clock.now - cutAt)")
            #expect(error.context.migration?.name == "001_between.swift", "\(error)")
            #expect(error.databaseError?.isConnectionFailure == true, "\(error)")
            try await waitUntilGodwitGone(watcher, seconds: 30)
            try await expectLockFree(watcher)
            #expect(try await tables(watcher) == [])

            try await path.restore()
            let report = try await runner.latest()
            #expect(report.migrations == ["001_between.swift"])
            #expect(try await watcher.query("SELECT count(*) FROM between_statements")[0][0] == .integer(1))
        } }
    }

    @Test("the network goes silent during a transaction:false migration: the run fails within seconds, the server ends the statement, the lease frees the lock, the next run says exactly what was done and --resume finishes it")
    func silentOutsideTransaction() async throws {
        try await NetworkPath.with { path in try await LatePostgres.with(on: path) { server in
            try await server.start()
            let database = try server.database()
            let folder = database.folder
            try database.writeMigrations([
                "001_first.sql": sqlMigration(up: "CREATE TABLE first (id int);"),
                "002_backfill.sql": sqlMigration(
                    up: "CREATE TABLE side (id int);\n\(Self.sleeping);\nCREATE TABLE after_sleep (id int);", upOptions: "transaction:false"),
            ])
            let watcher = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try server.socketURL()))
            _ = try await watcher.query("ALTER DATABASE postgres SET fault_sleep.seconds = '600'")
            let url = try server.url(parameters: Self.shortLimits)
            let runner = try runner(url, folder, lease: 3)
            let run = Task { try await runner.latest() }
            defer { run.cancel() }
            try await waitUntilRunning("pg_sleep", on: watcher)
            try await path.cut()
            let clock = ContinuousClock()
            let cutAt = clock.now
            let error = try await #require(throws: GodwitError.self) { try await run.value }
            #expect(clock.now - cutAt < .seconds(30), "gave up after \(clock.now - cutAt)")
            #expect(error.context.migration?.name == "002_backfill.sql", "\(error)")
            #expect(error.databaseError?.isConnectionFailure == true, "\(error)")
            // The sleeping statement ran in a transaction with its progress record: the server ends it.
            try await waitUntilGodwitGone(watcher, seconds: 30, idleAllowed: true)
            #expect(try await tables(watcher) == [.text("first"), .text("side")], "001 and statement 1 of 002 are in effect")

            try await path.restore()
            let env = ["DATABASE_URL": url, "GODWIT_LOCK_LEASE": "3"]
            let next = try await godwit("latest", "--lock-timeout", "30", in: folder, environment: env)
            #expect(next.status == 1, "\(next)")
            #expect(next.stderr.contains("002_backfill.sql did not finish applying"), "\(next)")
            #expect(next.stderr.contains("statements 1–1 of 3 completed and are in effect"), "\(next)")
            #expect(next.stderr.contains("statement 2 of 3 (SELECT pg_sleep("), "\(next)")
            #expect(next.stderr.contains("it ran in a transaction with its progress record and was rolled back"), "\(next)")
            try await expectLockFree(watcher)

            _ = try await watcher.query("ALTER DATABASE postgres SET fault_sleep.seconds = '0'")
            let resumed = try await godwit("latest", "--resume", "--lock-timeout", "30", in: folder, environment: env)
            #expect(resumed.status == 0, "\(resumed)")
            #expect(try await tables(watcher) == [.text("after_sleep"), .text("first"), .text("side")])
            #expect(try await watcher.query(#"SELECT "name" FROM "knex_migrations" ORDER BY "id""#).map { $0[0] }
                == [.text("001_first.sql"), .text("002_backfill.sql")])
        } }
    }

    @Test("PostgreSQL restarted while a batch's statement runs (fast: an error; immediate: the connection just ends, then crash recovery): the run fails as a lost connection, nothing is applied, the lock is free, the next run applies the batch whole",
          arguments: ["fast", "immediate"])
    func serverRestart(mode: String) async throws {
        try await LatePostgres.with { server in
            try await server.start()
            var watcher = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try server.socketURL()))
            let (runner, run) = try await startSlowBatch(
                try server.database(), through: try server.url(), sleepingIn: "postgres", watcher: watcher)
            defer { run.cancel() }
            try await server.restart(mode: mode)
            let error = try await #require(throws: GodwitError.self) { try await run.value }
            #expect(error.databaseError?.isConnectionFailure == true, "\(error)")
            #expect(error.context.outcome?.kept == [], "\(error)")
            watcher = try await PostgresConnection.connect(try PostgresConnectionSettings(url: try server.socketURL()))
            try await expectLockFree(watcher)
            #expect(try await tables(watcher) == [])
            #expect(try await watcher.query(#"SELECT count(*) FROM "knex_migrations""#)[0][0] == .integer(0))

            try await expectAppliedWhole(by: runner, database: "postgres", watcher: watcher)
        }
    }

    @Test("PgBouncer restarted while a batch's statement runs: the run fails as a lost connection, the server rolls back and frees the lock, the next run through the pooler applies the batch whole")
    func poolerRestart() async throws {
        let database = try await TestDatabase.make(.postgres)
        let watcher = try await database.connect()
        let name = try #require(try await watcher.query("SELECT current_database()").first?[0].text)
        try await OwnPgBouncer.with { pooler in
            let (runner, run) = try await startSlowBatch(
                database, through: try pooler.url(database: name), sleepingIn: name, watcher: watcher)
            defer { run.cancel() }
            try await pooler.restart()
            let error = try await #require(throws: GodwitError.self) { try await run.value }
            #expect(error.databaseError?.isConnectionFailure == true, "\(error)")
            // PgBouncer closed its server connection; the server noticed (client_connection_check_interval).
            try await waitUntilGodwitGone(watcher, seconds: 30)
            try await expectLockFree(watcher)
            #expect(try await tables(watcher) == [])

            try await expectAppliedWhole(by: runner, database: name, watcher: watcher)
        }
    }
}

/// Lets a migration tell the test it reached a point, and wait there until the test lets it go on; only
/// the first pass waits.
final class Gate: Sendable {
    private let state = Mutex<(reached: Bool, opened: Bool, waiters: [CheckedContinuation<Void, Never>], passers: [CheckedContinuation<Void, Never>])>(
        (false, false, [], []))

    /// Called by the migration: says it got here, then waits until ``open()`` (at once on later passes).
    func pass() async {
        let waiters: [CheckedContinuation<Void, Never>]? = state.withLock { state in
            guard !state.reached else { return nil }
            state.reached = true
            defer { state.waiters = [] }
            return state.waiters
        }
        guard let waiters else { return }
        waiters.forEach { $0.resume() }
        await withCheckedContinuation { continuation in
            let openAlready = state.withLock { state in
                if state.opened { return true }
                state.passers.append(continuation)
                return false
            }
            if openAlready { continuation.resume() }
        }
    }

    /// Waits until the migration reached ``pass()``.
    func waitUntilReached() async {
        await withCheckedContinuation { continuation in
            let reached = state.withLock { state in
                if state.reached { return true }
                state.waiters.append(continuation)
                return false
            }
            if reached { continuation.resume() }
        }
    }

    /// Lets the migration go on.
    func open() {
        let passers = state.withLock { state in
            state.opened = true
            defer { state.passers = [] }
            return state.passers
        }
        passers.forEach { $0.resume() }
    }
}
