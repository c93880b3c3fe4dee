import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// What a new user hit when trying Godwit end to end: each test is one of those reports.
@Suite("What a new user hit")
struct NewUserTests {
    static let users = sqlMigration(up: "CREATE TABLE users (id integer primary key, email varchar(255));", down: "DROP TABLE users;")
    static let posts = sqlMigration(up: "CREATE TABLE posts (id integer primary key);", down: "DROP TABLE posts;")

    /// Writes `files` into `folder/migrations`.
    static func write(into folder: URL, _ files: [String: String]) throws {
        let directory = folder.appendingPathComponent("migrations")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, contents) in files {
            try contents.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    // MARK: Read-only commands and dry runs

    @Test("status, list, wait, dry runs, rollback and down on a SQLite file that does not exist create nothing")
    func readOnlyCreatesNothing() async throws {
        let folder = try TestFolder.make()
        try Self.write(into: folder, ["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let file = folder.appendingPathComponent("dev.sqlite3")
        let status = try await godwit("status", in: folder)
        #expect(status.status == 0, "\(status)")
        #expect(status.stdout.contains("Database: SQLite dev.sqlite3 (no database yet: 2 pending"), "\(status)")
        let json = try await godwit("status", "--json", in: folder)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json)")
        let database = try #require(document["database"] as? [String: Any])
        #expect(database["kind"] as? String == "sqlite" && database["path"] as? String == "dev.sqlite3")
        #expect(database["exists"] as? Bool == false)
        let list = try await godwit("list", in: folder)
        #expect(list.stderr.contains("No database yet (SQLite dev.sqlite3): 2 pending"), "\(list)")
        let wait = try await godwit("wait", in: folder)
        #expect(wait.stdoutLines.last?.contains("no database yet") == true, "\(wait)")
        for command in [["latest", "--dry-run"], ["latest", "--rehearse"], ["rollback", "--dry-run"], ["rollback"], ["down"]] {
            let result = try await runGodwit(command, in: folder)
            #expect(result.status == 0, "\(command): \(result)")
        }
        #expect(!FileManager.default.fileExists(atPath: file.path), "a command that only reads created the file")
        let latest = try await godwit("latest", in: folder)
        #expect(latest.status == 0, "\(latest)")
        #expect(FileManager.default.fileExists(atPath: file.path))
    }

    @Test("--dry-run sends nothing but the read: a table lock held elsewhere does not stop it, and nothing changes",
          arguments: [DatabaseKind.postgres, .pgbouncer])
    func dryRunSendsNothing(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        try database.writeMigrations([
            "002_fill.sql": sqlMigration(up: "INSERT INTO users VALUES (1, 'a@example.com');\nALTER TABLE users ADD COLUMN bio text;"),
        ])
        let holder = try await database.connect()
        _ = try await holder.query("BEGIN")
        _ = try await holder.query("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        let dryRun = try await godwit("latest", "--dry-run", in: database.folder, environment: env)
        _ = try await holder.query("ROLLBACK")
        #expect(dryRun.status == 0, "\(dryRun)")
        #expect(dryRun.stdout.contains("nothing was sent to the database"))
        #expect(dryRun.stdoutLines.contains("INSERT INTO users VALUES (1, 'a@example.com');"))
        let connection = try await database.connect()
        #expect(try await connection.query("SELECT count(*) FROM users") == [[.integer(0)]])
        #expect(try await connection.query(#"SELECT count(*) FROM "knex_migrations""#) == [[.integer(1)]])
        let rehearsal = try await godwit("latest", "--rehearse", in: database.folder, environment: env)
        #expect(rehearsal.status == 0, "\(rehearsal)")
        #expect(rehearsal.stdout.contains("-- Rehearsal: batch 2 would apply 1 migration"), "\(rehearsal)")
        #expect(try await connection.query("SELECT count(*) FROM users") == [[.integer(0)]], "the rehearsal rolled back")
    }

    @Test("in a dry run a Swift migration's query returns no rows and its writes are printed, not sent", arguments: DatabaseKind.allCases)
    func swiftDryRun(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let connection = try await database.connect()
        _ = try await connection.query("CREATE TABLE t (id integer)")
        _ = try await connection.query("INSERT INTO t VALUES (1)")
        let migration = Migration.swift("001_copy.swift") { db in
            for row in try await db.query("SELECT id FROM t") {
                try await db.execute("INSERT INTO t VALUES (\((row[0].integer ?? 0) + 1))")
            }
            try await db.execute("DELETE FROM t")
        }
        let migrator = Migrator(connection: connection, migrations: [migration])
        let plan = try await migrator.latestDryRun()
        #expect(plan.steps.first?.statements == ["SELECT id FROM t", "DELETE FROM t"])
        let rehearsal = try await migrator.latestRehearsal()
        #expect(rehearsal.steps.first?.statements == ["SELECT id FROM t", "INSERT INTO t VALUES (2)", "DELETE FROM t"])
        #expect(try await connection.query("SELECT id FROM t") == [[.integer(1)]])
    }

    // MARK: Messages and hints

    @Test("up and down name what is wrong with the migration asked for", arguments: [DatabaseKind.sqlite])
    func namedMigrations(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("up", "001_users", in: database.folder, environment: env).status == 0)
        let nosuch = try await godwit("down", "nosuch", in: database.folder, environment: env)
        #expect(nosuch.status == 1)
        #expect(nosuch.stderr.contains(#"error: no migration named "nosuch""#), "\(nosuch)")
        let pending = try await godwit("down", "002_posts", in: database.folder, environment: env)
        #expect(pending.stderr.contains(#"migration "002_posts" is not applied, so it cannot be undone"#), "\(pending)")
        let applied = try await godwit("up", "001_users.sql", in: database.folder, environment: env)
        #expect(applied.stderr.contains(#"migration "001_users.sql" is already applied, so it cannot be applied"#), "\(applied)")
        let resume = try await godwit("rollback", "--resume", in: database.folder, environment: env)
        #expect(resume.status == 1)
        #expect(resume.stderr.contains("--resume: no migration was interrupted, so there is nothing to resume"), "\(resume)")
        #expect(try await godwit("list", in: database.folder, environment: env).stdoutLines.contains("001_users.sql"), "--resume rolled nothing back")
    }

    @Test("a failed rollback says nothing was undone; a bad --database-url is named as the flag")
    func rollbackAndFlagMessages() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations(["001_users.sql": sqlMigration(up: "CREATE TABLE users (id integer);", down: "DROP TABLE nosuch;")])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        let rollback = try await godwit("rollback", in: database.folder, environment: env)
        #expect(rollback.status == 1)
        #expect(rollback.stderr.contains("nothing from this batch was undone"), "\(rollback)")
        #expect(!rollback.stderr.contains("applied:"), "\(rollback)")
        let flag = try await godwit("status", "--database-url", "mysql://u:pw@h/db", in: database.folder)
        #expect(flag.stderr.contains("error: --database-url 'mysql://u:***@h/db' has the unsupported scheme 'mysql'"), "\(flag)")
    }

    @Test("CREATE INDEX CONCURRENTLY in a transactional section says to mark it transaction:false")
    func concurrentIndexHint() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations([
            "001_users.sql": Self.users,
            "002_index.sql": sqlMigration(up: "CREATE INDEX CONCURRENTLY users_email ON users (email);"),
        ])
        let result = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot run inside a transaction block"), "\(result)")
        #expect(result.stderr.contains("mark the section '-- migrate:up transaction:false' in 002_index.sql"), "\(result)")
    }

    @Test("an up section with no statement (an untouched make template) is refused, naming the file")
    func emptyUpSection() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url]
        let made = try await godwit("make", "nothing_yet", in: database.folder, environment: env)
        #expect(made.status == 0, "\(made)")
        let result = try await godwit("latest", in: database.folder, environment: env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("_nothing_yet.sql: its '-- migrate:up' section holds no statement"), "\(result)")
        #expect(result.stderr.contains("nothing was applied"))
        let list = try await godwit("list", in: database.folder, environment: env)
        #expect(list.stdoutLines.contains("No Completed Migration files Found."), "\(list)")
    }

    @Test("a SQLite file in a folder that does not exist: the error names the folder")
    func missingSQLiteFolder() async throws {
        let folder = try TestFolder.make()
        try Self.write(into: folder, ["001_users.sql": Self.users])
        let result = try await godwit("latest", "--database-url", "sqlite:data/app.sqlite3", in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot create the SQLite database data/app.sqlite3: the folder data does not exist"), "\(result)")
    }

    @Test("LOG_LEVEL that is not a level is said, not ignored; warn is warning")
    func logLevel() async throws {
        let folder = try TestFolder.make()
        let bogus = try await godwit("status", in: folder, environment: ["LOG_LEVEL": "bogus"])
        #expect(bogus.stderr.contains("LOG_LEVEL 'bogus' is not a level (trace, debug, info, notice, warning, error, critical): using warning"), "\(bogus)")
        let warn = try await godwit("status", in: folder, environment: ["LOG_LEVEL": "warn"])
        #expect(!warn.stderr.contains("LOG_LEVEL"), "\(warn)")
    }

    @Test("NODE_ENV in .env picks the environment; GODWIT_ENV wins over it")
    func nodeEnvironmentInDotEnv() async throws {
        let folder = try TestFolder.make()
        try "NODE_ENV=staging\n".write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let staging = try await godwit("status", in: folder)
        #expect(staging.stdoutLines.first == "Using environment: staging", "\(staging)")
        #expect(staging.stderr.contains("no database configured for environment 'staging'"), "\(staging)")
        let chosen = try await godwit("status", in: folder, environment: ["GODWIT_ENV": "development"])
        #expect(chosen.stdoutLines.first == "Using environment: development", "\(chosen)")
    }

    @Test("a takeover's applied migrations are named as knex_migrations records them, with the file beside them")
    func recordedNames() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        let connection = try await database.connect()
        _ = try await connection.query(#"UPDATE "knex_migrations" SET "name" = '001_users.js'"#)
        _ = try await connection.query(#"DELETE FROM "knex_migrations_godwit""#)
        let list = try await godwit("list", in: database.folder, environment: env)
        #expect(list.stdoutLines.contains("001_users.js (file 001_users.sql)"), "\(list)")
        let rollback = try await godwit("rollback", in: database.folder, environment: env)
        #expect(rollback.stdoutLines.suffix(2) == ["Batch 1 rolled back: 1 migrations", "001_users.js"], "\(rollback)")
    }

    // MARK: A binary with compiled migrations, run elsewhere

    @Test("the example's migrate run from another folder refuses the missing SQL folder; make --swift creates nothing there")
    func compiledBinaryElsewhere() async throws {
        let example = URL(fileURLWithPath: try TestDatabase.testSetting("GODWIT_EXAMPLE_DIR"))
        let migrate = example.appendingPathComponent(".build/debug/migrate")
        let elsewhere = try TestFolder.make()
        let database = try await TestDatabase.make(.sqlite)
        let status = try await runGodwit(["status"], in: elsewhere, environment: ["DATABASE_URL": database.url], executable: migrate)
        #expect(status.status == 1)
        #expect(status.stderr.contains("the migrations folder 'migrations' does not exist"), "\(status)")
        #expect(status.stderr.contains("relative to the current folder"), "\(status)")
        let latest = try await runGodwit(["latest"], in: elsewhere, environment: ["DATABASE_URL": database.url], executable: migrate)
        #expect(latest.status == 1, "the Swift migrations must not run alone: \(latest)")
        let made = try await runGodwit(["make", "x", "--swift"], in: elsewhere, executable: migrate)
        #expect(made.status == 1)
        #expect(made.stderr.contains("the Swift migrations folder 'Sources/ServiceMigrations/Migrations' does not exist here"), "\(made)")
        #expect(!FileManager.default.fileExists(atPath: elsewhere.appendingPathComponent("Sources").path))
        let pointed = try await runGodwit(
            ["status", "--migrations-dir", example.appendingPathComponent("migrations").path], in: elsewhere,
            environment: ["DATABASE_URL": database.url], executable: migrate)
        #expect(pointed.status == 0, "\(pointed)")
        #expect(pointed.stdout.contains("Pending (6)"), "\(pointed)")
    }

    // MARK: Exiting while a connection is being made

    @Test("a load failure while libpq connects exits 1, never crashing in the libraries' exit handlers (200 runs)")
    func noCrashOnExit() async throws {
        let url = try TestDatabase.postgresAdminURL()
        let folder = try TestFolder.make()  // no migrations folder: loading fails while the connection is made
        var failures: [String] = []
        for _ in 0..<50 {
            let runs = try await (0..<4).asyncMap { _ in try await RunningGodwit(["status"], in: folder, environment: ["DATABASE_URL": url]) }
            for run in runs {
                let result = try await run.wait()
                if result.status != 1 || !result.stderr.contains("does not exist") || result.stderr.contains("rash") {
                    failures.append("\(result)")
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 200 runs: \(failures.first ?? "")")
    }
}
