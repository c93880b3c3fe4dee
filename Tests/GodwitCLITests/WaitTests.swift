import Foundation
import GodwitTestSupport
import Testing

/// `godwit wait` and `--wait`: a container's database that comes up late, and failures not worth waiting for.
@Suite("Waiting for the database")
struct WaitTests {
    @Test("wait retries while nothing listens, with a line per attempt, and succeeds once the server is up")
    func lateServer() async throws {
        try await LatePostgres.with { server in
            let folder = try TestFolder.make()
            let waiting = try await RunningGodwit(["wait", "--timeout", "30", "--database-url", try server.url()], in: folder)
            try await waiting.waitForError("waiting for the database")
            server.start(after: .zero)
            let result = try await waiting.wait()
            #expect(result.status == 0, "\(result)\n\(server.logTail())")
            #expect(result.stderr.contains("waiting for the database (attempt 1, "))
            #expect(result.stderr.contains("Connection refused"))
            #expect(result.stdoutLines.last?.hasPrefix("Database is ready: PostgreSQL postgres://postgres:***@127.0.0.1:\(server.port)/") == true)
        }
    }

    @Test("latest --wait applies the migrations once a late server is up")
    func latestWaits() async throws {
        try await LatePostgres.with { server in
            let database = try server.database()
            try database.writeMigrations(["001_t.sql": sqlMigration(up: "CREATE TABLE t (id integer);", down: "DROP TABLE t;")])
            let running = try await RunningGodwit(["latest", "--wait", "30"], in: database.folder, environment: ["DATABASE_URL": database.url])
            try await running.waitForError("waiting for the database")
            server.start(after: .zero)
            let result = try await running.wait()
            #expect(result.status == 0, "\(result)\n\(server.logTail())")
            #expect(result.stdoutLines.contains("001_t.sql"))
            #expect(result.stderr.contains("waiting for the database"))
            let again = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url])
            #expect(again.stdoutLines.last == "Already up to date", "\(again)")
        }
    }

    @Test("a wrong password is not worth waiting for: wait fails at once, naming the setting")
    func wrongPassword() async throws {
        let folder = try TestFolder.make()
        let result = try await godwit(
            "wait", "--timeout", "30", "--database-url", try TestDatabase.postgresAdminURL().replacingOccurrences(
                of: ":\(try TestDatabase.testSetting("GODWIT_PG_PASSWORD"))@", with: ":wrong@"),
            in: folder)
        #expect(result.status == 1)
        #expect(!result.stderr.contains("waiting for the database"))
        #expect(result.stderr.contains("password authentication failed"))
        #expect(result.stderr.contains("check the password in --database-url"))
    }

    @Test("at the limit, wait gives up with the last reason and how to wait longer, the password masked")
    func givesUp() async throws {
        let folder = try TestFolder.make()
        let port = try SilentListener.freePort()
        let result = try await godwit("wait", "--timeout", "1", "--database-url", "postgres://app:s3cret@127.0.0.1:\(port)/db", in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: gave up waiting for the database after 1 s ("))
        #expect(result.stderr.contains("Connection refused"))
        #expect(result.stderr.contains("--wait SECONDS / GODWIT_WAIT_TIMEOUT"))
        #expect(!result.stderr.contains("s3cret"))
    }
}
