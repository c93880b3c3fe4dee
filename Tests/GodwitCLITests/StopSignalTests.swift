import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// SIGTERM (`docker stop`) and SIGINT (Ctrl-C): the running statement is cancelled, the batch rolls back,
/// the lock is freed, and the exit status says which signal stopped it.
extension SafetyTests {
    @Test("SIGTERM during a batch: the statement is cancelled, nothing applied, lock free, exit 143; the next run proceeds",
          arguments: DatabaseKind.allCases)
    func stopDuringBatch(kind: DatabaseKind) async throws {
        let (database, connection) = try await slowBatch(kind)
        let env = ["DATABASE_URL": database.url]
        let runner = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        try await waitUntilSlowStatementRuns(kind, database: database, on: connection)
        runner.send(SIGTERM)
        let stopped = try await runner.wait()
        #expect(stopped.status == 143, "\(stopped)")
        #expect(stopped.stderr.contains("SIGTERM received: stopping"))
        #expect(stopped.stderr.contains(
            kind == .pgbouncer ? "error: stopped on request: one of the migrations 001_users.sql … 002_slow.sql failed"
                : "error: stopped on request: migration 002_slow.sql failed"), "\(stopped)")
        #expect(stopped.stderr.contains("nothing from this batch was applied: the transaction was rolled back and the lock is free"))
        switch kind {
        case .sqlite: #expect(stopped.stderr.contains("interrupted"))
        case .postgres: #expect(stopped.stderr.contains("canceling statement due to user request"))
        // Through a pooler a cancel request could reach another client's statement: the connection is
        // shut instead, and the server ends the transaction when it notices.
        case .pgbouncer: #expect(stopped.stderr.contains("connection error: "), "\(stopped)")
        }
        if kind.isPostgres {
            // Stopped on the server too: no session of the runner is left running the statement (through
            // the pooler, within the server's client_connection_check_interval).
            try await waitUntil("the server ended the statement") {
                try await connection.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%CREATE TABLE half%' AND state = 'active' AND pid <> pg_backend_pid()").isEmpty
            }
        }
        #expect(try await !database.hasTable("users", on: connection))
        #expect(try await scalars(#"SELECT count(*) FROM "knex_migrations""#, on: connection) == ["0"])
        #expect(try await scalars(#"SELECT "is_locked" FROM "knex_migrations_lock""#, on: connection) == ["0"])

        _ = try await connection.query("UPDATE slow_config SET n = 0")
        let next = try await godwit("latest", "--lock-timeout", "0", in: database.folder, environment: env)
        #expect(next.status == 0, "\(next)")
        #expect(next.stdout.contains("Batch 1 run: 2 migrations"), "\(next)")
    }

    @Test("SIGINT while waiting for the lock: the waiter stops at once (exit 130), the holder goes on",
          arguments: [DatabaseKind.sqlite, .postgres])
    func stopWhileWaitingForLock(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        try await makeSlowConfig(60, on: connection)
        try database.writeMigrations(["001_slow.sql": sqlMigration(up: "CREATE TABLE t (id integer);\n" + Self.slowStatement(kind))])
        let env = ["DATABASE_URL": database.url]
        let holder = try await RunningGodwit(["latest"], in: database.folder, environment: env)
        defer { holder.kill() }
        try await waitUntilSlowStatementRuns(kind, database: database, on: connection)
        let waiter = try await RunningGodwit(["latest", "--lock-timeout", "60"], in: database.folder, environment: env)
        try await waiter.waitForOutput("Using environment:")
        try await Task.sleep(for: .milliseconds(500))
        waiter.send(SIGINT)
        let stopped = try await waiter.wait()
        #expect(stopped.status == 130, "\(stopped)")
        #expect(stopped.stderr.contains("error: stopped on request while waiting for the migration lock"), "\(stopped)")
        #expect(stopped.stderr.contains("nothing was run"))
        // The holder is still in its statement, undisturbed; then it is stopped too.
        try await waitUntilSlowStatementRuns(kind, database: database, on: connection)
        holder.send(SIGTERM)
        #expect(try await holder.wait().status == 143)
        #expect(try await scalars(#"SELECT count(*) FROM "knex_migrations""#, on: connection) == ["0"])
    }

    @Test("SIGTERM during godwit wait: it stops at once with exit 143 and runs nothing")
    func stopWhileWaitingForDatabase() async throws {
        let folder = try TestFolder.make()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: false)
        let port = try SilentListener.freePort()
        let waiting = try await RunningGodwit(
            ["latest", "--wait", "60", "--database-url", "postgres://app:pw@127.0.0.1:\(port)/db"], in: folder)
        try await waiting.waitForOutput("Using environment:")
        try await Task.sleep(for: .milliseconds(700))
        waiting.send(SIGTERM)
        let stopped = try await waiting.wait()
        #expect(stopped.status == 143, "\(stopped)")
        #expect(stopped.stderr.contains("waiting for the database (attempt 1,"))
        #expect(stopped.stderr.contains("error: stopped on request while waiting for the database"), "\(stopped)")
    }
}
