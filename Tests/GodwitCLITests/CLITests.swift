import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// The `godwit` binary, run as a user runs it: output, exit status, and the database afterwards.
@Suite("godwit command line")
struct CLITests {
    static let users = sqlMigration(up: "CREATE TABLE users (id integer primary key, email varchar(255));", down: "DROP TABLE users;")
    static let posts = sqlMigration(up: "CREATE TABLE posts (id integer primary key);", down: "DROP TABLE posts;")

    @Test("make writes <UTC timestamp>_<name>.sql from the template")
    func make() async throws {
        let folder = try TestFolder.make()
        let before = Date()
        let result = try await godwit("make", "create_users", in: folder)
        #expect(result.status == 0, "\(result)")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("migrations").path)
        let file = try #require(files.first)
        #expect(files.count == 1)
        #expect(file.wholeMatch(of: /\d{14}_create_users\.sql/) != nil)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMddHHmmss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let stamp = try #require(formatter.date(from: String(file.prefix(14))))
        #expect(abs(stamp.timeIntervalSince(before)) < 5, "the prefix is the current UTC time")
        #expect(result.stdoutLines == ["Using environment: development", "Created Migration: migrations/\(file)"])
        let contents = try String(contentsOf: folder.appendingPathComponent("migrations/\(file)"), encoding: .utf8)
        #expect(contents.contains("-- migrate:up"))
        #expect(contents.contains("-- migrate:down"))
    }

    @Test("make refuses a name that would make a bad file name", arguments: ["create users", "../escape", "", "a.b", "naïve"])
    func makeRefuses(name: String) async throws {
        let folder = try TestFolder.make()
        let result = try await godwit("make", name, in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid migration name '\(name)'"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("migrations").path))
    }

    @Test("latest, status, list, rollback, up and down print what Knex prints", arguments: DatabaseKind.allCases)
    func workflow(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let env = ["DATABASE_URL": database.url]
        let run = { (arguments: [String]) async throws -> CommandResult in
            try await runGodwit(arguments, in: database.folder, environment: env)
        }

        let list = try await run(["list"])
        #expect(list.stdoutLines == [
            "Using environment: development", "No Completed Migration files Found.",
            "Found 2 Pending Migration file/files.", "001_users.sql", "002_posts.sql",
        ], "\(list)")

        let latest = try await run(["latest"])
        #expect(latest.status == 0)
        #expect(latest.stdoutLines == ["Using environment: development", "Batch 1 run: 2 migrations", "001_users.sql", "002_posts.sql"], "\(latest)")
        await #expect(try run(["latest"]).stdoutLines == ["Using environment: development", "Already up to date"])

        let status = try await run(["status", "--json"])
        #expect(status.status == 0, "\(status)")
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        let completed = json["completed"] as! [[String: Any]]
        #expect(completed.map { $0["name"] as! String } == ["001_users.sql", "002_posts.sql"])
        #expect(completed.map { $0["batch"] as! Int } == [1, 1])
        let time = try #require(completed.first?["migration_time"] as? String)
        let applied = try #require(ISO8601DateFormatter.withFractionalSeconds.date(from: time))
        #expect(abs(applied.timeIntervalSinceNow) < 60)
        #expect((json["pending"] as! [Any]).isEmpty)
        #expect(status.stderr.contains("Using environment: development"), "the JSON stays alone on stdout")

        let text = try await run(["status"])
        #expect(text.stdout.contains("batch 1"))
        #expect(text.stdout.contains("Pending: none"))

        let down = try await run(["down"])
        #expect(down.stdoutLines == ["Using environment: development", "Batch 1 rolled back the following migrations:", "002_posts.sql"], "\(down)")
        let up = try await run(["up"])
        #expect(up.stdoutLines == ["Using environment: development", "Batch 2 ran the following migrations:", "002_posts.sql"], "\(up)")
        let rollback = try await run(["rollback"])
        #expect(rollback.stdoutLines == ["Using environment: development", "Batch 2 rolled back: 1 migrations", "002_posts.sql"])
        let all = try await run(["rollback", "--all"])
        #expect(all.stdoutLines == ["Using environment: development", "Batch 1 rolled back: 1 migrations", "001_users.sql"])
        await #expect(try run(["rollback"]).stdoutLines == ["Using environment: development", "Already at the base migration"])
        let emptyList = try await run(["list", "--json"])
        #expect(emptyList.stdout == #"{"completed":[],"pending":[{"name":"001_users.sql"},{"name":"002_posts.sql"}]}"# + "\n")
    }

    @Test("a failed migration exits 1 naming file, statement and the database's error; nothing is applied",
          arguments: DatabaseKind.allCases)
    func failure(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations([
            "001_users.sql": Self.users,
            "002_bad.sql": sqlMigration(up: "CREATE TABLE bad (id integer);\nINSERT INTO nowhere VALUES (1);"),
        ])
        let env = ["DATABASE_URL": database.url]
        let result = try await godwit("latest", in: database.folder, environment: env)
        #expect(result.status == 1)
        #expect(result.stderr.contains("error: migration 002_bad.sql failed"), "\(result)")
        #expect(result.stderr.contains("002_bad.sql (up)"))
        #expect(result.stderr.contains("statement at line 3, column 1"))
        #expect(result.stderr.contains("statement: INSERT INTO nowhere VALUES (1)"))
        #expect(result.stderr.contains(kind.isPostgres ? "(SQLSTATE 42P01)" : "no such table: nowhere"))
        let list = try await godwit("list", in: database.folder, environment: env)
        #expect(list.stdoutLines.contains("No Completed Migration files Found."), "\(list)")
    }

    @Test("with no database configured, development uses dev.sqlite3 and says so")
    func developmentDefault() async throws {
        let folder = try TestFolder.make()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        try Self.users.write(to: folder.appendingPathComponent("migrations/001_users.sql"), atomically: true, encoding: .utf8)
        let result = try await godwit("latest", in: folder)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.contains("using the SQLite file dev.sqlite3"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("dev.sqlite3").path))
    }

    @Test("production never falls back to a local file: the error names the variables to set")
    func productionNeedsDatabase() async throws {
        let folder = try TestFolder.make()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        for arguments in [["latest", "--env", "production"], ["status"]] {
            let environment = arguments.contains("--env") ? [:] : ["GODWIT_ENV": "production"]
            let result = try await runGodwit(arguments, in: folder, environment: environment)
            #expect(result.status == 1)
            #expect(result.stderr.contains("no database configured for environment 'production'"), "\(result)")
            #expect(result.stderr.contains("DATABASE_URL"))
            #expect(result.stderr.contains("SUPABASE_DB_HOST"))
            #expect(result.stdoutLines.first == "Using environment: production" || result.stdout.isEmpty)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("dev.sqlite3").path))
    }

    @Test("configuration: flags over the environment over .env.<env> over .env")
    func precedence() async throws {
        let folder = try TestFolder.make()
        let file = { (name: String, text: String) in
            try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        try file(".env", "# shared\nDATABASE_URL=sqlite:from-dotenv.sqlite3\nGODWIT_MIGRATIONS_DIR=db/migrations\n")
        try file(".env.production", "export DATABASE_URL=\"sqlite:from-production.sqlite3\"\n")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("db/migrations"), withIntermediateDirectories: true)
        try Self.users.write(to: folder.appendingPathComponent("db/migrations/001_users.sql"), atomically: true, encoding: .utf8)
        let exists = { (name: String) in FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path) }

        #expect(try await godwit("latest", in: folder).status == 0)
        #expect(exists("from-dotenv.sqlite3"))
        let production = try await godwit("latest", "--env", "production", in: folder)
        #expect(production.stdoutLines.first == "Using environment: production")
        #expect(exists("from-production.sqlite3"))
        #expect(try await godwit("latest", "--env", "production", in: folder, environment: ["DATABASE_URL": "sqlite:from-process.sqlite3"]).status == 0)
        #expect(exists("from-process.sqlite3"))
        #expect(try await godwit("latest", "--database-url", "sqlite:from-flag.sqlite3", in: folder, environment: ["DATABASE_URL": "sqlite:x.sqlite3"]).status == 0)
        #expect(exists("from-flag.sqlite3"))
        #expect(!exists("x.sqlite3"))
        #expect(try await godwit("latest", in: folder, environment: ["GODWIT_ENV": "production"]).stdoutLines.first == "Using environment: production")
    }

    @Test("a batch's scripts may travel together: a last statement without ';' or a trailing comment stays its own, and a failure names its file",
          arguments: DatabaseKind.allCases)
    func scriptsTogether(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations([
            "001_a.sql": sqlMigration(up: "CREATE TABLE a (id integer)\n-- no semicolon, a comment last"),
            "002_b.sql": sqlMigration(up: "CREATE TABLE b (id integer); -- trailing"),
            "003_c.sql": sqlMigration(up: "CREATE TABLE c (id integer CHECK (id > 0));\nINSERT INTO c VALUES (0);"),
            "004_d.sql": sqlMigration(up: "CREATE TABLE d (id integer);"),
        ])
        let failed = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("error: migration 003_c.sql failed"), "\(failed)")
        #expect(failed.stderr.contains("statement at line 3, column 1"), "\(failed)")
        #expect(failed.stderr.contains("statement: INSERT INTO c VALUES (0)"))
        #expect(failed.stderr.contains(kind == .sqlite ? "CHECK constraint failed" : "violates check constraint"))

        try database.writeMigrations(["003_c.sql": sqlMigration(up: "CREATE TABLE c (id integer);")])
        let fixed = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(fixed.status == 0, "\(fixed)")
        #expect(fixed.stdoutLines.dropFirst() == ["Batch 1 run: 4 migrations", "001_a.sql", "002_b.sql", "003_c.sql", "004_d.sql"])
        let connection = try await database.connect()
        for table in ["a", "b", "c", "d"] {
            #expect(try await database.hasTable(table, on: connection))
        }
    }

    @Test("LOG_LEVEL sets what the log shows on standard error: each migration at debug, nothing by default")
    func logLevel() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_users.sql": Self.users])
        let quiet = try await godwit("latest", "--dry-run", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(quiet.status == 0)
        #expect(!quiet.stderr.contains("debug godwit"), "\(quiet)")
        let verbose = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": database.url, "LOG_LEVEL": "debug"])
        #expect(verbose.status == 0, "\(verbose)")
        #expect(verbose.stderr.contains("debug godwit: [GodwitCore] migrating 001_users.sql"), "\(verbose)")
        // Knex's --verbose: each migration as it starts.
        let back = try await godwit("rollback", "--verbose", in: database.folder, environment: ["DATABASE_URL": database.url])
        #expect(back.stderr.contains("debug godwit: [GodwitCore] rolling back 001_users.sql"), "\(back)")
    }

    @Test("SUPABASE_DB_* variables connect to PostgreSQL over TLS")
    func supabaseVariables() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations(["001_users.sql": Self.users])
        let url = try #require(URLComponents(string: database.url))
        let env = [
            "SUPABASE_DB_HOST": url.host!, "SUPABASE_DB_PORT": String(url.port!), "SUPABASE_DB_NAME": String(url.path.dropFirst()),
            "SUPABASE_DB_USER": url.user!, "SUPABASE_DB_PASSWORD": url.password!,
        ]
        let result = try await godwit("latest", in: database.folder, environment: env)
        #expect(result.status == 0, "\(result)")
        let status = try await godwit("status", in: database.folder, environment: env)
        #expect(status.stdout.contains("sslmode=require"), "TLS is required by default for SUPABASE_DB_*")
        #expect(status.stdout.contains(":***@"))
        #expect(!status.stdout.contains(url.password!))
    }

    @Test("a wrong password fails in one message that never shows a password")
    func wrongPassword() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations([:])
        let wrong = "Wr0ng-S3cret-\(UUID().uuidString.prefix(6))"
        var url = try #require(URLComponents(string: database.url))
        let right = url.password!
        url.password = wrong
        let result = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": url.string!])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot connect to PostgreSQL postgres://postgres:***@127.0.0.1"), "\(result)")
        #expect(result.stderr.contains("password authentication failed"))
        #expect(!result.stdout.contains(wrong) && !result.stderr.contains(wrong))
        #expect(!result.stderr.contains(right))
    }

    @Test("bad input gets one clear message and exit 1", arguments: [
        (["latest", "--migrations-dir", "nowhere"], [:], "the migrations folder 'nowhere' does not exist"),
        (["latest"], ["DATABASE_URL": "mysql://u:hunter2@h/db"], "has the unsupported scheme 'mysql'"),
        (["latest"], ["DATABASE_URL": "postgres://u:hunter2@h:notaport/db"], "the port 'notaport' is not a number from 1 to 65535"),
        (["latest"], ["DATABASE_URL": "postgres://u:hunter2%zz@h/db"], "malformed PostgreSQL URL postgres://u:***@h/db: the password holds a '%' that does not start a %XX escape"),
        (["latest"], ["DATABASE_URL": "postgres://u:hunter2@h/db?colour=blue"], "the query string names 'colour', which is not a libpq connection parameter"),
        (["latest"], ["DATABASE_URL": "sqlite:"], "names no file"),
    ] as [([String], [String: String], String)])
    func badInput(arguments: [String], environment: [String: String], expected: String) async throws {
        let folder = try TestFolder.make()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        let result = try await runGodwit(arguments, in: folder, environment: environment)
        #expect(result.status == 1)
        #expect(result.stderr.contains(expected), "\(result)")
        #expect(result.stdoutLines == ["Using environment: development"], "said first, on a configuration error too: \(result)")
        #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"))
    }

    @Test("bad arguments are usage errors (exit 64, with the usage line); bad settings exit 1; nothing connects", arguments: [
        (["frobnicate"], [:], 64, "unknown command 'frobnicate'"),
        (["latest", "--colour"], [:], 64, "Unknown option '--colour'"),
        (["latest", "--resume", "--restart"], [:], 64, "--resume and --restart exclude each other"),
        (["latest", "--lock-timeout", "soon"], [:], 64, "The value 'soon' is invalid for '--lock-timeout <seconds>'"),
        (["latest", "--lock-timeout=-1"], [:], 64, "--lock-timeout must be a number of seconds, 0 or more"),
        (["wait", "--timeout", "later"], [:], 64, "The value 'later' is invalid for '--timeout <seconds>'"),
        (["latest", "--ddl-retries", "2.5"], [:], 64, "The value '2.5' is invalid for '--ddl-retries <count>'"),
        (["latest", "--dry-run", "--rehearse"], [:], 64, "--dry-run and --rehearse exclude each other"),
        (["latest", "--dry-run", "--lock-timeout", "3"], [:], 64, "--dry-run takes no migration lock"),
        (["status", "--lock-timeout", "3"], [:], 64, "Unknown option '--lock-timeout'"),
        (["status", "--resume"], [:], 64, "Unknown option '--resume'"),
        (["unlock", "--migrations-dir", "m"], [:], 64, "Unknown option '--migrations-dir'"),
        (["wait", "--schema", "s"], [:], 64, "Unknown option '--schema'"),
        (["make", "x", "--database-url", "sqlite:x.db"], [:], 64, "Unknown option '--database-url'"),
        (["make", "x", "--swift-dir", "Sources/m/Migrations"], [:], 64, "--swift-dir is for Swift migrations: add --swift"),
        (["latest"], ["GODWIT_DDL_RETRIES": "-1"], 1, "invalid GODWIT_DDL_RETRIES '-1': expected a whole number"),
        (["latest"], ["GODWIT_LOCK_TIMEOUT": "soon"], 1, "invalid GODWIT_LOCK_TIMEOUT 'soon': expected a number of seconds"),
    ] as [([String], [String: String], Int32, String)])
    func badArguments(arguments: [String], environment: [String: String], status: Int32, expected: String) async throws {
        let folder = try TestFolder.make()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("migrations"), withIntermediateDirectories: true)
        let result = try await runGodwit(arguments, in: folder, environment: environment)
        #expect(result.status == status, "\(result)")
        #expect(result.stderr.contains(expected), "\(result)")
        if status == 64 { #expect(result.stderr.contains("Usage: godwit"), "\(result)") }
        if status == 1 { #expect(result.stdoutLines == ["Using environment: development"], "\(result)") }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("dev.sqlite3").path))
    }

    @Test("a database user without DDL rights: the failure names the file and the server's refusal; nothing is applied")
    func userWithoutPrivileges() async throws {
        let database = try await TestDatabase.make(.postgres)
        try database.writeMigrations(["001_users.sql": Self.users])
        let admin = try await database.connect()
        // The tracking tables exist and are writable; creating tables is not allowed (PostgreSQL 15's default).
        #expect(try await godwit("unlock", in: database.folder, environment: ["DATABASE_URL": database.url]).status == 0)
        let role = "limited_\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await admin.query("CREATE ROLE \(role) LOGIN PASSWORD 'limited-s3cret'")
        _ = try await admin.query("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO \(role)")
        _ = try await admin.query("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO \(role)")
        let url = database.url.replacing(/postgres:\/\/postgres:[^@]*@/, with: "postgres://\(role):limited-s3cret@")
        let result = try await godwit("latest", in: database.folder, environment: ["DATABASE_URL": url])
        #expect(result.status == 1)
        #expect(result.stderr.contains("migration 001_users.sql failed"), "\(result)")
        #expect(result.stderr.contains("permission denied for schema public"))
        #expect(result.stderr.contains("nothing from this batch was applied"))
        #expect(!result.stderr.contains("limited-s3cret") && !result.stdout.contains("limited-s3cret"))
        #expect(try await admin.query(#"SELECT 1 FROM "knex_migrations""#).isEmpty)
    }

    @Test("a read-only SQLite file and a full disk: one clear message, nothing applied",
          .enabled(if: getuid() == 0, "needs root for chattr and mount"))
    func sqliteCannotWrite() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let file = String(database.url.dropFirst("sqlite:".count))

        // Immutable: even root cannot write it.
        if try await shell("chattr", "+i", file) {
            let result = try? await godwit("latest", in: database.folder, environment: env)
            _ = try await shell("chattr", "-i", file)
            #expect(result?.status == 1)
            #expect(result?.stderr.contains("attempt to write a readonly database") == true, "\(String(describing: result))")
        }

        // A 200 KiB file system that a migration fills.
        let small = database.folder.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: small, withIntermediateDirectories: true)
        guard try await shell("mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", small.path) else { return }
        let filler = sqlMigration(
            up: "CREATE TABLE filler (t text);\nWITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) INSERT INTO filler SELECT hex(randomblob(200)) FROM c;")
        let fullRun: CommandResult
        do {
            try database.inSubfolder("small").writeMigrations(["001_users.sql": Self.users, "002_filler.sql": filler])
            fullRun = try await godwit("latest", in: small, environment: ["DATABASE_URL": "sqlite:\(small.path)/full.sqlite3"])
        } catch {
            _ = try? await shell("umount", small.path)
            throw error
        }
        _ = try await shell("umount", small.path)
        let full = fullRun
        #expect(full.status == 1)
        #expect(full.stderr.contains("migration 002_filler.sql failed"), "\(full)")
        #expect(full.stderr.contains("database or disk is full"))
        #expect(full.stderr.contains("no room left to write"), "advice: \(full)")
        #expect(full.stderr.contains("nothing from this batch was applied"))
    }

    /// Runs a system command; whether it succeeded.
    func shell(_ arguments: String...) async throws -> Bool {
        try await succeeds("/usr/bin/env", arguments)
    }

    @Test("a deleted applied file stops latest, naming it; list shows it and exits 1", arguments: DatabaseKind.allCases)
    func deletedFile(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        let directory = try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        try FileManager.default.removeItem(atPath: directory + "/001_users.sql")
        try database.writeMigrations(["002_posts.sql": Self.posts])
        let latest = try await godwit("latest", in: database.folder, environment: env)
        #expect(latest.status == 1)
        #expect(latest.stderr.contains("the following files are missing: 001_users.sql"), "\(latest)")
        let list = try await godwit("list", in: database.folder, environment: env)
        #expect(list.status == 1)
        #expect(list.stdout.contains("001_users.sql (file missing)"))
        #expect(list.stdoutLines.contains("002_posts.sql"), "002 was not applied")
    }

    @Test("a Knex lock left at 1 makes latest wait, then fail naming it; unlock frees it", arguments: DatabaseKind.allCases)
    func unlock(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("unlock", in: database.folder, environment: env).status == 0)
        let connection = try await database.connect()
        _ = try await connection.query(#"UPDATE "knex_migrations_lock" SET "is_locked" = 1"#)
        let locked = try await godwit("latest", "--lock-timeout", "0.5", in: database.folder, environment: env)
        #expect(locked.status == 1)
        #expect(locked.stderr.contains("gave up waiting for the migration lock after 0.5 s: knex_migrations_lock.is_locked is 1"), "\(locked)")
        #expect(locked.stderr.contains("godwit unlock"))
        let unlock = try await godwit("unlock", in: database.folder, environment: env)
        #expect(unlock.stdoutLines.last == "Unlocked the migrations lock table")
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
    }

    @Test("migration_time is shown as stored, to the millisecond: .895 stays .895, .001 stays .001", arguments: DatabaseKind.allCases)
    func migrationTimeAsStored(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let env = ["DATABASE_URL": database.url]
        #expect(try await godwit("latest", in: database.folder, environment: env).status == 0)
        let connection = try await database.connect()
        // Knex's own rows: a timestamptz on PostgreSQL (here with microseconds past the millisecond), epoch
        // milliseconds on SQLite.
        let times: [(String, String)] = kind.isPostgres
            ? [("001_users.sql", "'2026-11-25T09:30:59.895Z'"), ("002_posts.sql", "'2026-11-25T09:31:00.001999Z'")]
            : [("001_users.sql", "1795599059895"), ("002_posts.sql", "1795599060001")]
        for (name, time) in times {
            _ = try await connection.query(#"UPDATE "knex_migrations" SET "migration_time" = \#(time) WHERE "name" = '\#(name)'"#)
        }
        let status = try await godwit("status", in: database.folder, environment: env)
        #expect(status.stdout.contains("batch 1  2026-11-25T09:30:59.895Z  001_users.sql"), "\(status)")
        #expect(status.stdout.contains("batch 1  2026-11-25T09:31:00.001Z  002_posts.sql"), "\(status)")
        let json = try await godwit("status", "--json", in: database.folder, environment: env)
        #expect(json.stdout.contains(#""migration_time":"2026-11-25T09:30:59.895Z","name":"001_users.sql""#), "\(json)")
        #expect(json.stdout.contains(#""migration_time":"2026-11-25T09:31:00.001Z","name":"002_posts.sql""#), "\(json)")
    }

    @Test("--version prints the version")
    func version() async throws {
        let result = try await godwit("--version", in: try TestFolder.make())
        #expect(result.status == 0)
        #expect(result.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil)
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
