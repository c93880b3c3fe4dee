import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GodwitCore
import GodwitTestSupport
import Testing

/// A container's start: Examples/supabase-service/scripts/entrypoint.sh (wait, migrate, exec the app),
/// replicas starting together, stop signals, and the Hummingbird app that migrates before it serves.
@Suite("Container start: the entrypoint and the app")
struct ContainerStartTests {
    struct Example {
        let folder: URL
        let migrate: URL
        let app: URL
        var entrypoint: URL { folder.appendingPathComponent("scripts/entrypoint.sh") }
    }

    func example() async throws -> Example {
        let folder = URL(fileURLWithPath: try TestDatabase.testSetting("GODWIT_EXAMPLE_DIR"))
        let built = folder.appendingPathComponent(".build/debug")
        let example = Example(
            folder: folder, migrate: built.appendingPathComponent("migrate"), app: built.appendingPathComponent("app"))
        for binary in [example.migrate, example.app] where !FileManager.default.isExecutableFile(atPath: binary.path) {
            throw TestSetupError("\(binary.path) is not built: scripts/test.sh builds it")
        }
        return example
    }

    /// Starts the entrypoint in the example's folder (its migrations/ are the SQL ones).
    func entrypoint(_ command: [String], example: Example, environment: [String: String]) async throws -> RunningGodwit {
        try await RunningGodwit(command, in: example.folder, environment: environment, executable: example.entrypoint)
    }

    @Test("the entrypoint waits for a database that comes up late, migrates, then execs the app (same pid, its exit status)")
    func migratesThenExecs() async throws {
        let example = try await example()
        try await LatePostgres.with { server in
            let running = try await entrypoint(
                ["/bin/sh", "-c", "echo app started as pid $$; exit 7"], example: example,
                environment: ["GODWIT_BIN": example.migrate.path, "DATABASE_URL": try server.url()])
            try await running.waitForError("waiting for the database")
            server.start(after: .zero)
            let result = try await running.wait()
            #expect(result.status == 7, "\(result)\n\(server.logTail())")
            #expect(result.stderr.contains("waiting for the database (attempt 1, "))
            #expect(result.stdoutLines == ["Using environment: development", "Batch 1 run: 6 migrations"]
                + ExampleServiceTests.migrationNames + ["app started as pid \(running.processIdentifier)"])
        }
    }

    @Test("many replicas starting together against a late database: all start their app, one batch (migrate found on PATH)")
    func replicas() async throws {
        let example = try await example()
        try await LatePostgres.with { server in
            // No GODWIT_BIN: the entrypoint finds `migrate` on PATH, as in the image.
            let path = example.migrate.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
            let environment = ["PATH": path, "DATABASE_URL": try server.url()]
            let replicas = try await (0..<6).asyncMap { _ in
                try await entrypoint(["/bin/sh", "-c", "echo app started"], example: example, environment: environment)
            }
            try await replicas[0].waitForError("waiting for the database")
            server.start(after: .zero)
            var results: [CommandResult] = []
            for replica in replicas { results.append(try await replica.wait()) }
            #expect(results.allSatisfy { $0.status == 0 && $0.stdoutLines.last == "app started" }, "\(results)\n\(server.logTail())")
            #expect(results.filter { $0.stdout.contains("Batch 1 run: 6 migrations") }.count == 1)
            #expect(results.filter { $0.stdout.contains("Already up to date") }.count == 5)
            let connection = try await server.database().connect()
            #expect(try await connection.query(#"SELECT "batch", count(*) FROM "knex_migrations" GROUP BY "batch""#)
                == [[.integer(1), .integer(6)]])
        }
    }

    @Test("a failed migration is printed and the app is not started")
    func failedMigration() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer);"),
            "002_bad.sql": sqlMigration(up: "ALTER TABLE nope ADD COLUMN x integer;"),
        ])
        let result = try await RunningGodwit(
            ["/bin/sh", "-c", "echo app started"], in: database.folder,
            environment: ["GODWIT_BIN": godwitBinary().path, "DATABASE_URL": database.url],
            executable: try example().entrypoint
        ).wait()
        #expect(result.status == 1, "\(result)")
        #expect(!result.stdout.contains("app started"))
        #expect(result.stderr.contains("error: migration 002_bad.sql failed"))
        #expect(result.stderr.contains(#"relation "nope" does not exist"#))
        #expect(result.stderr.contains("entrypoint: migrations failed (exit 1); not starting the app"))
    }

    @Test("the migration binary as the container's command runs as given: status, a dry run and rollback migrate nothing first",
          arguments: ["migrate", "GODWIT_BIN"])
    func migrationBinaryAsCommand(spelling: String) async throws {
        let example = try await example()
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        // `migrate` on PATH, as in the image; or the GODWIT_BIN path itself.
        let path = example.migrate.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let environment = ["PATH": path, "GODWIT_BIN": example.migrate.path, "DATABASE_URL": database.url]
        let binary = spelling == "migrate" ? "migrate" : example.migrate.path
        func run(_ arguments: [String]) async throws -> CommandResult {
            try await entrypoint([binary] + arguments, example: example, environment: environment).wait()
        }
        let status = try await run(["status"])
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("Pending (6)"), "\(status)")
        #expect(!status.stdout.contains("Batch 1 run"), "\(status)")
        let dryRun = try await run(["latest", "--dry-run"])
        #expect(dryRun.status == 0, "\(dryRun)")
        #expect(dryRun.stdout.contains("-- Dry run: batch 1 would apply 6 migrations"), "\(dryRun)")
        let rollback = try await run(["rollback"])
        #expect(rollback.stdoutLines.last == "Already at the base migration", "\(rollback)")
        #expect(try await !database.hasTable("users", on: connection), "nothing was migrated before the command")
        let latest = try await run(["latest"])
        #expect(latest.stdoutLines.contains("Batch 1 run: 6 migrations"), "\(latest)")
        let back = try await run(["rollback"])
        #expect(back.stdoutLines.contains("Batch 1 rolled back: 6 migrations"), "\(back)")
        #expect(try await !database.hasTable("users", on: connection))
    }

    @Test("without a migration binary the entrypoint says what to set")
    func missingBinary() async throws {
        let example = try await example()
        let result = try await entrypoint(["true"], example: example, environment: ["GODWIT_BIN": "/nonexistent/migrate"]).wait()
        #expect(result.status == 127)
        #expect(result.stderr.contains("cannot find the migration binary '/nonexistent/migrate' (set GODWIT_BIN"))
    }

    @Test("SIGTERM while the entrypoint waits for the database: it stops at once, exit 143, no app")
    func stopWhileWaiting() async throws {
        let example = try await example()
        try await LatePostgres.with { server in  // never started
            let running = try await entrypoint(
                ["/bin/sh", "-c", "echo app started"], example: example,
                environment: ["GODWIT_BIN": example.migrate.path, "DATABASE_URL": try server.url()])
            // Once it says it waits (a fixed sleep can end before a loaded machine has started the binary).
            try await running.waitForError("waiting for the database")
            running.send(SIGTERM)
            let result = try await running.wait()
            #expect(result.status == 143, "\(result)")
            #expect(result.stderr.contains("error: stopped on request while waiting for the database"))
            #expect(result.stderr.contains("entrypoint: stopped while migrating; not starting the app"))
            #expect(!result.stdout.contains("app started"))
        }
    }

    @Test("SIGTERM while the entrypoint migrates: the statement is cancelled, nothing applied, lock free, no app")
    func stopWhileMigrating() async throws {
        let database = try await TestDatabase.make(.postgres)
        let connection = try await database.connect()
        try database.writeMigrations([
            "001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer);"),
            "002_slow.sql": sqlMigration(up: "SELECT pg_sleep(60);"),
        ])
        let running = try await RunningGodwit(
            ["/bin/sh", "-c", "echo app started"], in: database.folder,
            environment: ["GODWIT_BIN": godwitBinary().path, "DATABASE_URL": database.url],
            executable: try example().entrypoint)
        try await waitUntilRunning("pg_sleep(60)", on: connection)
        running.send(SIGTERM)
        let result = try await running.wait()
        #expect(result.status == 143, "\(result)")
        #expect(result.stderr.contains("canceling statement due to user request"))
        #expect(result.stderr.contains("nothing from this batch was applied"))
        #expect(!result.stdout.contains("app started"))
        #expect(try await connection.query(#"SELECT count(*) FROM "knex_migrations""#) == [[.integer(0)]])
        #expect(try await connection.query(#"SELECT "is_locked" FROM "knex_migrations_lock""#) == [[.integer(0)]])
    }

    @Test("after the exec, SIGTERM reaches the app itself")
    func signalsReachTheApp() async throws {
        let example = try await example()
        let database = try await TestDatabase.make(.sqlite)
        let running = try await entrypoint(
            ["/bin/sh", "-c", "trap 'echo app got TERM; exit 0' TERM; echo app ready; while :; do sleep 0.1; done"],
            example: example, environment: ["GODWIT_BIN": example.migrate.path, "DATABASE_URL": database.url])
        for _ in 0..<600 where !running.outputSoFar().contains("app ready") {
            try await Task.sleep(for: .milliseconds(50))
        }
        running.send(SIGTERM)
        let result = try await running.wait()
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.suffix(2) == ["app ready", "app got TERM"])
    }

    // MARK: The app

    @Test("the Hummingbird app migrates at start, then serves /health and /users from the migrated table; SIGTERM stops it")
    func appServes() async throws {
        let example = try await example()
        let database = try await TestDatabase.make(.postgres)
        let port = try SilentListener.freePort()
        let app = try await RunningGodwit(
            [], in: example.folder, environment: ["DATABASE_URL": database.url, "PORT": "\(port)"], executable: example.app)
        defer { app.kill() }
        let health = try await get("http://127.0.0.1:\(port)/health", until: { $0.status == 200 })
        #expect(health.body == "ok\n")

        let connection = try await database.connect()
        #expect(try await connection.query(#"SELECT count(*) FROM "knex_migrations" WHERE "batch" = 1"#) == [[.integer(6)]])
        _ = try await connection.query(#"INSERT INTO "users" ("email", "phone") VALUES ('ada@example.com', '+44 20')"#)
        let users = try await get("http://127.0.0.1:\(port)/users")
        #expect(users.status == 200)
        let decoded = try JSONSerialization.jsonObject(with: Data(users.body.utf8)) as? [[String: Any]]
        #expect(decoded?.count == 1)
        #expect(decoded?.first?["email"] as? String == "ada@example.com")
        #expect(decoded?.first?["phone"] as? String == "+44 20")

        app.send(SIGTERM)
        let stopped = try await app.wait()
        #expect(stopped.status == 0, "\(stopped)")
        #expect(stopped.stderr.contains("applied batch 1: 6 migrations"))
    }

    @Test("the app does not serve when a migration fails: it exits 1 naming the file")
    func appRefusesToStart() async throws {
        let example = try await example()
        let database = try await TestDatabase.make(.postgres)
        // The example's SQL migrations and one more that fails.
        var files = ["20240101000007_bad.sql": sqlMigration(up: "ALTER TABLE nope ADD COLUMN x integer;")]
        let sqlFolder = example.folder.appendingPathComponent("migrations")
        for name in try FileManager.default.contentsOfDirectory(atPath: sqlFolder.path) {
            files[name] = try String(contentsOf: sqlFolder.appendingPathComponent(name), encoding: .utf8)
        }
        let migrations = try database.writeMigrations(files)
        let port = try SilentListener.freePort()
        let result = try await RunningGodwit(
            [], in: example.folder,
            environment: ["DATABASE_URL": database.url, "PORT": "\(port)", "GODWIT_MIGRATIONS_DIR": migrations],
            executable: example.app
        ).wait()
        #expect(result.status == 1, "\(result)")
        #expect(result.stderr.contains("migration 20240101000007_bad.sql failed"))
        #expect(!result.stderr.contains("Server started"))
        let connection = try await database.connect()
        #expect(try await !database.hasTable("users", on: connection))
    }

    /// GETs `url`; with `until`, retries (for up to 60 s) while the server is not up or the answer does not satisfy it.
    func get(_ url: String, until accept: ((status: Int, body: String)) -> Bool = { _ in true }) async throws -> (status: Int, body: String) {
        var last: (status: Int, body: String)?
        for _ in 0..<600 {
            if let (data, response) = try? await URLSession.shared.data(from: URL(string: url)!),
                let http = response as? HTTPURLResponse
            {
                last = (http.statusCode, String(decoding: data, as: UTF8.self))
                if accept(last!) { return last! }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("no acceptable answer from \(url); last: \(String(describing: last))")
    }
}
