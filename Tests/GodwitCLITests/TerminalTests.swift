import Foundation
import GodwitCore
import GodwitTestSupport
import Testing

/// The CLI as a person meets it in a terminal, and as a script or a container log sees it: Knex's command
/// names, progress as migrations run, colour, the question before undoing outside development, `init`,
/// `current-version` and `status --exit-code`.
@Suite("godwit in a terminal")
struct TerminalTests {
    static let users = sqlMigration(up: "CREATE TABLE users (id integer primary key);", down: "DROP TABLE users;")
    static let posts = sqlMigration(up: "CREATE TABLE posts (id integer primary key);", down: "DROP TABLE posts;")

    @Test("Knex's migrate:* command names run the same commands, migrate:currentVersion included")
    func knexNames() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["20261101000000_users.sql": Self.users, "20261102000000_posts.sql": Self.posts])
        let run = { (arguments: [String]) async throws -> CommandResult in
            try await runGodwit(arguments, in: database.folder, environment: ["DATABASE_URL": database.url])
        }
        let none = try await run(["migrate:currentVersion"])
        #expect(none.stdoutLines == ["Using environment: development", "Current Version: none"], "\(none)")
        let up = try await run(["migrate:up"])
        #expect(up.stdoutLines == ["Using environment: development", "Batch 1 ran the following migrations:", "20261101000000_users.sql"], "\(up)")
        let latest = try await run(["migrate:latest"])
        #expect(latest.stdoutLines.dropFirst().first == "Batch 2 run: 1 migrations", "\(latest)")
        let version = try await run(["migrate:currentVersion"])
        #expect(version.stdoutLines.last == "Current Version: 20261102000000", "\(version)")
        #expect(try await run(["current-version"]).stdoutLines == version.stdoutLines)
        let list = try await run(["migrate:list"])
        #expect(list.stdoutLines.contains("Found 2 Completed Migration file/files."), "\(list)")
        let status = try await run(["migrate:status"])
        #expect(status.stdout.contains("Applied (2):"), "\(status)")
        let down = try await run(["migrate:down"])
        #expect(down.stdoutLines.last == "20261102000000_posts.sql", "\(down)")
        let rollback = try await run(["migrate:rollback"])
        #expect(rollback.stdoutLines.last == "20261101000000_users.sql", "\(rollback)")
        #expect(try await run(["migrate:unlock"]).status == 0)
        let made = try await run(["migrate:make", "add_bio"])
        #expect(made.stdoutLines.last?.hasPrefix("Created Migration: migrations/") == true, "\(made)")
    }

    @Test("a mistyped command is a usage error that suggests the nearest command", arguments: [
        ("lates", "latest"), ("rolback", "rollback"), ("migrate:lates", "migrate:latest"), ("stauts", "status"),
    ])
    func didYouMean(typed: String, meant: String) async throws {
        let folder = try TestFolder.make()
        let result = try await godwit(typed, in: folder)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("unknown command '\(typed)'. Did you mean '\(meant)'?"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("dev.sqlite3").path))
    }

    @Test("status --exit-code: 0 up to date, 3 pending, 4 an applied file edited or gone; it creates nothing")
    func statusExitCode() async throws {
        let database = try await TestDatabase.make(.sqlite)
        let folder = try database.writeMigrations(["001_users.sql": Self.users])
        let run = { (arguments: [String]) async throws -> CommandResult in
            try await runGodwit(arguments, in: database.folder, environment: ["DATABASE_URL": database.url])
        }
        let databaseFile = database.url.replacingOccurrences(of: "sqlite:", with: "")
        let before = try await run(["status", "--exit-code"])
        #expect(before.status == 3, "\(before)")
        #expect(!FileManager.default.fileExists(atPath: databaseFile), "a check that only reads creates no database")
        #expect(try await run(["latest"]).status == 0)
        let upToDate = try await run(["status", "--exit-code"])
        #expect(upToDate.status == 0, "\(upToDate)")
        #expect(try await run(["status", "--exit-code", "--json"]).status == 0)
        try (Self.users + "-- edited\n").write(toFile: folder + "/001_users.sql", atomically: true, encoding: .utf8)
        let edited = try await run(["status", "--exit-code"])
        #expect(edited.status == 4, "\(edited)")
        #expect(edited.stdout.contains("(edited since applied)"), "\(edited)")
        try FileManager.default.removeItem(atPath: folder + "/001_users.sql")
        let gone = try await run(["status", "--exit-code"])
        #expect(gone.status == 4, "\(gone)")
        #expect(gone.stderr.contains("001_users.sql"), "\(gone)")
        let without = try await run(["status"])
        #expect(without.status == 1, "without --exit-code a gone file is the error it always was")
    }

    @Test("init writes the migrations folder and a .env.example that reads as no settings, and keeps both on a second run")
    func initCommand() async throws {
        let folder = try TestFolder.make()
        let first = try await godwit("init", in: folder)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdoutLines.prefix(2) == ["Created migrations/", "Created .env.example"], "\(first)")
        #expect(first.stdout.contains("godwit make create_users"), "\(first)")
        let example = try String(contentsOf: folder.appendingPathComponent(".env.example"), encoding: .utf8)
        for variable in ["DATABASE_URL", "SUPABASE_DB_HOST", "SUPABASE_DB_PORT", "SUPABASE_DB_NAME", "SUPABASE_DB_USER", "SUPABASE_DB_PASSWORD", "SUPABASE_DB_SSLMODE"] {
            #expect(example.contains("# \(variable)="), "\(variable) is in .env.example")
        }
        // Copied as it is, the example configures nothing: development falls back to dev.sqlite3.
        try example.write(to: folder.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let made = try await godwit("make", "create_users", in: folder)
        #expect(made.status == 0, "\(made)")
        let migration = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("migrations").path).first)
        try sqlMigration(up: "CREATE TABLE users (id integer);", down: "DROP TABLE users;")
            .write(to: folder.appendingPathComponent("migrations/\(migration)"), atomically: true, encoding: .utf8)
        let latest = try await godwit("latest", in: folder)
        #expect(latest.status == 0, "\(latest)")
        #expect(latest.stderr.contains("using the SQLite file dev.sqlite3"), "\(latest)")
        let again = try await godwit("init", in: folder)
        #expect(again.stdoutLines.prefix(2) == ["Kept migrations/ (already there)", "Kept .env.example (already there)"], "\(again)")
        #expect(try String(contentsOf: folder.appendingPathComponent(".env.example"), encoding: .utf8) == example)
    }

    @Test("without a terminal, each migration gets a line with its duration on standard error, and no colour", arguments: DatabaseKind.allCases)
    func progressInALog(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let run = { (arguments: [String]) async throws -> CommandResult in
            try await runGodwit(arguments, in: database.folder, environment: ["DATABASE_URL": database.url])
        }
        let latest = try await run(["latest"])
        #expect(latest.status == 0, "\(latest)")
        let lines = latest.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(latest)")
        #expect(lines.first?.wholeMatch(of: /migrated 001_users\.sql in \d+ ms/) != nil, "\(latest)")
        #expect(lines.last?.wholeMatch(of: /migrated 002_posts\.sql in \d+ ms/) != nil, "\(latest)")
        let rollback = try await run(["rollback", "--env", "production"])
        #expect(rollback.status == 0, "no terminal: it undoes without asking, as Knex does\n\(rollback)")
        #expect(rollback.stderr.split(separator: "\n").first?.hasPrefix("rolled back 002_posts.sql in ") == true, "\(rollback)")
        #expect(!(latest.stdout + latest.stderr + rollback.stdout + rollback.stderr).contains("\u{1B}["), "no escape codes outside a terminal")
        let forced = try await runGodwit(["status"], in: database.folder, environment: ["DATABASE_URL": database.url, "FORCE_COLOR": "1"])
        #expect(forced.stdout.contains("\u{1B}[33m001_users.sql\u{1B}[0m"), "FORCE_COLOR colours the pending migrations yellow\n\(forced)")
    }

    @Test("through a terminal, a 200-migration batch shows each migration as it ends, before the batch is done")
    func progressInATerminal() async throws {
        let database = try await TestDatabase.make(.postgres)
        var files: [String: String] = [:]
        for index in 1...200 {
            files[String(format: "%03d_step.sql", index)] = sqlMigration(up: "SELECT pg_sleep(0.03);", down: "SELECT 1;")
        }
        try database.writeMigrations(files)
        let terminal = try await Pseudoterminal.start(["latest"], in: database.folder, environment: ["DATABASE_URL": database.url])
        // Migration 100 is shown as done while 100 more (3 s of pg_sleep) are still to run.
        try await terminal.waitForOutput("✓\u{1B}[0m 100_step.sql")
        #expect(terminal.isRunning, "the line for 100_step.sql came while the batch still ran")
        let shown = terminal.outputSoFar()
        #expect(!shown.contains("Batch 1 run"), "\(shown)")
        let result = try await terminal.wait()
        #expect(result.status == 0, "\(result)")
        let text = result.stdout
        #expect(text.contains("→ 001_step.sql …"), "the line appears when the migration starts")
        #expect(text.contains("\u{1B}[32m✓\u{1B}[0m 200_step.sql"), "a terminal is coloured")
        #expect(text.contains("Batch 1 run: 200 migrations"))
        let plain = try await Pseudoterminal.start(["rollback", "--yes"], in: database.folder, environment: ["DATABASE_URL": database.url, "NO_COLOR": "1"])
        let undone = try await plain.wait()
        #expect(undone.status == 0, "\(undone)")
        #expect(undone.stdout.contains("✓ undid 200_step.sql"), "\(undone)")
        #expect(!undone.stdout.contains("\u{1B}[3"), "NO_COLOR: no colour on a terminal either")
    }

    @Test("outside development, rollback and down ask on a terminal: anything but yes undoes nothing; --yes and no terminal do not ask")
    func confirmation() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts])
        let environment = ["DATABASE_URL": database.url, "GODWIT_ENV": "production"]
        #expect(try await runGodwit(["latest"], in: database.folder, environment: environment).status == 0)

        let refused = try await Pseudoterminal.start(["rollback", "--all"], in: database.folder, environment: environment, input: "no\n").wait()
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.stdout.contains("This undoes 2 migrations in production:"), "\(refused)")
        #expect(refused.stdout.contains("  002_posts.sql\n  001_users.sql"), "it shows what would be undone\n\(refused)")
        #expect(refused.stdout.contains("Nothing was undone."), "\(refused)")
        let still = try await runGodwit(["status", "--exit-code"], in: database.folder, environment: environment)
        #expect(still.status == 0, "both migrations are still applied\n\(still)")

        let down = try await Pseudoterminal.start(["down"], in: database.folder, environment: environment, input: "yes\n").wait()
        #expect(down.status == 0, "\(down)")
        #expect(down.stdout.contains("This undoes 1 migration in production:"), "\(down)")
        #expect(down.stdout.contains("\n  002_posts.sql\nUndo it? Type yes"), "\(down)")
        #expect(down.stdout.contains("rolled back the following migrations:\n002_posts.sql"), "\(down)")

        let skipped = try await Pseudoterminal.start(["rollback", "--yes"], in: database.folder, environment: environment).wait()
        #expect(skipped.status == 0, "\(skipped)")
        #expect(!skipped.stdout.contains("This undoes"), "\(skipped)")
        #expect(skipped.stdout.contains("001_users.sql"), "\(skipped)")

        let development = try await TestDatabase.make(.sqlite)
        try development.writeMigrations(["001_users.sql": Self.users])
        #expect(try await runGodwit(["latest"], in: development.folder, environment: ["DATABASE_URL": development.url]).status == 0)
        let unasked = try await Pseudoterminal.start(["rollback"], in: development.folder, environment: ["DATABASE_URL": development.url]).wait()
        #expect(unasked.status == 0, "development is never asked\n\(unasked)")
        #expect(!unasked.stdout.contains("This undoes"), "\(unasked)")
    }

    @Test("a runner that waits for the lock says so at once, naming the holder, without LOG_LEVEL", arguments: [DatabaseKind.postgres, .sqlite])
    func lockWait(kind: DatabaseKind) async throws {
        let database = try await TestDatabase.make(kind)
        try database.writeMigrations(["001_users.sql": Self.users])
        let environment = ["DATABASE_URL": database.url, "GODWIT_LOCK_TIMEOUT": "1"]
        // The tables exist; a session of the test's own holds the lock row, as a migrating runner does.
        #expect(try await runGodwit(["unlock"], in: database.folder, environment: environment).status == 0)
        let holder = try await database.connect()
        var processLock: (any ProcessLock)?
        if kind == .postgres {
            _ = try await holder.query("BEGIN")
            _ = try await holder.query("SELECT * FROM knex_migrations_lock FOR UPDATE")
        } else {
            processLock = try await holder.acquireProcessLock(timeout: .seconds(1))
        }
        let waited = try await runGodwit(["latest"], in: database.folder, environment: environment)
        #expect(waited.status == 1, "\(waited)")
        let first = waited.stderr.split(separator: "\n").first { $0.contains("waiting for the migration lock") }
        let line = try #require(first.map(String.init), "\(waited)")
        #expect(line.hasPrefix("waiting for the migration lock (0 s of 1 s), held by "), "\(line)")
        if kind == .postgres {
            #expect(line.contains("in a transaction open since"), "\(line)")
            _ = try await holder.query("ROLLBACK")
        } else {
            #expect(line.contains("godwit pid \(getpid())"), "\(line)")
            processLock?.release()
        }
        #expect(try await runGodwit(["latest"], in: database.folder, environment: environment).status == 0)
    }

    @Test("bash completion offers the migration files' names after up and down, and the commands after godwit")
    func completion() async throws {
        let database = try await TestDatabase.make(.sqlite)
        try database.writeMigrations(["001_users.sql": Self.users, "002_posts.sql": Self.posts, "010_tags.sql": Self.posts])
        let binary = godwitBinary().path
        func complete(_ line: String) async throws -> [String] {
            let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            let script = """
                source <("$GODWIT" --generate-completion-script bash)
                COMP_WORDS=("$GODWIT" \(words.dropFirst().map { "'\($0)'" }.joined(separator: " ")))
                COMP_CWORD=\(words.count - 1); COMP_LINE="$GODWIT \(words.dropFirst().joined(separator: " "))"; COMP_POINT=${#COMP_LINE}
                _godwit; printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try await runGodwit(["-c", script], in: database.folder, environment: ["GODWIT": binary], executable: URL(fileURLWithPath: "/bin/bash"))
            #expect(result.status == 0, "\(result)")
            return result.stdoutLines.filter { !$0.isEmpty }
        }
        #expect(try await complete("godwit up 00") == ["001_users.sql", "002_posts.sql"])
        #expect(try await complete("godwit down ") == ["001_users.sql", "002_posts.sql", "010_tags.sql"])
        #expect(try await complete("godwit down 01") == ["010_tags.sql"])
        // The commands by their own names (bash splits words at ':', so Knex's names are typed, not completed).
        let commands = try await complete("godwit ")
        #expect(commands.contains("current-version") && commands.contains("init") && commands.contains("latest"), "\(commands)")
    }
}
